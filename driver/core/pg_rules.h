/*
 * pg_rules.h - the compiled rule cache.
 *
 * A policy's rule records (validated with pg_validate_client_message) are
 * compiled into a read-only cache held in one caller-provided arena. The
 * cache answers "which rule decides this start?" without allocating.
 * Globs are indexed by a literal they need (a path component at a fixed
 * depth, the last component, the extension; for CMDLINE, PACKAGE and
 * SIGNER the first word), so a match costs about the same with 10 or
 * 10,000 of them. A glob without such a literal (e.g. "*", "**" + "/x?",
 * "*--private*") is tried on every match: keep those few. Indexing never
 * changes an answer (tests/unit/core/GlobIndexTest.cpp checks it against
 * a linear scan).
 *
 * Precedence (the one place it is defined; tests in
 * tests/unit/core/RulesTest.cpp pin every pair, and every new kind against
 * every other kind):
 *  -1. Managed first: rules with PG_RULEF_MANAGED (the managed layer that
 *      policy files or Group Policy impose) are matched as a policy of
 *      their own, before every other rule. A managed rule that matches
 *      decides, whatever the local rules say; a local rule decides only a
 *      start that no managed rule matches (and its answer stays
 *      provisional - needs - while a managed rule could still match once a
 *      missing fact is known). Rule ids are unique across both layers.
 *      Rules 0-5 below order the rules within each layer.
 *   0. Time first (pg_schedule.h; tests/unit/core/ScheduleTest.cpp): a
 *      rule outside its schedule, or past its expiry ("for N minutes",
 *      another boot's "until reboot", a used "allow once"), is ignored as
 *      if it were not in the policy, and an expired one is removed from
 *      the persisted policy. A rule whose daily budget is used up takes
 *      part as a BLOCK rule, so its message is shown. The cache itself
 *      never looks at time: compile what pg_rules_select() wrote for
 *      "now" and recompile at pg_rules_next_change(); compiled as sent,
 *      a time block is ignored (the rule always holds).
 *   1. Kind, most specific first:
 *        CMDLINE  this invocation (program and its arguments)
 *        SHA256   this exact content, wherever the file lives
 *        EXACT    this path
 *        GLOB     paths of this shape
 *        PREFIX   everything under this directory
 *        PACKAGE  everything a (named) package installed, unmodified
 *        SIGNER   everything a (named) publisher signed (Windows)
 *      So "block firefox --private-window" beats "allow firefox", a hash
 *      block follows a renamed or copied file past any path allow, and
 *      any path rule beats the trusted-source rules of a kiosk. The two
 *      trusted-source kinds come last, SIGNER after PACKAGE: a publisher
 *      signs more than one product, so it is the broadest statement.
 *   2. Within PREFIX, the longer prefix first.
 *   3. A rule with conditions (user or group, parent) before one without,
 *      at the same kind and prefix length.
 *   4. BLOCK, then ASK, then ALLOW at the same level.
 *   5. Otherwise the earlier rule in the policy.
 * A rule whose conditions do not hold does not match at all.
 *
 * Facts the caller may not have (pg_match_input.known):
 *   The command line (Linux sees it only once the exec completed), the
 *   image's SHA-256 (a kernel component does not hash), the package
 *   that installed it unmodified (needs the package database) and the
 *   image's trusted Authenticode signer (needs the system's trust
 *   verification, user mode only). A rule of
 *   a kind whose fact is missing is not evaluated. When such a rule could
 *   still outrank the answer - it ranks above it and, for CMDLINE,
 *   PACKAGE and SIGNER, its conditions hold - pg_match_result.needs names the
 *   missing facts: the answer is then provisional, and the caller gets
 *   the facts (in user mode) and matches again. needs == 0 means the
 *   answer is final. Missing facts never make a rule match.
 *
 * Matching: EXACT compares the whole path. PREFIX patterns end with '/'
 * and match any path that starts with them. SHA256 compares hex digits
 * case-insensitively.
 * GLOB: '*' matches any run of characters except '/', '?' one character
 * except '/', '**' any run including '/'. Case folding (per rule, or for
 * all rules with PG_POLF_CASE_FOLD) folds ASCII letters only, in the
 * pattern and in the rule's parent glob; the Windows
 * driver upcases Unicode itself before matching. The parent condition is
 * a GLOB over the parent's image path; an unknown parent (NULL) satisfies
 * no parent condition. '**' is literally "any run", so a '**' between two
 * slashes still needs both slashes: with it between "/a/" and "/b" the
 * pattern matches "/a/x/b" but not "/a/b". Three or more '*' act as '**'.
 * CMDLINE, PACKAGE and SIGNER patterns are text globs: '/' is an ordinary
 * character there, so '*' matches any run and '?' any one character.
 * The command line is the arguments joined by single spaces. SIGNER
 * rules always fold (a signer's name is not case-sensitive on Windows),
 * their parent condition too, as SHA256 rules do.
 * A group condition holds when the gid is among pg_match_input.gids (the
 * primary and supplementary groups of the process).
 *
 * Building: pg_rule_cache_build() also refuses duplicate rule ids
 * (PG_E_RANGE), which the validator cannot check without memory. On any
 * error the cache is left empty; build into a fresh arena and swap on
 * success so the policy in force stays usable. After a build the arena is
 * only read, so matches may run concurrently. Rule messages and links are
 * not compiled (clients look them up by rule id).
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

/* pg_match_input.known and pg_match_result.needs */
#define PG_FACT_CMDLINE 0x1u /* cmdline is filled in */
#define PG_FACT_SHA256 0x2u  /* sha256_hex is filled in */
#define PG_FACT_PACKAGE 0x4u /* package is filled in (NULL: no package owns it unmodified) */
#define PG_FACT_SIGNER 0x8u  /* signer is filled in (NULL: unsigned, or not trusted) */

