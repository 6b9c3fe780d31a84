// Daemon.cpp - procguardd's event loop and decisions. See Daemon.h.
//
// How a start is gated, and what the launcher sees
// -------------------------------------------------
// execve() opens the new program with FMODE_EXEC; our FAN_OPEN_EXEC_PERM
// filesystem mark makes the kernel stop the exec-ing task until we write a
// response for the event's fd. A FAN_DENY makes execve() fail with EPERM
// (a shell prints "Operation not permitted"). Until we answer, the
// launcher waits as well: a vfork/posix_spawn parent is released only
// when the child's exec completes.
//
// So a start that waits for a person holds its launcher for at most the
// policy's hold budget. When the budget passes without a verdict, the
// exec-ing process is moved into a frozen cgroup v2 of its own (see
// FreezeCgroup.h) and only then allowed: the launcher returns, the new
// program stays frozen before its first instruction. The launcher-visible
// semantics are therefore:
//   blocked within the budget  -> execve() fails with EPERM;
//   blocked after the budget   -> execve() succeeded, and the process is
//                                 killed with SIGKILL (wait status
//                                 "killed by signal 9") before it ran.
// Without cgroup v2 the launcher stays held until the verdict or timeout.
//
// Deadlocks this file is written to avoid
// ---------------------------------------
// * The daemon's own opens. An open() by any thread of ours on a gated
//   filesystem raises a permission event for our group, and only the
//   main thread reads the group. If the main thread opened such a file it
//   would wait for itself forever. So after the marks exist the main
//   thread opens nothing but /proc, cgroupfs and sockets (none gated) -
//   a stat() raises no permission event, so FileIdentity may stat; the
//   policy and budget-use files are written by PolicyWriter threads, whose
//   events carry our pid and are allowed at once, without any lookup.
// * fork/exec. Never done: a child of ours exec-ing while the main thread
//   waits for that very child would hang, and a forked child would share
//   the fanotify group.
// * Waiting on clients. Clients are nonblocking; a client that does not
//   read loses events, it never stalls a permission response.
// * Every hold ends: by verdict, by deadline (timerfd), on controller
//   disconnect, or at stop. "No limit" (timeout 0) still ends on the last
//   two.
// * Answer first. Every permission event is answered before anything is
//   logged or queued, because logging may block on a full stderr pipe.
#include "Daemon.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/fanotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "ElfProbe.h"
#include "ExecOrigin.h"
#include "Log.h"
#include "ProcFs.h"
#include "ProcScanner.h"
#include "pg_ecs.h"

namespace
{

constexpr uint64_t kTagFanotify = 1;
constexpr uint64_t kTagConnector = 2;
constexpr uint64_t kTagListen = 3;
constexpr uint64_t kTagSignal = 4;
constexpr uint64_t kTagTimer = 5;
constexpr uint64_t kTagPoll = 6;
constexpr uint64_t kTagClock = 7;         // realtime: schedules, expiry, budgets (DaemonTime.cpp)
constexpr uint64_t kTagDigests = 8;       // the digest pool finished jobs (DaemonDigests.cpp)
constexpr uint64_t kTagMounts = 9;        // /proc/self/mountinfo changed (MountWatch)
constexpr uint64_t kTagSentryListen = 10; // procguard-sentry connects (SentryChannel.h)
constexpr uint64_t kTagSentryConn = 11;   // its end closed (it never writes)
constexpr uint64_t kTagBpf = 12;          // the BPF process-facts ring (DaemonProcFacts.cpp)
constexpr uint64_t kTagPolicyDir = 13;    // the policy directory changed (DaemonManaged.cpp)

constexpr uint32_t kHoldCapacity = 1024;
constexpr int kPollIntervalMs = 500;
constexpr uint64_t kReapRetryMs = 200;
constexpr uint64_t kCmdlinePollMs = 20;    // first look at a frozen start's command line
constexpr uint64_t kCmdlineForceMs = 1000; // then read it even if the exec looks unfinished
constexpr int kAncestryDepth = 128;

uint64_t monotonicMs()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}

uint64_t realtimeNs()
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

const char *verdictName(uint8_t v)
{
    return v == PG_VERDICT_ALLOW ? "allow" : v == PG_VERDICT_BLOCK ? "block" : "none";
}

const char *sourceName(uint8_t s)
{
    static const char *const names[] = {"none", "rule",      "client", "timeout", "disconnect",
                                        "stop", "no-client", "mode",   "exempt",  "overload"};
    return s <= PG_SRC_MAX ? names[s] : "?";
}

const char *modeName(uint32_t m)
{
    return m == PG_MODE_MONITOR ? "monitor" : m == PG_MODE_PROMPT ? "prompt" : "lockdown";
}

std::string flagNames(uint16_t f)
{
    std::string out;
    for (unsigned i = 0; i < 16; ++i) {
        const uint16_t bit = static_cast<uint16_t>(1u << i);
        const char *name = (f & bit) != 0 ? pg_event_flag_name(bit) : nullptr;
        if (name != nullptr) {
            if (!out.empty())
                out += ",";
            out += name;
        }
    }
    return out.empty() ? "-" : out;
}

// Copies a fixed-size record out of a message buffer that may not be
// aligned for it.
template <typename T> T readAt(const uint8_t *p)
{
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

} // namespace

Daemon::Daemon(const Options &options)
    : m_options(options), m_selfPid(static_cast<uint32_t>(getpid())), m_startMs(monotonicMs()),
      m_pendingEntries(kHoldCapacity)
{
    std::memset(&m_pending, 0, sizeof m_pending);
}

Daemon::~Daemon()
{
    for (int fd : {m_epoll, m_signalFd, m_timerFd, m_pollTimerFd, m_clockFd}) {
        if (fd >= 0)
            ::close(fd);
    }
}

// ---------------------------------------------------------------------
// Start and stop
// ---------------------------------------------------------------------

bool Daemon::init(int *exitCode)
{
    *exitCode = 1;
    if (geteuid() != 0) {
        std::fprintf(stderr, "procguardd: must run as root (fanotify permission events and the "
                             "proc connector need it).\n");
        return false;
    }
    umask(077);

    // Signals: handled through signalfd in the loop. Blocked before any
    // thread exists so that the writer thread inherits the mask.
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    signal(SIGPIPE, SIG_IGN);

    std::string error;
    if (!m_gate.open(&error)) {
        std::fprintf(stderr, "procguardd: %s\n", error.c_str());
        return false;
    }

    // Everything that opens files on ordinary filesystems happens here,
    // BEFORE the first mark (see the deadlock notes at the top).
    if (mkdir(m_options.m_stateDir.c_str(), 0700) != 0 && errno != EEXIST) {
        std::fprintf(stderr, "procguardd: cannot create the state directory %s: %s.\n",
                     m_options.m_stateDir.c_str(), std::strerror(errno));
        return false;
    }
    const std::string policyPath = m_options.m_stateDir + "/policy.bin";
    // Zone and boot id first: which rules are in force depends on them.
    initTime();
    std::string why;
    bool missing = false;
    if (m_policy.load(policyPath, &why, &missing)) {
        PG_LOG_INFO("policy loaded from %s: mode %s, default %s, %u rule(s), generation %llu",
                    policyPath.c_str(), modeName(m_policy.policy().mode),
                    verdictName(static_cast<uint8_t>(m_policy.policy().default_verdict)),
                    m_policy.policy().rule_count,
                    static_cast<unsigned long long>(m_policy.generation()));
    } else if (missing && !m_options.m_defaultPolicy.empty()) {
        // First start (or the state was wiped): the packaged default. It
        // is persisted only when a client changes the policy, so editing
        // the default still takes effect until then.
        bool defaultMissing = false;
        std::string whyDefault;
        if (m_policy.load(m_options.m_defaultPolicy, &whyDefault, &defaultMissing))
            PG_LOG_INFO("no saved policy; default policy loaded from %s: mode %s, %u rule(s)",
                        m_options.m_defaultPolicy.c_str(), modeName(m_policy.policy().mode),
                        m_policy.policy().rule_count);
        else
            PG_LOG_ERROR("%s; starting with the built-in policy (monitor, allow)",
                         whyDefault.c_str());
    } else if (missing) {
        PG_LOG_INFO("no saved policy (%s); starting in monitor mode", why.c_str());
    } else {
        PG_LOG_ERROR("%s; starting with the default policy (monitor, allow)", why.c_str());
    }
    // In-memory programs: the value to restore is recorded in the state
    // directory now, before the marks (afterPolicyChange below applies it).
    m_memfd.init(m_options.m_memfdNoexec, m_options.m_stateDir);
    m_interpreters.collect();
    for (const std::string &loader : m_options.m_loaders) {
        if (!m_interpreters.add(loader)) {
            std::fprintf(stderr, "procguardd: --loader %s: not a file.\n", loader.c_str());
            return false;
        }
    }
    // Which execs are in scope for the unseen-exec check (DaemonUnseen.cpp).
    for (const std::string &path : m_options.m_watch) {
        char resolved[PATH_MAX];
        m_scopeRoots.push_back(realpath(path.c_str(), resolved) != nullptr ? resolved : path);
    }
    // How "ld.so prog" is caught (ExecOrigin.h): at the loader's exec where
    // the kernel shows task stacks, so that no plain open reaches us.
    const bool stacks = ExecOrigin::available();
    if (m_options.m_loaderGuard == Options::LoaderGuard::Stack && !stacks) {
        std::fprintf(stderr, "procguardd: --loader-guard stack: this kernel does not show "
                             "task stacks in /proc/PID/stack.\n");
        return false;
    }
    m_loaderGuard = m_options.m_loaderGuard == Options::LoaderGuard::Opens || !stacks
                        ? LoaderGuard::Opens
                        : LoaderGuard::Stack;
    m_gate.watchPlainOpens(m_loaderGuard == LoaderGuard::Opens);
    PG_LOG_INFO("programs run through their ELF interpreter are caught %s",
                m_loaderGuard == LoaderGuard::Stack
                    ? "at the interpreter's exec (plain opens are not watched)"
                    : "by watching every plain open on the gated filesystems");
    // File identity: the mount tables whose paths mean the same files as
    // ours (FileIdentity.h), while our parent is still the one that
    // started us.
    m_identityFs.load(static_cast<uint32_t>(getppid()));
    m_server.init(m_options.m_group);
    if (!m_freezer.init(m_selfPid))
        PG_LOG_WARN("no usable cgroup v2: starts past the hold budget keep their launcher "
                    "waiting until the verdict");
    m_table.replaceAll(ProcScanner::scanAll());
    PG_LOG_INFO("%zu processes in the initial snapshot", m_table.size());

    pg_pending_init(&m_pending, m_pendingEntries.data(), kHoldCapacity,
                    (static_cast<uint64_t>(time(nullptr)) << 20) | 1u);

    m_writer = std::make_unique<PolicyWriter>(policyPath);
    m_writer->start();
    // SIEM sinks: their thread opens the file and sockets (like the writer's).
    m_eventSinks.start(m_options.m_events);
    m_eventSinks.policyChanged(m_policy.replyBytes(0, PG_PROTOCOL_VERSION));
    // The managed layer (policy files) is read now, before the marks.
    if (!initManaged(&error)) {
        std::fprintf(stderr, "procguardd: %s\n", error.c_str());
        return false;
    }
    // The package index is read on its own thread (its opens are allowed
    // like the writer's); built now only when a rule needs it.
    m_packages = std::make_unique<PackageIndex>(m_options.m_dpkgInfoDir);
    m_packages->start();
    if (m_policy.hasKind(PG_RULE_PACKAGE))
        m_packages->rebuild();
    // The saved digest cache is read now, before the marks.
    {
        ImageDigests::Config dc;
        dc.savePath = m_options.m_stateDir + "/digests";
        dc.maxBytes = m_options.m_digestMaxBytes;
        std::string warning;
        if (!m_digests.start(dc, &error, &warning)) {
            std::fprintf(stderr, "procguardd: %s\n", error.c_str());
            return false;
        }
        if (!warning.empty())
            PG_LOG_WARN("%s", warning.c_str());
        PG_LOG_INFO("digest cache: %zu digest(s) remembered; files over %llu bytes are not hashed",
                    m_digests.cacheSize(),
                    static_cast<unsigned long long>(m_options.m_digestMaxBytes));
    }
    // Expired rules are dropped (and the file rewritten) now; budgets
    // start counting what already runs.
    afterPolicyChange(static_cast<int64_t>(realtimeNs() / 1000000));
    budgetStartSaving();
    // Starts a previous run left frozen (it crashed or was killed) get
    // the verdict of the policy in force, before anything new is gated.
    decideOrphans();

    // Process facts before the marks too: loading BPF reads the kernel's
    // BTF, and a failure here changes how we watch processes.
    if (!openProcessFacts(&error)) {
        std::fprintf(stderr, "procguardd: %s\n", error.c_str());
        return false;
    }

    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_signalFd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    m_timerFd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_epoll < 0 || m_signalFd < 0 || m_timerFd < 0) {
        std::fprintf(stderr, "procguardd: cannot set up the event loop: %s.\n",
                     std::strerror(errno));
        return false;
    }
    auto add = [this](int fd, uint64_t tag) {
        struct epoll_event ev;
        std::memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN;
        ev.data.u64 = tag;
        return epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) == 0;
    };
    add(m_gate.fd(), kTagFanotify);
    add(m_signalFd, kTagSignal);
    add(m_timerFd, kTagTimer);
    add(m_digests.notifyFd(), kTagDigests);
    if (m_clockFd >= 0)
        add(m_clockFd, kTagClock);
    if (m_policyDir)
        add(m_policyDir->notifyFd(), kTagPolicyDir);
    if (m_useBpf) {
        add(m_bpf.fd(), kTagBpf);
    } else if (m_useConnector) {
        add(m_connector.fd(), kTagConnector);
    } else {
        m_pollTimerFd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        struct itimerspec its;
        std::memset(&its, 0, sizeof its);
        its.it_value.tv_nsec = kPollIntervalMs * 1000000L;
        its.it_interval.tv_nsec = kPollIntervalMs * 1000000L;
        timerfd_settime(m_pollTimerFd, 0, &its, nullptr);
        add(m_pollTimerFd, kTagPoll);
    }

    // Filesystems mounted later are gated as they appear: the table as it
    // is now counts as seen (realpath of the --watch paths happens here,
    // before the marks).
    std::vector<MountWatch::Mount> below;
    if (m_mounts.open(m_options.m_watch, &below, &error)) {
        struct epoll_event ev;
        std::memset(&ev, 0, sizeof ev);
        ev.events = EPOLLPRI; // not EPOLLIN: mountinfo is always readable
        ev.data.u64 = kTagMounts;
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_mounts.fd(), &ev);
    } else {
        PG_LOG_WARN("%s: filesystems mounted after start are not gated", error.c_str());
    }

    // Marks. From here on the main thread must keep the fanotify queue
    // drained, which it does as soon as run() enters the loop.
    int marked = m_gate.markFilesystems(m_options.m_watch, &error);
    if (marked < 0) {
        std::fprintf(stderr, "procguardd: %s\n", error.c_str());
        return false;
    }
    if (marked == 0) {
        std::fprintf(stderr, "procguardd: no filesystem could be gated.\n");
        return false;
    }
    // --watch PATH covers what is mounted below PATH too; those marks, and
    // every later one, are placed by the marker thread (see MountWatch.h).
    m_mounts.start([this](const std::string &path, std::string *markError) {
        return m_gate.markFilesystemAt(path, markError);
    });
    m_mounts.queue(below);

    // The socket last: a client that can connect may rely on the gate.
    if (!m_server.listen(m_options.m_socketPath, &error)) {
        std::fprintf(stderr, "procguardd: %s\n", error.c_str());
        return false;
    }
    add(m_server.fd(), kTagListen);
    // The sentry's socket: a sentry that connects holds the gate while we
    // are down (crash, kill -9); a clean stop releases it.
    if (!m_options.m_sentrySocket.empty()) {
        if (m_sentry.listen(m_options.m_sentrySocket, &error))
            add(m_sentry.listenFd(), kTagSentryListen);
        else
            PG_LOG_WARN("%s The gate will not hold while procguardd is down.", error.c_str());
    }
    rearmTimer();
    *exitCode = 0;
    return true;
}

