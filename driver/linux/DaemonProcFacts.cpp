// DaemonProcFacts.cpp - where procguardd's process facts come from. See
// Daemon.h.
//
// Three sources, best first:
//   bpf        raw tracepoint programs on sched_process_fork/exec/exit
//              (bpf/ProcFacts.bpf.c) write pid, parent, uid, start time,
//              image path, argv and exit status into a ring buffer that
//              the loop drains. No /proc read for an ordinary start: this
//              is what keeps the daemon's CPU per start small.
//   connector  the netlink proc connector says which pid forked, exec'd or
//              exited; the facts are then read from /proc (stat per fork;
//              stat, status, exe and cmdline per exec).
//   poll       /proc is diffed every 500 ms (no connector either).
// Whatever the source, a loss (ring full, ENOBUFS) is counted, reported
// as a RESYNC event with lost > 0, and repaired from /proc.
//
// The BPF image path is the one /proc/PID/exe shows (the exec'd file's
// dentries walked up to its mount namespace's root, across mounts), not
// the name the caller passed to execve: for a script it is the
// interpreter, for a symlink its target, as before. Only when that walk
// cannot finish (a path deeper than the walk's bound) or argv could not be
// read from the new image is /proc read, for that one process.
#include <cstring>

#include "Daemon.h"
#include "Log.h"
#include "ProcFs.h"
#include "ProcScanner.h"

bool Daemon::openProcessFacts(std::string *error)
{
    using Source = Options::ProcessFacts;
    const Source wanted = m_options.m_processFacts;
    std::string why;
    if (wanted == Source::Bpf || wanted == Source::Auto) {
        if (m_bpf.open(&why, static_cast<size_t>(m_options.m_bpfRingBytes))) {
            m_useBpf = true;
            PG_LOG_INFO("process facts: BPF tracepoints (sched_process_fork/exec/exit), ring "
                        "buffer of %llu KiB",
                        m_options.m_bpfRingBytes / 1024);
            catchUp();
            return true;
        }
        if (wanted == Source::Bpf) {
            *error = why + " (--process-facts=bpf insists on BPF).";
            return false;
        }
        PG_LOG_WARN("BPF process facts unavailable (%s); falling back to the proc connector",
                    why.c_str());
    }
    if (wanted != Source::Poll) {
        if (m_connector.open(&why, m_options.m_connectorBuffer)) {
            m_useConnector = true;
            PG_LOG_INFO("process facts: proc connector and /proc reads");
            catchUp();
            return true;
        }
        PG_LOG_WARN("%s; polling /proc every 500 ms instead", why.c_str());
    }
    PG_LOG_INFO("process facts: polling /proc every 500 ms");
    return true;
}

void Daemon::catchUp()
{
    // The snapshot was taken before the source was open (loading the BPF
    // programs takes a few hundred milliseconds): what started or ended
    // in between is found by one diff against /proc, before any client
    // can have seen the table.
    resync(false);
}

const char *Daemon::factSourceName() const
{
    return m_useBpf ? "bpf" : m_useConnector ? "connector" : "poll";
}

void Daemon::onBpfReadable(bool beforeGate)
{
    const uint64_t undecodable =
        m_bpf.readAll([this](const ProcFact &fact) { onProcFact(fact); }, !beforeGate);
    // Records the kernel side could not queue: the table may now miss a
    // start, an exec or an exit. Report the count, then rebuild from /proc.
    m_lostConnectorMessages += undecodable;
    const uint64_t dropped = m_bpf.dropped();
    if (dropped != m_bpfDroppedSeen) {
        m_lostConnectorMessages += dropped - m_bpfDroppedSeen;
        m_bpfDroppedSeen = dropped;
    }
    if (m_lostConnectorMessages != 0 && !beforeGate)
        resync(true);
}

void Daemon::onProcFact(const ProcFact &fact)
{
    switch (fact.kind) {
    case ProcFact::Kind::Fork: {
        // Already found by a /proc scan (a resync that raced the record).
        const ProcessInfo *known = m_table.find(fact.pid);
        if (known != nullptr && known->startTicks == fact.startTicks)
            break;
        ProcessInfo info;
        info.pid = fact.pid;
        info.ppid = fact.ppid;
        info.uid = fact.uid;
        info.startTicks = fact.startTicks;
        // Until it execs, a child runs its parent's image.
        if (const ProcessInfo *p = m_table.find(fact.ppid)) {
            info.image = p->image;
            info.cmdline = p->cmdline;
            info.cmdlineTruncated = p->cmdlineTruncated;
        } else if (ProcScanner::scanOne(fact.pid, &info)) {
            // A parent we never saw (table rebuilt, or it predates us and
            // vanished): the child's own /proc entry, this once.
            info.ppid = fact.ppid;
            info.uid = fact.uid;
            info.startTicks = fact.startTicks;
        } else {
            info.cmdline = "[" + fact.comm + "]";
        }
        processStarted(std::move(info));
        break;
    }
    case ProcFact::Kind::Exec: {
        ProcessInfo info;
        info.pid = fact.pid;
        info.ppid = fact.ppid;
        info.uid = fact.uid;
        info.startTicks = fact.startTicks;
        info.image = fact.imageKnown ? fact.image : ProcFs::exePath(fact.pid);
        info.imageDev = fact.imageDev;
        info.imagePathless = fact.pathless;
        if (fact.cmdlineKnown) {
            info.cmdline = fact.cmdline;
            info.cmdlineTruncated = fact.cmdlineTruncated;
        } else {
            bool truncated = false;
            std::string cmd;
            if (ProcFs::cmdline(fact.pid, PG_MAX_CMDLINE_BYTES, &cmd, &truncated) && !cmd.empty()) {
                info.cmdline = cmd;
                info.cmdlineTruncated = truncated;
            } else {
                info.cmdline = "[" + fact.comm + "]";
            }
        }
        processExeced(std::move(info));
        break;
    }
    case ProcFact::Kind::Exit:
        // A pid the table does not hold was never shown, or its end was
        // already found by a resync that raced the record.
        if (m_table.find(fact.pid) != nullptr)
            onExitEvent(fact.pid, fact.exitCode);
        break;
    }
}
