/*
 * pg_account.c - daily time budgets and ONCE rules, kept by the driver.
 *
 * Module description:
 *   The rule cache decides from facts about one start; a budget depends on
 *   how long the programs it covers ran today, and a ONCE rule on whether
 *   it already decided a start. This file keeps that state (PG_ACCOUNT in
 *   procguard.h), so that lockdown enforces them with no client connected.
 *
 *   Budgets: the bookkeeping is driver/core/pg_budget.h, the same code
 *   procguardd uses. A start that is let run is matched against the
 *   budget rules in force (Account->BudgetRules, compiled by pg_policy.c)
 *   and counts against the first rule's budget until its exit. The timer
 *   thread calls PgAccountTick every pass (at most a second apart): a new
 *   local day starts every budget from zero; a budget used up puts its
 *   rules on ExhaustedIds (pg_policy.c then compiles them as BLOCK, so new
 *   starts are blocked with the rule's message), warns each running
 *   program with a VERDICT marked PG_EVF_BUDGET, and once the rule's grace
 *   time passed terminates it with PG_STATUS_BUDGET_USED (a VERDICT
 *   marked PG_EVF_BUDGET | PG_EVF_KILLED). Monitor mode warns (marked
 *   PG_EVF_WOULD_BLOCK) and ends nothing.
 *
 *   Time used today is kept across policy changes for budgets that stay,
 *   and across driver restarts and reboots: PgAccountSaveUse stores it
 *   (the "BudgetUse" registry value) every PG_BUDGET_SAVE_MS while a
 *   budget's program runs, when a budget runs out or a day begins, and at
 *   unload; PgAccountRestoreUse adds it back at load on the same day.
 *
 *   Limits: at most PG_MAX_BUDGET_MEMBERS processes count at once (more
 *   are not counted) and PG_MAX_BUDGET_KILLS wait for their grace time.
 *   A new policy carries the running processes of budgets that stay
 *   without matching them again.
 *
 * What it must not do:
 *   Wait with the spin lock held, or terminate a process under it.
 */
#include "procguard.h"

/* Days since 1970 in local time, rounding towards minus infinity. */
static int64_t PgpLocalDay(int64_t UtcMs, int32_t OffsetSeconds)
{
    int64_t local = UtcMs / 1000 + OffsetSeconds;
    int64_t day = local / PG_DAY_SECONDS;

    if (local % PG_DAY_SECONDS != 0 && local < 0) {
        day--;
    }
    return day;
}

/* Budget time is kept on the monotonic clock of PgNowMs; the day comes
 * from the wall clock and the local offset. Under the spin lock. */
static VOID PgpSetDayLocked(PPG_ACCOUNT Account, int64_t UtcMs, int32_t OffsetSeconds,
                            int64_t NowMs)
{
    int64_t day = PgpLocalDay(UtcMs, OffsetSeconds);

    pg_budget_set_day(&Account->Budgets, day,
                      NowMs - (UtcMs - (day * PG_DAY_SECONDS - OffsetSeconds) * 1000), NowMs);
}

