// ProcScanner.h - builds process table entries from /proc.
//
// Owns: the /proc snapshot taken at start and after a netlink loss, the
// per-pid reader used when the connector reports a fork or exec, and the
// diff used by the 500 ms poller when the proc connector is unavailable.
// Must not: emit events or touch the table itself (Daemon does both), or
// read anything outside /proc.
#pragma once

#include <cstdint>
#include <vector>

#include "ProcessTable.h"

class ProcScanner
{
public:
    // Reads one process; false when it vanished or is a thread id.
    static bool scanOne(uint32_t pid, ProcessInfo *out);
    // Every process visible in /proc.
    static ProcessTable::Map scanAll();

    struct Diff {
        std::vector<ProcessInfo> started; // new pids (or reused: also in exited)
        std::vector<ProcessInfo> exited;  // gone pids (old entries)
        std::vector<ProcessInfo> execed;  // same process, new image
    };
    // Compares the table with a fresh scan. Cheap for known pids: only
    // stat and exe are read; a new image is re-read in full.
    static Diff diff(const ProcessTable &table, ProcessTable::Map *fresh);
};
