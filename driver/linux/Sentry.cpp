// Sentry.cpp - see Sentry.h.
#include "Sentry.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/fanotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "DigestPool.h"
#include "ElfProbe.h"
#include "ExecOrigin.h"
#include "FileIdentity.h"
#include "Log.h"
#include "ProcFs.h"
#include "SentryChannel.h"

namespace
{

// Event fds procguardd may have had open when it died: answered by number
// at the takeover (fanotify matches a response to a waiting event by the
// fd number it was read with, whoever writes it).
constexpr int kOrphanScan = 65536;

const char *modeName(uint32_t m)
{
    return m == PG_MODE_MONITOR ? "monitor" : m == PG_MODE_PROMPT ? "prompt" : "lockdown";
}

void respond(int gate, int fd, bool allow)
{
    struct fanotify_response r;
    r.fd = fd;
    r.response = allow ? FAN_ALLOW : FAN_DENY;
    ssize_t ignored = ::write(gate, &r, sizeof r);
    (void)ignored; // ENOENT: the waiting task is gone
}

} // namespace

Sentry::Sentry(const Options &options) : m_options(options), m_self(static_cast<uint32_t>(getpid()))
{
}

Sentry::~Sentry()
{
    closeGate();
    if (m_link >= 0)
        ::close(m_link);
    if (m_signalFd >= 0)
        ::close(m_signalFd);
}