int Daemon::run()
{
    int exitCode = 1;
    if (!init(&exitCode)) {
        // Close the group first: the kernel then allows whatever waits.
        m_mounts.stop();
        m_gate.close();
        m_memfd.stop();
        m_server.close();
        if (m_writer)
            m_writer->stop();
        if (m_budgetWriter)
            m_budgetWriter->stop();
        if (m_packages)
            m_packages->stop();
        m_digests.stop();
        return exitCode;
    }
    PG_LOG_INFO("procguardd: ready (pid %u, mode %s, socket %s, process facts: %s; programs run "
                "from memory: %s)",
                m_selfPid, modeName(m_policy.policy().mode), m_options.m_socketPath.c_str(),
                factSourceName(), m_memfd.describe().c_str());

    struct epoll_event events[64];
    while (!m_stopping) {
        int n = epoll_wait(m_epoll, events, 64, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            PG_LOG_ERROR("epoll_wait: %s", std::strerror(errno));
            break;
        }
        // Permission events first: each one is a task waiting for us. The
        // BPF ring is drained just before (no syscall; DaemonProcFacts.cpp)
        // so that parents and their images are as fresh as the kernel's.
        for (int i = 0; i < n; ++i) {
            if (events[i].data.u64 == kTagFanotify) {
                if (m_useBpf)
                    onBpfReadable(true);
                onFanotifyReadable();
            }
        }
        for (int i = 0; i < n && !m_stopping; ++i) {
            uint64_t tag = events[i].data.u64;
            switch (tag) {
            case kTagFanotify:
                break;
            case kTagConnector: {
                ProcConnector::Handlers h;
                h.onFork = [this](uint32_t p, uint32_t c) { onFork(p, c); };
                h.onExec = [this](uint32_t p) { onExecEvent(p); };
                h.onExit = [this](uint32_t p, uint32_t s) { onExitEvent(p, s); };
                h.onLost = [this] {
                    ++m_lostConnectorMessages;
                    m_needResync = true;
                };
                m_connector.readAll(h);
                if (m_needResync)
                    resync(true);
                break;
            }
            case kTagBpf:
                onBpfReadable(false);
                break;
            case kTagListen:
                onAccept();
                break;
            case kTagSentryListen:
                onSentryAccept();
                break;
            case kTagSentryConn:
                epoll_ctl(m_epoll, EPOLL_CTL_DEL, m_sentry.connectionFd(), nullptr);
                m_sentry.dropConnection();
                PG_LOG_WARN("the sentry went away: the gate will not hold while procguardd is "
                            "down until it is back");
                break;
            case kTagSignal: {
                struct signalfd_siginfo si;
                while (::read(m_signalFd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
                    if (si.ssi_signo == SIGHUP) {
                        PG_LOG_INFO("SIGHUP: %zu held, %zu client(s), mode %s; resyncing",
                                    m_holds.size(), m_clients.size(),
                                    modeName(m_policy.policy().mode));
                        resync(false);
                        if (m_policyDir)
                            m_policyDir->requestReload();
                    } else {
                        PG_LOG_INFO("signal %u: stopping", si.ssi_signo);
                        m_stopping = true;
                    }
                }
                break;
            }
            case kTagTimer:
                onTimer();
                break;
            case kTagClock:
                onClockTimer();
                break;
            case kTagDigests:
                onDigestsReady();
                break;
            case kTagPolicyDir:
                onPolicyDirChanged();
                break;
            case kTagMounts:
                m_mounts.onChange();
                m_mounts.checkStuck(monotonicMs());
                break;
            case kTagPoll: {
                uint64_t ticks;
                if (::read(m_pollTimerFd, &ticks, sizeof ticks) > 0)
                    resync(false);
                break;
            }
            default:
                onClientEvent(tag, events[i].events);
                break;
            }
        }
        serviceClients();
        m_digests.save(static_cast<int64_t>(monotonicMs()), false);
    }
    shutdown();
    return 0;
}

void Daemon::shutdown()
{
    // 1. Every hold gets the default verdict now (launchers answered,
    //    frozen processes thawed or killed).
    pg_pending_resolve_all(&m_pending, PG_SRC_STOP, &Daemon::pendingResolved, this);
    flushDigestReports();
    // 2. Whatever waits in the queue is decided without holding.
    onFanotifyReadable();
    // 3. Tell the clients, best effort, without waiting.
    serviceClients();
    // 4. Remove the socket, tell the sentry to let go (a clean stop hands
    //    the machine back), then close the group: the kernel allows any
    //    permission event that raced in after step 2.
    m_server.close();
    m_mounts.stop(); // before the group closes: the marker uses its fd
    m_sentry.release();
    m_sentry.close();
    m_gate.close();
    m_connector.close();
    m_bpf.close(); // detaches the programs; nothing was pinned
    // In-memory programs run again once nothing is gated; the record in
    // the state directory is removed (the group is closed: no deadlock).
    m_memfd.stop();
    // 5. Only now join the writer: with the group closed its opens cannot
    //    wait for us any more.
    if (m_writer)
        m_writer->stop();
    m_eventSinks.stop(); // what is queued, within its own bound
    stopManaged();
    budgetSaveAtStop();
    if (m_packages)
        m_packages->stop();
    m_digests.stop(); // the last save of the digest cache, then the pool
    m_freezer.stop();
    m_clients.clear();
    PG_LOG_INFO("procguardd: stopped");
}

// ---------------------------------------------------------------------
// fanotify
// ---------------------------------------------------------------------

void Daemon::onFanotifyReadable()
{
    alignas(struct fanotify_event_metadata) unsigned char buf[64 * 1024];
    for (int round = 0; round < 64; ++round) {
        ssize_t n = ::read(m_gate.fd(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                PG_LOG_ERROR("fanotify read: %s", std::strerror(errno));
            return;
        }
        size_t len = static_cast<size_t>(n);
        size_t off = 0;
        while (off + sizeof(struct fanotify_event_metadata) <= len) {
            struct fanotify_event_metadata meta;
            std::memcpy(&meta, buf + off, sizeof meta);
            if (meta.event_len < sizeof meta || off + meta.event_len > len)
                break;
            if (meta.vers != FANOTIFY_METADATA_VERSION) {
                // Cannot happen with the headers we were built with; if it
                // does, answering is impossible to do safely: give up the
                // gate (closing it allows every waiter) rather than hang.
                PG_LOG_ERROR("fanotify metadata version %u unsupported", meta.vers);
                m_stopping = true;
                return;
            }
            handleGateEvent(meta);
            off += meta.event_len;
        }
    }
}

void Daemon::handleGateEvent(const struct fanotify_event_metadata &meta)
{
    if ((meta.mask & FAN_Q_OVERFLOW) != 0) {
        PG_LOG_WARN("fanotify queue overflow (should not happen with an unlimited queue)");
        return;
    }
    if (meta.fd < 0)
        return;
    const int fd = meta.fd;
    const uint32_t pid = static_cast<uint32_t>(meta.pid);
    const bool isExec = (meta.mask & FAN_OPEN_EXEC_PERM) != 0;
    const bool isPerm = (meta.mask & (FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM)) != 0;
    if (!isPerm) {
        ::close(fd);
        return;
    }
    // Our own opens (the policy writer thread) and execs: allowed at once,
    // with no lookup at all - see "The daemon's own opens" above.
    if (pid == m_selfPid) {
        m_gate.respond(fd, true);
        ::close(fd);
        return;
    }
    if (isExec)
        handleExec(fd, pid);
    else
        handleOpen(fd, pid);
}

bool Daemon::isExempt(uint32_t pid) const
{
    if (pid == 1 || pid == m_selfPid)
        return true;
    if (m_controllerId != 0 && m_controllerPid != 0 &&
        m_table.isSelfOrDescendantOf(pid, m_controllerPid, kAncestryDepth))
        return true;
    return false;
}

bool Daemon::examineStart(int fd, uint32_t pid, uint16_t flags, StartFacts *st)
{
    st->image = ProcFs::fdPath(fd);
    st->ppid = m_table.parentOf(pid);
    m_untrustedFds.erase(fd); // a fd number of an earlier, decided event
    if (isExempt(pid)) {
        decideNow(fd, pid, st->ppid, 0, st->image, std::string(), PG_VERDICT_ALLOW, PG_SRC_EXEMPT,
                  0, flags, false);
        return false;
    }
    m_table.uidOf(pid, &st->uid);
    // At exec-permission time pid still runs its old image: the parent
    // of the new program is the launcher, pid's parent.
    st->parentImage = st->ppid != 0 ? m_table.imageOf(st->ppid) : std::string();
    if (m_policy.hasGroupRules()) {
        ProcFs::Status status;
        if (ProcFs::readStatus(pid, &status)) {
            st->facts.gids.push_back(status.gid);
            st->facts.gids.insert(st->facts.gids.end(), status.groups.begin(), status.groups.end());
        }
    }
    checkIdentity(fd, st);
    return true;
}

bool Daemon::matchExamined(int fd, StartFacts *st)
{
    st->digests.missing = 0;
    st->matched = matchStart(fd, st->image, st->parentImage, st->uid, nullptr, &st->facts,
                             &st->match, &st->digests);
    if (st->digests.missing != 0)
        return false;
    // An unconditional allow that no conditional rule could override for
    // this file: the kernel may remember it (ignore mark).
    // Never for a file whose path is not its own: the cache is keyed by
    // file, and this file was not allowed for what it is.
    st->cacheable = st->matched && st->match.action == PG_VERDICT_ALLOW && !st->match.conditional &&
                    st->match.needs == 0 && st->facts.pathFlags == 0 &&
                    pg_rule_cache_has_conditional_for(&m_policy.cache(), st->image.c_str(),
                                                      st->image.size()) == 0;
    return true;
}

Daemon::Outcome Daemon::ladder(const StartFacts &st, uint16_t startFlags) const
{
    const pg_match_result &match = st.match;
    const bool matched = st.matched;
    const uint32_t mode = m_policy.policy().mode;
    const uint16_t digestFlags = st.digests.flags;
    Outcome o;
    o.cacheable = st.cacheable;
    o.ruleId = match.rule_id;
    if ((startFlags & PG_EVF_INTERPRETER) != 0) {
        // "ld-linux.so /path/prog": decided by rules only (nobody is
        // asked: the loader has no launcher semantics to hold, and in
        // prompt mode the panel would see a confusing second request).
        const bool ruleAllows = matched && match.action == PG_VERDICT_ALLOW;
        const bool monitor = mode == PG_MODE_MONITOR;
        o.flags = static_cast<uint16_t>(PG_EVF_INTERPRETER | digestFlags);
        if (monitor && !ruleAllows)
            o.flags |= PG_EVF_WOULD_BLOCK;
        o.verdict = monitor || ruleAllows ? PG_VERDICT_ALLOW : PG_VERDICT_BLOCK;
        o.source = monitor ? (ruleAllows ? PG_SRC_RULE : PG_SRC_MODE)
                           : (matched ? PG_SRC_RULE : PG_SRC_MODE);
        return o;
    }
    if (mode == PG_MODE_MONITOR) {
        // Monitor never holds, so a CMDLINE rule is not waited for: the
        // answer (and "would block") is the one known at exec time.
        const bool wouldBlock = !matched || match.action == PG_VERDICT_BLOCK;
        o.verdict = PG_VERDICT_ALLOW;
        o.source = matched && !wouldBlock ? PG_SRC_RULE : PG_SRC_MODE;
        o.flags = static_cast<uint16_t>((wouldBlock ? PG_EVF_WOULD_BLOCK : 0) | digestFlags);
        return o;
    }
    o.flags = digestFlags;
    if ((match.needs & PG_FACT_CMDLINE) != 0 && !m_stopping) {
        o.kind = Outcome::Kind::CmdlineHold;
        return o;
    }
    if (matched && match.action != PG_VERDICT_ASK) {
        o.verdict = match.action;
        o.source = PG_SRC_RULE;
        return o;
    }
    if (!matched && mode == PG_MODE_LOCKDOWN) {
        o.verdict = PG_VERDICT_BLOCK;
        o.source = PG_SRC_MODE;
        o.ruleId = 0;
        o.cacheable = false;
        return o;
    }
    // Prompt mode without a rule, or an ASK rule in prompt or lockdown.
    o.kind = Outcome::Kind::AskPerson;
    o.ruleId = matched ? match.rule_id : 0;
    return o;
}

void Daemon::decideExamined(int fd, uint32_t pid, StartFacts &&st, const Outcome &o)
{
    switch (o.kind) {
    case Outcome::Kind::Decide:
        decideNow(fd, pid, st.ppid, st.uid, st.image, st.parentImage, o.verdict, o.source, o.ruleId,
                  o.flags, o.cacheable);
        return;
    case Outcome::Kind::CmdlineHold:
        startCmdlineHold(fd, pid, st.ppid, st.uid, st.image, st.parentImage, std::move(st.facts),
                         st.match);
        return;
    case Outcome::Kind::AskPerson:
        askPerson(fd, pid, st.ppid, st.uid, st.image, st.parentImage, o.ruleId);
        return;
    }
}

void Daemon::checkIdentity(int fd, StartFacts *st)
{
    // Three stat-class calls, no open (see FileIdentity.h): the main
    // thread may make them while permission events wait.
    const FileIdentity::Trust trust = FileIdentity::decide(m_identityFs, fd, st->image);
    if (trust != FileIdentity::Trust::Trusted) {
        st->facts.pathFlags |= PG_PATH_IMAGE_UNTRUSTED;
        m_untrustedFds[fd] = trust;
    }
    // The launcher's path decides only parent conditions: checked only
    // when some rule has one.
    if (!st->parentImage.empty() && m_policy.hasParentRules() &&
        FileIdentity::decideProcess(m_identityFs, st->ppid, st->parentImage) !=
            FileIdentity::Trust::Trusted)
        st->facts.pathFlags |= PG_PATH_PARENT_UNTRUSTED;
}

void Daemon::handleExec(int fd, uint32_t pid)
{
    // The kernel reports the ELF interpreter of a dynamic program as a
    // second exec-open by the same task. It is not a start of its own. A
    // run of the interpreter itself is one, of the program it names
    // (DaemonLoader.cpp); with the opens guard such runs are caught in
    // handleOpen instead.
    if (m_interpreters.containsFile(fd)) {
        if (m_loaderGuard == LoaderGuard::Opens ||
            ExecOrigin::classify(pid) == ExecOrigin::Kind::Secondary) {
            m_gate.respond(fd, true);
            ::close(fd);
            return;
        }
        handleLoaderRun(fd, pid);
        return;
    }
    StartFacts st;
    if (!examineStart(fd, pid, 0, &st))
        return;
    if (!matchExamined(fd, &st)) {
        waitForDigest(fd, pid, 0, std::move(st));
        return;
    }
    const Outcome o = ladder(st, 0);
    decideExamined(fd, pid, std::move(st), o);
}

void Daemon::askPerson(int fd, uint32_t pid, uint32_t ppid, uint32_t uid, const std::string &image,
                       const std::string &parentImage, uint32_t ruleId)
{
    const uint8_t def = static_cast<uint8_t>(m_policy.policy().default_verdict);
    if (m_stopping) {
        decideNow(fd, pid, ppid, uid, image, parentImage, def, PG_SRC_STOP, ruleId, 0, false);
        return;
    }
    if (m_controllerId == 0) {
        decideNow(fd, pid, ppid, uid, image, parentImage, def, PG_SRC_NO_CLIENT, ruleId, 0, false);
        return;
    }
    startHold(fd, pid, ppid, uid, image, parentImage, ruleId);
}

bool Daemon::matchStart(int fd, const std::string &image, const std::string &parentImage,
                        uint32_t uid, const std::string *cmdline, HeldStart *facts,
                        pg_match_result *match, DigestState *digests)
{
    pg_match_input in;
    std::memset(&in, 0, sizeof in);
    in.image = image.c_str();
    in.image_len = image.size();
    in.parent_image = parentImage.empty() ? nullptr : parentImage.c_str();
    in.parent_len = parentImage.size();
    in.uid = uid;
    in.gids = facts->gids.empty() ? nullptr : facts->gids.data();
    in.gid_count = facts->gids.size();
    in.path_flags = facts->pathFlags; // FileIdentity: path rules may not decide
    if (cmdline != nullptr) {
        in.known |= PG_FACT_CMDLINE;
        in.cmdline = cmdline->c_str();
        in.cmdline_len = cmdline->size();
    }
    // Linux has no Authenticode: the signer is known to be absent, so a
    // SIGNER rule never matches and never leaves the answer waiting.
    in.known |= PG_FACT_SIGNER;
    in.signer = nullptr;
    const pg_rule_cache &rules = m_policy.cache();
    bool matched = false;
    // At most one round per fact: each round fills in what the last one
    // said was missing.
    for (int round = 0; round < 3; ++round) {
        if (facts->shaKnown) {
            in.known |= PG_FACT_SHA256;
            in.sha256_hex = facts->sha.empty() ? nullptr : facts->sha.c_str();
        }
        if (facts->packageKnown) {
            in.known |= PG_FACT_PACKAGE;
            in.package = facts->package.empty() ? nullptr : facts->package.c_str();
            in.package_len = facts->package.size();
        }
        std::memset(match, 0, sizeof *match);
        matched = pg_rule_cache_match(&rules, &in, match) != 0;
        const uint32_t missing = match->needs & ~static_cast<uint32_t>(PG_FACT_CMDLINE);
        if (missing == 0)
            break;
        if ((missing & PG_FACT_SHA256) != 0) {
            // Unknown (unreadable, too large): no digest rule can match.
            facts->shaKnown =
                imageDigest(fd, DigestAlgo::Sha256, digests, &facts->sha) != DigestAnswer::Pending;
        }
        if ((missing & PG_FACT_PACKAGE) != 0)
            packageFact(fd, image, facts, digests);
        // A digest must be computed first: the caller waits for it off
        // this thread, then matches again.
        if (digests != nullptr && digests->missing != 0)
            break;
    }
    return matched;
}

void Daemon::packageFact(int fd, const std::string &image, HeldStart *facts, DigestState *digests)
{
    facts->packageKnown = true;
    facts->package.clear();
    if (!m_packages)
        return;
    PackageIndex::Entry entry;
    PackageIndex::Lookup found = m_packages->lookup(image, &entry);
    // Merged /usr: dpkg may list /bin/x for what the kernel names /usr/bin/x.
    if (found == PackageIndex::Lookup::NotListed && image.rfind("/usr/", 0) == 0)
        found = m_packages->lookup(image.substr(4), &entry);
    if (found == PackageIndex::Lookup::NotReady) {
        // Never wait for the index here: the start is treated as "not from
        // a package", and that is said in the log.
        if (m_packageNotReadyLogged++ % 100 == 0)
            PG_LOG_WARN("package index not ready yet: %s counts as not installed by a package "
                        "(%llu such decision(s) so far)",
                        image.c_str(), static_cast<unsigned long long>(m_packageNotReadyLogged));
        return;
    }
    if (found != PackageIndex::Lookup::Found)
        return;
    std::string md5;
    switch (imageDigest(fd, DigestAlgo::Md5, digests, &md5)) {
    case DigestAnswer::Pending:
        facts->packageKnown = false;
        return;
    case DigestAnswer::Unknown:
        return;
    case DigestAnswer::Known:
        break;
    }
    if (md5 == entry.md5)
        facts->package = entry.package;
    else
        PG_LOG_DEBUG("%s belongs to package %s but was modified", image.c_str(),
                     entry.package.c_str());
}

void Daemon::startCmdlineHold(int fd, uint32_t pid, uint32_t ppid, uint32_t uid,
                              const std::string &image, const std::string &parentImage,
                              HeldStart &&facts, const pg_match_result &provisional)
{
    const pg_policy &pol = m_policy.policy();
    const uint8_t def = static_cast<uint8_t>(pol.default_verdict);
    if (!m_freezer.available()) {
        // Without a freezer the command line cannot be seen before the
        // program runs: decide on what is known (the CMDLINE rules do not
        // apply) and say so once.
        if (!m_warnedNoCgroup) {
            PG_LOG_WARN("command-line rules need cgroup v2 to hold a program after its exec; "
                        "deciding without them");
            m_warnedNoCgroup = true;
        }
        if (provisional.rule_id != 0 && provisional.action != PG_VERDICT_ASK)
            decideNow(fd, pid, ppid, uid, image, parentImage, provisional.action, PG_SRC_RULE,
                      provisional.rule_id, 0, false);
        else if (provisional.rule_id == 0 && pol.mode == PG_MODE_LOCKDOWN)
            decideNow(fd, pid, ppid, uid, image, parentImage, PG_VERDICT_BLOCK, PG_SRC_MODE, 0, 0,
                      false);
        else
            askPerson(fd, pid, ppid, uid, image, parentImage, provisional.rule_id);
        return;
    }
    uint64_t holdId = 0;
    if (pg_pending_add(&m_pending, pid, monotonicMs(), pol.timeout_ms, pol.hold_budget_ms, def,
                       nullptr, &holdId) != PG_OK) {
        decideNow(fd, pid, ppid, uid, image, parentImage, def, PG_SRC_OVERLOAD, 0, 0, false);
        return;
    }
    HeldStart &h = m_holds[holdId];
    h = std::move(facts);
    h.holdId = holdId;
    h.pid = pid;
    h.ppid = ppid;
    h.uid = uid;
    h.defaultVerdict = def;
    h.image = image;
    h.parentImage = parentImage;
    std::string error;
    if (!m_freezer.freeze(holdId, pid, &h.cgroup, &error)) {
        // The task is most likely gone; nothing can run. Deny.
        m_holds.erase(holdId);
        pg_pending_entry out;
        pg_pending_resolve(&m_pending, holdId, PG_VERDICT_BLOCK, PG_SRC_RULE, &out);
        decideNow(fd, pid, ppid, uid, image, parentImage, PG_VERDICT_BLOCK, PG_SRC_MODE, 0, 0,
                  false);
        PG_LOG_WARN("cannot freeze pid %u to read its command line (%s); blocked", pid,
                    error.c_str());
        return;
    }
    // Frozen first, allowed second: the exec completes (so /proc shows the
    // new command line) but the program cannot run its first instruction.
    m_gate.respond(fd, true);
    ::close(fd);
    m_untrustedFds.erase(fd); // h.pathFlags (from the facts) keeps it
    h.frozen = true;
    h.awaitingCmdline = true;
    h.sinceMs = monotonicMs();
    m_cmdlineWaits[pid] = holdId;
    PG_LOG_DEBUG("hold %llu: pid %u frozen until its command line is known",
                 static_cast<unsigned long long>(holdId), pid);
    rearmTimer();
}

void Daemon::tryCmdlineDecision(uint64_t holdId, bool force)
{
    auto it = m_holds.find(holdId);
    if (it == m_holds.end() || !it->second.awaitingCmdline)
        return;
    HeldStart &h = it->second;
    if (h.loaderRun) {
        decideLoaderRun(holdId, force);
        return;
    }
    const std::string exe = ProcFs::exePath(h.pid);
    if (!force && exe != h.image)
        return; // the exec has not completed yet
    std::string cmd;
    bool truncated = false;
    const bool gone =
        exe.empty() || !ProcFs::cmdline(h.pid, PG_MAX_CMDLINE_BYTES, &cmd, &truncated);
    h.awaitingCmdline = false;
    m_cmdlineWaits.erase(h.pid);
    pg_pending_entry out;
    if (gone) {
        h.ruleId = 0;
        if (pg_pending_resolve(&m_pending, holdId, PG_VERDICT_BLOCK, PG_SRC_MODE, &out) == PG_OK)
            finishHold(out);
        return;
    }
    pg_match_result match;
    const bool matched = matchStart(-1, h.image, h.parentImage, h.uid, &cmd, &h, &match);
    const uint32_t mode = m_policy.policy().mode;
    if (matched && match.action != PG_VERDICT_ASK) {
        h.ruleId = match.rule_id;
        if (pg_pending_resolve(&m_pending, holdId, match.action, PG_SRC_RULE, &out) == PG_OK)
            finishHold(out);
        return;
    }
    if (!matched && mode == PG_MODE_LOCKDOWN) {
        if (pg_pending_resolve(&m_pending, holdId, PG_VERDICT_BLOCK, PG_SRC_MODE, &out) == PG_OK)
            finishHold(out);
        return;
    }
    h.ruleId = matched ? match.rule_id : 0;
    if (m_controllerId == 0 || m_stopping) {
        if (pg_pending_resolve(&m_pending, holdId, h.defaultVerdict,
                               m_stopping ? PG_SRC_STOP : PG_SRC_NO_CLIENT, &out) == PG_OK)
            finishHold(out);
        return;
    }
    // A person decides; the program stays frozen meanwhile.
    askPersonForHold(h, cmd, false);
}

void Daemon::handleOpen(int fd, uint32_t pid)
{
    // With the opens guard (kernels that hide task stacks; ExecOrigin.h)
    // every open on a gated filesystem lands here. Only an
    // open by a process whose executable IS the ELF interpreter (one stat
    // of /proc/PID/exe) is looked at further.
    if (!m_interpreters.isInterpreterProcess(pid) || !ElfProbe::isExecutable(fd)) {
        m_gate.respond(fd, true);
        ::close(fd);
        return;
    }
    // "ld-linux.so /path/prog": the loader opens prog to map it. Treat it
    // as an exec of prog, decided by rules only (nobody is asked: the
    // loader has no launcher semantics to hold, and in prompt mode the
    // panel would see a confusing second request).
    // No command line here (the loader runs the program without an exec
    // of it): CMDLINE rules cannot apply, the rest is decided as usual.
    StartFacts st;
    if (!examineStart(fd, pid, PG_EVF_INTERPRETER, &st))
        return;
    if (!matchExamined(fd, &st)) {
        waitForDigest(fd, pid, PG_EVF_INTERPRETER, std::move(st));
        return;
    }
    decideExamined(fd, pid, std::move(st), ladder(st, PG_EVF_INTERPRETER));
}

void Daemon::decideNow(int fd, uint32_t pid, uint32_t ppid, uint32_t uid, const std::string &image,
                       const std::string &parentImage, uint8_t verdict, uint8_t source,
                       uint32_t ruleId, uint16_t flags, bool cacheable)
{
    // Answer first.
    m_gate.respond(fd, verdict == PG_VERDICT_ALLOW);
    reportDecision(fd, pid, ppid, uid, image, parentImage, verdict, source, ruleId, flags,
                   cacheable);
}

void Daemon::reportDecision(int fd, uint32_t pid, uint32_t ppid, uint32_t uid,
                            const std::string &image, const std::string &parentImage,
                            uint8_t verdict, uint8_t source, uint32_t ruleId, uint16_t flags,
                            bool cacheable)
{
    const bool allow = verdict == PG_VERDICT_ALLOW;
    const char *untrustedWhy = nullptr;
    auto untrusted = m_untrustedFds.find(fd);
    if (untrusted != m_untrustedFds.end()) {
        flags |= PG_EVF_UNTRUSTED_PATH;
        untrustedWhy = FileIdentity::name(untrusted->second);
        m_untrustedFds.erase(untrusted);
        cacheable = false;
    }
    // The ignore mark needs the event fd, so it goes before the close.
    // Only unconditional allow rules are cached: the cache is keyed by
    // file, and would otherwise skip a user or parent condition.
    // Nor is a rule with time conditions: it may end (window, expiry,
    // budget) while the file stays the same.
    if (allow && cacheable && source == PG_SRC_RULE && !ruleTimed(ruleId)) {
        if (m_gate.cacheAllow(fd)) {
            flags |= PG_EVF_CACHED;
            ++m_counters.cacheInstalls;
        }
    }
    ::close(fd);

    emitVerdict(0, pid, ppid, uid, image, parentImage, verdict, source, ruleId, flags);
    std::string message, link;
    if (verdict == PG_VERDICT_BLOCK)
        m_policy.ruleText(ruleId, &message, &link);
    Log::write(
        source == PG_SRC_EXEMPT ? LogLevel::Debug : LogLevel::Info,
        "verdict pid=%u ppid=%u uid=%u image=%s verdict=%s source=%s rule=%u flags=%s%s%s%s%s%s%s",
        pid, ppid, uid, image.c_str(), verdictName(verdict), sourceName(source), ruleId,
        flagNames(flags).c_str(),
        untrustedWhy == nullptr ? "" : " path=", untrustedWhy == nullptr ? "" : untrustedWhy,
        message.empty() ? "" : " message=", message.c_str(),
        link.empty() ? "" : " link=", link.c_str());
    if (source == PG_SRC_RULE && ruleId != 0)
        ruleDecided(ruleId);
}

// ---------------------------------------------------------------------
// Holds
// ---------------------------------------------------------------------

void Daemon::startHold(int fd, uint32_t pid, uint32_t ppid, uint32_t uid, const std::string &image,
                       const std::string &parentImage, uint32_t ruleId)
{
    const pg_policy &pol = m_policy.policy();
    const uint8_t def = static_cast<uint8_t>(pol.default_verdict);
    uint64_t holdId = 0;
    if (pg_pending_add(&m_pending, pid, monotonicMs(), pol.timeout_ms, pol.hold_budget_ms, def,
                       nullptr, &holdId) != PG_OK) {
        decideNow(fd, pid, ppid, uid, image, parentImage, def, PG_SRC_OVERLOAD, 0, 0, false);
        return;
    }
    HeldStart &h = m_holds[holdId];
    h.holdId = holdId;
    h.eventFd = fd;
    h.pid = pid;
    h.ppid = ppid;
    h.uid = uid;
    h.defaultVerdict = def;
    h.image = image;
    h.parentImage = parentImage;
    h.ruleId = ruleId;
    auto untrusted = m_untrustedFds.find(fd);
    if (untrusted != m_untrustedFds.end()) {
        h.pathFlags |= PG_PATH_IMAGE_UNTRUSTED;
        m_untrustedFds.erase(untrusted);
    }
    ++m_counters.prompted;

    pg_event ev = makeEvent(PG_EV_REQUEST, pid);
    ev.hold_id = holdId;
    ev.rule_id = ruleId;
    ev.ppid = ppid;
    ev.creator_pid = ppid;
    ev.uid = uid;
    ev.timeout_ms = pol.timeout_ms;
    ev.default_verdict = def;
    ev.flags = PG_EVF_HELD | pathEventFlags(h.pathFlags);
    if (!emit(ev, image, std::string(), parentImage, true)) {
        // Even the reserve is full: the controller would never see this
        // request, so nobody could answer it. Decide it now.
        pg_pending_entry out;
        if (pg_pending_resolve(&m_pending, holdId, def, PG_SRC_OVERLOAD, &out) == PG_OK)
            finishHold(out);
        return;
    }
    PG_LOG_INFO("hold %llu pid=%u ppid=%u uid=%u image=%s timeout=%ums budget=%ums",
                static_cast<unsigned long long>(holdId), pid, ppid, uid, image.c_str(),
                pol.timeout_ms, pol.hold_budget_ms);
    rearmTimer();
}

void Daemon::pendingResolved(void *self, const pg_pending_entry *entry)
{
    static_cast<Daemon *>(self)->finishHold(*entry);
}

void Daemon::pendingBudget(void *self, const pg_pending_entry *entry)
{
    static_cast<Daemon *>(self)->releaseLauncher(*entry);
}

void Daemon::finishHold(const pg_pending_entry &entry)
{
    auto it = m_holds.find(entry.hold_id);
    if (it == m_holds.end())
        return;
    dropDigestHold(entry.hold_id);
    HeldStart h = std::move(it->second);
    m_holds.erase(it);
    if (h.awaitingCmdline)
        m_cmdlineWaits.erase(h.pid);
    const bool allow = entry.verdict == PG_VERDICT_ALLOW;
    uint16_t flags = static_cast<uint16_t>((h.person ? PG_EVF_HELD : 0) | h.eventFlags |
                                           pathEventFlags(h.pathFlags));
    if (!h.frozen) {
        // The launcher still waits in execve(): answer it.
        m_gate.respond(h.eventFd, allow);
        if (allow && h.cacheable && entry.source == PG_SRC_RULE && !ruleTimed(h.ruleId) &&
            m_gate.cacheAllow(h.eventFd)) {
            flags |= PG_EVF_CACHED;
            ++m_counters.cacheInstalls;
        }
        ::close(h.eventFd);
        h.eventFd = -1;
    } else {
        flags |= PG_EVF_FROZEN;
        if (allow) {
            m_freezer.release(h.cgroup, h.pid);
        } else {
            m_freezer.kill(h.cgroup, h.pid);
            flags |= PG_EVF_KILLED;
        }
    }
    emitVerdict(h.holdId, h.pid, h.ppid, h.uid, h.image, h.parentImage, entry.verdict, entry.source,
                h.ruleId, flags);
    std::string message, link;
    if (!allow)
        m_policy.ruleText(h.ruleId, &message, &link);
    PG_LOG_INFO("verdict hold=%llu pid=%u ppid=%u uid=%u image=%s verdict=%s source=%s rule=%u "
                "flags=%s%s%s%s%s",
                static_cast<unsigned long long>(h.holdId), h.pid, h.ppid, h.uid, h.image.c_str(),
                verdictName(entry.verdict), sourceName(entry.source), h.ruleId,
                flagNames(flags).c_str(), message.empty() ? "" : " message=", message.c_str(),
                link.empty() ? "" : " link=", link.c_str());
    if (m_freezer.reapPending())
        rearmTimer();
}

void Daemon::releaseLauncher(const pg_pending_entry &entry)
{
    auto it = m_holds.find(entry.hold_id);
    if (it == m_holds.end() || it->second.frozen)
        return;
    HeldStart &h = it->second;
    if (!m_freezer.available()) {
        if (!m_warnedNoCgroup) {
            PG_LOG_WARN("hold budget passed but there is no cgroup v2 to freeze in: launchers "
                        "stay held until the verdict or the timeout");
            m_warnedNoCgroup = true;
        }
        return;
    }
    std::string error;
    if (!m_freezer.freeze(h.holdId, h.pid, &h.cgroup, &error)) {
        // Most likely the task was killed while it waited; keep holding:
        // the verdict or the deadline still ends this hold.
        PG_LOG_WARN("hold %llu: cannot freeze pid %u (%s); the launcher stays held",
                    static_cast<unsigned long long>(h.holdId), h.pid, error.c_str());
        return;
    }
    // Frozen first, allowed second: the exec completes and the launcher
    // returns, but the program cannot run its first instruction.
    m_gate.respond(h.eventFd, true);
    ::close(h.eventFd);
    h.eventFd = -1;
    h.frozen = true;
    PG_LOG_INFO("hold %llu: budget passed; pid %u released to its launcher and frozen",
                static_cast<unsigned long long>(h.holdId), h.pid);
}

void Daemon::decideOrphans()
{
    const std::vector<FreezeCgroup::Orphan> &orphans = m_freezer.orphans();
    if (orphans.empty()) {
        m_freezer.dropOrphans();
        return;
    }
    // A package rule must see the index, which answers "not ready" until
    // its first build: wait for it a bounded moment. Nothing waits on us
    // yet (no marks, no socket).
    if (m_policy.hasKind(PG_RULE_PACKAGE)) {
        for (int i = 0; i < 300 && !m_packages->ready(); ++i)
            usleep(10 * 1000);
    }
    for (const FreezeCgroup::Orphan &o : orphans) {
        for (uint32_t pid : o.pids)
            decideOrphan(pid, o.owner.empty() ? "an older procguardd" : o.owner.c_str());
    }
    m_freezer.dropOrphans();
}

void Daemon::decideOrphan(uint32_t pid, const char *owner)
{
    // The process is frozen right after its exec completed (past the hold
    // budget, or waiting for its command line): /proc shows its program
    // and command line, and it cannot change either. It is decided as a
    // start with no client connected would be - never a blanket allow.
    ProcFs::Stat stat;
    ProcFs::Status status;
    const std::string image = ProcFs::exePath(pid);
    const bool alive = !image.empty() && ProcFs::readStat(pid, &stat);
    uint32_t uid = 0;
    if (ProcFs::readStatus(pid, &status))
        uid = status.uid;
    const uint32_t ppid = alive ? stat.ppid : 0;
    const std::string parentImage = ppid != 0 ? ProcFs::exePath(ppid) : std::string();
    const pg_policy &pol = m_policy.policy();
    uint8_t verdict = PG_VERDICT_BLOCK;
    uint8_t source = PG_SRC_MODE;
    uint32_t ruleId = 0;
    uint16_t flags = PG_EVF_HELD | PG_EVF_FROZEN;
    if (alive) {
        HeldStart facts;
        if (m_policy.hasGroupRules()) {
            facts.gids.push_back(status.gid);
            facts.gids.insert(facts.gids.end(), status.groups.begin(), status.groups.end());
        }
        if (FileIdentity::decideProcess(m_identityFs, pid, image) != FileIdentity::Trust::Trusted)
            facts.pathFlags |= PG_PATH_IMAGE_UNTRUSTED;
        if (!parentImage.empty() && m_policy.hasParentRules() &&
            FileIdentity::decideProcess(m_identityFs, ppid, parentImage) !=
                FileIdentity::Trust::Trusted)
            facts.pathFlags |= PG_PATH_PARENT_UNTRUSTED;
        flags |= pathEventFlags(facts.pathFlags);
        std::string cmd;
        bool truncated = false;
        const bool haveCmd = ProcFs::cmdline(pid, PG_MAX_CMDLINE_BYTES, &cmd, &truncated);
        // The image through the process itself (the name may have been
        // replaced since). Before the marks, so this open waits on nobody.
        const int fd =
            ::open(("/proc/" + std::to_string(pid) + "/exe").c_str(), O_RDONLY | O_CLOEXEC);
        pg_match_result match;
        DigestState digests;
        bool matched = false;
        for (int round = 0; round < 3; ++round) {
            digests.missing = 0;
            matched = matchStart(fd, image, parentImage, uid, haveCmd ? &cmd : nullptr, &facts,
                                 &match, &digests);
            if (digests.missing == 0)
                break;
            // Before the marks nothing waits on this thread: hash here.
            if (!m_digests.hashNow(fd, digests.version, digests.missing))
                digests.failed |= digests.missing;
        }
        if (fd >= 0)
            ::close(fd);
        if (pol.mode == PG_MODE_MONITOR) {
            const bool wouldBlock = !matched || match.action == PG_VERDICT_BLOCK;
            verdict = PG_VERDICT_ALLOW;
            source = matched && !wouldBlock ? PG_SRC_RULE : PG_SRC_MODE;
            ruleId = match.rule_id;
            if (wouldBlock)
                flags |= PG_EVF_WOULD_BLOCK;
        } else if (matched && match.action != PG_VERDICT_ASK) {
            verdict = match.action;
            source = PG_SRC_RULE;
            ruleId = match.rule_id;
        } else if (!matched && pol.mode == PG_MODE_LOCKDOWN) {
            verdict = PG_VERDICT_BLOCK;
            source = PG_SRC_MODE;
        } else {
            // Prompt (or an ASK rule): nobody can be asked before the
            // socket exists - the default verdict, as with no client.
            verdict = static_cast<uint8_t>(pol.default_verdict);
            source = PG_SRC_NO_CLIENT;
            ruleId = matched ? match.rule_id : 0;
        }
    }
    if (verdict == PG_VERDICT_ALLOW) {
        m_freezer.releaseOrphan(pid, ppid);
    } else {
        m_freezer.killOrphan(pid);
        flags |= PG_EVF_KILLED;
    }
    emitVerdict(0, pid, ppid, uid, image, parentImage, verdict, source, ruleId, flags);
    PG_LOG_WARN("start frozen by %s (gone): verdict pid=%u ppid=%u uid=%u image=%s verdict=%s "
                "source=%s rule=%u flags=%s",
                owner, pid, ppid, uid, image.empty() ? "?" : image.c_str(), verdictName(verdict),
                sourceName(source), ruleId, flagNames(flags).c_str());
    if (source == PG_SRC_RULE && ruleId != 0)
        ruleDecided(ruleId);
}

void Daemon::onTimer()
{
    uint64_t ticks;
    while (::read(m_timerFd, &ticks, sizeof ticks) > 0) {
    }
    const uint64_t now = monotonicMs();
    // Budget before expiry: a hold whose budget and deadline both passed
    // is decided by expiry right after, from the state budget left.
    pg_pending_budget_due(&m_pending, now, &Daemon::pendingBudget, this);
    pg_pending_expire(&m_pending, now, &Daemon::pendingResolved, this);
    // Starts waiting for their command line: normally the proc connector's
    // exec event decides them; this is the fallback (polling mode, a lost
    // notification). After kCmdlineForceMs /proc is read whatever it shows.
    if (!m_cmdlineWaits.empty()) {
        std::vector<uint64_t> due;
        for (const auto &kv : m_cmdlineWaits) {
            auto it = m_holds.find(kv.second);
            if (it != m_holds.end() && now - it->second.sinceMs >= kCmdlinePollMs)
                due.push_back(kv.second);
        }
        for (uint64_t id : due) {
            auto it = m_holds.find(id);
            if (it != m_holds.end())
                tryCmdlineDecision(id, now - it->second.sinceMs >= kCmdlineForceMs);
        }
    }
    m_freezer.reap();
    rearmTimer();
}

void Daemon::rearmTimer()
{
    uint64_t next = pg_pending_next_wakeup(&m_pending);
    if (m_freezer.reapPending())
        next = std::min(next, monotonicMs() + kReapRetryMs);
    if (!m_cmdlineWaits.empty())
        next = std::min(next, monotonicMs() + kCmdlinePollMs);
    struct itimerspec its;
    std::memset(&its, 0, sizeof its);
    if (next != PG_NO_DEADLINE) {
        if (next == 0)
            next = 1; // a zero value would disarm the timer
        its.it_value.tv_sec = static_cast<time_t>(next / 1000u);
        its.it_value.tv_nsec = static_cast<long>((next % 1000u) * 1000000u);
        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
            its.it_value.tv_nsec = 1;
    }
    timerfd_settime(m_timerFd, TFD_TIMER_ABSTIME, &its, nullptr);
}

// ---------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------

void Daemon::onFork(uint32_t parent, uint32_t child)
{
    ProcessInfo info;
    info.pid = child;
    info.ppid = parent;
    if (const ProcessInfo *p = m_table.find(parent)) {
        info.uid = p->uid;
        info.image = p->image;
        info.cmdline = p->cmdline;
        info.cmdlineTruncated = p->cmdlineTruncated;
    } else {
        ProcScanner::scanOne(child, &info);
        info.ppid = parent;
    }
    ProcFs::Stat st;
    if (ProcFs::readStat(child, &st))
        info.startTicks = st.startTicks;
    processStarted(std::move(info));
}

void Daemon::processStarted(ProcessInfo &&started)
{
    ++m_counters.starts;
    const uint32_t child = started.pid;
    ProcessInfo &info = m_table.upsert(child);
    info = std::move(started);
    pg_event ev = makeEvent(PG_EV_START, child);
    ev.time_ns = startedAtNs(info.startTicks, ev.time_ns);
    ev.ppid = info.ppid;
    ev.creator_pid = info.ppid;
    ev.uid = info.uid;
    if (info.cmdlineTruncated)
        ev.flags |= PG_EVF_TRUNCATED;
    const ProcessInfo copy = info;
    emit(ev, copy.image, copy.cmdline, std::string(), false);
    PG_LOG_DEBUG("start pid=%u ppid=%u image=%s", child, copy.ppid, copy.image.c_str());
    if (!m_budgets.empty()) {
        budgetTrack(child, realtimeNs() / 1000000);
        rearmClock();
    }
}

void Daemon::onExecEvent(uint32_t pid)
{
    ProcessInfo fresh;
    uint32_t knownPpid = 0;
    if (const ProcessInfo *old = m_table.find(pid))
        knownPpid = old->ppid;
    if (!ProcScanner::scanOne(pid, &fresh)) {
        // Gone already; the exit event follows.
        fresh.pid = pid;
        fresh.ppid = knownPpid;
    }
    processExeced(std::move(fresh));
}

void Daemon::processExeced(ProcessInfo &&execed)
{
    const uint32_t pid = execed.pid;
    ProcessInfo &fresh = m_table.upsert(pid);
    fresh = std::move(execed);
    pg_event ev = makeEvent(PG_EV_EXEC, pid);
    ev.ppid = fresh.ppid;
    ev.creator_pid = fresh.ppid;
    ev.uid = fresh.uid;
    if (fresh.cmdlineTruncated)
        ev.flags |= PG_EVF_TRUNCATED;
    const ProcessInfo copy = fresh; // emit may not keep references into the table
    emit(ev, copy.image, copy.cmdline, std::string(), false);
    PG_LOG_DEBUG("exec pid=%u image=%s cmdline=%s", pid, copy.image.c_str(), copy.cmdline.c_str());
    if (!m_budgets.empty()) {
        budgetTrack(pid, realtimeNs() / 1000000);
        rearmClock();
    }
    // An exec the gate could not see (a filesystem it cannot mark) is
    // ended here in prompt and lockdown (DaemonUnseen.cpp).
    checkSeenExec(copy.pid, copy.ppid, copy.uid, copy.image, copy.imageDev, copy.imagePathless);
    // The exec completed: a start frozen for its command line can be
    // decided now.
    auto wait = m_cmdlineWaits.find(pid);
    if (wait != m_cmdlineWaits.end()) {
        auto hold = m_holds.find(wait->second);
        if (hold != m_holds.end() && hold->second.loaderRun)
            decideLoaderRun(wait->second, true);
        else
            tryCmdlineDecision(wait->second, false);
        rearmTimer();
    }
}

void Daemon::onExitEvent(uint32_t pid, uint32_t status)
{
    uint32_t ppid = 0;
    std::string image;
    if (const ProcessInfo *info = m_table.find(pid)) {
        ppid = info->ppid;
        image = info->image;
    }
    m_table.erase(pid);
    if (!m_budgets.empty()) {
        m_budgets.ended(pid, static_cast<int64_t>(realtimeNs() / 1000000));
        rearmClock();
    }
    pg_event ev = makeEvent(PG_EV_EXIT, pid);
    ev.ppid = ppid;
    ev.status = status;
    emit(ev, image, std::string(), std::string(), false);
    PG_LOG_DEBUG("exit pid=%u status=0x%x", pid, status);
}

void Daemon::resync(bool lost)
{
    // What already waits in the BPF ring happened before the scan below:
    // applied first, or the scan's diff and then the records would report
    // the same change twice. A loss found on the way is reported here.
    if (m_useBpf) {
        onBpfReadable(true);
        lost = lost || m_lostConnectorMessages != 0;
    }
    // Poll mode (lost == false) and recovery after a netlink loss share
    // the diff; after a loss the changes are flagged SNAPSHOT (they were
    // found, not observed live) and preceded by a RESYNC event.
    uint16_t flags = 0;
    if (lost) {
        ++m_counters.resyncs;
        pg_event ev = makeEvent(PG_EV_RESYNC, 0);
        ev.lost = m_lostConnectorMessages;
        emit(ev, std::string(), std::string(), std::string(), false);
        PG_LOG_WARN("%s lost notifications (%llu); resyncing from /proc",
                    m_useBpf ? "BPF ring buffer" : "proc connector",
                    static_cast<unsigned long long>(m_lostConnectorMessages));
        m_lostConnectorMessages = 0;
        m_needResync = false;
        flags = PG_EVF_SNAPSHOT;
    }
    ProcessTable::Map fresh;
    ProcScanner::Diff d = ProcScanner::diff(m_table, &fresh);
    m_table.replaceAll(std::move(fresh));
    if (!m_budgets.empty()) {
        const int64_t nowMs = static_cast<int64_t>(realtimeNs() / 1000000);
        for (const ProcessInfo &p : d.exited)
            m_budgets.ended(p.pid, nowMs);
        budgetRescan(nowMs);
        rearmClock();
    }
    for (const ProcessInfo &p : d.exited) {
        pg_event ev = makeEvent(PG_EV_EXIT, p.pid);
        ev.ppid = p.ppid;
        ev.flags = flags;
        emit(ev, p.image, std::string(), std::string(), false);
    }
    for (const ProcessInfo &p : d.started) {
        ++m_counters.starts;
        pg_event ev = makeEvent(PG_EV_START, p.pid);
        ev.ppid = p.ppid;
        ev.creator_pid = p.ppid;
        ev.uid = p.uid;
        ev.flags = static_cast<uint16_t>(flags | (p.cmdlineTruncated ? PG_EVF_TRUNCATED : 0));
        emit(ev, p.image, p.cmdline, std::string(), false);
    }
    for (const ProcessInfo &p : d.execed) {
        pg_event ev = makeEvent(PG_EV_EXEC, p.pid);
        ev.ppid = p.ppid;
        ev.creator_pid = p.ppid;
        ev.uid = p.uid;
        ev.flags = static_cast<uint16_t>(flags | (p.cmdlineTruncated ? PG_EVF_TRUNCATED : 0));
        emit(ev, p.image, p.cmdline, std::string(), false);
    }
}

void Daemon::snapshotTo(ClientConnection &client)
{
    // Parents before children: order by start time, then pid.
    std::vector<const ProcessInfo *> all;
    all.reserve(m_table.size());
    for (const auto &kv : m_table.entries())
        all.push_back(&kv.second);
    std::sort(all.begin(), all.end(), [](const ProcessInfo *a, const ProcessInfo *b) {
        return a->startTicks != b->startTicks ? a->startTicks < b->startTicks : a->pid < b->pid;
    });
    // Snapshot records are this client's alone, so they carry seq 0 (not a
    // number from the global counter, which would leave a gap for every
    // other client); live events start at the next_seq of HELLO_REPLY.
    for (const ProcessInfo *p : all) {
        pg_event ev = makeEvent(PG_EV_START, p->pid);
        ev.time_ns = startedAtNs(p->startTicks, ev.time_ns); // when it started, not now
        ev.seq = 0;
        ev.ppid = p->ppid;
        ev.creator_pid = p->ppid;
        ev.uid = p->uid;
        ev.flags =
            static_cast<uint16_t>(PG_EVF_SNAPSHOT | (p->cmdlineTruncated ? PG_EVF_TRUNCATED : 0));
        const std::string image = p->image.substr(0, PG_MAX_PATH_BYTES - 1);
        const std::string cmd = p->cmdline.substr(0, PG_MAX_CMDLINE_BYTES - 1);
        ev.image_len = static_cast<uint16_t>(image.empty() ? 0 : image.size() + 1);
        ev.cmdline_len = static_cast<uint16_t>(cmd.empty() ? 0 : cmd.size() + 1);
        client.pushEvent(ev, image.empty() ? nullptr : image.c_str(),
                         cmd.empty() ? nullptr : cmd.c_str(), nullptr, false);
    }
}

// ---------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------

void Daemon::emitVerdict(uint64_t holdId, uint32_t pid, uint32_t ppid, uint32_t uid,
                         const std::string &image, const std::string &parentImage, uint8_t verdict,
                         uint8_t source, uint32_t ruleId, uint16_t flags, uint32_t status)
{
    ++m_counters.decisions;
    if (verdict == PG_VERDICT_ALLOW)
        ++m_counters.allowed;
    else
        ++m_counters.blocked;
    if (source == PG_SRC_TIMEOUT)
        ++m_counters.timeouts;
    pg_event ev = makeEvent(PG_EV_VERDICT, pid);
    ev.hold_id = holdId;
    ev.ppid = ppid;
    ev.creator_pid = ppid;
    ev.uid = uid;
    ev.verdict = verdict;
    ev.source = source;
    ev.rule_id = ruleId;
    ev.flags = flags;
    ev.status = status;
    emit(ev, image, std::string(), parentImage, false);
}

uint64_t Daemon::startedAtNs(uint64_t startTicks, uint64_t nowNs)
{
    // startTicks count clock ticks of CLOCK_BOOTTIME (suspend included):
    // the wall-clock start is now minus the process's age.
    static const long ticksPerSecond = sysconf(_SC_CLK_TCK);
    if (startTicks == 0 || ticksPerSecond <= 0)
        return nowNs;
    struct timespec boot;
    clock_gettime(CLOCK_BOOTTIME, &boot);
    const uint64_t bootNowNs =
        static_cast<uint64_t>(boot.tv_sec) * 1000000000u + static_cast<uint64_t>(boot.tv_nsec);
    const uint64_t startNs = startTicks * (1000000000u / static_cast<uint64_t>(ticksPerSecond));
    if (startNs > bootNowNs || bootNowNs - startNs > nowNs)
        return nowNs;
    return nowNs - (bootNowNs - startNs);
}

pg_event Daemon::makeEvent(uint16_t kind, uint32_t pid) const
{
    pg_event ev;
    std::memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.pid = pid;
    ev.time_ns = realtimeNs();
    ev.mode = static_cast<uint8_t>(m_policy.policy().mode);
    return ev;
}

bool Daemon::emit(pg_event &ev, const std::string &image, const std::string &cmdline,
                  const std::string &parentImage, bool priority)
{
    ev.seq = m_nextSeq++;
    auto clip = [&ev](const std::string &s, size_t max, uint16_t *len) -> std::string {
        std::string out = s.size() > max - 1 ? s.substr(0, max - 1) : s;
        if (out.size() != s.size())
            ev.flags |= PG_EVF_TRUNCATED;
        *len = static_cast<uint16_t>(out.empty() ? 0 : out.size() + 1);
        return out;
    };
    const std::string img = clip(image, PG_MAX_PATH_BYTES, &ev.image_len);
    const std::string cmd = clip(cmdline, PG_MAX_CMDLINE_BYTES, &ev.cmdline_len);
    const std::string par = clip(parentImage, PG_MAX_PATH_BYTES, &ev.parent_image_len);
    ev.sid_len = 0;
    if (m_eventSinks.active()) {
        if (ev.kind == PG_EV_POLICY)
            m_eventSinks.policyChanged(m_policy.replyBytes(0, PG_PROTOCOL_VERSION));
        m_eventSinks.push(ev, img, cmd, par);
    }
    bool controllerQueued = true;
    for (auto &kv : m_clients) {
        ClientConnection &c = *kv.second;
        if (!c.m_helloDone || c.m_closeRequested)
            continue;
        const bool isController = kv.first == m_controllerId;
        const bool ok = c.pushEvent(ev, img.empty() ? nullptr : img.c_str(),
                                    cmd.empty() ? nullptr : cmd.c_str(),
                                    par.empty() ? nullptr : par.c_str(), priority && isController);
        if (!ok && isController)
            controllerQueued = false;
    }
    return controllerQueued;
}

// ---------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------

void Daemon::onSentryAccept()
{
    const int before = m_sentry.connectionFd();
    m_sentryPolicy = m_policy.inForceBytes();
    const std::string what = m_sentry.accept(m_gate.fd(), m_sentryPolicy);
    if (what.empty())
        return;
    if (before >= 0 && before != m_sentry.connectionFd())
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, before, nullptr);
    if (m_sentry.connected()) {
        struct epoll_event ev;
        std::memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u64 = kTagSentryConn;
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_sentry.connectionFd(), &ev);
    }
    PG_LOG_INFO("%s", what.c_str());
}

