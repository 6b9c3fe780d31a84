/*
 * pg_policy.c - the policy in force: apply, persist, load.
 *
 * Module description:
 *   A policy is the SET_POLICY message itself (pg_policy + pg_rule
 *   records). Applying one validates it, compiles the rule cache into a
 *   fresh arena outside the lock and swaps it in under the lock. The same
 *   bytes are written as REG_BINARY "Policy" under the service's
 *   Parameters key and applied again in DriverEntry, so mode, default
 *   verdict, timeout, budget and rules survive restarts with no panel
 *   running (lockdown from boot).
 *
 * Time conditions (pg_schedule.h):
 *   Schedules and expiry at a time are evaluated here: the rules in
 *   force at the current moment are selected (pg_rules_select) and only
 *   those are compiled. The timer thread calls PgPolicyTick every pass
 *   (at most a second apart) and compiles again at the next change
 *   (pg_rules_next_change) or when the local offset changed (daylight
 *   saving time, a new zone). Local time is the system's current bias
 *   (ExSystemTimeToLocalTime) as a fixed zone: the driver has no zone
 *   table, and re-reading the bias each pass stands in for transitions.
 *   Budgets (running time counted per day, programs ended when it runs
 *   out), rules consumed by their first start (ONCE) and rules for this
 *   boot only (REBOOT) need the service's accounting and are refused with
 *   PG_E_RANGE, naming the first such rule in the detail.
 *
 * What it must not do:
 *   Trust the registry more than a client: a stored policy goes through
 *   the same validation; a corrupt one leaves the defaults in force.
 */
#include "procguard.h"

#define PG_POLICY_VALUE L"Policy"

/* The rules in force, compiled: what PgpCompile hands over. */
typedef struct _PG_COMPILED {
    pg_rule_cache Rules;
    UCHAR *Arena;
    int64_t NextChange; /* UTC seconds; PG_TIME_NEVER */
    int32_t TzOffset;   /* local offset the rules were selected with */
} PG_COMPILED, *PPG_COMPILED;

/*++
Routine Description:
    The defaults before any policy: monitor mode (log, never block), so a
    fresh install cannot lock anybody out.
--*/
VOID PgPolicyInitDefaults(VOID)
{
    PgGlobals.Mode = PG_MODE_MONITOR;
    PgGlobals.DefaultVerdict = PG_VERDICT_ALLOW;
    PgGlobals.TimeoutMs = 30000;
    PgGlobals.HoldBudgetMs = 250;
    PgGlobals.PolicyFlags = 0;
    PgGlobals.RuleCount = 0;
    pg_rule_cache_init_empty(&PgGlobals.Rules);
}

