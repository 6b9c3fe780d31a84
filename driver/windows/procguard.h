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
 *                  service's registry key; this boot's id; ONCE rules
 *                  used up by their first start.
 *     pg_hash.c    SHA-256 of images for SHA256 rules, cached by file
 *                  identity and version.
 *     pg_account.c daily time budgets: which processes count against
 *                  which budget, warnings, and the end of the grace time.
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
#define PG_MAX_BUDGET_MEMBERS 1024 /* processes counting against budgets at once */
#define PG_MAX_BUDGET_KILLS 256    /* warned processes waiting for their grace to end */
#define PG_SHA256_HEX_BYTES 65     /* 64 hex digits and a NUL */
#define PG_BUDGET_SAVE_MS 30000u   /* how often running budgets' use is stored */

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
    BOOLEAN Facts;     /* held only for facts (PG_EVF_FACTS): the resolver may answer */
    PEPROCESS Process; /* referenced once Released: matched and killed by it */
    LIST_ENTRY FrozenLink;
    LIST_ENTRY KillLink;
} PG_HOLD, *PPG_HOLD;

/* A process warned that its budget is used up (pg_account.c). */
typedef struct _PG_BUDGET_KILL {
    ULONG Pid;
    uint32_t RuleId;   /* the first rule of the budget, reported in events */
    uint64_t Key;      /* pg_budget_key() */
    uint64_t TermAtMs; /* PgNowMs() when the grace ends; PG_NO_DEADLINE: warned only */
    BOOLEAN Ended;     /* terminated (or tried): nothing more to do */
} PG_BUDGET_KILL, *PPG_BUDGET_KILL;

/* The driver's own accounting of the rules' time conditions that depend
 * on what happened, not only on the clock: daily budgets and ONCE rules.
 * Built for each policy (PgAccountCreate) from the policy's records; one
 * allocation, the arrays follow the structure. The pointer in PgGlobals
 * and ExhaustedIds change only with both PolicyMutex and the spin lock
 * held; budget use, members and kills change under the spin lock. */
typedef struct _PG_ACCOUNT {
    pg_budget_set Budgets;
    uint32_t BudgetRuleCount;
    uint32_t *BudgetRuleIds;  /* every rule with a budget, in policy order */
    uint64_t *BudgetRuleKeys; /* the budget each of them counts against */
    uint32_t *ExhaustedIds;   /* the rules compiled as BLOCK now (budget used up) */
    uint32_t ExhaustedCount;
    uint32_t *Scratch;        /* BudgetRuleCount entries for the tick */
    uint32_t *OnceIds;        /* ONCE rules; 0 once used */
    uint32_t OnceCount;
    pg_rule_cache BudgetRules; /* the budget rules in force: what a program counts against */
    UCHAR *BudgetArena;
    PG_BUDGET_KILL Kills[PG_MAX_BUDGET_KILLS];
    ULONG KillCount;
    uint64_t SavedAtMs; /* PgNowMs() of the last save of the use */
    BOOLEAN SaveSoon;   /* a change worth saving at the next tick */
} PG_ACCOUNT, *PPG_ACCOUNT;

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
    PPG_CLIENT Resolver; /* answers holds kept only for facts (PG_ROLE_RESOLVER) */
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
    PPG_ACCOUNT Account;     /* budgets and ONCE rules of the policy, or NULL */
    UCHAR BootId[PG_BOOT_ID_BYTES]; /* this boot (REBOOT rules); see PgBootIdLoad */
    BOOLEAN BootIdKnown;

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
VOID PgInitEvent(pg_event *Ev, uint16_t Kind, ULONG Pid);
NTSTATUS PgStartNotify(VOID);
VOID PgStopNotify(VOID);
NTSTATUS PgStartTimer(VOID);
VOID PgStopTimer(VOID);
VOID PgUpdateSubscriptions(VOID);
VOID PgResolveAllLocked(UCHAR Source, PPG_LOCKED_WORK Work);
VOID PgResolveFactsLocked(BOOLEAN Facts, UCHAR Source, PPG_LOCKED_WORK Work);
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
VOID PgPolicyConsumeRule(uint32_t RuleId);
NTSTATUS PgBootIdLoad(VOID);
NTSTATUS PgBudgetUseSave(const UCHAR *Data, ULONG Size);
ULONG PgBudgetUseLoad(UCHAR *Buffer, ULONG Capacity);
VOID PgUtcMsAndOffset(int64_t *UtcMs, int32_t *OffsetSeconds);

/* pg_hash.c */
VOID PgHashInit(VOID);
BOOLEAN PgHashImage(PCUNICODE_STRING ImageFileName, char *Hex);

/* pg_account.c */
int PgAccountCreate(const UCHAR *Rules, uint32_t RuleCount, PPG_ACCOUNT *Out);
VOID PgAccountFree(PPG_ACCOUNT Account);
VOID PgAccountPreviewLocked(PPG_ACCOUNT New, const PG_ACCOUNT *Old, int64_t NowMs);
VOID PgAccountCarryLocked(PPG_ACCOUNT New, const PG_ACCOUNT *Old, int64_t NowMs);
BOOLEAN PgAccountTakeOnceLocked(uint32_t RuleId);
VOID PgAccountStartLocked(ULONG Pid, const pg_match_input *In);
VOID PgAccountExitLocked(ULONG Pid);
BOOLEAN PgAccountTick(int64_t UtcMs, int32_t OffsetSeconds);
VOID PgAccountSaveUse(VOID);
VOID PgAccountRestoreUse(VOID);

#if defined(PG_TEST_BUILD)
/* pg_test.c */
NTSTATUS PgTestInject(PIRP Irp, PIO_STACK_LOCATION IrpSp);
VOID PgTestWaitInjectThreads(VOID);
#endif

#endif /* PROCGUARD_H */