void Daemon::sentryUpdate()
{
    if (!m_sentry.connected())
        return;
    std::vector<uint8_t> now = m_policy.inForceBytes();
    if (now == m_sentryPolicy)
        return;
    m_sentryPolicy = std::move(now);
    const int fd = m_sentry.connectionFd();
    m_sentry.sendPolicy(m_sentryPolicy);
    if (!m_sentry.connected()) {
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        PG_LOG_WARN("the sentry did not take the new rules and was dropped");
    }
}

void Daemon::onAccept()
{
    for (int i = 0; i < 16; ++i) {
        struct ucred cred;
        std::memset(&cred, 0, sizeof cred);
        int fd = m_server.accept(&cred);
        if (fd < 0)
            return;
        const uint64_t id = m_nextClientId++;
        auto client = std::make_unique<ClientConnection>(fd, id, cred);
        struct epoll_event ev;
        std::memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN;
        ev.data.u64 = id;
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) != 0) {
            PG_LOG_WARN("cannot watch a client: %s", std::strerror(errno));
            continue;
        }
        client->m_epollMask = EPOLLIN;
        ClientConnection &c = *client;
        m_clients.emplace(id, std::move(client));
        if (!m_server.peerAllowed(cred)) {
            PG_LOG_WARN("client pid %d uid %u refused: not root and not in group %s",
                        static_cast<int>(cred.pid), static_cast<unsigned>(cred.uid),
                        m_options.m_group.c_str());
            // The reply goes out now; the connection is closed once the
            // peer's HELLO (or EOF) has been read, so closing never discards
            // unread data (which would turn our reply into ECONNRESET).
            sendHelloReply(c, 0, PG_E_ACCESS, PG_ROLE_NONE, false);
            c.m_denied = true;
            c.flush();
            continue;
        }
        PG_LOG_DEBUG("client %llu connected (pid %d uid %u)", static_cast<unsigned long long>(id),
                     static_cast<int>(cred.pid), static_cast<unsigned>(cred.uid));
    }
}

