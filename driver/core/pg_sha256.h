/*
 * pg_sha256.h - SHA-256 (FIPS 180-4), incremental.
 *
 * Used by the user-mode sides that decide PG_RULE_SHA256 rules (procguardd,
 * procguardctl explain, the tests). Pure computation: no OS calls, no
 * allocation, so it would also build in a kernel component - but a kernel
 * component does not hash at process-create time (it would have to read
 * the whole image while the creating thread waits); pg_rules.h reports the
 * digest as a missing fact instead.
 */
#ifndef PG_SHA256_H
#define PG_SHA256_H

#include "../protocol/pg_protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pg_sha256_ctx {
    uint32_t state[8];
    uint64_t total; /* bytes hashed so far */
    uint8_t block[64];
    uint32_t used; /* bytes in block */
} pg_sha256_ctx;

void pg_sha256_init(pg_sha256_ctx *c);
void pg_sha256_update(pg_sha256_ctx *c, const void *data, size_t len);
/* Writes the 32-byte digest; the context must be initialised again before
 * another use. */
void pg_sha256_final(pg_sha256_ctx *c, uint8_t digest[32]);
/* 64 lower-case hex digits and a NUL into hex[65]. */
void pg_sha256_hex(const uint8_t digest[32], char hex[65]);

#ifdef __cplusplus
}
#endif

#endif /* PG_SHA256_H */
