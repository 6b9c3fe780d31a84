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
 *   uint32 idx_slots[]      the same over the index keys of the scanned
 *                           kinds (below); a slot holds the head of a
 *                           "bucket": the rules of one kind, folding and
 *                           key, chained like a group
 *   uint32 lists[]          the scanned kinds, each in precedence order:
 *                           CMDLINE entries, then GLOB, then PACKAGE,
 *                           then SIGNER (used for "could one apply?")
 *   uint32 res[]            the same segments, holding only the
 *                           "residual" rules, which have no index key
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
 *   0. CMDLINE: a text glob (as PACKAGE and SIGNER) is keyed by its first
 *      word when the literal text before its first wildcard shows all of
 *      it ("firefox *--private*": "firefox"; a pattern without wildcards:
 *      the whole pattern): the text then has the same first word. The
 *      bucket of the text's first word (two probes) and the residual list
 *      are walked as for GLOB below (needs the command line; without it,
 *      only "could one apply?" is answered, from the whole list).
 *   0b. SHA256: one hash probe with the digest (or "needed" without it).
 *   1. EXACT: two hash probes for the whole path.
 *   2. GLOB: each glob has an index key, a literal that any path it
 *      matches must show at a place found without the pattern:
 *        - a literal component before any '**' (no '*', '?'), with its
 *          depth: '*' and '?' do not cross '/', so component d of the
 *          pattern matches component d of the path; the deepest one, if
 *          at depth 2 or more (the first directories are shared widely);
 *        - else the last component when the pattern ends in "/literal";
 *        - else the extension: from the last '.' when the text after the
 *          last wildcard holds one (the path ends in it, so its own last
 *          '.' is the same one);
 *        - else a literal component at depth 0 or 1;
 *        - else none: the glob is "residual" (e.g. "*" or "**" + "/x?").
 *      One pass over the path hashes every component (raw and folded);
 *      each component, the last component and the extension are probed
 *      (two probes each: folding and case-sensitive globs are keyed apart,
 *      as groups are). A bucket is chained in precedence order, so its
 *      walk stops at its first match or at the first member that cannot
 *      outrank the best found so far; the residual list is walked the same
 *      way, and the best of all wins. Before the matcher runs, an entry is
 *      checked against the literal text before its first wildcard and its
 *      minimum match length. Cost is O(path length + depth + bucket
 *      sizes) rather than O(globs).
 *   3. PREFIX: one pass over the path keeps running raw and folded hashes;
 *      at every '/' the prefix ending there is looked up (two probes).
 *      Longer prefixes come later in the pass and replace shorter answers,
 *      which gives "longer prefix first" without sorting. Cost is
 *      O(path length + depth) whatever the number of prefix rules.
 *   4. PACKAGE: as CMDLINE, against the owning package's name.
 *   5. SIGNER: as CMDLINE, against the trusted signer's subject.
 *
 * The ordering inside groups, buckets and lists is produced at build time by six
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
    uint32_t n_pkg;       /* lists[n_cmd + n_glob .. + n_pkg) */
    uint32_t n_sig;       /* lists[n_cmd + n_glob + n_pkg .. ) */
    uint32_t n_cond_glob; /* conditional globs: the first ones of their segment */
    uint32_t idx_mask;    /* index slots - 1 */
    uint32_t idx_slots_off;
    uint32_t res_off;       /* residual lists: segments as in lists[] */
    uint32_t n_res[4];      /* residual entries per segment */
    uint32_t n_res_cond[4]; /* conditional ones among them (the first ones) */
    uint32_t n_cond_pkg;
    uint32_t n_cond_sig;
    uint32_t max_prefix_len; /* longest PREFIX pattern, 0 = none */
    uint32_t entries_off;
    uint32_t key_slots_off;
    uint32_t id_slots_off;
    uint32_t lists_off;
    uint32_t fill[4]; /* build-time cursors into the four segments */
    uint32_t fill_res[4];
    uint32_t layer_off; /* managed layer only: offset of the local layer's header, 0 = none */
    uint32_t layer_pad;
} pgr_header;

