// MessageBuilder.h - builds wire messages (driver/protocol/pg_protocol.h)
// as byte vectors for the core unit tests.
//
// Every builder returns a well-formed message; a test breaks exactly one
// thing with patch() (at an offsetof() position) and checks the verdict of
// the validator. Strings are given as std::string; an empty string is an
// absent field (length 0), everything else gets its NUL appended.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "pg_core.h"

namespace pgtest
{

using Bytes = std::vector<uint8_t>;

// Overwrites sizeof(T) bytes at off with value.
template <typename T> void patch(Bytes &b, size_t off, T value)
{
    std::memcpy(b.data() + off, &value, sizeof(T));
}

template <typename T> T peek(const Bytes &b, size_t off)
{
    T value;
    std::memcpy(&value, b.data() + off, sizeof(T));
    return value;
}

inline void append(Bytes &b, const void *p, size_t n)
{
    const uint8_t *bytes = static_cast<const uint8_t *>(p);
    b.insert(b.end(), bytes, bytes + n);
}

inline void appendString(Bytes &b, const std::string &s)
{
    if (!s.empty()) {
        append(b, s.data(), s.size());
        b.push_back(0);
    }
}

inline uint16_t wireLen(const std::string &s)
{
    return static_cast<uint16_t>(s.empty() ? 0 : s.size() + 1);
}

inline void padTo8(Bytes &b, size_t recordStart)
{
    while ((b.size() - recordStart) % 8 != 0) {
        b.push_back(0);
    }
}

inline pg_msg_header makeHeader(uint16_t type, uint64_t requestId = 7)
{
    pg_msg_header h{};
    h.version = PG_PROTOCOL_VERSION;
    h.type = type;
    h.request_id = requestId;
    return h;
}

// Sets hdr.size to the byte count.
inline void seal(Bytes &b)
{
    patch<uint32_t>(b, offsetof(pg_msg_header, size), static_cast<uint32_t>(b.size()));
}

template <typename T> Bytes fromStruct(const T &s)
{
    Bytes b;
    append(b, &s, sizeof(s));
    seal(b);
    return b;
}

// ---- rules -------------------------------------------------------------

struct RuleSpec {
    uint32_t id = 1;
    uint8_t kind = PG_RULE_EXACT;
    uint8_t action = PG_VERDICT_ALLOW;
    std::string pattern;
    uint16_t flags = 0;
    uint32_t uid = 0;
    std::string parent;   // empty: any parent
    std::string message;  // empty: none
    std::string link;     // empty: none
    bool hasTime = false; // a pg_rule_time block follows (PG_RULEF_TIME)
    pg_rule_time time{};
};

inline RuleSpec exact(uint32_t id, const std::string &p, uint8_t action)
{
    RuleSpec r;
    r.id = id;
    r.kind = PG_RULE_EXACT;
    r.pattern = p;
    r.action = action;
    return r;
}

inline RuleSpec glob(uint32_t id, const std::string &p, uint8_t action)
{
    RuleSpec r = exact(id, p, action);
    r.kind = PG_RULE_GLOB;
    return r;
}

inline RuleSpec prefix(uint32_t id, const std::string &p, uint8_t action)
{
    RuleSpec r = exact(id, p, action);
    r.kind = PG_RULE_PREFIX;
    return r;
}

inline RuleSpec sha256(uint32_t id, const std::string &hex, uint8_t action)
{
    RuleSpec r = exact(id, hex, action);
    r.kind = PG_RULE_SHA256;
    return r;
}

inline RuleSpec cmdline(uint32_t id, const std::string &p, uint8_t action)
{
    RuleSpec r = exact(id, p, action);
    r.kind = PG_RULE_CMDLINE;
    return r;
}

inline RuleSpec package(uint32_t id, const std::string &p, uint8_t action)
{
    RuleSpec r = exact(id, p, action);
    r.kind = PG_RULE_PACKAGE;
    return r;
}

inline RuleSpec signer(uint32_t id, const std::string &p, uint8_t action)
{
    RuleSpec r = exact(id, p, action);
    r.kind = PG_RULE_SIGNER;
    return r;
}

inline RuleSpec forGroup(RuleSpec r, uint32_t gid)
{
    r.flags = static_cast<uint16_t>(r.flags | PG_RULEF_GROUP);
    r.uid = gid;
    return r;
}

inline RuleSpec withMessage(RuleSpec r, const std::string &message, const std::string &link)
{
    r.message = message;
    r.link = link;
    return r;
}

inline RuleSpec forUser(RuleSpec r, uint32_t uid)
{
    r.flags = static_cast<uint16_t>(r.flags | PG_RULEF_USER);
    r.uid = uid;
    return r;
}

inline RuleSpec withParent(RuleSpec r, const std::string &parentGlob)
{
    r.parent = parentGlob;
    return r;
}

inline RuleSpec folded(RuleSpec r)
{
    r.flags = static_cast<uint16_t>(r.flags | PG_RULEF_CASE_FOLD);
    return r;
}

inline RuleSpec withTime(RuleSpec r, const pg_rule_time &t)
{
    r.flags = static_cast<uint16_t>(r.flags | PG_RULEF_TIME);
    r.hasTime = true;
    r.time = t;
    return r;
}

inline void appendRule(Bytes &b, const RuleSpec &spec)
{
    const size_t start = b.size();
    pg_rule r{};
    r.id = spec.id;
    r.kind = spec.kind;
    r.action = spec.action;
    r.flags = spec.flags;
    r.uid = spec.uid;
    r.pattern_len = wireLen(spec.pattern);
    r.parent_len = wireLen(spec.parent);
    r.message_len = wireLen(spec.message);
    r.link_len = wireLen(spec.link);
    r.size = PG_ALIGN8(static_cast<uint32_t>(sizeof(pg_rule)) + r.pattern_len + r.parent_len +
                       r.message_len + r.link_len);
    if (spec.hasTime)
        r.size += static_cast<uint32_t>(sizeof(pg_rule_time));
    append(b, &r, sizeof(r));
    appendString(b, spec.pattern);
    appendString(b, spec.parent);
    appendString(b, spec.message);
    appendString(b, spec.link);
    padTo8(b, start);
    if (spec.hasTime)
        append(b, &spec.time, sizeof(spec.time));
}

// Rule records only (what pg_rule_cache_build takes).
inline Bytes ruleRecords(const std::vector<RuleSpec> &rules)
{
    Bytes b;
    for (const RuleSpec &r : rules) {
        appendRule(b, r);
    }
    return b;
}

inline pg_policy defaultPolicy(uint16_t type = PG_MSG_SET_POLICY)
{
    pg_policy p{};
    p.hdr = makeHeader(type);
    p.mode = PG_MODE_PROMPT;
    p.default_verdict = PG_VERDICT_BLOCK;
    p.timeout_ms = 30000;
    p.hold_budget_ms = 500;
    return p;
}

inline Bytes policy(const std::vector<RuleSpec> &rules, pg_policy p = defaultPolicy())
{
    p.rule_count = static_cast<uint32_t>(rules.size());
    Bytes b;
    append(b, &p, sizeof(p));
    Bytes recs = ruleRecords(rules);
    b.insert(b.end(), recs.begin(), recs.end());
    seal(b);
    return b;
}

// ---- client messages ---------------------------------------------------

inline pg_hello defaultHello()
{
    pg_hello h{};
    h.hdr = makeHeader(PG_MSG_HELLO);
    h.min_version = PG_PROTOCOL_MIN_VERSION;
    h.max_version = PG_PROTOCOL_VERSION;
    h.flags = PG_HELLO_CONTROL;
    std::memcpy(h.name, "unit-test", 9);
    return h;
}

inline Bytes hello(const pg_hello &h = defaultHello())
{
    return fromStruct(h);
}

inline pg_verdict verdict(uint64_t holdId, uint8_t v)
{
    pg_verdict out{};
    out.hold_id = holdId;
    out.verdict = v;
    return out;
}

inline Bytes verdicts(const std::vector<pg_verdict> &items)
{
    pg_verdicts_msg m{};
    m.hdr = makeHeader(PG_MSG_VERDICTS);
    m.count = static_cast<uint32_t>(items.size());
    Bytes b;
    append(b, &m, sizeof(m));
    for (const pg_verdict &v : items) {
        append(b, &v, sizeof(v));
    }
    seal(b);
    return b;
}

inline Bytes headerOnly(uint16_t type)
{
    return fromStruct(makeHeader(type));
}

// ---- server messages ---------------------------------------------------

struct EventSpec {
    pg_event fixed{};
    std::string image, cmdline, sid, parentImage;
};

inline EventSpec event(uint16_t kind, uint64_t seq)
{
    EventSpec e;
    e.fixed.kind = kind;
    e.fixed.seq = seq;
    e.fixed.mode = PG_MODE_PROMPT;
    e.fixed.pid = 100;
    e.fixed.ppid = 1;
    return e;
}

inline void appendEvent(Bytes &b, EventSpec e)
{
    const size_t start = b.size();
    e.fixed.image_len = wireLen(e.image);
    e.fixed.cmdline_len = wireLen(e.cmdline);
    e.fixed.sid_len = wireLen(e.sid);
    e.fixed.parent_image_len = wireLen(e.parentImage);
    e.fixed.size = pg_event_record_size(e.fixed.image_len, e.fixed.cmdline_len, e.fixed.sid_len,
                                        e.fixed.parent_image_len);
    append(b, &e.fixed, sizeof(e.fixed));
    appendString(b, e.image);
    appendString(b, e.cmdline);
    appendString(b, e.sid);
    appendString(b, e.parentImage);
    padTo8(b, start);
}

inline Bytes events(const std::vector<EventSpec> &evs)
{
    pg_events_msg m{};
    m.hdr = makeHeader(PG_MSG_EVENTS, 0);
    m.count = static_cast<uint32_t>(evs.size());
    Bytes b;
    append(b, &m, sizeof(m));
    for (const EventSpec &e : evs) {
        appendEvent(b, e);
    }
    seal(b);
    return b;
}

inline pg_hello_reply defaultHelloReply()
{
    pg_hello_reply r{};
    r.hdr = makeHeader(PG_MSG_HELLO_REPLY);
    r.status = PG_OK;
    r.version = PG_PROTOCOL_VERSION;
    r.role = PG_ROLE_CONTROLLER;
    r.platform = PG_PLATFORM_LINUX;
    r.server_pid = 42;
    std::memcpy(r.name, "procguardd", 10);
    return r;
}

inline pg_result defaultResult()
{
    pg_result r{};
    r.hdr = makeHeader(PG_MSG_RESULT);
    std::memcpy(r.text, "ok", 2);
    return r;
}

inline pg_status_msg defaultStatus()
{
    pg_status_msg s{};
    s.hdr = makeHeader(PG_MSG_STATUS);
    s.mode = PG_MODE_LOCKDOWN;
    s.default_verdict = PG_VERDICT_BLOCK;
    s.platform = PG_PLATFORM_WINDOWS;
    s.version = PG_PROTOCOL_VERSION;
    return s;
}

} // namespace pgtest
