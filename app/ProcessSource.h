// ProcessSource.h - a snapshot of the processes running now, and user names.
//
// Used by `procguardctl ps` (no kernel component needed) and by anything
// that must describe a process or a user to a person. One implementation
// per platform (LinuxProcessSource reads /proc) and an in-memory fake under
// tests/. Calls may block briefly on the file system; call them from a
// worker or a command-line thread, never from a GUI thread in a loop.
// Processes that vanish during a snapshot are skipped, not reported as
// errors; fields the caller may not read (another user's image without
// privileges) are left empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pg
{

struct ProcessInfo {
    uint32_t pid = 0;
    uint32_t ppid = 0;
    uint32_t uid = 0;
    std::string user;         // name for uid; the number as text if unknown
    std::string name;         // short name (Linux comm)
    std::string image;        // full image path; empty if unreadable
    std::string cmdline;      // arguments joined by spaces
    uint64_t startTimeNs = 0; // UTC nanoseconds since 1970-01-01
};

class ProcessSource
{
public:
    virtual ~ProcessSource() = default;
    // Every process visible to the caller, ordered by pid.
    virtual std::vector<ProcessInfo> snapshot() = 0;
    // The user's name, or the number as text if it has none.
    virtual std::string userName(uint32_t uid) = 0;
    // The uid of a user name; nullopt if there is no such user.
    virtual std::optional<uint32_t> userId(const std::string &name) = 0;
};

} // namespace pg
