// FreezeCgroup.h - keeps a released start frozen in its own cgroup v2.
//
// Why (DESIGN §3, "launcher is not frozen by a person's slowness"): an
// exec held by fanotify also holds its launcher (the posix_spawn/vfork
// parent waits until the child's exec finishes). When the hold budget
// passes, the daemon moves the exec-ing process into a fresh cgroup with
// cgroup.freeze = 1 and only then answers FAN_ALLOW: the exec completes in
// the kernel, the launcher returns, and the new program stops before its
// first user-space instruction. Unlike SIGSTOP, the owner cannot undo a
// cgroup freeze (SIGCONT does nothing; only root can write the cgroup).
//
// Owns: <cgroup2 mount>/procguard/ and its hold-<id> children. Per hold:
// freeze() creates hold-<id>, freezes it, remembers the process's cgroup
// from the "0::" line of /proc/PID/cgroup and moves the process in.
// release() moves it back (the move itself thaws it: the original cgroup
// is not frozen) and removes the directory. kill() writes cgroup.kill (a
// frozen cgroup v2 task does die of SIGKILL) and removes the directory
// once it is empty (reap(), retried from the main loop).
//
// Must not: open anything outside the cgroup2 mount (the main thread
// calls it while permission events wait; cgroupfs is never gated).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

class FreezeCgroup
{
public:
    // Finds the cgroup2 mount and creates procguard/. Removes what a
    // previous run left behind, applying defaultAllow to any process still
    // frozen there. False when there is no usable cgroup v2.
    bool init(bool defaultAllow);
    bool available() const { return m_available; }

    struct Hold {
        std::string dir;      // <mnt>/procguard/hold-<id>
        std::string original; // <mnt><path from /proc/PID/cgroup>
    };
    // Freezes pid in a new cgroup for holdId. False (with *error) when the
    // pid vanished or the cgroup could not be made; nothing is left behind.
    bool freeze(uint64_t holdId, uint32_t pid, Hold *hold, std::string *error);
    // Allow: move back (thaws) and remove the directory.
    void release(const Hold &hold, uint32_t pid);
    // Block: kill everything in the hold cgroup; removal is deferred.
    void kill(const Hold &hold, uint32_t pid);
    // Retries removing killed hold cgroups. Returns true while some remain.
    bool reap();
    bool reapPending() const { return !m_reap.empty(); }

private:
    bool writeFile(const std::string &path, const std::string &value, std::string *error = nullptr);
    std::string cgroupOf(uint32_t pid);

    bool m_available = false;
    std::string m_mount; // cgroup2 mount point
    std::string m_base;  // <mount>/procguard
    std::vector<std::string> m_reap;
};
