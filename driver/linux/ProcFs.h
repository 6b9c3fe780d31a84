// ProcFs.h - small readers of /proc/PID files.
//
// Owns: parsing stat, status, exe, cmdline. Every call is one or two
// syscalls on procfs, which is never gated, so the main thread may call
// them while permission events wait. Must not: open anything outside
// /proc, cache anything (pids are reused; the process table caches).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

class ProcFs
{
public:
    struct Stat {
        uint32_t ppid = 0;
        uint64_t startTicks = 0; // field 22, clock ticks since boot
        std::string comm;
    };
    struct Status {
        uint32_t uid = 0; // real uid
        uint32_t gid = 0; // real gid
        std::vector<uint32_t> groups;
    };

    // Reads a whole small file (at most max bytes). False on any error.
    static bool readFile(const std::string &path, std::string *out, size_t max = 65536);
    // readlink() into a string; empty on error.
    static std::string readLink(const std::string &path);
    static bool readStat(uint32_t pid, Stat *out);
    static bool readStatus(uint32_t pid, Status *out);
    // Program image of pid (readlink of /proc/PID/exe); empty for kernel
    // threads and vanished processes.
    static std::string exePath(uint32_t pid);
    // Command line with NULs turned into spaces, cut to maxBytes - 1 bytes
    // (*truncated set when cut). False when unreadable.
    static bool cmdline(uint32_t pid, size_t maxBytes, std::string *out, bool *truncated);
    // Path of an open descriptor of this process (fanotify event fds).
    static std::string fdPath(int fd);
    // /proc/PID/cmdline split at its NULs (at most maxBytes read).
    static bool argv(uint32_t pid, size_t maxBytes, std::vector<std::string> *out);
};
