/*
 * pg_ring.c - a client's event queue.
 *
 * Module description:
 *   Implements pg_ring.h: whole pg_event records (fixed part + strings,
 *   8-byte multiples) in a caller-provided byte ring. A record is never
 *   split across the end of the buffer, so pg_ring_pop copies each record
 *   with one memcpy and a reader never reassembles anything.
 *
 * Layout:
 *   head is where the oldest record starts; used counts every byte from
 *   head to the write position, including wrap padding. When a record does
 *   not fit between the write position and the end of the buffer, a wrap
 *   marker (a record size of 0, which no real record has) is written there
 *   and the record goes to offset 0; the bytes up to the end count as used
 *   until the reader skips them. Offsets stay 8-aligned, so there is always
 *   room for the 4-byte marker. When the ring empties, head returns to 0 to
 *   keep the largest contiguous space available.
 *
 * Loss accounting (the contract in pg_ring.h):
 *   A dropped event increments lost_pending (remembering the seq of the
 *   first one). The next push that finds room queues an OVERFLOW record
 *   {seq = first lost, lost = count} and then the event, as one unit: both
 *   or neither, so the OVERFLOW always immediately precedes the next event
 *   after a loss and the client's continuity check (seq + lost) holds. An
 *   event that arrives malformed (bad string, bad field) is dropped and
 *   counted like one without room: the client sees a reported loss
 *   instead of a batch it must reject.
 *
 * Reserve:
 *   Ordinary pushes may fill the ring only up to size - reserve; priority
 *   pushes (REQUEST events for held starts) may use all of it, so a flood
 *   of ordinary events cannot push out a hold.
 *
 * What it must not do:
 *   No allocation, no locking, no clock. The buffer may be unaligned: all
 *   field access goes through memcpy.
 */
#include "pg_ring.h"
#include "pg_validate.h"

#if !defined(PG_KERNEL_MODE)
#include <string.h>
#endif

#define PG_RING_WRAP 0u /* record size of the wrap marker */

void pg_ring_init(pg_ring *r, void *buf, uint32_t size, uint32_t reserve)
{
    if (r == NULL) {
        return;
    }
    memset(r, 0, sizeof(*r));
    r->buf = (uint8_t *)buf;
    r->size = buf != NULL ? (size & ~(uint32_t)7u) : 0;
    r->reserve = reserve > r->size ? r->size : reserve;
}

uint32_t pg_event_record_size(uint32_t image_len, uint32_t cmdline_len, uint32_t sid_len,
                              uint32_t parent_len)
{
    uint64_t n = (uint64_t)sizeof(pg_event) + image_len + cmdline_len + sid_len + parent_len;

    n = (n + 7u) & ~(uint64_t)7u;
    return n > 0xFFFFFFF8u ? 0xFFFFFFF8u : (uint32_t)n;
}

uint32_t pg_ring_used(const pg_ring *r)
{
    return r != NULL ? r->used : 0;
}

/*
 * Where an n-byte record would go with the ring in state (head, used).
 * On success *pos is its offset and *consumed the bytes it takes
 * (n, plus wrap padding when it goes to offset 0). Returns 0 when it does
 * not fit within limit bytes of use.
 */
static int ring_fit(const pg_ring *r, uint32_t head, uint32_t used, uint32_t n, uint32_t limit,
                    uint32_t *pos, uint32_t *consumed)
{
    uint32_t tail;

    if (n == 0 || used >= r->size) {
        return 0;
    }
    tail = head + used;
    if (tail >= r->size) {
        tail -= r->size;
    }
    if (tail >= head) {
        /* Free: [tail, size) and [0, head). */
        if (n <= r->size - tail) {
            *pos = tail;
            *consumed = n;
        } else if (n <= head) {
            *pos = 0;
            *consumed = (r->size - tail) + n;
        } else {
            return 0;
        }
    } else {
        /* Free: [tail, head). */
        if (n > head - tail) {
            return 0;
        }
        *pos = tail;
        *consumed = n;
    }
    return used <= limit && *consumed <= limit - used;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof(v));
}

static uint32_t get_u32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

/* Writes one record at pos; wrap marker at the old tail when wrapping. */
static void write_at(pg_ring *r, uint32_t head, uint32_t used, uint32_t pos, const pg_event *fixed,
                     const char *const strs[4], const uint32_t lens[4])
{
    uint32_t tail = head + used;
    uint32_t off, k;
    uint8_t *dst = r->buf + pos;

    if (tail >= r->size) {
        tail -= r->size;
    }
    if (pos == 0 && tail != 0 && used != 0) {
        put_u32(r->buf + tail, PG_RING_WRAP);
    }
    memcpy(dst, fixed, sizeof(*fixed));
    off = (uint32_t)sizeof(*fixed);
    for (k = 0; k < 4; k++) {
        if (lens[k] != 0) {
            memcpy(dst + off, strs[k], lens[k]);
            off += lens[k];
        }
    }
    /* Zero padding: validators insist, and nothing stale leaks out. */
    while (off < fixed->size) {
        dst[off++] = 0;
    }
}

static void count_loss(pg_ring *r, uint64_t seq)
{
    if (r->lost_pending == 0) {
        r->first_lost_seq = seq;
    }
    r->lost_pending++;
    r->lost_total++;
}

