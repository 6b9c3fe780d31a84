/*
 * pg_protocol.h - the ProcGuard wire contract.
 *
 * Module description:
 *   Every message exchanged between a kernel component (procguard.sys on
 *   Windows, procguardd on Linux) and a client (the panel, procguardctl)
 *   is defined here and nowhere else. The same bytes travel over a Unix
 *   stream socket on Linux and through METHOD_BUFFERED IOCTLs on Windows.
 *
 * Rules of the contract:
 *   - Fixed-width little-endian fields, explicit padding, no pointers.
 *   - Every message starts with pg_msg_header: total size, protocol
 *     version, type and a request id. The size covers the whole message.
 *   - Every struct size is pinned with a static assertion below, so a
 *     compiler or ABI difference breaks the build instead of the wire.
 *   - Strings are UTF-8 with an explicit length that INCLUDES one trailing
 *     NUL byte; a length of 0 means "absent". A string whose last byte is
 *     not NUL, or that holds a NUL before its end, is malformed.
 *   - Variable-length records (events, rules) carry their own size, which
 *     is a multiple of 8 so that the next record stays aligned.
 *   - Holds are matched to verdicts by 64-bit hold ids, never by PID:
 *     PIDs are reused.
 *
 * This header is C99 and is compiled into the kernel driver: it must not
 * include anything but fixed-width integer types.
 */
#ifndef PG_PROTOCOL_H
#define PG_PROTOCOL_H

#if defined(PG_KERNEL_MODE)
/* The Windows driver provides fixed-width types through its compat header. */
#else
#include <stddef.h>
#include <stdint.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Versions and limits                                                 */
/* ------------------------------------------------------------------ */

#define PG_PROTOCOL_VERSION 1u     /* the version this header describes */
#define PG_PROTOCOL_MIN_VERSION 1u /* the oldest version still spoken */

#define PG_MAX_MESSAGE_SIZE (4u * 1024u * 1024u) /* any message, bytes */
#define PG_MAX_PATH_BYTES 4096u    /* image path incl. NUL */
#define PG_MAX_CMDLINE_BYTES 8192u /* command line incl. NUL (longer: truncated, flagged) */
#define PG_MAX_SID_BYTES 192u      /* Windows user SID string incl. NUL */
#define PG_MAX_PATTERN_BYTES 4096u /* rule pattern incl. NUL */
#define PG_MAX_RULE_MESSAGE_BYTES 512u /* rule message shown on block, incl. NUL */
#define PG_MAX_RULE_LINK_BYTES 1024u   /* rule link (URL) shown with it, incl. NUL */
#define PG_SHA256_HEX_CHARS 64u        /* PG_RULE_SHA256 pattern length, no NUL */
#define PG_MAX_RULES 65535u        /* rules in one policy */
#define PG_MAX_VERDICTS 1024u      /* verdicts in one batch */
#define PG_MAX_TIMEOUT_MS (24u * 3600u * 1000u)
#define PG_MAX_HOLD_BUDGET_MS 60000u
#define PG_NAME_BYTES 32u /* fixed NUL-padded name fields */
#define PG_RESULT_TEXT_BYTES 96u

/* ------------------------------------------------------------------ */
/* Enumerations                                                        */
/* ------------------------------------------------------------------ */

/* Message types. Requests go client -> server, replies server -> client. */
enum pg_msg_type {
    PG_MSG_HELLO = 1,       /* client: version range and wanted role */
    PG_MSG_HELLO_REPLY = 2, /* server: chosen version, role granted */
    PG_MSG_RESULT = 3,      /* server: status of a request (echoes request_id) */
    PG_MSG_EVENTS = 4,      /* server: a batch of pg_event records */
    PG_MSG_VERDICTS = 5,    /* client: a batch of pg_verdict */
    PG_MSG_SET_POLICY = 6,  /* client: pg_policy + pg_rule records */
    PG_MSG_GET_POLICY = 7,  /* client: header only; reply PG_MSG_POLICY */
    PG_MSG_POLICY = 8,      /* server: pg_policy + pg_rule records */
    PG_MSG_GET_STATUS = 9,  /* client: header only; reply PG_MSG_STATUS */
    PG_MSG_STATUS = 10,     /* server: pg_status_msg */
    PG_MSG_GET_MANAGED = 11, /* client: header only; reply PG_MSG_MANAGED (a peer that
                              * has no managed layer answers PG_E_TYPE) */
    PG_MSG_MANAGED = 12,     /* server: pg_managed_msg + pg_managed_file records */
    PG_MSG_TYPE_MAX = 12
};

