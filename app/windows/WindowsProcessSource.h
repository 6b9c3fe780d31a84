// WindowsProcessSource.h - pg::ProcessSource from a Toolhelp32 snapshot.
//
// pid, ppid and the short name come from the snapshot itself and are
// always there. The image path (QueryFullProcessImageName, DOS form), the
// start time (GetProcessTimes) and the user (the process token) need
// PROCESS_QUERY_LIMITED_INFORMATION and are left empty for processes the
// caller may not open (protected processes, other users' without
// Administrator). The command line of another process is not read (it
// would mean reading its PEB): cmdline is empty except for the caller's
// own process.
//
// Users: Windows has SIDs, not uids. uid is the SID's last sub-authority
// (the RID: 500 Administrator, 18 SYSTEM, 1001 a first local user), and
// user is "DOMAIN\name". userName(uid) answers from the SIDs this source
// has seen (snapshot() records them), then from the local machine's
// accounts; userId(name) looks the account up (LookupAccountName).
//
// Threads: one caller at a time (the SID cache is not locked). Windows only.
#pragma once

#include <map>

#include "ProcessSource.h"

namespace pg
{

class WindowsProcessSource : public ProcessSource
{
public:
    std::vector<ProcessInfo> snapshot() override;
    std::string userName(uint32_t uid) override;
    std::optional<uint32_t> userId(const std::string &name) override;

private:
    std::map<uint32_t, std::string> m_names; // RID -> DOMAIN\name, from snapshots
};

} // namespace pg
