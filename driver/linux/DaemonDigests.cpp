// DaemonDigests.cpp - the starts that wait for their image's digest. See
// Daemon.h and ImageDigests.h.
//
// A SHA-256 rule or a package rule (dpkg's MD5) can only decide a start
// once the program's digest is known. A digest in the cache decides at
// once, on the answering thread. A miss is computed by the digest pool,
// and only the start that needs it waits:
//   prompt, lockdown: the start becomes a hold (pg_pending) that no
//     person is asked about (awaitingDigest): the hold budget releases its
//     launcher and freezes it as for any hold, the policy's timeout ends
//     it with the default verdict, a stop with the default verdict. When
//     the digest arrives the ladder runs again and decides the hold, asks
//     a person, or waits for the command line. A client cannot answer it
//     and a controller's disconnect does not decide it.
//   monitor: nothing waits. The start is allowed at once; its VERDICT
//     event (would-block or not) follows when the digest is known.
// The event fd is kept (a dup, so that a frozen hold can still ask for a
// second digest) until the wait ends. Every path ends: the pool always
// answers a job (a read error, the size bound and a stop all end it), and
// the hold's deadline ends the wait regardless.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "Daemon.h"
#include "Log.h"

namespace
{

// A start never waits longer for its digest than this, even when the
// policy's timeout is "no limit".
constexpr uint32_t kDigestMaxWaitMs = 60000;
// Monitor-mode reports waiting for a digest (each keeps one fd open).
constexpr size_t kMaxDigestReports = 1024;

uint64_t monotonicMs()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}

uint32_t algoBit(DigestAlgo algo)
{
    return algo == DigestAlgo::Sha256 ? DigestPool::kSha256 : DigestPool::kMd5;
}

} // namespace

Daemon::DigestAnswer Daemon::imageDigest(int fd, DigestAlgo algo, DigestState *ds, std::string *hex)
{
    hex->clear();
    // No state: a second match after the exec (command line), whose
    // digests were settled at exec time.
    if (ds == nullptr)
        return DigestAnswer::Unknown;
    const uint32_t bit = algoBit(algo);
    if ((ds->failed & bit) != 0)
        return DigestAnswer::Unknown;
    if (!ds->versionKnown) {
        if (fd < 0 || !ImageDigests::versionOf(fd, &ds->version)) {
            ds->failed |= bit;
            ds->flags |= PG_EVF_NO_DIGEST;
            m_digests.countUnknown();
            return DigestAnswer::Unknown;
        }
        ds->versionKnown = true;
    }
    if (m_digests.cached(ds->version, algo, hex))
        return DigestAnswer::Known;
    if (ds->version.size > m_digests.maxBytes() || fd < 0) {
        // Past the size bound (never read), or nothing left to read from.
        ds->failed |= bit;
        ds->flags |= PG_EVF_NO_DIGEST;
        m_digests.countUnknown();
        return DigestAnswer::Unknown;
    }
    ds->missing |= bit;
    return DigestAnswer::Pending;
}

void Daemon::waitForDigest(int fd, uint32_t pid, uint16_t startFlags, StartFacts &&st)
{
    const pg_policy &pol = m_policy.policy();
    const bool monitor = pol.mode == PG_MODE_MONITOR;
    uint64_t job = 0;
    if (!m_stopping && (!monitor || m_digestReports.size() < kMaxDigestReports))
        job = m_digests.request(fd, st.digests.version, st.digests.missing);
    if (job == 0) {
        // The pool is full (or we are stopping): the digest is unknown for
        // this start, which the rules without it decide now.
        st.digests.failed |= st.digests.missing;
        st.digests.flags |= PG_EVF_NO_DIGEST;
        m_digests.countUnknown();
        matchExamined(fd, &st);
        decideExamined(fd, pid, std::move(st), ladder(st, startFlags));
        return;
    }
    st.digests.flags |= PG_EVF_DIGEST_WAIT;
    const uint64_t now = monotonicMs();
    if (monitor) {
        // Monitor never holds: allowed now, reported when the digest is in.
        m_gate.respond(fd, true);
        DigestReport r;
        r.job = job;
        r.fd = fd;
        r.pid = pid;
        r.startFlags = startFlags;
        r.sinceMs = now;
        r.st = std::move(st);
        m_digestReports.push_back(std::move(r));
        return;
    }
    const uint8_t def = static_cast<uint8_t>(pol.default_verdict);
    const uint32_t timeout =
        pol.timeout_ms == 0 ? kDigestMaxWaitMs : std::min(pol.timeout_ms, kDigestMaxWaitMs);
    uint64_t holdId = 0;
    if (pg_pending_add(&m_pending, pid, now, timeout, pol.hold_budget_ms, def, nullptr, &holdId) !=
        PG_OK) {
        decideNow(fd, pid, st.ppid, st.uid, st.image, st.parentImage, def, PG_SRC_OVERLOAD, 0,
                  PG_EVF_DIGEST_WAIT, false);
        return;
    }
    HeldStart &h = m_holds[holdId];
    h.holdId = holdId;
    h.eventFd = fd;
    h.pid = pid;
    h.ppid = st.ppid;
    h.uid = st.uid;
    h.defaultVerdict = def;
    h.image = st.image;
    h.parentImage = st.parentImage;
    h.person = false;
    h.awaitingDigest = true;
    h.digestJob = job;
    h.eventFlags = static_cast<uint16_t>(startFlags | PG_EVF_DIGEST_WAIT);
    h.sinceMs = now;
    // The hold carries the identity fact from here (FileIdentity.h).
    h.pathFlags = st.facts.pathFlags;
    m_untrustedFds.erase(fd);
    st.digests.fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    m_digestHolds[holdId] = std::move(st);

    pg_event ev = makeEvent(PG_EV_WAIT, pid);
    ev.hold_id = holdId;
    ev.ppid = h.ppid;
    ev.creator_pid = h.ppid;
    ev.uid = h.uid;
    ev.timeout_ms = timeout;
    ev.default_verdict = def;
    ev.flags = static_cast<uint16_t>(h.eventFlags | pathEventFlags(h.pathFlags));
    const std::string image = h.image, parentImage = h.parentImage;
    emit(ev, image, std::string(), parentImage, false);
    PG_LOG_DEBUG("hold %llu pid=%u image=%s waits for its digest (job %llu)",
                 static_cast<unsigned long long>(holdId), pid, image.c_str(),
                 static_cast<unsigned long long>(job));
    rearmTimer();
}