/* pg_match_input.path_flags: a path that is not the file being started
 * (Linux: another mount namespace shows another file at that name; see
 * driver/linux/FileIdentity.h) must not decide. With
 * PG_PATH_IMAGE_UNTRUSTED no EXACT, GLOB or PREFIX rule matches (CMDLINE,
 * SHA256 and PACKAGE rules still do: they decide by what the file is or
 * how it was invoked); with PG_PATH_PARENT_UNTRUSTED no parent condition
 * holds, as for an unknown parent. */
#define PG_PATH_IMAGE_UNTRUSTED 0x1u
#define PG_PATH_PARENT_UNTRUSTED 0x2u

/* Zero every field (facts unknown, no groups) before filling it in. */
typedef struct pg_match_input {
    const char *image;        /* UTF-8 path of the program to start */
    size_t image_len;         /* bytes, no NUL */
    const char *parent_image; /* may be NULL (unknown parent) */
    size_t parent_len;
    uint32_t uid;
    uint32_t known;       /* PG_FACT_* present below */
    const uint32_t *gids; /* the process's groups, primary first; may be NULL */
    size_t gid_count;
    const char *cmdline; /* PG_FACT_CMDLINE: arguments joined by ' ' */
    size_t cmdline_len;
    const char *sha256_hex; /* PG_FACT_SHA256: 64 hex digits, either case */
    const char *package;    /* PG_FACT_PACKAGE: owning package, NULL when none */
    size_t package_len;
    const char *signer; /* PG_FACT_SIGNER: subject name of the trusted signer, NULL when none */
    size_t signer_len;
    uint32_t path_flags; /* PG_PATH_*: image or parent_image is not the file itself */
} pg_match_input;

typedef struct pg_match_result {
    uint32_t rule_id;    /* 0 when no rule matched */
    uint8_t action;      /* PG_VERDICT_ALLOW/BLOCK/ASK; PG_VERDICT_NONE when no match */
    uint8_t kind;        /* enum pg_rule_kind of the deciding rule */
    uint8_t conditional; /* the deciding rule had user/group/parent conditions */
    uint8_t reserved;
    uint32_t index; /* position of the rule in the policy */
    uint32_t needs; /* PG_FACT_*: missing facts that could change the answer; 0 = final */
} pg_match_result;

/* Position of a kind in the precedence order: 0 for CMDLINE (first) to 6
 * for SIGNER (last); 7 for anything else. */
int pg_rule_kind_rank(uint32_t kind);

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

/* Finds the deciding rule. Returns 1 when a rule matched, 0 otherwise;
 * either way out->needs tells whether the answer is final. */
int pg_rule_cache_match(const pg_rule_cache *rc, const pg_match_input *in, pg_match_result *out);

/* 1 when the decision for image can depend on more than the file: some
 * rule with a user, group or parent condition could match it, or the
 * policy holds CMDLINE rules (arguments differ per start). A kernel-side
 * allow cache keyed by file must not be used for it then. (A cache that
 * is dropped when the file is modified may keep SHA256/PACKAGE answers.) */
int pg_rule_cache_has_conditional_for(const pg_rule_cache *rc, const char *image, size_t image_len);

/* Glob matcher used by the cache, exposed for tests and the parent
 * condition. fold: ASCII case-insensitive. */
int pg_glob_match(const char *pat, size_t pat_len, const char *s, size_t s_len, int fold);

/* The text glob of CMDLINE, PACKAGE and SIGNER rules: '/' is not special. */
int pg_text_glob_match(const char *pat, size_t pat_len, const char *s, size_t s_len, int fold);

#ifdef __cplusplus
}
#endif

#endif /* PG_RULES_H */