void Daemon::onClientEvent(uint64_t id, uint32_t events)
{
    auto it = m_clients.find(id);
    if (it == m_clients.end())
        return;
    ClientConnection &c = *it->second;
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
        ClientConnection::ReadResult r = c.readAvailable();
        if (c.m_denied) {
            closeClient(id, "access denied");
            return;
        }
        processInput(c);
        if (r == ClientConnection::ReadResult::Closed) {
            closeClient(id, "disconnected");
            return;
        }
    }
    if ((events & EPOLLOUT) != 0 && !c.flush())
        closeClient(id, "write failed");
}

void Daemon::processInput(ClientConnection &c)
{
    while (!c.m_closeRequested && !c.inputPaused()) {
        const uint8_t *msg = nullptr;
        uint32_t size = 0;
        uint32_t badSize = 0;
        ClientConnection::Frame f = c.nextFrame(&msg, &size, &badSize);
        if (f == ClientConnection::Frame::None)
            return;
        if (f == ClientConnection::Frame::Bad) {
            // Framing is lost: nothing after this can be trusted.
            sendResult(c, 0, PG_E_SIZE, badSize, "message size out of range; disconnecting");
            c.m_closeRequested = true;
            return;
        }
        // Copy into aligned storage: the validator and we read fields of
        // the fixed parts in place.
        std::vector<uint64_t> aligned((size + 7u) / 8u);
        std::memcpy(aligned.data(), msg, size);
        c.consume(size);
        handleMessage(c, reinterpret_cast<const uint8_t *>(aligned.data()), size);
    }
}

