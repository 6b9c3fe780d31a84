/*
 * pg_budget.h - daily running-time budgets (pg_rule_time.budget_s).
 *
 * Module description:
 *   Per budget (a rule, or every rule of one budget group: pg_budget_key),
 *   the running time used on the current local day, and which processes
 *   count against it. Running time is wall time during which at least one
 *   of the budget's processes runs: two games at once use the budget once.
 *   The component feeds it process starts and exits (pg_budget_started,
 *   pg_budget_ended) and tells it when a new local day begins
 *   (pg_budget_set_day); it answers how much is used, whether a budget is
 *   used up, and when the next running budget runs out.
 *
 *   procguardd (driver/linux/BudgetTracker) and procguard.sys share this
 *   one implementation.
 *
 * Storage:
 *   The caller hands in both arrays at pg_budget_init. Entries are only
 *   ever appended (pg_budget_define), so a member's index into entries
 *   stays valid for the life of the set. Members are unordered: removing
 *   one moves the last into its place. Lookups are linear; a component
 *   has a few hundred budgets at most.
 *
 * Reconfiguring:
 *   A new policy gets a fresh set: pg_budget_init, pg_budget_define for
 *   each budget rule, then pg_budget_carry from the set in force, which
 *   keeps today's usage of the keys that stay and the current day. The
 *   caller then re-adds the processes that run (pg_budget_started).
 *
 * Time:
 *   Every call takes now in milliseconds. The caller may use any clock
 *   that does not jump, as long as it uses the same one for every call on
 *   one set (day_start_ms included).
 *
 * What it must not do:
 *   No OS calls, no allocation, no locking, no clock (kernel-safe;
 *   compiled into procguard.sys as well). Callers serialise.
 */
#ifndef PG_BUDGET_H
#define PG_BUDGET_H

#include "../protocol/pg_protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "Never": no running budget will run out. */
#define PG_BUDGET_NEVER 0x7FFFFFFFFFFFFFFFLL
/* The day of a set before the first pg_budget_set_day (INT64_MIN). */
#define PG_BUDGET_NO_DAY (-PG_BUDGET_NEVER - 1)

typedef struct pg_budget_entry {
    uint64_t key;     /* pg_budget_key() */
    uint32_t seconds; /* per local day */
    uint32_t grace_s; /* running programs end this long after the warning */
    int64_t used_ms;  /* closed stretches today */
    int64_t since_ms; /* start of the open stretch (running > 0) */
    uint32_t running; /* member processes now */
    uint32_t reserved;
} pg_budget_entry;

typedef struct pg_budget_member {
    uint32_t pid;
    uint32_t index; /* into entries */
} pg_budget_member;

typedef struct pg_budget_set {
    pg_budget_entry *entries;
    uint32_t count, capacity;
    pg_budget_member *members;
    uint32_t member_count, member_capacity;
    int64_t day; /* PG_BUDGET_NO_DAY until the first pg_budget_set_day */
} pg_budget_set;

/* The budget a rule counts against: its group, or the rule alone (bit 32
 * set, so a lone rule never collides with a group number). */
uint64_t pg_budget_key(uint32_t rule_id, uint32_t group);

/* An empty set over the caller's arrays (either may be NULL with capacity
 * 0); day PG_BUDGET_NO_DAY. */
void pg_budget_init(pg_budget_set *s, pg_budget_entry *entries, uint32_t capacity,
                    pg_budget_member *members, uint32_t member_capacity);

/* Adds a budget to a set being configured; an existing key is merged (the
 * larger seconds, the larger grace). Returns PG_OK or PG_E_NOSPACE. */
int pg_budget_define(pg_budget_set *s, uint64_t key, uint32_t seconds, uint32_t grace_s);

/* After defining s afresh: time used today is carried from old for keys
 * in both (old's open stretch counted up to now_ms), and old's day is
 * carried. Members are not carried: the caller re-adds running processes
 * with pg_budget_started. old may be NULL (nothing to carry). */
void pg_budget_carry(pg_budget_set *s, const pg_budget_set *old, int64_t now_ms);

/* The local day now_ms falls in, and the moment it started. A day other
 * than the current one starts every budget from zero; running processes
 * count from day_start_ms (clamped to [their start, now_ms]). The first
 * call only records the day. The same day again changes nothing. */
void pg_budget_set_day(pg_budget_set *s, int64_t day, int64_t day_start_ms, int64_t now_ms);

/* pid now runs a program that counts against key, and stops counting
 * against any other. The same key again keeps the open stretch. An
 * unknown key is ignored (PG_OK, pid's membership unchanged). Returns
 * PG_E_NOSPACE, counting nothing, when pid is new and members is full. */
int pg_budget_started(pg_budget_set *s, uint32_t pid, uint64_t key, int64_t now_ms);
/* pid ended or runs something no budget covers. Unknown pids: nothing. */
void pg_budget_ended(pg_budget_set *s, uint32_t pid, int64_t now_ms);

/* The entry of key, or NULL. */
const pg_budget_entry *pg_budget_find(const pg_budget_set *s, uint64_t key);
/* The member record of pid, or NULL. */
const pg_budget_member *pg_budget_member_of(const pg_budget_set *s, uint32_t pid);
/* Running time used today by key up to now_ms (0 for an unknown key). */
int64_t pg_budget_used_ms(const pg_budget_set *s, uint64_t key, int64_t now_ms);
/* 1 when key is a budget whose time is used up at now_ms, else 0. */
int pg_budget_exhausted(const pg_budget_set *s, uint64_t key, int64_t now_ms);
/* The first moment after now_ms at which a running budget runs out;
 * PG_BUDGET_NEVER when nothing runs against a budget with time left. */
int64_t pg_budget_next_exhaustion_ms(const pg_budget_set *s, int64_t now_ms);

/*
 * Keeping today's use across a restart of the component (a daemon restart,
 * a driver reload, a reboot), so that restarting does not refill a budget.
 * The saved form is PG_BUDGET_SAVED_MAGIC, a count, the day, then per
 * budget its key and the time used (open stretch included), all
 * native-endian: it is read back by the same component on the same
 * machine.
 */
#define PG_BUDGET_SAVED_MAGIC 0x31554250u /* "PBU1" */
#define PG_BUDGET_SAVED_HEADER 16u
#define PG_BUDGET_SAVED_ENTRY 16u

/* Bytes pg_budget_save needs for s. */
size_t pg_budget_saved_size(const pg_budget_set *s);
/* Writes today's use of every budget of s at now_ms to out. Returns the
 * bytes written, or 0 when out_size is too small or s has no day yet. */
size_t pg_budget_save(const pg_budget_set *s, int64_t now_ms, void *out, size_t out_size);
/* Adds the use saved in (len bytes) to the budgets of s with the same key,
 * when it was saved on s's current day (pg_budget_set_day first); call
 * once, right after configuring s. Returns PG_OK (also when the day
 * differs: nothing to restore) or PG_E_LENGTH for a malformed input,
 * which changes nothing. */
int pg_budget_restore(pg_budget_set *s, const void *in, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PG_BUDGET_H */
