/*
 * pg_ecs.c - see pg_ecs.h. The mapping per event kind is documented in
 * docs/ecs.md; change both together.
 *
 * Writing goes through a bounded writer that keeps counting past the end
 * of the buffer, so one pass both fills the buffer and reports the length
 * a complete object needs.
 */
#ifndef PG_KERNEL_MODE
#include <string.h>
#endif

#include "pg_ecs.h"

typedef struct pg_ecs_writer {
    char *buf;
    size_t cap; /* bytes of buf usable for text (one kept for the NUL) */
    size_t len; /* bytes the whole text needs */
} pg_ecs_writer;

static void pgp_ecs_put(pg_ecs_writer *w, const char *s, size_t n)
{
    if (w->len < w->cap) {
        size_t room = w->cap - w->len;
        memcpy(w->buf + w->len, s, n < room ? n : room);
    }
    w->len += n;
}

static size_t pgp_ecs_strlen(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        ++n;
    return n;
}

static void pgp_ecs_raw(pg_ecs_writer *w, const char *s)
{
    pgp_ecs_put(w, s, pgp_ecs_strlen(s));
}

static int pgp_ecs_present(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static void pgp_ecs_u64(pg_ecs_writer *w, uint64_t v)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[sizeof digits - 1 - n] = (char)('0' + (int)(v % 10u));
        v /= 10u;
        ++n;
    } while (v != 0);
    pgp_ecs_put(w, digits + sizeof digits - n, n);
}

/* Zero-padded to width digits. */
static void pgp_ecs_padded(pg_ecs_writer *w, uint32_t v, int width)
{
    char digits[10];
    int i;
    for (i = width - 1; i >= 0; --i) {
        digits[i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    }
    pgp_ecs_put(w, digits, (size_t)width);
}

/* Bytes [p, p+n) escaped for a JSON string; invalid UTF-8 becomes U+FFFD. */
static void pgp_ecs_escaped(pg_ecs_writer *w, const char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            char esc[6];
            switch (c) {
            case '"':
                pgp_ecs_put(w, "\\\"", 2);
                break;
            case '\\':
                pgp_ecs_put(w, "\\\\", 2);
                break;
            case '\n':
                pgp_ecs_put(w, "\\n", 2);
                break;
            case '\r':
                pgp_ecs_put(w, "\\r", 2);
                break;
            case '\t':
                pgp_ecs_put(w, "\\t", 2);
                break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    esc[0] = '\\';
                    esc[1] = 'u';
                    esc[2] = '0';
                    esc[3] = '0';
                    esc[4] = hex[c >> 4];
                    esc[5] = hex[c & 0xf];
                    pgp_ecs_put(w, esc, 6);
                } else {
                    pgp_ecs_put(w, (const char *)&s[i], 1);
                }
                break;
            }
            ++i;
            continue;
        }
        {
            /* A multi-byte sequence: copied when well formed (no overlong
             * forms, no surrogates, nothing above U+10FFFF). */
            size_t need = 0;
            uint32_t cp = 0;
            uint32_t min = 0;
            size_t k;
            int ok = 1;
            if (c >= 0xc2 && c <= 0xdf) {
                need = 1;
                cp = c & 0x1fu;
                min = 0x80;
            } else if (c >= 0xe0 && c <= 0xef) {
                need = 2;
                cp = c & 0x0fu;
                min = 0x800;
            } else if (c >= 0xf0 && c <= 0xf4) {
                need = 3;
                cp = c & 0x07u;
                min = 0x10000;
            } else {
                ok = 0;
            }
            if (ok && i + need >= n)
                ok = 0; /* runs past the end */
            for (k = 1; ok && k <= need; ++k) {
                if ((s[i + k] & 0xc0) != 0x80)
                    ok = 0;
                else
                    cp = (cp << 6) | (s[i + k] & 0x3fu);
            }
            if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)))
                ok = 0;
            if (ok) {
                pgp_ecs_put(w, (const char *)&s[i], need + 1);
                i += need + 1;
            } else {
                pgp_ecs_put(w, "\xef\xbf\xbd", 3);
                ++i;
            }
        }
    }
}