/* Status codes, in PG_MSG_RESULT and PG_MSG_HELLO_REPLY. */
enum pg_status {
    PG_OK = 0,
    PG_E_SIZE = 1,           /* header size disagrees with the bytes received */
    PG_E_VERSION = 2,        /* no common protocol version */
    PG_E_TYPE = 3,           /* unknown message type, or not valid in this direction */
    PG_E_LENGTH = 4,         /* a count or length inside the message runs past its end */
    PG_E_STRING = 5,         /* a string is not NUL-terminated or holds an inner NUL */
    PG_E_RANGE = 6,          /* a field holds a value outside its range */
    PG_E_NOSPACE = 7,        /* the component has no room (rules, holds) */
    PG_E_BUSY = 8,           /* another client already controls the component */
    PG_E_NOT_CONTROLLER = 9, /* only the controlling client may send this */
    PG_E_ACCESS = 10,        /* caller is not allowed to connect */
    PG_E_STATE = 11,         /* request not valid now (e.g. before HELLO) */
    PG_E_INTERNAL = 12,      /* the component failed; see its log */
    PG_E_MANAGED = 13,       /* the change touches the managed layer (policy files, Group
                              * Policy), which no client may change; text says what */
    PG_STATUS_MAX = 13
};

enum pg_verdict_value {
    PG_VERDICT_NONE = 0,
    PG_VERDICT_ALLOW = 1,
    PG_VERDICT_BLOCK = 2,
    /* A rule action only (pg_rule.action), never a verdict on the wire:
     * "ask the controlling client about this start" - in prompt AND in
     * lockdown mode; without a client, the default verdict. */
    PG_VERDICT_ASK = 3
};

/* Who or what decided a start. */
enum pg_source {
    PG_SRC_NONE = 0,
    PG_SRC_RULE = 1,       /* a rule in the cache matched */
    PG_SRC_CLIENT = 2,     /* the controlling client (a person) answered */
    PG_SRC_TIMEOUT = 3,    /* nobody answered in time: default verdict */
    PG_SRC_DISCONNECT = 4, /* the controlling client went away: default verdict */
    PG_SRC_STOP = 5,       /* the component stopped: default verdict */
    PG_SRC_NO_CLIENT = 6,  /* prompt mode without a client: default verdict */
    PG_SRC_MODE = 7,       /* monitor allows / lockdown blocks what no rule matched */
    PG_SRC_EXEMPT = 8,     /* self, controlling client, its descendants, critical */
    PG_SRC_OVERLOAD = 9,   /* no room to hold: default verdict */
    PG_SRC_MAX = 9
};

enum pg_mode {
    PG_MODE_MONITOR = 1,  /* log, never block, never ask */
    PG_MODE_PROMPT = 2,   /* rules first, ask the controlling client for the rest */
    PG_MODE_LOCKDOWN = 3, /* rules first, block the rest without asking */
    PG_MODE_MAX = 3
};

enum pg_role {
    PG_ROLE_NONE = 0,
    PG_ROLE_CONTROLLER = 1, /* receives requests, sends verdicts and policy */
    PG_ROLE_OBSERVER = 2,   /* receives events only */
    PG_ROLE_RESOLVER = 3    /* receives events; answers the requests held only for facts
                             * (PG_EVF_FACTS) that the kernel component cannot find itself
                             * (procguard.sys: the Authenticode signer). procguardd finds
                             * every fact itself and grants OBSERVER instead. */
};