void Daemon::onDigestsReady()
{
    std::vector<std::string> failures;
    for (const ImageDigests::Done &done : m_digests.collect()) {
        if (!done.ok)
            failures.push_back(done.error);
        std::vector<uint64_t> holds;
        for (const auto &kv : m_digestHolds) {
            auto h = m_holds.find(kv.first);
            if (h != m_holds.end() && h->second.digestJob == done.job)
                holds.push_back(kv.first);
        }
        for (uint64_t holdId : holds)
            resumeDigestHold(holdId, done.ok);
        for (size_t i = m_digestReports.size(); i-- > 0;) {
            if (m_digestReports[i].job == done.job)
                resumeDigestReport(i, done.ok);
        }
    }
    rearmTimer();
    // Logged last: every start those jobs held has its answer now.
    for (const std::string &why : failures)
        PG_LOG_WARN("a program's digest could not be computed (%s); rules that need it did not "
                    "match",
                    why.c_str());
}

void Daemon::resumeDigestHold(uint64_t holdId, bool jobOk)
{
    auto it = m_digestHolds.find(holdId);
    auto ht = m_holds.find(holdId);
    if (it == m_digestHolds.end() || ht == m_holds.end())
        return;
    StartFacts &st = it->second;
    HeldStart &h = ht->second;
    if (!jobOk) {
        st.digests.failed |= st.digests.missing;
        st.digests.flags |= PG_EVF_NO_DIGEST;
        m_digests.countUnknown();
    }
    const int fd = st.digests.fd;
    if (!matchExamined(fd, &st)) {
        // A second digest is needed (the MD5 of a package check after the
        // SHA-256): wait for it as well.
        const uint64_t job = m_digests.request(fd, st.digests.version, st.digests.missing);
        if (job != 0) {
            h.digestJob = job;
            return;
        }
        st.digests.failed |= st.digests.missing;
        st.digests.flags |= PG_EVF_NO_DIGEST;
        m_digests.countUnknown();
        matchExamined(fd, &st);
    }
    const Outcome o = ladder(st, static_cast<uint16_t>(h.eventFlags & PG_EVF_INTERPRETER));
    h.eventFlags |= st.digests.flags;
    h.awaitingDigest = false;
    h.ruleId = o.ruleId;
    // The facts found so far, for a second match on the command line.
    h.gids = st.facts.gids;
    h.shaKnown = st.facts.shaKnown;
    h.sha = st.facts.sha;
    h.packageKnown = st.facts.packageKnown;
    h.package = st.facts.package;
    h.pathFlags = st.facts.pathFlags;
    const pg_match_result provisional = st.match;
    dropDigestHold(holdId); // st is gone from here on
    switch (o.kind) {
    case Outcome::Kind::Decide:
        h.cacheable = o.cacheable;
        h.eventFlags |= o.flags;
        resolveHold(holdId, o.verdict, o.source);
        return;
    case Outcome::Kind::AskPerson:
        if (m_controllerId == 0 || m_stopping)
            resolveHold(holdId, h.defaultVerdict, m_stopping ? PG_SRC_STOP : PG_SRC_NO_CLIENT);
        else
            askPersonForHold(h, std::string(), true);
        return;
    case Outcome::Kind::CmdlineHold:
        break;
    }
    // A command-line rule may decide: the exec must complete first, with
    // the program frozen (as startCmdlineHold does).
    if (!m_freezer.available()) {
        const uint32_t mode = m_policy.policy().mode;
        if (provisional.rule_id != 0 && provisional.action != PG_VERDICT_ASK)
            resolveHold(holdId, provisional.action, PG_SRC_RULE);
        else if (provisional.rule_id == 0 && mode == PG_MODE_LOCKDOWN)
            resolveHold(holdId, PG_VERDICT_BLOCK, PG_SRC_MODE);
        else if (m_controllerId == 0)
            resolveHold(holdId, h.defaultVerdict, PG_SRC_NO_CLIENT);
        else
            askPersonForHold(h, std::string(), true);
        return;
    }
    if (!h.frozen) {
        std::string error;
        if (!m_freezer.freeze(holdId, h.pid, &h.cgroup, &error)) {
            h.ruleId = 0;
            resolveHold(holdId, PG_VERDICT_BLOCK, PG_SRC_MODE);
            return;
        }
        m_gate.respond(h.eventFd, true);
        ::close(h.eventFd);
        h.eventFd = -1;
        h.frozen = true;
    }
    h.awaitingCmdline = true;
    h.sinceMs = monotonicMs();
    m_cmdlineWaits[h.pid] = holdId;
}