static void pgp_ecs_string(pg_ecs_writer *w, const char *s)
{
    pgp_ecs_put(w, "\"", 1);
    pgp_ecs_escaped(w, s, pgp_ecs_strlen(s));
    pgp_ecs_put(w, "\"", 1);
}

/* ,"key": with a comma unless first. */
static void pgp_ecs_key(pg_ecs_writer *w, int *first, const char *key)
{
    if (!*first)
        pgp_ecs_put(w, ",", 1);
    *first = 0;
    pgp_ecs_put(w, "\"", 1);
    pgp_ecs_raw(w, key);
    pgp_ecs_put(w, "\":", 2);
}

static void pgp_ecs_kv_string(pg_ecs_writer *w, int *first, const char *key, const char *value)
{
    pgp_ecs_key(w, first, key);
    pgp_ecs_string(w, value);
}

static void pgp_ecs_kv_u64(pg_ecs_writer *w, int *first, const char *key, uint64_t value)
{
    pgp_ecs_key(w, first, key);
    pgp_ecs_u64(w, value);
}

/* A JSON array of string literals (no escaping needed). */
static void pgp_ecs_kv_words(pg_ecs_writer *w, int *first, const char *key,
                             const char *const *words, int count)
{
    int i;
    pgp_ecs_key(w, first, key);
    pgp_ecs_put(w, "[", 1);
    for (i = 0; i < count; ++i) {
        if (i > 0)
            pgp_ecs_put(w, ",", 1);
        pgp_ecs_put(w, "\"", 1);
        pgp_ecs_raw(w, words[i]);
        pgp_ecs_put(w, "\"", 1);
    }
    pgp_ecs_put(w, "]", 1);
}

/* "2024-05-01T12:00:00.123456Z" from UTC nanoseconds since 1970. */
static void pgp_ecs_time(pg_ecs_writer *w, uint64_t ns)
{
    /* Days to civil date: H. Hinnant's algorithm, for days >= 0. */
    uint64_t secs = ns / 1000000000u;
    uint32_t micros = (uint32_t)((ns / 1000u) % 1000000u);
    uint64_t days = secs / 86400u;
    uint32_t rem = (uint32_t)(secs % 86400u);
    uint64_t z = days + 719468u;
    uint64_t era = z / 146097u;
    uint32_t doe = (uint32_t)(z - era * 146097u);
    uint32_t yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    uint64_t year = (uint64_t)yoe + era * 400u;
    uint32_t doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    uint32_t mp = (5u * doy + 2u) / 153u;
    uint32_t day = doy - (153u * mp + 2u) / 5u + 1u;
    uint32_t month = mp < 10u ? mp + 3u : mp - 9u;
    if (month <= 2u)
        ++year;
    pgp_ecs_put(w, "\"", 1);
    pgp_ecs_padded(w, (uint32_t)(year % 10000u), 4);
    pgp_ecs_put(w, "-", 1);
    pgp_ecs_padded(w, month, 2);
    pgp_ecs_put(w, "-", 1);
    pgp_ecs_padded(w, day, 2);
    pgp_ecs_put(w, "T", 1);
    pgp_ecs_padded(w, rem / 3600u, 2);
    pgp_ecs_put(w, ":", 1);
    pgp_ecs_padded(w, (rem / 60u) % 60u, 2);
    pgp_ecs_put(w, ":", 1);
    pgp_ecs_padded(w, rem % 60u, 2);
    pgp_ecs_put(w, ".", 1);
    pgp_ecs_padded(w, micros, 6);
    pgp_ecs_put(w, "Z\"", 2);
}

