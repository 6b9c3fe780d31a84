// PosixAccounts.cpp - Accounts over getpwuid_r, getgrnam_r and getgrouplist.
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>

#include "Accounts.h"

namespace pg
{
namespace policy
{

namespace
{

class PosixAccounts : public Accounts
{
public:
    std::optional<uint32_t> currentUserId() override { return static_cast<uint32_t>(getuid()); }

    std::optional<uint32_t> groupId(const std::string &name) override
    {
        std::vector<char> buf(16384);
        struct group g {
        };
        struct group *found = nullptr;
        if (getgrnam_r(name.c_str(), &g, buf.data(), buf.size(), &found) != 0 || !found)
            return std::nullopt;
        return static_cast<uint32_t>(found->gr_gid);
    }

    std::vector<uint32_t> groupsOf(uint32_t uid) override
    {
        std::vector<char> buf(16384);
        struct passwd pw {
        };
        struct passwd *found = nullptr;
        if (getpwuid_r(static_cast<uid_t>(uid), &pw, buf.data(), buf.size(), &found) != 0 || !found)
            return {};
        int n = 64;
        std::vector<gid_t> gids(static_cast<size_t>(n));
        while (getgrouplist(found->pw_name, found->pw_gid, gids.data(), &n) < 0) {
            if (n <= static_cast<int>(gids.size()) || n > 65536)
                return {static_cast<uint32_t>(found->pw_gid)};
            gids.resize(static_cast<size_t>(n));
        }
        std::vector<uint32_t> out{static_cast<uint32_t>(found->pw_gid)};
        for (int i = 0; i < n; ++i) {
            const uint32_t g = static_cast<uint32_t>(gids[static_cast<size_t>(i)]);
            if (std::find(out.begin(), out.end(), g) == out.end())
                out.push_back(g);
        }
        return out;
    }
};

} // namespace

Accounts &systemAccounts()
{
    static PosixAccounts accounts;
    return accounts;
}

} // namespace policy
} // namespace pg
