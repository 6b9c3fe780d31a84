/*
 * procguard.h - private declarations of procguard.sys.
 *
 * Module description:
 *   procguard.sys is WDM glue around the portable core (driver/core): it
 *   turns process-creation callbacks into pg_event records, asks the rule
 *   cache, holds starts in pg_pending until a verdict, and carries the
 *   pg_protocol.h messages over the IOCTLs of pg_ioctl.h. The files:
 *
 *     pg_driver.c  DriverEntry, DriverUnload, create/cleanup/close, the
 *                  device DACL and the caller check.
 *     pg_ioctl.c   IRP_MJ_DEVICE_CONTROL: protocol requests and the
 *                  cancel-safe queue of pended event reads.
 *     pg_notify.c  process/thread/image callbacks, holds, events, the
 *                  timer thread that expires holds and kills processes
 *                  blocked after their launcher was released.
 *     pg_policy.c  policy in force: apply, persist to and load from the
 *                  service's registry key.
 *     pg_test.c    TEST BUILDS ONLY (PG_TEST_BUILD): the injection request.
 *
 * Locking:
 *   One spin lock (PG_GLOBALS.Lock) guards every core object (rule cache,
 *   pending table, client rings), the client list and the read queue.
 *   It is held only for short, allocation-free sections; string
 *   conversion, registry and process queries happen outside it. IRPs are
 *   completed only after the lock is released (collected on a local list).
 *
 * Why not IoCsqXxx:
 *   The WDK's cancel-safe queue would do, but Wine's ntoskrnl exports
 *   IoCsqInsertIrp and IoCsqRemoveNextIrp as stubs, and the driver must be
 *   proven under Wine. The queue here is the same pattern written out:
 *   IoSetCancelRoutine under the queue lock, and a dequeue that leaves an
 *   IRP whose cancel routine already started to that routine.
 */
#ifndef PROCGUARD_H
#define PROCGUARD_H

#include "pg_compat.h"

#include "pg_core.h"
#include "pg_ioctl.h"

#define PG_POOL_TAG 'drGP' /* "PGrd" in pool dumps */

#define PG_MAX_CLIENTS 16
#define PG_MAX_HOLDS 256
#define PG_MAX_EXEMPT 256
#define PG_RING_BYTES (64u * 1024u)
#define PG_RING_RESERVE (24u * 1024u)
#define PG_HOLD_SLACK_MS 2000u /* the launcher's own bound past the deadline */
#define PG_UNLOAD_WAIT_MS 10000u
#define PG_MAX_INJECT_THREADS 64

#define PG_DRIVER_NAME "procguard.sys 0.1.0"

/* One open handle of the device. Created in IRP_MJ_CREATE, removed in
 * IRP_MJ_CLEANUP; found by its FILE_OBJECT (FsContext is left alone so
 * that nothing depends on how the I/O manager or Wine fills it). */
typedef struct _PG_CLIENT {
    LIST_ENTRY Link;
    PFILE_OBJECT FileObject;
    ULONG Pid;
    USHORT Role; /* enum pg_role; PG_ROLE_NONE until HELLO */
    BOOLEAN Hello;
    ULONG Subscriptions;
    pg_ring Ring;
    UCHAR *RingBuffer;
} PG_CLIENT, *PPG_CLIENT;

/* One held start. Reference-counted under the lock: the launcher thread
 * waiting in the callback, the pending table entry, and once the launcher
 * left past its budget, the frozen list, the kill list and the process's
 * own thread held in the image-load callback. */
typedef struct _PG_HOLD {
    KEVENT Done;       /* set when the verdict is known */
    KEVENT KillIssued; /* Block after release: set once the process was terminated */
    ULONG Refs;
    ULONG Pid;
    uint64_t HoldId;
    uint64_t DeadlineAtMs; /* the waiters' own bound (PG_NO_DEADLINE: none) */
    UCHAR Verdict;
    UCHAR Source;
    BOOLEAN Resolved;
    BOOLEAN Released;  /* the launcher left past its budget */
    BOOLEAN OwnHeld;   /* the process's own thread waits in the image callback */
    BOOLEAN Frozen;    /* on PgGlobals.Frozen */
    PEPROCESS Process; /* referenced once Released: matched and killed by it */
    LIST_ENTRY FrozenLink;
    LIST_ENTRY KillLink;
} PG_HOLD, *PPG_HOLD;

