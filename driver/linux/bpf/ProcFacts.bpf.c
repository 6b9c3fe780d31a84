// SPDX-License-Identifier: GPL-2.0
/*
 * ProcFacts.bpf.c - process start, exec and exit facts for procguardd,
 * straight from the scheduler's tracepoints into a ring buffer.
 *
 * Owns: three raw tracepoint programs (sched_process_fork,
 * sched_process_exec, sched_process_exit) and the ring buffer they fill.
 * The daemon (BpfProcFacts.cpp) drains the ring from its epoll loop; no
 * /proc read is needed for an ordinary start.
 *
 * Must not: block, sleep or fault (raw tracepoints run in the traced
 * task's context; user memory is read with bpf_probe_read_user, which
 * fails rather than faulting pages in), or report threads: only
 * thread-group leaders are processes for the daemon.
 *
 * Why raw tracepoints: they need no tracefs and are accepted where
 * trampoline programs (fentry, tp_btf) and BPF LSM are refused. Their
 * arguments are untyped, so every kernel structure is read with CO-RE
 * (BPF_CORE_READ) against the vmlinux.h generated at build time.
 *
 * Loss: when the ring is full a record is dropped and counted in
 * pg_dropped (a global the daemon reads through the skeleton's mmap); the
 * daemon then reports the loss and resynchronises from /proc.
 *
 * Wake-ups: a record does not wake the daemon (BPF_RB_NO_WAKEUP) unless
 * the ring is more than a quarter full. The daemon drains on a short
 * timer instead (BpfProcFacts.cpp), so that a start costs it a share of
 * one wake-up rather than three (fork, exec, exit) - wake-ups, not
 * records, are most of what the daemon spends per start.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "pg_proc_facts.h"

char LICENSE[] SEC("license") = "GPL";

_Static_assert(sizeof(struct pg_fact_hdr) == 56, "pg_fact_hdr layout changed");

/* Path components walked per exec (directories deep). Deeper paths are
 * flagged PG_FACTF_PATH_TRUNCATED and the daemon reads /proc/PID/exe. */
#define PG_PATH_DEPTH 48
#define PG_NAME_MAX 255u
#define PG_PATH_BUF 4096u

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 8 * 1024 * 1024); /* set by the daemon before load */
} pg_events SEC(".maps");

/* Records lost because the ring was full. */
__u64 pg_dropped = 0;

/* An exec record is assembled here (too big for the 512-byte stack), then
 * copied into the ring with one bpf_ringbuf_output of its real size.
 * data: argv, then the path copied behind it. walk: the path built
 * backwards from its end; twice PG_PATH_BUF so that any (offset, length)
 * pair the verifier can imagine stays inside. */
struct scratch {
    struct pg_fact_hdr hdr;
    char data[PG_FACT_ARGS_MAX + PG_PATH_BUF];
    char walk[2 * PG_PATH_BUF];
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct scratch);
} pg_scratch SEC(".maps");

static __always_inline void emit(const void *rec, __u64 size)
{
    __u64 flags = BPF_RB_NO_WAKEUP;
    if (bpf_ringbuf_query(&pg_events, BPF_RB_AVAIL_DATA) >
        bpf_ringbuf_query(&pg_events, BPF_RB_RING_SIZE) / 4)
        flags = BPF_RB_FORCE_WAKEUP;
    if (bpf_ringbuf_output(&pg_events, (void *)rec, size, flags) != 0)
        __sync_fetch_and_add(&pg_dropped, 1);
}

static __always_inline int is_leader(struct task_struct *t)
{
    return BPF_CORE_READ(t, pid) == BPF_CORE_READ(t, tgid);
}

SEC("raw_tp/sched_process_fork")
int pg_fork(struct bpf_raw_tracepoint_args *ctx)
{
    struct task_struct *child = (struct task_struct *)ctx->args[1];
    struct pg_fact_hdr h = {};

    if (!is_leader(child))
        return 0; /* a new thread, not a process */
    h.kind = PG_FACT_FORK;
    h.pid = BPF_CORE_READ(child, tgid);
    h.ppid = BPF_CORE_READ(child, real_parent, tgid);
    h.uid = (__u32)bpf_get_current_uid_gid();
    h.start_boottime_ns = BPF_CORE_READ(child, start_boottime);
    BPF_CORE_READ_STR_INTO(&h.comm, child, comm);
    emit(&h, sizeof h);
    return 0;
}

/*
 * The image's path, as /proc/PID/exe shows it: the dentries of
 * bprm->file walked up to the root of its mount namespace, crossing
 * mount points, built backwards into s->walk. Returns the offset of its
 * first byte in s->walk (PG_PATH_BUF when empty); sets
 * PG_FACTF_PATH_TRUNCATED when the walk did not reach the root.
 */
