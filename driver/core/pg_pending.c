/*
 * pg_pending.c - the table of held starts.
 *
 * Module description:
 *   Implements pg_pending.h over a fixed array the caller hands in. Each
 *   held start is one slot; a slot with hold_id 0 is free.
 *
 * Invariants:
 *   - Hold ids come from next_id, which only grows: an id is never handed
 *     out twice by one table, so a late verdict for a hold that already
 *     timed out can never decide a newer hold (PIDs are reused, ids not).
 *   - An entry is cleared from its slot before the caller's callback sees
 *     a copy of it. A callback may therefore call back into the table
 *     (add a hold, resolve another) and a hold can never be answered twice,
 *     whichever of verdict, deadline, disconnect or stop comes first.
 *   - used counts occupied slots exactly.
 *
 * Slot placement: a new hold is put in slot (id % capacity) when free, and
 * lookups start there, so with holds that end roughly in arrival order a
 * lookup usually succeeds at the first slot. The worst case is a scan of
 * the whole array, bounded by the capacity the caller chose.
 *
 * What it must not do:
 *   No clock (now is a parameter), no allocation, no locking.
 */
#include "pg_pending.h"

#if !defined(PG_KERNEL_MODE)
#include <string.h>
#endif

void pg_pending_init(pg_pending *p, pg_pending_entry *entries, uint32_t capacity, uint64_t first_id)
{
    if (p == NULL) {
        return;
    }
    p->entries = entries;
    p->capacity = entries != NULL ? capacity : 0;
    p->used = 0;
    /* 0 marks a free slot, so it is never an id. */
    p->next_id = first_id != 0 ? first_id : 1;
    if (p->entries != NULL && p->capacity != 0) {
        memset(p->entries, 0, (size_t)p->capacity * sizeof(pg_pending_entry));
    }
}

/* now + ms without wrapping past the "no deadline" marker. */
static uint64_t add_ms(uint64_t now_ms, uint32_t ms)
{
    if (now_ms > PG_NO_DEADLINE - 1u - ms) {
        return PG_NO_DEADLINE - 1u;
    }
    return now_ms + ms;
}

int pg_pending_add(pg_pending *p, uint32_t pid, uint64_t now_ms, uint32_t timeout_ms,
                   uint32_t budget_ms, uint8_t default_verdict, void *ctx, uint64_t *hold_id)
{
    uint32_t i, slot;
    pg_pending_entry *e;

    if (p == NULL) {
        return PG_E_RANGE;
    }
    if (default_verdict != PG_VERDICT_ALLOW && default_verdict != PG_VERDICT_BLOCK) {
        return PG_E_RANGE;
    }
    if (p->used >= p->capacity || p->next_id == 0) {
        /* next_id == 0: 2^64 ids spent; refusing beats reusing. */
        return PG_E_NOSPACE;
    }
    slot = (uint32_t)(p->next_id % p->capacity);
    for (i = 0; i < p->capacity; i++) {
        if (p->entries[slot].hold_id == 0) {
            break;
        }
        slot = slot + 1u == p->capacity ? 0 : slot + 1u;
    }
    if (i == p->capacity) {
        return PG_E_INTERNAL; /* used disagrees with the slots */
    }

    e = &p->entries[slot];
    memset(e, 0, sizeof(*e));
    e->hold_id = p->next_id++;
    e->deadline_ms = timeout_ms != 0 ? add_ms(now_ms, timeout_ms) : PG_NO_DEADLINE;
    /* budget 0 is "none"; a real budget is never 0 even at now_ms == 0. */
    e->budget_ms = budget_ms != 0 ? add_ms(now_ms, budget_ms) : 0;
    e->pid = pid;
    e->default_verdict = default_verdict;
    e->ctx = ctx;
    p->used++;
    if (hold_id != NULL) {
        *hold_id = e->hold_id;
    }
    return PG_OK;
}

