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
 *   Budgets are kept in pg_account.c; the rules whose budget is used up
 *   are compiled as BLOCK (pg_rules_select's exhausted_ids). A ONCE rule
 *   is removed from the policy, which is stored again, by the start it
 *   decided (PgPolicyConsumeRule). A REBOOT rule is stamped with this
 *   boot's id when it is applied (PgBootIdLoad: a volatile registry key)
 *   and is expired in any other boot; like other expired rules it stays
 *   in the stored policy, ignored.
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
    pg_rule_cache BudgetRules; /* the budget rules in force (with an account) */
    UCHAR *BudgetArena;        /* NULL without budget rules */
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

/* Writes a REG_BINARY value under the Parameters key and flushes it. */
static NTSTATUS PgpSaveValue(PCWSTR Name, const VOID *Data, ULONG Size)
{
    UNICODE_STRING value;
    HANDLE key = NULL;
    NTSTATUS status;

    status = PgpOpenParameters(&key, TRUE);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    RtlInitUnicodeString(&value, Name);
    status = ZwSetValueKey(key, &value, 0, REG_BINARY, (PVOID)Data, Size);
    ZwFlushKey(key);
    ZwClose(key);
    return status;
}

static NTSTATUS PgpPolicySave(const UCHAR *Message, ULONG Size)
{
    return PgpSaveValue(PG_POLICY_VALUE, Message, Size);
}

/* Today's budget use (pg_account.c), so that a restart does not refill
 * a budget. */
NTSTATUS PgBudgetUseSave(const UCHAR *Data, ULONG Size)
{
    return PgpSaveValue(L"BudgetUse", Data, Size);
}

/*++
Routine Description:
    Reads the saved budget use into Buffer. Returns the bytes read, 0
    when there is none (or it does not fit).
--*/
ULONG PgBudgetUseLoad(UCHAR *Buffer, ULONG Capacity)
{
    UNICODE_STRING value;
    HANDLE key = NULL;
    PKEY_VALUE_PARTIAL_INFORMATION info = NULL;
    ULONG needed = 0, got = 0;

    if (!NT_SUCCESS(PgpOpenParameters(&key, FALSE))) {
        return 0;
    }
    RtlInitUnicodeString(&value, L"BudgetUse");
    needed = sizeof(KEY_VALUE_PARTIAL_INFORMATION) + Capacity;
    info =
        (PKEY_VALUE_PARTIAL_INFORMATION)ExAllocatePoolWithTag(PagedPool, needed, PG_POOL_TAG);
    if (info != NULL &&
        NT_SUCCESS(ZwQueryValueKey(key, &value, KeyValuePartialInformation, info, needed,
                                   &needed)) &&
        info->Type == REG_BINARY && info->DataLength <= Capacity) {
        RtlCopyMemory(Buffer, info->Data, info->DataLength);
        got = info->DataLength;
    }
    if (info != NULL) {
        ExFreePoolWithTag(info, PG_POOL_TAG);
    }
    ZwClose(key);
    return got;
}

/*++
Routine Description:
    Whether some rule has time conditions, and stamps every REBOOT rule
    that names no boot with this boot (the records are the driver's own
    copy). The records were validated, so sizes can be trusted.
--*/
static BOOLEAN PgpPrepareTimedRules(UCHAR *Rules, uint32_t RuleCount)
{
    static const UCHAR noBoot[PG_BOOT_ID_BYTES] = {0};
    pg_rule rule;
    pg_rule_time t;
    size_t offset = 0;
    uint32_t i;
    BOOLEAN timed = FALSE;

    for (i = 0; i < RuleCount; i++) {
        RtlCopyMemory(&rule, Rules + offset, sizeof(rule));
        if (pg_rule_get_time(Rules + offset, &t)) {
            timed = TRUE;
            if (t.expiry == PG_EXPIRY_REBOOT && PgGlobals.BootIdKnown &&
                RtlCompareMemory(t.boot_id, noBoot, sizeof(noBoot)) == sizeof(noBoot)) {
                RtlCopyMemory(Rules + offset + pg_rule_time_offset(&rule) +
                                  FIELD_OFFSET(pg_rule_time, boot_id),
                              PgGlobals.BootId, PG_BOOT_ID_BYTES);
            }
        }
        offset += rule.size;
    }
    return timed;
}

/*++
Routine Description:
    UTC milliseconds since 1970 and the local offset in force now, in
    seconds.
--*/
VOID PgUtcMsAndOffset(int64_t *UtcMs, int32_t *OffsetSeconds)
{
    LARGE_INTEGER system, local;
    const LONGLONG epochDelta = 116444736000000000ll; /* 1601 -> 1970, 100 ns */
    LONGLONG bias;

    KeQuerySystemTime(&system);
    ExSystemTimeToLocalTime(&system, &local);
    *UtcMs = (int64_t)((system.QuadPart - epochDelta) / 10000ll);
    /* The bias is whole minutes; round away the tick between the reads. */
    bias = (local.QuadPart - system.QuadPart) / 10000000ll;
    *OffsetSeconds = (int32_t)(((bias + (bias >= 0 ? 30 : -30)) / 60) * 60);
}

/* Compiles records into a fresh arena of the exact size. */
static int PgpBuildCache(const UCHAR *Rules, size_t RulesLen, uint32_t Count, uint32_t Flags,
                         pg_rule_cache *Cache, UCHAR **Arena, uint32_t *Detail)
{
    size_t arenaSize = pg_rule_cache_arena_size(Rules, RulesLen, Count);
    int check;

    *Arena = (UCHAR *)ExAllocatePoolWithTag(NonPagedPoolNx, arenaSize + 16, PG_POOL_TAG);
    if (*Arena == NULL) {
        return PG_E_NOSPACE;
    }
    check = pg_rule_cache_build_ex(Cache, *Arena, arenaSize + 16, Rules, RulesLen, Count, Flags,
                                   Detail);
    if (check != PG_OK) {
        ExFreePoolWithTag(*Arena, PG_POOL_TAG);
        *Arena = NULL;
    }
    return check;
}

/*++
Routine Description:
    Compiles the budget rules in force (schedules apply, used-up budgets
    do not: membership does not depend on the time left) into their own
    cache, which says what budget a program counts against. Scratch has
    room for RulesLen + 8 bytes.
--*/
static int PgpCompileBudgetRules(const UCHAR *Rules, size_t RulesLen, uint32_t RuleCount,
                                 const pg_time_context *Ctx, uint32_t Flags, UCHAR *Scratch,
                                 PPG_COMPILED Out)
{
    pg_time_context ctx = *Ctx;
    pg_rule rule;
    pg_rule_time t;
    size_t offset = 0, len = 0, selectedLen = 0;
    uint32_t i, count = 0, selected = 0;
    UCHAR *picked;
    int check;

    picked = (UCHAR *)ExAllocatePoolWithTag(NonPagedPoolNx, RulesLen + 8, PG_POOL_TAG);
    if (picked == NULL) {
        return PG_E_NOSPACE;
    }
    for (i = 0; i < RuleCount; i++) {
        RtlCopyMemory(&rule, Rules + offset, sizeof(rule));
        if (pg_rule_get_time(Rules + offset, &t) && t.budget_s != 0) {
            RtlCopyMemory(picked + len, Rules + offset, rule.size);
            len += rule.size;
            count++;
        }
        offset += rule.size;
    }
    ctx.exhausted_ids = NULL;
    ctx.exhausted_count = 0;
    check = pg_rules_select(picked, len, count, &ctx, Scratch, RulesLen + 8, &selectedLen,
                            &selected, NULL);
    if (check == PG_OK) {
        check = PgpBuildCache(Scratch, selectedLen, selected, Flags, &Out->BudgetRules,
                              &Out->BudgetArena, NULL);
    }
    ExFreePoolWithTag(picked, PG_POOL_TAG);
    return check;
}

/*++
Routine Description:
    Compiles the rules of a validated SET_POLICY that are in force now
    into a fresh arena (Out->Arena, the caller's to free), and with
    Account the budget rules in force (Out->BudgetArena). The rules of
    Account->ExhaustedIds are compiled as BLOCK. PASSIVE_LEVEL, outside
    the spin lock.

Return Value:
    PG_OK or a PG_E_* code (nothing allocated is left behind).
--*/
static int PgpCompile(const UCHAR *Message, ULONG Size, BOOLEAN Timed, const PG_ACCOUNT *Account,
                      PPG_COMPILED Out, uint32_t *Detail)
{
    pg_policy pol;
    pg_time_context ctx;
    pg_tz tz;
    const UCHAR *rules = Message + sizeof(pol);
    size_t rulesLen = Size - sizeof(pol);
    size_t selectedLen = 0;
    uint32_t count;
    UCHAR *selected = NULL;
    int64_t nowMs;
    int check = PG_OK;

    RtlCopyMemory(&pol, Message, sizeof(pol));
    count = pol.rule_count;
    RtlZeroMemory(Out, sizeof(*Out));
    Out->NextChange = PG_TIME_NEVER;
    pg_rule_cache_init_empty(&Out->BudgetRules);
    if (Timed) {
        RtlZeroMemory(&ctx, sizeof(ctx));
        RtlZeroMemory(&tz, sizeof(tz));
        PgUtcMsAndOffset(&nowMs, &tz.offset_s);
        ctx.now = nowMs / 1000;
        ctx.tz = &tz;
        ctx.boot_id = PgGlobals.BootIdKnown ? PgGlobals.BootId : NULL;
        if (Account != NULL) {
            ctx.exhausted_ids = Account->ExhaustedIds;
            ctx.exhausted_count = Account->ExhaustedCount;
        }
        Out->TzOffset = tz.offset_s;
        selected = (UCHAR *)ExAllocatePoolWithTag(NonPagedPoolNx, rulesLen + 8, PG_POOL_TAG);
        if (selected == NULL) {
            return PG_E_NOSPACE;
        }
        if (Account != NULL && Account->BudgetRuleCount != 0) {
            check = PgpCompileBudgetRules(rules, rulesLen, pol.rule_count, &ctx, pol.flags,
                                          selected, Out);
            if (check != PG_OK) {
                goto Exit;
            }
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
    check = PgpBuildCache(rules, rulesLen, count, pol.flags, &Out->Rules, &Out->Arena, Detail);

Exit:
    if (check != PG_OK && Out->BudgetArena != NULL) {
        ExFreePoolWithTag(Out->BudgetArena, PG_POOL_TAG);
        Out->BudgetArena = NULL;
    }
    if (selected != NULL) {
        ExFreePoolWithTag(selected, PG_POOL_TAG);
    }
    return check;
}

/*++
Routine Description:
    Puts compiled rules in force (PolicyMutex and the spin lock held).
    Returns the arenas they replace, for the caller to free after the
    lock: *OldArena always, *OldBudgetArena when an account is in force.
--*/
static VOID PgpInstallCompiledLocked(PPG_COMPILED Compiled, UCHAR **OldArena,
                                     UCHAR **OldBudgetArena)
{
    *OldArena = PgGlobals.RuleArena;
    PgGlobals.RuleArena = Compiled->Arena;
    PgGlobals.Rules = Compiled->Rules;
    PgGlobals.RulesNextChange = Compiled->NextChange;
    PgGlobals.RulesTzOffset = Compiled->TzOffset;
    *OldBudgetArena = Compiled->BudgetArena;
    if (PgGlobals.Account != NULL) {
        *OldBudgetArena = PgGlobals.Account->BudgetArena;
        PgGlobals.Account->BudgetArena = Compiled->BudgetArena;
        PgGlobals.Account->BudgetRules = Compiled->BudgetRules;
    }
}

/*++
Routine Description:
    Called by the timer thread on every pass (PASSIVE_LEVEL): the budgets
    (pg_account.c), then compiles the rules in force again when a schedule
    edge or an expiry was reached, the local offset changed or the set of
    used-up budgets changed. On failure (no memory) the rules in force
    stay and the next pass tries again.
--*/
VOID PgPolicyTick(VOID)
{
    PG_COMPILED compiled;
    UCHAR *oldArena = NULL, *oldBudgetArena = NULL;
    int64_t nowMs;
    int32_t offset;
    BOOLEAN budgetsChanged = FALSE;
    KIRQL irql;

    if (!PgGlobals.TimedRules) {
        return;
    }
    PgUtcMsAndOffset(&nowMs, &offset);
    if ((PgGlobals.Account == NULL || PgGlobals.Account->BudgetRuleCount == 0) &&
        nowMs / 1000 < PgGlobals.RulesNextChange &&
        offset == PgGlobals.RulesTzOffset) {
        return;
    }
    KeWaitForSingleObject(&PgGlobals.PolicyMutex, Executive, KernelMode, FALSE, NULL);
    /* PolicyMessage and Account change only under PolicyMutex. */
    if (PgGlobals.Account != NULL) {
        budgetsChanged = PgAccountTick(nowMs, offset);
    }
    if (PgGlobals.TimedRules && PgGlobals.PolicyMessage != NULL &&
        (budgetsChanged || nowMs / 1000 >= PgGlobals.RulesNextChange ||
         offset != PgGlobals.RulesTzOffset) &&
        PgpCompile(PgGlobals.PolicyMessage, PgGlobals.PolicyMessageSize, TRUE, PgGlobals.Account,
                   &compiled, NULL) == PG_OK) {
        KeAcquireSpinLock(&PgGlobals.Lock, &irql);
        PgpInstallCompiledLocked(&compiled, &oldArena, &oldBudgetArena);
        KeReleaseSpinLock(&PgGlobals.Lock, irql);
    }
    KeSetEvent(&PgGlobals.PolicyMutex, IO_NO_INCREMENT, FALSE);
    if (oldArena != NULL) {
        ExFreePoolWithTag(oldArena, PG_POOL_TAG);
    }
    if (oldBudgetArena != NULL) {
        ExFreePoolWithTag(oldBudgetArena, PG_POOL_TAG);
    }
}

/*++
Routine Description:
    Applies a SET_POLICY message, PolicyMutex held. PASSIVE_LEVEL.
    See PgPolicyApply.
--*/
static int PgpApplyHeld(const UCHAR *Message, ULONG Size, BOOLEAN Persist, uint32_t *Detail)
{
    pg_policy pol;
    PG_COMPILED compiled;
    pg_event ev;
    PG_LOCKED_WORK work;
    PPG_ACCOUNT account = NULL, oldAccount;
    UCHAR *arena = NULL, *budgetArena = NULL;
    UCHAR *copy = NULL;
    UCHAR *oldMessage;
    BOOLEAN timed;
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
    copy = (UCHAR *)ExAllocatePoolWithTag(NonPagedPoolNx, Size, PG_POOL_TAG);
    if (copy == NULL) {
        check = PG_E_NOSPACE;
        goto Exit;
    }
    RtlCopyMemory(copy, Message, Size);
    timed = PgpPrepareTimedRules(copy + sizeof(pol), pol.rule_count);
    check = PgAccountCreate(copy + sizeof(pol), pol.rule_count, &account);
    if (check != PG_OK) {
        goto Exit;
    }
    if (account != NULL) {
        KeAcquireSpinLock(&PgGlobals.Lock, &irql);
        PgAccountPreviewLocked(account, PgGlobals.Account, (int64_t)PgNowMs());
        KeReleaseSpinLock(&PgGlobals.Lock, irql);
    }
    check = PgpCompile(copy, Size, timed, account, &compiled, Detail);
    if (check != PG_OK) {
        goto Exit;
    }

    PgInitLockedWork(&work);
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    oldAccount = PgGlobals.Account;
    PgAccountCarryLocked(account, oldAccount, (int64_t)PgNowMs());
    PgGlobals.Account = account;
    PgpInstallCompiledLocked(&compiled, &arena, &budgetArena);
    oldMessage = PgGlobals.PolicyMessage;
    PgGlobals.TimedRules = timed;
    PgGlobals.PolicyMessage = copy;
    PgGlobals.PolicyMessageSize = Size;
    PgGlobals.Mode = pol.mode;
    PgGlobals.DefaultVerdict = pol.default_verdict;
    PgGlobals.TimeoutMs = pol.timeout_ms;
    PgGlobals.HoldBudgetMs = pol.hold_budget_ms;
    PgGlobals.PolicyFlags = pol.flags;
    PgGlobals.RuleCount = pol.rule_count;
    PgGlobals.Generation++;
    PgInitEvent(&ev, PG_EV_POLICY, 0);
    ev.mode = (uint8_t)pol.mode;
    PgEmitLocked(&ev, NULL, NULL, NULL, NULL, FALSE, NULL);
    PgDrainReadsLocked(&work);
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    PgFinishLockedWork(&work);
    account = oldAccount;
    copy = oldMessage;

    /* What is stored is what is in force: REBOOT rules with their boot. */
    if (Persist && !NT_SUCCESS(PgpPolicySave(PgGlobals.PolicyMessage, Size))) {
        check = PG_E_INTERNAL;
    }

Exit:
    if (arena != NULL) {
        ExFreePoolWithTag(arena, PG_POOL_TAG);
    }
    if (budgetArena != NULL) {
        ExFreePoolWithTag(budgetArena, PG_POOL_TAG);
    }
    PgAccountFree(account);
    if (copy != NULL) {
        ExFreePoolWithTag(copy, PG_POOL_TAG);
    }
    return check;
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
    int check;

    /* One apply or recompile at a time (PgPolicyTick reads the message). */
    KeWaitForSingleObject(&PgGlobals.PolicyMutex, Executive, KernelMode, FALSE, NULL);
    check = PgpApplyHeld(Message, Size, Persist, Detail);
    KeSetEvent(&PgGlobals.PolicyMutex, IO_NO_INCREMENT, FALSE);
    return check;
}

/*++
Routine Description:
    A ONCE rule decided a start (PgAccountTakeOnceLocked said so): the
    policy in force without that rule is applied and stored, and clients
    see a POLICY event, as for any change. PASSIVE_LEVEL, in the
    launcher's thread after its start was decided. A SET_POLICY that
    came in between and no longer has the rule wins.
--*/
VOID PgPolicyConsumeRule(uint32_t RuleId)
{
    pg_policy pol;
    pg_rule rule;
    pg_rule_time t;
    UCHAR *rules, *next = NULL;
    size_t offset = 0;
    uint32_t i;

    KeWaitForSingleObject(&PgGlobals.PolicyMutex, Executive, KernelMode, FALSE, NULL);
    if (PgGlobals.PolicyMessage == NULL) {
        goto Exit;
    }
    RtlCopyMemory(&pol, PgGlobals.PolicyMessage, sizeof(pol));
    rules = PgGlobals.PolicyMessage + sizeof(pol);
    for (i = 0; i < pol.rule_count; i++) {
        RtlCopyMemory(&rule, rules + offset, sizeof(rule));
        if (rule.id == RuleId) {
            break;
        }
        offset += rule.size;
    }
    if (i == pol.rule_count || !pg_rule_get_time(rules + offset, &t) ||
        t.expiry != PG_EXPIRY_ONCE) {
        goto Exit;
    }
    next = (UCHAR *)ExAllocatePoolWithTag(NonPagedPoolNx, PgGlobals.PolicyMessageSize,
                                          PG_POOL_TAG);
    if (next == NULL) {
        /* The rule stays in the policy; it is already marked used. */
        goto Exit;
    }
    RtlCopyMemory(next, PgGlobals.PolicyMessage, sizeof(pol) + offset);
    RtlCopyMemory(next + sizeof(pol) + offset, rules + offset + rule.size,
                  PgGlobals.PolicyMessageSize - sizeof(pol) - offset - rule.size);
    pol.rule_count--;
    pol.hdr.size = PgGlobals.PolicyMessageSize - rule.size;
    RtlCopyMemory(next, &pol, sizeof(pol));
    if (PgpApplyHeld(next, pol.hdr.size, TRUE, NULL) != PG_OK) {
        DbgPrint("procguard: the used ONCE rule %lu stays in the stored policy\n",
                 (unsigned long)RuleId);
    }

Exit:
    KeSetEvent(&PgGlobals.PolicyMutex, IO_NO_INCREMENT, FALSE);
    if (next != NULL) {
        ExFreePoolWithTag(next, PG_POOL_TAG);
    }
}

/*++
Routine Description:
    This boot's id, for REBOOT rules ("until the machine restarts"): kept
    in the volatile subkey Parameters\Boot, which Windows does not write
    to disk, so it lives exactly as long as this boot; the driver may be
    stopped and started any number of times in between. Made on first
    use from the clocks and counters at hand, hashed. Without it (no
    registry) REBOOT rules last until they are removed, as documented.
--*/
NTSTATUS PgBootIdLoad(VOID)
{
    UNICODE_STRING name, value;
    OBJECT_ATTRIBUTES oa;
    HANDLE parameters = NULL, boot = NULL;
    UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + PG_BOOT_ID_BYTES];
    PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
    pg_sha256_ctx sha;
    UCHAR digest[32];
    LARGE_INTEGER now, counter;
    PVOID self = &PgGlobals;
    ULONG needed = 0, disposition = 0;
    NTSTATUS status;

    status = PgpOpenParameters(&parameters, TRUE);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    RtlInitUnicodeString(&name, L"Boot");
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, parameters,
                               NULL);
    status = ZwCreateKey(&boot, KEY_ALL_ACCESS, &oa, 0, NULL, REG_OPTION_VOLATILE, &disposition);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    RtlInitUnicodeString(&value, L"Id");
    status = ZwQueryValueKey(boot, &value, KeyValuePartialInformation, info, sizeof(buffer),
                             &needed);
    if (NT_SUCCESS(status) && info->Type == REG_BINARY && info->DataLength == PG_BOOT_ID_BYTES) {
        RtlCopyMemory(PgGlobals.BootId, info->Data, PG_BOOT_ID_BYTES);
        PgGlobals.BootIdKnown = TRUE;
        goto Exit;
    }
    KeQuerySystemTime(&now);
    counter = KeQueryPerformanceCounter(NULL);
    pg_sha256_init(&sha);
    pg_sha256_update(&sha, &now, sizeof(now));
    pg_sha256_update(&sha, &counter, sizeof(counter));
    pg_sha256_update(&sha, &self, sizeof(self));
    pg_sha256_update(&sha, &PgGlobals.LoadTimeMs, sizeof(PgGlobals.LoadTimeMs));
    pg_sha256_final(&sha, digest);
    status = ZwSetValueKey(boot, &value, 0, REG_BINARY, digest, PG_BOOT_ID_BYTES);
    if (NT_SUCCESS(status)) {
        RtlCopyMemory(PgGlobals.BootId, digest, PG_BOOT_ID_BYTES);
        PgGlobals.BootIdKnown = TRUE;
    }

Exit:
    if (boot != NULL) {
        ZwClose(boot);
    }
    ZwClose(parameters);
    return status;
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
    PgAccountFree(PgGlobals.Account);
    PgGlobals.Account = NULL;
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
