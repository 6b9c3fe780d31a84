/*
 * fuzz_server_message.c - libFuzzer target: what a client does with bytes
 * from the kernel component.
 *
 * Validates the input as a server message; after PG_OK walks EVENTS with
 * the string accessors, and checks that each string's length agrees with
 * strlen. Every event is then pushed through a pg_ring and popped again:
 * a validated record must survive the ring byte for byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pg_core.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *s, uint16_t len)
{
    if (len == 0) {
        CHECK(s == NULL);
    } else {
        CHECK(s != NULL && strlen(s) + 1 == len);
    }
}

static void walk_events(const uint8_t *msg, size_t len)
{
    pg_events_msg m;
    size_t off = sizeof(pg_events_msg);
    uint32_t i;
    uint32_t ring_size = (uint32_t)len + 2u * sizeof(pg_event) + 8u;
    uint8_t *ring_buf = (uint8_t *)malloc(ring_size);
    uint8_t *out = (uint8_t *)malloc(len + 1);
    pg_ring ring;

    CHECK(ring_buf != NULL && out != NULL);
    pg_ring_init(&ring, ring_buf, ring_size, 0);
    memcpy(&m, msg, sizeof(m));
    for (i = 0; i < m.count; i++) {
        /* Records are 8-byte multiples from an 8-aligned heap block. */
        const pg_event *ev = (const pg_event *)(const void *)(msg + off);
        uint32_t rec_size = 0, popped, count = 0;
        CHECK(pg_validate_event(ev, len - off, &rec_size) == PG_OK);
        CHECK(rec_size == ev->size && off + rec_size <= len);
        check_string(pg_event_image(ev), ev->image_len);
        check_string(pg_event_cmdline(ev), ev->cmdline_len);
        check_string(pg_event_sid(ev), ev->sid_len);
        check_string(pg_event_parent_image(ev), ev->parent_image_len);

        CHECK(pg_ring_push(&ring, ev, pg_event_image(ev), pg_event_cmdline(ev), pg_event_sid(ev),
                           pg_event_parent_image(ev), i & 1) == PG_OK);
        popped = pg_ring_pop(&ring, out, (uint32_t)len, &count);
        CHECK(count == 1 && popped == rec_size);
        CHECK(memcmp(out, ev, rec_size) == 0);
        off += rec_size;
    }
    CHECK(off == len);
    free(out);
    free(ring_buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t detail = 0;
    pg_msg_header hdr;
    uint8_t *copy;
    int st;

    copy = (uint8_t *)malloc(size ? size : 1);
    CHECK(copy != NULL);
    if (size != 0) {
        memcpy(copy, data, size);
    }
    st = pg_validate_server_message(copy, size, &detail);
    CHECK(st >= PG_OK && st <= PG_STATUS_MAX);
    if (st == PG_OK) {
        memcpy(&hdr, copy, sizeof(hdr));
        CHECK(hdr.size == size);
        if (hdr.type == PG_MSG_EVENTS) {
            walk_events(copy, size);
        }
    }
    free(copy);
    return 0;
}
