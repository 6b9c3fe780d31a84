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
 * What it must not do:
 *   Trust the registry more than a client: a stored policy goes through
 *   the same validation; a corrupt one leaves the defaults in force.
 */
#include "procguard.h"

#define PG_POLICY_VALUE L"Policy"

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
    Refuses rules with time conditions (PG_RULEF_TIME: schedule, expiry,
    budget). This driver has no zone table nor edge timer yet, and
    compiling such a rule as if it always held would allow outside its
    window; refusing keeps the policy in force instead. The records were
    validated, so sizes can be trusted.

Arguments:
    Rules     - the rule records of a validated SET_POLICY.
    RuleCount - how many.
    Detail    - receives the index of the first timed rule.

Return Value:
    PG_OK, or PG_E_RANGE when a rule has time conditions.
--*/
static int PgpRefuseTimedRules(const UCHAR *Rules, uint32_t RuleCount, uint32_t *Detail)
{
    pg_rule rule;
    size_t offset = 0;
    uint32_t i;

    for (i = 0; i < RuleCount; i++) {
        RtlCopyMemory(&rule, Rules + offset, sizeof(rule));
        if ((rule.flags & PG_RULEF_TIME) != 0) {
            if (Detail != NULL) {
                *Detail = i;
            }
            return PG_E_RANGE;
        }
        offset += rule.size;
    }
    return PG_OK;
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
    pg_rule_cache rc;
    pg_event ev;
    PG_LOCKED_WORK work;
    UCHAR *arena = NULL;
    UCHAR *copy = NULL;
    UCHAR *oldArena, *oldMessage;
    size_t arenaSize;
    int check;
    KIRQL irql;

    check = pg_validate_client_message(Message, Size, Detail);
    if (check != PG_OK) {
        goto Exit;
    }
    RtlCopyMemory(&pol, Message, sizeof(pol));
    if (pol.hdr.type != PG_MSG_SET_POLICY) {
        check = PG_E_TYPE;
        goto Exit;
    }
    check = PgpRefuseTimedRules(Message + sizeof(pol), pol.rule_count, Detail);
    if (check != PG_OK) {
        goto Exit;
    }
    arenaSize = pg_rule_cache_arena_size(Message + sizeof(pol), Size - sizeof(pol), pol.rule_count);
    arena = (UCHAR *)ExAllocatePoolWithTag(NonPagedPoolNx, arenaSize + 16, PG_POOL_TAG);
    copy = (UCHAR *)ExAllocatePoolWithTag(NonPagedPoolNx, Size, PG_POOL_TAG);
    if (arena == NULL || copy == NULL) {
        check = PG_E_NOSPACE;
        goto Exit;
    }
    check = pg_rule_cache_build_ex(&rc, arena, arenaSize + 16, Message + sizeof(pol),
                                   Size - sizeof(pol), pol.rule_count, pol.flags, Detail);
    if (check != PG_OK) {
        goto Exit;
    }
    RtlCopyMemory(copy, Message, Size);

    PgInitLockedWork(&work);
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    oldArena = PgGlobals.RuleArena;
    oldMessage = PgGlobals.PolicyMessage;
    PgGlobals.RuleArena = arena;
    PgGlobals.Rules = rc;
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
