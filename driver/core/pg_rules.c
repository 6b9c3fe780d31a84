/*
 * pg_rules.c - the compiled rule cache.
 *
 * Module description:
 *   Implements pg_rules.h: compiles a policy's rule records into one
 *   caller-provided arena and answers "which rule decides this start?"
 *   on every gated exec, so matching must stay cheap with ~10,000 rules
 *   and must never allocate, lock or sleep (it runs in the process-create
 *   callback on Windows and on the fanotify thread on Linux).
 *
 * Arena layout (offsets from the 8-aligned arena base, all built once):
 *
 *   pgr_header
 *   pgr_entry[count]        one per rule, in policy order (entry i is the
 *                           rule at policy index i)
 *   uint32 key_slots[]      open-addressing hash table (linear probing,
 *                           power-of-two size, load <= 1/2) over EXACT,
 *                           PREFIX and SHA256 patterns; a slot holds entry
 *                           index + 1 of the head of a "group" (0 = empty)
 *   uint32 id_slots[]       the same over rule ids; used to refuse
 *                           duplicate ids at build time
 *   uint32 lists[]          the scanned kinds, each in precedence order:
 *                           CMDLINE entries, then GLOB, then PACKAGE
 *   pattern bytes           each pattern and parent glob, without NUL,
 *                           already case-folded when the rule folds
 *
 *   A group is every rule with the same kind, the same folding and the
 *   same pattern. Its members are chained through pgr_entry.next in
 *   precedence order (conditional first, then BLOCK, then policy order),
 *   so the first member whose conditions hold is the group's answer.
 *   Case-sensitive and folding rules with equal text live in different
 *   groups: a lookup probes once with the raw hash and once with the
 *   folded hash of the input. SHA256 patterns are always stored folded
 *   (lower-case hex), so a digest needs one probe.
 *
 * Matching, by precedence level (pg_rules.h defines the order); the first
 * level that answers ends the search, because no later level can outrank
 * it:
 *   0. CMDLINE: the list is scanned, first match wins (needs the command
 *      line; without it, only "could one apply?" is answered).
 *   0b. SHA256: one hash probe with the digest (or "needed" without it).
 *   1. EXACT: two hash probes for the whole path.
 *   2. GLOB: the list is scanned in precedence order and the first match
 *      wins. Each entry keeps the literal text before its first wildcard
 *      and its minimum match length, so most globs are rejected by a short
 *      compare before the matcher runs.
 *   3. PREFIX: one pass over the path keeps running raw and folded hashes;
 *      at every '/' the prefix ending there is looked up (two probes).
 *      Longer prefixes come later in the pass and replace shorter answers,
 *      which gives "longer prefix first" without sorting. Cost is
 *      O(path length + depth) whatever the number of prefix rules.
 *   4. PACKAGE: the list is scanned against the owning package's name.
 *
 * The ordering inside groups and lists is produced at build time by six
 * passes over the rules (conditional BLOCK, ASK, ALLOW, then the same
 * unconditional; policy order in each), which needs no sort and no
 * temporary memory.
 *
 * What it must not do:
 *   No allocation, no OS calls; the arena is not touched after build, so
 *   concurrent matches on one cache are safe once the caller published it.
 */
#include "pg_rules.h"
#include "pg_validate.h"

#if !defined(PG_KERNEL_MODE)
#include <string.h>
#endif

#define PGR_MAGIC 0x52554750u /* "PGUR" */
#define PGR_NONE 0xFFFFFFFFu
#define PGR_NOPOS ((size_t)-1)

typedef struct pgr_header {
    uint32_t magic;
    uint32_t count;
    uint32_t key_mask; /* key slots - 1 */
    uint32_t id_mask;  /* id slots - 1 */
    uint32_t n_keyed;  /* EXACT + PREFIX + SHA256 rules */
    uint32_t n_sha;
    uint32_t n_cond_sha;
    uint32_t n_cmd;       /* lists[0 .. n_cmd) */
    uint32_t n_glob;      /* lists[n_cmd .. n_cmd + n_glob) */
    uint32_t n_pkg;       /* lists[n_cmd + n_glob .. ) */
    uint32_t n_cond_glob; /* conditional globs: the first ones of their segment */
    uint32_t n_cond_pkg;
    uint32_t max_prefix_len; /* longest PREFIX pattern, 0 = none */
    uint32_t entries_off;
    uint32_t key_slots_off;
    uint32_t id_slots_off;
    uint32_t lists_off;
    uint32_t fill[3]; /* build-time cursors into the three segments */
} pgr_header;

