// Accounts.h - the user and group facts rules are written against: group
// names, the groups a user is in, who is asking. One implementation per
// platform (POSIX: the passwd and group databases; Windows: none of this
// applies, rules there name no gid) and a fake in tests. Calls may block
// briefly (NSS); do not call them from a GUI thread in a loop.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pg
{
namespace policy
{

class Accounts
{
public:
    virtual ~Accounts() = default;
    // The uid of the calling process; nullopt where the platform has none.
    virtual std::optional<uint32_t> currentUserId() = 0;
    // The gid of a group name; nullopt when there is no such group.
    virtual std::optional<uint32_t> groupId(const std::string &name) = 0;
    // The groups a process of uid starts with: its primary group first,
    // then its supplementary groups. Empty for an unknown uid.
    virtual std::vector<uint32_t> groupsOf(uint32_t uid) = 0;
};

Accounts &systemAccounts();

} // namespace policy
} // namespace pg
