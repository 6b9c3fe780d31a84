// DaemonLoader.cpp - programs run through their ELF interpreter
// ("ld-linux.so /path/prog"). See Daemon.h, ExecOrigin.h, LoaderCommand.h.
//
// The loader maps prog with a plain open: no exec event names prog. With
// the stack guard (the default where /proc/PID/stack is readable) no
// plain open reaches us at all; instead the loader's own exec event is
// told apart from the kernel's load of a dynamic program's interpreter,
// and a run of the loader is handled here:
//   prompt, lockdown: the start becomes a hold nobody is asked about (as
//     for a digest). The process is frozen, then its exec allowed, so it
//     completes but runs no instruction; once it has, its command line
//     names prog, which is opened in the process's own view and decided
//     by rules only, like an exec of prog (the identity check included).
//     Allowed: thawed. Otherwise killed. The hold's timeout ends it with
//     a block.
//   monitor: the same hold, always ending in allow: the process waits
//     only until its exec completed (a millisecond), so that prog can be
//     named (and reported would-block or not) before it runs and exits.
// Between the verdict and the loader's open of prog, another process of
// the same user could put a different file at prog's path. Path rules
// trust the path anyway; digest rules (SHA-256, package) do not match a
// prog whose path someone other than root could change, so the file that
// was hashed is the file that runs.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

#include "Daemon.h"
#include "ExecOrigin.h"
#include "LoaderCommand.h"
#include "Log.h"
#include "ProcFs.h"

namespace
{

// A loader run is never held longer than this, even when the policy's
// timeout is "no limit" (the wait is for the exec and a digest, not a
// person).
constexpr uint32_t kLoaderMaxWaitMs = 60000;

uint64_t monotonicMs()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}

// A directory lets others than root replace what is in it: not root's, or
// writable by group or others without the sticky bit.
bool dirReplaceable(const struct stat &st)
{
    if (st.st_uid != 0)
        return true;
    return (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0;
}

} // namespace

int Daemon::openAsSeenBy(uint32_t pid, const std::string &path, bool *replaceable)
{
    const std::string base = "/proc/" + std::to_string(pid);
    const bool absolute = !path.empty() && path[0] == '/';
    const std::string full = absolute ? base + "/root" + path : base + "/cwd/" + path;
    // O_NONBLOCK: a FIFO named as the program must not stop this thread.
    const int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return -1;
    }
    // Could someone other than root change what this path names before the
    // loader opens it? A relative path depends on the working directory
    // (conservatively: yes); an absolute one on every directory on the way
    // and on the file itself; a symbolic link on the way can be re-pointed.
    bool changeable = !absolute || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
    std::string prefix = base + "/root";
    size_t pos = 1;
    while (!changeable) {
        const size_t next = path.find('/', pos);
        struct stat dir;
        if (lstat((prefix + "/").c_str(), &dir) != 0 || !S_ISDIR(dir.st_mode) ||
            dirReplaceable(dir)) {
            changeable = true;
            break;
        }
        if (next == std::string::npos)
            break;
        prefix += path.substr(pos - 1, next - pos + 1);
        // A link itself cannot be changed, only replaced through its
        // directory (checked above), unless it is not root's.
        struct stat link;
        if (lstat(prefix.c_str(), &link) != 0 || (S_ISLNK(link.st_mode) && link.st_uid != 0))
            changeable = true;
        pos = next + 1;
    }
    struct stat last;
    if (!changeable && (lstat(full.c_str(), &last) != 0 || last.st_uid != 0))
        changeable = true;
    *replaceable = changeable;
    return fd;
}