void Daemon::askPersonForHold(HeldStart &h, const std::string &cmdline, bool freshTimeout)
{
    const pg_policy &pol = m_policy.policy();
    // After a wait for a digest the person gets the whole timeout, from now.
    pg_pending_entry *e = pg_pending_find(&m_pending, h.holdId);
    if (freshTimeout && e != nullptr)
        e->deadline_ms = pol.timeout_ms == 0 ? PG_NO_DEADLINE : monotonicMs() + pol.timeout_ms;
    h.person = true;
    ++m_counters.prompted;
    pg_event ev = makeEvent(PG_EV_REQUEST, h.pid);
    ev.hold_id = h.holdId;
    ev.ppid = h.ppid;
    ev.creator_pid = h.ppid;
    ev.uid = h.uid;
    ev.timeout_ms = pol.timeout_ms;
    ev.default_verdict = h.defaultVerdict;
    ev.rule_id = h.ruleId;
    ev.flags = static_cast<uint16_t>(PG_EVF_HELD | (h.frozen ? PG_EVF_FROZEN : 0) |
                                     pathEventFlags(h.pathFlags));
    const uint64_t holdId = h.holdId;
    const std::string image = h.image, parentImage = h.parentImage;
    if (!emit(ev, image, cmdline, parentImage, true))
        resolveHold(holdId, h.defaultVerdict, PG_SRC_OVERLOAD);
}

void Daemon::resumeDigestReport(size_t index, bool jobOk)
{
    DigestReport r = std::move(m_digestReports[index]);
    m_digestReports.erase(m_digestReports.begin() + static_cast<std::ptrdiff_t>(index));
    if (!jobOk) {
        r.st.digests.failed |= r.st.digests.missing;
        r.st.digests.flags |= PG_EVF_NO_DIGEST;
        m_digests.countUnknown();
    }
    if (!matchExamined(r.fd, &r.st)) {
        const uint64_t job = m_digests.request(r.fd, r.st.digests.version, r.st.digests.missing);
        if (job != 0 && !m_stopping) {
            r.job = job;
            m_digestReports.push_back(std::move(r));
            return;
        }
        r.st.digests.failed |= r.st.digests.missing;
        r.st.digests.flags |= PG_EVF_NO_DIGEST;
        m_digests.countUnknown();
        matchExamined(r.fd, &r.st);
    }
    m_digests.noteWait(monotonicMs() - r.sinceMs);
    // Allowed already; the mode may have changed since, the report says
    // what the policy makes of it now.
    const Outcome o = ladder(r.st, r.startFlags);
    const bool ruled = o.kind == Outcome::Kind::Decide;
    reportDecision(r.fd, r.pid, r.st.ppid, r.st.uid, r.st.image, r.st.parentImage, PG_VERDICT_ALLOW,
                   ruled ? o.source : static_cast<uint8_t>(PG_SRC_MODE), o.ruleId,
                   static_cast<uint16_t>(o.flags | r.st.digests.flags),
                   ruled && o.verdict == PG_VERDICT_ALLOW && o.cacheable);
}

void Daemon::flushDigestReports()
{
    while (!m_digestReports.empty())
        resumeDigestReport(m_digestReports.size() - 1, false);
}

void Daemon::dropDigestHold(uint64_t holdId)
{
    auto it = m_digestHolds.find(holdId);
    if (it == m_digestHolds.end())
        return;
    if (it->second.digests.fd >= 0)
        ::close(it->second.digests.fd);
    m_digestHolds.erase(it);
    auto h = m_holds.find(holdId);
    if (h != m_holds.end())
        m_digests.noteWait(monotonicMs() - h->second.sinceMs);
}

void Daemon::resolveHold(uint64_t holdId, uint8_t verdict, uint8_t source)
{
    auto it = m_holds.find(holdId);
    const uint32_t ruleId = it != m_holds.end() ? it->second.ruleId : 0u;
    pg_pending_entry out;
    if (pg_pending_resolve(&m_pending, holdId, verdict, source, &out) != PG_OK)
        return;
    finishHold(out);
    if (source == PG_SRC_RULE && ruleId != 0)
        ruleDecided(ruleId);
}