pg_pending_entry *pg_pending_find(pg_pending *p, uint64_t hold_id)
{
    uint32_t i, slot;

    if (p == NULL || hold_id == 0 || p->capacity == 0 || p->used == 0) {
        return NULL;
    }
    slot = (uint32_t)(hold_id % p->capacity);
    for (i = 0; i < p->capacity; i++) {
        if (p->entries[slot].hold_id == hold_id) {
            return &p->entries[slot];
        }
        slot = slot + 1u == p->capacity ? 0 : slot + 1u;
    }
    return NULL;
}

/* Copies the entry out with its decision, then frees the slot. */
static void take(pg_pending *p, pg_pending_entry *e, uint8_t verdict, uint8_t source,
                 pg_pending_entry *copy)
{
    *copy = *e;
    copy->verdict = verdict;
    copy->source = source;
    memset(e, 0, sizeof(*e));
    p->used--;
}

int pg_pending_resolve(pg_pending *p, uint64_t hold_id, uint8_t verdict, uint8_t source,
                       pg_pending_entry *out)
{
    pg_pending_entry *e;
    pg_pending_entry copy;

    if (verdict != PG_VERDICT_ALLOW && verdict != PG_VERDICT_BLOCK) {
        return PG_E_RANGE;
    }
    e = pg_pending_find(p, hold_id);
    if (e == NULL) {
        return PG_E_RANGE;
    }
    take(p, e, verdict, source, &copy);
    if (out != NULL) {
        *out = copy;
    }
    return PG_OK;
}

uint32_t pg_pending_expire(pg_pending *p, uint64_t now_ms, pg_pending_fn fn, void *user)
{
    uint32_t i, n = 0;

    if (p == NULL) {
        return 0;
    }
    for (i = 0; i < p->capacity; i++) {
        pg_pending_entry *e = &p->entries[i];
        pg_pending_entry copy;
        if (e->hold_id == 0 || e->deadline_ms == PG_NO_DEADLINE || e->deadline_ms > now_ms) {
            continue;
        }
        take(p, e, e->default_verdict, PG_SRC_TIMEOUT, &copy);
        n++;
        if (fn != NULL) {
            fn(user, &copy);
        }
    }
    return n;
}

uint32_t pg_pending_budget_due(pg_pending *p, uint64_t now_ms, pg_pending_fn fn, void *user)
{
    uint32_t i, n = 0;

    if (p == NULL) {
        return 0;
    }
    for (i = 0; i < p->capacity; i++) {
        pg_pending_entry *e = &p->entries[i];
        pg_pending_entry copy;
        if (e->hold_id == 0 || e->released || e->budget_ms == 0 || e->budget_ms > now_ms) {
            continue;
        }
        /* Marked before the callback so a re-entrant call cannot report
         * the same hold twice. */
        e->released = 1;
        copy = *e;
        n++;
        if (fn != NULL) {
            fn(user, &copy);
        }
    }
    return n;
}

uint32_t pg_pending_resolve_all(pg_pending *p, uint8_t source, pg_pending_fn fn, void *user)
{
    uint32_t i, n = 0;

    if (p == NULL) {
        return 0;
    }
    for (i = 0; i < p->capacity; i++) {
        pg_pending_entry *e = &p->entries[i];
        pg_pending_entry copy;
        if (e->hold_id == 0) {
            continue;
        }
        take(p, e, e->default_verdict, source, &copy);
        n++;
        if (fn != NULL) {
            fn(user, &copy);
        }
    }
    return n;
}

uint64_t pg_pending_next_wakeup(const pg_pending *p)
{
    uint64_t next = PG_NO_DEADLINE;
    uint32_t i;

    if (p == NULL) {
        return next;
    }
    for (i = 0; i < p->capacity; i++) {
        const pg_pending_entry *e = &p->entries[i];
        if (e->hold_id == 0) {
            continue;
        }
        if (e->deadline_ms < next) {
            next = e->deadline_ms;
        }
        if (!e->released && e->budget_ms != 0 && e->budget_ms < next) {
            next = e->budget_ms;
        }
    }
    return next;
}