void Daemon::handleMessage(ClientConnection &c, const uint8_t *msg, uint32_t size)
{
    const pg_msg_header hdr = readAt<pg_msg_header>(msg);
    if (!c.m_helloDone && hdr.type != PG_MSG_HELLO) {
        sendResult(c, hdr.request_id, PG_E_STATE, 0, "the first message must be HELLO");
        c.m_closeRequested = true;
        return;
    }
    uint32_t detail = 0;
    const int rc = pg_validate_client_message(msg, size, &detail);
    if (rc == PG_E_VERSION && hdr.type == PG_MSG_HELLO && !c.m_helloDone) {
        // No common version: the answer is a HELLO_REPLY carrying our
        // newest version, then the connection ends.
        PG_LOG_WARN("client pid %u speaks no protocol version we speak (%u..%u)", c.pid(),
                    PG_PROTOCOL_MIN_VERSION, PG_PROTOCOL_VERSION);
        sendHelloReply(c, hdr.request_id, PG_E_VERSION, PG_ROLE_NONE, true);
        return;
    }
    if (rc != PG_OK) {
        PG_LOG_DEBUG("client %llu: malformed message type %u: %s (detail %u)",
                     static_cast<unsigned long long>(c.id()), hdr.type, pg_status_name(rc), detail);
        sendResult(c, hdr.request_id, static_cast<uint32_t>(rc), detail, pg_status_name(rc));
        return;
    }
    switch (hdr.type) {
    case PG_MSG_HELLO:
        if (c.m_helloDone)
            sendResult(c, hdr.request_id, PG_E_STATE, 0, "HELLO was already sent");
        else
            handleHello(c, msg);
        return;
    case PG_MSG_VERDICTS:
        if (c.id() != m_controllerId) {
            sendResult(c, hdr.request_id, PG_E_NOT_CONTROLLER, 0,
                       "only the controlling client may send verdicts");
            return;
        }
        handleVerdicts(c, msg);
        return;
    case PG_MSG_SET_POLICY:
        if (c.id() != m_controllerId) {
            sendResult(c, hdr.request_id, PG_E_NOT_CONTROLLER, 0,
                       "only the controlling client may change the policy");
            return;
        }
        handleSetPolicy(c, msg, size);
        return;
    case PG_MSG_GET_POLICY: {
        std::vector<uint8_t> reply = m_policy.replyBytes(hdr.request_id, c.m_version);
        c.queue(reply.data(), reply.size());
        return;
    }
    case PG_MSG_GET_STATUS:
        sendStatus(c, hdr.request_id);
        return;
    case PG_MSG_GET_MANAGED:
        sendManaged(c, hdr.request_id);
        return;
    default:
        sendResult(c, hdr.request_id, PG_E_TYPE, 0, "not a request");
        return;
    }
}

