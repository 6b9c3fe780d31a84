// SyncCommand.cpp - `procguardctl sync`: a client of a Santa sync server.
//
// One sync (--once) or the sync service (without it): the service syncs at
// once and then every full_sync_interval the server asks for, and in
// between observes procguardd as a read-only client, turning each
// decision Santa reports (blocks; every decision when the server enables
// it) into an event in the spool (EventSpool.h) that the next sync
// uploads. procguardd not running is no error for the service: it syncs
// anyway and connects when the daemon is there (retried every 10 s).
//
// What a sync writes (the managed policy file, the state file) and how it
// talks HTTP is SyncClient's (app/sync); this file wires the command line,
// the config file, the machine's facts, the locks and the waits.
// Every wait is bounded and ends on SIGINT/SIGTERM (ctx.stopFd).
#include <fcntl.h>
#include <filesystem>
#include <grp.h>
#include <map>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "Commands.h"
#include "ExitCodes.h"
#include "FileDigest.h"
#include "FileSystem.h"
#include "MachineInfo.h"
#include "SyncClient.h"

#ifndef PG_VERSION_STRING
#define PG_VERSION_STRING "0.0.0"
#endif

namespace pg
{
namespace ctl
{

namespace
{

constexpr const char *kDefaultSyncConfig = "/etc/procguard/sync.json";
constexpr int kReconnectMs = 10000;
constexpr int kRetryAfterFailureS = 60;
constexpr int kSyncLockWaitMs = 30000;

std::string baseName(const std::string &path)
{
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string dirName(const std::string &path)
{
    const size_t slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// The state folder and its state file are readable by the group procguard
// (where it exists), so that the panel and `procguardctl status` run by its
// members show the sync; the spool and the lock stay root's.
void shareWithGroup(const std::string &path, mode_t mode)
{
    struct group *g = ::getgrnam("procguard");
    if (g == nullptr)
        return;
    if (::chown(path.c_str(), static_cast<uid_t>(-1), g->gr_gid) == 0)
        ::chmod(path.c_str(), mode);
}

// Holds flock(LOCK_EX) on the sync lock: one sync at a time per state
// folder (the service and a --once from a timer or a person).
class SyncLock
{
public:
    bool acquire(const std::string &dir, Context &ctx)
    {
        m_fd = ::open((dir + "/sync.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (m_fd < 0)
            return false;
        for (int waited = 0; waited <= kSyncLockWaitMs; waited += 100) {
            if (::flock(m_fd, LOCK_EX | LOCK_NB) == 0)
                return true;
            std::vector<bool> ready;
            waitReadable({ctx.stopFd}, 100, &ready);
            if (ready[0])
                break;
        }
        ::close(m_fd);
        m_fd = -1;
        return false;
    }
    ~SyncLock()
    {
        if (m_fd >= 0)
            ::close(m_fd); // releases the lock
    }

private:
    int m_fd = -1;
};

// Waits ms, or less when stopped. True when stopped.
bool pause(Context &ctx, uint32_t ms)
{
    std::vector<bool> ready;
    waitReadable({ctx.stopFd}, static_cast<int>(ms), &ready);
    return ready[0];
}

int64_t nowUtc(Context &ctx)
{
    return static_cast<int64_t>(ctx.nowNs() / 1000000000ull);
}

// One sync, under the sync lock; prints one line. True on success.
bool syncOnce(const sync::SyncConfig &config, sync::EventSpool &spool, Context &ctx,
              sync::SyncResult *out)
{
    SyncLock lock;
    if (!lock.acquire(config.stateDir, ctx)) {
        *ctx.err << "Another sync is running with the state in " << config.stateDir << " (waited "
                 << kSyncLockWaitMs / 1000 << " s).\n";
        out->ok = false;
        out->error = "Another sync was running.";
        return false;
    }
    // Collected for every sync: the host name or the person logged in may change.
    sync::MachineFacts facts = sync::collectMachineFacts();
    facts.clientVersion = PG_VERSION_STRING;
    sync::CurlHttpClient http(config.tls);
    sync::SyncClient client(http, config, policy::systemFileSystem(),
                            [&ctx](uint32_t ms) { pause(ctx, ms); });
    *out = client.run(facts, &spool, nowUtc(ctx));
    shareWithGroup(config.stateDir + "/" + sync::kSyncStateFile, 0640);
    if (!out->stateError.empty())
        *ctx.err << out->stateError << '\n';
    if (!out->ok) {
        *ctx.err << "Sync with " << config.url << " failed: " << out->error << '\n';
        return false;
    }
    const sync::ApplyCounts &c = out->counts;
    *ctx.out << "Synced with " << config.url << ": mode " << toString(out->mode) << ", "
             << out->rulesInFile << " rules in " << config.policyFile << " ("
             << (out->preflight.cleanSync ? "clean sync, " : "") << c.received << " received, "
             << c.added << " added, " << c.removed << " removed";
    const uint32_t ignored = c.ignoredType + c.ignoredPolicy + c.invalid + c.ignoredRegex;
    if (ignored > 0)
        *ctx.out << ", " << ignored << " ignored";
    *ctx.out << "), " << out->uploaded << " events uploaded.\n";
    for (const std::string &n : c.notes)
        *ctx.err << "  " << n << '\n';
    ctx.out->flush();
    return true;
}

// The decision the spool keeps for one verdict event, or nothing.
std::optional<sync::UploadEvent> toUpload(const Event &e, const std::map<uint32_t, RuleKind> &kinds,
                                          bool uploadAll, Context &ctx)
{
    std::optional<RuleKind> kind;
    auto it = kinds.find(e.ruleId);
    if (e.ruleId != 0 && it != kinds.end())
        kind = it->second;
    const std::optional<std::string> decision = sync::decisionFor(e, kind);
    if (!decision)
        return std::nullopt;
    if (!uploadAll && decision->compare(0, 6, "BLOCK_") != 0 && !sync::isUnknownDecision(*decision))
        return std::nullopt;
    sync::UploadEvent u;
    u.decision = *decision;
    u.filePath = dirName(e.image);
    u.fileName = baseName(e.image);
    u.pid = e.pid;
    u.ppid = e.ppid;
    u.parentName = baseName(e.parentImage);
    u.executionTime = static_cast<double>(e.timeNs) / 1e9;
    u.executingUser = ctx.processes ? ctx.processes->userName(e.uid) : std::to_string(e.uid);
    if (u.executingUser.empty())
        u.executingUser = std::to_string(e.uid);
    // The digest of the file there now: where the daemon decided by digest
    // it hashed the same file; a file replaced since gives another digest.
    std::string hex, why;
    if (!e.image.empty() && sha256OfFile(e.image, &hex, &why))
        u.fileSha256 = hex;
    return u;
}

} // namespace

int runSync(const Options &o, Context &ctx)
{
    sync::SyncConfig config;
    std::string error;
    const std::string configPath = o.syncConfig.empty() ? kDefaultSyncConfig : o.syncConfig;
    if (!o.syncConfig.empty() || ::access(configPath.c_str(), F_OK) == 0) {
        if (!sync::loadSyncConfig(configPath, &config, &error)) {
            *ctx.err << error << '\n';
            return kExitUsage;
        }
    }
    if (!o.syncUrl.empty())
        config.url = o.syncUrl;
    if (!o.syncMachineId.empty())
        config.machineId = o.syncMachineId;
    for (const std::string &h : o.syncHeaders) {
        const size_t colon = h.find(':');
        std::string value = h.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        config.headers.emplace_back(h.substr(0, colon), value);
    }
    if (!o.syncPolicyFile.empty())
        config.policyFile = o.syncPolicyFile;
    if (!o.syncStateDir.empty())
        config.stateDir = o.syncStateDir;
    if (o.syncNoCompression)
        config.compress = false;
    if (!o.syncCaFile.empty())
        config.tls.caFile = o.syncCaFile;
    if (!o.syncClientCert.empty())
        config.tls.clientCert = o.syncClientCert;
    if (!o.syncClientKey.empty())
        config.tls.clientKey = o.syncClientKey;
    config.requestCleanSync = o.syncClean;
    if (config.url.empty()) {
        *ctx.err << "No sync server: give --url or \"url\" in " << configPath << ".\n";
        return kExitUsage;
    }
    if (config.url.rfind("https://", 0) != 0 && config.url.rfind("http://", 0) != 0) {
        *ctx.err << "The sync URL \"" << config.url << "\" is not http:// or https://.\n";
        return kExitUsage;
    }
    if (config.machineId.empty()) {
        std::optional<std::string> id = sync::readMachineId("/etc/machine-id", &error);
        if (!id) {
            *ctx.err << error << '\n';
            return kExitUsage;
        }
        config.machineId = *id;
    }
    std::error_code ec;
    for (const std::string &dir : {config.stateDir, dirName(config.policyFile)}) {
        std::filesystem::create_directories(dir, ec);
        if (ec) {
            *ctx.err << "Cannot create " << dir << " (" << ec.message() << ").\n";
            return kExitFailed;
        }
    }

    shareWithGroup(config.stateDir, 0750);

    sync::EventSpool spool(config.stateDir + "/events.jsonl", config.spoolLimit);
    sync::SyncResult result;
    if (o.syncOnce)
        return syncOnce(config, spool, ctx, &result) ? kExitOk : kExitFailed;

    // The service: sync, then observe and spool until the next one.
    *ctx.out << "Syncing with " << config.url << " as machine " << config.machineId
             << "; events spooled in " << spool.path() << ".\n";
    ctx.out->flush();
    // A queue per connection: a queue remembers that its link ended.
    std::unique_ptr<EventQueue> queue;
    Session session;
    std::map<uint32_t, RuleKind> kinds; // rule id -> kind, for the decision
    bool connected = false, warned = false;
    int64_t nextSync = 0, nextConnect = 0;
    Context quiet = ctx;
    std::ostringstream swallowed;
    quiet.err = &swallowed;
    auto refreshKinds = [&] {
        Policy p;
        if (!session.link->getPolicy(&p, ctx.requestTimeout)) {
            kinds.clear();
            for (const Rule &r : p.rules)
                kinds[r.id] = r.kind;
        }
    };
    for (;;) {
        const int64_t now = nowUtc(ctx);
        if (!connected && now >= nextConnect) {
            swallowed.str("");
            queue = std::make_unique<EventQueue>();
            if (openSession(o, quiet, false, false, queue.get(), &session) == kExitOk) {
                connected = true;
                warned = false;
                refreshKinds();
                *ctx.out << "Observing procguardd for events to upload.\n";
            } else {
                if (!warned)
                    *ctx.err << "procguardd is not reachable ("
                             << swallowed.str().substr(0, swallowed.str().find('\n'))
                             << "); syncing without collecting events, retrying every "
                             << kReconnectMs / 1000 << " s.\n";
                warned = true;
                nextConnect = now + kReconnectMs / 1000;
            }
            ctx.out->flush();
        }
        if (now >= nextSync) {
            const bool ok = syncOnce(config, spool, ctx, &result);
            const int64_t interval =
                ok ? result.preflight.fullSyncIntervalS
                   : std::min<int64_t>(kRetryAfterFailureS, result.preflight.fullSyncIntervalS);
            nextSync = nowUtc(ctx) + interval;
        }
        int64_t wakeAt = nextSync;
        if (!connected)
            wakeAt = std::min(wakeAt, nextConnect);
        const int64_t waitS = std::max<int64_t>(0, wakeAt - nowUtc(ctx));
        std::vector<bool> ready;
        waitReadable({connected ? queue->fd() : kNoWaitHandle, ctx.stopFd},
                     static_cast<int>(std::min<int64_t>(waitS, 3600) * 1000 + 50), &ready);
        if (ready[1])
            break;
        if (!connected)
            continue;
        queue->drainWakeup();
        std::optional<Error> gone;
        std::vector<sync::UploadEvent> batch;
        sync::SyncState state;
        std::string stateError;
        sync::readSyncState(config.stateDir, &state, &stateError);
        for (const Event &e : queue->take(&gone)) {
            if (e.kind == EventKind::Policy)
                refreshKinds();
            if (e.kind == EventKind::Overflow)
                *ctx.err << "procguardd dropped " << e.lost
                         << " events; their decisions are not uploaded.\n";
            if (e.kind != EventKind::Verdict)
                continue;
            if (std::optional<sync::UploadEvent> u = toUpload(e, kinds, state.uploadAllEvents, ctx))
                batch.push_back(std::move(*u));
        }
        if (!spool.append(batch, &error))
            *ctx.err << error << '\n';
        if (gone) {
            session.link->close();
            connected = false;
            nextConnect = nowUtc(ctx) + kReconnectMs / 1000;
            *ctx.err << "The connection to procguardd ended; reconnecting.\n";
        }
        ctx.out->flush();
    }
    if (connected)
        session.link->close();
    return kExitOk;
}

} // namespace ctl
} // namespace pg
