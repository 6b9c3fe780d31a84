// Messages.cpp - encoding and decoding of protocol messages.
//
// Structs are assembled on the stack, zero-initialised (so padding and
// reserved fields are 0 on the wire), and copied into the byte vector with
// memcpy; records are read back the same way, so nothing depends on the
// alignment of the caller's buffer. The wire is little-endian and so is
// every host we build for; the check below keeps it that way.
#include "Messages.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <set>

#include "pg_schedule.h"
#include "pg_validate.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ProcGuard's wire format is little-endian; this host is not."
#endif

namespace pg
{
namespace msg
{

namespace
{

template <typename T> void put(std::vector<uint8_t> &out, const T &value)
{
    const size_t at = out.size();
    out.resize(at + sizeof(T));
    std::memcpy(out.data() + at, &value, sizeof(T));
}

template <typename T> T get(const std::vector<uint8_t> &in, size_t at)
{
    T value;
    std::memcpy(&value, in.data() + at, sizeof(T));
    return value;
}

void putString(std::vector<uint8_t> &out, const std::string &s, uint16_t len)
{
    if (len == 0)
        return;
    const size_t at = out.size();
    out.resize(at + len, 0);
    std::memcpy(out.data() + at, s.data(), len - 1u);
}

// PG_ALIGN8 without the macro's C cast.
constexpr uint32_t align8(uint32_t n)
{
    return (n + 7u) & ~uint32_t{7u};
}

void padTo8(std::vector<uint8_t> &out)
{
    out.resize(align8(static_cast<uint32_t>(out.size())), 0);
}

std::string readString(const std::vector<uint8_t> &in, size_t at, uint16_t len)
{
    if (len == 0)
        return std::string();
    return std::string(reinterpret_cast<const char *>(in.data() + at), len - 1u);
}

std::string fixedName(const char *field, size_t n)
{
    return std::string(field, strnlen(field, n));
}

void setFixedName(char *field, size_t n, const std::string &s)
{
    std::memset(field, 0, n);
    std::memcpy(field, s.data(), std::min(s.size(), n - 1));
}

pg_msg_header makeHeader(uint16_t type, uint64_t requestId)
{
    pg_msg_header h{};
    h.version = PG_PROTOCOL_VERSION;
    h.type = type;
    h.request_id = requestId;
    return h;
}

// Writes the final size into the header once the whole message is built.
void sealSize(std::vector<uint8_t> &out)
{
    const uint32_t size = static_cast<uint32_t>(out.size());
    std::memcpy(out.data() + offsetof(pg_msg_header, size), &size, sizeof(size));
}

// Wire length of a string field (NUL included), 0 when absent.
bool stringLength(const std::string &s, size_t limit, uint16_t *len)
{
    if (s.empty()) {
        *len = 0;
        return true;
    }
    if (s.find('\0') != std::string::npos || s.size() + 1 > limit || s.size() + 1 > 0xFFFFu)
        return false;
    *len = static_cast<uint16_t>(s.size() + 1);
    return true;
}

// Cuts a string to fit limit (NUL included) for events; sets *cut if so.
std::string fitString(const std::string &s, size_t limit, bool *cut)
{
    std::string v = s.substr(0, s.find('\0'));
    if (v.size() != s.size())
        *cut = true;
    if (v.size() + 1 > limit) {
        v.resize(limit - 1);
        *cut = true;
    }
    return v;
}

bool encodeRuleTime(const RuleTime &rt, pg_rule_time *out, std::string *why)
{
    pg_rule_time t{};
    if (rt.windows.size() > PG_MAX_WINDOWS) {
        *why = "a schedule has at most " + std::to_string(PG_MAX_WINDOWS) + " time windows.";
        return false;
    }
    t.days = rt.days;
    t.window_count = static_cast<uint8_t>(rt.windows.size());
    for (size_t i = 0; i < rt.windows.size(); ++i) {
        t.win_start[i] = rt.windows[i].start;
        t.win_end[i] = rt.windows[i].end;
    }
    t.expiry = static_cast<uint8_t>(rt.expiry);
    t.expires_at = rt.expiresAt;
    t.budget_s = rt.budgetSeconds;
    t.budget_group = rt.budgetGroup;
    t.grace_s = rt.graceSeconds;
    if (!rt.bootId.empty()) {
        if (rt.bootId.size() != PG_BOOT_ID_BYTES) {
            *why = "the boot id must be 16 bytes.";
            return false;
        }
        std::memcpy(t.boot_id, rt.bootId.data(), PG_BOOT_ID_BYTES);
    }
    if (pg_rule_time_check(&t) != PG_OK) {
        *why = "its schedule, expiry or budget is out of range (windows within one day, start "
               "and end different; an end time only for \"until\"; grace only with a budget).";
        return false;
    }
    *out = t;
    return true;
}

RuleTime decodeRuleTime(const pg_rule_time &t)
{
    RuleTime rt;
    rt.days = t.days;
    for (uint32_t i = 0; i < t.window_count && i < PG_MAX_WINDOWS; ++i)
        rt.windows.push_back(TimeWindow{t.win_start[i], t.win_end[i]});
    rt.expiry = static_cast<Expiry>(t.expiry);
    rt.expiresAt = t.expires_at;
    rt.budgetSeconds = t.budget_s;
    rt.budgetGroup = t.budget_group;
    rt.graceSeconds = t.grace_s;
    static const uint8_t zero[PG_BOOT_ID_BYTES] = {};
    if (std::memcmp(t.boot_id, zero, sizeof zero) != 0)
        rt.bootId.assign(t.boot_id, t.boot_id + PG_BOOT_ID_BYTES);
    return rt;
}

std::vector<uint8_t> encodePolicyMessage(uint16_t type, uint64_t requestId, const Policy &policy,
                                         std::string *error)
{
    auto fail = [error](const std::string &why) {
        if (error)
            *error = why;
        return std::vector<uint8_t>();
    };
    if (policy.rules.size() > PG_MAX_RULES)
        return fail("The policy has " + std::to_string(policy.rules.size()) +
                    " rules; the limit is " + std::to_string(PG_MAX_RULES) + ".");

    std::vector<Rule> rules = policy.rules;
    assignRuleIds(rules);

    std::vector<uint8_t> out;
    pg_policy p{};
    p.hdr = makeHeader(type, requestId);
    p.mode = static_cast<uint32_t>(policy.mode);
    p.default_verdict = static_cast<uint32_t>(policy.defaultVerdict);
    p.timeout_ms = policy.timeoutMs;
    p.hold_budget_ms = policy.holdBudgetMs;
    p.flags = policy.caseFold ? PG_POLF_CASE_FOLD : 0u;
    p.rule_count = static_cast<uint32_t>(rules.size());
    p.generation = policy.generation;
    put(out, p);

    for (size_t i = 0; i < rules.size(); ++i) {
        const Rule &r = rules[i];
        uint16_t patternLen = 0;
        uint16_t parentLen = 0;
        if (r.pattern.empty() || !stringLength(r.pattern, PG_MAX_PATTERN_BYTES, &patternLen))
            return fail("Rule " + std::to_string(r.id) +
                        " has an empty, too long or malformed pattern.");
        if (!stringLength(r.parent, PG_MAX_PATTERN_BYTES, &parentLen))
            return fail("Rule " + std::to_string(r.id) + " has a too long or malformed parent.");
        uint16_t messageLen = 0;
        uint16_t linkLen = 0;
        if (!stringLength(r.message, PG_MAX_RULE_MESSAGE_BYTES, &messageLen))
            return fail("Rule " + std::to_string(r.id) + " has a too long or malformed message.");
        if (!stringLength(r.link, PG_MAX_RULE_LINK_BYTES, &linkLen))
            return fail("Rule " + std::to_string(r.id) + " has a too long or malformed link.");
        if (r.uid && r.gid)
            return fail("Rule " + std::to_string(r.id) +
                        " has both a user and a group condition; choose one.");
        const bool timed = !r.time.empty();
        pg_rule_time t{};
        if (timed) {
            std::string why;
            if (!encodeRuleTime(r.time, &t, &why))
                return fail("Rule " + std::to_string(r.id) + ": " + why);
        }
        pg_rule rec{};
        rec.size = align8(static_cast<uint32_t>(sizeof(pg_rule)) + patternLen + parentLen +
                          messageLen + linkLen) +
                   (timed ? static_cast<uint32_t>(sizeof(pg_rule_time)) : 0u);
        rec.id = r.id;
        rec.kind = static_cast<uint8_t>(r.kind);
        rec.action = static_cast<uint8_t>(r.action);
        rec.flags = static_cast<uint16_t>(
            (r.uid ? PG_RULEF_USER : 0u) | (r.gid ? PG_RULEF_GROUP : 0u) |
            (r.caseFold ? PG_RULEF_CASE_FOLD : 0u) | (timed ? PG_RULEF_TIME : 0u) |
            (r.managed ? PG_RULEF_MANAGED : 0u));
        rec.uid = r.uid ? *r.uid : r.gid.value_or(0);
        rec.pattern_len = patternLen;
        rec.parent_len = parentLen;
        rec.message_len = messageLen;
        rec.link_len = linkLen;
        put(out, rec);
        putString(out, r.pattern, patternLen);
        putString(out, r.parent, parentLen);
        putString(out, r.message, messageLen);
        putString(out, r.link, linkLen);
        padTo8(out);
        if (timed)
            put(out, t);
        if (out.size() > PG_MAX_MESSAGE_SIZE)
            return fail("The policy does not fit in one message.");
    }
    sealSize(out);
    return out;
}

int readPolicy(const std::vector<uint8_t> &bytes, Policy *out)
{
    const auto p = get<pg_policy>(bytes, 0);
    Policy policy;
    policy.mode = static_cast<Mode>(p.mode);
    policy.defaultVerdict = static_cast<Verdict>(p.default_verdict);
    policy.timeoutMs = p.timeout_ms;
    policy.holdBudgetMs = p.hold_budget_ms;
    policy.caseFold = (p.flags & PG_POLF_CASE_FOLD) != 0;
    policy.generation = p.generation;
    size_t at = sizeof(pg_policy);
    for (uint32_t i = 0; i < p.rule_count; ++i) {
        const auto rec = get<pg_rule>(bytes, at);
        Rule r;
        r.id = rec.id;
        r.kind = static_cast<RuleKind>(rec.kind);
        r.action = static_cast<Verdict>(rec.action);
        if (rec.flags & PG_RULEF_USER)
            r.uid = rec.uid;
        if (rec.flags & PG_RULEF_GROUP)
            r.gid = rec.uid;
        r.caseFold = (rec.flags & PG_RULEF_CASE_FOLD) != 0;
        r.managed = (rec.flags & PG_RULEF_MANAGED) != 0;
        size_t s = at + sizeof(pg_rule);
        r.pattern = readString(bytes, s, rec.pattern_len);
        s += rec.pattern_len;
        r.parent = readString(bytes, s, rec.parent_len);
        s += rec.parent_len;
        r.message = readString(bytes, s, rec.message_len);
        s += rec.message_len;
        r.link = readString(bytes, s, rec.link_len);
        if ((rec.flags & PG_RULEF_TIME) != 0)
            r.time = decodeRuleTime(get<pg_rule_time>(bytes, at + rec.size - sizeof(pg_rule_time)));
        policy.rules.push_back(std::move(r));
        at += rec.size;
    }
    *out = std::move(policy);
    return PG_OK;
}

// Validates and checks the type; returns PG_OK or the reason.
int checkServer(const std::vector<uint8_t> &bytes, uint16_t type, uint32_t *detail)
{
    uint32_t d = 0;
    int rc = pg_validate_server_message(bytes.data(), bytes.size(), &d);
    if (rc == PG_OK && get<pg_msg_header>(bytes, 0).type != type)
        rc = PG_E_TYPE;
    if (detail)
        *detail = d;
    return rc;
}

int checkClient(const std::vector<uint8_t> &bytes, uint16_t type, uint32_t *detail)
{
    uint32_t d = 0;
    int rc = pg_validate_client_message(bytes.data(), bytes.size(), &d);
    if (rc == PG_OK && get<pg_msg_header>(bytes, 0).type != type)
        rc = PG_E_TYPE;
    if (detail)
        *detail = d;
    return rc;
}

} // namespace

bool peekHeader(const std::vector<uint8_t> &bytes, Header *out)
{
    if (bytes.size() < sizeof(pg_msg_header))
        return false;
    const auto h = get<pg_msg_header>(bytes, 0);
    out->size = h.size;
    out->version = h.version;
    out->type = h.type;
    out->requestId = h.request_id;
    return true;
}

void assignRuleIds(std::vector<Rule> &rules)
{
    std::set<uint32_t> used;
    for (const Rule &r : rules)
        if (r.id != 0)
            used.insert(r.id);
    uint32_t next = 1;
    for (Rule &r : rules) {
        if (r.id != 0)
            continue;
        while (used.count(next))
            ++next;
        r.id = next;
        used.insert(next);
    }
}

// ---- client side -------------------------------------------------------

std::vector<uint8_t> encodeHello(uint64_t requestId, const Hello &hello)
{
    pg_hello m{};
    m.hdr = makeHeader(PG_MSG_HELLO, requestId);
    m.hdr.size = sizeof(m);
    m.min_version = hello.minVersion;
    m.max_version = hello.maxVersion;
    m.flags = hello.flags;
    m.subscriptions = hello.subscriptions;
    setFixedName(m.name, sizeof(m.name), hello.name);
    std::vector<uint8_t> out;
    put(out, m);
    return out;
}

std::vector<uint8_t> encodeVerdicts(uint64_t requestId, const std::vector<VerdictEntry> &verdicts,
                                    std::string *error)
{
    auto fail = [error](const std::string &why) {
        if (error)
            *error = why;
        return std::vector<uint8_t>();
    };
    if (verdicts.empty() || verdicts.size() > PG_MAX_VERDICTS)
        return fail("A verdict batch holds 1 to " + std::to_string(PG_MAX_VERDICTS) +
                    " verdicts, not " + std::to_string(verdicts.size()) + ".");
    pg_verdicts_msg m{};
    m.hdr = makeHeader(PG_MSG_VERDICTS, requestId);
    m.count = static_cast<uint32_t>(verdicts.size());
    std::vector<uint8_t> out;
    out.reserve(sizeof(m) + verdicts.size() * sizeof(pg_verdict));
    put(out, m);
    for (const VerdictEntry &v : verdicts) {
        if (v.holdId == 0 || (v.verdict != Verdict::Allow && v.verdict != Verdict::Block))
            return fail("A verdict needs a hold id and allow or block.");
        pg_verdict rec{};
        rec.hold_id = v.holdId;
        rec.verdict = static_cast<uint8_t>(v.verdict);
        put(out, rec);
    }
    sealSize(out);
    return out;
}

std::vector<uint8_t> encodeSetPolicy(uint64_t requestId, const Policy &policy, std::string *error)
{
    return encodePolicyMessage(PG_MSG_SET_POLICY, requestId, policy, error);
}

std::vector<uint8_t> encodeGetPolicy(uint64_t requestId)
{
    pg_msg_header h = makeHeader(PG_MSG_GET_POLICY, requestId);
    h.size = sizeof(h);
    std::vector<uint8_t> out;
    put(out, h);
    return out;
}

std::vector<uint8_t> encodeGetStatus(uint64_t requestId)
{
    pg_msg_header h = makeHeader(PG_MSG_GET_STATUS, requestId);
    h.size = sizeof(h);
    std::vector<uint8_t> out;
    put(out, h);
    return out;
}

std::vector<uint8_t> encodeGetManaged(uint64_t requestId)
{
    pg_msg_header h = makeHeader(PG_MSG_GET_MANAGED, requestId);
    h.size = sizeof(h);
    std::vector<uint8_t> out;
    put(out, h);
    return out;
}

int decodeManaged(const std::vector<uint8_t> &bytes, ManagedStatus *out, uint32_t *detail)
{
    const int rc = checkServer(bytes, PG_MSG_MANAGED, detail);
    if (rc != PG_OK)
        return rc;
    const auto m = get<pg_managed_msg>(bytes, 0);
    ManagedStatus s;
    s.supported = true;
    s.flags = m.flags;
    s.ruleCount = m.rule_count;
    s.rejected = m.rejected;
    s.changedNs = m.changed_ns;
    size_t at = sizeof(pg_managed_msg);
    s.source = readString(bytes, at, m.source_len);
    at += align8(m.source_len);
    for (uint32_t i = 0; i < m.file_count; ++i) {
        const auto f = get<pg_managed_file>(bytes, at);
        ManagedFile file;
        file.state = static_cast<ManagedFile::State>(f.state);
        file.ruleCount = f.rule_count;
        file.name = readString(bytes, at + sizeof f, f.name_len);
        file.error = readString(bytes, at + sizeof f + f.name_len, f.error_len);
        s.files.push_back(std::move(file));
        at += f.size;
    }
    *out = std::move(s);
    return PG_OK;
}

int decodeHelloReply(const std::vector<uint8_t> &bytes, HelloReply *out, uint32_t *detail)
{
    const int rc = checkServer(bytes, PG_MSG_HELLO_REPLY, detail);
    if (rc != PG_OK)
        return rc;
    const auto m = get<pg_hello_reply>(bytes, 0);
    out->status = m.status;
    out->version = m.version;
    out->role = static_cast<Role>(m.role);
    out->platform = m.platform;
    out->serverPid = m.server_pid;
    out->nextSeq = m.next_seq;
    out->name = fixedName(m.name, sizeof(m.name));
    return PG_OK;
}

int decodeResult(const std::vector<uint8_t> &bytes, Result *out, uint32_t *detail)
{
    const int rc = checkServer(bytes, PG_MSG_RESULT, detail);
    if (rc != PG_OK)
        return rc;
    const auto m = get<pg_result>(bytes, 0);
    out->status = m.status;
    out->detail = m.detail;
    out->text = fixedName(m.text, sizeof(m.text));
    return PG_OK;
}

int decodeEvents(const std::vector<uint8_t> &bytes, std::vector<Event> *out, uint32_t *detail)
{
    const int rc = checkServer(bytes, PG_MSG_EVENTS, detail);
    if (rc != PG_OK)
        return rc;
    const auto m = get<pg_events_msg>(bytes, 0);
    std::vector<Event> events;
    events.reserve(m.count);
    size_t at = sizeof(pg_events_msg);
    for (uint32_t i = 0; i < m.count; ++i) {
        const auto rec = get<pg_event>(bytes, at);
        Event e;
        e.kind = static_cast<EventKind>(rec.kind);
        e.flags = rec.flags;
        e.seq = rec.seq;
        e.timeNs = rec.time_ns;
        e.holdId = rec.hold_id;
        e.pid = rec.pid;
        e.ppid = rec.ppid;
        e.creatorPid = rec.creator_pid;
        e.uid = rec.uid;
        e.sessionId = rec.session_id;
        e.status = rec.status;
        e.timeoutMs = rec.timeout_ms;
        e.ruleId = rec.rule_id;
        e.lost = rec.lost;
        e.verdict = static_cast<Verdict>(rec.verdict);
        e.source = static_cast<Source>(rec.source);
        e.defaultVerdict = static_cast<Verdict>(rec.default_verdict);
        e.mode = static_cast<Mode>(rec.mode);
        size_t s = at + sizeof(pg_event);
        e.image = readString(bytes, s, rec.image_len);
        s += rec.image_len;
        e.cmdline = readString(bytes, s, rec.cmdline_len);
        s += rec.cmdline_len;
        e.sid = readString(bytes, s, rec.sid_len);
        s += rec.sid_len;
        e.parentImage = readString(bytes, s, rec.parent_image_len);
        events.push_back(std::move(e));
        at += rec.size;
    }
    *out = std::move(events);
    return PG_OK;
}

int decodePolicy(const std::vector<uint8_t> &bytes, Policy *out, uint32_t *detail)
{
    const int rc = checkServer(bytes, PG_MSG_POLICY, detail);
    if (rc != PG_OK)
        return rc;
    return readPolicy(bytes, out);
}

int decodeStatus(const std::vector<uint8_t> &bytes, Status *out, uint32_t *detail)
{
    const int rc = checkServer(bytes, PG_MSG_STATUS, detail);
    if (rc != PG_OK)
        return rc;
    const auto m = get<pg_status_msg>(bytes, 0);
    Status s;
    s.mode = static_cast<Mode>(m.mode);
    s.defaultVerdict = static_cast<Verdict>(m.default_verdict);
    s.timeoutMs = m.timeout_ms;
    s.holdBudgetMs = m.hold_budget_ms;
    s.ruleCount = m.rule_count;
    s.clients = m.clients;
    s.heldNow = m.held_now;
    s.frozenNow = m.frozen_now;
    s.serverPid = m.server_pid;
    s.platform = m.platform;
    s.version = m.version;
    s.controllerPid = m.controller_pid;
    s.starts = m.starts;
    s.decisions = m.decisions;
    s.allowed = m.allowed;
    s.blocked = m.blocked;
    s.prompted = m.prompted;
    s.timeouts = m.timeouts;
    s.lostEvents = m.lost_events;
    s.resyncs = m.resyncs;
    s.cacheHits = m.cache_hits;
    s.nextSeq = m.next_seq;
    s.uptimeMs = m.uptime_ms;
    s.generation = m.generation;
    s.digestHits = m.digest_hits;
    s.digestMisses = m.digest_misses;
    s.digestBytes = m.digest_bytes;
    s.digestUnknown = m.digest_unknown;
    s.digestWaitMaxMs = m.digest_wait_max_ms;
    s.digestWaiting = m.digest_waiting;
    s.gateMeasures = m.gate_measures;
    s.gateOpen = m.gate_open;
    *out = s;
    return PG_OK;
}

// ---- server side -------------------------------------------------------

std::vector<uint8_t> encodeHelloReply(uint64_t requestId, const HelloReply &reply)
{
    pg_hello_reply m{};
    m.hdr = makeHeader(PG_MSG_HELLO_REPLY, requestId);
    m.hdr.size = sizeof(m);
    m.status = reply.status;
    m.version = reply.version;
    m.role = static_cast<uint16_t>(reply.role);
    m.platform = reply.platform;
    m.server_pid = reply.serverPid;
    m.next_seq = reply.nextSeq;
    setFixedName(m.name, sizeof(m.name), reply.name);
    std::vector<uint8_t> out;
    put(out, m);
    return out;
}

std::vector<uint8_t> encodeResult(uint64_t requestId, const Result &result)
{
    pg_result m{};
    m.hdr = makeHeader(PG_MSG_RESULT, requestId);
    m.hdr.size = sizeof(m);
    m.status = result.status;
    m.detail = result.detail;
    setFixedName(m.text, sizeof(m.text), result.text);
    std::vector<uint8_t> out;
    put(out, m);
    return out;
}

std::vector<uint8_t> encodeEvents(const std::vector<Event> &events)
{
    pg_events_msg m{};
    m.hdr = makeHeader(PG_MSG_EVENTS, 0);
    m.count = static_cast<uint32_t>(events.size());
    std::vector<uint8_t> out;
    put(out, m);
    for (const Event &e : events) {
        bool cut = false;
        const std::string image = fitString(e.image, PG_MAX_PATH_BYTES, &cut);
        const std::string cmdline = fitString(e.cmdline, PG_MAX_CMDLINE_BYTES, &cut);
        const std::string sid = fitString(e.sid, PG_MAX_SID_BYTES, &cut);
        const std::string parent = fitString(e.parentImage, PG_MAX_PATH_BYTES, &cut);
        uint16_t imageLen = 0, cmdLen = 0, sidLen = 0, parentLen = 0;
        stringLength(image, PG_MAX_PATH_BYTES, &imageLen);
        stringLength(cmdline, PG_MAX_CMDLINE_BYTES, &cmdLen);
        stringLength(sid, PG_MAX_SID_BYTES, &sidLen);
        stringLength(parent, PG_MAX_PATH_BYTES, &parentLen);
        pg_event rec{};
        rec.size = align8(static_cast<uint32_t>(sizeof(pg_event)) + imageLen + cmdLen + sidLen +
                          parentLen);
        rec.kind = static_cast<uint16_t>(e.kind);
        rec.flags = static_cast<uint16_t>(e.flags | (cut ? PG_EVF_TRUNCATED : 0u));
        rec.seq = e.seq;
        rec.time_ns = e.timeNs;
        rec.hold_id = e.holdId;
        rec.pid = e.pid;
        rec.ppid = e.ppid;
        rec.creator_pid = e.creatorPid;
        rec.uid = e.uid;
        rec.session_id = e.sessionId;
        rec.status = e.status;
        rec.timeout_ms = e.timeoutMs;
        rec.rule_id = e.ruleId;
        rec.lost = e.lost;
        rec.verdict = static_cast<uint8_t>(e.verdict);
        rec.source = static_cast<uint8_t>(e.source);
        rec.default_verdict = static_cast<uint8_t>(e.defaultVerdict);
        rec.mode = static_cast<uint8_t>(e.mode);
        rec.image_len = imageLen;
        rec.cmdline_len = cmdLen;
        rec.sid_len = sidLen;
        rec.parent_image_len = parentLen;
        put(out, rec);
        putString(out, image, imageLen);
        putString(out, cmdline, cmdLen);
        putString(out, sid, sidLen);
        putString(out, parent, parentLen);
        padTo8(out);
    }
    sealSize(out);
    return out;
}

std::vector<uint8_t> encodePolicy(uint64_t requestId, const Policy &policy, std::string *error)
{
    return encodePolicyMessage(PG_MSG_POLICY, requestId, policy, error);
}

std::vector<uint8_t> encodeStatus(uint64_t requestId, const Status &s)
{
    pg_status_msg m{};
    m.hdr = makeHeader(PG_MSG_STATUS, requestId);
    m.hdr.size = sizeof(m);
    m.mode = static_cast<uint32_t>(s.mode);
    m.default_verdict = static_cast<uint32_t>(s.defaultVerdict);
    m.timeout_ms = s.timeoutMs;
    m.hold_budget_ms = s.holdBudgetMs;
    m.rule_count = s.ruleCount;
    m.clients = s.clients;
    m.held_now = s.heldNow;
    m.frozen_now = s.frozenNow;
    m.server_pid = s.serverPid;
    m.platform = s.platform;
    m.version = s.version;
    m.controller_pid = s.controllerPid;
    m.starts = s.starts;
    m.decisions = s.decisions;
    m.allowed = s.allowed;
    m.blocked = s.blocked;
    m.prompted = s.prompted;
    m.timeouts = s.timeouts;
    m.lost_events = s.lostEvents;
    m.resyncs = s.resyncs;
    m.cache_hits = s.cacheHits;
    m.next_seq = s.nextSeq;
    m.uptime_ms = s.uptimeMs;
    m.generation = s.generation;
    m.digest_hits = s.digestHits;
    m.digest_misses = s.digestMisses;
    m.digest_bytes = s.digestBytes;
    m.digest_unknown = s.digestUnknown;
    m.digest_wait_max_ms = s.digestWaitMaxMs;
    m.digest_waiting = s.digestWaiting;
    m.gate_measures = s.gateMeasures;
    m.gate_open = s.gateOpen;
    std::vector<uint8_t> out;
    put(out, m);
    return out;
}

int decodeHello(const std::vector<uint8_t> &bytes, Hello *out, uint32_t *detail)
{
    const int rc = checkClient(bytes, PG_MSG_HELLO, detail);
    if (rc != PG_OK)
        return rc;
    const auto m = get<pg_hello>(bytes, 0);
    out->minVersion = m.min_version;
    out->maxVersion = m.max_version;
    out->flags = m.flags;
    out->subscriptions = m.subscriptions;
    out->name = fixedName(m.name, sizeof(m.name));
    return PG_OK;
}

int decodeVerdicts(const std::vector<uint8_t> &bytes, std::vector<VerdictEntry> *out,
                   uint32_t *detail)
{
    const int rc = checkClient(bytes, PG_MSG_VERDICTS, detail);
    if (rc != PG_OK)
        return rc;
    const auto m = get<pg_verdicts_msg>(bytes, 0);
    std::vector<VerdictEntry> v;
    v.reserve(m.count);
    for (uint32_t i = 0; i < m.count; ++i) {
        const auto rec = get<pg_verdict>(bytes, sizeof(pg_verdicts_msg) + i * sizeof(pg_verdict));
        v.push_back(VerdictEntry{rec.hold_id, static_cast<Verdict>(rec.verdict)});
    }
    *out = std::move(v);
    return PG_OK;
}

int decodeSetPolicy(const std::vector<uint8_t> &bytes, Policy *out, uint32_t *detail)
{
    const int rc = checkClient(bytes, PG_MSG_SET_POLICY, detail);
    if (rc != PG_OK)
        return rc;
    return readPolicy(bytes, out);
}

std::vector<uint8_t> encodeManaged(uint64_t requestId, const ManagedStatus &managed)
{
    std::vector<uint8_t> out;
    pg_managed_msg m{};
    m.hdr = makeHeader(PG_MSG_MANAGED, requestId);
    m.flags = managed.flags;
    m.file_count = static_cast<uint32_t>(managed.files.size());
    m.rule_count = managed.ruleCount;
    m.rejected = managed.rejected;
    m.changed_ns = managed.changedNs;
    bool cut = false;
    const std::string source = fitString(managed.source, PG_MAX_PATH_BYTES, &cut);
    uint16_t sourceLen = 0;
    stringLength(source, PG_MAX_PATH_BYTES, &sourceLen);
    m.source_len = sourceLen;
    put(out, m);
    putString(out, source, sourceLen);
    padTo8(out);
    for (const ManagedFile &f : managed.files) {
        std::string name = fitString(f.name, PG_MAX_MANAGED_NAME_BYTES, &cut);
        if (name.empty())
            name = "?";
        const std::string error = fitString(f.error, PG_MAX_MANAGED_ERROR_BYTES, &cut);
        uint16_t nameLen = 0;
        uint16_t errorLen = 0;
        stringLength(name, PG_MAX_MANAGED_NAME_BYTES, &nameLen);
        stringLength(error, PG_MAX_MANAGED_ERROR_BYTES, &errorLen);
        pg_managed_file rec{};
        rec.size = align8(static_cast<uint32_t>(sizeof rec) + nameLen + errorLen);
        rec.state = static_cast<uint16_t>(f.state);
        rec.name_len = nameLen;
        rec.rule_count = f.ruleCount;
        rec.error_len = errorLen;
        put(out, rec);
        putString(out, name, nameLen);
        putString(out, error, errorLen);
        padTo8(out);
    }
    sealSize(out);
    return out;
}

} // namespace msg
} // namespace pg
