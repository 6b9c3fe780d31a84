/*
 * pg_proc_facts.h - the records procguardd's BPF tracepoint programs
 * (ProcFacts.bpf.c) write into their ring buffer, and the daemon decodes
 * (ProcFactDecode.h). Shared by the BPF object and user space, so plain C
 * with fixed-width fields only; the layout is private to one build of
 * procguardd (the object is embedded in the binary), never a wire format.
 *
 * A record is a pg_fact_hdr followed by args_len bytes of the new
 * program's argv (NUL-separated, as in /proc/PID/cmdline) and path_len
 * bytes of its image path (no NUL). Only EXEC records carry bytes.
 */
#ifndef PG_PROC_FACTS_H
#define PG_PROC_FACTS_H

#ifdef __bpf__
/* vmlinux.h provides the kernel's __u32 and friends. */
typedef __u16 pg_u16;
typedef __u32 pg_u32;
typedef __u64 pg_u64;
#else
#include <stdint.h>
typedef uint16_t pg_u16;
typedef uint32_t pg_u32;
typedef uint64_t pg_u64;
#endif

enum pg_fact_kind {
    PG_FACT_FORK = 1, /* a new process (thread-group leader) */
    PG_FACT_EXEC = 2, /* a process replaced its image */
    PG_FACT_EXIT = 3  /* a thread-group leader exited */
};

enum pg_fact_flags {
    PG_FACTF_ARGS_TRUNCATED = 1u << 0, /* argv was longer than PG_FACT_ARGS_MAX */
    PG_FACTF_PATH_TRUNCATED = 1u << 1, /* the path walk stopped early: path unusable */
    PG_FACTF_ARGS_UNREAD = 1u << 2     /* argv could not be read from the new mm */
};

/* argv bytes read per exec: PG_MAX_CMDLINE_BYTES, so that truncation is
 * decided exactly as for /proc/PID/cmdline. */
#define PG_FACT_ARGS_MAX 8192u
/* path bytes per exec (PG_MAX_PATH_BYTES without the NUL) */
#define PG_FACT_PATH_MAX 4095u
#define PG_FACT_COMM_BYTES 16u

struct pg_fact_hdr {
    pg_u32 kind;              /* enum pg_fact_kind */
    pg_u32 pid;               /* tgid, in the initial pid namespace */
    pg_u32 ppid;              /* real_parent's tgid (FORK, EXEC) */
    pg_u32 uid;               /* real uid (FORK: the parent's, which the child shares; EXEC) */
    pg_u64 start_boottime_ns; /* task start, CLOCK_BOOTTIME ns (FORK, EXEC) */
    pg_u32 exit_code;         /* wait status (EXIT) */
    pg_u16 flags;             /* PG_FACTF_* */
    pg_u16 args_len;          /* argv bytes following the header (EXEC) */
    pg_u16 path_len;          /* path bytes following argv (EXEC) */
    pg_u16 reserved;          /* 0 */
    pg_u32 dev;               /* EXEC: the executed file's device, kernel encoding
                               * (major << 20 | minor) */
    char comm[PG_FACT_COMM_BYTES]; /* task name, NUL-padded */
};

#endif /* PG_PROC_FACTS_H */
