/*
 * fuzz_client_message.c - libFuzzer target: what a kernel component does
 * with bytes from a client.
 *
 * Validates the input as a client message; after PG_OK walks it the way
 * the component will (HELLO fields, every verdict, every rule record) and,
 * for SET_POLICY, compiles the rule cache and matches a few paths. The
 * sanitizers catch any read past the buffer; the asserts below catch a
 * validator that accepted something the walk cannot handle.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pg_core.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void match_path(const pg_rule_cache *rc, const char *image, size_t len, const char *parent,
                       uint32_t uid)
{
    pg_match_input in;
    pg_match_result out;

    memset(&in, 0, sizeof(in));
    in.image = image;
    in.image_len = len;
    in.parent_image = parent;
    in.parent_len = parent != NULL ? strlen(parent) : 0;
    in.uid = uid;
    if (pg_rule_cache_match(rc, &in, &out)) {
        CHECK(out.rule_id != 0);
        CHECK(out.action == PG_VERDICT_ALLOW || out.action == PG_VERDICT_BLOCK ||
              out.action == PG_VERDICT_ASK);
        CHECK(out.index < rc->count);
    } else {
        CHECK(out.rule_id == 0);
    }
    /* The trusted-source lists, with the path standing in for the package
     * and the signer: facts that are known are never reported missing. */
    in.known = PG_FACT_PACKAGE | PG_FACT_SIGNER;
    in.package = image;
    in.package_len = len;
    in.signer = image;
    in.signer_len = len;
    if (pg_rule_cache_match(rc, &in, &out)) {
        CHECK(out.rule_id != 0 && out.index < rc->count);
        CHECK(out.kind >= PG_RULE_EXACT && out.kind <= PG_RULE_KIND_MAX);
    }
    CHECK((out.needs & (PG_FACT_PACKAGE | PG_FACT_SIGNER)) == 0);
    (void)pg_rule_cache_has_conditional_for(rc, image, len);
}

/* Whether any rule record is managed (PG_RULEF_MANAGED): managed rules
 * are matched before every local one (pg_rules.h, step -1). */
static int any_managed(const uint8_t *rules, size_t rules_len, uint32_t count)
{
    size_t off = 0;
    uint32_t i;
    for (i = 0; i < count; ++i) {
        pg_rule r;
        uint32_t sz = 0;
        if (pg_validate_rule(rules + off, rules_len - off, &sz) != PG_OK)
            return 0;
        memcpy(&r, rules + off, sizeof(r));
        if (r.flags & PG_RULEF_MANAGED)
            return 1;
        off += sz;
    }
    return 0;
}

static void fuzz_policy(const uint8_t *msg, size_t len)
{
    pg_policy pol;
    const uint8_t *rules = msg + sizeof(pg_policy);
    size_t rules_len = len - sizeof(pg_policy);
    pg_rule_cache rc;
    size_t need;
    void *arena;
    int st;

    memcpy(&pol, msg, sizeof(pol));
    need = pg_rule_cache_arena_size(rules, rules_len, pol.rule_count);
    arena = malloc(need + 1);
    CHECK(arena != NULL);
    /* +1: an unaligned arena must work too. */
    st = pg_rule_cache_build(&rc, (uint8_t *)arena + 1, need, rules, rules_len, pol.rule_count,
                             pol.flags);
    /* Validated records can only fail on duplicate ids. */
    CHECK(st == PG_OK || st == PG_E_RANGE);
    if (st == PG_OK) {
        pg_rule first;
        CHECK(rc.count == pol.rule_count);
        match_path(&rc, "/usr/bin/ls", 11, "/bin/bash", 1000);
        match_path(&rc, "/", 1, NULL, 0);
        if (pol.rule_count != 0) {
            const char *pat = (const char *)rules + sizeof(pg_rule);
            memcpy(&first, rules, sizeof(first));
            match_path(&rc, pat, first.pattern_len - 1u, pat, first.uid);
            /* An unconditional EXACT rule always matches its own text
             * (unless a managed rule, matched first, decides it). */
            if (first.kind == PG_RULE_EXACT && first.parent_len == 0 &&
                (first.flags & (PG_RULEF_USER | PG_RULEF_GROUP)) == 0 &&
                !any_managed(rules, rules_len, pol.rule_count)) {
                pg_match_input in;
                pg_match_result out;
                memset(&in, 0, sizeof(in));
                in.image = pat;
                in.image_len = first.pattern_len - 1u;
                CHECK(pg_rule_cache_match(&rc, &in, &out) == 1);
                CHECK(out.kind == PG_RULE_EXACT);
            }
        }
    }
    free(arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t detail = 0;
    pg_msg_header hdr;
    uint8_t *copy;
    int st;

    /* Work on an exact-size heap copy so ASan sees every overread. */
    copy = (uint8_t *)malloc(size ? size : 1);
    CHECK(copy != NULL);
    if (size != 0) {
        memcpy(copy, data, size);
    }
    st = pg_validate_client_message(copy, size, &detail);
    CHECK(st >= PG_OK && st <= PG_STATUS_MAX);
    CHECK(pg_status_name(st) != NULL);
    if (st != PG_OK) {
        free(copy);
        return 0;
    }
    memcpy(&hdr, copy, sizeof(hdr));
    CHECK(hdr.size == size);
    switch (hdr.type) {
    case PG_MSG_HELLO: {
        pg_hello h;
        memcpy(&h, copy, sizeof(h));
        CHECK(h.min_version <= h.max_version);
        CHECK(h.name[PG_NAME_BYTES - 1] == 0);
        break;
    }
    case PG_MSG_VERDICTS: {
        pg_verdicts_msg m;
        uint32_t i;
        memcpy(&m, copy, sizeof(m));
        CHECK(m.count >= 1 && m.count <= PG_MAX_VERDICTS);
        for (i = 0; i < m.count; i++) {
            pg_verdict v;
            memcpy(&v, copy + sizeof(m) + (size_t)i * sizeof(v), sizeof(v));
            CHECK(v.hold_id != 0);
        }
        break;
    }
    case PG_MSG_SET_POLICY:
        fuzz_policy(copy, size);
        break;
    default:
        CHECK(size == sizeof(pg_msg_header));
        break;
    }
    free(copy);
    return 0;
}
