/*
 * pg_schedule.h - time conditions of rules: schedules, expiry, budgets.
 *
 * Module description:
 *   A rule with PG_RULEF_TIME carries a pg_rule_time block (see
 *   pg_protocol.h for its fields). This module decides, for a given
 *   moment, which rules exist for matching, and when that answer can
 *   change next. The compiled rule cache (pg_rules.h) never looks at time:
 *   a component selects the rules in force with pg_rules_select() and
 *   compiles what it wrote, and recompiles at pg_rules_next_change().
 *
 * Time:
 *   Every function takes "now" as UTC seconds since 1970 and a pg_tz that
 *   the caller filled from the system's zone data (fixed offsets and the
 *   transitions between them). Local time = UTC + the offset in force at
 *   that UTC instant. So a DST change is just a transition: on a
 *   spring-forward day the local hour that does not exist is never seen
 *   (a window 02:00-02:30 that day is skipped; one 02:30-04:00 opens at
 *   03:00), on a fall-back day the repeated hour is seen twice (a window
 *   01:00-01:30 is open twice).
 *
 * Rule states (the precedence in pg_rules.h depends on them):
 *   ACTIVE         the rule takes part in matching;
 *   OFF_SCHEDULE   outside its days/windows: ignored, kept;
 *   EXPIRED        past expires_at, or from another boot (REBOOT): ignored,
 *                  and the component removes it from the persisted policy.
 *   ONCE rules are ACTIVE until the component removes them after the first
 *   start they decided.
 *   A rule whose budget is used up (its id in exhausted_ids) is ACTIVE but
 *   compiled with action BLOCK, so a start is blocked by that rule and
 *   shows its message.
 *
 * What it must not do: no OS calls, no allocation, no clock (kernel-safe;
 * compiled into procguard.sys as well).
 */
#ifndef PG_SCHEDULE_H
#define PG_SCHEDULE_H

#include "../protocol/pg_protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "No such time": no edge, no transition. */
#define PG_TIME_NEVER 0x7FFFFFFFFFFFFFFFLL

typedef struct pg_tz_transition {
    int64_t at;       /* UTC seconds: from here on offset_s is in force */
    int32_t offset_s; /* local = UTC + offset_s */
    int32_t reserved;
} pg_tz_transition;

/* A time zone: offset_s before the first transition; transitions sorted
 * by at, ascending. A fixed zone has count 0. */
typedef struct pg_tz {
    int32_t offset_s;
    uint32_t count;
    const pg_tz_transition *transitions;
} pg_tz;

/* The offset in force at utc (tz NULL: 0, i.e. UTC). */
int32_t pg_tz_offset_at(const pg_tz *tz, int64_t utc);
/* The first transition strictly after utc, or PG_TIME_NEVER. */
int64_t pg_tz_next_transition(const pg_tz *tz, int64_t utc);
/* Local day number (days since 1970-01-01 in local time) of utc. */
int64_t pg_tz_local_day(const pg_tz *tz, int64_t utc);

/* Weekday of a local time in seconds since 1970: 0 = Monday .. 6 = Sunday. */
int pg_local_weekday(int64_t local_s);

/* 1 when the block has a schedule (days or windows). */
int pg_schedule_present(const pg_rule_time *t);
/* 1 when the schedule is open at local second local_s (no schedule: 1). */
int pg_schedule_open_local(const pg_rule_time *t, int64_t local_s);
/* The first local second after local_s at which the schedule opens or
 * closes; PG_TIME_NEVER when it never changes (none, or always open). */
int64_t pg_schedule_next_edge_local(const pg_rule_time *t, int64_t local_s);
/* The same on UTC time through tz: open now, and the next UTC second at
 * which that may change (an edge, or a zone transition before it, after
 * which the caller asks again). */
int pg_schedule_open(const pg_rule_time *t, const pg_tz *tz, int64_t utc);
int64_t pg_schedule_next_edge(const pg_rule_time *t, const pg_tz *tz, int64_t utc);

/* Checks a time block's fields (what pg_validate_rule() enforces).
 * Returns PG_OK or PG_E_RANGE. */
int pg_rule_time_check(const pg_rule_time *t);

/* Copies the time block of a validated rule record into *out and returns
 * 1; returns 0 (and zeroes *out) when the rule has none. */
int pg_rule_get_time(const void *rec, pg_rule_time *out);
/* Offset of the time block in a record with PG_RULEF_TIME. */
size_t pg_rule_time_offset(const pg_rule *r);

enum pg_rule_state { PG_RULE_ACTIVE = 0, PG_RULE_OFF_SCHEDULE = 1, PG_RULE_EXPIRED = 2 };

typedef struct pg_time_context {
    int64_t now;                   /* UTC seconds */
    const pg_tz *tz;               /* NULL: UTC */
    const uint8_t *boot_id;        /* PG_BOOT_ID_BYTES of the running boot; NULL: unknown */
    const uint32_t *exhausted_ids; /* rules whose budget is used up today */
    uint32_t exhausted_count;
} pg_time_context;

/* State of one validated rule record at ctx->now. */
int pg_rule_state_at(const void *rec, const pg_time_context *ctx);

/*
 * Writes the rules in force at ctx->now (validated records, rules_len
 * bytes, rule_count of them) to out: every ACTIVE record, in policy order,
 * without its time block (flag cleared, size shrunk); a rule whose id is
 * in exhausted_ids gets action BLOCK. out_size >= rules_len always
 * suffices. *out_len and *out_count receive what was written; *expired
 * (if not NULL) the number of EXPIRED rules. Returns PG_OK, PG_E_NOSPACE
 * or PG_E_LENGTH.
 */
int pg_rules_select(const void *rules, size_t rules_len, uint32_t rule_count,
                    const pg_time_context *ctx, void *out, size_t out_size, size_t *out_len,
                    uint32_t *out_count, uint32_t *expired);

/* The first UTC second after ctx->now at which pg_rules_select() may
 * answer differently (schedule edge, zone transition, expires_at);
 * PG_TIME_NEVER when no rule depends on time. Budgets are the caller's. */
int64_t pg_rules_next_change(const void *rules, size_t rules_len, uint32_t rule_count,
                             const pg_time_context *ctx);

#ifdef __cplusplus
}
#endif

#endif /* PG_SCHEDULE_H */