/* The last path component, after '/' or '\'. */
static const char *pgp_ecs_basename(const char *path)
{
    const char *base = path;
    const char *p;
    for (p = path; *p != '\0'; ++p) {
        if (*p == '/' || *p == '\\')
            base = p + 1;
    }
    return base;
}

/*
 * process.args. Linux: the kernel's NUL-separated arguments arrive joined
 * by single spaces, so each space separates two arguments (an argument
 * that itself held a space is split; the command line is exact). Windows:
 * the rules of CommandLineToArgvW - whitespace separates, quotes group,
 * 2n backslashes before a quote are n backslashes and the quote toggles,
 * 2n+1 are n backslashes and a literal quote. Returns the count.
 */
static uint32_t pgp_ecs_args(pg_ecs_writer *w, const char *cmd, int os)
{
    uint32_t count = 0;
    size_t n = pgp_ecs_strlen(cmd);
    size_t i = 0;
    pgp_ecs_put(w, "[", 1);
    if (os != PG_ECS_OS_WINDOWS) {
        size_t start = 0;
        for (i = 0; i <= n; ++i) {
            if (i == n || cmd[i] == ' ') {
                if (count > 0)
                    pgp_ecs_put(w, ",", 1);
                pgp_ecs_put(w, "\"", 1);
                pgp_ecs_escaped(w, cmd + start, i - start);
                pgp_ecs_put(w, "\"", 1);
                ++count;
                start = i + 1;
            }
        }
        pgp_ecs_put(w, "]", 1);
        return count;
    }
    for (;;) {
        int quoted = 0;
        while (i < n && (cmd[i] == ' ' || cmd[i] == '\t'))
            ++i;
        if (i >= n)
            break;
        if (count > 0)
            pgp_ecs_put(w, ",", 1);
        pgp_ecs_put(w, "\"", 1);
        /* The program name: quotes group, backslashes are literal. */
        if (count == 0) {
            size_t start;
            if (cmd[i] == '"') {
                start = ++i;
                while (i < n && cmd[i] != '"')
                    ++i;
                pgp_ecs_escaped(w, cmd + start, i - start);
                if (i < n)
                    ++i;
            }
            start = i;
            while (i < n && cmd[i] != ' ' && cmd[i] != '\t')
                ++i;
            pgp_ecs_escaped(w, cmd + start, i - start);
        } else {
            while (i < n && (quoted || (cmd[i] != ' ' && cmd[i] != '\t'))) {
                if (cmd[i] == '\\') {
                    size_t slashes = 0;
                    size_t k;
                    while (i < n && cmd[i] == '\\') {
                        ++slashes;
                        ++i;
                    }
                    if (i < n && cmd[i] == '"') {
                        for (k = 0; k < slashes / 2; ++k)
                            pgp_ecs_put(w, "\\\\", 2);
                        if (slashes % 2 == 1) {
                            pgp_ecs_put(w, "\\\"", 2);
                            ++i;
                        }
                    } else {
                        for (k = 0; k < slashes; ++k)
                            pgp_ecs_put(w, "\\\\", 2);
                    }
                } else if (cmd[i] == '"') {
                    if (quoted && i + 1 < n && cmd[i + 1] == '"') {
                        pgp_ecs_put(w, "\\\"", 2); /* "" inside quotes: one quote */
                        i += 2;
                    } else {
                        quoted = !quoted;
                        ++i;
                    }
                } else {
                    size_t start = i;
                    while (i < n && cmd[i] != '\\' && cmd[i] != '"' &&
                           (quoted || (cmd[i] != ' ' && cmd[i] != '\t')))
                        ++i;
                    pgp_ecs_escaped(w, cmd + start, i - start);
                }
            }
        }
        pgp_ecs_put(w, "\"", 1);
        ++count;
    }
    pgp_ecs_put(w, "]", 1);
    return count;
}