int pg_ring_push(pg_ring *r, const pg_event *ev, const char *image, const char *cmdline,
                 const char *sid, const char *parent_image, int priority)
{
    const char *strs[4];
    uint32_t lens[4];
    const char *const no_strs[4] = {NULL, NULL, NULL, NULL};
    const uint32_t no_lens[4] = {0, 0, 0, 0};
    pg_event fixed, ovf;
    uint32_t limit, head, used, pos_o = 0, cons_o = 0, pos_e = 0, cons_e = 0;
    int need_ovf, st;

    if (r == NULL || ev == NULL) {
        return PG_E_RANGE;
    }
    strs[0] = image;
    strs[1] = cmdline;
    strs[2] = sid;
    strs[3] = parent_image;
    lens[0] = ev->image_len;
    lens[1] = ev->cmdline_len;
    lens[2] = ev->sid_len;
    lens[3] = ev->parent_image_len;
    if ((lens[0] != 0 && image == NULL) || (lens[1] != 0 && cmdline == NULL) ||
        (lens[2] != 0 && sid == NULL) || (lens[3] != 0 && parent_image == NULL)) {
        count_loss(r, ev->seq);
        return PG_E_STRING;
    }

    fixed = *ev;
    fixed.size = pg_event_record_size(lens[0], lens[1], lens[2], lens[3]);
    fixed.reserved = 0;

    need_ovf = r->lost_pending != 0;
    if (need_ovf) {
        memset(&ovf, 0, sizeof(ovf));
        ovf.size = (uint32_t)sizeof(pg_event);
        ovf.kind = PG_EV_OVERFLOW;
        ovf.seq = r->first_lost_seq;
        ovf.time_ns = ev->time_ns; /* when the loss is reported */
        ovf.lost = r->lost_pending;
        ovf.mode = ev->mode;
    }

    /* An empty ring restarts at 0: the whole buffer is contiguous. */
    if (r->used == 0) {
        r->head = 0;
    }
    limit = priority ? r->size : r->size - r->reserve;
    head = r->head;
    used = r->used;
    if (need_ovf) {
        if (!ring_fit(r, head, used, ovf.size, limit, &pos_o, &cons_o)) {
            count_loss(r, ev->seq);
            return PG_E_NOSPACE;
        }
        used += cons_o;
    }
    if (!ring_fit(r, head, used, fixed.size, limit, &pos_e, &cons_e)) {
        count_loss(r, ev->seq);
        return PG_E_NOSPACE;
    }

    /* Nothing is committed until the event itself passed validation, so a
     * rejected event leaves the ring as it was. */
    if (need_ovf) {
        write_at(r, head, r->used, pos_o, &ovf, no_strs, no_lens);
    }
    write_at(r, head, used, pos_e, &fixed, strs, lens);
    st = pg_validate_event(r->buf + pos_e, fixed.size, NULL);
    if (st != PG_OK) {
        count_loss(r, ev->seq);
        return st;
    }

    r->used = used + cons_e;
    if (need_ovf) {
        r->lost_pending = 0;
    }
    r->queued_total++;
    return PG_OK;
}

uint32_t pg_ring_pop(pg_ring *r, void *out, uint32_t out_size, uint32_t *count)
{
    uint8_t *dst = (uint8_t *)out;
    uint32_t written = 0, n = 0;

    if (count != NULL) {
        *count = 0;
    }
    if (r == NULL || (out == NULL && out_size != 0)) {
        return 0;
    }
    while (r->used != 0) {
        uint32_t sz = get_u32(r->buf + r->head);
        if (sz == PG_RING_WRAP) {
            /* Padding up to the end; the next record is at 0. */
            r->used -= r->size - r->head;
            r->head = 0;
            continue;
        }
        if (sz > out_size - written) {
            break;
        }
        memcpy(dst + written, r->buf + r->head, sz);
        written += sz;
        n++;
        r->used -= sz;
        r->head += sz;
        if (r->head == r->size) {
            r->head = 0;
        }
    }
    if (r->used == 0) {
        r->head = 0;
    }
    if (count != NULL) {
        *count = n;
    }
    return written;
}

static const char *event_string(const pg_event *ev, uint32_t skip, uint32_t len)
{
    if (ev == NULL || len == 0) {
        return NULL;
    }
    return (const char *)ev + sizeof(pg_event) + skip;
}

const char *pg_event_image(const pg_event *ev)
{
    return ev != NULL ? event_string(ev, 0, ev->image_len) : NULL;
}

const char *pg_event_cmdline(const pg_event *ev)
{
    return ev != NULL ? event_string(ev, ev->image_len, ev->cmdline_len) : NULL;
}

const char *pg_event_sid(const pg_event *ev)
{
    return ev != NULL ? event_string(ev, (uint32_t)ev->image_len + ev->cmdline_len, ev->sid_len)
                      : NULL;
}

const char *pg_event_parent_image(const pg_event *ev)
{
    return ev != NULL ? event_string(ev, (uint32_t)ev->image_len + ev->cmdline_len + ev->sid_len,
                                     ev->parent_image_len)
                      : NULL;
}