void Daemon::handleLoaderRun(int fd, uint32_t pid)
{
    const std::string loader = ProcFs::fdPath(fd);
    const uint32_t ppid = m_table.parentOf(pid);
    m_untrustedFds.erase(fd);
    if (isExempt(pid)) {
        decideNow(fd, pid, ppid, 0, loader, std::string(), PG_VERDICT_ALLOW, PG_SRC_EXEMPT, 0,
                  PG_EVF_INTERPRETER, false);
        return;
    }
    uint32_t uid = 0;
    m_table.uidOf(pid, &uid);
    const std::string parentImage = ppid != 0 ? m_table.imageOf(ppid) : std::string();
    const pg_policy &pol = m_policy.policy();
    const bool monitor = pol.mode == PG_MODE_MONITOR;
    if (m_stopping) {
        decideNow(fd, pid, ppid, uid, loader, parentImage, PG_VERDICT_ALLOW, PG_SRC_STOP, 0,
                  PG_EVF_INTERPRETER, false);
        return;
    }
    if (!m_freezer.available()) {
        // The program it names is known only after the exec; without a
        // freezer it would run first.
        if (!m_warnedNoCgroupLoader) {
            PG_LOG_WARN("programs run through their ELF interpreter need cgroup v2 to be held "
                        "after the exec; they are refused");
            m_warnedNoCgroupLoader = true;
        }
        decideNow(fd, pid, ppid, uid, loader, parentImage,
                  monitor ? PG_VERDICT_ALLOW : PG_VERDICT_BLOCK, PG_SRC_MODE, 0,
                  static_cast<uint16_t>(PG_EVF_INTERPRETER | (monitor ? PG_EVF_WOULD_BLOCK : 0)),
                  false);
        return;
    }
    const uint8_t def = monitor ? PG_VERDICT_ALLOW : PG_VERDICT_BLOCK;
    const uint32_t timeout =
        pol.timeout_ms == 0 ? kLoaderMaxWaitMs : std::min(pol.timeout_ms, kLoaderMaxWaitMs);
    uint64_t holdId = 0;
    if (pg_pending_add(&m_pending, pid, monotonicMs(), timeout, pol.hold_budget_ms, def, nullptr,
                       &holdId) != PG_OK) {
        decideNow(fd, pid, ppid, uid, loader, parentImage, def, PG_SRC_OVERLOAD, 0,
                  PG_EVF_INTERPRETER, false);
        return;
    }
    HeldStart &h = m_holds[holdId];
    h.holdId = holdId;
    h.pid = pid;
    h.ppid = ppid;
    h.uid = uid;
    h.defaultVerdict = def;
    h.image = loader;
    h.parentImage = parentImage;
    h.person = false;
    h.loaderRun = true;
    h.eventFlags = PG_EVF_INTERPRETER;
    std::string error;
    if (!m_freezer.freeze(holdId, pid, &h.cgroup, &error)) {
        m_holds.erase(holdId);
        pg_pending_entry out;
        pg_pending_resolve(&m_pending, holdId, def, PG_SRC_MODE, &out);
        decideNow(fd, pid, ppid, uid, loader, parentImage, def, PG_SRC_MODE, 0, PG_EVF_INTERPRETER,
                  false);
        PG_LOG_WARN("cannot freeze pid %u running %s (%s); blocked", pid, loader.c_str(),
                    error.c_str());
        return;
    }
    // Frozen first, allowed second (as for a command-line hold).
    m_gate.respond(fd, true);
    ::close(fd);
    h.frozen = true;
    h.awaitingCmdline = true;
    h.sinceMs = monotonicMs();
    m_cmdlineWaits[pid] = holdId;
    PG_LOG_DEBUG("hold %llu: pid %u runs the loader %s; frozen until its program is known",
                 static_cast<unsigned long long>(holdId), pid, loader.c_str());
    rearmTimer();
}