enum pg_platform {
    PG_PLATFORM_LINUX = 1,
    PG_PLATFORM_WINDOWS = 2
};

/* pg_hello.flags */
#define PG_HELLO_CONTROL 0x1u       /* ask to become the controlling client */
#define PG_HELLO_OBSERVE_OK 0x2u    /* with CONTROL or RESOLVE: accept observer if taken */
#define PG_HELLO_NO_SNAPSHOT 0x4u   /* do not send the initial process snapshot */
#define PG_HELLO_RESOLVE 0x8u       /* ask to become the resolver (PG_ROLE_RESOLVER); not
                                     * with CONTROL */
#define PG_HELLO_FLAGS_ALL 0xFu

/* pg_hello.subscriptions: optional event classes, off unless asked for. */
#define PG_SUB_THREADS 0x1u /* thread create/exit (Windows) */
#define PG_SUB_IMAGES 0x2u  /* image loads (Windows) */
#define PG_SUB_ALL 0x3u

/* Event kinds. */
enum pg_event_kind {
    PG_EV_START = 1,    /* a new process (Linux: fork/clone; Windows: create) */
    PG_EV_EXEC = 2,     /* a process replaced its image (Linux execve) */
    PG_EV_EXIT = 3,     /* a process ended; status = exit status */
    PG_EV_REQUEST = 4,  /* a start is held for the controlling client */
    PG_EV_VERDICT = 5,  /* a start was decided (held or not) */
    PG_EV_OVERFLOW = 6, /* lost = events dropped since the last report */
    PG_EV_RESYNC = 7,   /* process notifications were lost; table resynced */
    PG_EV_POLICY = 8,   /* the policy in force changed; mode is set */
    PG_EV_THREAD = 9,   /* PG_SUB_THREADS: pid, status = thread id, flags EXITED */
    PG_EV_IMAGE = 10,   /* PG_SUB_IMAGES: pid, image = loaded image */
    PG_EV_WAIT = 11,    /* a start waits for a fact the component finds itself (the
                         * image's digest, PG_EVF_DIGEST_WAIT); hold_id names it, its
                         * VERDICT follows with the same hold_id. Nobody answers it. */
    PG_EV_KIND_MAX = 11
};

/* pg_event.flags */
#define PG_EVF_HELD 0x0001u        /* the start waited for a person */
#define PG_EVF_FROZEN 0x0002u      /* past the hold budget: kept frozen */
#define PG_EVF_WOULD_BLOCK 0x0004u /* monitor mode: lockdown would have blocked */
#define PG_EVF_INTERPRETER 0x0008u /* program run through the ELF interpreter */
#define PG_EVF_CACHED 0x0010u      /* allow cached in the kernel for this file */
#define PG_EVF_TRUNCATED 0x0020u   /* a string was cut to its limit */
#define PG_EVF_SNAPSHOT 0x0040u    /* from a snapshot or resync, not live */
#define PG_EVF_EXITED 0x0080u      /* PG_EV_THREAD: the thread ended */
#define PG_EVF_KILLED 0x0100u      /* blocked after release: process killed */
#define PG_EVF_BUDGET 0x0200u      /* VERDICT for a running process: its daily time budget
                                    * is used up; it is ended after timeout_ms (with
                                    * PG_EVF_KILLED: it was ended now) */
#define PG_EVF_FACTS 0x0400u       /* REQUEST held only for facts the kernel component lacks
                                    * (the image's signer): the client finds them, matches
                                    * the policy again and answers; when no rule decides it
                                    * answers as the mode says (lockdown: block) */
#define PG_EVF_DIGEST_WAIT 0x0800u /* the start waited for its image's digest (computed
                                    * off the answering thread) */
#define PG_EVF_NO_DIGEST 0x1000u   /* the image's digest could not be had for this start
                                    * (larger than the bound, unreadable, too slow, no
                                    * room): digest rules did not match it */
