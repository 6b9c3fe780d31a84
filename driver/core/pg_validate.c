/*
 * pg_validate.c - validation of every message that crosses the boundary.
 *
 * Module description:
 *   Implements pg_validate.h. Every byte that reaches the kernel component
 *   from a client (and every byte a client receives) goes through here
 *   before any other code reads a field, so this file is the one place
 *   that decides what "well formed" means.
 *
 * Invariants the rest of the core relies on after PG_OK:
 *   - hdr.size == bytes received, and every fixed part lies inside them;
 *   - every count and every record size lies inside the message, records
 *     are 8-byte multiples and end exactly at the message end;
 *   - every string is absent (length 0) or NUL-terminated with no inner
 *     NUL, and within its protocol maximum;
 *   - every enumeration and flag field is within its range, and every
 *     reserved field and padding byte is zero (so that a later version may
 *     give them a meaning without old components misreading them).
 *
 * What it must not do:
 *   Read past len, write anything, allocate, or assume the buffer is
 *   aligned: buffers come from sockets and IOCTLs, so fixed parts are
 *   copied into locals with memcpy before their fields are read.
 *
 * Checks that need memory (rule ids unique within a policy) are done by
 * pg_rule_cache_build(), which has an arena.
 */
#include "pg_validate.h"
#include "pg_schedule.h"

#if !defined(PG_KERNEL_MODE)
#include <string.h>
#endif

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static void set_detail(uint32_t *detail, uint32_t value)
{
    if (detail != NULL) {
        *detail = value;
    }
}

/* A fixed-size name field: NUL-padded, i.e. at least one NUL and only
 * NULs after the first one. Trailing garbage would be an information leak
 * on the sender's side and is rejected so that both sides agree. */
static int check_padded_name(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && s[i] != '\0') {
        i++;
    }
    if (i == n) {
        return PG_E_STRING;
    }
    for (; i < n; i++) {
        if (s[i] != '\0') {
            return PG_E_STRING;
        }
    }
    return PG_OK;
}

/* Bytes between the end of the payload and the end of the 8-aligned
 * record must be zero. */
static int check_zero(const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] != 0) {
            return PG_E_RANGE;
        }
    }
    return PG_OK;
}

static int is_verdict(uint32_t v)
{
    return v == PG_VERDICT_ALLOW || v == PG_VERDICT_BLOCK;
}

static int is_mode(uint32_t m)
{
    return m >= PG_MODE_MONITOR && m <= PG_MODE_MAX;
}

/* ------------------------------------------------------------------ */
/* Strings                                                             */
/* ------------------------------------------------------------------ */

int pg_validate_string(const char *s, size_t len)
{
    size_t i;

    if (len == 0) {
        return PG_OK;
    }
    if (s == NULL || s[len - 1] != '\0') {
        return PG_E_STRING;
    }
    for (i = 0; i + 1 < len; i++) {
        if (s[i] == '\0') {
            return PG_E_STRING;
        }
    }
    return PG_OK;
}

/* ------------------------------------------------------------------ */
/* Records                                                             */
/* ------------------------------------------------------------------ */

static int is_rule_action(uint32_t v)
{
    return v == PG_VERDICT_ALLOW || v == PG_VERDICT_BLOCK || v == PG_VERDICT_ASK;
}