typedef struct _PG_GLOBALS {
    PDRIVER_OBJECT DriverObject;
    PDEVICE_OBJECT DeviceObject;
    UNICODE_STRING ParametersKey; /* <service key>\Parameters */
    BOOLEAN SymlinkCreated;

    KSPIN_LOCK Lock;
    BOOLEAN Stopping;

    /* clients and the read queue */
    LIST_ENTRY Clients;
    ULONG ClientCount;
    PPG_CLIENT Controller;
    LIST_ENTRY ReadQueue;

    /* policy */
    uint32_t Mode;
    uint32_t DefaultVerdict;
    uint32_t TimeoutMs;
    uint32_t HoldBudgetMs;
    uint32_t PolicyFlags;
    uint32_t RuleCount;
    uint64_t Generation;
    UCHAR *PolicyMessage; /* the SET_POLICY message in force, or NULL */
    ULONG PolicyMessageSize;
    pg_rule_cache Rules; /* the rules in force now (time conditions applied) */
    UCHAR *RuleArena;
    BOOLEAN TimedRules;      /* some rule has a schedule or an expiry */
    int64_t RulesNextChange; /* UTC seconds when Rules must be compiled again */
    int32_t RulesTzOffset;   /* the local offset Rules were selected with */
    KEVENT PolicyMutex;      /* one apply or recompile at a time (PASSIVE_LEVEL) */

    /* holds and exemptions */
    pg_pending Pending;
    pg_pending_entry PendingEntries[PG_MAX_HOLDS];
    ULONG ExemptPids[PG_MAX_EXEMPT];
    ULONG ExemptCount;
    LIST_ENTRY Frozen;   /* PG_HOLD: launcher released, verdict pending or Block being done */
    LONG FrozenCount;    /* read without the lock by the image callback */
    LIST_ENTRY KillList; /* PG_HOLD: blocked after release, for the timer thread */

    /* counters for pg_status_msg */
    uint64_t NextSeq;
    uint64_t Starts, Decisions, Allowed, Blocked, Prompted, Timeouts, LostEvents;
    uint64_t LoadTimeMs;

    /* callbacks in flight: unload waits for them to leave */
    LONG ActiveCallbacks;
    KEVENT CallbacksIdle;
    PG_PS_SET_CREATE_PROCESS_NOTIFY_EX2 SetNotifyEx2;
    BOOLEAN ProcessNotifyEx2;
    BOOLEAN ProcessNotifyEx;
    BOOLEAN ThreadNotify;
    BOOLEAN ImageNotify;
    ULONG Subscribed; /* union of the clients' PG_SUB_* */

    /* timer thread */
    PKTHREAD TimerThread;
    KEVENT TimerWake;
    BOOLEAN TimerExit;

#if defined(PG_TEST_BUILD)
    PKTHREAD InjectThreads[PG_MAX_INJECT_THREADS];
#endif
} PG_GLOBALS;

extern PG_GLOBALS PgGlobals;

/* Context handed to pg_pending callbacks: IRPs to complete after the
 * lock is released. */
typedef struct _PG_LOCKED_WORK {
    LIST_ENTRY Complete;
} PG_LOCKED_WORK, *PPG_LOCKED_WORK;

/* pg_driver.c */
uint64_t PgNowMs(VOID);
uint64_t PgUtcNowNs(VOID);

/* pg_ioctl.c */
_Dispatch_type_(IRP_MJ_DEVICE_CONTROL) DRIVER_DISPATCH PgDispatchDeviceControl;
VOID PgInitLockedWork(PPG_LOCKED_WORK Work);
VOID PgFinishLockedWork(PPG_LOCKED_WORK Work);
VOID PgDrainReadsLocked(PPG_LOCKED_WORK Work);
VOID PgCancelClientReadsLocked(PFILE_OBJECT FileObject, PPG_LOCKED_WORK Work);
PPG_CLIENT PgFindClientLocked(PFILE_OBJECT FileObject);

/* pg_notify.c */
NTSTATUS PgStartNotify(VOID);
VOID PgStopNotify(VOID);
NTSTATUS PgStartTimer(VOID);
VOID PgStopTimer(VOID);
VOID PgUpdateSubscriptions(VOID);
VOID PgResolveAllLocked(UCHAR Source, PPG_LOCKED_WORK Work);
VOID PgResolveHoldLocked(const pg_pending_entry *Entry, PPG_LOCKED_WORK Work);
VOID PgEmitLocked(pg_event *Event, const char *Image, const char *Cmdline, const char *Sid,
                  const char *ParentImage, BOOLEAN Priority, PPG_CLIENT OnlyTo);
VOID PgExemptAddLocked(ULONG Pid);
VOID NTAPI PgCreateProcessNotifyEx(PEPROCESS Process, HANDLE ProcessId,
                                   PPS_CREATE_NOTIFY_INFO Info);
#if defined(PG_TEST_BUILD)
VOID PgTestImageLoaded(PUNICODE_STRING FullImageName, HANDLE ProcessId, PEPROCESS Process);
#endif

/* pg_policy.c */
VOID PgPolicyInitDefaults(VOID);
int PgPolicyApply(const UCHAR *Message, ULONG Size, BOOLEAN Persist, uint32_t *Detail);
NTSTATUS PgPolicyLoad(VOID);
VOID PgPolicyFree(VOID);
VOID PgPolicyTick(VOID);
ULONG PgPolicyReplySize(VOID);
VOID PgPolicyWriteReplyLocked(UCHAR *Out, uint64_t RequestId);

#if defined(PG_TEST_BUILD)
/* pg_test.c */
NTSTATUS PgTestInject(PIRP Irp, PIO_STACK_LOCATION IrpSp);
VOID PgTestWaitInjectThreads(VOID);
#endif

#endif /* PROCGUARD_H */