#define PG_EVF_UNTRUSTED_PATH 0x2000u /* the image path is not the started file for the
                                       * kernel component (another mount namespace shows
                                       * another file there, or the path does not resolve):
                                       * path rules did not decide, nothing was cached */
#define PG_EVF_UNSEEN 0x4000u /* VERDICT (Linux): an exec the gate could not see (its
                               * filesystem carries no mark); with PG_EVF_KILLED it was
                               * ended as soon as it was known, and status holds the
                               * microseconds it ran on a CPU before that */
#define PG_EVF_ALL 0x7FFFu

/* pg_policy.flags */
#define PG_POLF_CASE_FOLD 0x1u /* match every rule case-insensitively */
#define PG_POLF_ALL 0x1u

/* Rule kinds. The values are NOT the precedence order: that is defined
 * in driver/core/pg_rules.h and nowhere else. Kinds 4..7 were added in
 * place of values that version-1 peers reject with PG_E_RANGE. */
enum pg_rule_kind {
    PG_RULE_EXACT = 1,  /* whole image path */
    PG_RULE_GLOB = 2,   /* '*' (not '/'), '?' (one char, not '/'), '**' (anything) */
    PG_RULE_PREFIX = 3, /* directory: the pattern ends with '/' */
    PG_RULE_SHA256 = 4, /* SHA-256 of the image: exactly 64 hex digits (either case) */
    PG_RULE_CMDLINE = 5, /* glob over the command line, arguments joined by one space;
                          * here '*' and '?' also cross '/' */
    PG_RULE_PACKAGE = 6, /* trusted source: glob over the name of the package that
                          * installed the image, which must be unmodified (Linux: dpkg) */
    PG_RULE_SIGNER = 7,  /* trusted source: text glob over the subject name of the image's
                          * Authenticode signer, trusted by the system (Windows; never
                          * matches on Linux) */
    PG_RULE_KIND_MAX = 7
};

/* pg_rule.flags */
#define PG_RULEF_USER 0x1u      /* only for processes of uid */
#define PG_RULEF_CASE_FOLD 0x2u /* this rule matches case-insensitively */
#define PG_RULEF_GROUP 0x4u     /* only for processes in group uid (a gid); not with USER */
#define PG_RULEF_TIME 0x8u      /* a pg_rule_time block ends the record (see pg_rule) */
#define PG_RULEF_MANAGED 0x10u  /* part of the managed layer (policy files, Group Policy):
                                 * matched before every other rule (pg_rules.h); the
                                 * component refuses a client's policy that drops or
                                 * changes it (PG_E_MANAGED) */
#define PG_RULEF_ALL 0x1Fu

/* Time conditions of a rule (pg_rule_time). */
enum pg_expiry {
    PG_EXPIRY_NEVER = 0,  /* always */
    PG_EXPIRY_ONCE = 1,   /* consumed by the first start it decides */
    PG_EXPIRY_AT = 2,     /* until expires_at ("for N minutes") */
    PG_EXPIRY_REBOOT = 3, /* until the machine restarts */
    PG_EXPIRY_MAX = 3
};
#define PG_MAX_WINDOWS 4u          /* time windows in one schedule */
#define PG_DAY_SECONDS 86400u
#define PG_DAYS_ALL 0x7Fu          /* pg_rule_time.days: bit 0 Monday .. bit 6 Sunday */
#define PG_MAX_BUDGET_GRACE_S 3600u
#define PG_BOOT_ID_BYTES 16u

/* ------------------------------------------------------------------ */
/* Messages                                                            */
/* ------------------------------------------------------------------ */

#pragma pack(push, 8)

typedef struct pg_msg_header {
    uint32_t size;       /* bytes of the whole message, header included */
    uint16_t version;    /* protocol version of this message */
    uint16_t type;       /* enum pg_msg_type */
    uint64_t request_id; /* chosen by the client; echoed in replies; 0 unsolicited */
} pg_msg_header;

