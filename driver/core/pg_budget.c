/*
 * pg_budget.c - daily running-time budgets. See pg_budget.h.
 *
 * Module description:
 *   Implements pg_budget.h over the two arrays the caller hands in.
 *
 * Invariants:
 *   - entries[0, count) hold distinct keys and are never removed or
 *     moved, so member.index stays valid.
 *   - members[0, member_count) hold distinct pids, each with an index
 *     below count.
 *   - entry.running is the number of members whose index is that entry;
 *     since_ms means something only while running > 0 (the start of the
 *     stretch in which the budget has at least one process).
 *
 * What it must not do:
 *   No clock (now is a parameter), no allocation, no locking, no library
 *   call beyond what the kernel build provides (it uses none).
 */
#include "pg_budget.h"

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* The open stretch of e up to now_ms; a clock that went back counts 0. */
static int64_t open_ms(const pg_budget_entry *e, int64_t now_ms)
{
    return e->running > 0 ? max64(0, now_ms - e->since_ms) : 0;
}

static pg_budget_entry *entry_of(const pg_budget_set *s, uint64_t key, uint32_t *index)
{
    uint32_t i;

    if (s == NULL || s->entries == NULL) {
        return NULL;
    }
    for (i = 0; i < s->count; i++) {
        if (s->entries[i].key == key) {
            if (index != NULL) {
                *index = i;
            }
            return &s->entries[i];
        }
    }
    return NULL;
}

static pg_budget_member *member_of(const pg_budget_set *s, uint32_t pid)
{
    uint32_t i;

    if (s == NULL || s->members == NULL) {
        return NULL;
    }
    for (i = 0; i < s->member_count; i++) {
        if (s->members[i].pid == pid) {
            return &s->members[i];
        }
    }
    return NULL;
}

/* One process of e stops: the stretch closes when it was the last. */
static void leave(pg_budget_entry *e, int64_t now_ms)
{
    if (e->running == 0) {
        return;
    }
    if (--e->running == 0) {
        e->used_ms += max64(0, now_ms - e->since_ms);
    }
}

static void join(pg_budget_entry *e, int64_t now_ms)
{
    if (e->running++ == 0) {
        e->since_ms = now_ms;
    }
}

uint64_t pg_budget_key(uint32_t rule_id, uint32_t group)
{
    return group != 0 ? (uint64_t)group : (((uint64_t)1 << 32) | rule_id);
}

void pg_budget_init(pg_budget_set *s, pg_budget_entry *entries, uint32_t capacity,
                    pg_budget_member *members, uint32_t member_capacity)
{
    if (s == NULL) {
        return;
    }
    s->entries = entries;
    s->count = 0;
    s->capacity = entries != NULL ? capacity : 0;
    s->members = members;
    s->member_count = 0;
    s->member_capacity = members != NULL ? member_capacity : 0;
    s->day = PG_BUDGET_NO_DAY;
}

int pg_budget_define(pg_budget_set *s, uint64_t key, uint32_t seconds, uint32_t grace_s)
{
    pg_budget_entry *e;

    if (s == NULL) {
        return PG_E_NOSPACE;
    }
    e = entry_of(s, key, NULL);
    if (e != NULL) {
        /* Rules of one group may disagree: the most generous one counts. */
        if (seconds > e->seconds) {
            e->seconds = seconds;
        }
        if (grace_s > e->grace_s) {
            e->grace_s = grace_s;
        }
        return PG_OK;
    }
    if (s->count >= s->capacity) {
        return PG_E_NOSPACE;
    }
    e = &s->entries[s->count++];
    e->key = key;
    e->seconds = seconds;
    e->grace_s = grace_s;
    e->used_ms = 0;
    e->since_ms = 0;
    e->running = 0;
    e->reserved = 0;
    return PG_OK;
}

void pg_budget_carry(pg_budget_set *s, const pg_budget_set *old, int64_t now_ms)
{
    uint32_t i;

    if (s == NULL || old == NULL || old == s) {
        return;
    }
    s->day = old->day;
    for (i = 0; i < s->count; i++) {
        const pg_budget_entry *o = entry_of(old, s->entries[i].key, NULL);
        if (o != NULL) {
            /* The open stretch ends here; it reopens when the caller
             * re-adds the processes that still run. */
            s->entries[i].used_ms = o->used_ms + open_ms(o, now_ms);
        }
    }
}

void pg_budget_set_day(pg_budget_set *s, int64_t day, int64_t day_start_ms, int64_t now_ms)
{
    uint32_t i;
    int first;

    if (s == NULL || day == s->day) {
        return;
    }
    first = s->day == PG_BUDGET_NO_DAY;
    s->day = day;
    /* The first day is only learned: time counted so far belongs to it. */
    if (first) {
        return;
    }
    for (i = 0; i < s->count; i++) {
        pg_budget_entry *e = &s->entries[i];
        e->used_ms = 0;
        if (e->running > 0) {
            /* A run across midnight counts from midnight on the new day. */
            e->since_ms = min64(max64(e->since_ms, day_start_ms), now_ms);
        }
    }
}

int pg_budget_started(pg_budget_set *s, uint32_t pid, uint64_t key, int64_t now_ms)
{
    pg_budget_entry *e;
    pg_budget_member *m;
    uint32_t index = 0;

    e = entry_of(s, key, &index);
    if (e == NULL) {
        return PG_OK;
    }
    m = member_of(s, pid);
    if (m != NULL) {
        if (m->index == index) {
            return PG_OK;
        }
        /* An exec into another budget: the slot moves with the pid, so
         * switching never needs room. */
        leave(&s->entries[m->index], now_ms);
        m->index = index;
        join(e, now_ms);
        return PG_OK;
    }
    if (s->member_count >= s->member_capacity) {
        return PG_E_NOSPACE;
    }
    m = &s->members[s->member_count++];
    m->pid = pid;
    m->index = index;
    join(e, now_ms);
    return PG_OK;
}

