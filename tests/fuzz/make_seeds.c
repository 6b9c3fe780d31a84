/*
 * make_seeds.c - writes the starting corpus of the fuzz targets.
 *
 * Usage: make_seeds <dir>. Creates <dir>/<target>/ entries: one well-formed
 * message of every type each side accepts (with rules of every kind and
 * events with every string), plus a few glob pattern/string pairs. Built
 * and run at build time so the seeds follow pg_protocol.h as it changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_core.h"

static unsigned char buf[65536];
static size_t len;

static void put(const void *p, size_t n)
{
    memcpy(buf + len, p, n);
    len += n;
}

static void put_str(const char *s)
{
    if (s != NULL) {
        put(s, strlen(s) + 1);
    }
}

static void pad8(size_t start)
{
    while ((len - start) % 8 != 0) {
        buf[len++] = 0;
    }
}

static void seal(void)
{
    uint32_t size = (uint32_t)len;
    memcpy(buf, &size, sizeof(size));
}

static pg_msg_header header(uint16_t type)
{
    pg_msg_header h;
    memset(&h, 0, sizeof(h));
    h.version = PG_PROTOCOL_VERSION;
    h.type = type;
    h.request_id = 1;
    return h;
}

static void write_file(const char *dir, const char *target, const char *name, const void *p,
                       size_t n)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
    f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    if (n != 0 && fwrite(p, 1, n, f) != n) {
        perror(path);
        exit(1);
    }
    fclose(f);
}

static void add_rule(uint32_t id, uint8_t kind, uint8_t action, uint16_t flags, uint32_t uid,
                     const char *pattern, const char *parent)
{
    size_t start = len;
    pg_rule r;

    memset(&r, 0, sizeof(r));
    r.id = id;
    r.kind = kind;
    r.action = action;
    r.flags = flags;
    r.uid = uid;
    r.pattern_len = (uint16_t)(strlen(pattern) + 1);
    r.parent_len = (uint16_t)(parent != NULL ? strlen(parent) + 1 : 0);
    r.size = PG_ALIGN8((uint32_t)sizeof(pg_rule) + r.pattern_len + r.parent_len);
    put(&r, sizeof(r));
    put_str(pattern);
    put_str(parent);
    pad8(start);
}

static void add_event(uint16_t kind, uint64_t seq, const char *image, const char *cmdline,
                      const char *sid, const char *parent)
{
    size_t start = len;
    pg_event e;

    memset(&e, 0, sizeof(e));
    e.kind = kind;
    e.seq = seq;
    e.mode = PG_MODE_PROMPT;
    e.pid = 4242;
    e.ppid = 1;
    e.image_len = (uint16_t)(image ? strlen(image) + 1 : 0);
    e.cmdline_len = (uint16_t)(cmdline ? strlen(cmdline) + 1 : 0);
    e.sid_len = (uint16_t)(sid ? strlen(sid) + 1 : 0);
    e.parent_image_len = (uint16_t)(parent ? strlen(parent) + 1 : 0);
    if (kind == PG_EV_REQUEST) {
        e.hold_id = 9;
        e.default_verdict = PG_VERDICT_BLOCK;
        e.timeout_ms = 30000;
    }
    if (kind == PG_EV_VERDICT) {
        e.hold_id = 9;
        e.verdict = PG_VERDICT_ALLOW;
        e.source = PG_SRC_CLIENT;
    }
    if (kind == PG_EV_OVERFLOW) {
        e.lost = 3;
    }
    e.size = pg_event_record_size(e.image_len, e.cmdline_len, e.sid_len, e.parent_image_len);
    put(&e, sizeof(e));
    put_str(image);
    put_str(cmdline);
    put_str(sid);
    put_str(parent);
    pad8(start);
}

static void client_seeds(const char *dir)
{
    const char *t = "fuzz_client_message";
    pg_hello h;
    pg_verdicts_msg vm;
    pg_verdict v;
    pg_policy p;
    pg_msg_header hdr;

    memset(&h, 0, sizeof(h));
    h.hdr = header(PG_MSG_HELLO);
    h.hdr.size = sizeof(h);
    h.min_version = 1;
    h.max_version = PG_PROTOCOL_VERSION;
    h.flags = PG_HELLO_CONTROL | PG_HELLO_OBSERVE_OK;
    h.subscriptions = PG_SUB_ALL;
    memcpy(h.name, "procguard", 9);
    write_file(dir, t, "hello", &h, sizeof(h));

    len = 0;
    memset(&vm, 0, sizeof(vm));
    vm.hdr = header(PG_MSG_VERDICTS);
    vm.count = 2;
    put(&vm, sizeof(vm));
    memset(&v, 0, sizeof(v));
    v.hold_id = 1;
    v.verdict = PG_VERDICT_ALLOW;
    put(&v, sizeof(v));
    v.hold_id = 2;
    v.verdict = PG_VERDICT_BLOCK;
    put(&v, sizeof(v));
    seal();
    write_file(dir, t, "verdicts", buf, len);

    len = 0;
    memset(&p, 0, sizeof(p));
    p.hdr = header(PG_MSG_SET_POLICY);
    p.mode = PG_MODE_PROMPT;
    p.default_verdict = PG_VERDICT_BLOCK;
    p.timeout_ms = 30000;
    p.hold_budget_ms = 500;
    p.rule_count = 7;
    put(&p, sizeof(p));
    add_rule(1, PG_RULE_EXACT, PG_VERDICT_ALLOW, 0, 0, "/usr/bin/ls", NULL);
    add_rule(2, PG_RULE_GLOB, PG_VERDICT_BLOCK, 0, 0, "/home/*/**.sh", NULL);
    add_rule(3, PG_RULE_PREFIX, PG_VERDICT_ALLOW, PG_RULEF_USER, 1000, "/opt/", "/bin/*sh");
    add_rule(4, PG_RULE_EXACT, PG_VERDICT_BLOCK, PG_RULEF_CASE_FOLD, 0, "/USR/BIN/LS", NULL);
    add_rule(5, PG_RULE_PREFIX, PG_VERDICT_BLOCK, 0, 0, "/", NULL);
    add_rule(6, PG_RULE_GLOB, PG_VERDICT_ALLOW, 0, 0, "/usr/?in/*", "**");
    add_rule(7, PG_RULE_SIGNER, PG_VERDICT_ALLOW, 0, 0, "Contoso *", NULL);
    seal();
    write_file(dir, t, "set_policy", buf, len);

    hdr = header(PG_MSG_GET_POLICY);
    hdr.size = sizeof(hdr);
    write_file(dir, t, "get_policy", &hdr, sizeof(hdr));
    hdr = header(PG_MSG_GET_STATUS);
    hdr.size = sizeof(hdr);
    write_file(dir, t, "get_status", &hdr, sizeof(hdr));
}