void Daemon::handleHello(ClientConnection &c, const uint8_t *msg)
{
    const pg_hello h = readAt<pg_hello>(msg);
    const uint16_t lo = std::max<uint16_t>(h.min_version, PG_PROTOCOL_MIN_VERSION);
    const uint16_t hi = std::min<uint16_t>(h.max_version, PG_PROTOCOL_VERSION);
    c.m_name.assign(h.name, strnlen(h.name, sizeof h.name));
    if (lo > hi) {
        PG_LOG_WARN("client %s (pid %u) speaks protocol %u..%u, we speak %u..%u", c.m_name.c_str(),
                    c.pid(), h.min_version, h.max_version, PG_PROTOCOL_MIN_VERSION,
                    PG_PROTOCOL_VERSION);
        sendHelloReply(c, h.hdr.request_id, PG_E_VERSION, PG_ROLE_NONE, true);
        return;
    }
    uint16_t role = PG_ROLE_OBSERVER;
    if ((h.flags & PG_HELLO_CONTROL) != 0) {
        if (m_controllerId == 0) {
            role = PG_ROLE_CONTROLLER;
        } else if ((h.flags & PG_HELLO_OBSERVE_OK) == 0) {
            c.m_version = hi;
            sendHelloReply(c, h.hdr.request_id, PG_E_BUSY, PG_ROLE_NONE, true);
            return;
        }
    }
    c.m_version = hi;
    c.m_role = role;
    c.m_flags = h.flags;
    if (role == PG_ROLE_CONTROLLER) {
        m_controllerId = c.id();
        m_controllerPid = c.pid();
    }
    sendHelloReply(c, h.hdr.request_id, PG_OK, role, false);
    c.m_helloDone = true;
    if ((h.flags & PG_HELLO_NO_SNAPSHOT) == 0)
        snapshotTo(c);
    PG_LOG_INFO("client %s (pid %u uid %u) connected as %s", c.m_name.c_str(), c.pid(), c.uid(),
                role == PG_ROLE_CONTROLLER ? "controller" : "observer");
}

