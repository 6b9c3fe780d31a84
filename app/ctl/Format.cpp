// Format.cpp - text and JSON forms of events, rules, policy, status, processes.
#include "Format.h"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <sstream>

#include "PolicyFile.h"
#include "RuleTimeText.h"
#include "pg_ecs.h"

namespace pg
{
namespace ctl
{

namespace
{

std::string formatTime(uint64_t ns, bool utc)
{
    const time_t secs = static_cast<time_t>(ns / 1000000000ull);
    const unsigned ms = static_cast<unsigned>((ns / 1000000ull) % 1000ull);
    std::tm tm{};
    if (utc)
        gmtime_r(&secs, &tm);
    else
        localtime_r(&secs, &tm);
    char buf[64];
    const size_t n =
        std::strftime(buf, sizeof(buf), utc ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof(buf) - n, utc ? ".%03uZ" : ".%03u", ms);
    return buf;
}

// Flags of an event as words, for both text and JSON.
std::vector<std::string> flagNames(uint16_t flags)
{
    std::vector<std::string> out;
    for (unsigned i = 0; i < 16; ++i) {
        const uint16_t bit = static_cast<uint16_t>(1u << i);
        if ((flags & bit) != 0 && pg_event_flag_name(bit) != nullptr)
            out.push_back(pg_event_flag_name(bit));
    }
    return out;
}

} // namespace

std::string formatLocalTime(uint64_t ns)
{
    return formatTime(ns, false);
}

std::string formatUtcTime(uint64_t ns)
{
    return formatTime(ns, true);
}

std::string formatEventLine(const Event &e)
{
    std::ostringstream s;
    s << formatLocalTime(e.timeNs) << ' ';
    std::string kind = toString(e.kind);
    kind.resize(8, ' ');
    s << kind << " pid=" << e.pid << " ppid=" << e.ppid;
    switch (e.kind) {
    case EventKind::Verdict:
        s << ' ' << toString(e.verdict) << '/' << toString(e.source);
        if (e.ruleId != 0)
            s << " rule=" << e.ruleId;
        break;
    case EventKind::Request:
        s << " hold=" << e.holdId << " default=" << toString(e.defaultVerdict)
          << " in=" << e.timeoutMs << "ms";
        break;
    case EventKind::Wait:
        s << " hold=" << e.holdId << " waiting for its digest";
        break;
    case EventKind::Exit:
        s << " status=" << e.status;
        break;
    case EventKind::Overflow:
    case EventKind::Resync:
        s << " lost=" << e.lost;
        break;
    case EventKind::Policy:
        s << " mode=" << toString(e.mode);
        break;
    default:
        break;
    }
    for (const std::string &f : flagNames(e.flags))
        s << " [" << f << ']';
    if (!e.image.empty())
        s << ' ' << e.image;
    if (!e.cmdline.empty())
        s << " -- " << e.cmdline;
    return s.str();
}

std::string describeRule(const Rule &r)
{
    std::ostringstream s;
    s << toString(r.action) << ' ' << toString(r.kind) << ' ' << r.pattern;
    if (!r.parent.empty())
        s << " (parent " << r.parent << ')';
    if (r.uid)
        s << " (uid " << *r.uid << ')';
    if (r.caseFold)
        s << " (case-fold)";
    if (!r.time.empty())
        s << " (" << policy::describeTime(r.time, policy::systemUtcOffset) << ')';
    return s.str();
}

nlohmann::json toJson(const Event &e)
{
    nlohmann::json j;
    j["seq"] = e.seq;
    j["time"] = formatUtcTime(e.timeNs);
    j["time_ns"] = e.timeNs;
    j["kind"] = toString(e.kind);
    j["pid"] = e.pid;
    j["ppid"] = e.ppid;
    j["creator_pid"] = e.creatorPid;
    j["uid"] = e.uid;
    j["flags"] = flagNames(e.flags);
    if (e.holdId != 0)
        j["hold_id"] = e.holdId;
    switch (e.kind) {
    case EventKind::Verdict:
        j["verdict"] = toString(e.verdict);
        j["source"] = toString(e.source);
        j["rule_id"] = e.ruleId;
        break;
    case EventKind::Request:
        j["timeout_ms"] = e.timeoutMs;
        j["default_verdict"] = toString(e.defaultVerdict);
        break;
    case EventKind::Exit:
        j["status"] = e.status;
        break;
    case EventKind::Overflow:
    case EventKind::Resync:
        j["lost"] = e.lost;
        break;
    default:
        break;
    }
    j["mode"] = toString(e.mode);
    j["image"] = e.image;
    j["cmdline"] = e.cmdline;
    if (!e.sid.empty())
        j["sid"] = e.sid;
    j["parent_image"] = e.parentImage;
    return j;
}

std::string toEcs(const Event &e, const EcsContext &host, const std::string &userName,
                  const Rule *rule, const std::string &userDomain)
{
    pg_event ev;
    std::memset(&ev, 0, sizeof ev);
    ev.kind = static_cast<uint16_t>(e.kind);
    ev.flags = e.flags;
    ev.seq = e.seq;
    ev.time_ns = e.timeNs;
    ev.hold_id = e.holdId;
    ev.pid = e.pid;
    ev.ppid = e.ppid;
    ev.creator_pid = e.creatorPid;
    ev.uid = e.uid;
    ev.session_id = e.sessionId;
    ev.status = e.status;
    ev.timeout_ms = e.timeoutMs;
    ev.rule_id = e.ruleId;
    ev.lost = e.lost;
    ev.verdict = static_cast<uint8_t>(e.verdict);
    ev.source = static_cast<uint8_t>(e.source);
    ev.default_verdict = static_cast<uint8_t>(e.defaultVerdict);
    ev.mode = static_cast<uint8_t>(e.mode);
    pg_ecs_event in{};
    in.ev = &ev;
    in.image = e.image.c_str();
    in.cmdline = e.cmdline.c_str();
    in.sid = e.sid.c_str();
    in.parent_image = e.parentImage.c_str();
    in.user_name = userName.c_str();
    in.user_domain = userDomain.c_str();
    if (rule != nullptr) {
        in.rule_action = static_cast<uint8_t>(rule->action);
        in.rule_kind = static_cast<uint8_t>(rule->kind);
        in.rule_pattern = rule->pattern.c_str();
    }
    const pg_ecs_host h{host.hostName.c_str(), host.hostId.c_str(),
                        host.windows ? PG_ECS_OS_WINDOWS : PG_ECS_OS_LINUX};
    std::string out(1024, '\0');
    size_t n = pg_ecs_encode(&h, &in, &out[0], out.size() + 1);
    if (n > out.size()) {
        out.assign(n, '\0');
        n = pg_ecs_encode(&h, &in, &out[0], out.size() + 1);
    }
    out.resize(n);
    return out;
}

nlohmann::json toJson(const Rule &r)
{
    nlohmann::json j;
    j["id"] = r.id;
    j["action"] = toString(r.action);
    j["kind"] = toString(r.kind);
    j["pattern"] = r.pattern;
    j["parent"] = r.parent;
    if (r.uid)
        j["uid"] = *r.uid;
    else
        j["uid"] = nullptr;
    j["case_fold"] = r.caseFold;
    j["managed"] = r.managed;
    // Time conditions in the policy file's shape, plus the text rules list prints.
    if (!r.time.empty()) {
        const nlohmann::json time = policy::ruleTimeToJson(r.time);
        for (const auto &item : time.items())
            j[item.key()] = item.value();
        j["when"] = policy::describeTime(r.time, policy::systemUtcOffset);
    }
    return j;
}

nlohmann::json toJson(const Policy &p)
{
    nlohmann::json j;
    j["mode"] = toString(p.mode);
    j["default_verdict"] = toString(p.defaultVerdict);
    j["timeout_ms"] = p.timeoutMs;
    j["hold_budget_ms"] = p.holdBudgetMs;
    j["case_fold"] = p.caseFold;
    j["generation"] = p.generation;
    j["rules"] = nlohmann::json::array();
    for (const Rule &r : p.rules)
        j["rules"].push_back(toJson(r));
    return j;
}

nlohmann::json toJson(const Status &s)
{
    nlohmann::json j;
    j["mode"] = toString(s.mode);
    j["default_verdict"] = toString(s.defaultVerdict);
    j["timeout_ms"] = s.timeoutMs;
    j["hold_budget_ms"] = s.holdBudgetMs;
    j["rule_count"] = s.ruleCount;
    j["clients"] = s.clients;
    j["held_now"] = s.heldNow;
    j["frozen_now"] = s.frozenNow;
    j["server_pid"] = s.serverPid;
    j["platform"] = s.platform == PG_PLATFORM_WINDOWS ? "windows" : "linux";
    j["protocol_version"] = s.version;
    j["controller_pid"] = s.controllerPid;
    j["starts"] = s.starts;
    j["decisions"] = s.decisions;
    j["allowed"] = s.allowed;
    j["blocked"] = s.blocked;
    j["prompted"] = s.prompted;
    j["timeouts"] = s.timeouts;
    j["lost_events"] = s.lostEvents;
    j["resyncs"] = s.resyncs;
    j["cache_hits"] = s.cacheHits;
    j["next_seq"] = s.nextSeq;
    j["uptime_ms"] = s.uptimeMs;
    j["generation"] = s.generation;
    j["digests"] = {{"hits", s.digestHits},
                    {"computed", s.digestMisses},
                    {"bytes_hashed", s.digestBytes},
                    {"unknown", s.digestUnknown},
                    {"longest_wait_ms", s.digestWaitMaxMs},
                    {"waiting_now", s.digestWaiting}};
    if (s.platform == PG_PLATFORM_LINUX) {
        nlohmann::json closed = nlohmann::json::array(), open = nlohmann::json::array();
        for (const GateClass &c : gateClasses()) {
            if ((s.gateOpen & c.bit) != 0)
                open.push_back(c.key);
            else if ((s.gateMeasures & c.bit) != 0)
                closed.push_back(c.key);
        }
        j["gate"] = {
            {"closed", closed},
            {"open", open},
            {"loader_guard", (s.gateMeasures & PG_GATE_LOADER_OPENS) != 0 ? "opens" : "stack"}};
    }
    return j;
}

const std::vector<GateClass> &gateClasses()
{
    static const std::vector<GateClass> classes = {
        {PG_GATE_NEW_MOUNTS, "new_mounts", "filesystems mounted after start"},
        {PG_GATE_MEMFD, "in_memory", "programs run from memory (memfd)"},
        {PG_GATE_UNSEEN, "unseen_execs",
         "execs the gate cannot see (filesystems of other namespaces)"},
        {PG_GATE_WHILE_DOWN, "while_down", "lockdown while procguardd is down (no sentry)"},
        {PG_GATE_FREEZER, "freezer", "holds past the budget (no cgroup v2 freezer)"},
    };
    return classes;
}

nlohmann::json toJson(const ProcessInfo &p)
{
    nlohmann::json j;
    j["pid"] = p.pid;
    j["ppid"] = p.ppid;
    j["uid"] = p.uid;
    j["user"] = p.user;
    j["name"] = p.name;
    j["image"] = p.image;
    j["cmdline"] = p.cmdline;
    j["start"] = formatUtcTime(p.startTimeNs);
    return j;
}

std::optional<std::string> SequenceTracker::observe(const Event &e)
{
    std::optional<std::string> warning;
    if (m_started) {
        if (e.seq > m_last + 1) {
            const uint64_t gap = e.seq - m_last - 1;
            m_missing += gap;
            warning = "Gap in the event stream: " + std::to_string(gap) +
                      " event(s) missing before sequence " + std::to_string(e.seq) + ".";
        } else if (e.seq <= m_last) {
            warning = "Event sequence " + std::to_string(e.seq) + " arrived after " +
                      std::to_string(m_last) + " (out of order or repeated).";
        }
    }
    if (e.kind == EventKind::Overflow && e.lost > 0) {
        const std::string lost = "The component dropped " + std::to_string(e.lost) +
                                 " event(s) because this client read too slowly.";
        warning = warning ? *warning + " " + lost : lost;
    }
    if (!m_started || e.seq > m_last)
        m_last = e.seq;
    m_started = true;
    return warning;
}

} // namespace ctl
} // namespace pg