typedef struct pgr_entry {
    uint32_t id;
    uint32_t index; /* position in the policy */
    uint32_t uid;
    uint32_t hash;    /* EXACT/PREFIX: hash of the (folded) pattern; scanned: of its index key */
    uint32_t pat_off; /* pattern bytes, no NUL */
    uint32_t pat_len;
    uint32_t parent_off; /* parent glob, no NUL */
    uint32_t parent_len; /* 0 = any parent */
    uint32_t next;       /* next group member (index + 1), 0 = last */
    uint32_t tail;       /* group head only: last member (index + 1) */
    uint32_t lit_len;    /* GLOB: bytes before the first wildcard */
    uint32_t min_len;    /* GLOB: shortest string it can match */
    uint32_t key_tag;    /* scanned: PGR_TAG_* or component depth; PGR_NONE = residual */
    uint32_t key_pos;    /* scanned: index key, bytes [key_pos, key_pos + key_len) of pattern */
    uint32_t key_len;
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
    case PG_RULE_SIGNER:
        return 6;
    default:
        return 7;
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
    return kind == PG_RULE_CMDLINE   ? 0u
           : kind == PG_RULE_GLOB    ? 1u
           : kind == PG_RULE_PACKAGE ? 2u
                                     : 3u;
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

/* Walks the records once; returns PG_OK, the pattern bytes needed and
 * the number of rules of the scanned kinds (all but EXACT, PREFIX and
 * SHA256). */
/* Layers (PG_RULEF_MANAGED): which records a build takes. */
#define PGR_LAYER_ALL 0
#define PGR_LAYER_MANAGED 1
#define PGR_LAYER_LOCAL 2

static int in_layer(const pg_rule *r, int layer)
{
    if (layer == PGR_LAYER_ALL) {
        return 1;
    }
    return ((r->flags & PG_RULEF_MANAGED) != 0) == (layer == PGR_LAYER_MANAGED);
}

static int scan_rules(const uint8_t *rules, size_t rules_len, uint32_t rule_count, int layer,
                      size_t *string_bytes, uint32_t *scanned_count, uint32_t *selected_count)
{
    size_t off = 0;
    size_t bytes = 0;
    uint32_t scanned = 0;
    uint32_t selected = 0;
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
        off += sz;
        if (!in_layer(&r, layer)) {
            continue;
        }
        selected++;
        bytes += align8((size_t)r.pattern_len + r.parent_len);
        if (r.kind != PG_RULE_EXACT && r.kind != PG_RULE_PREFIX && r.kind != PG_RULE_SHA256) {
            scanned++;
        }
    }
    if (off != rules_len) {
        return PG_E_LENGTH;
    }
    *string_bytes = bytes;
    *scanned_count = scanned;
    *selected_count = selected;
    return PG_OK;
}

typedef struct pgr_layout {
    size_t entries_off, key_slots_off, id_slots_off, idx_slots_off, lists_off, res_off, strings_off,
        total;
    uint32_t key_slots, id_slots, idx_slots;
} pgr_layout;

/* scanned_count never exceeds count; pg_rule_cache_arena_size() computes
 * it from the same records, so the bound is exact. */
static void compute_layout(uint32_t count, uint32_t scanned_count, size_t string_bytes,
                           pgr_layout *l)
{
    l->key_slots = pow2_at_least(count * 2u);
    l->id_slots = pow2_at_least(count * 2u);
    l->idx_slots = pow2_at_least(scanned_count * 2u);
    l->entries_off = align8(sizeof(pgr_header));
    l->key_slots_off = l->entries_off + align8((size_t)count * sizeof(pgr_entry));
    l->id_slots_off = l->key_slots_off + align8((size_t)l->key_slots * sizeof(uint32_t));
    l->idx_slots_off = l->id_slots_off + align8((size_t)l->id_slots * sizeof(uint32_t));
    l->lists_off = l->idx_slots_off + align8((size_t)l->idx_slots * sizeof(uint32_t));
    l->res_off = l->lists_off + align8((size_t)scanned_count * sizeof(uint32_t));
    l->strings_off = l->res_off + align8((size_t)scanned_count * sizeof(uint32_t));
    l->total = l->strings_off + string_bytes;
}

/* Bytes of one layer's compiled cache (0 records: a bare header). */
static size_t layer_size(const uint8_t *rules, size_t rules_len, uint32_t rule_count, int layer)
{
    size_t string_bytes = 0;
    uint32_t scanned_count = 0;
    uint32_t selected = 0;
    pgr_layout l;

    if (scan_rules(rules, rules_len, rule_count, layer, &string_bytes, &scanned_count, &selected) !=
        PG_OK) {
        /* Build reports the validation error; this only has to be big
         * enough to get that far. */
        string_bytes = 0;
        scanned_count = 0;
        selected = rule_count;
    }
    compute_layout(selected, scanned_count, string_bytes, &l);
    return align8(l.total);
}