void Daemon::handleVerdicts(ClientConnection &c, const uint8_t *msg)
{
    const pg_verdicts_msg vm = readAt<pg_verdicts_msg>(msg);
    uint32_t unknown = 0;
    for (uint32_t i = 0; i < vm.count; ++i) {
        const pg_verdict v = readAt<pg_verdict>(msg + sizeof vm + i * sizeof(pg_verdict));
        pg_pending_entry out;
        // A start waiting for its digest is decided by the rules, never by
        // a client (an allow would skip a hash rule that blocks it).
        if (m_digestHolds.count(v.hold_id) != 0)
            ++unknown;
        else if (pg_pending_resolve(&m_pending, v.hold_id, v.verdict, PG_SRC_CLIENT, &out) == PG_OK)
            finishHold(out);
        else
            ++unknown;
    }
    rearmTimer();
    sendResult(c, vm.hdr.request_id, PG_OK, unknown,
               unknown == 0 ? "ok" : "some holds were already decided");
}

void Daemon::handleSetPolicy(ClientConnection &c, const uint8_t *msg, uint32_t size)
{
    const pg_msg_header hdr = readAt<pg_msg_header>(msg);
    uint32_t detail = 0;
    // The managed layer stays as it is whatever the client sent.
    std::vector<uint8_t> composed;
    if (!composeClientPolicy(c, hdr.request_id, msg, size, &composed))
        return;
    const int rc = m_policy.apply(composed.data(), composed.size(), &detail);
    if (rc != PG_OK) {
        sendResult(c, hdr.request_id, static_cast<uint32_t>(rc), detail, pg_status_name(rc));
        return;
    }
    // Cached allows were decided under the old rules.
    m_gate.flushCache();
    m_writer->submit(m_policy.persistBytes());
    // Package rules decide from the dpkg database as it is now.
    if (m_policy.hasKind(PG_RULE_PACKAGE))
        m_packages->rebuild();
    // Budgets, expiry and the next schedule edge follow the new rules.
    afterPolicyChange(static_cast<int64_t>(realtimeNs() / 1000000));
    const pg_policy &p = m_policy.policy();
    pg_event ev = makeEvent(PG_EV_POLICY, 0);
    emit(ev, std::string(), std::string(), std::string(), false);
    sendResult(c, hdr.request_id, PG_OK, 0, "policy installed");
    PG_LOG_INFO("policy generation %llu: mode %s, default %s, timeout %u ms, budget %u ms, "
                "%u rule(s)",
                static_cast<unsigned long long>(p.generation), modeName(p.mode),
                verdictName(static_cast<uint8_t>(p.default_verdict)), p.timeout_ms,
                p.hold_budget_ms, p.rule_count);
}