int Sentry::run()
{
    if (geteuid() != 0) {
        std::fprintf(stderr, "procguard-sentry: must run as root (it holds procguardd's "
                             "fanotify group).\n");
        return 1;
    }
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    signal(SIGPIPE, SIG_IGN);
    m_signalFd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    // Everything that reads files happens now, before any gate is held.
    m_interpreters.collect();
    m_stacks = ExecOrigin::available();
    PG_LOG_INFO("procguard-sentry: waiting for procguardd on %s", m_options.socketPath.c_str());

    bool stopping = false;
    while (!stopping) {
        struct pollfd fds[2];
        nfds_t n = 0;
        fds[n++] = {m_signalFd, POLLIN, 0};
        int timeout = -1;
        if (m_link >= 0) {
            fds[n++] = {m_link, POLLIN | POLLRDHUP, 0};
        } else {
            if (connect())
                continue;
            timeout = kRetryMs;
            if (m_holding)
                fds[n++] = {m_gate, POLLIN, 0};
        }
        if (poll(fds, n, timeout) < 0 && errno != EINTR)
            break;
        if ((fds[0].revents & POLLIN) != 0) {
            struct signalfd_siginfo si;
            while (::read(m_signalFd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
                if (si.ssi_signo != SIGHUP)
                    stopping = true;
            }
        }
        if (n > 1 && fds[1].revents != 0) {
            if (m_link >= 0) {
                bool released = false;
                if (!readLink(&released)) {
                    ::close(m_link);
                    m_link = -1;
                    if (released) {
                        closeGate();
                        PG_LOG_INFO("procguardd stopped cleanly: gate released; waiting for it");
                    } else {
                        takeOver();
                    }
                }
            } else {
                serve(m_gate);
            }
        }
    }
    if (m_holding)
        serve(m_gate);
    closeGate();
    PG_LOG_INFO("procguard-sentry: stopped (%llu start(s) answered while procguardd was down)",
                static_cast<unsigned long long>(m_answered));
    return 0;
}

bool Sentry::connect()
{
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return false;
    struct sockaddr_un addr;
    std::memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, m_options.socketPath.c_str(), sizeof addr.sun_path - 1);
    if (::connect(s, reinterpret_cast<struct sockaddr *>(&addr), sizeof addr) != 0 ||
        fcntl(s, F_SETFL, O_NONBLOCK) != 0) {
        ::close(s);
        return false;
    }
    // HELLO comes at once; never wait for it without a bound.
    std::vector<uint8_t> buf;
    std::vector<sentry::Frame> frames;
    int fd = -1;
    for (int tries = 0; tries < 20 && frames.empty(); ++tries) {
        struct pollfd p = {s, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        if (sentry::receive(s, &buf, &fd) <= 0 || !sentry::decode(&buf, &frames))
            break;
    }
    if (frames.empty() || frames.front().type != sentry::kHello || fd < 0) {
        if (fd >= 0)
            ::close(fd);
        ::close(s);
        return false;
    }
    // A procguardd is back. The group we held for the one that died is
    // drained and let go: its marks are replaced by the new one's.
    if (m_holding) {
        serve(m_gate);
        PG_LOG_INFO("procguardd is back: handing over (%llu start(s) answered meanwhile)",
                    static_cast<unsigned long long>(m_answered));
    }
    closeGate();
    m_gate = fd;
    m_link = s;
    m_buffer = std::move(buf);
    uint32_t pid = 0;
    if (frames.front().payload.size() >= 4)
        std::memcpy(&pid, frames.front().payload.data(), 4);
    for (size_t i = 1; i < frames.size(); ++i) {
        if (frames[i].type == sentry::kPolicy)
            applyPolicy(frames[i].payload);
    }
    PG_LOG_INFO("connected to procguardd (pid %u): holding its gate while it runs", pid);
    return true;
}

bool Sentry::readLink(bool *released)
{
    int fd = -1;
    const long n = sentry::receive(m_link, &m_buffer, &fd);
    if (fd >= 0)
        ::close(fd); // only HELLO carries one
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK;
    if (n == 0)
        return false;
    std::vector<sentry::Frame> frames;
    if (!sentry::decode(&m_buffer, &frames)) {
        PG_LOG_ERROR("procguardd sent a malformed frame; treating it as gone");
        return false;
    }
    for (const sentry::Frame &f : frames) {
        if (f.type == sentry::kPolicy) {
            applyPolicy(f.payload);
        } else if (f.type == sentry::kRelease) {
            *released = true;
            return false;
        }
    }
    return true;
}

void Sentry::applyPolicy(const std::vector<uint8_t> &bytes)
{
    uint32_t detail = 0;
    if (pg_validate_client_message(bytes.data(), bytes.size(), &detail) != PG_OK ||
        m_policy.apply(bytes.data(), bytes.size(), &detail) != PG_OK) {
        PG_LOG_ERROR("procguardd sent rules that do not validate (detail %u); keeping the last",
                     detail);
        return;
    }
    m_havePolicy = true;
    PG_LOG_DEBUG("rules in force: mode %s, %u rule(s)", modeName(m_policy.policy().mode),
                 m_policy.policy().rule_count);
}

void Sentry::takeOver()
{
    if (m_gate < 0)
        return;
    m_holding = true;
    const uint32_t mode =
        m_havePolicy ? m_policy.policy().mode : static_cast<uint32_t>(PG_MODE_MONITOR);
    // What procguardd had read and not answered: refused unless monitor.
    const bool orphanAllow = mode == PG_MODE_MONITOR;
    for (int fd = 0; fd < kOrphanScan; ++fd)
        respond(m_gate, fd, orphanAllow);
    serve(m_gate);
    PG_LOG_WARN("procguardd is gone without a clean stop: holding the gate in %s mode until it "
                "is back",
                modeName(mode));
}

void Sentry::serve(int gate)
{
    if (gate < 0)
        return;
    alignas(struct fanotify_event_metadata) unsigned char buf[16 * 1024];
    for (;;) {
        ssize_t n = ::read(gate, buf, sizeof buf);
        if (n <= 0)
            return; // EAGAIN: nothing waits
        size_t off = 0;
        while (off + sizeof(struct fanotify_event_metadata) <= static_cast<size_t>(n)) {
            struct fanotify_event_metadata meta;
            std::memcpy(&meta, buf + off, sizeof meta);
            if (meta.event_len < sizeof meta)
                return;
            off += meta.event_len;
            if (meta.fd < 0)
                continue;
            const bool perm = (meta.mask & (FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM)) != 0;
            const char *why = "";
            bool allow = true;
            if (perm) {
                allow = decide(meta, &why);
                respond(gate, meta.fd, allow);
            }
            const std::string image = *why != '\0' ? ProcFs::fdPath(meta.fd) : std::string();
            ::close(meta.fd);
            if (*why != '\0') {
                ++m_answered;
                PG_LOG_INFO("procguardd down: %s pid=%d image=%s (%s)",
                            allow ? "allowed" : "refused", meta.pid, image.c_str(), why);
            }
        }
    }
}

bool Sentry::decide(const fanotify_event_metadata &meta, const char **why)
{
    const int fd = meta.fd;
    const uint32_t pid = static_cast<uint32_t>(meta.pid);
    if (pid == m_self)
        return true;
    if ((meta.mask & FAN_OPEN_EXEC_PERM) != 0) {
        // The ELF interpreter of a dynamic program: not a start of its own.
        // A run of the interpreter itself ("ld.so prog") is a start of
        // prog, which only procguardd can decide (it holds the process
        // until the exec completed): refused for users meanwhile.
        if (m_interpreters.containsFile(fd)) {
            if (m_stacks && ExecOrigin::classify(pid) != ExecOrigin::Kind::Secondary)
                return decideLoaderRun(pid, why);
            return true;
        }
        return decideStart(fd, pid, why);
    }
    // A plain open: only the loader mapping a program ("ld.so prog") is a
    // start, as in procguardd.
    if (m_havePolicy && m_policy.policy().mode != PG_MODE_MONITOR &&
        m_interpreters.isInterpreterProcess(pid) && ElfProbe::isExecutable(fd))
        return decideStart(fd, pid, why);
    return true;
}

bool Sentry::decideLoaderRun(uint32_t pid, const char **why)
{
    ProcFs::Status status;
    if (!m_havePolicy) {
        *why = "no rules received";
        return true;
    }
    if (m_policy.policy().mode == PG_MODE_MONITOR) {
        *why = "monitor";
        return true;
    }
    if (ProcFs::readStatus(pid, &status) && status.uid < kFirstUserUid) {
        *why = "root or a system account";
        return true;
    }
    *why = "a program run through its ELF interpreter";
    return false;
}

bool Sentry::decideStart(int fd, uint32_t pid, const char **why)
{
    ProcFs::Status status;
    const bool haveStatus = ProcFs::readStatus(pid, &status);
    if (!m_havePolicy) {
        *why = "no rules received";
        return true;
    }
    const pg_policy &pol = m_policy.policy();
    if (pol.mode == PG_MODE_MONITOR) {
        *why = "monitor";
        return true;
    }
    if (haveStatus && status.uid < kFirstUserUid) {
        *why = "root or a system account";
        return true;
    }
    const std::string image = ProcFs::fdPath(fd);
    ProcFs::Stat stat;
    const uint32_t ppid = ProcFs::readStat(pid, &stat) ? stat.ppid : 0;
    const std::string parentImage = ppid != 0 ? ProcFs::exePath(ppid) : std::string();
    std::vector<uint32_t> gids;
    if (haveStatus) {
        gids.push_back(status.gid);
        gids.insert(gids.end(), status.groups.begin(), status.groups.end());
    }
    pg_match_input in;
    std::memset(&in, 0, sizeof in);
    in.image = image.c_str();
    in.image_len = image.size();
    in.parent_image = parentImage.empty() ? nullptr : parentImage.c_str();
    in.parent_len = parentImage.size();
    in.uid = haveStatus ? status.uid : 0xFFFFFFFFu;
    in.gids = gids.empty() ? nullptr : gids.data();
    in.gid_count = gids.size();
    in.known |= PG_FACT_SIGNER; // no Authenticode on Linux
    FileIdentity::SystemFs fs;
    if (!fs.load() || FileIdentity::decide(fs, fd, image) != FileIdentity::Trust::Trusted)
        in.path_flags |= PG_PATH_IMAGE_UNTRUSTED;
    std::string sha;
    pg_match_result match;
    bool matched = false;
    for (int round = 0; round < 3; ++round) {
        std::memset(&match, 0, sizeof match);
        matched = pg_rule_cache_match(&m_policy.cache(), &in, &match) != 0;
        const uint32_t missing = match.needs & ~static_cast<uint32_t>(PG_FACT_CMDLINE);
        if (missing == 0)
            break;
        if ((missing & PG_FACT_SHA256) != 0) {
            DigestPool::Result r;
            if (DigestPool::hashFd(fd, DigestPool::kSha256, m_options.digestMaxBytes, nullptr, &r))
                sha = r.sha256;
            in.known |= PG_FACT_SHA256;
            in.sha256_hex = sha.empty() ? nullptr : sha.c_str();
        }
        if ((missing & PG_FACT_PACKAGE) != 0)
            in.known |= PG_FACT_PACKAGE; // no dpkg index here: not from a package
    }
    if ((match.needs & PG_FACT_CMDLINE) != 0) {
        *why = "a command-line rule could decide, and nothing can wait for it now";
        return false;
    }
    if (matched && match.action == PG_VERDICT_ALLOW) {
        *why = "allowed by a rule";
        return true;
    }
    if (matched && match.action == PG_VERDICT_BLOCK) {
        *why = "blocked by a rule";
        return false;
    }
    if (pol.mode == PG_MODE_LOCKDOWN) {
        *why = "lockdown, no rule allows it";
        return false;
    }
    *why = "prompt, nobody to ask: default verdict";
    return pol.default_verdict == PG_VERDICT_ALLOW;
}

void Sentry::closeGate()
{
    if (m_gate >= 0)
        ::close(m_gate);
    m_gate = -1;
    m_holding = false;
}