/*++
Routine Description:
    Builds the accounting for a validated policy's rule records: one
    budget per rule with a daily budget (rules of one budget group share
    it), and the list of ONCE rules. PASSIVE_LEVEL.

Arguments:
    Rules, RuleCount - the records (validated, so sizes can be trusted).
    Out              - receives the account, or NULL when the policy has
                       neither budgets nor ONCE rules.

Return Value:
    PG_OK or PG_E_NOSPACE.
--*/
int PgAccountCreate(const UCHAR *Rules, uint32_t RuleCount, PPG_ACCOUNT *Out)
{
    PPG_ACCOUNT account;
    pg_rule rule;
    pg_rule_time t;
    size_t offset = 0, bytes;
    uint32_t budgets = 0, onces = 0, i;
    UCHAR *p;

    *Out = NULL;
    for (i = 0; i < RuleCount; i++) {
        RtlCopyMemory(&rule, Rules + offset, sizeof(rule));
        if (pg_rule_get_time(Rules + offset, &t)) {
            budgets += t.budget_s != 0;
            onces += t.expiry == PG_EXPIRY_ONCE;
        }
        offset += rule.size;
    }
    if (budgets == 0 && onces == 0) {
        return PG_OK;
    }
    bytes = sizeof(*account) + (size_t)budgets * sizeof(pg_budget_entry) +
            PG_MAX_BUDGET_MEMBERS * sizeof(pg_budget_member) + (size_t)budgets * sizeof(uint64_t) +
            (size_t)budgets * 3 * sizeof(uint32_t) + (size_t)onces * sizeof(uint32_t);
    account = (PPG_ACCOUNT)ExAllocatePoolWithTag(NonPagedPoolNx, bytes, PG_POOL_TAG);
    if (account == NULL) {
        return PG_E_NOSPACE;
    }
    RtlZeroMemory(account, bytes);
    /* Largest alignment first: entries and keys are 8-byte aligned. */
    p = (UCHAR *)(account + 1);
    pg_budget_init(&account->Budgets, (pg_budget_entry *)p, budgets,
                   (pg_budget_member *)(p + (size_t)budgets * sizeof(pg_budget_entry)),
                   PG_MAX_BUDGET_MEMBERS);
    p += (size_t)budgets * sizeof(pg_budget_entry) +
         PG_MAX_BUDGET_MEMBERS * sizeof(pg_budget_member);
    account->BudgetRuleKeys = (uint64_t *)p;
    p += (size_t)budgets * sizeof(uint64_t);
    account->BudgetRuleIds = (uint32_t *)p;
    p += (size_t)budgets * sizeof(uint32_t);
    account->ExhaustedIds = (uint32_t *)p;
    p += (size_t)budgets * sizeof(uint32_t);
    account->Scratch = (uint32_t *)p;
    p += (size_t)budgets * sizeof(uint32_t);
    account->OnceIds = (uint32_t *)p;
    pg_rule_cache_init_empty(&account->BudgetRules);

    offset = 0;
    for (i = 0; i < RuleCount; i++) {
        RtlCopyMemory(&rule, Rules + offset, sizeof(rule));
        if (pg_rule_get_time(Rules + offset, &t)) {
            if (t.budget_s != 0) {
                uint64_t key = pg_budget_key(rule.id, t.budget_group);
                account->BudgetRuleIds[account->BudgetRuleCount] = rule.id;
                account->BudgetRuleKeys[account->BudgetRuleCount] = key;
                account->BudgetRuleCount++;
                (void)pg_budget_define(&account->Budgets, key, t.budget_s, t.grace_s);
            }
            if (t.expiry == PG_EXPIRY_ONCE) {
                account->OnceIds[account->OnceCount++] = rule.id;
            }
        }
        offset += rule.size;
    }
    *Out = account;
    return PG_OK;
}

VOID PgAccountFree(PPG_ACCOUNT Account)
{
    if (Account == NULL) {
        return;
    }
    if (Account->BudgetArena != NULL) {
        ExFreePoolWithTag(Account->BudgetArena, PG_POOL_TAG);
    }
    ExFreePoolWithTag(Account, PG_POOL_TAG);
}

/* The first budget rule of a budget, for events. */
static uint32_t PgpRuleOfKey(const PG_ACCOUNT *Account, uint64_t Key)
{
    uint32_t i;

    for (i = 0; i < Account->BudgetRuleCount; i++) {
        if (Account->BudgetRuleKeys[i] == Key) {
            return Account->BudgetRuleIds[i];
        }
    }
    return 0;
}

/* Fills Out with the ids of the budget rules whose budget is used up, in
 * policy order; returns how many. */
static uint32_t PgpExhausted(const PG_ACCOUNT *Account, const pg_budget_set *Use, int64_t NowMs,
                             uint32_t *Out)
{
    const pg_budget_entry *entry;
    uint32_t i, n = 0;

    for (i = 0; i < Account->BudgetRuleCount; i++) {
        /* Use may be the previous policy's set: its budget, this policy's
         * allowance. */
        entry = pg_budget_find(&Account->Budgets, Account->BudgetRuleKeys[i]);
        if (entry != NULL && pg_budget_used_ms(Use, Account->BudgetRuleKeys[i], NowMs) >=
                                 (int64_t)entry->seconds * 1000) {
            Out[n++] = Account->BudgetRuleIds[i];
        }
    }
    return n;
}

/*++
Routine Description:
    Before a new policy is compiled: which of its budget rules are used up
    already, by the time the previous policy's budgets counted today.
    Fills New->ExhaustedIds. Under the spin lock (Old is live).
--*/
VOID PgAccountPreviewLocked(PPG_ACCOUNT New, const PG_ACCOUNT *Old, int64_t NowMs)
{
    New->ExhaustedCount =
        Old != NULL ? PgpExhausted(New, &Old->Budgets, NowMs, New->ExhaustedIds) : 0;
}

