// StatusCommand.cpp - `procguardctl status [--json]`.
#include "Commands.h"
#include "ExitCodes.h"
#include "Format.h"
#include "SyncState.h"

#include <algorithm>
#include <fstream>

namespace pg
{
namespace ctl
{

namespace
{

// vm.memfd_noexec of this machine, or -1 where there is none.
int linuxMemfdNoexec()
{
    std::ifstream in("/proc/sys/vm/memfd_noexec");
    int v = -1;
    if (!(in >> v))
        return -1;
    return v;
}

// The Santa sync's state, when a sync ever ran (SyncState.h).
struct SyncView {
    bool present = false;
    sync::SyncState state;
    std::string error;
};

SyncView readSyncView(const Options &o)
{
    SyncView v;
    const std::string dir = o.syncStateDir.empty() ? sync::kDefaultSyncStateDir : o.syncStateDir;
    v.present = sync::readSyncState(dir, &v.state, &v.error);
    return v;
}

nlohmann::json syncJson(const SyncView &v)
{
    if (!v.error.empty())
        return nlohmann::json{{"error", v.error}};
    const sync::SyncState &s = v.state;
    return nlohmann::json{{"server", s.server},
                          {"machine_id", s.machineId},
                          {"last_attempt", s.lastAttempt},
                          {"last_success", s.lastSuccess},
                          {"last_error", s.lastError},
                          {"mode", s.mode},
                          {"policy_file", s.policyFile},
                          {"rules", s.rules},
                          {"ignored_rules", s.ignoredRules},
                          {"events_spooled", s.eventsSpooled},
                          {"events_uploaded", s.eventsUploaded},
                          {"events_dropped", s.eventsDropped}};
}

const char *stateText(ManagedFile::State s)
{
    switch (s) {
    case ManagedFile::State::InForce:
        return "in force";
    case ManagedFile::State::Rejected:
        return "REJECTED, its last good version stays in force";
    case ManagedFile::State::RejectedNone:
        return "REJECTED, none of it is in force";
    }
    return "?";
}

std::string managedSettings(uint32_t flags)
{
    std::string s;
    const std::pair<uint32_t, const char *> names[] = {{PG_MANF_MODE, "mode"},
                                                       {PG_MANF_DEFAULT_VERDICT, "default verdict"},
                                                       {PG_MANF_TIMEOUT, "timeout"},
                                                       {PG_MANF_HOLD_BUDGET, "hold budget"}};
    for (const auto &n : names)
        if ((flags & n.first) != 0)
            s += (s.empty() ? "" : ", ") + std::string(n.second);
    return s.empty() ? "none" : s;
}

const char *localRulesText(uint32_t flags)
{
    if ((flags & PG_MANF_LOCAL_NONE) != 0)
        return "none allowed";
    if ((flags & PG_MANF_LOCAL_BLOCK_ONLY) != 0)
        return "block rules only";
    return "allowed";
}

nlohmann::json managedJson(const ManagedStatus &m)
{
    nlohmann::json j;
    j["source"] = m.source;
    j["rules"] = m.ruleCount;
    j["rejected"] = m.rejected;
    nlohmann::json settings = nlohmann::json::array();
    for (const auto &n : {std::make_pair(PG_MANF_MODE, "mode"),
                          std::make_pair(PG_MANF_DEFAULT_VERDICT, "default_verdict"),
                          std::make_pair(PG_MANF_TIMEOUT, "timeout_ms"),
                          std::make_pair(PG_MANF_HOLD_BUDGET, "hold_budget_ms")})
        if ((m.flags & n.first) != 0)
            settings.push_back(n.second);
    j["managed_settings"] = settings;
    j["local_rules"] = (m.flags & PG_MANF_LOCAL_NONE) != 0         ? "none"
                       : (m.flags & PG_MANF_LOCAL_BLOCK_ONLY) != 0 ? "block-only"
                                                                   : "any";
    j["files"] = nlohmann::json::array();
    for (const ManagedFile &f : m.files) {
        nlohmann::json fj;
        fj["name"] = f.name;
        fj["state"] = f.state == ManagedFile::State::InForce    ? "in-force"
                      : f.state == ManagedFile::State::Rejected ? "rejected-last-good-kept"
                                                                : "rejected";
        fj["rules"] = f.ruleCount;
        if (!f.error.empty())
            fj["error"] = f.error;
        j["files"].push_back(fj);
    }
    return j;
}

} // namespace

int runManagedApply(const Options &o, Context &ctx)
{
    Session s;
    if (int rc = openSession(o, ctx, true, false, nullptr, &s))
        return rc;
    Policy policy;
    if (Error e = s.link->getPolicy(&policy, ctx.requestTimeout))
        return fail(ctx, e);
    if (Error e = s.link->setPolicy(policy, ctx.requestTimeout))
        return fail(ctx, e);
    Policy now;
    if (Error e = s.link->getPolicy(&now, ctx.requestTimeout))
        return fail(ctx, e);
    s.link->close();
    const size_t managed = static_cast<size_t>(
        std::count_if(now.rules.begin(), now.rules.end(), [](const Rule &r) { return r.managed; }));
    *ctx.out << "The managed layer is in force: " << managed << " managed rule(s), mode "
             << toString(now.mode) << ".\n";
    return kExitOk;
}

int runStatus(const Options &o, Context &ctx)
{
    Session s;
    if (int rc = openSession(o, ctx, false, false, nullptr, &s))
        return rc;
    Status st;
    if (Error e = s.link->getStatus(&st, ctx.requestTimeout))
        return fail(ctx, e);
    ManagedStatus managed;
    if (Error e = s.link->getManaged(&managed, ctx.requestTimeout))
        return fail(ctx, e);
    s.link->close();
    if (!managed.supported && ctx.localManagedStatus)
        managed = ctx.localManagedStatus();

    std::ostream &out = *ctx.out;
    if (o.json) {
        nlohmann::json j = toJson(st);
        j["state"] = "running";
        j["server_name"] = s.info.serverName;
        if (st.platform == PG_PLATFORM_LINUX && linuxMemfdNoexec() >= 0)
            j["memfd_noexec"] = linuxMemfdNoexec();
        const SyncView sync = readSyncView(o);
        if (sync.present || !sync.error.empty())
            j["sync"] = syncJson(sync);
        if (managed.supported)
            j["managed"] = managedJson(managed);
        out << j.dump(2) << '\n';
        return kExitOk;
    }
    out << "State:            running (" << s.info.serverName << ", pid " << st.serverPid << ")\n"
        << "Mode:             " << toString(st.mode) << '\n'
        << "Default verdict:  " << toString(st.defaultVerdict) << '\n'
        << "Timeout:          "
        << (st.timeoutMs == 0 ? std::string("no limit") : std::to_string(st.timeoutMs) + " ms")
        << '\n'
        << "Hold budget:      " << st.holdBudgetMs << " ms\n"
        << "Rules:            " << st.ruleCount << " (generation " << st.generation << ")\n"
        << "Clients:          " << st.clients << '\n'
        << "Controller pid:   "
        << (st.controllerPid == 0 ? std::string("none") : std::to_string(st.controllerPid)) << '\n'
        << "Held now:         " << st.heldNow << '\n'
        << "Frozen now:       " << st.frozenNow << '\n'
        << "Starts:           " << st.starts << '\n'
        << "Decisions:        " << st.decisions << " (allowed " << st.allowed << ", blocked "
        << st.blocked << ")\n"
        << "Prompted:         " << st.prompted << '\n'
        << "Timeouts:         " << st.timeouts << '\n'
        << "Lost events:      " << st.lostEvents << '\n'
        << "Resyncs:          " << st.resyncs << '\n'
        << "Cache hits:       " << st.cacheHits << '\n';
    if (st.platform == PG_PLATFORM_LINUX)
        out << "Digests:          " << st.digestHits << " from the cache, " << st.digestMisses
            << " computed (" << st.digestBytes / (1024 * 1024) << " MiB hashed), "
            << st.digestUnknown << " unknown; longest wait " << st.digestWaitMaxMs << " ms, "
            << st.digestWaiting << " waiting now\n";
    out << "Protocol version: " << st.version << '\n'
        << "Uptime:           " << st.uptimeMs / 1000 << " s\n";
    if (st.platform == PG_PLATFORM_LINUX) {
        std::string open;
        for (const GateClass &c : gateClasses()) {
            if ((st.gateOpen & c.bit) != 0)
                open += std::string(open.empty() ? "" : "; ") + c.text;
        }
        out << "Loader runs:      caught "
            << ((st.gateMeasures & PG_GATE_LOADER_OPENS) != 0
                    ? "by watching every open (this kernel hides task stacks)"
                    : "at the interpreter's exec")
            << '\n'
            << "Left open:        " << (open.empty() ? std::string("nothing") : open) << '\n';
    }
    if (st.platform == PG_PLATFORM_LINUX) {
        // The daemon sets vm.memfd_noexec=2 while prompt or lockdown is in
        // force (unless --no-memfd-noexec); the sysctl is the truth.
        const int memfd = linuxMemfdNoexec();
        if (memfd >= 0)
            out << "In-memory exec:   "
                << (memfd == 2 ? "refused" : "allowed (programs run from memory are not gated)")
                << " (vm.memfd_noexec=" << memfd << ")\n";
    }
    const SyncView sync = readSyncView(o);
    if (sync.present)
        out << sync::describeSyncState(sync.state,
                                       static_cast<int64_t>(ctx.nowNs() / 1000000000ull))
            << '\n';
    else if (!sync.error.empty())
        out << "Sync:             " << sync.error << '\n';
    if (managed.supported && (!managed.source.empty() || !managed.files.empty())) {
        out << "Managed policy:   " << (managed.source.empty() ? "-" : managed.source) << ": "
            << managed.files.size() << " file(s), " << managed.ruleCount
            << " managed rule(s); managed settings: " << managedSettings(managed.flags)
            << "; local rules: " << localRulesText(managed.flags) << '\n';
        for (const ManagedFile &f : managed.files) {
            out << "  " << f.name << ": " << stateText(f.state) << " (" << f.ruleCount
                << " rule(s))\n";
            if (!f.error.empty())
                out << "    error: " << f.error << '\n';
        }
    }
    return kExitOk;
}

} // namespace ctl
} // namespace pg
