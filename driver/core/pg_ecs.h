/*
 * pg_ecs.h - one pg_event as an Elastic Common Schema (ECS) JSON object.
 *
 * The one encoder of ProcGuard's events for a SIEM: procguardctl monitor
 * --format ecs, procguardd's event sinks (syslog, file) and the Windows
 * event channel all call pg_ecs_encode(), so every consumer sees the same
 * field names, types and values (docs/ecs.md is the mapping table).
 *
 * Pure computation: no OS calls, no allocation, no locale. The caller
 * supplies what the event does not carry (host identity, the user's name,
 * the rule's name, the image's digest) and a buffer. The output is one
 * line of UTF-8 JSON without a newline: strings are escaped, control
 * characters written as \u00XX and bytes that are not valid UTF-8 replaced
 * by U+FFFD, so a path in any encoding yields valid JSON.
 *
 * Fields ECS defines keep ECS's names, types and allowed values (checked
 * against the @elastic/ecs definitions by tests/integration/ecs); what ECS
 * has no field for sits under "procguard.".
 */
#ifndef PG_ECS_H
#define PG_ECS_H

#include "../protocol/pg_protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The ECS version whose definitions the output follows. */
#define PG_ECS_VERSION "9.4.0"

/* How the command line splits into process.args. */
enum pg_ecs_os {
    PG_ECS_OS_LINUX = 0,  /* arguments joined by single spaces (from NULs) */
    PG_ECS_OS_WINDOWS = 1 /* a Windows command line (CommandLineToArgvW rules) */
};

/* What is the same for every event of one machine. NULL or "": omitted. */
typedef struct pg_ecs_host {
    const char *name; /* host.name */
    const char *id;   /* host.id: /etc/machine-id, MachineGuid */
    int os;           /* enum pg_ecs_os; also host.os.type */
} pg_ecs_host;

/*
 * One event. Strings are NUL-terminated; NULL or "" is absent.
 * image/cmdline/sid/parent_image are the event's own strings (as
 * pg_event_strings() finds them, or a client's decoded copies).
 */
typedef struct pg_ecs_event {
    const pg_event *ev;
    const char *image;
    const char *cmdline;
    const char *sid;
    const char *parent_image;
    const char *user_name;   /* user.name, when the caller could resolve it */
    const char *user_domain; /* user.domain (Windows: the account's domain) */
    /* The rule of a VERDICT by a rule, for rule.name ("block exact
     * /usr/games/sol"): its action (PG_VERDICT_*), kind (PG_RULE_*) and
     * pattern; rule_pattern NULL when the caller does not know the rule. */
    uint8_t rule_action;
    uint8_t rule_kind;
    const char *rule_pattern;
    const char *sha256; /* process.hash.sha256: 64 hex digits, when known */
} pg_ecs_event;

/*
 * Writes the JSON object for e into out (at most cap bytes, NUL included,
 * cut short when it does not fit) and returns its full length without the
 * NUL, as snprintf does: a result >= cap means it was cut; call again
 * with a buffer of result + 1 bytes.
 */
/* The name of one PG_EVF_* flag ("held", "would-block", ...), as every
 * client and log spells it; NULL for a bit that is not a flag. */
const char *pg_event_flag_name(uint16_t bit);

size_t pg_ecs_encode(const pg_ecs_host *host, const pg_ecs_event *e, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* PG_ECS_H */