typedef struct pg_hello {
    pg_msg_header hdr;
    uint16_t min_version; /* oldest version the client speaks */
    uint16_t max_version; /* newest version the client speaks */
    uint32_t flags;       /* PG_HELLO_* */
    uint32_t subscriptions; /* PG_SUB_* */
    uint32_t reserved;      /* 0 */
    char name[PG_NAME_BYTES]; /* client name, NUL-padded, for logs */
} pg_hello;

typedef struct pg_hello_reply {
    pg_msg_header hdr;
    uint32_t status;   /* PG_OK, PG_E_VERSION, PG_E_BUSY, PG_E_ACCESS */
    uint16_t version;  /* version chosen (or the server's newest on error) */
    uint16_t role;     /* enum pg_role granted */
    uint32_t platform; /* enum pg_platform */
    uint32_t server_pid;
    uint64_t next_seq; /* sequence number the next event will carry */
    char name[PG_NAME_BYTES]; /* server name and version, NUL-padded */
} pg_hello_reply;

typedef struct pg_result {
    pg_msg_header hdr;
    uint32_t status; /* enum pg_status */
    uint32_t detail; /* e.g. index of the bad record, or unknown hold count */
    char text[PG_RESULT_TEXT_BYTES]; /* one sentence, NUL-terminated */
} pg_result;

/*
 * One event record. Strings follow the fixed part in this order: image,
 * cmdline, sid, parent_image; each length includes its NUL, 0 = absent.
 * size = sizeof(pg_event) + the string lengths, rounded up to 8.
 */
typedef struct pg_event {
    uint32_t size;
    uint16_t kind;  /* enum pg_event_kind */
    uint16_t flags; /* PG_EVF_* */
    uint64_t seq;     /* 64-bit sequence number, one per event generated */
    uint64_t time_ns; /* UTC nanoseconds since 1970-01-01 */
    uint64_t hold_id; /* REQUEST/VERDICT: the hold; 0 when not held */
    uint32_t pid;
    uint32_t ppid;
    uint32_t creator_pid; /* process that asked for the start; may differ from ppid */
    uint32_t uid;         /* Linux uid; 0xFFFFFFFF on Windows (see sid) */
    uint32_t session_id;
    uint32_t status;     /* EXIT: exit status; THREAD: thread id */
    uint32_t timeout_ms; /* REQUEST: ms until the default verdict; 0 = no limit */
    uint32_t rule_id;    /* VERDICT: rule that decided, 0 when none */
    uint64_t lost;       /* OVERFLOW: events dropped; RESYNC: notifications lost */
    uint8_t verdict;     /* VERDICT: enum pg_verdict_value */
    uint8_t source;      /* VERDICT: enum pg_source */
    uint8_t default_verdict; /* REQUEST: what happens without an answer */
    uint8_t mode;            /* enum pg_mode in force when generated */
    uint16_t image_len;
    uint16_t cmdline_len;
    uint16_t sid_len;
    uint16_t parent_image_len;
    uint32_t reserved; /* 0 */
} pg_event;

typedef struct pg_events_msg {
    pg_msg_header hdr;
    uint32_t count; /* records that follow */
    uint32_t reserved;
} pg_events_msg;

typedef struct pg_verdict {
    uint64_t hold_id;
    uint8_t verdict; /* PG_VERDICT_ALLOW or PG_VERDICT_BLOCK */
    uint8_t reserved[3];
    uint32_t flags; /* 0 */
} pg_verdict;

typedef struct pg_verdicts_msg {
    pg_msg_header hdr;
    uint32_t count; /* pg_verdict entries that follow, 1..PG_MAX_VERDICTS */
    uint32_t reserved;
} pg_verdicts_msg;