/*++
Routine Description:
    When a new policy is swapped in, under the spin lock: time used today,
    the running processes and the warned processes of every budget that
    stays carry over. NowMs is PgNowMs(), like every budget time.
--*/
VOID PgAccountCarryLocked(PPG_ACCOUNT New, const PG_ACCOUNT *Old, int64_t NowMs)
{
    uint32_t i;

    if (New == NULL || Old == NULL) {
        return;
    }
    pg_budget_carry(&New->Budgets, &Old->Budgets, NowMs);
    for (i = 0; i < Old->Budgets.member_count; i++) {
        const pg_budget_member *m = &Old->Budgets.members[i];
        (void)pg_budget_started(&New->Budgets, m->pid, Old->Budgets.entries[m->index].key, NowMs);
    }
    for (i = 0; i < Old->KillCount; i++) {
        if (pg_budget_find(&New->Budgets, Old->Kills[i].Key) != NULL &&
            New->KillCount < PG_MAX_BUDGET_KILLS) {
            New->Kills[New->KillCount++] = Old->Kills[i];
        }
    }
}

/*++
Routine Description:
    Marks a ONCE rule used, under the spin lock. Returns TRUE when RuleId
    is a ONCE rule not used before (the caller then removes it from the
    policy with PgPolicyConsumeRule), FALSE otherwise.
--*/
BOOLEAN PgAccountTakeOnceLocked(uint32_t RuleId)
{
    PPG_ACCOUNT account = PgGlobals.Account;
    uint32_t i;

    if (account == NULL || RuleId == 0) {
        return FALSE;
    }
    for (i = 0; i < account->OnceCount; i++) {
        if (account->OnceIds[i] == RuleId) {
            account->OnceIds[i] = 0;
            return TRUE;
        }
    }
    return FALSE;
}

/*++
Routine Description:
    A start was let run: if a budget rule in force matches it, the process
    counts against that budget until it exits. Under the spin lock.
--*/
VOID PgAccountStartLocked(ULONG Pid, const pg_match_input *In)
{
    PPG_ACCOUNT account = PgGlobals.Account;
    pg_match_result match;
    uint32_t i;

    if (account == NULL || account->BudgetRuleCount == 0) {
        return;
    }
    if (!pg_rule_cache_match(&account->BudgetRules, In, &match)) {
        pg_budget_ended(&account->Budgets, Pid, (int64_t)PgNowMs());
        return;
    }
    for (i = 0; i < account->BudgetRuleCount; i++) {
        if (account->BudgetRuleIds[i] == match.rule_id) {
            (void)pg_budget_started(&account->Budgets, Pid, account->BudgetRuleKeys[i],
                                    (int64_t)PgNowMs());
            return;
        }
    }
}

/* A process ended: it no longer counts, and nothing is left to end. */
VOID PgAccountExitLocked(ULONG Pid)
{
    PPG_ACCOUNT account = PgGlobals.Account;
    ULONG i;

    if (account == NULL || account->BudgetRuleCount == 0) {
        return;
    }
    pg_budget_ended(&account->Budgets, Pid, (int64_t)PgNowMs());
    for (i = 0; i < account->KillCount;) {
        if (account->Kills[i].Pid == Pid) {
            account->Kills[i] = account->Kills[--account->KillCount];
        } else {
            i++;
        }
    }
}

/* A VERDICT about a running process's budget. */
static VOID PgpEmitBudgetLocked(ULONG Pid, uint32_t RuleId, uint16_t Flags, uint32_t GraceMs)
{
    pg_event ev;

    PgInitEvent(&ev, PG_EV_VERDICT, Pid);
    ev.verdict = PG_VERDICT_BLOCK;
    ev.source = PG_SRC_RULE;
    ev.rule_id = RuleId;
    ev.timeout_ms = GraceMs;
    ev.flags = Flags;
    PgEmitLocked(&ev, NULL, NULL, NULL, NULL, FALSE, NULL);
}