static const char *pgp_ecs_source_name(uint8_t source)
{
    switch (source) {
    case PG_SRC_RULE:
        return "rule";
    case PG_SRC_CLIENT:
        return "person";
    case PG_SRC_TIMEOUT:
        return "timeout";
    case PG_SRC_DISCONNECT:
        return "disconnect";
    case PG_SRC_STOP:
        return "stop";
    case PG_SRC_NO_CLIENT:
        return "no-client";
    case PG_SRC_MODE:
        return "mode";
    case PG_SRC_EXEMPT:
        return "exempt";
    case PG_SRC_OVERLOAD:
        return "overload";
    default:
        return "none";
    }
}

static const char *pgp_ecs_mode_name(uint8_t mode)
{
    switch (mode) {
    case PG_MODE_MONITOR:
        return "monitor";
    case PG_MODE_PROMPT:
        return "prompt";
    case PG_MODE_LOCKDOWN:
        return "lockdown";
    default:
        return "unknown";
    }
}

static const char *pgp_ecs_verdict_name(uint8_t verdict)
{
    switch (verdict) {
    case PG_VERDICT_ALLOW:
        return "allow";
    case PG_VERDICT_BLOCK:
        return "block";
    case PG_VERDICT_ASK:
        return "ask";
    default:
        return "none";
    }
}

/* As procguardctl rules list names them (app/Types.cpp). */
static const char *pgp_ecs_rule_kind_name(uint8_t kind)
{
    switch (kind) {
    case PG_RULE_EXACT:
        return "exact";
    case PG_RULE_GLOB:
        return "glob";
    case PG_RULE_PREFIX:
        return "prefix";
    case PG_RULE_SHA256:
        return "sha256";
    case PG_RULE_CMDLINE:
        return "cmdline";
    case PG_RULE_PACKAGE:
        return "package";
    case PG_RULE_SIGNER:
        return "signer";
    default:
        return "unknown";
    }
}

/* event.reason of a VERDICT: why it was decided so, in a sentence. */
static void pgp_ecs_reason(pg_ecs_writer *w, const pg_event *ev)
{
    const int block = ev->verdict == PG_VERDICT_BLOCK;
    pgp_ecs_put(w, "\"", 1);
    switch (ev->source) {
    case PG_SRC_RULE:
        if (ev->flags & PG_EVF_BUDGET) {
            pgp_ecs_raw(w, "its daily time budget (rule ");
            pgp_ecs_u64(w, ev->rule_id);
            pgp_ecs_raw(w, ") is used up");
        } else {
            pgp_ecs_raw(w, "rule ");
            pgp_ecs_u64(w, ev->rule_id);
            pgp_ecs_raw(w, block ? " blocks it" : " allows it");
        }
        break;
    case PG_SRC_CLIENT:
        pgp_ecs_raw(w, block ? "a person blocked it" : "a person allowed it");
        break;
    case PG_SRC_TIMEOUT:
        pgp_ecs_raw(w, "nobody answered in time: default verdict");
        break;
    case PG_SRC_DISCONNECT:
        pgp_ecs_raw(w, "the controlling client went away: default verdict");
        break;
    case PG_SRC_STOP:
        pgp_ecs_raw(w, "ProcGuard stopped: default verdict");
        break;
    case PG_SRC_NO_CLIENT:
        pgp_ecs_raw(w, "no client to ask: default verdict");
        break;
    case PG_SRC_MODE:
        if (ev->mode == PG_MODE_LOCKDOWN)
            pgp_ecs_raw(w, "lockdown blocks what no rule allows");
        else if (ev->flags & PG_EVF_WOULD_BLOCK)
            pgp_ecs_raw(w, "monitor mode allows it; lockdown would block it");
        else
            pgp_ecs_raw(w, "monitor mode allows it");
        break;
    case PG_SRC_EXEMPT:
        pgp_ecs_raw(w, "exempt: ProcGuard itself, its client or a critical system process");
        break;
    case PG_SRC_OVERLOAD:
        pgp_ecs_raw(w, "no room to hold it: default verdict");
        break;
    default:
        pgp_ecs_raw(w, block ? "blocked" : "allowed");
        break;
    }
    pgp_ecs_put(w, "\"", 1);
}