static void server_seeds(const char *dir)
{
    const char *t = "fuzz_server_message";
    pg_hello_reply hr;
    pg_result r;
    pg_events_msg em;
    pg_status_msg st;

    memset(&hr, 0, sizeof(hr));
    hr.hdr = header(PG_MSG_HELLO_REPLY);
    hr.hdr.size = sizeof(hr);
    hr.version = PG_PROTOCOL_VERSION;
    hr.role = PG_ROLE_CONTROLLER;
    hr.platform = PG_PLATFORM_LINUX;
    memcpy(hr.name, "procguardd", 10);
    write_file(dir, t, "hello_reply", &hr, sizeof(hr));

    memset(&r, 0, sizeof(r));
    r.hdr = header(PG_MSG_RESULT);
    r.hdr.size = sizeof(r);
    memcpy(r.text, "ok", 2);
    write_file(dir, t, "result", &r, sizeof(r));

    len = 0;
    memset(&em, 0, sizeof(em));
    em.hdr = header(PG_MSG_EVENTS);
    em.count = 5;
    put(&em, sizeof(em));
    add_event(PG_EV_START, 1, "/usr/bin/ls", "ls -la", NULL, "/bin/bash");
    add_event(PG_EV_REQUEST, 2, "/tmp/x", "x", "S-1-5-21-1", "/bin/sh");
    add_event(PG_EV_VERDICT, 3, "/tmp/x", NULL, NULL, NULL);
    add_event(PG_EV_OVERFLOW, 4, NULL, NULL, NULL, NULL);
    add_event(PG_EV_EXIT, 7, NULL, NULL, NULL, NULL);
    seal();
    write_file(dir, t, "events", buf, len);

    memset(&st, 0, sizeof(st));
    st.hdr = header(PG_MSG_STATUS);
    st.hdr.size = sizeof(st);
    st.mode = PG_MODE_LOCKDOWN;
    st.default_verdict = PG_VERDICT_BLOCK;
    st.platform = PG_PLATFORM_WINDOWS;
    st.version = PG_PROTOCOL_VERSION;
    write_file(dir, t, "status", &st, sizeof(st));
}

static void glob_seeds(const char *dir)
{
    static const char *const pairs[][2] = {
        {"/usr/*/ls", "/usr/bin/ls"},
        {"/home/**/*.sh", "/home/a/b/run.sh"},
        {"/a?c/**", "/abc/x/y"},
        {"*a*b*c", "xaybzc"},
        {"C:/WINDOWS/*.EXE", "c:/windows/cmd.exe"},
    };
    size_t i;

    for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        char name[32];
        len = 0;
        buf[len++] = (unsigned char)(i == 4 ? 1 : 0);
        put(pairs[i][0], strlen(pairs[i][0]));
        buf[len++] = 0;
        put(pairs[i][1], strlen(pairs[i][1]));
        snprintf(name, sizeof(name), "pair%u", (unsigned)i);
        write_file(dir, "fuzz_glob", name, buf, len);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
        return 2;
    }
    client_seeds(argv[1]);
    server_seeds(argv[1]);
    glob_seeds(argv[1]);
    return 0;
}
