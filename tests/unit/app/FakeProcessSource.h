// FakeProcessSource.h - a ProcessSource holding whatever the test put in.
#pragma once

#include <algorithm>
#include <map>

#include "ProcessSource.h"

namespace pg
{
namespace test
{

class FakeProcessSource : public ProcessSource
{
public:
    std::vector<ProcessInfo> processes;
    std::map<uint32_t, std::string> users;

    std::vector<ProcessInfo> snapshot() override
    {
        std::vector<ProcessInfo> out = processes;
        std::sort(out.begin(), out.end(),
                  [](const ProcessInfo &a, const ProcessInfo &b) { return a.pid < b.pid; });
        return out;
    }
    std::string userName(uint32_t uid) override
    {
        auto it = users.find(uid);
        return it != users.end() ? it->second : std::to_string(uid);
    }
    std::optional<uint32_t> userId(const std::string &name) override
    {
        for (const auto &u : users)
            if (u.second == name)
                return u.first;
        return std::nullopt;
    }
};

} // namespace test
} // namespace pg
