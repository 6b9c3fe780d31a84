/*
 * pg_default_policy.c - writes the policy file procguardd starts with when
 * it has no saved policy yet (procguardd --default-policy FILE).
 *
 *   pg_default_policy OUT [monitor|prompt|lockdown [allow|block]]
 *
 * The file is a PG_MSG_SET_POLICY message without rules, exactly the format
 * of <state-dir>/policy.bin, so an operator can replace it with the
 * policy.bin of a machine configured with the panel (see
 * docs/operators.md). The message is checked with the core's own validator
 * before it is written, so a build never ships a file the daemon rejects.
 * Build-time tool only; not installed.
 */
#include <stdio.h>
#include <string.h>

#include "pg_core.h"

static int parseMode(const char *s, uint32_t *mode)
{
    if (strcmp(s, "monitor") == 0)
        *mode = PG_MODE_MONITOR;
    else if (strcmp(s, "prompt") == 0)
        *mode = PG_MODE_PROMPT;
    else if (strcmp(s, "lockdown") == 0)
        *mode = PG_MODE_LOCKDOWN;
    else
        return 0;
    return 1;
}

int main(int argc, char **argv)
{
    pg_policy p;
    uint32_t detail = 0;
    int rc;
    FILE *out;

    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: pg_default_policy OUT [monitor|prompt|lockdown [allow|block]]\n");
        return 2;
    }
    memset(&p, 0, sizeof p);
    p.hdr.size = sizeof p;
    p.hdr.version = PG_PROTOCOL_VERSION;
    p.hdr.type = PG_MSG_SET_POLICY;
    /* The daemon's built-in defaults (PolicyStore::setDefault). */
    p.mode = PG_MODE_MONITOR;
    p.default_verdict = PG_VERDICT_ALLOW;
    p.timeout_ms = 30000;
    p.hold_budget_ms = 1000;
    if (argc > 2 && !parseMode(argv[2], &p.mode)) {
        fprintf(stderr, "pg_default_policy: unknown mode '%s'\n", argv[2]);
        return 2;
    }
    if (argc > 3) {
        if (strcmp(argv[3], "allow") == 0) {
            p.default_verdict = PG_VERDICT_ALLOW;
        } else if (strcmp(argv[3], "block") == 0) {
            p.default_verdict = PG_VERDICT_BLOCK;
        } else {
            fprintf(stderr, "pg_default_policy: unknown verdict '%s'\n", argv[3]);
            return 2;
        }
    }
    rc = pg_validate_client_message((const uint8_t *)&p, sizeof p, &detail);
    if (rc != PG_OK) {
        fprintf(stderr, "pg_default_policy: the policy does not validate (%s)\n",
                pg_status_name(rc));
        return 1;
    }
    out = fopen(argv[1], "wb");
    if (out == NULL || fwrite(&p, sizeof p, 1, out) != 1 || fclose(out) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