size_t pg_rule_cache_arena_size(const void *rules, size_t rules_len, uint32_t rule_count)
{
    const uint8_t *r = (const uint8_t *)rules;
    size_t string_bytes = 0;
    uint32_t scanned_count = 0, managed = 0;

    /* One layer of everything, or the managed layer followed by the
     * local one (the same shape pg_rule_cache_build_ex() picks). */
    if (scan_rules(r, rules_len, rule_count, PGR_LAYER_MANAGED, &string_bytes, &scanned_count,
                   &managed) != PG_OK ||
        managed == 0 || managed == rule_count) {
        return layer_size(r, rules_len, rule_count, PGR_LAYER_ALL) + 7u; /* may start unaligned */
    }
    return layer_size(r, rules_len, rule_count, PGR_LAYER_MANAGED) +
           layer_size(r, rules_len, rule_count, PGR_LAYER_LOCAL) + 7u;
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

/* Index key tags besides a component depth (0 .. PGR_MAX_DEPTH). */
#define PGR_TAG_LAST 0xFFFFFFFEu /* the last path component */
#define PGR_TAG_EXT 0xFFFFFFFDu  /* from the last '.' to the end */
#define PGR_TAG_WORD 0xFFFFFFFCu /* text globs: the first word */
#define PGR_MAX_DEPTH 0xFFFFu    /* deeper components are not keyed */

/* Mixes a key's tag into the FNV hash of its text. */
static uint32_t tag_hash(uint32_t h, uint32_t tag)
{
    h ^= tag * 0x9E3779B1u;
    h *= FNV_PRIME;
    return h ^ (h >> 16);
}

/* The index key of a path glob (module header, matching step 2):
 * *tag is PGR_NONE when the glob has none. Every path the glob matches
 * shows the key at the tagged place, so a glob is only tried when the
 * path's key at that place is equal. */
static void glob_index_key(const char *pat, size_t n, uint32_t *tag, uint32_t *pos, uint32_t *len)
{
    size_t i, start = 0, tail = 0;
    size_t last_slash = PGR_NOPOS, last_dot = PGR_NOPOS;
    size_t lit_pos = 0, lit_len = 0;
    uint32_t depth = 0, lit_depth = PGR_NONE;
    int wild = 0, aligned = 1;

    for (i = 0; i <= n; i++) {
        char c = i < n ? pat[i] : '/'; /* the end closes the last component */
        if (c == '/') {
            /* Components before the first '**' line up with the path's. */
            if (aligned && !wild && i > start && depth <= PGR_MAX_DEPTH) {
                lit_depth = depth;
                lit_pos = start;
                lit_len = i - start;
            }
            if (i < n) {
                last_slash = i;
            }
            depth++;
            start = i + 1;
            wild = 0;
        } else if (c == '*' || c == '?') {
            wild = 1;
            tail = i + 1;
            if (c == '*' && i + 1 < n && pat[i + 1] == '*') {
                aligned = 0;
            }
        } else if (c == '.') {
            last_dot = i;
        }
    }
    *tag = PGR_NONE;
    *pos = 0;
    *len = 0;
    if (lit_depth != PGR_NONE && lit_depth >= 2) {
        *tag = lit_depth;
        *pos = (uint32_t)lit_pos;
        *len = (uint32_t)lit_len;
    } else if (last_slash != PGR_NOPOS && last_slash >= tail && last_slash + 1 < n) {
        /* Ends in "/literal": the path's last component is that literal. */
        *tag = PGR_TAG_LAST;
        *pos = (uint32_t)(last_slash + 1);
        *len = (uint32_t)(n - last_slash - 1);
    } else if (last_dot != PGR_NOPOS && last_dot >= tail) {
        *tag = PGR_TAG_EXT;
        *pos = (uint32_t)last_dot;
        *len = (uint32_t)(n - last_dot);
    } else if (lit_depth != PGR_NONE) {
        *tag = lit_depth;
        *pos = (uint32_t)lit_pos;
        *len = (uint32_t)lit_len;
    }
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

/* The index key of a text glob (CMDLINE, PACKAGE, SIGNER): its first
 * word, when the literal text before the first wildcard shows all of it
 * (a ' ' follows it there, or the pattern has no wildcard). The text
 * then starts with that word and a ' ' (or is the word), so the text's
 * own first word is equal. *tag is PGR_NONE otherwise. */
static void text_index_key(const char *pat, size_t n, uint32_t lit_len, uint32_t *tag,
                           uint32_t *pos, uint32_t *len)
{
    size_t i;

    *tag = PGR_NONE;
    *pos = 0;
    *len = 0;
    for (i = 0; i < lit_len; i++) {
        if (pat[i] == ' ') {
            break;
        }
    }
    if (i < lit_len || lit_len == n) {
        *tag = PGR_TAG_WORD;
        *len = (uint32_t)i;
    }
}

/* Length of the first word of s (up to the first ' '). */
static size_t first_word(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && s[i] != ' ') {
        i++;
    }
    return i;
}

/* 1 when g and e have the same index key (and kind and folding). */
static int idx_key_same(const pgr_header *h, const pgr_entry *g, const pgr_entry *e)
{
    return g->kind == e->kind && g->fold == e->fold && g->hash == e->hash &&
           g->key_tag == e->key_tag && g->key_len == e->key_len &&
           memcmp(entry_str(h, g->pat_off + g->key_pos), entry_str(h, e->pat_off + e->key_pos),
                  e->key_len) == 0;
}

/* Appends scanned entry idx to the bucket of its index key, as
 * key_insert() does for groups (called in precedence order). */
static void idx_insert(pgr_header *h, uint32_t idx)
{
    uint32_t *slots = (uint32_t *)((uint8_t *)h + h->idx_slots_off);
    pgr_entry *entries = (pgr_entry *)((uint8_t *)h + h->entries_off);
    pgr_entry *e = &entries[idx];
    uint32_t pos = e->hash & h->idx_mask;

    for (;;) {
        uint32_t s = slots[pos];
        if (s == 0) {
            slots[pos] = idx + 1u;
            e->tail = idx + 1u;
            return;
        }
        if (idx_key_same(h, &entries[s - 1u], e)) {
            pgr_entry *g = &entries[s - 1u];
            entries[g->tail - 1u].next = idx + 1u;
            g->tail = idx + 1u;
            return;
        }
        pos = (pos + 1u) & h->idx_mask;
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

/* Compiles the records of one layer into the 8-aligned space at base
 * (avail bytes); *used receives the bytes taken. detail: policy index. */
static int build_layer(uint8_t *base, size_t avail, const uint8_t *recs, size_t rules_len,
                       uint32_t all_count, int layer, uint32_t policy_flags, uint32_t *detail,
                       size_t *used)
{
    size_t string_bytes = 0;
    uint32_t scanned_count = 0;
    uint32_t rule_count = 0;
    size_t off, str_off;
    pgr_layout l;
    pgr_header *h;
    pgr_entry *entries;
    uint32_t *lists, *res;
    uint32_t i, j, pass;
    int st;

    st = scan_rules(recs, rules_len, all_count, layer, &string_bytes, &scanned_count, &rule_count);
    if (st != PG_OK) {
        return st;
    }
    compute_layout(rule_count, scanned_count, string_bytes, &l);
    if (avail < l.total || l.total > 0xFFFFFFFFu) {
        return PG_E_NOSPACE;
    }

    h = (pgr_header *)base;
    memset(h, 0, l.strings_off);
    h->magic = PGR_MAGIC;
    h->count = rule_count;
    h->key_mask = l.key_slots - 1u;
    h->id_mask = l.id_slots - 1u;
    h->entries_off = (uint32_t)l.entries_off;
    h->key_slots_off = (uint32_t)l.key_slots_off;
    h->id_slots_off = (uint32_t)l.id_slots_off;
    h->idx_mask = l.idx_slots - 1u;
    h->idx_slots_off = (uint32_t)l.idx_slots_off;
    h->lists_off = (uint32_t)l.lists_off;
    h->res_off = (uint32_t)l.res_off;
    entries = (pgr_entry *)((uint8_t *)h + l.entries_off);
    lists = (uint32_t *)((uint8_t *)h + l.lists_off);
    res = (uint32_t *)((uint8_t *)h + l.res_off);

    /* Pass 0: one entry per rule of the layer, strings copied (folded
     * when needed). i: position in the policy, j: entry. */
    off = 0;
    str_off = l.strings_off;
    for (i = 0, j = 0; i < all_count; i++) {
        pg_rule r;
        pgr_entry *e;
        const char *pat;
        memcpy(&r, recs + off, sizeof(r));
        if (!in_layer(&r, layer)) {
            off += r.size;
            continue;
        }
        e = &entries[j];
        pat = (const char *)recs + off + sizeof(pg_rule);

        e->id = r.id;
        e->index = i;
        e->uid = r.uid;
        e->kind = r.kind;
        e->action = r.action;
        /* A digest is hex: stored folded so that either case matches. A
         * signer's name is compared as Windows compares names: folded. */
        e->fold = (uint8_t)(((r.flags & PG_RULEF_CASE_FOLD) != 0 ||
                             (policy_flags & PG_POLF_CASE_FOLD) != 0 || r.kind == PG_RULE_SHA256 ||
                             r.kind == PG_RULE_SIGNER)
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
            if (e->kind == PG_RULE_GLOB) {
                glob_index_key(entry_str(h, e->pat_off), e->pat_len, &e->key_tag, &e->key_pos,
                               &e->key_len);
            } else {
                text_index_key(entry_str(h, e->pat_off), e->pat_len, e->lit_len, &e->key_tag,
                               &e->key_pos, &e->key_len);
            }
            if (e->key_tag != PGR_NONE) {
                e->hash = tag_hash(hash_bytes(entry_str(h, e->pat_off + e->key_pos), e->key_len, 0),
                                   e->key_tag);
            }
            if (e->kind == PG_RULE_CMDLINE) {
                h->n_cmd++;
            } else if (e->kind == PG_RULE_GLOB) {
                h->n_glob++;
            } else if (e->kind == PG_RULE_PACKAGE) {
                h->n_pkg++;
            } else {
                h->n_sig++;
            }
        }
        if (!id_insert(h, j, r.id)) {
            if (detail != NULL) {
                *detail = i;
            }
            return PG_E_RANGE;
        }
        off += r.size;
        j++;
    }
    h->fill[0] = 0;
    h->fill[1] = h->n_cmd;
    h->fill[2] = h->n_cmd + h->n_glob;
    h->fill[3] = h->n_cmd + h->n_glob + h->n_pkg;
    for (i = 0; i < 4; i++) {
        h->fill_res[i] = h->fill[i];
    }

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
                if (e->key_tag != PGR_NONE) {
                    idx_insert(h, i);
                } else {
                    res[h->fill_res[seg]++] = i;
                    h->n_res[seg]++;
                    if (want_cond) {
                        h->n_res_cond[seg]++;
                    }
                }
                if (want_cond && e->kind == PG_RULE_GLOB) {
                    h->n_cond_glob++;
                } else if (want_cond && e->kind == PG_RULE_PACKAGE) {
                    h->n_cond_pkg++;
                } else if (want_cond && e->kind == PG_RULE_SIGNER) {
                    h->n_cond_sig++;
                }
            }
        }
    }

    *used = align8(l.total);
    return PG_OK;
}