const char *pg_event_flag_name(uint16_t bit)
{
    switch (bit) {
    case PG_EVF_HELD:
        return "held";
    case PG_EVF_FROZEN:
        return "frozen";
    case PG_EVF_WOULD_BLOCK:
        return "would-block";
    case PG_EVF_INTERPRETER:
        return "interpreter";
    case PG_EVF_CACHED:
        return "cached";
    case PG_EVF_TRUNCATED:
        return "truncated";
    case PG_EVF_SNAPSHOT:
        return "snapshot";
    case PG_EVF_EXITED:
        return "exited";
    case PG_EVF_KILLED:
        return "killed";
    case PG_EVF_BUDGET:
        return "budget";
    case PG_EVF_FACTS:
        return "facts";
    case PG_EVF_DIGEST_WAIT:
        return "digest-wait";
    case PG_EVF_NO_DIGEST:
        return "no-digest";
    case PG_EVF_UNTRUSTED_PATH:
        return "untrusted-path";
    case PG_EVF_UNSEEN:
        return "unseen";
    default:
        return 0;
    }
}

/* The names of the PG_EVF_* flags set, as procguardctl --json spells them. */
static void pgp_ecs_flags(pg_ecs_writer *w, int *first, uint16_t flags)
{
    const char *set[16];
    int count = 0;
    unsigned i;
    for (i = 0; i < 16; ++i) {
        const uint16_t bit = (uint16_t)(1u << i);
        const char *name = (flags & bit) ? pg_event_flag_name(bit) : 0;
        if (name != 0)
            set[count++] = name;
    }
    pgp_ecs_kv_words(w, first, "flags", set, count);
}