void Daemon::sendStatus(ClientConnection &c, uint64_t requestId)
{
    const pg_policy &p = m_policy.policy();
    pg_status_msg s;
    std::memset(&s, 0, sizeof s);
    s.hdr.size = sizeof s;
    s.hdr.version = c.m_version;
    s.hdr.type = PG_MSG_STATUS;
    s.hdr.request_id = requestId;
    s.mode = p.mode;
    s.default_verdict = p.default_verdict;
    s.timeout_ms = p.timeout_ms;
    s.hold_budget_ms = p.hold_budget_ms;
    s.rule_count = p.rule_count;
    uint32_t clients = 0;
    uint64_t lost = m_counters.lostClosedClients;
    for (const auto &kv : m_clients) {
        if (kv.second->m_helloDone)
            ++clients;
        lost += kv.second->lostTotal();
    }
    s.clients = clients;
    s.held_now = static_cast<uint32_t>(m_holds.size());
    uint32_t frozen = 0;
    for (const auto &kv : m_holds) {
        if (kv.second.frozen)
            ++frozen;
    }
    s.frozen_now = frozen;
    s.server_pid = m_selfPid;
    s.platform = PG_PLATFORM_LINUX;
    s.version = c.m_version;
    s.controller_pid = m_controllerId != 0 ? m_controllerPid : 0;
    s.starts = m_counters.starts;
    s.decisions = m_counters.decisions;
    s.allowed = m_counters.allowed;
    s.blocked = m_counters.blocked;
    s.prompted = m_counters.prompted;
    s.timeouts = m_counters.timeouts;
    s.lost_events = lost;
    s.resyncs = m_counters.resyncs;
    // The kernel does not report ignore-mark hits; what is known is how
    // many allow-cache entries were installed.
    s.cache_hits = m_counters.cacheInstalls;
    s.next_seq = m_nextSeq;
    s.uptime_ms = monotonicMs() - m_startMs;
    s.generation = p.generation;
    const ImageDigests::Figures &d = m_digests.figures();
    s.digest_hits = d.hits;
    s.digest_misses = d.misses;
    s.digest_bytes = d.bytes;
    s.digest_unknown = d.unknown;
    s.digest_wait_max_ms = d.longestWaitMs;
    s.digest_waiting = static_cast<uint32_t>(m_digestHolds.size() + m_digestReports.size());
    gateMeasures(&s.gate_measures, &s.gate_open);
    c.queue(&s, sizeof s);
}

void Daemon::gateMeasures(uint32_t *measures, uint32_t *open) const
{
    uint32_t m = PG_GATE_LOADER;
    if (m_loaderGuard == LoaderGuard::Opens)
        m |= PG_GATE_LOADER_OPENS;
    if (m_mounts.fd() >= 0)
        m |= PG_GATE_NEW_MOUNTS;
    if (m_options.m_memfdNoexec && m_memfd.available())
        m |= PG_GATE_MEMFD;
    if (m_options.m_endUnseen)
        m |= PG_GATE_UNSEEN;
    if (m_sentry.connected())
        m |= PG_GATE_WHILE_DOWN;
    if (m_freezer.available())
        m |= PG_GATE_FREEZER;
    *measures = m;
    // What stays open: every class whose measure is not in force (the
    // loader class is always closed: refused without a freezer).
    const uint32_t classes =
        PG_GATE_NEW_MOUNTS | PG_GATE_MEMFD | PG_GATE_UNSEEN | PG_GATE_WHILE_DOWN | PG_GATE_FREEZER;
    *open = classes & ~m;
}

void Daemon::sendResult(ClientConnection &c, uint64_t requestId, uint32_t status, uint32_t detail,
                        const char *text)
{
    pg_result r;
    std::memset(&r, 0, sizeof r);
    r.hdr.size = sizeof r;
    r.hdr.version = c.m_version;
    r.hdr.type = PG_MSG_RESULT;
    r.hdr.request_id = requestId;
    r.status = status;
    r.detail = detail;
    std::snprintf(r.text, sizeof r.text, "%s", text);
    c.queue(&r, sizeof r);
}

void Daemon::sendHelloReply(ClientConnection &c, uint64_t requestId, uint32_t status, uint16_t role,
                            bool final)
{
    pg_hello_reply r;
    std::memset(&r, 0, sizeof r);
    r.hdr.size = sizeof r;
    r.hdr.version = status == PG_OK ? c.m_version : static_cast<uint16_t>(PG_PROTOCOL_VERSION);
    r.hdr.type = PG_MSG_HELLO_REPLY;
    r.hdr.request_id = requestId;
    r.status = status;
    r.version = status == PG_OK ? c.m_version : static_cast<uint16_t>(PG_PROTOCOL_VERSION);
    r.role = role;
    r.platform = PG_PLATFORM_LINUX;
    r.server_pid = m_selfPid;
    r.next_seq = m_nextSeq;
    // The name says where process facts come from: "procguardd 0.1.0 (bpf)".
    std::snprintf(r.name, sizeof r.name, "procguardd %s (%s)", PG_DAEMON_VERSION, factSourceName());
    c.queue(&r, sizeof r);
    if (final)
        c.m_closeRequested = true;
}

void Daemon::serviceClients()
{
    std::vector<uint64_t> drop;
    for (auto &kv : m_clients) {
        ClientConnection &c = *kv.second;
        if (c.m_closeRequested) {
            drop.push_back(kv.first);
            continue;
        }
        if (!c.flush()) {
            drop.push_back(kv.first);
            continue;
        }
        // Requests left unread while replies piled up.
        if (!c.inputPaused())
            processInput(c);
        if (c.m_closeRequested) {
            drop.push_back(kv.first);
            continue;
        }
        updateEpoll(c);
    }
    for (uint64_t id : drop)
        closeClient(id, "closed by the server");
}

void Daemon::updateEpoll(ClientConnection &c)
{
    uint32_t mask = 0;
    if (!c.inputPaused())
        mask |= EPOLLIN;
    if (c.wantsWrite())
        mask |= EPOLLOUT;
    if (mask == c.m_epollMask)
        return;
    struct epoll_event ev;
    std::memset(&ev, 0, sizeof ev);
    ev.events = mask;
    ev.data.u64 = c.id();
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd(), &ev);
    c.m_epollMask = mask;
}

void Daemon::closeClient(uint64_t id, const char *why)
{
    auto it = m_clients.find(id);
    if (it == m_clients.end())
        return;
    std::unique_ptr<ClientConnection> c = std::move(it->second);
    m_clients.erase(it);
    // Last words (an error reply) go out best effort, never waited for.
    c->flush();
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, c->fd(), nullptr);
    m_counters.lostClosedClients += c->lostTotal();
    PG_LOG_INFO("client %s (pid %u) %s", c->m_name.empty() ? "?" : c->m_name.c_str(), c->pid(),
                why);
    if (id == m_controllerId) {
        m_controllerId = 0;
        m_controllerPid = 0;
        // Nobody is left to answer: every hold gets its default verdict
        // now - but a start waiting for its digest waits for the pool, not
        // for the controller, and is decided as the digest says.
        uint32_t n = 0;
        if (m_digestHolds.empty()) {
            n = pg_pending_resolve_all(&m_pending, PG_SRC_DISCONNECT, &Daemon::pendingResolved,
                                       this);
        } else {
            std::vector<uint64_t> ids;
            for (const auto &kv : m_holds) {
                if (!kv.second.awaitingDigest)
                    ids.push_back(kv.first);
            }
            for (uint64_t holdId : ids) {
                const pg_pending_entry *e = pg_pending_find(&m_pending, holdId);
                if (e == nullptr)
                    continue;
                pg_pending_entry out;
                if (pg_pending_resolve(&m_pending, holdId, e->default_verdict, PG_SRC_DISCONNECT,
                                       &out) == PG_OK) {
                    finishHold(out);
                    ++n;
                }
            }
        }
        if (n > 0)
            PG_LOG_INFO("controller gone: %u hold(s) decided by default", n);
        rearmTimer();
    }
}