void pg_budget_ended(pg_budget_set *s, uint32_t pid, int64_t now_ms)
{
    pg_budget_member *m = member_of(s, pid);

    if (m == NULL) {
        return;
    }
    if (m->index < s->count) {
        leave(&s->entries[m->index], now_ms);
    }
    *m = s->members[--s->member_count];
}

const pg_budget_entry *pg_budget_find(const pg_budget_set *s, uint64_t key)
{
    return entry_of(s, key, NULL);
}

const pg_budget_member *pg_budget_member_of(const pg_budget_set *s, uint32_t pid)
{
    return member_of(s, pid);
}

int64_t pg_budget_used_ms(const pg_budget_set *s, uint64_t key, int64_t now_ms)
{
    const pg_budget_entry *e = entry_of(s, key, NULL);

    return e != NULL ? e->used_ms + open_ms(e, now_ms) : 0;
}

int pg_budget_exhausted(const pg_budget_set *s, uint64_t key, int64_t now_ms)
{
    const pg_budget_entry *e = entry_of(s, key, NULL);

    return e != NULL && e->used_ms + open_ms(e, now_ms) >= (int64_t)e->seconds * 1000;
}

int64_t pg_budget_next_exhaustion_ms(const pg_budget_set *s, int64_t now_ms)
{
    int64_t next = PG_BUDGET_NEVER;
    uint32_t i;

    if (s == NULL || s->entries == NULL) {
        return next;
    }
    for (i = 0; i < s->count; i++) {
        const pg_budget_entry *e = &s->entries[i];
        int64_t left;

        if (e->running == 0) {
            continue;
        }
        left = (int64_t)e->seconds * 1000 - (e->used_ms + open_ms(e, now_ms));
        /* now_ms + left stays below NEVER, which means "no such moment". */
        if (left > 0 && now_ms < PG_BUDGET_NEVER - left) {
            next = min64(next, now_ms + left);
        }
    }
    return next;
}

/* Native-endian fields of the saved form, copied byte by byte (no
 * alignment assumed, no library call). */
static void put_bytes(uint8_t *out, const void *value, size_t n)
{
    const uint8_t *v = (const uint8_t *)value;
    size_t i;

    for (i = 0; i < n; i++) {
        out[i] = v[i];
    }
}

static void get_bytes(void *value, const uint8_t *in, size_t n)
{
    uint8_t *v = (uint8_t *)value;
    size_t i;

    for (i = 0; i < n; i++) {
        v[i] = in[i];
    }
}

size_t pg_budget_saved_size(const pg_budget_set *s)
{
    return PG_BUDGET_SAVED_HEADER + (size_t)(s != NULL ? s->count : 0) * PG_BUDGET_SAVED_ENTRY;
}

size_t pg_budget_save(const pg_budget_set *s, int64_t now_ms, void *out, size_t out_size)
{
    uint8_t *p = (uint8_t *)out;
    const uint32_t magic = PG_BUDGET_SAVED_MAGIC;
    uint32_t i;

    if (s == NULL || out == NULL || s->day == PG_BUDGET_NO_DAY ||
        out_size < pg_budget_saved_size(s)) {
        return 0;
    }
    put_bytes(p, &magic, 4);
    put_bytes(p + 4, &s->count, 4);
    put_bytes(p + 8, &s->day, 8);
    p += PG_BUDGET_SAVED_HEADER;
    for (i = 0; i < s->count; i++) {
        const pg_budget_entry *e = &s->entries[i];
        const int64_t used = e->used_ms + open_ms(e, now_ms);
        put_bytes(p, &e->key, 8);
        put_bytes(p + 8, &used, 8);
        p += PG_BUDGET_SAVED_ENTRY;
    }
    return pg_budget_saved_size(s);
}

int pg_budget_restore(pg_budget_set *s, const void *in, size_t len)
{
    const uint8_t *p = (const uint8_t *)in;
    uint32_t magic = 0, count = 0, i;
    int64_t day = 0;

    if (s == NULL || in == NULL || len < PG_BUDGET_SAVED_HEADER) {
        return PG_E_LENGTH;
    }
    get_bytes(&magic, p, 4);
    get_bytes(&count, p + 4, 4);
    get_bytes(&day, p + 8, 8);
    if (magic != PG_BUDGET_SAVED_MAGIC ||
        (len - PG_BUDGET_SAVED_HEADER) / PG_BUDGET_SAVED_ENTRY != count ||
        (len - PG_BUDGET_SAVED_HEADER) % PG_BUDGET_SAVED_ENTRY != 0) {
        return PG_E_LENGTH;
    }
    for (i = 0; i < count; i++) {
        int64_t used = 0;
        get_bytes(&used, p + PG_BUDGET_SAVED_HEADER + (size_t)i * PG_BUDGET_SAVED_ENTRY + 8, 8);
        if (used < 0) {
            return PG_E_LENGTH;
        }
    }
    if (day != s->day || s->day == PG_BUDGET_NO_DAY) {
        return PG_OK;
    }
    for (i = 0; i < count; i++) {
        const uint8_t *rec = p + PG_BUDGET_SAVED_HEADER + (size_t)i * PG_BUDGET_SAVED_ENTRY;
        uint64_t key = 0;
        int64_t used = 0;
        pg_budget_entry *e;

        get_bytes(&key, rec, 8);
        get_bytes(&used, rec + 8, 8);
        e = entry_of(s, key, NULL);
        if (e != NULL) {
            e->used_ms += used;
        }
    }
    return PG_OK;
}
