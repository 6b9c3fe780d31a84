/*
 * pg_validate.h - validation of every message that crosses the boundary.
 *
 * A kernel component calls pg_validate_client_message() on every byte
 * buffer a client hands it before it reads a single field; a client calls
 * pg_validate_server_message() on what it receives. After PG_OK every
 * count, length and string inside the message has been checked against
 * the buffer, so the caller may walk the records without further bounds
 * checks. Neither function reads past len or writes anything.
 */
#ifndef PG_VALIDATE_H
#define PG_VALIDATE_H

#include "../protocol/pg_protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Checks that a string field of len bytes (len includes the NUL) at s is
 * well formed: len == 0 (absent), or s[len-1] == 0 and no NUL before it.
 * Returns PG_OK or PG_E_STRING.
 */
int pg_validate_string(const char *s, size_t len);

/*
 * Validates a whole message received from a client. len is the number of
 * bytes actually received (must equal hdr.size). Checks size, version
 * (PG_PROTOCOL_MIN_VERSION..PG_PROTOCOL_VERSION; PG_MSG_HELLO is accepted
 * with any version since it negotiates), type (client-to-server types
 * only), fixed part sizes and, per type:
 *   HELLO: flags and subscriptions within their masks, min <= max.
 *   VERDICTS: 1..PG_MAX_VERDICTS entries, exact size, verdict ALLOW/BLOCK,
 *     hold_id nonzero, reserved fields zero.
 *   SET_POLICY: mode, default verdict, timeout, budget, flags in range;
 *     rule_count <= PG_MAX_RULES; each rule record via
 *     pg_validate_rule(); records end exactly at the message end.
 *   GET_POLICY, GET_STATUS: header only.
 * HELLO must be exactly sizeof(pg_hello) unless its header version is newer
 * than this side (a newer client may append fields); a version range that
 * does not overlap ours gives PG_E_VERSION. Fixed name fields are
 * NUL-padded: a NUL, then only NULs. Padding bytes of records must be zero.
 * Rule ids must also be unique in a policy; pg_rule_cache_build() checks
 * that (it needs memory).
 * On error *detail (if not NULL) receives the index of the offending
 * record (or 0). Returns PG_OK or a PG_E_* code.
 */
int pg_validate_client_message(const void *buf, size_t len, uint32_t *detail);

/* The same for messages a server sends (HELLO_REPLY, RESULT, EVENTS,
 * POLICY, STATUS); EVENTS records are checked with pg_validate_event(). */
int pg_validate_server_message(const void *buf, size_t len, uint32_t *detail);

/* Checks one rule record of at most avail bytes. On PG_OK *size_out gets
 * the record size. */
int pg_validate_rule(const void *rec, size_t avail, uint32_t *size_out);

/* Checks one event record of at most avail bytes. On PG_OK *size_out gets
 * the record size. */
int pg_validate_event(const void *rec, size_t avail, uint32_t *size_out);

/* Short English name of a status code ("bad string", ...), never NULL. */
const char *pg_status_name(int status);

#ifdef __cplusplus
}
#endif

#endif /* PG_VALIDATE_H */
