// PlatformUserNames.cpp - UserNames.h on Linux, through LinuxProcessSource.
#include <memory>
#include <unordered_map>

#include "LinuxProcessSource.h"
#include "UserNames.h"

namespace pg
{

UserNameResolver makePlatformUserNameResolver()
{
    auto source = std::make_shared<LinuxProcessSource>();
    auto cache = std::make_shared<std::unordered_map<uint32_t, std::string>>();
    return [source, cache](uint32_t uid) {
        auto it = cache->find(uid);
        if (it != cache->end())
            return it->second;
        std::string name = source->userName(uid);
        cache->emplace(uid, name);
        return name;
    };
}

} // namespace pg
