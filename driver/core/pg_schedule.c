/*
 * pg_schedule.c - time conditions of rules. See pg_schedule.h.
 *
 * Module description:
 *   Pure arithmetic over seconds: no calendar library, no clock, no
 *   allocation (it is compiled into the Windows kernel driver too). Local
 *   time is UTC plus the offset the caller's zone table gives for that
 *   instant; weekdays come from the day number (1970-01-01 was a
 *   Thursday).
 *
 *   Edges are found by looking at the only instants where a schedule can
 *   change state: local midnights (the day mask changes) and window starts
 *   and ends, over the next eight days. The state is constant between two
 *   consecutive such instants (windows are half-open, [start, end)), so the
 *   first candidate whose state differs from the current one is the edge.
 */
#include "pg_schedule.h"

#if !defined(PG_KERNEL_MODE)
#include <string.h>
#endif

#define DAY ((int64_t)PG_DAY_SECONDS)

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    if ((a % b) != 0 && ((a < 0) != (b < 0))) {
        q--;
    }
    return q;
}

int32_t pg_tz_offset_at(const pg_tz *tz, int64_t utc)
{
    uint32_t lo, hi;

    if (tz == NULL) {
        return 0;
    }
    if (tz->count == 0 || tz->transitions == NULL || utc < tz->transitions[0].at) {
        return tz->offset_s;
    }
    /* Last transition with at <= utc. */
    lo = 0;
    hi = tz->count;
    while (hi - lo > 1u) {
        uint32_t mid = lo + (hi - lo) / 2u;
        if (tz->transitions[mid].at <= utc) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return tz->transitions[lo].offset_s;
}

int64_t pg_tz_next_transition(const pg_tz *tz, int64_t utc)
{
    uint32_t lo, hi;

    if (tz == NULL || tz->count == 0 || tz->transitions == NULL) {
        return PG_TIME_NEVER;
    }
    if (tz->transitions[tz->count - 1u].at <= utc) {
        return PG_TIME_NEVER;
    }
    /* First transition with at > utc. */
    lo = 0;
    hi = tz->count - 1u;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2u;
        if (tz->transitions[mid].at > utc) {
            hi = mid;
        } else {
            lo = mid + 1u;
        }
    }
    return tz->transitions[lo].at;
}

int64_t pg_tz_local_day(const pg_tz *tz, int64_t utc)
{
    return floor_div(utc + pg_tz_offset_at(tz, utc), DAY);
}

int pg_local_weekday(int64_t local_s)
{
    int64_t wd = (floor_div(local_s, DAY) + 3) % 7; /* 1970-01-01: Thursday (3) */

    return (int)(wd < 0 ? wd + 7 : wd);
}

int pg_schedule_present(const pg_rule_time *t)
{
    return t != NULL && (t->days != 0 || t->window_count != 0);
}

static int day_listed(uint8_t days, int wd)
{
    return ((days != 0 ? days : PG_DAYS_ALL) >> wd) & 1u;
}

int pg_schedule_open_local(const pg_rule_time *t, int64_t local_s)
{
    int64_t day, sod;
    int wd, prev;
    uint32_t i;

    if (!pg_schedule_present(t)) {
        return 1;
    }
    day = floor_div(local_s, DAY);
    sod = local_s - day * DAY;
    wd = pg_local_weekday(local_s);
    prev = (wd + 6) % 7;
    if (t->window_count == 0) {
        return day_listed(t->days, wd);
    }
    for (i = 0; i < t->window_count && i < PG_MAX_WINDOWS; i++) {
        int64_t s = t->win_start[i], e = t->win_end[i];
        if (s < e) {
            if (day_listed(t->days, wd) && sod >= s && sod < e) {
                return 1;
            }
        } else {
            /* Crosses midnight: the evening belongs to today, the early
             * morning to the day before. */
            if (day_listed(t->days, wd) && sod >= s) {
                return 1;
            }
            if (day_listed(t->days, prev) && sod < e) {
                return 1;
            }
        }
    }
    return 0;
}