typedef struct pg_policy {
    pg_msg_header hdr;
    uint32_t mode;            /* enum pg_mode */
    uint32_t default_verdict; /* ALLOW or BLOCK */
    uint32_t timeout_ms;      /* 0 = no limit (still ends on disconnect/stop) */
    uint32_t hold_budget_ms;  /* how long the launcher itself may wait */
    uint32_t flags;           /* PG_POLF_* */
    uint32_t rule_count;      /* pg_rule records that follow */
    uint64_t generation;      /* set by the component, ignored on SET */
} pg_policy;

/*
 * One rule record. Strings follow: pattern, parent (a glob on the
 * parent's image; 0 = any parent), message, link. size = sizeof(pg_rule)
 * + lengths, rounded up to 8.
 *
 * message and link are what a person sees when this rule blocks a start
 * ("Games are for after homework", a help page). The kernel component
 * does not compile them; a client finds them by the rule_id of the
 * VERDICT event in the policy it fetched. They took the place of a
 * reserved field that was 0, so a version-1 record reads the same.
 */
typedef struct pg_rule {
    uint32_t size;
    uint32_t id;     /* nonzero, unique in the policy; reported in verdicts */
    uint8_t kind;    /* enum pg_rule_kind */
    uint8_t action;  /* PG_VERDICT_ALLOW, PG_VERDICT_BLOCK or PG_VERDICT_ASK */
    uint16_t flags;  /* PG_RULEF_* */
    uint32_t uid;    /* with PG_RULEF_USER a uid, with PG_RULEF_GROUP a gid */
    uint16_t pattern_len; /* incl. NUL, >= 2 */
    uint16_t parent_len;  /* incl. NUL, 0 = any parent */
    uint16_t message_len; /* incl. NUL, 0 = none; <= PG_MAX_RULE_MESSAGE_BYTES */
    uint16_t link_len;    /* incl. NUL, 0 = none; <= PG_MAX_RULE_LINK_BYTES */
} pg_rule;

/*
 * The time block of a rule with PG_RULEF_TIME. It starts at
 * PG_ALIGN8(sizeof(pg_rule) + the string lengths), so the strings stay
 * where they are, and size = that offset + sizeof(pg_rule_time).
 * Evaluation is in driver/core/pg_schedule.h (precedence: a rule outside
 * its schedule or past its expiry does not exist for matching).
 *
 * Schedule: days (bit 0 Monday .. bit 6 Sunday; 0 = every day) and up to
 * PG_MAX_WINDOWS windows [start, end) in seconds after LOCAL midnight. A
 * window with end < start crosses midnight and belongs to the day it
 * starts on (Friday 22:00-02:00 covers Saturday 00:00-02:00). No window =
 * the whole of each listed day. days == 0 and no window = no schedule.
 * Budget: budget_s seconds of running time per local day for the programs
 * this rule matches (shared by every rule with the same nonzero
 * budget_group); once used up the rule blocks, and running programs are
 * ended grace_s seconds after a warning.
 */
typedef struct pg_rule_time {
    uint8_t days;         /* PG_DAYS_ALL bits; 0 = every day */
    uint8_t window_count; /* 0..PG_MAX_WINDOWS */
    uint8_t expiry;       /* enum pg_expiry */
    uint8_t reserved;     /* 0 */
    uint32_t budget_s;    /* daily budget in seconds, 0 = none; <= PG_DAY_SECONDS */
    uint32_t win_start[PG_MAX_WINDOWS]; /* < PG_DAY_SECONDS; unused entries 0 */
    uint32_t win_end[PG_MAX_WINDOWS];   /* != win_start; unused entries 0 */
    int64_t expires_at;    /* PG_EXPIRY_AT: UTC seconds since 1970; otherwise 0 */
    uint32_t budget_group; /* with budget_s: rules of one nonzero group share it */
    uint32_t grace_s;      /* with budget_s: <= PG_MAX_BUDGET_GRACE_S */
    uint8_t boot_id[PG_BOOT_ID_BYTES]; /* PG_EXPIRY_REBOOT: the boot it is valid for;
                                        * all zero = stamped by the component on SET */
} pg_rule_time;

