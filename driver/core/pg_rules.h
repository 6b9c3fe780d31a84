/*
 * pg_rules.h - the compiled rule cache.
 *
 * A policy's rule records (validated with pg_validate_client_message) are
 * compiled into a read-only cache held in one caller-provided arena. The
 * cache answers "which rule decides this start?" without allocating.
 *
 * Precedence (the one place it is defined; tests in
 * tests/unit/core/RulesTest.cpp pin every pair):
 *   1. Kind, most specific first: EXACT, then GLOB, then PREFIX.
 *   2. Within PREFIX, the longer prefix first.
 *   3. A rule with conditions (user, parent) before one without, at the
 *      same kind and prefix length.
 *   4. BLOCK before ALLOW at the same level.
 *   5. Otherwise the earlier rule in the policy.
 * A rule whose conditions do not hold does not match at all.
 *
 * Matching: EXACT compares the whole path. PREFIX patterns end with '/'
 * and match any path that starts with them.
 * GLOB: '*' matches any run of characters except '/', '?' one character
 * except '/', '**' any run including '/'. Case folding (per rule, or for
 * all rules with PG_POLF_CASE_FOLD) folds ASCII letters only, in the
 * pattern and in the rule's parent glob; the Windows
 * driver upcases Unicode itself before matching. The parent condition is
 * a GLOB over the parent's image path; an unknown parent (NULL) satisfies
 * no parent condition. '**' is literally "any run", so a '**' between two
 * slashes still needs both slashes: with it between "/a/" and "/b" the
 * pattern matches "/a/x/b" but not "/a/b". Three or more '*' act as '**'.
 *
 * Building: pg_rule_cache_build() also refuses duplicate rule ids
 * (PG_E_RANGE), which the validator cannot check without memory. On any
 * error the cache is left empty; build into a fresh arena and swap on
 * success so the policy in force stays usable. After a build the arena is
 * only read, so matches may run concurrently.
 */
#ifndef PG_RULES_H
#define PG_RULES_H

#include "../protocol/pg_protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pg_rule_cache {
    const uint8_t *arena; /* compiled entries, owned by the caller */
    size_t arena_used;
    uint32_t count;
    uint32_t flags; /* PG_POLF_* of the policy */
} pg_rule_cache;

typedef struct pg_match_input {
    const char *image;        /* UTF-8 path of the program to start */
    size_t image_len;         /* bytes, no NUL */
    const char *parent_image; /* may be NULL (unknown parent) */
    size_t parent_len;
    uint32_t uid;
} pg_match_input;

typedef struct pg_match_result {
    uint32_t rule_id;    /* 0 when no rule matched */
    uint8_t action;      /* PG_VERDICT_ALLOW/BLOCK; PG_VERDICT_NONE when no match */
    uint8_t kind;        /* enum pg_rule_kind of the deciding rule */
    uint8_t conditional; /* the deciding rule had user/parent conditions */
    uint8_t reserved;
    uint32_t index; /* position of the rule in the policy */
} pg_match_result;

/* Bytes of arena needed to compile rule_count records starting at rules
 * (rules_len bytes, already validated). */
size_t pg_rule_cache_arena_size(const void *rules, size_t rules_len, uint32_t rule_count);

/* Compiles the records into arena. Returns PG_OK, PG_E_NOSPACE when the
 * arena is too small, or a validation error (records are re-checked). */
int pg_rule_cache_build(pg_rule_cache *rc, void *arena, size_t arena_size, const void *rules,
                        size_t rules_len, uint32_t rule_count, uint32_t policy_flags);

/* The same, and on error *detail (if not NULL) receives the policy index
 * of the offending rule (e.g. the second rule with an id already used). */
int pg_rule_cache_build_ex(pg_rule_cache *rc, void *arena, size_t arena_size, const void *rules,
                           size_t rules_len, uint32_t rule_count, uint32_t policy_flags,
                           uint32_t *detail);

/* An empty cache (matches nothing). */
void pg_rule_cache_init_empty(pg_rule_cache *rc);

/* Finds the deciding rule. Returns 1 when a rule matched, 0 otherwise. */
int pg_rule_cache_match(const pg_rule_cache *rc, const pg_match_input *in, pg_match_result *out);

/* 1 when some rule with a user or parent condition could match image (so
 * a kernel-side allow cache keyed by file must not be used for it). */
int pg_rule_cache_has_conditional_for(const pg_rule_cache *rc, const char *image, size_t image_len);

/* Glob matcher used by the cache, exposed for tests and the parent
 * condition. fold: ASCII case-insensitive. */
int pg_glob_match(const char *pat, size_t pat_len, const char *s, size_t s_len, int fold);

#ifdef __cplusplus
}
#endif

#endif /* PG_RULES_H */