size_t pg_ecs_encode(const pg_ecs_host *host, const pg_ecs_event *e, char *out, size_t cap)
{
    pg_ecs_writer w;
    const pg_event *ev = e->ev;
    const int os = host != NULL ? host->os : PG_ECS_OS_LINUX;
    const int block = ev->kind == PG_EV_VERDICT && ev->verdict == PG_VERDICT_BLOCK;
    const int killed = ev->kind == PG_EV_VERDICT && (ev->flags & PG_EVF_KILLED) != 0;
    const char *kind = "event";
    const char *category[2];
    const char *type[2];
    const char *action = "info";
    const char *outcome = NULL;
    int ncat = 1;
    int ntype = 1;
    int first = 1;
    int sub;
    int has_process;

    w.buf = out;
    w.cap = cap > 0 ? cap - 1 : 0;
    w.len = 0;

    category[0] = "process";
    type[0] = "info";
    switch (ev->kind) {
    case PG_EV_START:
        type[0] = "start";
        action = "start";
        break;
    case PG_EV_EXEC:
        type[0] = "start";
        action = "exec";
        break;
    case PG_EV_EXIT:
        type[0] = "end";
        action = "end";
        break;
    case PG_EV_REQUEST:
        type[0] = "start";
        type[1] = "info";
        ntype = 2;
        action = "held";
        break;
    case PG_EV_VERDICT:
        /* A start decided; or, with KILLED, a running process ended by a
         * block (a budget used up, a block after the hold budget). */
        type[0] = killed ? "end" : "start";
        type[1] = block ? "denied" : "allowed";
        ntype = 2;
        if (block) {
            category[1] = "intrusion_detection";
            ncat = 2;
        }
        action = block ? (killed ? "killed" : "blocked") : "allowed";
        outcome = block ? "failure" : "success";
        break;
    case PG_EV_OVERFLOW:
        action = "events-lost";
        break;
    case PG_EV_RESYNC:
        action = "resync";
        break;
    case PG_EV_POLICY:
        category[0] = "configuration";
        type[0] = "change";
        action = "policy-changed";
        break;
    case PG_EV_THREAD:
        type[0] = (ev->flags & PG_EVF_EXITED) ? "end" : "start";
        action = (ev->flags & PG_EVF_EXITED) ? "thread-end" : "thread-start";
        break;
    case PG_EV_IMAGE:
        category[0] = "library";
        type[0] = "start";
        action = "image-load";
        break;
    case PG_EV_WAIT:
        action = "digest-wait";
        break;
    default:
        break;
    }

    pgp_ecs_put(&w, "{", 1);
    pgp_ecs_key(&w, &first, "@timestamp");
    pgp_ecs_time(&w, ev->time_ns);
    pgp_ecs_raw(&w, ",\"ecs\":{\"version\":\"" PG_ECS_VERSION "\"}");

    /* event */
    pgp_ecs_raw(&w, ",\"event\":{");
    sub = 1;
    pgp_ecs_kv_string(&w, &sub, "kind", kind);
    pgp_ecs_kv_words(&w, &sub, "category", category, ncat);
    pgp_ecs_kv_words(&w, &sub, "type", type, ntype);
    pgp_ecs_kv_string(&w, &sub, "action", action);
    if (outcome != NULL)
        pgp_ecs_kv_string(&w, &sub, "outcome", outcome);
    if (ev->kind == PG_EV_VERDICT) {
        pgp_ecs_key(&w, &sub, "reason");
        pgp_ecs_reason(&w, ev);
    }
    if (ev->seq != 0)
        pgp_ecs_kv_u64(&w, &sub, "sequence", ev->seq);
    pgp_ecs_kv_string(&w, &sub, "module", "procguard");
    pgp_ecs_kv_string(&w, &sub, "dataset", "procguard.process");
    pgp_ecs_kv_string(&w, &sub, "provider",
                      os == PG_ECS_OS_WINDOWS ? "procguard.sys" : "procguardd");
    pgp_ecs_put(&w, "}", 1);

    /* rule */
    if (ev->kind == PG_EV_VERDICT && ev->rule_id != 0) {
        pgp_ecs_raw(&w, ",\"rule\":{");
        sub = 1;
        pgp_ecs_key(&w, &sub, "id");
        pgp_ecs_put(&w, "\"", 1);
        pgp_ecs_u64(&w, ev->rule_id);
        pgp_ecs_put(&w, "\"", 1);
        if (pgp_ecs_present(e->rule_pattern)) {
            pgp_ecs_key(&w, &sub, "name");
            pgp_ecs_put(&w, "\"", 1);
            pgp_ecs_raw(&w, pgp_ecs_verdict_name(e->rule_action));
            pgp_ecs_put(&w, " ", 1);
            pgp_ecs_raw(&w, pgp_ecs_rule_kind_name(e->rule_kind));
            pgp_ecs_put(&w, " ", 1);
            pgp_ecs_escaped(&w, e->rule_pattern, pgp_ecs_strlen(e->rule_pattern));
            pgp_ecs_put(&w, "\"", 1);
        }
        pgp_ecs_kv_string(&w, &sub, "ruleset", "procguard");
        pgp_ecs_put(&w, "}", 1);
    }

    /* process: every kind that names one (not a loss report or a policy
     * change, which have pid 0). */
    has_process = ev->pid != 0 && ev->kind != PG_EV_POLICY && ev->kind != PG_EV_OVERFLOW &&
                  ev->kind != PG_EV_RESYNC;
    if (has_process) {
        pgp_ecs_raw(&w, ",\"process\":{");
        sub = 1;
        pgp_ecs_kv_u64(&w, &sub, "pid", ev->pid);
        if (ev->kind != PG_EV_IMAGE && pgp_ecs_present(e->image)) {
            pgp_ecs_kv_string(&w, &sub, "executable", e->image);
            pgp_ecs_kv_string(&w, &sub, "name", pgp_ecs_basename(e->image));
        }
        if (pgp_ecs_present(e->cmdline)) {
            uint32_t argc;
            pgp_ecs_kv_string(&w, &sub, "command_line", e->cmdline);
            pgp_ecs_key(&w, &sub, "args");
            argc = pgp_ecs_args(&w, e->cmdline, os);
            pgp_ecs_kv_u64(&w, &sub, "args_count", argc);
        }
        if (ev->kind == PG_EV_START) {
            pgp_ecs_key(&w, &sub, "start");
            pgp_ecs_time(&w, ev->time_ns);
        }
        if (ev->kind == PG_EV_EXIT) {
            uint32_t code = ev->status;
            /* Linux reports a wait status: the exit code, or 128 + the
             * signal that ended it, as a shell shows it. */
            if (os != PG_ECS_OS_WINDOWS)
                code = (code & 0x7fu) == 0 ? (code >> 8) & 0xffu : 128u + (code & 0x7fu);
            pgp_ecs_kv_u64(&w, &sub, "exit_code", code);
        }
        if (ev->kind == PG_EV_THREAD) {
            pgp_ecs_raw(&w, ",\"thread\":{");
            {
                int t = 1;
                pgp_ecs_kv_u64(&w, &t, "id", ev->status);
            }
            pgp_ecs_put(&w, "}", 1);
        }
        if (pgp_ecs_present(e->sha256)) {
            pgp_ecs_raw(&w, ",\"hash\":{");
            {
                int h = 1;
                pgp_ecs_kv_string(&w, &h, "sha256", e->sha256);
            }
            pgp_ecs_put(&w, "}", 1);
        }
        if (ev->ppid != 0 || pgp_ecs_present(e->parent_image)) {
            int p = 1;
            pgp_ecs_raw(&w, ",\"parent\":{");
            if (ev->ppid != 0)
                pgp_ecs_kv_u64(&w, &p, "pid", ev->ppid);
            if (pgp_ecs_present(e->parent_image)) {
                pgp_ecs_kv_string(&w, &p, "executable", e->parent_image);
                pgp_ecs_kv_string(&w, &p, "name", pgp_ecs_basename(e->parent_image));
            }
            pgp_ecs_put(&w, "}", 1);
        }
        pgp_ecs_put(&w, "}", 1);
        if (ev->kind == PG_EV_IMAGE && pgp_ecs_present(e->image)) {
            int d = 1;
            pgp_ecs_raw(&w, ",\"dll\":{");
            pgp_ecs_kv_string(&w, &d, "path", e->image);
            pgp_ecs_kv_string(&w, &d, "name", pgp_ecs_basename(e->image));
            pgp_ecs_put(&w, "}", 1);
        }
    }

    /* user: who started it - the uid on Linux, the SID on Windows. Exit,
     * thread and image events do not say. */
    if (has_process &&
        (ev->kind == PG_EV_START || ev->kind == PG_EV_EXEC || ev->kind == PG_EV_REQUEST ||
         ev->kind == PG_EV_VERDICT || ev->kind == PG_EV_WAIT)) {
        const int have_id = pgp_ecs_present(e->sid) || ev->uid != 0xFFFFFFFFu;
        if (have_id || pgp_ecs_present(e->user_name)) {
            int u = 1;
            pgp_ecs_raw(&w, ",\"user\":{");
            if (pgp_ecs_present(e->sid)) {
                pgp_ecs_kv_string(&w, &u, "id", e->sid);
            } else if (ev->uid != 0xFFFFFFFFu) {
                pgp_ecs_key(&w, &u, "id");
                pgp_ecs_put(&w, "\"", 1);
                pgp_ecs_u64(&w, ev->uid);
                pgp_ecs_put(&w, "\"", 1);
            }
            if (pgp_ecs_present(e->user_name))
                pgp_ecs_kv_string(&w, &u, "name", e->user_name);
            if (pgp_ecs_present(e->user_name) && pgp_ecs_present(e->user_domain))
                pgp_ecs_kv_string(&w, &u, "domain", e->user_domain);
            pgp_ecs_put(&w, "}", 1);
        }
    }

    /* host */
    {
        int h = 1;
        pgp_ecs_raw(&w, ",\"host\":{");
        if (host != NULL && pgp_ecs_present(host->id))
            pgp_ecs_kv_string(&w, &h, "id", host->id);
        if (host != NULL && pgp_ecs_present(host->name)) {
            pgp_ecs_kv_string(&w, &h, "name", host->name);
            pgp_ecs_kv_string(&w, &h, "hostname", host->name);
        }
        pgp_ecs_key(&w, &h, "os");
        pgp_ecs_raw(&w,
                    os == PG_ECS_OS_WINDOWS ? "{\"type\":\"windows\"}" : "{\"type\":\"linux\"}");
        pgp_ecs_put(&w, "}", 1);
    }

    /* What ECS has no field for. */
    {
        int p = 1;
        pgp_ecs_raw(&w, ",\"procguard\":{");
        pgp_ecs_kv_string(&w, &p, "mode", pgp_ecs_mode_name(ev->mode));
        pgp_ecs_flags(&w, &p, ev->flags);
        if (ev->hold_id != 0)
            pgp_ecs_kv_u64(&w, &p, "hold_id", ev->hold_id);
        if (ev->kind == PG_EV_VERDICT) {
            pgp_ecs_kv_string(&w, &p, "verdict", pgp_ecs_verdict_name(ev->verdict));
            pgp_ecs_kv_string(&w, &p, "source", pgp_ecs_source_name(ev->source));
        }
        if (ev->kind == PG_EV_REQUEST) {
            pgp_ecs_kv_string(&w, &p, "default_verdict", pgp_ecs_verdict_name(ev->default_verdict));
            pgp_ecs_kv_u64(&w, &p, "timeout_ms", ev->timeout_ms);
        }
        if (ev->kind == PG_EV_OVERFLOW || ev->kind == PG_EV_RESYNC)
            pgp_ecs_kv_u64(&w, &p, "lost", ev->lost);
        if (ev->creator_pid != 0 && ev->creator_pid != ev->ppid)
            pgp_ecs_kv_u64(&w, &p, "creator_pid", ev->creator_pid);
        if (ev->session_id != 0)
            pgp_ecs_kv_u64(&w, &p, "session_id", ev->session_id);
        pgp_ecs_put(&w, "}", 1);
    }

    /* message: one line for a person reading the syslog. */
    pgp_ecs_raw(&w, ",\"message\":\"");
    pgp_ecs_raw(&w, action);
    if (has_process) {
        pgp_ecs_raw(&w, " pid ");
        pgp_ecs_u64(&w, ev->pid);
    }
    if (ev->kind == PG_EV_POLICY) {
        pgp_ecs_raw(&w, ": mode ");
        pgp_ecs_raw(&w, pgp_ecs_mode_name(ev->mode));
    }
    if (ev->kind == PG_EV_OVERFLOW || ev->kind == PG_EV_RESYNC) {
        pgp_ecs_raw(&w, ": ");
        pgp_ecs_u64(&w, ev->lost);
        pgp_ecs_raw(&w, " lost");
    }
    if (has_process && pgp_ecs_present(e->image)) {
        pgp_ecs_put(&w, " ", 1);
        pgp_ecs_escaped(&w, e->image, pgp_ecs_strlen(e->image));
    }
    pgp_ecs_put(&w, "\"}", 2);

    (void)first;
    if (cap > 0)
        out[w.len < w.cap ? w.len : w.cap] = '\0';
    return w.len;
}
