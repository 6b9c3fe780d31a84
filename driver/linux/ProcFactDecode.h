// ProcFactDecode.h - turns a record from the BPF process-facts ring
// (bpf/pg_proc_facts.h) into what the process table holds.
//
// Owns: validating a record's lengths against the bytes the ring gave,
// and the command-line and start-time conventions the /proc readers use
// (ProcFs::cmdline, ProcFs::readStat), so that a process looks the same
// whichever source reported it. Pure: no syscalls, no libbpf; unit-tested.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

struct ProcFact {
    enum class Kind { Fork, Exec, Exit };
    Kind kind = Kind::Fork;
    uint32_t pid = 0;
    uint32_t ppid = 0;
    uint32_t uid = 0;
    uint32_t exitCode = 0;   // wait status (Exit)
    uint64_t startTicks = 0; // as /proc/PID/stat field 22 (Fork, Exec)
    std::string comm;
    // Exec only. imageKnown is false when the kernel-side path walk did not
    // reach the root (very deep paths): the caller reads /proc/PID/exe for
    // that process. cmdlineKnown is false when argv could not be read from
    // the new image's memory: the caller reads /proc/PID/cmdline.
    std::string image;
    bool imageKnown = false;
    uint64_t imageDev = 0; // the executed file's device (dev_t), 0 when unknown
    bool pathless = false; // the file has no path (in memory): its walk ended at "/"
    std::string cmdline;   // NULs turned into spaces; "[comm]" when argv is empty
    bool cmdlineTruncated = false;
    bool cmdlineKnown = false;
};

// Decodes one ring record of size bytes. nsPerTick: nanoseconds per
// USER_HZ clock tick (1e9 / sysconf(_SC_CLK_TCK)). maxCmdlineBytes: as
// ProcFs::cmdline (the cut leaves maxCmdlineBytes - 1 bytes). False for a
// record that is too short, of an unknown kind, or whose lengths run past
// its end.
bool decodeProcFact(const void *data, size_t size, uint64_t nsPerTick, size_t maxCmdlineBytes,
                    ProcFact *out);
