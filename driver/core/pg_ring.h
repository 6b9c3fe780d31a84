/*
 * pg_ring.h - a client's event queue: variable-length pg_event records in
 * a fixed byte ring, each stamped with a 64-bit sequence number.
 *
 * The caller stamps every event it generates with the next number of one
 * component-wide counter and pushes the same event, with the same number,
 * to every client's ring; so all clients agree on numbers. When a ring has
 * no room, the event is dropped and counted; before the next event is
 * queued after a loss, a PG_EV_OVERFLOW record is queued first with
 * seq = the first lost number and lost = how many, so a loss is never
 * silent and a client checks continuity as: expected = seq + 1 after an
 * ordinary record, seq + lost after an OVERFLOW record. Part of the ring (reserve bytes) is kept
 * for priority records (REQUEST events): a held start is never dropped while the reserve lasts; the
 * caller sizes the reserve from its hold capacity and decides a hold by default verdict if even
 * that fails.
 *
 * A record is never split across the end of the buffer (a wrap marker
 * sends the reader back to offset 0), so pop hands out whole records; give
 * pop a buffer at least as large as the largest record you push.
 * A malformed event (a string not NUL-terminated, a field out of range as
 * pg_validate_event() sees it) is never queued: it is dropped, counted as
 * lost like one without room, and push returns the validation error.
 *
 * No locking: callers serialise.
 */
#ifndef PG_RING_H
#define PG_RING_H

#include "../protocol/pg_protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pg_ring {
    uint8_t *buf;
    uint32_t size;           /* bytes, multiple of 8 */
    uint32_t reserve;        /* bytes kept for priority records */
    uint32_t head;           /* next byte to read */
    uint32_t used;           /* bytes queued */
    uint64_t lost_pending;   /* dropped since the last OVERFLOW record */
    uint64_t first_lost_seq; /* seq of the first of those */
    uint64_t lost_total;
    uint64_t queued_total;
} pg_ring;

/* Initialises a ring over buf (size bytes, rounded down to 8). */
void pg_ring_init(pg_ring *r, void *buf, uint32_t size, uint32_t reserve);

/*
 * Queues one event. ev's fixed part is copied with ev->seq as given, its
 * size recomputed from the four string lengths in ev (each length includes
 * the NUL; a string pointer may be NULL only when its length is 0), and the
 * strings appended. priority: may use the reserve. When losses are pending,
 * the OVERFLOW record goes first (it needs room too). Returns PG_OK, or
 * PG_E_NOSPACE when the event was dropped (and counted).
 */
int pg_ring_push(pg_ring *r, const pg_event *ev, const char *image, const char *cmdline,
                 const char *sid, const char *parent_image, int priority);

/* Copies whole records in order into out (out_size bytes) and removes
 * them. Returns the byte count written; *count gets the number of records.
 * Stops at the first record that does not fit. */
uint32_t pg_ring_pop(pg_ring *r, void *out, uint32_t out_size, uint32_t *count);

/* Bytes queued. */
uint32_t pg_ring_used(const pg_ring *r);

/* Size in bytes of the record pg_ring_push would queue for these lengths. */
uint32_t pg_event_record_size(uint32_t image_len, uint32_t cmdline_len, uint32_t sid_len,
                              uint32_t parent_len);

/* Accessors for the strings of a validated record (NULL when absent). */
const char *pg_event_image(const pg_event *ev);
const char *pg_event_cmdline(const pg_event *ev);
const char *pg_event_sid(const pg_event *ev);
const char *pg_event_parent_image(const pg_event *ev);

#ifdef __cplusplus
}
#endif

#endif /* PG_RING_H */