/* Ends a process whose grace time passed. PASSIVE_LEVEL, no lock held. */
static VOID PgpTerminate(ULONG Pid)
{
    PEPROCESS process = NULL;
    HANDLE handle = NULL;

    if (!NT_SUCCESS(PsLookupProcessByProcessId(ULongToHandle(Pid), &process))) {
        return;
    }
    if (NT_SUCCESS(ObOpenObjectByPointer(process, OBJ_KERNEL_HANDLE, NULL, PROCESS_TERMINATE,
                                         PG_PROCESS_TYPE, KernelMode, &handle))) {
        ZwTerminateProcess(handle, (NTSTATUS)PG_STATUS_BUDGET_USED);
        ZwClose(handle);
    }
    ObDereferenceObject(process);
}

/*++
Routine Description:
    One pass of the budgets, from the timer thread with PolicyMutex held:
    the local day, which budgets are used up, warnings, and the processes
    whose grace time passed (terminated here, outside the spin lock).

Arguments:
    UtcMs, OffsetSeconds - now, and the local offset in force.

Return Value:
    TRUE when the set of used-up rules changed: the caller compiles the
    rules again (ExhaustedIds is already updated).
--*/
BOOLEAN PgAccountTick(int64_t UtcMs, int32_t OffsetSeconds)
{
    PPG_ACCOUNT account;
    PG_LOCKED_WORK work;
    ULONG due[16];
    uint32_t dueRule[16];
    ULONG dueCount = 0;
    uint32_t n, i;
    int64_t day, nowMs;
    BOOLEAN changed = FALSE, enforce, more = TRUE;
    KIRQL irql;

    while (more) {
        more = FALSE;
        dueCount = 0;
        PgInitLockedWork(&work);
        KeAcquireSpinLock(&PgGlobals.Lock, &irql);
        account = PgGlobals.Account;
        if (account == NULL || account->BudgetRuleCount == 0) {
            KeReleaseSpinLock(&PgGlobals.Lock, irql);
            return changed;
        }
        nowMs = (int64_t)PgNowMs();
        day = account->Budgets.day;
        PgpSetDayLocked(account, UtcMs, OffsetSeconds, nowMs);
        if (day != account->Budgets.day) {
            account->SaveSoon = TRUE;
        }

        n = PgpExhausted(account, &account->Budgets, nowMs, account->Scratch);
        for (i = 0; i < account->Budgets.count && !account->SaveSoon; i++) {
            /* Running: saved every PG_BUDGET_SAVE_MS. */
            account->SaveSoon = account->Budgets.entries[i].running > 0 &&
                                (uint64_t)nowMs >= account->SavedAtMs + PG_BUDGET_SAVE_MS;
        }
        if (n != account->ExhaustedCount ||
            RtlCompareMemory(account->Scratch, account->ExhaustedIds, n * sizeof(uint32_t)) !=
                n * sizeof(uint32_t)) {
            RtlCopyMemory(account->ExhaustedIds, account->Scratch, n * sizeof(uint32_t));
            account->ExhaustedCount = n;
            account->SaveSoon = TRUE;
            changed = TRUE;
        }
        enforce = PgGlobals.Mode != PG_MODE_MONITOR;

        /* A budget with time again (a new day, a new allowance): its
         * warned processes are not ended. */
        for (i = 0; i < account->KillCount;) {
            if (!account->Kills[i].Ended &&
                !pg_budget_exhausted(&account->Budgets, account->Kills[i].Key, nowMs)) {
                account->Kills[i] = account->Kills[--account->KillCount];
            } else {
                i++;
            }
        }
        /* Warn every process running against a used-up budget, once. */
        for (i = 0; i < account->Budgets.member_count; i++) {
            const pg_budget_member *m = &account->Budgets.members[i];
            const pg_budget_entry *entry = &account->Budgets.entries[m->index];
            PPG_BUDGET_KILL kill;
            ULONG k;
            BOOLEAN known = FALSE;

            if (!pg_budget_exhausted(&account->Budgets, entry->key, nowMs)) {
                continue;
            }
            for (k = 0; k < account->KillCount && !known; k++) {
                known = account->Kills[k].Pid == m->pid;
            }
            if (known || account->KillCount >= PG_MAX_BUDGET_KILLS) {
                continue;
            }
            kill = &account->Kills[account->KillCount++];
            kill->Pid = m->pid;
            kill->Key = entry->key;
            kill->RuleId = PgpRuleOfKey(account, entry->key);
            kill->TermAtMs =
                enforce ? (uint64_t)nowMs + (uint64_t)entry->grace_s * 1000 : PG_NO_DEADLINE;
            kill->Ended = FALSE;
            PgpEmitBudgetLocked(m->pid, kill->RuleId,
                                (uint16_t)(PG_EVF_BUDGET | (enforce ? 0 : PG_EVF_WOULD_BLOCK)),
                                entry->grace_s * 1000u);
        }
        /* Grace time over: collected here, ended below without the lock. */
        for (i = 0; i < account->KillCount; i++) {
            PPG_BUDGET_KILL kill = &account->Kills[i];
            if (kill->Ended || kill->TermAtMs > (uint64_t)nowMs) {
                continue;
            }
            if (dueCount == RTL_NUMBER_OF(due)) {
                more = TRUE;
                break;
            }
            kill->Ended = TRUE;
            due[dueCount] = kill->Pid;
            dueRule[dueCount] = kill->RuleId;
            dueCount++;
        }
        PgDrainReadsLocked(&work);
        KeReleaseSpinLock(&PgGlobals.Lock, irql);
        PgFinishLockedWork(&work);

        for (i = 0; i < dueCount; i++) {
            PgpTerminate(due[i]);
            PgInitLockedWork(&work);
            KeAcquireSpinLock(&PgGlobals.Lock, &irql);
            PgpEmitBudgetLocked(due[i], dueRule[i], PG_EVF_BUDGET | PG_EVF_KILLED, 0);
            PgDrainReadsLocked(&work);
            KeReleaseSpinLock(&PgGlobals.Lock, irql);
            PgFinishLockedWork(&work);
        }
    }
    if (PgGlobals.Account != NULL && PgGlobals.Account->SaveSoon) {
        PgAccountSaveUse();
    }
    return changed;
}