static int is_hex_digit(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int pg_validate_rule(const void *rec, size_t avail, uint32_t *size_out)
{
    const uint8_t *p = (const uint8_t *)rec;
    const uint8_t *pat;
    pg_rule r;
    uint32_t payload;
    uint32_t i;
    int st;

    if (rec == NULL || avail < sizeof(pg_rule)) {
        return PG_E_LENGTH;
    }
    memcpy(&r, p, sizeof(r));

    /* Size first: everything else is read relative to it. */
    if (r.size < sizeof(pg_rule) || (r.size & 7u) != 0 || r.size > avail) {
        return PG_E_LENGTH;
    }
    payload = (uint32_t)sizeof(pg_rule) + r.pattern_len + r.parent_len + r.message_len + r.link_len;
    /* A time block (PG_RULEF_TIME) ends the record, 8-aligned after the
     * strings, so the strings stay where version-1 peers read them. */
    if (PG_ALIGN8(payload) + ((r.flags & PG_RULEF_TIME) != 0 ? sizeof(pg_rule_time) : 0u) !=
        r.size) {
        return PG_E_LENGTH;
    }

    if (r.id == 0 || r.kind < PG_RULE_EXACT || r.kind > PG_RULE_KIND_MAX ||
        !is_rule_action(r.action) || (r.flags & ~PG_RULEF_ALL) != 0) {
        return PG_E_RANGE;
    }
    /* One account condition at most: a uid or a gid, never both (they
     * share the uid field). */
    if ((r.flags & PG_RULEF_USER) != 0 && (r.flags & PG_RULEF_GROUP) != 0) {
        return PG_E_RANGE;
    }
    /* A pattern holds at least one character; a parent condition, when
     * present, too (an empty glob would only match an empty path). */
    if (r.pattern_len < 2 || r.pattern_len > PG_MAX_PATTERN_BYTES) {
        return PG_E_RANGE;
    }
    if (r.parent_len == 1 || r.parent_len > PG_MAX_PATTERN_BYTES) {
        return PG_E_RANGE;
    }
    if (r.message_len == 1 || r.message_len > PG_MAX_RULE_MESSAGE_BYTES || r.link_len == 1 ||
        r.link_len > PG_MAX_RULE_LINK_BYTES) {
        return PG_E_RANGE;
    }

    pat = p + sizeof(pg_rule);
    st = pg_validate_string((const char *)pat, r.pattern_len);
    if (st == PG_OK) {
        st = pg_validate_string((const char *)pat + r.pattern_len, r.parent_len);
    }
    if (st == PG_OK) {
        st = pg_validate_string((const char *)pat + r.pattern_len + r.parent_len, r.message_len);
    }
    if (st == PG_OK) {
        st = pg_validate_string((const char *)pat + r.pattern_len + r.parent_len + r.message_len,
                                r.link_len);
    }
    if (st != PG_OK) {
        return st;
    }
    /* PREFIX means "directory": without the trailing '/' the rule
     * "/usr/bin" would also match "/usr/binaries/x". */
    if (r.kind == PG_RULE_PREFIX && pat[r.pattern_len - 2] != '/') {
        return PG_E_RANGE;
    }
    /* A signer's display name has no control characters and no space at
     * either end (the system trims it): such a pattern could never match
     * and is surely a pasting mistake. */
    if (r.kind == PG_RULE_SIGNER) {
        if (pat[0] == ' ' || pat[r.pattern_len - 2] == ' ') {
            return PG_E_RANGE;
        }
        for (i = 0; i + 1u < r.pattern_len; i++) {
            if ((unsigned char)pat[i] < 0x20u || pat[i] == 0x7F) {
                return PG_E_RANGE;
            }
        }
    }
    /* A digest is exactly 64 hex digits: anything else could never match
     * and is surely a mistake (a path pasted into the wrong field). */
    if (r.kind == PG_RULE_SHA256) {
        if (r.pattern_len != PG_SHA256_HEX_CHARS + 1u) {
            return PG_E_RANGE;
        }
        for (i = 0; i < PG_SHA256_HEX_CHARS; i++) {
            if (!is_hex_digit(pat[i])) {
                return PG_E_RANGE;
            }
        }
    }
    st = check_zero(p + payload, PG_ALIGN8(payload) - payload);
    if (st != PG_OK) {
        return st;
    }
    if ((r.flags & PG_RULEF_TIME) != 0) {
        pg_rule_time t;
        memcpy(&t, p + PG_ALIGN8(payload), sizeof(t));
        if (pg_rule_time_check(&t) != PG_OK) {
            return PG_E_RANGE;
        }
    }
    if (size_out != NULL) {
        *size_out = r.size;
    }
    return PG_OK;
}

int pg_validate_event(const void *rec, size_t avail, uint32_t *size_out)
{
    const uint8_t *p = (const uint8_t *)rec;
    const char *s;
    pg_event ev;
    uint32_t payload;
    int st;

    if (rec == NULL || avail < sizeof(pg_event)) {
        return PG_E_LENGTH;
    }
    memcpy(&ev, p, sizeof(ev));

    if (ev.size < sizeof(pg_event) || (ev.size & 7u) != 0 || ev.size > avail) {
        return PG_E_LENGTH;
    }
    payload = (uint32_t)sizeof(pg_event) + ev.image_len + ev.cmdline_len + ev.sid_len +
              ev.parent_image_len;
    if (PG_ALIGN8(payload) != ev.size) {
        return PG_E_LENGTH;
    }

    if (ev.kind < PG_EV_START || ev.kind > PG_EV_KIND_MAX || (ev.flags & ~PG_EVF_ALL) != 0 ||
        ev.verdict > PG_VERDICT_BLOCK || ev.source > PG_SRC_MAX ||
        ev.default_verdict > PG_VERDICT_BLOCK || !is_mode(ev.mode) || ev.reserved != 0) {
        return PG_E_RANGE;
    }
    /* Fields whose meaning depends on the kind. */
    if (ev.kind == PG_EV_VERDICT && (!is_verdict(ev.verdict) || ev.source == PG_SRC_NONE)) {
        return PG_E_RANGE;
    }
    if (ev.kind == PG_EV_REQUEST && (ev.hold_id == 0 || !is_verdict(ev.default_verdict))) {
        return PG_E_RANGE;
    }
    if (ev.image_len > PG_MAX_PATH_BYTES || ev.cmdline_len > PG_MAX_CMDLINE_BYTES ||
        ev.sid_len > PG_MAX_SID_BYTES || ev.parent_image_len > PG_MAX_PATH_BYTES) {
        return PG_E_RANGE;
    }

    s = (const char *)p + sizeof(pg_event);
    st = pg_validate_string(s, ev.image_len);
    s += ev.image_len;
    if (st == PG_OK) {
        st = pg_validate_string(s, ev.cmdline_len);
    }
    s += ev.cmdline_len;
    if (st == PG_OK) {
        st = pg_validate_string(s, ev.sid_len);
    }
    s += ev.sid_len;
    if (st == PG_OK) {
        st = pg_validate_string(s, ev.parent_image_len);
    }
    if (st == PG_OK) {
        st = check_zero(p + payload, ev.size - payload);
    }
    if (st == PG_OK && size_out != NULL) {
        *size_out = ev.size;
    }
    return st;
}

/* ------------------------------------------------------------------ */
/* Message bodies                                                      */
/* ------------------------------------------------------------------ */

/* pg_policy + rule records; shared by SET_POLICY (client) and POLICY
 * (server). */
static int validate_policy(const uint8_t *buf, size_t len, uint32_t *detail)
{
    pg_policy pol;
    size_t off;
    uint32_t i;

    if (len < sizeof(pg_policy)) {
        return PG_E_SIZE;
    }
    memcpy(&pol, buf, sizeof(pol));
    if (!is_mode(pol.mode) || !is_verdict(pol.default_verdict) ||
        pol.timeout_ms > PG_MAX_TIMEOUT_MS || pol.hold_budget_ms > PG_MAX_HOLD_BUDGET_MS ||
        (pol.flags & ~PG_POLF_ALL) != 0 || pol.rule_count > PG_MAX_RULES) {
        return PG_E_RANGE;
    }
    /* Cheap bound before the walk: every rule needs its fixed part. */
    if ((size_t)pol.rule_count * sizeof(pg_rule) > len - sizeof(pg_policy)) {
        return PG_E_LENGTH;
    }
    off = sizeof(pg_policy);
    for (i = 0; i < pol.rule_count; i++) {
        uint32_t sz = 0;
        int st = pg_validate_rule(buf + off, len - off, &sz);
        if (st != PG_OK) {
            set_detail(detail, i);
            return st;
        }
        off += sz;
    }
    if (off != len) {
        /* Bytes after the last record: the count disagrees with the size. */
        set_detail(detail, pol.rule_count);
        return PG_E_LENGTH;
    }
    return PG_OK;
}

static int validate_hello(const uint8_t *buf, size_t len, uint16_t hdr_version)
{
    pg_hello h;
    int st;

    /* A newer client may append fields to HELLO; this component reads the
     * part it knows and the reply tells the client which version won. */
    if (len < sizeof(pg_hello) || (hdr_version <= PG_PROTOCOL_VERSION && len != sizeof(pg_hello))) {
        return PG_E_SIZE;
    }
    memcpy(&h, buf, sizeof(h));
    if ((h.flags & ~PG_HELLO_FLAGS_ALL) != 0 || (h.subscriptions & ~PG_SUB_ALL) != 0 ||
        h.reserved != 0 || h.min_version == 0 || h.min_version > h.max_version) {
        return PG_E_RANGE;
    }
    /* OBSERVE_OK only qualifies CONTROL or RESOLVE; one client has one role. */
    if ((h.flags & PG_HELLO_OBSERVE_OK) != 0 &&
        (h.flags & (PG_HELLO_CONTROL | PG_HELLO_RESOLVE)) == 0) {
        return PG_E_RANGE;
    }
    if ((h.flags & PG_HELLO_CONTROL) != 0 && (h.flags & PG_HELLO_RESOLVE) != 0) {
        return PG_E_RANGE;
    }
    st = check_padded_name(h.name, sizeof(h.name));
    if (st != PG_OK) {
        return st;
    }
    if (h.max_version < PG_PROTOCOL_MIN_VERSION || h.min_version > PG_PROTOCOL_VERSION) {
        return PG_E_VERSION;
    }
    return PG_OK;
}

static int validate_verdicts(const uint8_t *buf, size_t len, uint32_t *detail)
{
    pg_verdicts_msg m;
    uint32_t i;

    if (len < sizeof(pg_verdicts_msg)) {
        return PG_E_SIZE;
    }
    memcpy(&m, buf, sizeof(m));
    if (m.count == 0 || m.count > PG_MAX_VERDICTS || m.reserved != 0) {
        return PG_E_RANGE;
    }
    if (len - sizeof(pg_verdicts_msg) != (size_t)m.count * sizeof(pg_verdict)) {
        return PG_E_LENGTH;
    }
    for (i = 0; i < m.count; i++) {
        pg_verdict v;
        memcpy(&v, buf + sizeof(pg_verdicts_msg) + (size_t)i * sizeof(pg_verdict), sizeof(v));
        if (v.hold_id == 0 || !is_verdict(v.verdict) || v.reserved[0] != 0 || v.reserved[1] != 0 ||
            v.reserved[2] != 0 || v.flags != 0) {
            set_detail(detail, i);
            return PG_E_RANGE;
        }
    }
    return PG_OK;
}

static int validate_hello_reply(const uint8_t *buf, size_t len)
{
    pg_hello_reply r;

    if (len != sizeof(pg_hello_reply)) {
        return PG_E_SIZE;
    }
    memcpy(&r, buf, sizeof(r));
    if (r.status > PG_STATUS_MAX || r.role > PG_ROLE_RESOLVER ||
        (r.platform != PG_PLATFORM_LINUX && r.platform != PG_PLATFORM_WINDOWS)) {
        return PG_E_RANGE;
    }
    /* Granted means a role and a version this side speaks. */
    if (r.status == PG_OK) {
        if (r.role == PG_ROLE_NONE) {
            return PG_E_RANGE;
        }
        if (r.version < PG_PROTOCOL_MIN_VERSION || r.version > PG_PROTOCOL_VERSION) {
            return PG_E_VERSION;
        }
    }
    return check_padded_name(r.name, sizeof(r.name));
}

static int validate_result(const uint8_t *buf, size_t len)
{
    pg_result r;

    if (len != sizeof(pg_result)) {
        return PG_E_SIZE;
    }
    memcpy(&r, buf, sizeof(r));
    if (r.status > PG_STATUS_MAX) {
        return PG_E_RANGE;
    }
    return check_padded_name(r.text, sizeof(r.text));
}

static int validate_events(const uint8_t *buf, size_t len, uint32_t *detail)
{
    pg_events_msg m;
    size_t off;
    uint32_t i;

    if (len < sizeof(pg_events_msg)) {
        return PG_E_SIZE;
    }
    memcpy(&m, buf, sizeof(m));
    if (m.reserved != 0) {
        return PG_E_RANGE;
    }
    if ((size_t)m.count * sizeof(pg_event) > len - sizeof(pg_events_msg)) {
        return PG_E_LENGTH;
    }
    off = sizeof(pg_events_msg);
    for (i = 0; i < m.count; i++) {
        uint32_t sz = 0;
        int st = pg_validate_event(buf + off, len - off, &sz);
        if (st != PG_OK) {
            set_detail(detail, i);
            return st;
        }
        off += sz;
    }
    if (off != len) {
        set_detail(detail, m.count);
        return PG_E_LENGTH;
    }
    return PG_OK;
}

static int validate_status(const uint8_t *buf, size_t len)
{
    pg_status_msg s;

    if (len != sizeof(pg_status_msg)) {
        return PG_E_SIZE;
    }
    memcpy(&s, buf, sizeof(s));
    if (!is_mode(s.mode) || !is_verdict(s.default_verdict) || s.timeout_ms > PG_MAX_TIMEOUT_MS ||
        s.hold_budget_ms > PG_MAX_HOLD_BUDGET_MS || s.rule_count > PG_MAX_RULES ||
        (s.platform != PG_PLATFORM_LINUX && s.platform != PG_PLATFORM_WINDOWS) ||
        s.frozen_now > s.held_now) {
        return PG_E_RANGE;
    }
    return PG_OK;
}

static int validate_managed(const uint8_t *buf, size_t len, uint32_t *detail)
{
    pg_managed_msg m;
    size_t off;
    uint32_t i;
    int st;

    if (len < sizeof(pg_managed_msg)) {
        return PG_E_SIZE;
    }
    memcpy(&m, buf, sizeof(m));
    if ((m.flags & ~PG_MANF_ALL) != 0 || m.reserved1 != 0 || m.reserved2 != 0 ||
        m.rule_count > PG_MAX_RULES || m.rejected > m.file_count ||
        m.source_len > PG_MAX_PATH_BYTES ||
        ((m.flags & PG_MANF_LOCAL_BLOCK_ONLY) != 0 && (m.flags & PG_MANF_LOCAL_NONE) != 0)) {
        return PG_E_RANGE;
    }
    off = sizeof(pg_managed_msg);
    if (m.source_len > len - off || PG_ALIGN8((size_t)m.source_len) > len - off) {
        return PG_E_LENGTH;
    }
    st = pg_validate_string((const char *)buf + off, m.source_len);
    if (st != PG_OK) {
        return st;
    }
    st = check_zero(buf + off + m.source_len, PG_ALIGN8((size_t)m.source_len) - m.source_len);
    if (st != PG_OK) {
        return st;
    }
    off += PG_ALIGN8((size_t)m.source_len);
    if ((size_t)m.file_count * sizeof(pg_managed_file) > len - off) {
        return PG_E_LENGTH;
    }
    for (i = 0; i < m.file_count; i++) {
        pg_managed_file f;
        size_t payload;
        if (len - off < sizeof(f)) {
            set_detail(detail, i);
            return PG_E_LENGTH;
        }
        memcpy(&f, buf + off, sizeof(f));
        payload = sizeof(f) + (size_t)f.name_len + f.error_len;
        if (f.state > PG_MANAGED_STATE_MAX || f.reserved != 0 || f.name_len < 2 ||
            f.name_len > PG_MAX_MANAGED_NAME_BYTES || f.error_len == 1 ||
            f.error_len > PG_MAX_MANAGED_ERROR_BYTES || f.rule_count > PG_MAX_RULES ||
            f.size != PG_ALIGN8(payload)) {
            set_detail(detail, i);
            return PG_E_RANGE;
        }
        if (f.size > len - off) {
            set_detail(detail, i);
            return PG_E_LENGTH;
        }
        st = pg_validate_string((const char *)buf + off + sizeof(f), f.name_len);
        if (st == PG_OK) {
            st = pg_validate_string((const char *)buf + off + sizeof(f) + f.name_len, f.error_len);
        }
        if (st == PG_OK) {
            st = check_zero(buf + off + payload, f.size - payload);
        }
        if (st != PG_OK) {
            set_detail(detail, i);
            return st;
        }
        off += f.size;
    }
    if (off != len) {
        set_detail(detail, m.file_count);
        return PG_E_LENGTH;
    }
    return PG_OK;
}

/* ------------------------------------------------------------------ */
/* Whole messages                                                      */
/* ------------------------------------------------------------------ */

/* Size and header checks common to both directions. The negotiating type
 * (HELLO or HELLO_REPLY) is accepted with any header version. */
static int validate_header(const void *buf, size_t len, uint16_t negotiating_type,
                           pg_msg_header *hdr)
{
    if (buf == NULL || len < sizeof(pg_msg_header) || len > PG_MAX_MESSAGE_SIZE) {
        return PG_E_SIZE;
    }
    memcpy(hdr, buf, sizeof(*hdr));
    if (hdr->size != len) {
        return PG_E_SIZE;
    }
    /* Version before type: a newer peer may use types this side does not
     * know, and "unsupported version" is the answer it can act on. */
    if (hdr->type != negotiating_type &&
        (hdr->version < PG_PROTOCOL_MIN_VERSION || hdr->version > PG_PROTOCOL_VERSION)) {
        return PG_E_VERSION;
    }
    return PG_OK;
}

int pg_validate_client_message(const void *buf, size_t len, uint32_t *detail)
{
    const uint8_t *p = (const uint8_t *)buf;
    pg_msg_header hdr;
    int st;

    set_detail(detail, 0);
    st = validate_header(buf, len, PG_MSG_HELLO, &hdr);
    if (st != PG_OK) {
        return st;
    }
    switch (hdr.type) {
    case PG_MSG_HELLO:
        return validate_hello(p, len, hdr.version);
    case PG_MSG_VERDICTS:
        return validate_verdicts(p, len, detail);
    case PG_MSG_SET_POLICY:
        return validate_policy(p, len, detail);
    case PG_MSG_GET_POLICY:
    case PG_MSG_GET_STATUS:
    case PG_MSG_GET_MANAGED:
        return len == sizeof(pg_msg_header) ? PG_OK : PG_E_SIZE;
    default:
        /* Unknown, or a server-to-client type sent the wrong way. */
        return PG_E_TYPE;
    }
}

int pg_validate_server_message(const void *buf, size_t len, uint32_t *detail)
{
    const uint8_t *p = (const uint8_t *)buf;
    pg_msg_header hdr;
    int st;

    set_detail(detail, 0);
    st = validate_header(buf, len, PG_MSG_HELLO_REPLY, &hdr);
    if (st != PG_OK) {
        return st;
    }
    switch (hdr.type) {
    case PG_MSG_HELLO_REPLY:
        return validate_hello_reply(p, len);
    case PG_MSG_RESULT:
        return validate_result(p, len);
    case PG_MSG_EVENTS:
        return validate_events(p, len, detail);
    case PG_MSG_POLICY:
        return validate_policy(p, len, detail);
    case PG_MSG_STATUS:
        return validate_status(p, len);
    case PG_MSG_MANAGED:
        return validate_managed(p, len, detail);
    default:
        return PG_E_TYPE;
    }
}

const char *pg_status_name(int status)
{
    static const char *const names[] = {
        "ok",                           /* PG_OK */
        "message size mismatch",        /* PG_E_SIZE */
        "unsupported protocol version", /* PG_E_VERSION */
        "unexpected message type",      /* PG_E_TYPE */
        "length past end of message",   /* PG_E_LENGTH */
        "malformed string",             /* PG_E_STRING */
        "value out of range",           /* PG_E_RANGE */
        "no space left",                /* PG_E_NOSPACE */
        "another client is in control", /* PG_E_BUSY */
        "not the controlling client",   /* PG_E_NOT_CONTROLLER */
        "access denied",                /* PG_E_ACCESS */
        "not valid in this state",      /* PG_E_STATE */
        "internal error",               /* PG_E_INTERNAL */
        "managed by policy",            /* PG_E_MANAGED */
    };
    PG_STATIC_ASSERT(sizeof(names) / sizeof(names[0]) == PG_STATUS_MAX + 1, "one name per status");

    if (status < 0 || status > PG_STATUS_MAX) {
        return "unknown status";
    }
    return names[status];
}
