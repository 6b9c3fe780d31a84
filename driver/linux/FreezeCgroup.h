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
// Owns: <cgroup2 mount>/procguard/run-<pid>-<start ticks>/ (this
// instance's directory; pid and start time, field 22 of /proc/PID/stat,
// name the daemon process that owns it) and its hold-<id> children. Per
// hold: freeze() creates hold-<id>, freezes it, remembers the process's
// cgroup from the "0::" line of /proc/PID/cgroup and moves the process in.
// release() moves it back (the move itself thaws it: the original cgroup
// is not frozen) and removes the directory. kill() writes cgroup.kill (a
// frozen cgroup v2 task does die of SIGKILL) and removes the directory
// once it is empty (reap(), retried from the main loop).
//
// Holds belong to their instance: several procguardd
// may run side by side (the integration tests do), each with its own
// directory. init() never touches the directory of an instance whose
// process still runs with the recorded start time. The holds of an
// instance that is gone (it crashed or was killed) are handed to the
// caller as orphans, which gives each frozen process the verdict the
// policy in force gives it - never a blanket allow.
//
// Must not: open anything outside the cgroup2 mount and /proc (the main
// thread calls it while permission events wait; neither is ever gated).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

class FreezeCgroup
{
public:
    // Finds the cgroup2 mount, creates procguard/ and this instance's
    // directory, and collects the holds of instances that no longer run
    // (orphans()). False when there is no usable cgroup v2.
    bool init(uint32_t selfPid);
    bool available() const { return m_available; }

    struct Hold {
        std::string dir;      // <mnt>/procguard/run-<pid>-<ticks>/hold-<id>
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
    // At stop, after every hold ended: removes this instance's directory
    // (waiting a bounded moment for killed holds to empty). What cannot be
    // removed is left for the next start, which sees its owner gone.
    void stop();

    // A hold cgroup left by an instance that is gone, with the processes
    // still frozen in it.
    struct Orphan {
        std::string dir;   // the hold cgroup
        std::string owner; // its instance directory's name ("" = older layout)
        std::vector<uint32_t> pids;
    };
    const std::vector<Orphan> &orphans() const { return m_orphans; }
    // Allow for an orphan's process: moves it to its parent's cgroup (the
    // launcher's, where it was before it was frozen) or the root cgroup.
    void releaseOrphan(uint32_t pid, uint32_t ppid);
    // Block for an orphan's process: SIGKILL reaches a frozen task.
    void killOrphan(uint32_t pid);
    // After every orphan was decided: removes their directories and those
    // of the instances that left them (now or through reap()).
    void dropOrphans();

    // "run-<pid>-<start ticks>" and back.
    static std::string instanceName(uint32_t pid, uint64_t startTicks);
    static bool parseInstanceName(const std::string &name, uint32_t *pid, uint64_t *startTicks);
    // Whether the instance directory name belongs to a running process:
    // startTicksOf(pid, &ticks) reads field 22 of /proc/PID/stat (false
    // when there is no such process). A name that does not parse is not a
    // running instance's.
    using StartTicksOf = std::function<bool(uint32_t pid, uint64_t *startTicks)>;
    static bool ownerAlive(const std::string &name, const StartTicksOf &startTicksOf);

private:
    bool writeFile(const std::string &path, const std::string &value, std::string *error = nullptr);
    std::string cgroupOf(uint32_t pid);
    // Adds the hold-* children of dir (and their frozen pids) to m_orphans.
    void collectOrphans(const std::string &dir, const std::string &owner);
    // Another procguardd process (by name) runs: holds in the older layout
    // (procguard/hold-<id>, no owner recorded) might be its own.
    static bool otherDaemonRunning(uint32_t selfPid);

    bool m_available = false;
    std::string m_mount;    // cgroup2 mount point
    std::string m_base;     // <mount>/procguard
    std::string m_instance; // <base>/run-<pid>-<ticks>
    std::vector<std::string> m_reap;
    std::vector<Orphan> m_orphans;
    std::vector<std::string> m_deadInstances; // removed after their orphans
};