static __always_inline __u32 walk_path(struct scratch *s, struct file *file)
{
    struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
    struct vfsmount *vfsmnt = BPF_CORE_READ(file, f_path.mnt);
    struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
    __u32 off = PG_PATH_BUF;
    int done = 0;

    for (int i = 0; i < PG_PATH_DEPTH; i++) {
        struct dentry *mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
        if (dentry == mnt_root) {
            struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);
            if (parent == mnt) {
                done = 1; /* the namespace's root */
                break;
            }
            dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
            mnt = parent;
            continue;
        }
        struct dentry *up = BPF_CORE_READ(dentry, d_parent);
        if (up == dentry) {
            done = 1; /* a root that is not a mount's root (detached) */
            break;
        }
        __u32 len = BPF_CORE_READ(dentry, d_name.len);
        const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);
        if (len > PG_NAME_MAX)
            len = PG_NAME_MAX;
        if (off < len + 1)
            break; /* longer than PG_PATH_BUF */
        off = (off - len - 1) & (PG_PATH_BUF - 1);
        bpf_probe_read_kernel(&s->walk[(off + 1) & (PG_PATH_BUF - 1)], len & PG_NAME_MAX, name);
        s->walk[off & (PG_PATH_BUF - 1)] = '/';
        dentry = up;
    }
    if (!done)
        s->hdr.flags |= PG_FACTF_PATH_TRUNCATED;
    if (done && off == PG_PATH_BUF) {
        off = PG_PATH_BUF - 1; /* the root itself */
        s->walk[off] = '/';
    }
    return off;
}

SEC("raw_tp/sched_process_exec")
int pg_exec(struct bpf_raw_tracepoint_args *ctx)
{
    struct linux_binprm *bprm = (struct linux_binprm *)ctx->args[2];
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u32 zero = 0;
    struct scratch *s = bpf_map_lookup_elem(&pg_scratch, &zero);

    if (s == 0)
        return 0;
    /* After de_thread the exec-ing task is the leader, whatever thread
     * called execve. */
    s->hdr.kind = PG_FACT_EXEC;
    s->hdr.pid = BPF_CORE_READ(task, tgid);
    s->hdr.ppid = BPF_CORE_READ(task, real_parent, tgid);
    s->hdr.uid = (__u32)bpf_get_current_uid_gid();
    s->hdr.start_boottime_ns = BPF_CORE_READ(task, start_boottime);
    s->hdr.exit_code = 0;
    s->hdr.flags = 0;
    s->hdr.reserved = 0;
    /* The executed file's filesystem: the daemon tells from it whether its
     * gate saw the exec (DaemonUnseen.cpp) without a stat. */
    s->hdr.dev = BPF_CORE_READ(bprm, file, f_inode, i_sb, s_dev);
    bpf_get_current_comm(&s->hdr.comm, sizeof s->hdr.comm);

    /* argv of the new image: the kernel has just copied it to the top of
     * the new stack, so it is resident. */
    unsigned long arg_start = BPF_CORE_READ(task, mm, arg_start);
    unsigned long arg_end = BPF_CORE_READ(task, mm, arg_end);
    __u32 args = 0;
    if (arg_end > arg_start) {
        unsigned long want = arg_end - arg_start;
        if (want > PG_FACT_ARGS_MAX) {
            want = PG_FACT_ARGS_MAX;
            s->hdr.flags |= PG_FACTF_ARGS_TRUNCATED;
        }
        args = (__u32)want;
        if (bpf_probe_read_user(s->data, args & (2 * PG_FACT_ARGS_MAX - 1), (void *)arg_start) !=
            0) {
            args = 0;
            s->hdr.flags |= PG_FACTF_ARGS_UNREAD;
        }
    }
    if (args > PG_FACT_ARGS_MAX)
        args = PG_FACT_ARGS_MAX;

    __u32 off = walk_path(s, BPF_CORE_READ(bprm, file));
    __u32 path = 0;
    if (off < PG_PATH_BUF) {
        path = (PG_PATH_BUF - off) & (PG_PATH_BUF - 1);
        if (path > PG_FACT_PATH_MAX)
            path = PG_FACT_PATH_MAX;
        bpf_probe_read_kernel(&s->data[args], path, &s->walk[off & (PG_PATH_BUF - 1)]);
    }
    s->hdr.args_len = (__u16)args;
    s->hdr.path_len = (__u16)path;
    __u64 size = sizeof s->hdr + args + path;
    if (size > sizeof(struct pg_fact_hdr) + PG_FACT_ARGS_MAX + PG_PATH_BUF)
        return 0; /* cannot happen; bounds the size for the verifier */
    emit(s, size);
    return 0;
}

SEC("raw_tp/sched_process_exit")
int pg_exit(struct bpf_raw_tracepoint_args *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct pg_fact_hdr h = {};

    (void)ctx;
    if (!is_leader(task))
        return 0; /* a thread ended; the process goes on */
    h.kind = PG_FACT_EXIT;
    h.pid = BPF_CORE_READ(task, tgid);
    h.exit_code = (__u32)BPF_CORE_READ(task, exit_code);
    bpf_get_current_comm(&h.comm, sizeof h.comm);
    emit(&h, sizeof h);
    return 0;
}
