// WindowsAccounts.cpp - Windows rules carry no uid or gid (processes are
// described by SIDs), so there is nothing to look up here.
#include "Accounts.h"

namespace pg
{
namespace policy
{

namespace
{

class WindowsAccounts : public Accounts
{
public:
    std::optional<uint32_t> currentUserId() override { return std::nullopt; }
    std::optional<uint32_t> groupId(const std::string &) override { return std::nullopt; }
    std::vector<uint32_t> groupsOf(uint32_t) override { return {}; }
};

} // namespace

Accounts &systemAccounts()
{
    static WindowsAccounts accounts;
    return accounts;
}

} // namespace policy
} // namespace pg