typedef struct pg_status_msg {
    pg_msg_header hdr;
    uint32_t mode;
    uint32_t default_verdict;
    uint32_t timeout_ms;
    uint32_t hold_budget_ms;
    uint32_t rule_count;
    uint32_t clients;       /* connected clients, controller included */
    uint32_t held_now;      /* starts waiting for a verdict */
    uint32_t frozen_now;    /* of those, released past the hold budget */
    uint32_t server_pid;
    uint32_t platform;      /* enum pg_platform */
    uint32_t version;       /* protocol version in use */
    uint32_t controller_pid; /* 0 when no controlling client */
    uint64_t starts;        /* process starts seen */
    uint64_t decisions;     /* gated starts decided */
    uint64_t allowed;
    uint64_t blocked;
    uint64_t prompted;      /* held for a person */
    uint64_t timeouts;      /* decided by timeout */
    uint64_t lost_events;   /* events dropped from client queues */
    uint64_t resyncs;       /* process table resyncs */
    uint64_t cache_hits;    /* allows answered by the kernel cache (when known) */
    uint64_t next_seq;
    uint64_t uptime_ms;
    uint64_t generation;    /* policy generation */
    /* Image digests (Linux; 0 where the component hashes nothing in user space). */
    uint64_t digest_hits;    /* digests served from the cache */
    uint64_t digest_misses;  /* digests computed */
    uint64_t digest_bytes;   /* bytes hashed */
    uint64_t digest_unknown; /* starts whose digest could not be had */
    uint32_t digest_wait_max_ms; /* longest a start waited for its digest */
    uint32_t digest_waiting;     /* starts waiting for a digest now */
    /* How the gate closes each class of exec (Linux; 0 where none applies). */
    uint32_t gate_measures; /* PG_GATE_* in force */
    uint32_t gate_open;     /* PG_GATE_* classes of exec left open (an operator's
                             * opt-out or what this kernel lacks) */
} pg_status_msg;

/* Classes of exec and the measure that closes each (pg_status_msg). */
#define PG_GATE_NEW_MOUNTS 0x01u   /* filesystems mounted later are marked as they appear */
#define PG_GATE_MEMFD 0x02u        /* in-memory programs refused in prompt/lockdown */
#define PG_GATE_UNSEEN 0x04u       /* execs the gate cannot see are ended in prompt/lockdown */
#define PG_GATE_LOADER 0x08u       /* programs run through the ELF interpreter are decided */
#define PG_GATE_LOADER_OPENS 0x10u /* ... by watching every open (measure only) */
#define PG_GATE_WHILE_DOWN 0x20u   /* a sentry keeps lockdown while the component is down */
#define PG_GATE_FREEZER 0x40u      /* cgroup v2 freezer: holds past the budget, loader runs */

/*
 * The managed layer: what policy files (Linux: --policy-dir) or Group
 * Policy (Windows: HKLM\SOFTWARE\Policies\ProcGuard) impose, and whether
 * each source was taken. pg_managed_msg is followed by the source string
 * (the directory or registry key, incl. NUL, source_len bytes, padded to
 * 8), then file_count pg_managed_file records. Each record is followed by
 * its name and its error (one sentence naming the file and the JSON
 * pointer of the bad field; 0 = none); size = sizeof(pg_managed_file) +
 * lengths, rounded up to 8.
 */
#define PG_MANF_MODE 0x01u            /* the mode is managed (clients cannot change it) */
#define PG_MANF_DEFAULT_VERDICT 0x02u /* so is the default verdict */
#define PG_MANF_TIMEOUT 0x04u         /* so is the timeout */
#define PG_MANF_HOLD_BUDGET 0x08u     /* so is the hold budget */
#define PG_MANF_LOCAL_BLOCK_ONLY 0x10u /* clients may add BLOCK rules only */
#define PG_MANF_LOCAL_NONE 0x20u      /* clients may add no rule at all */
#define PG_MANF_ALL 0x3Fu
#define PG_MAX_MANAGED_NAME_BYTES 1024u  /* pg_managed_file name, incl. NUL */
#define PG_MAX_MANAGED_ERROR_BYTES 1024u /* pg_managed_file error, incl. NUL */

