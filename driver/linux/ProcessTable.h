// ProcessTable.h - procguardd's view of the running processes.
//
// Owns: pid -> {ppid, uid, image, cmdline, start time}, fed by the BPF
// process-facts ring or the proc connector (or the /proc poller) and by
// the /proc snapshot at start. Used
// for the self-exemption ancestry walk and for parent images in rules.
// Main thread only.
//
// The table can lag the kernel: the BPF ring is drained on a short timer
// (and before each permission event), netlink delivers fork/exec after
// the fact, and both may drop records (ring full, ENOBUFS), and an exec permission event can arrive
// before the fork that created the process was read. Lookups that decide
// something therefore fall back to /proc (parentOf, imageOf) when a pid is
// unknown, and never trust a pid beyond one lookup.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

struct ProcessInfo {
    uint32_t pid = 0;
    uint32_t ppid = 0;
    uint32_t uid = 0;
    uint64_t startTicks = 0;    // /proc/PID/stat starttime (0 when unknown)
    std::string image;          // empty: kernel thread or unknown
    uint64_t imageDev = 0;      // the image's device when the exec fact said (BPF), else 0
    bool imagePathless = false; // the exec fact said: a file with no path (in memory)
    std::string cmdline;        // NULs turned into spaces
    bool cmdlineTruncated = false;
};

class ProcessTable
{
public:
    using Map = std::unordered_map<uint32_t, ProcessInfo>;

    const ProcessInfo *find(uint32_t pid) const;
    ProcessInfo &upsert(uint32_t pid);
    void erase(uint32_t pid);
    void replaceAll(Map &&entries) { m_entries = std::move(entries); }
    const Map &entries() const { return m_entries; }
    size_t size() const { return m_entries.size(); }

    // Parent of pid, from the table or /proc/PID/stat; 0 when unknown.
    uint32_t parentOf(uint32_t pid) const;
    // Image of pid, from the table or /proc/PID/exe; empty when unknown.
    std::string imageOf(uint32_t pid) const;
    // Real uid of pid, from /proc/PID/status (exact at exec time) or the
    // table; false when unknown.
    bool uidOf(uint32_t pid, uint32_t *uid) const;
    // True when ancestor is pid itself or one of its ancestors. The walk
    // stops after maxDepth steps or at pid 0/1, so a corrupt or cyclic
    // table (pid reuse) cannot loop.
    bool isSelfOrDescendantOf(uint32_t pid, uint32_t ancestor, int maxDepth = 128) const;

private:
    Map m_entries;
};