static NTSTATUS PgpOpenParameters(HANDLE *Key, BOOLEAN Create)
{
    OBJECT_ATTRIBUTES oa;

    InitializeObjectAttributes(&oa, &PgGlobals.ParametersKey,
                               OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (Create) {
        return ZwCreateKey(Key, KEY_ALL_ACCESS, &oa, 0, NULL, REG_OPTION_NON_VOLATILE, NULL);
    }
    return ZwOpenKey(Key, KEY_READ, &oa);
}

static NTSTATUS PgpPolicySave(const UCHAR *Message, ULONG Size)
{
    UNICODE_STRING value;
    HANDLE key = NULL;
    NTSTATUS status;

    status = PgpOpenParameters(&key, TRUE);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    RtlInitUnicodeString(&value, PG_POLICY_VALUE);
    status = ZwSetValueKey(key, &value, 0, REG_BINARY, (PVOID)Message, Size);
    ZwFlushKey(key);
    ZwClose(key);
    return status;
}

/*++
Routine Description:
    Checks the time conditions of every rule: schedules and expiry at a
    time are evaluated by the driver; budgets, ONCE and REBOOT are refused
    (see the top of the file). The records were validated, so sizes can
    be trusted.

Arguments:
    Rules     - the rule records of a validated SET_POLICY.
    RuleCount - how many.
    Timed     - receives TRUE when some rule has time conditions.
    Detail    - receives the index of the first refused rule.

Return Value:
    PG_OK, or PG_E_RANGE when a rule has conditions the driver cannot keep.
--*/
static int PgpCheckTimedRules(const UCHAR *Rules, uint32_t RuleCount, BOOLEAN *Timed,
                              uint32_t *Detail)
{
    pg_rule rule;
    pg_rule_time t;
    size_t offset = 0;
    uint32_t i;

    *Timed = FALSE;
    for (i = 0; i < RuleCount; i++) {
        RtlCopyMemory(&rule, Rules + offset, sizeof(rule));
        if (pg_rule_get_time(Rules + offset, &t)) {
            *Timed = TRUE;
            if (t.budget_s != 0 || t.expiry == PG_EXPIRY_ONCE || t.expiry == PG_EXPIRY_REBOOT) {
                if (Detail != NULL) {
                    *Detail = i;
                }
                return PG_E_RANGE;
            }
        }
        offset += rule.size;
    }
    return PG_OK;
}

/*++
Routine Description:
    UTC seconds since 1970 and the local offset in force now, in seconds.
--*/
static VOID PgpNowAndOffset(int64_t *UtcSeconds, int32_t *OffsetSeconds)
{
    LARGE_INTEGER system, local;
    const LONGLONG epochDelta = 116444736000000000ll; /* 1601 -> 1970, 100 ns */
    LONGLONG bias;

    KeQuerySystemTime(&system);
    ExSystemTimeToLocalTime(&system, &local);
    *UtcSeconds = (int64_t)((system.QuadPart - epochDelta) / 10000000ll);
    /* The bias is whole minutes; round away the tick between the reads. */
    bias = (local.QuadPart - system.QuadPart) / 10000000ll;
    *OffsetSeconds = (int32_t)(((bias + (bias >= 0 ? 30 : -30)) / 60) * 60);
}

/*++
Routine Description:
    Compiles the rules of a validated SET_POLICY that are in force now
    into a fresh arena (Out->Arena, the caller's to free). PASSIVE_LEVEL,
    outside the spin lock.

Return Value:
    PG_OK or a PG_E_* code (nothing allocated is left behind).
--*/
static int PgpCompile(const UCHAR *Message, ULONG Size, BOOLEAN Timed, PPG_COMPILED Out,
                      uint32_t *Detail)
{
    pg_policy pol;
    pg_time_context ctx;
    pg_tz tz;
    const UCHAR *rules = Message + sizeof(pol);
    size_t rulesLen = Size - sizeof(pol);
    size_t selectedLen = 0;
    size_t arenaSize;
    uint32_t count;
    UCHAR *selected = NULL;
    int check = PG_OK;

    RtlCopyMemory(&pol, Message, sizeof(pol));
    count = pol.rule_count;
    RtlZeroMemory(Out, sizeof(*Out));
    Out->NextChange = PG_TIME_NEVER;
    if (Timed) {
        RtlZeroMemory(&ctx, sizeof(ctx));
        RtlZeroMemory(&tz, sizeof(tz));
        PgpNowAndOffset(&ctx.now, &tz.offset_s);
        ctx.tz = &tz;
        Out->TzOffset = tz.offset_s;
        selected = (UCHAR *)ExAllocatePoolWithTag(NonPagedPoolNx, rulesLen + 8, PG_POOL_TAG);
        if (selected == NULL) {
            return PG_E_NOSPACE;
        }
        check = pg_rules_select(rules, rulesLen, pol.rule_count, &ctx, selected, rulesLen + 8,
                                &selectedLen, &count, NULL);
        if (check != PG_OK) {
            goto Exit;
        }
        Out->NextChange = pg_rules_next_change(rules, rulesLen, pol.rule_count, &ctx);
        rules = selected;
        rulesLen = selectedLen;
    }
    arenaSize = pg_rule_cache_arena_size(rules, rulesLen, count);
    Out->Arena = (UCHAR *)ExAllocatePoolWithTag(NonPagedPoolNx, arenaSize + 16, PG_POOL_TAG);
    if (Out->Arena == NULL) {
        check = PG_E_NOSPACE;
        goto Exit;
    }
    check = pg_rule_cache_build_ex(&Out->Rules, Out->Arena, arenaSize + 16, rules, rulesLen, count,
                                   pol.flags, Detail);
    if (check != PG_OK) {
        ExFreePoolWithTag(Out->Arena, PG_POOL_TAG);
        Out->Arena = NULL;
    }

Exit:
    if (selected != NULL) {
        ExFreePoolWithTag(selected, PG_POOL_TAG);
    }
    return check;
}

/*++
Routine Description:
    Called by the timer thread on every pass (PASSIVE_LEVEL): compiles the
    rules in force again when a schedule edge or an expiry was reached, or
    the local offset changed. On failure (no memory) the rules in force
    stay and the next pass tries again.
--*/
VOID PgPolicyTick(VOID)
{
    PG_COMPILED compiled;
    UCHAR *oldArena = NULL;
    int64_t now;
    int32_t offset;
    KIRQL irql;

    if (!PgGlobals.TimedRules) {
        return;
    }
    PgpNowAndOffset(&now, &offset);
    if (now < PgGlobals.RulesNextChange && offset == PgGlobals.RulesTzOffset) {
        return;
    }
    KeWaitForSingleObject(&PgGlobals.PolicyMutex, Executive, KernelMode, FALSE, NULL);
    /* PolicyMessage changes only under PolicyMutex. */
    if (PgGlobals.TimedRules && PgGlobals.PolicyMessage != NULL &&
        PgpCompile(PgGlobals.PolicyMessage, PgGlobals.PolicyMessageSize, TRUE, &compiled, NULL) ==
            PG_OK) {
        KeAcquireSpinLock(&PgGlobals.Lock, &irql);
        oldArena = PgGlobals.RuleArena;
        PgGlobals.RuleArena = compiled.Arena;
        PgGlobals.Rules = compiled.Rules;
        PgGlobals.RulesNextChange = compiled.NextChange;
        PgGlobals.RulesTzOffset = compiled.TzOffset;
        KeReleaseSpinLock(&PgGlobals.Lock, irql);
    }
    KeSetEvent(&PgGlobals.PolicyMutex, IO_NO_INCREMENT, FALSE);
    if (oldArena != NULL) {
        ExFreePoolWithTag(oldArena, PG_POOL_TAG);
    }
}

/*++
Routine Description:
    Applies a SET_POLICY message. PASSIVE_LEVEL.

Arguments:
    Message, Size - the message (not yet trusted).
    Persist       - also write it to the registry.
    Detail        - receives the offending record index on error.

Return Value:
    PG_OK or a PG_E_* code (PG_E_INTERNAL when it could not be persisted:
    the policy is in force but would not survive a restart).
--*/
int PgPolicyApply(const UCHAR *Message, ULONG Size, BOOLEAN Persist, uint32_t *Detail)
{
    pg_policy pol;
    PG_COMPILED compiled;
    pg_event ev;
    PG_LOCKED_WORK work;
    UCHAR *arena = NULL;
    UCHAR *copy = NULL;
    UCHAR *oldArena, *oldMessage;
    BOOLEAN timed = FALSE;
    int check;
    KIRQL irql;

    /* One apply or recompile at a time (PgPolicyTick reads the message). */
    KeWaitForSingleObject(&PgGlobals.PolicyMutex, Executive, KernelMode, FALSE, NULL);
    check = pg_validate_client_message(Message, Size, Detail);
    if (check != PG_OK) {
        goto Exit;
    }
    RtlCopyMemory(&pol, Message, sizeof(pol));
    if (pol.hdr.type != PG_MSG_SET_POLICY) {
        check = PG_E_TYPE;
        goto Exit;
    }
    check = PgpCheckTimedRules(Message + sizeof(pol), pol.rule_count, &timed, Detail);
    if (check != PG_OK) {
        goto Exit;
    }
    copy = (UCHAR *)ExAllocatePoolWithTag(NonPagedPoolNx, Size, PG_POOL_TAG);
    if (copy == NULL) {
        check = PG_E_NOSPACE;
        goto Exit;
    }
    check = PgpCompile(Message, Size, timed, &compiled, Detail);
    if (check != PG_OK) {
        goto Exit;
    }
    arena = compiled.Arena;
    RtlCopyMemory(copy, Message, Size);

    PgInitLockedWork(&work);
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    oldArena = PgGlobals.RuleArena;
    oldMessage = PgGlobals.PolicyMessage;
    PgGlobals.RuleArena = arena;
    PgGlobals.Rules = compiled.Rules;
    PgGlobals.TimedRules = timed;
    PgGlobals.RulesNextChange = compiled.NextChange;
    PgGlobals.RulesTzOffset = compiled.TzOffset;
    PgGlobals.PolicyMessage = copy;
    PgGlobals.PolicyMessageSize = Size;
    PgGlobals.Mode = pol.mode;
    PgGlobals.DefaultVerdict = pol.default_verdict;
    PgGlobals.TimeoutMs = pol.timeout_ms;
    PgGlobals.HoldBudgetMs = pol.hold_budget_ms;
    PgGlobals.PolicyFlags = pol.flags;
    PgGlobals.RuleCount = pol.rule_count;
    PgGlobals.Generation++;
    RtlZeroMemory(&ev, sizeof(ev));
    ev.kind = PG_EV_POLICY;
    ev.uid = 0xFFFFFFFFu;
    ev.time_ns = PgUtcNowNs();
    ev.mode = (uint8_t)pol.mode;
    PgEmitLocked(&ev, NULL, NULL, NULL, NULL, FALSE, NULL);
    PgDrainReadsLocked(&work);
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    PgFinishLockedWork(&work);
    arena = oldArena;
    copy = oldMessage;

    if (Persist && !NT_SUCCESS(PgpPolicySave(Message, Size))) {
        check = PG_E_INTERNAL;
    }

Exit:
    KeSetEvent(&PgGlobals.PolicyMutex, IO_NO_INCREMENT, FALSE);
    if (arena != NULL) {
        ExFreePoolWithTag(arena, PG_POOL_TAG);
    }
    if (copy != NULL) {
        ExFreePoolWithTag(copy, PG_POOL_TAG);
    }
    return check;
}

/*++
Routine Description:
    Applies the policy persisted under the Parameters key, if any.
--*/
NTSTATUS PgPolicyLoad(VOID)
{
    UNICODE_STRING value;
    HANDLE key = NULL;
    PKEY_VALUE_PARTIAL_INFORMATION info = NULL;
    ULONG needed = 0;
    NTSTATUS status;

    status = PgpOpenParameters(&key, FALSE);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    RtlInitUnicodeString(&value, PG_POLICY_VALUE);
    status = ZwQueryValueKey(key, &value, KeyValuePartialInformation, NULL, 0, &needed);
    if (status != STATUS_BUFFER_TOO_SMALL && status != STATUS_BUFFER_OVERFLOW) {
        goto Exit;
    }
    if (needed > PG_MAX_MESSAGE_SIZE + sizeof(KEY_VALUE_PARTIAL_INFORMATION)) {
        status = STATUS_INVALID_PARAMETER;
        goto Exit;
    }
    info =
        (PKEY_VALUE_PARTIAL_INFORMATION)ExAllocatePoolWithTag(NonPagedPoolNx, needed, PG_POOL_TAG);
    if (info == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Exit;
    }
    status = ZwQueryValueKey(key, &value, KeyValuePartialInformation, info, needed, &needed);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    if (info->Type != REG_BINARY ||
        PgPolicyApply(info->Data, info->DataLength, FALSE, NULL) != PG_OK) {
        status = STATUS_INVALID_PARAMETER;
    }

Exit:
    if (info != NULL) {
        ExFreePoolWithTag(info, PG_POOL_TAG);
    }
    if (key != NULL) {
        ZwClose(key);
    }
    return status;
}

VOID PgPolicyFree(VOID)
{
    if (PgGlobals.RuleArena != NULL) {
        ExFreePoolWithTag(PgGlobals.RuleArena, PG_POOL_TAG);
        PgGlobals.RuleArena = NULL;
    }
    if (PgGlobals.PolicyMessage != NULL) {
        ExFreePoolWithTag(PgGlobals.PolicyMessage, PG_POOL_TAG);
        PgGlobals.PolicyMessage = NULL;
    }
    pg_rule_cache_init_empty(&PgGlobals.Rules);
}

ULONG PgPolicyReplySize(VOID)
{
    return PgGlobals.PolicyMessage != NULL ? PgGlobals.PolicyMessageSize : sizeof(pg_policy);
}

/*++
Routine Description:
    Writes the POLICY reply (PgPolicyReplySize bytes) to Out.
--*/
VOID PgPolicyWriteReplyLocked(UCHAR *Out, uint64_t RequestId)
{
    pg_policy pol;

    if (PgGlobals.PolicyMessage != NULL) {
        RtlCopyMemory(Out, PgGlobals.PolicyMessage, PgGlobals.PolicyMessageSize);
        RtlCopyMemory(&pol, Out, sizeof(pol));
    } else {
        RtlZeroMemory(&pol, sizeof(pol));
        pol.hdr.size = sizeof(pol);
        pol.mode = PgGlobals.Mode;
        pol.default_verdict = PgGlobals.DefaultVerdict;
        pol.timeout_ms = PgGlobals.TimeoutMs;
        pol.hold_budget_ms = PgGlobals.HoldBudgetMs;
    }
    pol.hdr.version = PG_PROTOCOL_VERSION;
    pol.hdr.type = PG_MSG_POLICY;
    pol.hdr.request_id = RequestId;
    pol.generation = PgGlobals.Generation;
    RtlCopyMemory(Out, &pol, sizeof(pol));
}