/* 1 when id is a rule of the layer at h. */
static int id_present(const pgr_header *h, uint32_t id)
{
    const uint32_t *slots = (const uint32_t *)((const uint8_t *)h + h->id_slots_off);
    uint32_t pos = (id * 2654435761u) & h->id_mask;

    for (;;) {
        uint32_t s = slots[pos];
        if (s == 0) {
            return 0;
        }
        if (entry_at(h, s - 1u)->id == id) {
            return 1;
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
    uint32_t scanned_count = 0, managed = 0;
    size_t skew, used = 0, used2 = 0;
    uint8_t *base;
    pgr_header *h;
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
    st = scan_rules(recs, rules_len, rule_count, PGR_LAYER_MANAGED, &string_bytes, &scanned_count,
                    &managed);
    if (st != PG_OK) {
        return st;
    }
    if (arena == NULL) {
        return PG_E_NOSPACE;
    }
    skew = (size_t)((8u - ((uintptr_t)arena & 7u)) & 7u);
    if (arena_size < skew) {
        return PG_E_NOSPACE;
    }
    base = (uint8_t *)arena + skew;
    h = (pgr_header *)base;
    if (managed == 0 || managed == rule_count) {
        /* One layer: every rule in one cache, as always. */
        st = build_layer(base, arena_size - skew, recs, rules_len, rule_count, PGR_LAYER_ALL,
                         policy_flags, detail, &used);
        if (st != PG_OK) {
            return st;
        }
    } else {
        /* Managed rules first (pg_rules.h, rule -1), then the local
         * layer right after them; ids are unique across both. */
        const pgr_header *local;
        const pgr_entry *entries;
        uint32_t k;
        st = build_layer(base, arena_size - skew, recs, rules_len, rule_count, PGR_LAYER_MANAGED,
                         policy_flags, detail, &used);
        if (st != PG_OK) {
            return st;
        }
        st = build_layer(base + used, arena_size - skew - used, recs, rules_len, rule_count,
                         PGR_LAYER_LOCAL, policy_flags, detail, &used2);
        if (st != PG_OK) {
            return st;
        }
        local = (const pgr_header *)(base + used);
        entries = entry_at(local, 0);
        for (k = 0; k < local->count; k++) {
            if (id_present(h, entries[k].id)) {
                if (detail != NULL) {
                    *detail = entries[k].index;
                }
                return PG_E_RANGE;
            }
        }
        if (used > 0xFFFFFFFFu || used + used2 > 0xFFFFFFFFu) {
            return PG_E_NOSPACE;
        }
        h->layer_off = (uint32_t)used;
    }

    rc->arena = (const uint8_t *)h;
    rc->arena_used = used + used2;
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
        /* An unknown parent satisfies no parent condition, nor does a
         * parent path that is not the parent's file. */
        if (in->parent_image == NULL || (in->path_flags & PG_PATH_PARENT_UNTRUSTED) != 0) {
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

static uint32_t segment_base(const pgr_header *h, uint32_t seg)
{
    return seg == 0   ? 0u
           : seg == 1 ? h->n_cmd
           : seg == 2 ? h->n_cmd + h->n_glob
                      : h->n_cmd + h->n_glob + h->n_pkg;
}

static const uint32_t *list_at(const pgr_header *h, uint32_t seg)
{
    return (const uint32_t *)((const uint8_t *)h + h->lists_off) + segment_base(h, seg);
}

/* The residual entries (no index key) of segment seg. */
static const uint32_t *res_at(const pgr_header *h, uint32_t seg)
{
    return (const uint32_t *)((const uint8_t *)h + h->res_off) + segment_base(h, seg);
}

/* Head of the bucket (kind, tag, fold, k[0..n)) or NULL. */
static const pgr_entry *idx_bucket(const pgr_header *h, uint8_t kind, uint32_t tag, int fold,
                                   uint32_t hash, const char *k, size_t n)
{
    const uint32_t *slots = (const uint32_t *)((const uint8_t *)h + h->idx_slots_off);
    uint32_t pos = hash & h->idx_mask;

    for (;;) {
        uint32_t slot = slots[pos];
        const pgr_entry *g;
        if (slot == 0) {
            return NULL;
        }
        g = entry_at(h, slot - 1u);
        if (g->kind == kind && g->key_tag == tag && g->fold == (uint8_t)fold && g->hash == hash &&
            g->key_len == n && key_equal(entry_str(h, g->pat_off + g->key_pos), k, n, fold)) {
            return g;
        }
        pos = (pos + 1u) & h->idx_mask;
    }
}

typedef struct pgr_glob_search {
    const pgr_header *h;
    uint8_t kind;
    const char *s;
    size_t n;
    const pg_match_input *in; /* NULL: look for any conditional glob matching s */
    const pgr_entry *best;
} pgr_glob_search;

/* Walks one bucket chain (or the residual list's entry). Chains are in
 * precedence order, so the walk ends at the first member that matches or
 * that cannot outrank the best found so far. Without input, only the
 * conditional members (the first ones) are tried and their conditions
 * are not checked. Returns 1 when the walk of a list may go on. */
static int glob_visit(pgr_glob_search *gs, const pgr_entry *g, int chain)
{
    const pgr_header *h = gs->h;

    while (g != NULL) {
        if (gs->in == NULL) {
            if (gs->best != NULL || !rule_conditional(g)) {
                return 0;
            }
            if (list_entry_matches(h, g, gs->s, gs->n)) {
                gs->best = g;
                return 0;
            }
        } else {
            if (gs->best != NULL && !outranks(g, gs->best)) {
                return 0;
            }
            if (list_entry_matches(h, g, gs->s, gs->n) && conditions_hold(h, g, gs->in)) {
                gs->best = g;
                return 0;
            }
        }
        if (!chain) {
            return 1;
        }
        g = g->next != 0 ? entry_at(h, g->next - 1u) : NULL;
    }
    return 1;
}

/* The buckets of key k (raw hash hr, folded hash hf): case-sensitive and
 * folding globs are keyed apart. */
static void glob_probe(pgr_glob_search *gs, uint32_t tag, uint32_t hr, uint32_t hf, const char *k,
                       size_t n)
{
    glob_visit(gs, idx_bucket(gs->h, gs->kind, tag, 0, tag_hash(hr, tag), k, n), 1);
    glob_visit(gs, idx_bucket(gs->h, gs->kind, tag, 1, tag_hash(hf, tag), k, n), 1);
}

/* Starts a search of segment seg over s[0..n) with the residual list. */
static void search_start(pgr_glob_search *gs, const pgr_header *h, uint32_t seg, uint8_t kind,
                         const char *s, size_t n, const pg_match_input *in)
{
    const uint32_t *res = res_at(h, seg);
    const uint32_t n_res = in == NULL ? h->n_res_cond[seg] : h->n_res[seg];
    uint32_t i;

    gs->h = h;
    gs->kind = kind;
    gs->s = s;
    gs->n = n;
    gs->in = in;
    gs->best = NULL;
    for (i = 0; i < n_res; i++) {
        if (!glob_visit(gs, entry_at(h, res[i]), 0)) {
            break;
        }
    }
}

/* The deciding rule of text-glob segment seg (CMDLINE, PACKAGE, SIGNER)
 * for text s, or NULL. */
static const pgr_entry *text_search(const pgr_header *h, uint32_t seg, uint8_t kind, const char *s,
                                    size_t n, const pg_match_input *in)
{
    pgr_glob_search gs;
    size_t w = first_word(s, n);

    search_start(&gs, h, seg, kind, s, n, in);
    glob_probe(&gs, PGR_TAG_WORD, hash_bytes(s, w, 0), hash_bytes(s, w, 1), s, w);
    return gs.best;
}

/* The deciding GLOB rule for path s (NULL if none); with in == NULL, some
 * conditional glob that matches s, conditions unchecked. */
static const pgr_entry *glob_search(const pgr_header *h, const char *s, size_t n,
                                    const pg_match_input *in)
{
    pgr_glob_search gs;
    uint32_t hr = FNV_OFFSET, hf = FNV_OFFSET, depth = 0;
    size_t k, start = 0, dot = PGR_NOPOS;

    search_start(&gs, h, 1, PG_RULE_GLOB, s, n, in);
    if (h->n_res[1] == h->n_glob) {
        return gs.best; /* nothing indexed */
    }
    /* One pass: every component (with its depth), then the last one and
     * the extension. Keys are never empty. */
    for (k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c == '/') {
            if (k > start && depth <= PGR_MAX_DEPTH) {
                glob_probe(&gs, depth, hr, hf, s + start, k - start);
            }
            if (depth <= PGR_MAX_DEPTH) {
                depth++;
            }
            start = k + 1;
            hr = FNV_OFFSET;
            hf = FNV_OFFSET;
            continue;
        }
        hr = hash_step(hr, c);
        hf = hash_step(hf, fold_char(c));
        if (c == '.') {
            dot = k;
        }
    }
    if (n > start) {
        if (depth <= PGR_MAX_DEPTH) {
            glob_probe(&gs, depth, hr, hf, s + start, n - start);
        }
        glob_probe(&gs, PGR_TAG_LAST, hr, hf, s + start, n - start);
    }
    if (dot != PGR_NOPOS) {
        glob_probe(&gs, PGR_TAG_EXT, hash_bytes(s + dot, n - dot, 0),
                   hash_bytes(s + dot, n - dot, 1), s + dot, n - dot);
    }
    return gs.best;
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

static int match_layer(const pgr_header *h, const pg_match_input *in, pg_match_result *out)
{
    const pgr_entry *best = NULL;
    uint32_t needs = 0;
    const char *s;
    size_t n, k;
    int path_ok;

    if (out != NULL) {
        memset(out, 0, sizeof(*out));
    }
    if (h == NULL || in == NULL || (in->image == NULL && in->image_len != 0)) {
        return 0;
    }
    s = in->image;
    n = in->image_len;
    /* A path that is not the file being started: the three path levels
     * (EXACT, GLOB, PREFIX) are skipped; the others keep their order. */
    path_ok = (in->path_flags & PG_PATH_IMAGE_UNTRUSTED) == 0;

    /* Each level runs only while no higher level answered: nothing below
     * can outrank an answer (pg_rules.h, rule 1). */
    if (h->n_cmd != 0) {
        if ((in->known & PG_FACT_CMDLINE) != 0) {
            if (in->cmdline != NULL || in->cmdline_len == 0) {
                best = text_search(h, 0, PG_RULE_CMDLINE, in->cmdline, in->cmdline_len, in);
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

    if (best == NULL && path_ok && h->n_keyed != 0) {
        const pgr_entry *a, *b;
        a = group_first(h, key_lookup(h, PG_RULE_EXACT, 0, hash_bytes(s, n, 0), s, n), in);
        b = group_first(h, key_lookup(h, PG_RULE_EXACT, 1, hash_bytes(s, n, 1), s, n), in);
        best = (a != NULL && outranks(a, b)) ? a : b;
    }

    if (best == NULL && path_ok && h->n_glob != 0) {
        best = glob_search(h, s, n, in);
    }

    if (best == NULL && path_ok && h->max_prefix_len != 0) {
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
                best = text_search(h, 2, PG_RULE_PACKAGE, in->package, in->package_len, in);
            }
        } else if (list_any_applies(h, 2, h->n_pkg, in)) {
            needs |= PG_FACT_PACKAGE;
        }
    }

    if (best == NULL && h->n_sig != 0) {
        if ((in->known & PG_FACT_SIGNER) != 0) {
            /* NULL: unsigned, or a signature the system does not trust -
             * no SIGNER rule can match, not even "*". */
            if (in->signer != NULL) {
                best = text_search(h, 3, PG_RULE_SIGNER, in->signer, in->signer_len, in);
            }
        } else if (list_any_applies(h, 3, h->n_sig, in)) {
            needs |= PG_FACT_SIGNER;
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

int pg_rule_cache_match(const pg_rule_cache *rc, const pg_match_input *in, pg_match_result *out)
{
    const pgr_header *h = cache_header(rc);
    uint32_t needs;

    if (h == NULL || h->layer_off == 0) {
        return match_layer(h, in, out);
    }
    /* The managed layer first: a managed rule that matches decides, and
     * no local rule can outrank it. Otherwise the local layer decides,
     * and the answer stays provisional while a managed rule could still
     * match once the facts it needs are known. */
    if (match_layer(h, in, out)) {
        return 1;
    }
    needs = out != NULL ? out->needs : 0;
    {
        int matched = match_layer((const pgr_header *)((const uint8_t *)h + h->layer_off), in, out);
        if (out != NULL) {
            out->needs |= needs;
        }
        return matched;
    }
}

static int conditional_in_layer(const pgr_header *h, const char *image, size_t image_len);

int pg_rule_cache_has_conditional_for(const pg_rule_cache *rc, const char *image, size_t image_len)
{
    const pgr_header *h = cache_header(rc);

    if (h == NULL || (image == NULL && image_len != 0)) {
        return 0;
    }
    if (conditional_in_layer(h, image, image_len)) {
        return 1;
    }
    return h->layer_off != 0 &&
           conditional_in_layer((const pgr_header *)((const uint8_t *)h + h->layer_off), image,
                                image_len);
}

static int conditional_in_layer(const pgr_header *h, const char *image, size_t image_len)
{
    size_t k;

    if (h == NULL || (image == NULL && image_len != 0)) {
        return 0;
    }
    /* Arguments differ per start; conditional digest, package and signer
     * rules could apply to any file. */
    if (h->n_cmd != 0 || h->n_cond_sha != 0 || h->n_cond_pkg != 0 || h->n_cond_sig != 0) {
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
    if (h->n_glob != 0 && glob_search(h, image, image_len, NULL) != NULL) {
        return 1;
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