int64_t pg_schedule_next_edge_local(const pg_rule_time *t, int64_t local_s)
{
    int64_t day0, best = PG_TIME_NEVER;
    int cur;
    int k;
    uint32_t i;

    if (!pg_schedule_present(t)) {
        return PG_TIME_NEVER;
    }
    cur = pg_schedule_open_local(t, local_s);
    day0 = floor_div(local_s, DAY);
    /* Eight days cover a weekly pattern plus a window that crosses
     * midnight into the next week. */
    for (k = 0; k <= 8; k++) {
        int64_t base = (day0 + k) * DAY;
        int64_t cand[1 + 2 * PG_MAX_WINDOWS];
        uint32_t n = 0, j;
        cand[n++] = base;
        for (i = 0; i < t->window_count && i < PG_MAX_WINDOWS; i++) {
            cand[n++] = base + t->win_start[i];
            cand[n++] = base + t->win_end[i];
        }
        for (j = 0; j < n; j++) {
            if (cand[j] > local_s && cand[j] < best && pg_schedule_open_local(t, cand[j]) != cur) {
                best = cand[j];
            }
        }
        if (best != PG_TIME_NEVER) {
            break; /* later days only hold later candidates */
        }
    }
    return best;
}

int pg_schedule_open(const pg_rule_time *t, const pg_tz *tz, int64_t utc)
{
    return pg_schedule_open_local(t, utc + pg_tz_offset_at(tz, utc));
}

int64_t pg_schedule_next_edge(const pg_rule_time *t, const pg_tz *tz, int64_t utc)
{
    int32_t off;
    int64_t edge, tr;

    if (!pg_schedule_present(t)) {
        return PG_TIME_NEVER;
    }
    off = pg_tz_offset_at(tz, utc);
    edge = pg_schedule_next_edge_local(t, utc + off);
    if (edge != PG_TIME_NEVER) {
        edge -= off;
    }
    /* Past a zone transition the local clock jumps: ask again there. */
    tr = pg_tz_next_transition(tz, utc);
    return tr < edge ? tr : edge;
}

static int all_zero(const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] != 0) {
            return 0;
        }
    }
    return 1;
}

int pg_rule_time_check(const pg_rule_time *t)
{
    uint32_t i;

    if (t == NULL || t->reserved != 0 || (t->days & ~PG_DAYS_ALL) != 0 ||
        t->window_count > PG_MAX_WINDOWS || t->expiry > PG_EXPIRY_MAX) {
        return PG_E_RANGE;
    }
    for (i = 0; i < PG_MAX_WINDOWS; i++) {
        if (i < t->window_count) {
            if (t->win_start[i] >= PG_DAY_SECONDS || t->win_end[i] >= PG_DAY_SECONDS ||
                t->win_start[i] == t->win_end[i]) {
                return PG_E_RANGE;
            }
        } else if (t->win_start[i] != 0 || t->win_end[i] != 0) {
            return PG_E_RANGE;
        }
    }
    if ((t->expiry == PG_EXPIRY_AT) != (t->expires_at > 0) ||
        (t->expiry != PG_EXPIRY_AT && t->expires_at != 0)) {
        return PG_E_RANGE;
    }
    if (t->expiry != PG_EXPIRY_REBOOT && !all_zero(t->boot_id, PG_BOOT_ID_BYTES)) {
        return PG_E_RANGE;
    }
    if (t->budget_s > PG_DAY_SECONDS || t->grace_s > PG_MAX_BUDGET_GRACE_S) {
        return PG_E_RANGE;
    }
    if (t->budget_s == 0 && (t->budget_group != 0 || t->grace_s != 0)) {
        return PG_E_RANGE;
    }
    return PG_OK;
}

size_t pg_rule_time_offset(const pg_rule *r)
{
    return PG_ALIGN8((size_t)sizeof(pg_rule) + r->pattern_len + r->parent_len + r->message_len +
                     r->link_len);
}

int pg_rule_get_time(const void *rec, pg_rule_time *out)
{
    pg_rule r;

    memset(out, 0, sizeof(*out));
    memcpy(&r, rec, sizeof(r));
    if ((r.flags & PG_RULEF_TIME) == 0) {
        return 0;
    }
    memcpy(out, (const uint8_t *)rec + pg_rule_time_offset(&r), sizeof(*out));
    return 1;
}

