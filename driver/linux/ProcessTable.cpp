// ProcessTable.cpp - see ProcessTable.h.
#include "ProcessTable.h"

#include "ProcFs.h"

const ProcessInfo *ProcessTable::find(uint32_t pid) const
{
    auto it = m_entries.find(pid);
    return it == m_entries.end() ? nullptr : &it->second;
}

ProcessInfo &ProcessTable::upsert(uint32_t pid)
{
    ProcessInfo &info = m_entries[pid];
    info.pid = pid;
    return info;
}

void ProcessTable::erase(uint32_t pid)
{
    m_entries.erase(pid);
}

uint32_t ProcessTable::parentOf(uint32_t pid) const
{
    // /proc first: it is exact now, while the table may lag (reparenting
    // to a subreaper is not reported by the connector at all).
    ProcFs::Stat st;
    if (ProcFs::readStat(pid, &st))
        return st.ppid;
    const ProcessInfo *info = find(pid);
    return info != nullptr ? info->ppid : 0;
}

std::string ProcessTable::imageOf(uint32_t pid) const
{
    const ProcessInfo *info = find(pid);
    if (info != nullptr && !info->image.empty())
        return info->image;
    return ProcFs::exePath(pid);
}

bool ProcessTable::uidOf(uint32_t pid, uint32_t *uid) const
{
    ProcFs::Status st;
    if (ProcFs::readStatus(pid, &st)) {
        *uid = st.uid;
        return true;
    }
    const ProcessInfo *info = find(pid);
    if (info == nullptr)
        return false;
    *uid = info->uid;
    return true;
}

bool ProcessTable::isSelfOrDescendantOf(uint32_t pid, uint32_t ancestor, int maxDepth) const
{
    if (ancestor == 0)
        return false;
    uint32_t cur = pid;
    for (int depth = 0; depth <= maxDepth && cur > 1; ++depth) {
        if (cur == ancestor)
            return true;
        // The table is tried first here (cheap, and it remembers the
        // parent of a process whose parent already exited and got
        // reparented); /proc covers pids the connector has not told us of.
        const ProcessInfo *info = find(cur);
        uint32_t next = info != nullptr ? info->ppid : 0;
        if (next == 0) {
            ProcFs::Stat st;
            if (!ProcFs::readStat(cur, &st))
                return false;
            next = st.ppid;
        }
        if (next == cur)
            return false;
        cur = next;
    }
    return false;
}