typedef struct pgr_entry {
    uint32_t id;
    uint32_t index; /* position in the policy */
    uint32_t uid;
    uint32_t hash;    /* EXACT/PREFIX: hash of the (folded) pattern */
    uint32_t pat_off; /* pattern bytes, no NUL */
    uint32_t pat_len;
    uint32_t parent_off; /* parent glob, no NUL */
    uint32_t parent_len; /* 0 = any parent */
    uint32_t next;       /* next group member (index + 1), 0 = last */
    uint32_t tail;       /* group head only: last member (index + 1) */
    uint32_t lit_len;    /* GLOB: bytes before the first wildcard */
    uint32_t min_len;    /* GLOB: shortest string it can match */
    uint8_t kind;
    uint8_t action;
    uint8_t fold;
    uint8_t has_user;
    uint8_t has_group; /* uid holds a gid */
    uint8_t pad[3];
} pgr_entry;

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static unsigned char fold_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

static uint32_t hash_step(uint32_t h, unsigned char c)
{
    return (h ^ c) * FNV_PRIME;
}

static uint32_t hash_bytes(const char *s, size_t n, int fold)
{
    uint32_t h = FNV_OFFSET;
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        h = hash_step(h, fold ? fold_char(c) : c);
    }
    return h;
}

/* key is stored folded when fold is set, so only s is folded here. */
static int key_equal(const char *key, const char *s, size_t n, int fold)
{
    size_t i;

    if (!fold) {
        return n == 0 || memcmp(key, s, n) == 0;
    }
    for (i = 0; i < n; i++) {
        if ((unsigned char)key[i] != fold_char((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

static uint32_t pow2_at_least(uint32_t n)
{
    uint32_t p = 8;

    while (p < n) {
        p <<= 1;
    }
    return p;
}

static size_t align8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

static int rule_conditional(const pgr_entry *e)
{
    return e->has_user || e->has_group || e->parent_len != 0;
}

int pg_rule_kind_rank(uint32_t kind)
{
    switch (kind) {
    case PG_RULE_CMDLINE:
        return 0;
    case PG_RULE_SHA256:
        return 1;
    case PG_RULE_EXACT:
        return 2;
    case PG_RULE_GLOB:
        return 3;
    case PG_RULE_PREFIX:
        return 4;
    case PG_RULE_PACKAGE:
        return 5;
    default:
        return 6;
    }
}

/* BLOCK, then ASK, then ALLOW. */
static int action_rank(uint8_t action)
{
    return action == PG_VERDICT_BLOCK ? 0 : action == PG_VERDICT_ASK ? 1 : 2;
}

static int is_keyed(uint8_t kind)
{
    return kind == PG_RULE_EXACT || kind == PG_RULE_PREFIX || kind == PG_RULE_SHA256;
}

/* Segment of lists[] for a scanned kind. */
static uint32_t list_segment(uint8_t kind)
{
    return kind == PG_RULE_CMDLINE ? 0u : kind == PG_RULE_GLOB ? 1u : 2u;
}

/* ------------------------------------------------------------------ */
/* Glob matcher                                                        */
/* ------------------------------------------------------------------ */

/*
 * Iterative matcher with two backtrack points: the last single '*' and the
 * last '**'. In text mode (path == 0) every star run acts as '**' and '?'
 * takes '/', so '/' is an ordinary character. A single '*' cannot cover '/', so once the pattern
 * has moved past a literal '/' the alignment of path components before it is fixed, and the only
 * useful retry is to let the last '**' (which may cover '/') swallow one more byte. Worst case
 * O(pattern * string); no recursion, so a hostile pattern cannot exhaust a kernel stack.
 */
static int glob_match(const char *pat, size_t pat_len, const char *s, size_t s_len, int fold,
                      int path)
{
    size_t p = 0, i = 0;
    size_t sp = PGR_NOPOS, si = 0; /* after the last '*', and where it stops */
    size_t dp = PGR_NOPOS, di = 0; /* after the last '**', and where it stops */

    if ((pat == NULL && pat_len != 0) || (s == NULL && s_len != 0)) {
        return 0;
    }
    while (i < s_len) {
        if (p < pat_len && pat[p] == '*') {
            size_t q = p;
            while (q < pat_len && pat[q] == '*') {
                q++;
            }
            if (q - p >= 2 || !path) {
                dp = q;
                di = i;
                sp = PGR_NOPOS; /* an earlier single star can no longer help */
            } else {
                sp = q;
                si = i;
            }
            p = q;
            continue;
        }
        if (p < pat_len) {
            unsigned char pc = (unsigned char)pat[p];
            unsigned char sc = (unsigned char)s[i];
            int ok;
            if (pc == '?') {
                ok = !path || sc != '/';
            } else if (fold) {
                ok = fold_char(pc) == fold_char(sc);
            } else {
                ok = pc == sc;
            }
            if (ok) {
                p++;
                i++;
                continue;
            }
        }
        /* Mismatch: widen the last star by one byte, if it may take it. */
        if (sp != PGR_NOPOS && s[si] != '/') {
            si++;
            i = si;
            p = sp;
            continue;
        }
        if (dp != PGR_NOPOS) {
            di++;
            i = di;
            p = dp;
            sp = PGR_NOPOS;
            continue;
        }
        return 0;
    }
    while (p < pat_len && pat[p] == '*') {
        p++;
    }
    return p == pat_len;
}

int pg_glob_match(const char *pat, size_t pat_len, const char *s, size_t s_len, int fold)
{
    return glob_match(pat, pat_len, s, s_len, fold, 1);
}

int pg_text_glob_match(const char *pat, size_t pat_len, const char *s, size_t s_len, int fold)
{
    return glob_match(pat, pat_len, s, s_len, fold, 0);
}

/* ------------------------------------------------------------------ */
/* Build                                                               */
/* ------------------------------------------------------------------ */

/* Walks the records once; returns PG_OK and the pattern bytes needed. */
static int scan_rules(const uint8_t *rules, size_t rules_len, uint32_t rule_count,
                      size_t *string_bytes)
{
    size_t off = 0;
    size_t bytes = 0;
    uint32_t i;

    if (rule_count > PG_MAX_RULES) {
        return PG_E_RANGE;
    }
    if (rule_count != 0 && rules == NULL) {
        return PG_E_LENGTH;
    }
    for (i = 0; i < rule_count; i++) {
        pg_rule r;
        uint32_t sz = 0;
        int st = pg_validate_rule(rules + off, rules_len - off, &sz);
        if (st != PG_OK) {
            return st;
        }
        memcpy(&r, rules + off, sizeof(r));
        bytes += align8((size_t)r.pattern_len + r.parent_len);
        off += sz;
    }
    if (off != rules_len) {
        return PG_E_LENGTH;
    }
    *string_bytes = bytes;
    return PG_OK;
}

typedef struct pgr_layout {
    size_t entries_off, key_slots_off, id_slots_off, lists_off, strings_off, total;
    uint32_t key_slots, id_slots;
} pgr_layout;

static void compute_layout(uint32_t count, size_t string_bytes, pgr_layout *l)
{
    l->key_slots = pow2_at_least(count * 2u);
    l->id_slots = pow2_at_least(count * 2u);
    l->entries_off = align8(sizeof(pgr_header));
    l->key_slots_off = l->entries_off + align8((size_t)count * sizeof(pgr_entry));
    l->id_slots_off = l->key_slots_off + align8((size_t)l->key_slots * sizeof(uint32_t));
    l->lists_off = l->id_slots_off + align8((size_t)l->id_slots * sizeof(uint32_t));
    l->strings_off = l->lists_off + align8((size_t)count * sizeof(uint32_t));
    l->total = l->strings_off + string_bytes;
}

size_t pg_rule_cache_arena_size(const void *rules, size_t rules_len, uint32_t rule_count)
{
    size_t string_bytes = 0;
    pgr_layout l;

    if (scan_rules((const uint8_t *)rules, rules_len, rule_count, &string_bytes) != PG_OK) {
        /* Build reports the validation error; this only has to be big
         * enough to get that far. */
        string_bytes = 0;
    }
    compute_layout(rule_count, string_bytes, &l);
    return l.total + 7u; /* the caller's arena may start unaligned */
}

void pg_rule_cache_init_empty(pg_rule_cache *rc)
{
    if (rc != NULL) {
        rc->arena = NULL;
        rc->arena_used = 0;
        rc->count = 0;
        rc->flags = 0;
    }
}

/* Copies n bytes of s to dst, folding ASCII letters when fold is set. */
static void copy_key(uint8_t *dst, const char *s, size_t n, int fold)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[i] = fold ? fold_char(c) : c;
    }
}

/* Literal bytes before the first wildcard, and the shortest string the
 * glob can match (every byte but '*' consumes exactly one). */
static void glob_bounds(const char *pat, size_t n, uint32_t *lit_len, uint32_t *min_len)
{
    size_t i;
    uint32_t lit = PGR_NONE;
    uint32_t min = 0;

    for (i = 0; i < n; i++) {
        if (pat[i] == '*' || pat[i] == '?') {
            if (lit == PGR_NONE) {
                lit = (uint32_t)i;
            }
        }
        if (pat[i] != '*') {
            min++;
        }
    }
    *lit_len = lit == PGR_NONE ? (uint32_t)n : lit;
    *min_len = min;
}

static const pgr_entry *entry_at(const pgr_header *h, uint32_t idx)
{
    return (const pgr_entry *)((const uint8_t *)h + h->entries_off) + idx;
}

static const char *entry_str(const pgr_header *h, uint32_t off)
{
    return (const char *)h + off;
}

/* Inserts entry idx into its group, creating the group when new. Called
 * in precedence order, so appending keeps each chain ordered. */
static void key_insert(pgr_header *h, uint32_t idx)
{
    uint32_t *slots = (uint32_t *)((uint8_t *)h + h->key_slots_off);
    pgr_entry *entries = (pgr_entry *)((uint8_t *)h + h->entries_off);
    pgr_entry *e = &entries[idx];
    uint32_t pos = e->hash & h->key_mask;

    for (;;) {
        uint32_t s = slots[pos];
        if (s == 0) {
            slots[pos] = idx + 1u;
            e->tail = idx + 1u;
            return;
        }
        {
            pgr_entry *g = &entries[s - 1u];
            if (g->kind == e->kind && g->fold == e->fold && g->hash == e->hash &&
                g->pat_len == e->pat_len &&
                memcmp(entry_str(h, g->pat_off), entry_str(h, e->pat_off), e->pat_len) == 0) {
                entries[g->tail - 1u].next = idx + 1u;
                g->tail = idx + 1u;
                return;
            }
        }
        pos = (pos + 1u) & h->key_mask;
    }
}

/* Returns 0 when id was already present. */
static int id_insert(pgr_header *h, uint32_t idx, uint32_t id)
{
    uint32_t *slots = (uint32_t *)((uint8_t *)h + h->id_slots_off);
    uint32_t pos = (id * 2654435761u) & h->id_mask;

    for (;;) {
        uint32_t s = slots[pos];
        if (s == 0) {
            slots[pos] = idx + 1u;
            return 1;
        }
        if (entry_at(h, s - 1u)->id == id) {
            return 0;
        }
        pos = (pos + 1u) & h->id_mask;
    }
}

int pg_rule_cache_build_ex(pg_rule_cache *rc, void *arena, size_t arena_size, const void *rules,
                           size_t rules_len, uint32_t rule_count, uint32_t policy_flags,
                           uint32_t *detail)
{
    const uint8_t *recs = (const uint8_t *)rules;
    size_t string_bytes = 0;
    size_t skew, off, str_off;
    pgr_layout l;
    pgr_header *h;
    pgr_entry *entries;
    uint32_t *lists;
    uint32_t i, pass;
    int st;

    if (detail != NULL) {
        *detail = 0;
    }
    if (rc == NULL) {
        return PG_E_RANGE;
    }
    /* Empty until the build succeeds: a half-built arena must never be
     * matched against, and callers build into a fresh arena and swap. */
    pg_rule_cache_init_empty(rc);
    if ((policy_flags & ~PG_POLF_ALL) != 0) {
        return PG_E_RANGE;
    }
    st = scan_rules(recs, rules_len, rule_count, &string_bytes);
    if (st != PG_OK) {
        return st;
    }
    compute_layout(rule_count, string_bytes, &l);
    if (arena == NULL) {
        return PG_E_NOSPACE;
    }
    skew = (size_t)((8u - ((uintptr_t)arena & 7u)) & 7u);
    if (arena_size < skew || arena_size - skew < l.total || l.total > 0xFFFFFFFFu) {
        return PG_E_NOSPACE;
    }

    h = (pgr_header *)((uint8_t *)arena + skew);
    memset(h, 0, l.strings_off);
    h->magic = PGR_MAGIC;
    h->count = rule_count;
    h->key_mask = l.key_slots - 1u;
    h->id_mask = l.id_slots - 1u;
    h->entries_off = (uint32_t)l.entries_off;
    h->key_slots_off = (uint32_t)l.key_slots_off;
    h->id_slots_off = (uint32_t)l.id_slots_off;
    h->lists_off = (uint32_t)l.lists_off;
    entries = (pgr_entry *)((uint8_t *)h + l.entries_off);
    lists = (uint32_t *)((uint8_t *)h + l.lists_off);

    /* Pass 0: one entry per rule, strings copied (folded when needed). */
    off = 0;
    str_off = l.strings_off;
    for (i = 0; i < rule_count; i++) {
        pg_rule r;
        pgr_entry *e = &entries[i];
        const char *pat;
        memcpy(&r, recs + off, sizeof(r));
        pat = (const char *)recs + off + sizeof(pg_rule);

        e->id = r.id;
        e->index = i;
        e->uid = r.uid;
        e->kind = r.kind;
        e->action = r.action;
        /* A digest is hex: stored folded so that either case matches. */
        e->fold = (uint8_t)(((r.flags & PG_RULEF_CASE_FOLD) != 0 ||
                             (policy_flags & PG_POLF_CASE_FOLD) != 0 || r.kind == PG_RULE_SHA256)
                                ? 1
                                : 0);
        e->has_user = (uint8_t)((r.flags & PG_RULEF_USER) != 0 ? 1 : 0);
        e->has_group = (uint8_t)((r.flags & PG_RULEF_GROUP) != 0 ? 1 : 0);
        e->pat_len = r.pattern_len - 1u;
        e->pat_off = (uint32_t)str_off;
        copy_key((uint8_t *)h + str_off, pat, e->pat_len, e->fold);
        e->parent_len = r.parent_len != 0 ? r.parent_len - 1u : 0;
        e->parent_off = (uint32_t)(str_off + e->pat_len);
        copy_key((uint8_t *)h + e->parent_off, pat + r.pattern_len, e->parent_len, e->fold);
        str_off += align8((size_t)r.pattern_len + r.parent_len);

        if (is_keyed(e->kind)) {
            e->hash = hash_bytes(entry_str(h, e->pat_off), e->pat_len, 0);
            h->n_keyed++;
            if (e->kind == PG_RULE_PREFIX && e->pat_len > h->max_prefix_len) {
                h->max_prefix_len = e->pat_len;
            }
            if (e->kind == PG_RULE_SHA256) {
                h->n_sha++;
                if (rule_conditional(e)) {
                    h->n_cond_sha++;
                }
            }
        } else {
            glob_bounds(entry_str(h, e->pat_off), e->pat_len, &e->lit_len, &e->min_len);
            if (e->kind == PG_RULE_CMDLINE) {
                h->n_cmd++;
            } else if (e->kind == PG_RULE_GLOB) {
                h->n_glob++;
            } else {
                h->n_pkg++;
            }
        }
        if (!id_insert(h, i, r.id)) {
            if (detail != NULL) {
                *detail = i;
            }
            return PG_E_RANGE;
        }
        off += r.size;
    }
    h->fill[0] = 0;
    h->fill[1] = h->n_cmd;
    h->fill[2] = h->n_cmd + h->n_glob;

    /* Passes 1-6: precedence order inside groups and lists (conditional
     * first, then BLOCK, ASK, ALLOW; policy order within a pass). */
    for (pass = 0; pass < 6; pass++) {
        static const uint8_t actions[3] = {PG_VERDICT_BLOCK, PG_VERDICT_ASK, PG_VERDICT_ALLOW};
        int want_cond = pass < 3;
        uint8_t want_action = actions[pass % 3u];
        for (i = 0; i < rule_count; i++) {
            pgr_entry *e = &entries[i];
            if (rule_conditional(e) != want_cond || e->action != want_action) {
                continue;
            }
            if (is_keyed(e->kind)) {
                key_insert(h, i);
            } else {
                uint32_t seg = list_segment(e->kind);
                lists[h->fill[seg]++] = i;
                if (want_cond && e->kind == PG_RULE_GLOB) {
                    h->n_cond_glob++;
                } else if (want_cond && e->kind == PG_RULE_PACKAGE) {
                    h->n_cond_pkg++;
                }
            }
        }
    }

    rc->arena = (const uint8_t *)h;
    rc->arena_used = l.total;
    rc->count = rule_count;
    rc->flags = policy_flags;
    return PG_OK;
}

int pg_rule_cache_build(pg_rule_cache *rc, void *arena, size_t arena_size, const void *rules,
                        size_t rules_len, uint32_t rule_count, uint32_t policy_flags)
{
    return pg_rule_cache_build_ex(rc, arena, arena_size, rules, rules_len, rule_count, policy_flags,
                                  NULL);
}

/* ------------------------------------------------------------------ */
/* Match                                                               */
/* ------------------------------------------------------------------ */

static const pgr_header *cache_header(const pg_rule_cache *rc)
{
    const pgr_header *h;

    if (rc == NULL || rc->arena == NULL || rc->count == 0) {
        return NULL;
    }
    h = (const pgr_header *)rc->arena;
    return h->magic == PGR_MAGIC ? h : NULL;
}

static int has_gid(const pg_match_input *in, uint32_t gid)
{
    size_t i;

    if (in->gids == NULL) {
        return 0;
    }
    for (i = 0; i < in->gid_count; i++) {
        if (in->gids[i] == gid) {
            return 1;
        }
    }
    return 0;
}

static int conditions_hold(const pgr_header *h, const pgr_entry *e, const pg_match_input *in)
{
    if (e->has_user && in->uid != e->uid) {
        return 0;
    }
    if (e->has_group && !has_gid(in, e->uid)) {
        return 0;
    }
    if (e->parent_len != 0) {
        /* An unknown parent satisfies no parent condition. */
        if (in->parent_image == NULL) {
            return 0;
        }
        return pg_glob_match(entry_str(h, e->parent_off), e->parent_len, in->parent_image,
                             in->parent_len, e->fold);
    }
    return 1;
}

/* 1 when a outranks b (both match). The one place precedence is coded. */
static int outranks(const pgr_entry *a, const pgr_entry *b)
{
    int ca, cb;

    if (b == NULL) {
        return 1;
    }
    if (a->kind != b->kind) {
        return pg_rule_kind_rank(a->kind) < pg_rule_kind_rank(b->kind);
    }
    if (a->kind == PG_RULE_PREFIX && a->pat_len != b->pat_len) {
        return a->pat_len > b->pat_len;
    }
    ca = rule_conditional(a);
    cb = rule_conditional(b);
    if (ca != cb) {
        return ca;
    }
    if (a->action != b->action) {
        return action_rank(a->action) < action_rank(b->action);
    }
    return a->index < b->index;
}

/* Head of the group (kind, fold, s[0..n)) or NULL. */
static const pgr_entry *key_lookup(const pgr_header *h, uint8_t kind, int fold, uint32_t hash,
                                   const char *s, size_t n)
{
    const uint32_t *slots = (const uint32_t *)((const uint8_t *)h + h->key_slots_off);
    uint32_t pos = hash & h->key_mask;

    for (;;) {
        uint32_t slot = slots[pos];
        const pgr_entry *g;
        if (slot == 0) {
            return NULL;
        }
        g = entry_at(h, slot - 1u);
        if (g->kind == kind && g->fold == (uint8_t)fold && g->hash == hash && g->pat_len == n &&
            key_equal(entry_str(h, g->pat_off), s, n, fold)) {
            return g;
        }
        pos = (pos + 1u) & h->key_mask;
    }
}

/* First member of a group whose conditions hold (chains are in
 * precedence order). */
static const pgr_entry *group_first(const pgr_header *h, const pgr_entry *g,
                                    const pg_match_input *in)
{
    while (g != NULL) {
        if (conditions_hold(h, g, in)) {
            return g;
        }
        g = g->next != 0 ? entry_at(h, g->next - 1u) : NULL;
    }
    return NULL;
}

static const pgr_entry *group_any_conditional(const pgr_entry *g)
{
    /* Conditional members come first in the chain. */
    return (g != NULL && rule_conditional(g)) ? g : NULL;
}

static int list_entry_matches(const pgr_header *h, const pgr_entry *e, const char *s, size_t n)
{
    if (n < e->min_len || !key_equal(entry_str(h, e->pat_off), s, e->lit_len, e->fold)) {
        return 0;
    }
    return glob_match(entry_str(h, e->pat_off), e->pat_len, s, n, e->fold, e->kind == PG_RULE_GLOB);
}

static const uint32_t *list_at(const pgr_header *h, uint32_t seg)
{
    const uint32_t *lists = (const uint32_t *)((const uint8_t *)h + h->lists_off);

    return lists + (seg == 0 ? 0u : seg == 1 ? h->n_cmd : h->n_cmd + h->n_glob);
}

/* First entry of list segment seg (n entries) that matches s and whose
 * conditions hold. */
static const pgr_entry *list_first(const pgr_header *h, uint32_t seg, uint32_t n, const char *s,
                                   size_t s_len, const pg_match_input *in)
{
    const uint32_t *list = list_at(h, seg);
    uint32_t i;

    for (i = 0; i < n; i++) {
        const pgr_entry *e = entry_at(h, list[i]);
        if (list_entry_matches(h, e, s, s_len) && conditions_hold(h, e, in)) {
            return e;
        }
    }
    return NULL;
}

/* 1 when some entry of the segment could apply to this start, whatever
 * the missing fact turns out to be. */
static int list_any_applies(const pgr_header *h, uint32_t seg, uint32_t n, const pg_match_input *in)
{
    const uint32_t *list = list_at(h, seg);
    uint32_t i;

    for (i = 0; i < n; i++) {
        if (conditions_hold(h, entry_at(h, list[i]), in)) {
            return 1;
        }
    }
    return 0;
}

int pg_rule_cache_match(const pg_rule_cache *rc, const pg_match_input *in, pg_match_result *out)
{
    const pgr_header *h = cache_header(rc);
    const pgr_entry *best = NULL;
    uint32_t needs = 0;
    const char *s;
    size_t n, k;

    if (out != NULL) {
        memset(out, 0, sizeof(*out));
    }
    if (h == NULL || in == NULL || (in->image == NULL && in->image_len != 0)) {
        return 0;
    }
    s = in->image;
    n = in->image_len;

    /* Each level runs only while no higher level answered: nothing below
     * can outrank an answer (pg_rules.h, rule 1). */
    if (h->n_cmd != 0) {
        if ((in->known & PG_FACT_CMDLINE) != 0) {
            if (in->cmdline != NULL || in->cmdline_len == 0) {
                best = list_first(h, 0, h->n_cmd, in->cmdline, in->cmdline_len, in);
            }
        } else if (list_any_applies(h, 0, h->n_cmd, in)) {
            needs |= PG_FACT_CMDLINE;
        }
    }

    if (best == NULL && h->n_sha != 0) {
        if ((in->known & PG_FACT_SHA256) != 0) {
            if (in->sha256_hex != NULL) {
                best = group_first(h,
                                   key_lookup(h, PG_RULE_SHA256, 1,
                                              hash_bytes(in->sha256_hex, PG_SHA256_HEX_CHARS, 1),
                                              in->sha256_hex, PG_SHA256_HEX_CHARS),
                                   in);
            }
        } else {
            needs |= PG_FACT_SHA256;
        }
    }

    if (best == NULL && h->n_keyed != 0) {
        const pgr_entry *a, *b;
        a = group_first(h, key_lookup(h, PG_RULE_EXACT, 0, hash_bytes(s, n, 0), s, n), in);
        b = group_first(h, key_lookup(h, PG_RULE_EXACT, 1, hash_bytes(s, n, 1), s, n), in);
        best = (a != NULL && outranks(a, b)) ? a : b;
    }

    if (best == NULL && h->n_glob != 0) {
        best = list_first(h, 1, h->n_glob, s, n, in);
    }

    if (best == NULL && h->max_prefix_len != 0) {
        uint32_t hr = FNV_OFFSET, hf = FNV_OFFSET;
        for (k = 0; k < n && k < h->max_prefix_len; k++) {
            unsigned char c = (unsigned char)s[k];
            hr = hash_step(hr, c);
            hf = hash_step(hf, fold_char(c));
            if (c == '/') {
                const pgr_entry *a, *b, *w;
                a = group_first(h, key_lookup(h, PG_RULE_PREFIX, 0, hr, s, k + 1), in);
                b = group_first(h, key_lookup(h, PG_RULE_PREFIX, 1, hf, s, k + 1), in);
                w = (a != NULL && outranks(a, b)) ? a : b;
                if (w != NULL) {
                    best = w; /* longer than anything found before */
                }
            }
        }
    }

    if (best == NULL && h->n_pkg != 0) {
        if ((in->known & PG_FACT_PACKAGE) != 0) {
            /* NULL: no package owns the file unmodified - no PACKAGE rule
             * can match, not even "*". */
            if (in->package != NULL) {
                best = list_first(h, 2, h->n_pkg, in->package, in->package_len, in);
            }
        } else if (list_any_applies(h, 2, h->n_pkg, in)) {
            needs |= PG_FACT_PACKAGE;
        }
    }

    if (out != NULL) {
        out->needs = needs;
    }
    if (best == NULL) {
        return 0;
    }
    if (out != NULL) {
        out->rule_id = best->id;
        out->action = best->action;
        out->kind = best->kind;
        out->conditional = (uint8_t)rule_conditional(best);
        out->index = best->index;
    }
    return 1;
}

int pg_rule_cache_has_conditional_for(const pg_rule_cache *rc, const char *image, size_t image_len)
{
    const pgr_header *h = cache_header(rc);
    const uint32_t *globs;
    size_t k;
    uint32_t i;

    if (h == NULL || (image == NULL && image_len != 0)) {
        return 0;
    }
    /* Arguments differ per start; conditional digest and package rules
     * could apply to any file. */
    if (h->n_cmd != 0 || h->n_cond_sha != 0 || h->n_cond_pkg != 0) {
        return 1;
    }
    if (h->n_keyed != 0) {
        if (group_any_conditional(key_lookup(h, PG_RULE_EXACT, 0, hash_bytes(image, image_len, 0),
                                             image, image_len)) != NULL ||
            group_any_conditional(key_lookup(h, PG_RULE_EXACT, 1, hash_bytes(image, image_len, 1),
                                             image, image_len)) != NULL) {
            return 1;
        }
    }
    globs = list_at(h, 1);
    for (i = 0; i < h->n_cond_glob; i++) {
        if (list_entry_matches(h, entry_at(h, globs[i]), image, image_len)) {
            return 1;
        }
    }
    if (h->max_prefix_len != 0) {
        uint32_t hr = FNV_OFFSET, hf = FNV_OFFSET;
        for (k = 0; k < image_len && k < h->max_prefix_len; k++) {
            unsigned char c = (unsigned char)image[k];
            hr = hash_step(hr, c);
            hf = hash_step(hf, fold_char(c));
            if (c == '/' &&
                (group_any_conditional(key_lookup(h, PG_RULE_PREFIX, 0, hr, image, k + 1)) !=
                     NULL ||
                 group_any_conditional(key_lookup(h, PG_RULE_PREFIX, 1, hf, image, k + 1)) !=
                     NULL)) {
                return 1;
            }
        }
    }
    return 0;
}