static int state_of(const pg_rule_time *t, const pg_time_context *ctx)
{
    if (t->expiry == PG_EXPIRY_AT && ctx->now >= t->expires_at) {
        return PG_RULE_EXPIRED;
    }
    if (t->expiry == PG_EXPIRY_REBOOT && ctx->boot_id != NULL &&
        !all_zero(t->boot_id, PG_BOOT_ID_BYTES) &&
        memcmp(t->boot_id, ctx->boot_id, PG_BOOT_ID_BYTES) != 0) {
        return PG_RULE_EXPIRED;
    }
    if (!pg_schedule_open(t, ctx->tz, ctx->now)) {
        return PG_RULE_OFF_SCHEDULE;
    }
    return PG_RULE_ACTIVE;
}

int pg_rule_state_at(const void *rec, const pg_time_context *ctx)
{
    pg_rule_time t;

    if (!pg_rule_get_time(rec, &t)) {
        return PG_RULE_ACTIVE;
    }
    return state_of(&t, ctx);
}

static int id_listed(const pg_time_context *ctx, uint32_t id)
{
    uint32_t i;

    if (ctx->exhausted_ids == NULL) {
        return 0;
    }
    for (i = 0; i < ctx->exhausted_count; i++) {
        if (ctx->exhausted_ids[i] == id) {
            return 1;
        }
    }
    return 0;
}

int pg_rules_select(const void *rules, size_t rules_len, uint32_t rule_count,
                    const pg_time_context *ctx, void *out, size_t out_size, size_t *out_len,
                    uint32_t *out_count, uint32_t *expired)
{
    const uint8_t *in = (const uint8_t *)rules;
    uint8_t *dst = (uint8_t *)out;
    size_t off = 0, used = 0;
    uint32_t i, written = 0, gone = 0;

    *out_len = 0;
    *out_count = 0;
    if (expired != NULL) {
        *expired = 0;
    }
    for (i = 0; i < rule_count; i++) {
        pg_rule r;
        uint32_t keep, recsize;
        int st;
        if (rules_len - off < sizeof(r)) {
            return PG_E_LENGTH;
        }
        memcpy(&r, in + off, sizeof(r));
        if (r.size < sizeof(r) || r.size > rules_len - off) {
            return PG_E_LENGTH;
        }
        recsize = r.size;
        st = pg_rule_state_at(in + off, ctx);
        if (st == PG_RULE_EXPIRED) {
            gone++;
        }
        if (st == PG_RULE_ACTIVE) {
            keep = (r.flags & PG_RULEF_TIME) != 0 ? (uint32_t)pg_rule_time_offset(&r) : r.size;
            if (out_size - used < keep) {
                return PG_E_NOSPACE;
            }
            memcpy(dst + used, in + off, keep);
            r.size = keep;
            r.flags = (uint16_t)(r.flags & ~PG_RULEF_TIME);
            if (id_listed(ctx, r.id)) {
                r.action = PG_VERDICT_BLOCK;
            }
            memcpy(dst + used, &r, sizeof(r));
            used += keep;
            written++;
        }
        off += recsize;
    }
    *out_len = used;
    *out_count = written;
    if (expired != NULL) {
        *expired = gone;
    }
    return PG_OK;
}

int64_t pg_rules_next_change(const void *rules, size_t rules_len, uint32_t rule_count,
                             const pg_time_context *ctx)
{
    const uint8_t *in = (const uint8_t *)rules;
    int64_t best = PG_TIME_NEVER;
    size_t off = 0;
    uint32_t i;

    for (i = 0; i < rule_count; i++) {
        pg_rule r;
        pg_rule_time t;
        if (rules_len - off < sizeof(r)) {
            break;
        }
        memcpy(&r, in + off, sizeof(r));
        if (r.size < sizeof(r) || r.size > rules_len - off) {
            break;
        }
        if (pg_rule_get_time(in + off, &t) && state_of(&t, ctx) != PG_RULE_EXPIRED) {
            int64_t e = pg_schedule_next_edge(&t, ctx->tz, ctx->now);
            if (e < best) {
                best = e;
            }
            if (t.expiry == PG_EXPIRY_AT && t.expires_at < best) {
                best = t.expires_at;
            }
        }
        off += r.size;
    }
    return best;
}
