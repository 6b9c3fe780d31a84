// ProcScanner.cpp - see ProcScanner.h.
#include "ProcScanner.h"

#include <cstdlib>
#include <dirent.h>

#include "ProcFs.h"
#include "pg_protocol.h"

bool ProcScanner::scanOne(uint32_t pid, ProcessInfo *out)
{
    ProcFs::Stat st;
    if (!ProcFs::readStat(pid, &st))
        return false;
    out->pid = pid;
    out->ppid = st.ppid;
    out->startTicks = st.startTicks;
    ProcFs::Status status;
    if (ProcFs::readStatus(pid, &status))
        out->uid = status.uid;
    out->image = ProcFs::exePath(pid);
    bool truncated = false;
    std::string cmd;
    if (ProcFs::cmdline(pid, PG_MAX_CMDLINE_BYTES, &cmd, &truncated) && !cmd.empty()) {
        out->cmdline = cmd;
        out->cmdlineTruncated = truncated;
    } else {
        // Kernel threads have no command line; show their name as ps does.
        out->cmdline = "[" + st.comm + "]";
        out->cmdlineTruncated = false;
    }
    return true;
}

static std::vector<uint32_t> listPids()
{
    std::vector<uint32_t> pids;
    DIR *dir = opendir("/proc");
    if (dir == nullptr)
        return pids;
    while (struct dirent *e = readdir(dir)) {
        char *end = nullptr;
        unsigned long v = std::strtoul(e->d_name, &end, 10);
        if (end != e->d_name && *end == '\0' && v > 0)
            pids.push_back(static_cast<uint32_t>(v));
    }
    closedir(dir);
    return pids;
}

ProcessTable::Map ProcScanner::scanAll()
{
    ProcessTable::Map map;
    for (uint32_t pid : listPids()) {
        ProcessInfo info;
        if (scanOne(pid, &info))
            map.emplace(pid, std::move(info));
    }
    return map;
}

ProcScanner::Diff ProcScanner::diff(const ProcessTable &table, ProcessTable::Map *fresh)
{
    Diff d;
    fresh->clear();
    for (uint32_t pid : listPids()) {
        const ProcessInfo *old = table.find(pid);
        ProcFs::Stat st;
        if (!ProcFs::readStat(pid, &st))
            continue;
        if (old != nullptr && old->startTicks == st.startTicks) {
            ProcessInfo info = *old;
            info.ppid = st.ppid;
            std::string image = ProcFs::exePath(pid);
            if (image != old->image) {
                ProcessInfo full;
                if (!scanOne(pid, &full))
                    continue;
                d.execed.push_back(full);
                info = full;
            }
            fresh->emplace(pid, std::move(info));
            continue;
        }
        ProcessInfo full;
        if (!scanOne(pid, &full))
            continue;
        if (old != nullptr)
            d.exited.push_back(*old); // pid reused while we looked away
        d.started.push_back(full);
        fresh->emplace(pid, std::move(full));
    }
    for (const auto &kv : table.entries()) {
        if (fresh->find(kv.first) == fresh->end())
            d.exited.push_back(kv.second);
    }
    return d;
}
