// WindowsUserNames.cpp - UserNames.h on Windows, through WindowsProcessSource
// (uid is a SID's RID there; see WindowsProcessSource.h).
#include <memory>
#include <unordered_map>

#include "UserNames.h"
#include "WindowsProcessSource.h"

namespace pg
{

UserNameResolver makePlatformUserNameResolver()
{
    auto source = std::make_shared<WindowsProcessSource>();
    auto cache = std::make_shared<std::unordered_map<uint32_t, std::string>>();
    auto once = std::make_shared<bool>(false);
    return [source, cache, once](uint32_t uid) {
        auto it = cache->find(uid);
        if (it != cache->end())
            return it->second;
        // The source learns names from the processes it has seen: look
        // once before the first answer.
        if (!*once) {
            source->snapshot();
            *once = true;
        }
        std::string name = source->userName(uid);
        cache->emplace(uid, name);
        return name;
    };
}

} // namespace pg