/*++
Routine Description:
    Stores today's use of every budget in the registry (PgBudgetUseSave),
    so that a driver restart or a reboot does not refill a budget.
    PASSIVE_LEVEL, from the timer thread with PolicyMutex held, and at
    unload. Nothing is stored before the first tick knows the day.
--*/
VOID PgAccountSaveUse(VOID)
{
    PPG_ACCOUNT account = PgGlobals.Account;
    UCHAR *buffer;
    size_t size, written;
    KIRQL irql;

    if (account == NULL || account->BudgetRuleCount == 0) {
        return;
    }
    /* The number of budgets is fixed for an account. */
    size = pg_budget_saved_size(&account->Budgets);
    buffer = (UCHAR *)ExAllocatePoolWithTag(PagedPool, size, PG_POOL_TAG);
    if (buffer == NULL) {
        return;
    }
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    written = pg_budget_save(&account->Budgets, (int64_t)PgNowMs(), buffer, size);
    account->SaveSoon = FALSE;
    account->SavedAtMs = PgNowMs();
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    if (written != 0) {
        (void)PgBudgetUseSave(buffer, (ULONG)written);
    }
    ExFreePoolWithTag(buffer, PG_POOL_TAG);
}

/*++
Routine Description:
    At load, after the stored policy was applied: today's use saved by the
    previous load is added to the budgets that are still defined. Use from
    another day is ignored. PASSIVE_LEVEL, before the timer thread runs.
--*/
VOID PgAccountRestoreUse(VOID)
{
    PPG_ACCOUNT account = PgGlobals.Account;
    UCHAR *buffer;
    ULONG capacity, got;
    int64_t utcMs;
    int32_t offset;
    KIRQL irql;

    if (account == NULL || account->BudgetRuleCount == 0) {
        return;
    }
    /* Room for budgets the policy no longer has, too. */
    capacity = (ULONG)pg_budget_saved_size(&account->Budgets) + 4096 * PG_BUDGET_SAVED_ENTRY;
    buffer = (UCHAR *)ExAllocatePoolWithTag(PagedPool, capacity, PG_POOL_TAG);
    if (buffer == NULL) {
        return;
    }
    got = PgBudgetUseLoad(buffer, capacity);
    PgUtcMsAndOffset(&utcMs, &offset);
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    PgpSetDayLocked(account, utcMs, offset, (int64_t)PgNowMs());
    if (got != 0 && pg_budget_restore(&account->Budgets, buffer, got) != PG_OK) {
        DbgPrint("procguard: the saved budget use is malformed; budgets start from zero\n");
    }
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    ExFreePoolWithTag(buffer, PG_POOL_TAG);
}
