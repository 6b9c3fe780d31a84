/*
 * pg_pending.h - the table of held starts.
 *
 * Every start that waits for a verdict from a person is an entry here,
 * identified by a 64-bit hold id that is never reused within one table
 * (ids grow from a start value). Each entry carries its deadline and its
 * default verdict, so every hold ends: by a verdict (pg_pending_resolve),
 * by its deadline (pg_pending_expire), or all at once when the
 * controlling client goes away or the component stops
 * (pg_pending_resolve_all). A resolved entry is removed from the table
 * before the callback sees it, so a hold can never be answered twice.
 *
 * Callbacks may call back into the table (add, resolve); a hold added by
 * a callback during resolve_all may be resolved by the same pass.
 *
 * Capacity is fixed at init (entries array from the caller). Time is a
 * caller-supplied monotonic millisecond clock. No locking: callers
 * serialise.
 */
#ifndef PG_PENDING_H
#define PG_PENDING_H

#include "../protocol/pg_protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PG_NO_DEADLINE UINT64_MAX

typedef struct pg_pending_entry {
    uint64_t hold_id;     /* 0 = free slot */
    uint64_t deadline_ms; /* PG_NO_DEADLINE when the timeout is 0 */
    uint64_t budget_ms;   /* when the launcher must be released (0 = none) */
    uint32_t pid;
    uint8_t default_verdict;
    uint8_t verdict;  /* set when resolved */
    uint8_t source;   /* set when resolved */
    uint8_t released; /* the caller released the launcher past the budget */
    void *ctx;        /* the caller's data (fanotify fd, IRP, ...) */
} pg_pending_entry;

typedef struct pg_pending {
    pg_pending_entry *entries;
    uint32_t capacity;
    uint32_t used;
    uint64_t next_id;
} pg_pending;

/* Called with a copy of each entry as it is resolved (already removed). */
typedef void (*pg_pending_fn)(void *user, const pg_pending_entry *resolved);

void pg_pending_init(pg_pending *p, pg_pending_entry *entries, uint32_t capacity,
                     uint64_t first_id);

/* Adds a hold. timeout_ms == 0 means no deadline; budget_ms == 0 means no
 * launcher budget. Returns PG_OK and *hold_id, or PG_E_NOSPACE. */
int pg_pending_add(pg_pending *p, uint32_t pid, uint64_t now_ms, uint32_t timeout_ms,
                   uint32_t budget_ms, uint8_t default_verdict, void *ctx, uint64_t *hold_id);

/* Looks a hold up without changing it; NULL when unknown. */
pg_pending_entry *pg_pending_find(pg_pending *p, uint64_t hold_id);

/* Resolves one hold. Returns PG_OK (out filled, if not NULL) or
 * PG_E_RANGE when the id is unknown or already resolved. */
int pg_pending_resolve(pg_pending *p, uint64_t hold_id, uint8_t verdict, uint8_t source,
                       pg_pending_entry *out);

/* Resolves every hold whose deadline <= now_ms with its default verdict
 * and PG_SRC_TIMEOUT. Returns how many. */
uint32_t pg_pending_expire(pg_pending *p, uint64_t now_ms, pg_pending_fn fn, void *user);

/* Calls fn for every hold whose launcher budget passed and that is not yet
 * released, and marks it released (it stays held). Returns how many. */
uint32_t pg_pending_budget_due(pg_pending *p, uint64_t now_ms, pg_pending_fn fn, void *user);

/* Resolves every hold with its default verdict and the given source
 * (PG_SRC_DISCONNECT, PG_SRC_STOP). Returns how many. */
uint32_t pg_pending_resolve_all(pg_pending *p, uint8_t source, pg_pending_fn fn, void *user);

/* Earliest deadline or budget still ahead (PG_NO_DEADLINE when none). */
uint64_t pg_pending_next_wakeup(const pg_pending *p);

#ifdef __cplusplus
}
#endif

#endif /* PG_PENDING_H */