bool Daemon::examineLoaderProgram(uint32_t pid, StartFacts *st, int *programFd, const char **why)
{
    *programFd = -1;
    std::vector<std::string> argv;
    if (!ProcFs::argv(pid, 64 * 1024, &argv)) {
        *why = "it is gone";
        return false;
    }
    std::string program;
    const LoaderCommand::Kind kind = LoaderCommand::program(argv, &program);
    bool replaceable = true;
    int fd = -1;
    switch (kind) {
    case LoaderCommand::Kind::UnknownOption:
        PG_LOG_INFO("pid %u runs the ELF interpreter with an option it does not know (%s)", pid,
                    program.c_str());
        *why = "unknown loader option";
        return false;
    case LoaderCommand::Kind::NoProgram:
        // "ld.so --version": the loader runs alone and is decided as itself.
        fd = ::open(("/proc/" + std::to_string(pid) + "/exe").c_str(), O_RDONLY | O_CLOEXEC);
        replaceable = false;
        break;
    case LoaderCommand::Kind::Program:
        fd = openAsSeenBy(pid, program, &replaceable);
        break;
    }
    if (fd < 0) {
        *why = "the program it names cannot be opened";
        return false;
    }
    st->image = ProcFs::fdPath(fd);
    if (m_policy.hasGroupRules()) {
        ProcFs::Status status;
        if (ProcFs::readStatus(pid, &status)) {
            st->facts.gids.push_back(status.gid);
            st->facts.gids.insert(st->facts.gids.end(), status.groups.begin(), status.groups.end());
        }
    }
    checkIdentity(fd, st);
    m_untrustedFds.erase(fd); // st->facts.pathFlags carries it
    if (replaceable || st->facts.pathFlags != 0) {
        // Its digest would say nothing about the file the loader opens.
        st->facts.shaKnown = true;
        st->facts.sha.clear();
        st->facts.packageKnown = true;
        st->facts.package.clear();
        st->digests.flags |= PG_EVF_NO_DIGEST;
    }
    *programFd = fd;
    return true;
}

void Daemon::decideLoaderRun(uint64_t holdId, bool execDone)
{
    auto it = m_holds.find(holdId);
    if (it == m_holds.end() || !it->second.awaitingCmdline)
        return;
    HeldStart &h = it->second;
    const std::string exe = ProcFs::exePath(h.pid);
    if (!execDone && exe != h.image)
        return; // the exec has not completed yet
    h.awaitingCmdline = false;
    m_cmdlineWaits.erase(h.pid);
    if (!exe.empty() && exe != h.image) {
        // Not a run of the loader after all (a thread we could not tell
        // apart): the exec was of a program whose own event decided it.
        pg_pending_entry out;
        if (pg_pending_resolve(&m_pending, holdId, PG_VERDICT_ALLOW, PG_SRC_RULE, &out) == PG_OK) {
            m_freezer.release(h.cgroup, h.pid);
            m_holds.erase(it);
        }
        return;
    }
    StartFacts st;
    st.ppid = h.ppid;
    st.uid = h.uid;
    st.parentImage = h.parentImage;
    int fd = -1;
    const char *why = "";
    if (exe.empty() || !examineLoaderProgram(h.pid, &st, &fd, &why)) {
        h.ruleId = 0;
        PG_LOG_DEBUG("hold %llu: pid %u runs the loader: %s",
                     static_cast<unsigned long long>(holdId), h.pid, why);
        resolveHold(holdId, PG_VERDICT_BLOCK, PG_SRC_MODE);
        return;
    }
    h.image = st.image;
    h.pathFlags = st.facts.pathFlags;
    if (!matchExamined(fd, &st)) {
        const uint64_t job = m_digests.request(fd, st.digests.version, st.digests.missing);
        if (job != 0) {
            // Decided by resumeDigestHold when the digest is in.
            h.awaitingDigest = true;
            h.digestJob = job;
            h.eventFlags |= PG_EVF_DIGEST_WAIT;
            st.digests.flags |= PG_EVF_DIGEST_WAIT;
            st.digests.fd = fd;
            m_digestHolds[holdId] = std::move(st);
            return;
        }
        st.digests.failed |= st.digests.missing;
        st.digests.flags |= PG_EVF_NO_DIGEST;
        m_digests.countUnknown();
        matchExamined(fd, &st);
    }
    ::close(fd);
    const Outcome o = ladder(st, PG_EVF_INTERPRETER);
    h.ruleId = o.ruleId;
    h.eventFlags |= o.flags;
    resolveHold(holdId, o.verdict, o.source);
}