enum pg_managed_state {
    PG_MANAGED_IN_FORCE = 0, /* the file as it is now is in force */
    PG_MANAGED_REJECTED = 1, /* rejected; its last good version stays in force */
    PG_MANAGED_REJECTED_NONE = 2, /* rejected; no good version of it was ever seen */
    PG_MANAGED_STATE_MAX = 2
};

typedef struct pg_managed_msg {
    pg_msg_header hdr;
    uint32_t flags;      /* PG_MANF_* */
    uint32_t file_count; /* pg_managed_file records that follow */
    uint32_t rule_count; /* managed rules in force */
    uint32_t rejected;   /* files rejected now */
    uint64_t changed_ns; /* UTC ns when the managed layer last changed; 0 = never */
    uint16_t source_len; /* incl. NUL, 0 = none */
    uint16_t reserved1;
    uint32_t reserved2;
} pg_managed_msg;

typedef struct pg_managed_file {
    uint32_t size;
    uint16_t state;      /* enum pg_managed_state */
    uint16_t name_len;   /* incl. NUL, >= 2 */
    uint32_t rule_count; /* rules of it in force */
    uint16_t error_len;  /* incl. NUL, 0 = none */
    uint16_t reserved;
} pg_managed_file;

#pragma pack(pop)

/* ------------------------------------------------------------------ */
/* Size pins                                                           */
/* ------------------------------------------------------------------ */

#if defined(__cplusplus)
#define PG_STATIC_ASSERT(c, m) static_assert(c, m)
#elif defined(__GNUC__)
/* _Static_assert is C11; __extension__ keeps -std=c99 -Wpedantic quiet
 * (mingw-w64 gcc and clang warn without it). */
#define PG_STATIC_ASSERT(c, m) __extension__ _Static_assert(c, m)
#else
#define PG_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

PG_STATIC_ASSERT(sizeof(pg_msg_header) == 16, "pg_msg_header size");
PG_STATIC_ASSERT(sizeof(pg_hello) == 64, "pg_hello size");
PG_STATIC_ASSERT(sizeof(pg_hello_reply) == 72, "pg_hello_reply size");
PG_STATIC_ASSERT(sizeof(pg_result) == 120, "pg_result size");
PG_STATIC_ASSERT(sizeof(pg_event) == 88, "pg_event size");
PG_STATIC_ASSERT(sizeof(pg_events_msg) == 24, "pg_events_msg size");
PG_STATIC_ASSERT(sizeof(pg_verdict) == 16, "pg_verdict size");
PG_STATIC_ASSERT(sizeof(pg_verdicts_msg) == 24, "pg_verdicts_msg size");
PG_STATIC_ASSERT(sizeof(pg_policy) == 48, "pg_policy size");
PG_STATIC_ASSERT(sizeof(pg_rule) == 24, "pg_rule size");
PG_STATIC_ASSERT(sizeof(pg_rule_time) == 72, "pg_rule_time size");
PG_STATIC_ASSERT(sizeof(pg_status_msg) == 208, "pg_status_msg size");
PG_STATIC_ASSERT(sizeof(pg_managed_msg) == 48, "pg_managed_msg size");
PG_STATIC_ASSERT(sizeof(pg_managed_file) == 16, "pg_managed_file size");

/* Round a record size up to the 8-byte record alignment. Written without
 * a cast so that C++ code builds with -Wold-style-cast, and without a mask
 * so that a 64-bit operand keeps its high bits. */
#define PG_ALIGN8(n) ((((n) + 7u) / 8u) * 8u)

#ifdef __cplusplus
}
#endif

#endif /* PG_PROTOCOL_H */
