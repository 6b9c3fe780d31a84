/*
 * pg_notify.c - process, thread and image callbacks; holds; events.
 *
 * Module description:
 *   PgCreateProcessNotifyEx is the heart of the driver: for each start it
 *   builds a START event (PID, parent, creator from CreatingThreadId,
 *   image normalised for matching, command line, user SID, session),
 *   decides by exemption, rule, mode, or holds the launcher for the
 *   controlling client, and sets CreationStatus to STATUS_ACCESS_DENIED
 *   on Block. The test build's injection request calls this same routine.
 *
 * Holds (DESIGN.md section 3):
 *   The launcher waits on a KEVENT with a bound: the hold budget, then
 *   the deadline plus PG_HOLD_SLACK_MS. The timer thread expires holds at
 *   their deadline with the default verdict. Past the budget the launcher
 *   is released (the start proceeds, PG_EVF_FROZEN) and the hold stays,
 *   now on the frozen list with a reference to the process. The new
 *   process then makes its first image load in its own context (its
 *   loader mapping kernel32.dll, in the initial thread or a loader worker
 *   the initial thread waits for, before the program's TLS callbacks and
 *   entry point): the image callback holds that thread there,
 *   in a kernel-mode wait its owner cannot end, bounded like the
 *   launcher's. Allow releases it; Block terminates the process from the
 *   timer thread (ZwTerminateProcess, PG_STATUS_BLOCKED_AFTER_RELEASE)
 *   and only then lets the held thread return, into its termination.
 *
 * Normalised image path:
 *   DOS form ("C:" instead of "\Device\HarddiskVolumeN", no "\??\"),
 *   separators as '/', upcased with the kernel's Unicode tables, UTF-8.
 *   '/' is the separator the core's globs and prefixes understand; the
 *   upcasing is the Unicode case folding the core leaves to the driver.
 *
 * What it must not do:
 *   Wait without a bound, hold the lock across anything but core calls,
 *   or hold starts of the controlling client, its descendants or the
 *   critical system processes.
 */
#include "procguard.h"

static CREATE_THREAD_NOTIFY_ROUTINE PgpThreadNotify;
static LOAD_IMAGE_NOTIFY_ROUTINE PgpImageNotify;
static KSTART_ROUTINE PgpTimerThread;

/* Everything one start needs, too big for a kernel stack. */
typedef struct _PG_START_INFO {
    char Image[PG_MAX_PATH_BYTES];
    char Cmdline[PG_MAX_CMDLINE_BYTES];
    char Sid[PG_MAX_SID_BYTES];
    char Parent[PG_MAX_PATH_BYTES];
    WCHAR Scratch[PG_MAX_PATH_BYTES];
    WCHAR Upcase[PG_MAX_PATH_BYTES];
    uint16_t ImageLen, CmdlineLen, SidLen, ParentLen;
    uint16_t Flags;
    BOOLEAN CmdlineKnown; /* CommandLine was given (NULL: not known) */
    BOOLEAN HashKnown;    /* the digest was looked for (a SHA256 rule could decide) */
    BOOLEAN HasHash;      /* ... and found: Sha256 holds it */
    ULONG SessionId;
    char Sha256[PG_SHA256_HEX_BYTES];
} PG_START_INFO, *PPG_START_INFO;

/* ------------------------------------------------------------------ */
/* Callbacks in flight                                                 */
/* ------------------------------------------------------------------ */

static VOID PgpEnterCallback(VOID)
{
    if (InterlockedIncrement(&PgGlobals.ActiveCallbacks) == 1) {
        KeClearEvent(&PgGlobals.CallbacksIdle);
    }
}

static VOID PgpLeaveCallback(VOID)
{
    if (InterlockedDecrement(&PgGlobals.ActiveCallbacks) == 0) {
        KeSetEvent(&PgGlobals.CallbacksIdle, IO_NO_INCREMENT, FALSE);
    }
}

/* ------------------------------------------------------------------ */
/* Strings                                                             */
/* ------------------------------------------------------------------ */

/*++
Routine Description:
    UTF-16 to a NUL-terminated UTF-8 field of at most OutSize bytes,
    truncated (and flagged) when longer. Inner NULs become '?' so that
    the record passes pg_validate_string.

Return Value:
    The field length including the NUL (0 when Chars is 0 and the string
    is absent).
--*/
static uint16_t PgpToUtf8(const WCHAR *Src, ULONG Chars, char *Out, ULONG OutSize, uint16_t *Flags)
{
    ULONG written = 0;
    ULONG i;
    NTSTATUS status;

    if (Src == NULL) {
        return 0;
    }
    /* Three UTF-8 bytes per UTF-16 unit at most: cut before converting
     * rather than rely on partial output from a failed conversion. */
    if (Chars > (OutSize - 1) / 3) {
        Chars = (OutSize - 1) / 3;
        *Flags |= PG_EVF_TRUNCATED;
    }
    status = RtlUnicodeToUTF8N(Out, OutSize - 1, &written, Src, Chars * sizeof(WCHAR));
    if (!NT_SUCCESS(status) && status != STATUS_SOME_NOT_MAPPED) {
        written = 0;
    }
    for (i = 0; i < written; i++) {
        if (Out[i] == '\0') {
            Out[i] = '?';
        }
    }
    Out[written] = '\0';
    return (uint16_t)(written + 1);
}

static BOOLEAN PgpHasPrefix(const WCHAR *s, ULONG chars, const WCHAR *prefix)
{
    ULONG i;

    for (i = 0; prefix[i] != 0; i++) {
        if (i >= chars || RtlUpcaseUnicodeChar(s[i]) != RtlUpcaseUnicodeChar(prefix[i])) {
            return FALSE;
        }
    }
    return TRUE;
}

/*++
Routine Description:
    Reads the target of an object-manager symbolic link ("\??\C:",
    "\SystemRoot") into Target (TargetChars WCHARs).

Return Value:
    The target length in WCHARs, 0 when it cannot be read.
--*/
static ULONG PgpQueryLink(PCWSTR Name, WCHAR *Target, ULONG TargetChars)
{
    UNICODE_STRING name, target;
    OBJECT_ATTRIBUTES oa;
    HANDLE link = NULL;
    ULONG chars = 0;

    RtlInitUnicodeString(&name, Name);
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (!NT_SUCCESS(ZwOpenSymbolicLinkObject(&link, GENERIC_READ, &oa))) {
        return 0;
    }
    target.Buffer = Target;
    target.Length = 0;
    target.MaximumLength = (USHORT)(TargetChars * sizeof(WCHAR));
    if (NT_SUCCESS(ZwQuerySymbolicLinkObject(link, &target, NULL))) {
        chars = target.Length / sizeof(WCHAR);
    }
    ZwClose(link);
    return chars;
}

/*++
Routine Description:
    Rewrites an NT path in Buf (Chars WCHARs, capacity Cap) to DOS form in
    place: strips "\??\" and "\\?\", expands "\SystemRoot", and replaces a
    "\Device\..." prefix with the drive letter whose link points to it.
    A device without a drive letter (a network redirector, a volume
    mounted in a folder) is left in NT form.

    The drive links are read per call: starts are rare next to the cost
    of a wrong answer after a volume is mounted. A cache invalidated on
    volume arrival would be the optimisation.
--*/
static ULONG PgpToDosPath(WCHAR *Buf, ULONG Chars, ULONG Cap)
{
    WCHAR target[128];
    WCHAR linkName[8];
    ULONG n, i;
    WCHAR letter;

    if (PgpHasPrefix(Buf, Chars, L"\\??\\") || PgpHasPrefix(Buf, Chars, L"\\\\?\\")) {
        RtlMoveMemory(Buf, Buf + 4, (Chars - 4) * sizeof(WCHAR));
        Chars -= 4;
    }
    if (PgpHasPrefix(Buf, Chars, L"\\SystemRoot\\")) {
        n = PgpQueryLink(L"\\SystemRoot", target, RTL_NUMBER_OF(target));
        if (n > 0 && Chars - 11 + n <= Cap) {
            RtlMoveMemory(Buf + n, Buf + 11, (Chars - 11) * sizeof(WCHAR));
            RtlCopyMemory(Buf, target, n * sizeof(WCHAR));
            Chars = Chars - 11 + n;
            if (PgpHasPrefix(Buf, Chars, L"\\??\\")) {
                RtlMoveMemory(Buf, Buf + 4, (Chars - 4) * sizeof(WCHAR));
                Chars -= 4;
            }
        }
    }
    if (!PgpHasPrefix(Buf, Chars, L"\\Device\\")) {
        return Chars;
    }
    for (letter = L'A'; letter <= L'Z'; letter++) {
        linkName[0] = L'\\';
        linkName[1] = L'?';
        linkName[2] = L'?';
        linkName[3] = L'\\';
        linkName[4] = letter;
        linkName[5] = L':';
        linkName[6] = 0;
        n = PgpQueryLink(linkName, target, RTL_NUMBER_OF(target) - 1);
        if (n == 0 || n >= Chars || Buf[n] != L'\\') {
            continue;
        }
        for (i = 0; i < n; i++) {
            if (RtlUpcaseUnicodeChar(Buf[i]) != RtlUpcaseUnicodeChar(target[i])) {
                break;
            }
        }
        if (i == n) {
            Buf[0] = letter;
            Buf[1] = L':';
            RtlMoveMemory(Buf + 2, Buf + n, (Chars - n) * sizeof(WCHAR));
            return Chars - n + 2;
        }
    }
    return Chars;
}

/*++
Routine Description:
    The normalised image path of Name into Out (see the top of the file).
    Must run at PASSIVE_LEVEL (symbolic-link queries).
--*/
static uint16_t PgpNormalizePath(PCUNICODE_STRING Name, PPG_START_INFO Si, char *Out, ULONG OutSize,
                                 uint16_t *Flags)
{
    ULONG chars, i;
    UNICODE_STRING src, dst;

    if (Name == NULL || Name->Buffer == NULL || Name->Length == 0) {
        return 0;
    }
    chars = Name->Length / sizeof(WCHAR);
    if (chars > RTL_NUMBER_OF(Si->Scratch)) {
        chars = RTL_NUMBER_OF(Si->Scratch);
        *Flags |= PG_EVF_TRUNCATED;
    }
    RtlCopyMemory(Si->Scratch, Name->Buffer, chars * sizeof(WCHAR));
    chars = PgpToDosPath(Si->Scratch, chars, RTL_NUMBER_OF(Si->Scratch));

    src.Buffer = Si->Scratch;
    src.Length = src.MaximumLength = (USHORT)(chars * sizeof(WCHAR));
    dst.Buffer = Si->Upcase;
    dst.Length = 0;
    dst.MaximumLength = (USHORT)sizeof(Si->Upcase);
    if (!NT_SUCCESS(RtlUpcaseUnicodeString(&dst, &src, FALSE))) {
        RtlCopyMemory(Si->Upcase, Si->Scratch, chars * sizeof(WCHAR));
    }
    for (i = 0; i < chars; i++) {
        if (Si->Upcase[i] == L'\\') {
            Si->Upcase[i] = L'/';
        }
    }
    return PgpToUtf8(Si->Upcase, chars, Out, OutSize, Flags);
}

/*++
Routine Description:
    Session id and user SID string of Process, through a kernel handle
    (Wine stubs PsGetProcessSessionId and PsReferencePrimaryToken).
    Leaves them empty when the process cannot be queried.
--*/
static VOID PgpQueryProcess(PEPROCESS Process, PPG_START_INFO Si)
{
    HANDLE process = NULL;
    HANDLE token = NULL;
    PROCESS_SESSION_INFORMATION session;
    UCHAR buffer[256];
    ULONG needed = 0;
    UNICODE_STRING sid = {0, 0, NULL};

    if (Process == NULL || !NT_SUCCESS(ObOpenObjectByPointer(
                               Process, OBJ_KERNEL_HANDLE, NULL, PROCESS_QUERY_INFORMATION,
                               PG_PROCESS_TYPE, KernelMode, &process))) {
        return;
    }
    if (NT_SUCCESS(ZwQueryInformationProcess(process, ProcessSessionInformation, &session,
                                             sizeof(session), NULL))) {
        Si->SessionId = session.SessionId;
    }
    if (NT_SUCCESS(ZwOpenProcessTokenEx(process, TOKEN_QUERY, OBJ_KERNEL_HANDLE, &token)) &&
        NT_SUCCESS(ZwQueryInformationToken(token, TokenUser, buffer, sizeof(buffer), &needed)) &&
        NT_SUCCESS(RtlConvertSidToUnicodeString(&sid, ((PTOKEN_USER)buffer)->User.Sid, TRUE))) {
        Si->SidLen =
            PgpToUtf8(sid.Buffer, sid.Length / sizeof(WCHAR), Si->Sid, sizeof(Si->Sid), &Si->Flags);
        RtlFreeUnicodeString(&sid);
    }
    if (token != NULL) {
        ZwClose(token);
    }
    ZwClose(process);
}

/*++
Routine Description:
    The parent's normalised image, for rules with a parent condition.
--*/
static VOID PgpQueryParent(HANDLE ParentId, PPG_START_INFO Si)
{
    PEPROCESS parent = NULL;
    PUNICODE_STRING name = NULL;

    if (!NT_SUCCESS(PsLookupProcessByProcessId(ParentId, &parent))) {
        return;
    }
    if (NT_SUCCESS(SeLocateProcessImageName(parent, &name)) && name != NULL) {
        Si->ParentLen = PgpNormalizePath(name, Si, Si->Parent, sizeof(Si->Parent), &Si->Flags);
        ExFreePool(name);
    }
    ObDereferenceObject(parent);
}

/* ------------------------------------------------------------------ */
/* Exemptions                                                          */
/* ------------------------------------------------------------------ */

VOID PgExemptAddLocked(ULONG Pid)
{
    ULONG i;

    for (i = 0; i < PgGlobals.ExemptCount; i++) {
        if (PgGlobals.ExemptPids[i] == Pid) {
            return;
        }
    }
    if (PgGlobals.ExemptCount < PG_MAX_EXEMPT) {
        PgGlobals.ExemptPids[PgGlobals.ExemptCount++] = Pid;
    }
}

static BOOLEAN PgpExemptHasLocked(ULONG Pid)
{
    ULONG i;

    for (i = 0; i < PgGlobals.ExemptCount; i++) {
        if (PgGlobals.ExemptPids[i] == Pid) {
            return TRUE;
        }
    }
    return FALSE;
}

static VOID PgpExemptRemoveLocked(ULONG Pid)
{
    ULONG i;

    for (i = 0; i < PgGlobals.ExemptCount; i++) {
        if (PgGlobals.ExemptPids[i] == Pid) {
            PgGlobals.ExemptPids[i] = PgGlobals.ExemptPids[--PgGlobals.ExemptCount];
            return;
        }
    }
}

/*++
Routine Description:
    TRUE for the critical system processes (never held): smss, csrss,
    wininit, services, lsass, run from a System32 folder.
--*/
static BOOLEAN PgpIsCriticalImage(const char *Image, uint16_t Len)
{
    static const char *const names[] = {"SMSS.EXE", "CSRSS.EXE", "WININIT.EXE", "SERVICES.EXE",
                                        "LSASS.EXE"};
    static const char dir[] = "/SYSTEM32/";
    size_t n = Len > 0 ? (size_t)Len - 1 : 0;
    size_t base = n;
    size_t i, k;

    while (base > 0 && Image[base - 1] != '/') {
        base--;
    }
    if (base < sizeof(dir) - 1 ||
        memcmp(Image + base - (sizeof(dir) - 1), dir, sizeof(dir) - 1) != 0) {
        return FALSE;
    }
    for (i = 0; i < RTL_NUMBER_OF(names); i++) {
        for (k = 0; names[i][k] != '\0' && base + k < n && Image[base + k] == names[i][k]; k++) {
        }
        if (names[i][k] == '\0' && base + k == n) {
            return TRUE;
        }
    }
    return FALSE;
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

VOID PgInitEvent(pg_event *Ev, uint16_t Kind, ULONG Pid)
{
    RtlZeroMemory(Ev, sizeof(*Ev));
    Ev->kind = Kind;
    Ev->pid = Pid;
    Ev->uid = 0xFFFFFFFFu;
    Ev->time_ns = PgUtcNowNs();
    Ev->mode = (uint8_t)PgGlobals.Mode;
}

/*++
Routine Description:
    Stamps Event with the next sequence number and queues it for every
    client that said HELLO (thread and image events only for subscribers).
    A full ring drops and counts; the core queues the OVERFLOW record
    itself before the next event that fits.

Arguments:
    Priority - REQUEST events: may use the controller's reserve.
    OnlyTo   - when not NULL, only this client.
--*/
VOID PgEmitLocked(pg_event *Event, const char *Image, const char *Cmdline, const char *Sid,
                  const char *ParentImage, BOOLEAN Priority, PPG_CLIENT OnlyTo)
{
    PLIST_ENTRY entry;
    uint32_t need = 0;

    if (Event->kind == PG_EV_THREAD) {
        need = PG_SUB_THREADS;
    } else if (Event->kind == PG_EV_IMAGE) {
        need = PG_SUB_IMAGES;
    }
    Event->seq = PgGlobals.NextSeq++;
    for (entry = PgGlobals.Clients.Flink; entry != &PgGlobals.Clients; entry = entry->Flink) {
        PPG_CLIENT client = CONTAINING_RECORD(entry, PG_CLIENT, Link);
        if (!client->Hello || (OnlyTo != NULL && client != OnlyTo) ||
            (need != 0 && (client->Subscriptions & need) == 0)) {
            continue;
        }
        if (pg_ring_push(&client->Ring, Event, Image, Cmdline, Sid, ParentImage,
                         Priority && (client == PgGlobals.Controller ||
                                      client == PgGlobals.Resolver)) != PG_OK) {
            PgGlobals.LostEvents++;
        }
    }
}

static VOID PgpCountVerdictLocked(UCHAR Verdict, UCHAR Source)
{
    PgGlobals.Decisions++;
    if (Verdict == PG_VERDICT_BLOCK) {
        PgGlobals.Blocked++;
    } else {
        PgGlobals.Allowed++;
    }
    if (Source == PG_SRC_TIMEOUT) {
        PgGlobals.Timeouts++;
    }
}

static VOID PgpHoldReleaseLocked(PPG_HOLD Hold)
{
    if (--Hold->Refs == 0) {
        if (Hold->Process != NULL) {
            ObDereferenceObject(Hold->Process);
        }
        ExFreePoolWithTag(Hold, PG_POOL_TAG);
    }
}

/* Takes a released hold off the frozen list (and drops the list's
 * reference): nothing is left to hold its process for. */
static VOID PgpUnfreezeLocked(PPG_HOLD Hold)
{
    if (Hold->Frozen) {
        RemoveEntryList(&Hold->FrozenLink);
        Hold->Frozen = FALSE;
        InterlockedDecrement(&PgGlobals.FrozenCount);
        PgpHoldReleaseLocked(Hold);
    }
}

/*++
Routine Description:
    A hold was resolved (already removed from the table): report the
    verdict, count it, wake the launcher, or, when the launcher left past
    its budget and the verdict is Block, queue the process for
    termination by the timer thread (ZwTerminateProcess needs
    PASSIVE_LEVEL; this runs under the spin lock). A released process
    stays on the frozen list until it was terminated, so that its own
    thread is held until then; an Allow takes it off at once.
--*/
VOID PgResolveHoldLocked(const pg_pending_entry *Entry, PPG_LOCKED_WORK Work)
{
    PPG_HOLD hold = (PPG_HOLD)Entry->ctx;
    pg_event ev;

    PgInitEvent(&ev, PG_EV_VERDICT, Entry->pid);
    ev.hold_id = Entry->hold_id;
    ev.verdict = Entry->verdict;
    ev.source = Entry->source;
    ev.flags = PG_EVF_HELD;
    if (hold->Released) {
        ev.flags |= PG_EVF_FROZEN;
        if (Entry->verdict == PG_VERDICT_BLOCK && hold->Process != NULL) {
            ev.flags |= PG_EVF_KILLED;
            hold->Refs++; /* the kill list's */
            InsertTailList(&PgGlobals.KillList, &hold->KillLink);
            KeSetEvent(&PgGlobals.TimerWake, IO_NO_INCREMENT, FALSE);
        } else {
            KeSetEvent(&hold->KillIssued, IO_NO_INCREMENT, FALSE);
            PgpUnfreezeLocked(hold);
        }
    }
    PgpCountVerdictLocked(Entry->verdict, Entry->source);
    PgEmitLocked(&ev, NULL, NULL, NULL, NULL, FALSE, NULL);
    PgDrainReadsLocked(Work);

    hold->Verdict = Entry->verdict;
    hold->Source = Entry->source;
    hold->Resolved = TRUE;
    KeSetEvent(&hold->Done, IO_NO_INCREMENT, FALSE);
    PgpHoldReleaseLocked(hold);
}

static void PgpResolvedCallback(void *User, const pg_pending_entry *Resolved)
{
    PgResolveHoldLocked(Resolved, (PPG_LOCKED_WORK)User);
}

VOID PgResolveAllLocked(UCHAR Source, PPG_LOCKED_WORK Work)
{
    pg_pending_resolve_all(&PgGlobals.Pending, Source, PgpResolvedCallback, Work);
}

/*++
Routine Description:
    Resolves with their default verdict the holds that are (Facts TRUE)
    or are not (FALSE) held only for facts: what a departing resolver or
    controller leaves behind when the other role stays connected.
--*/
VOID PgResolveFactsLocked(BOOLEAN Facts, UCHAR Source, PPG_LOCKED_WORK Work)
{
    pg_pending_entry resolved;
    ULONG i;

    for (i = 0; i < PG_MAX_HOLDS; i++) {
        const pg_pending_entry *e = &PgGlobals.PendingEntries[i];
        if (e->hold_id == 0 || ((PPG_HOLD)e->ctx)->Facts != Facts) {
            continue;
        }
        if (pg_pending_resolve(&PgGlobals.Pending, e->hold_id, e->default_verdict, Source,
                               &resolved) == PG_OK) {
            PgResolveHoldLocked(&resolved, Work);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Starts                                                              */
/* ------------------------------------------------------------------ */

/* The facts of a start, as the rule caches match them. */
static VOID PgpMatchInput(const PG_START_INFO *Si, pg_match_input *In)
{
    RtlZeroMemory(In, sizeof(*In));
    In->image = Si->Image;
    In->image_len = Si->ImageLen > 0 ? (size_t)Si->ImageLen - 1 : 0;
    In->parent_image = Si->ParentLen > 0 ? Si->Parent : NULL;
    In->parent_len = Si->ParentLen > 0 ? (size_t)Si->ParentLen - 1 : 0;
    In->uid = 0xFFFFFFFFu;
    if (Si->CmdlineKnown) {
        /* Windows passes the command line as one string: matched as is. */
        In->known |= PG_FACT_CMDLINE;
        In->cmdline = Si->Cmdline;
        In->cmdline_len = Si->CmdlineLen > 0 ? (size_t)Si->CmdlineLen - 1 : 0;
    }
    if (Si->HashKnown) {
        /* Known; NULL when the file could not be hashed (no SHA256 rule matches). */
        In->known |= PG_FACT_SHA256;
        In->sha256_hex = Si->HasHash ? Si->Sha256 : NULL;
    }
}

/*++
Routine Description:
    Whether the image's digest could change the rules' answer for this
    start (a SHA256 rule in force could decide it). PASSIVE_LEVEL; takes
    the lock for the match only.
--*/
static BOOLEAN PgpNeedsHash(const PG_START_INFO *Si)
{
    pg_match_input in;
    pg_match_result match;
    BOOLEAN needs;
    KIRQL irql;

    PgpMatchInput(Si, &in);
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    /* needs is set whether or not a rule matched: a SHA256 rule comes
     * before broader kinds. */
    (void)pg_rule_cache_match(&PgGlobals.Rules, &in, &match);
    needs = (match.needs & PG_FACT_SHA256) != 0;
    if (!needs && PgGlobals.Account != NULL && PgGlobals.Account->BudgetRuleCount != 0) {
        /* A budget rule by digest. */
        (void)pg_rule_cache_match(&PgGlobals.Account->BudgetRules, &in, &match);
        needs = (match.needs & PG_FACT_SHA256) != 0;
    }
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    return needs;
}

/*++
Routine Description:
    Decides one start without waiting, under the lock: exemption, rule,
    mode. Returns TRUE when the start must be held for the controller
    (prompt mode, no rule, a controller connected, not stopping; or, in
    prompt or lockdown mode, a SIGNER rule could decide: PG_EVF_FACTS).
--*/
/*++
Routine Description:
    A start a person must decide (prompt mode, or an ASK rule): held for
    the controlling client, or decided now with the default verdict when
    nobody can answer.
Return Value:
    TRUE when the start is to be held; FALSE with *Verdict and *Source.
--*/
static BOOLEAN PgpAskPersonLocked(UCHAR *Verdict, UCHAR *Source)
{
    *Verdict = (UCHAR)PgGlobals.DefaultVerdict;
    if (PgGlobals.Stopping) {
        *Source = PG_SRC_STOP;
        return FALSE;
    }
    if (PgGlobals.Controller == NULL) {
        *Source = PG_SRC_NO_CLIENT;
        return FALSE;
    }
    return TRUE;
}

static BOOLEAN PgpDecideLocked(ULONG Pid, ULONG Ppid, ULONG Creator, PPG_START_INFO Si,
                               UCHAR *Verdict, UCHAR *Source, uint32_t *RuleId, uint16_t *Flags)
{
    pg_match_input in;
    pg_match_result match;

    *RuleId = 0;
    if (PgpIsCriticalImage(Si->Image, Si->ImageLen)) {
        *Verdict = PG_VERDICT_ALLOW;
        *Source = PG_SRC_EXEMPT;
        return FALSE;
    }
    if (PgpExemptHasLocked(Ppid) || PgpExemptHasLocked(Creator)) {
        /* A descendant (or a process started on behalf) of the
         * controlling client: exempt, and so are its own children. */
        PgExemptAddLocked(Pid);
        *Verdict = PG_VERDICT_ALLOW;
        *Source = PG_SRC_EXEMPT;
        return FALSE;
    }

    PgpMatchInput(Si, &in);
    if (pg_rule_cache_match(&PgGlobals.Rules, &in, &match)) {
        *RuleId = match.rule_id;
        if (PgGlobals.Mode == PG_MODE_MONITOR) {
            /* Monitor never blocks and never asks. As procguardd reports
             * it: a block rule's start "would have been blocked" and the
             * mode let it run; an allow or ask rule decided it. */
            *Verdict = PG_VERDICT_ALLOW;
            if (match.action == PG_VERDICT_BLOCK) {
                *Source = PG_SRC_MODE;
                *Flags |= PG_EVF_WOULD_BLOCK;
            } else {
                *Source = PG_SRC_RULE;
            }
            return FALSE;
        }
        if (match.action != PG_VERDICT_ASK) {
            *Source = PG_SRC_RULE;
            *Verdict = match.action;
            return FALSE;
        }
        /* An ASK rule: a person decides, in prompt and lockdown alike
         * (the create callback must not let it through as "not a block"). */
        return PgpAskPersonLocked(Verdict, Source);
    }
    /* A SIGNER rule could decide, but a signature can be verified only in
     * user mode: hold the start for the resolver (procguardctl resolve, a
     * service) or the controlling client, which finds the signer, matches
     * the policy again and answers (PG_EVF_FACTS; app/FactResolver.h).
     * Monitor never holds; with neither connected no SIGNER rule can
     * match, so the mode decides below. */
    if ((match.needs & PG_FACT_SIGNER) != 0 && PgGlobals.Mode != PG_MODE_MONITOR &&
        (PgGlobals.Controller != NULL || PgGlobals.Resolver != NULL) && !PgGlobals.Stopping) {
        *Verdict = (UCHAR)PgGlobals.DefaultVerdict;
        *Flags |= PG_EVF_FACTS;
        return TRUE;
    }
    switch (PgGlobals.Mode) {
    case PG_MODE_LOCKDOWN:
        *Verdict = PG_VERDICT_BLOCK;
        *Source = PG_SRC_MODE;
        return FALSE;
    case PG_MODE_PROMPT:
        return PgpAskPersonLocked(Verdict, Source);
    default:
        /* Monitor: what no rule matches, lockdown would have blocked (the
         * learning proposals are built from these). */
        *Verdict = PG_VERDICT_ALLOW;
        *Source = PG_SRC_MODE;
        *Flags |= PG_EVF_WOULD_BLOCK;
        return FALSE;
    }
}

/*++
Routine Description:
    Waits for a held start's verdict with a bound. Returns when the hold
    was resolved, or when the launcher budget passed (the hold stays and
    the launcher proceeds; *Released is set).
--*/
static VOID PgpWaitHold(PPG_HOLD Hold, PEPROCESS Process, uint64_t HeldAtMs, BOOLEAN *Released)
{
    PG_LOCKED_WORK work;
    LARGE_INTEGER timeout;
    uint64_t budgetAt, deadlineAt, now, until;
    pg_pending_entry *entry;
    pg_pending_entry resolved;
    KIRQL irql;
    BOOLEAN done = FALSE;

    *Released = FALSE;
    budgetAt = PgGlobals.HoldBudgetMs != 0 ? HeldAtMs + PgGlobals.HoldBudgetMs : PG_NO_DEADLINE;
    deadlineAt = PgGlobals.TimeoutMs != 0 ? HeldAtMs + PgGlobals.TimeoutMs + PG_HOLD_SLACK_MS
                                          : PG_NO_DEADLINE;

    while (!done) {
        now = PgNowMs();
        until = budgetAt < deadlineAt ? budgetAt : deadlineAt;
        if (until == PG_NO_DEADLINE) {
            /* "No limit" still ends on disconnect or stop, which resolve
             * the hold and set the event. */
            KeWaitForSingleObject(&Hold->Done, Executive, KernelMode, FALSE, NULL);
        } else {
            timeout.QuadPart = until > now ? -(LONGLONG)((until - now) * 10000) : 0;
            KeWaitForSingleObject(&Hold->Done, Executive, KernelMode, FALSE, &timeout);
        }

        PgInitLockedWork(&work);
        KeAcquireSpinLock(&PgGlobals.Lock, &irql);
        now = PgNowMs();
        if (Hold->Resolved) {
            done = TRUE;
        } else if (now >= budgetAt && !Hold->Released) {
            entry = pg_pending_find(&PgGlobals.Pending, Hold->HoldId);
            if (entry != NULL) {
                entry->released = 1;
            }
            Hold->Released = TRUE;
            if (Process != NULL) {
                /* Frozen: the process's own thread will be held in the
                 * image callback until the verdict (see the top). */
                ObReferenceObject(Process);
                Hold->Process = Process;
                Hold->Refs++; /* the frozen list's */
                Hold->Frozen = TRUE;
                InsertTailList(&PgGlobals.Frozen, &Hold->FrozenLink);
                InterlockedIncrement(&PgGlobals.FrozenCount);
            }
            *Released = TRUE;
            done = TRUE;
        } else if (now >= deadlineAt) {
            /* The timer thread should have expired it; this is the
             * launcher's own guarantee that its wait ends. */
            if (pg_pending_resolve(&PgGlobals.Pending, Hold->HoldId,
                                   (uint8_t)PgGlobals.DefaultVerdict, PG_SRC_TIMEOUT,
                                   &resolved) == PG_OK) {
                PgResolveHoldLocked(&resolved, &work);
            }
            done = TRUE;
        }
        KeReleaseSpinLock(&PgGlobals.Lock, irql);
        PgFinishLockedWork(&work);
    }
}

/*++
Routine Description:
    One process start. See the top of the file.

Return Value:
    The verdict: PG_VERDICT_ALLOW or PG_VERDICT_BLOCK.
--*/
static UCHAR PgpOnStart(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO Info)
{
    PPG_START_INFO si;
    PPG_HOLD hold;
    PG_LOCKED_WORK work;
    pg_event ev;
    ULONG pid = HandleToULong(ProcessId);
    ULONG ppid = HandleToULong(Info->ParentProcessId);
    ULONG creator = HandleToULong(Info->CreatingThreadId.UniqueProcess);
    UCHAR verdict = PG_VERDICT_ALLOW;
    UCHAR source = PG_SRC_NONE;
    uint32_t ruleId = 0;
    uint64_t holdId = 0;
    uint64_t heldAt = 0;
    BOOLEAN held = FALSE;
    BOOLEAN released = FALSE;
    BOOLEAN once;
    KIRQL irql;

    si = (PPG_START_INFO)ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(*si), PG_POOL_TAG);
    hold = (PPG_HOLD)ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(*hold), PG_POOL_TAG);
    if (si == NULL || hold == NULL) {
        /* No memory to describe the start: fail open, as Windows would
         * without the driver; counted as a start with no event. */
        KeAcquireSpinLock(&PgGlobals.Lock, &irql);
        PgGlobals.Starts++;
        KeReleaseSpinLock(&PgGlobals.Lock, irql);
        goto Exit;
    }
    RtlZeroMemory(si, FIELD_OFFSET(PG_START_INFO, Scratch));
    si->ImageLen = si->CmdlineLen = si->SidLen = si->ParentLen = si->Flags = 0;
    si->CmdlineKnown = FALSE;
    si->HashKnown = si->HasHash = FALSE;
    si->SessionId = 0;
    RtlZeroMemory(hold, sizeof(*hold));
    KeInitializeEvent(&hold->Done, NotificationEvent, FALSE);
    KeInitializeEvent(&hold->KillIssued, NotificationEvent, FALSE);
    hold->Refs = 2; /* this launcher and the pending table */
    hold->Pid = pid;

    /* Strings and process facts, at PASSIVE_LEVEL, before the lock. The
     * image name or command line may be missing (pico processes, or a
     * start where FileOpenNameAvailable is clear): reported absent. */
    si->ImageLen =
        PgpNormalizePath(Info->ImageFileName, si, si->Image, sizeof(si->Image), &si->Flags);
    if (Info->CommandLine != NULL) {
        /* Known, possibly empty (a NULL buffer is an empty string). A
         * line cut to the field is matched on what was kept. */
        si->CmdlineKnown = TRUE;
        si->CmdlineLen = 1;
        si->Cmdline[0] = '\0';
        if (Info->CommandLine->Buffer != NULL && Info->CommandLine->Length >= sizeof(WCHAR)) {
            si->CmdlineLen =
                PgpToUtf8(Info->CommandLine->Buffer, Info->CommandLine->Length / sizeof(WCHAR),
                          si->Cmdline, sizeof(si->Cmdline), &si->Flags);
        }
    }
    PgpQueryProcess(Process, si);
    PgpQueryParent(Info->ParentProcessId, si);
    if (si->ImageLen > 0 && PgpNeedsHash(si)) {
        si->HashKnown = TRUE;
        si->HasHash = PgHashImage(Info->ImageFileName, si->Sha256);
    }

    PgInitLockedWork(&work);
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    PgGlobals.Starts++;
    PgInitEvent(&ev, PG_EV_START, pid);
    ev.ppid = ppid;
    ev.creator_pid = creator;
    ev.session_id = si->SessionId;
    ev.flags = si->Flags;
    ev.image_len = si->ImageLen;
    ev.cmdline_len = si->CmdlineLen;
    ev.sid_len = si->SidLen;
    ev.parent_image_len = si->ParentLen;
    PgEmitLocked(&ev, si->Image, si->Cmdline, si->Sid, si->Parent, FALSE, NULL);

    held = PgpDecideLocked(pid, ppid, creator, si, &verdict, &source, &ruleId, &ev.flags);
    if (held) {
        heldAt = PgNowMs();
        if (pg_pending_add(&PgGlobals.Pending, pid, heldAt, PgGlobals.TimeoutMs,
                           PgGlobals.HoldBudgetMs, (uint8_t)PgGlobals.DefaultVerdict, hold,
                           &holdId) != PG_OK) {
            held = FALSE;
            source = PG_SRC_OVERLOAD;
        } else {
            /* The client that must see the request: the controller, or
             * for a hold kept only for facts the resolver when no
             * controller is connected. */
            PPG_CLIENT asked =
                PgGlobals.Controller != NULL ? PgGlobals.Controller : PgGlobals.Resolver;
            uint64_t lostBefore = asked->Ring.lost_total;
            hold->Facts = (ev.flags & PG_EVF_FACTS) != 0;
            hold->HoldId = holdId;
            hold->DeadlineAtMs = PgGlobals.TimeoutMs != 0
                                     ? heldAt + PgGlobals.TimeoutMs + PG_HOLD_SLACK_MS
                                     : PG_NO_DEADLINE;
            PgGlobals.Prompted++;
            ev.kind = PG_EV_REQUEST;
            ev.hold_id = holdId;
            ev.rule_id = ruleId; /* the ASK rule, when one asked */
            ev.timeout_ms = PgGlobals.TimeoutMs;
            ev.default_verdict = (uint8_t)PgGlobals.DefaultVerdict;
            ev.flags |= PG_EVF_HELD;
            PgEmitLocked(&ev, si->Image, si->Cmdline, si->Sid, si->Parent, TRUE, NULL);
            if (asked->Ring.lost_total != lostBefore) {
                /* Not even the reserve had room: nobody would ever see
                 * this request, so it is decided now. */
                pg_pending_entry resolved;
                (void)pg_pending_resolve(&PgGlobals.Pending, holdId,
                                         (uint8_t)PgGlobals.DefaultVerdict, PG_SRC_OVERLOAD,
                                         &resolved);
                hold->Refs--; /* the table's reference, not reported */
                held = FALSE;
                source = PG_SRC_OVERLOAD;
            }
        }
        if (!held) {
            verdict = (UCHAR)PgGlobals.DefaultVerdict;
        }
    }
    if (!held) {
        uint16_t decided = ev.flags & PG_EVF_WOULD_BLOCK;
        PgpCountVerdictLocked(verdict, source);
        PgInitEvent(&ev, PG_EV_VERDICT, pid);
        ev.flags = decided; /* monitor mode: "would have been blocked" */
        ev.verdict = verdict;
        ev.source = source;
        ev.rule_id = ruleId;
        ev.image_len = si->ImageLen;
        PgEmitLocked(&ev, si->Image, NULL, NULL, NULL, FALSE, NULL);
        hold->Refs = 1;
    }
    PgDrainReadsLocked(&work);
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    PgFinishLockedWork(&work);

    if (held) {
        PgpWaitHold(hold, Process, heldAt, &released);
        verdict = released ? PG_VERDICT_ALLOW : hold->Verdict;
    }

    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    PgpHoldReleaseLocked(hold);
    if (verdict == PG_VERDICT_ALLOW) {
        /* It runs: it may count against a daily budget. */
        pg_match_input in;
        PgpMatchInput(si, &in);
        PgAccountStartLocked(pid, &in);
    }
    once = source == PG_SRC_RULE && PgAccountTakeOnceLocked(ruleId);
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    hold = NULL;
    if (once) {
        /* A ONCE rule decided this start, and no other. */
        PgPolicyConsumeRule(ruleId);
    }

Exit:
    if (hold != NULL) {
        ExFreePoolWithTag(hold, PG_POOL_TAG);
    }
    if (si != NULL) {
        ExFreePoolWithTag(si, PG_POOL_TAG);
    }
    return verdict;
}

/*++
Routine Description:
    The exit status of an ending process, from ProcessBasicInformation
    through a kernel handle: Windows sets it before the exit callbacks
    run. PsGetProcessExitStatus would read the same field, but Wine
    exports it as a stub that aborts the caller, so it is not used.

Return Value:
    The status, or 0 when the process cannot be queried.
--*/
static ULONG PgpExitStatus(PEPROCESS Process)
{
    PROCESS_BASIC_INFORMATION basic;
    HANDLE process = NULL;
    ULONG status = 0;

    if (Process == NULL || !NT_SUCCESS(ObOpenObjectByPointer(
                               Process, OBJ_KERNEL_HANDLE, NULL, PROCESS_QUERY_LIMITED_INFORMATION,
                               PG_PROCESS_TYPE, KernelMode, &process))) {
        return 0;
    }
    if (NT_SUCCESS(ZwQueryInformationProcess(process, ProcessBasicInformation, &basic,
                                             sizeof(basic), NULL))) {
        status = (ULONG)basic.ExitStatus;
    }
    ZwClose(process);
    return status;
}

static VOID PgpOnExit(PEPROCESS Process, HANDLE ProcessId)
{
    PG_LOCKED_WORK work;
    pg_event ev;
    KIRQL irql;
    ULONG exitStatus = PgpExitStatus(Process);

    PgInitLockedWork(&work);
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    PgpExemptRemoveLocked(HandleToULong(ProcessId));
    PgAccountExitLocked(HandleToULong(ProcessId));
    PgInitEvent(&ev, PG_EV_EXIT, HandleToULong(ProcessId));
    ev.status = exitStatus;
    PgEmitLocked(&ev, NULL, NULL, NULL, NULL, FALSE, NULL);
    PgDrainReadsLocked(&work);
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    PgFinishLockedWork(&work);
}

/*++
Routine Description:
    The create-process callback (Ex and Ex2 share the signature). Runs in
    the launcher's thread at PASSIVE_LEVEL. Sets CreationStatus only to
    block, so another driver's failure status is never overwritten.
--*/
VOID NTAPI PgCreateProcessNotifyEx(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO Info)
{
    PgpEnterCallback();
    if (Info == NULL) {
        PgpOnExit(Process, ProcessId);
    } else if (PgpOnStart(Process, ProcessId, Info) == PG_VERDICT_BLOCK) {
        Info->CreationStatus = STATUS_ACCESS_DENIED;
    }
    PgpLeaveCallback();
}

/* ------------------------------------------------------------------ */
/* Optional classes: threads and images                                */
/* ------------------------------------------------------------------ */

static VOID NTAPI PgpThreadNotify(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    PG_LOCKED_WORK work;
    pg_event ev;
    KIRQL irql;

    PgpEnterCallback();
    PgInitLockedWork(&work);
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    PgInitEvent(&ev, PG_EV_THREAD, HandleToULong(ProcessId));
    ev.status = HandleToULong(ThreadId);
    ev.flags = Create ? 0 : PG_EVF_EXITED;
    PgEmitLocked(&ev, NULL, NULL, NULL, NULL, FALSE, NULL);
    PgDrainReadsLocked(&work);
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    PgFinishLockedWork(&work);
    PgpLeaveCallback();
}

/*++
Routine Description:
    Holds the calling thread, which belongs to Process and runs in its
    own context, while Process is frozen: its launcher was released past
    the budget and no verdict came yet (see the top of the file). The
    wait is in kernel mode and not alertable, so the process's owner
    cannot end it short of terminating the process; it is bounded by the
    hold's deadline plus PG_HOLD_SLACK_MS like the launcher's, and ends
    on disconnect and stop, which resolve every hold. After a Block it
    returns only once the timer thread terminated the process (bounded
    again), so the thread never runs the program's code.
--*/
static VOID PgpHoldInOwnContext(PEPROCESS Process)
{
    PG_LOCKED_WORK work;
    LARGE_INTEGER timeout;
    PLIST_ENTRY entry;
    PPG_HOLD hold = NULL;
    pg_pending_entry resolved;
    uint64_t now;
    KIRQL irql;

    if (InterlockedCompareExchange(&PgGlobals.FrozenCount, 0, 0) == 0) {
        return; /* the common case, without the lock */
    }
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    for (entry = PgGlobals.Frozen.Flink; entry != &PgGlobals.Frozen; entry = entry->Flink) {
        PPG_HOLD h = CONTAINING_RECORD(entry, PG_HOLD, FrozenLink);
        if (h->Process == Process && !h->OwnHeld) {
            hold = h;
            hold->OwnHeld = TRUE;
            hold->Refs++; /* this thread's */
            break;
        }
    }
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    if (hold == NULL) {
        return;
    }

    for (;;) {
        now = PgNowMs();
        if (hold->DeadlineAtMs == PG_NO_DEADLINE) {
            KeWaitForSingleObject(&hold->Done, Executive, KernelMode, FALSE, NULL);
        } else {
            timeout.QuadPart =
                hold->DeadlineAtMs > now ? -(LONGLONG)((hold->DeadlineAtMs - now) * 10000) : 0;
            KeWaitForSingleObject(&hold->Done, Executive, KernelMode, FALSE, &timeout);
        }
        PgInitLockedWork(&work);
        KeAcquireSpinLock(&PgGlobals.Lock, &irql);
        if (!hold->Resolved && PgNowMs() >= hold->DeadlineAtMs &&
            pg_pending_resolve(&PgGlobals.Pending, hold->HoldId, (uint8_t)PgGlobals.DefaultVerdict,
                               PG_SRC_TIMEOUT, &resolved) == PG_OK) {
            /* The timer thread should have expired it first. */
            PgResolveHoldLocked(&resolved, &work);
        }
        KeReleaseSpinLock(&PgGlobals.Lock, irql);
        PgFinishLockedWork(&work);
        if (hold->Resolved || PgNowMs() >= hold->DeadlineAtMs) {
            break; /* never past the bound, resolved or not */
        }
    }
    if (hold->Resolved && hold->Verdict == PG_VERDICT_BLOCK) {
        timeout.QuadPart = -(LONGLONG)PG_HOLD_SLACK_MS * 10000;
        KeWaitForSingleObject(&hold->KillIssued, Executive, KernelMode, FALSE, &timeout);
    }
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    PgpHoldReleaseLocked(hold);
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
}

/*++
Routine Description:
    One image load: an IMAGE event for subscribers, then, when the load
    runs in the loading process's own context (OwnProcess not NULL), the
    hold of a frozen process. The image of a new process and ntdll.dll
    are mapped by its launcher; the first load in its own context is the
    loader's (kernel32.dll), before the program's entry point.
--*/
static VOID PgpImageLoaded(PUNICODE_STRING FullImageName, HANDLE ProcessId, PEPROCESS OwnProcess)
{
    PG_LOCKED_WORK work;
    PPG_START_INFO si = NULL;
    pg_event ev;
    KIRQL irql;

    if ((PgGlobals.Subscribed & PG_SUB_IMAGES) != 0) {
        si = (PPG_START_INFO)ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(*si), PG_POOL_TAG);
    }
    if (si != NULL) {
        si->Flags = 0;
        si->ImageLen =
            PgpNormalizePath(FullImageName, si, si->Image, sizeof(si->Image), &si->Flags);
        PgInitLockedWork(&work);
        KeAcquireSpinLock(&PgGlobals.Lock, &irql);
        PgInitEvent(&ev, PG_EV_IMAGE, HandleToULong(ProcessId));
        ev.flags = si->Flags;
        ev.image_len = si->ImageLen;
        PgEmitLocked(&ev, si->Image, NULL, NULL, NULL, FALSE, NULL);
        PgDrainReadsLocked(&work);
        KeReleaseSpinLock(&PgGlobals.Lock, irql);
        PgFinishLockedWork(&work);
        ExFreePoolWithTag(si, PG_POOL_TAG);
    }
    if (OwnProcess != NULL) {
        PgpHoldInOwnContext(OwnProcess);
    }
}

static VOID NTAPI PgpImageNotify(PUNICODE_STRING FullImageName, HANDLE ProcessId,
                                 PIMAGE_INFO ImageInfo)
{
    PEPROCESS own = NULL;

    UNREFERENCED_PARAMETER(ImageInfo);
    PgpEnterCallback();
    if (ProcessId != NULL && ProcessId == PsGetCurrentProcessId()) {
        own = IoGetCurrentProcess();
    }
    PgpImageLoaded(FullImageName, ProcessId, own);
    PgpLeaveCallback();
}

#if defined(PG_TEST_BUILD)
/*++
Routine Description:
    TEST BUILDS ONLY: an image load of Process as if it ran in Process's
    own context (Wine never calls the image callback for user processes).
    Everything after the context check is the real code.
--*/
VOID PgTestImageLoaded(PUNICODE_STRING FullImageName, HANDLE ProcessId, PEPROCESS Process)
{
    PgpEnterCallback();
    PgpImageLoaded(FullImageName, ProcessId, Process);
    PgpLeaveCallback();
}
#endif

/*++
Routine Description:
    Registers or removes the thread and image callbacks so that they run
    only while some client subscribed (they are off by default: each
    costs on every thread and every DLL load system-wide). PASSIVE_LEVEL;
    serialised by the callers (HELLO and cleanup run one at a time per
    handle; a rare race only delays a registration to the next call).
--*/
VOID PgUpdateSubscriptions(VOID)
{
    PLIST_ENTRY entry;
    ULONG want = 0;
    KIRQL irql;

    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    for (entry = PgGlobals.Clients.Flink; entry != &PgGlobals.Clients; entry = entry->Flink) {
        PPG_CLIENT client = CONTAINING_RECORD(entry, PG_CLIENT, Link);
        if (client->Hello) {
            want |= client->Subscriptions;
        }
    }
    if (PgGlobals.Stopping) {
        want = 0;
    }
    KeReleaseSpinLock(&PgGlobals.Lock, irql);

    if ((want & PG_SUB_THREADS) != 0 && !PgGlobals.ThreadNotify) {
        PgGlobals.ThreadNotify = NT_SUCCESS(PsSetCreateThreadNotifyRoutine(PgpThreadNotify));
    } else if ((want & PG_SUB_THREADS) == 0 && PgGlobals.ThreadNotify) {
        PsRemoveCreateThreadNotifyRoutine(PgpThreadNotify);
        PgGlobals.ThreadNotify = FALSE;
    }
    /* The image callback stays registered (it holds frozen processes);
     * only its events follow the subscriptions. */
    PgGlobals.Subscribed = want;
}

/*++
Routine Description:
    Registers the create-process callback: the Ex2 form when the running
    system has it (so WSL/pico processes are seen too), else Ex. Both
    need the image linked with FORCE_INTEGRITY (--forceinteg), or Windows
    answers STATUS_ACCESS_DENIED.
--*/
NTSTATUS PgStartNotify(VOID)
{
    UNICODE_STRING name;
    NTSTATUS status = STATUS_UNSUCCESSFUL;

    RtlInitUnicodeString(&name, L"PsSetCreateProcessNotifyRoutineEx2");
    PgGlobals.SetNotifyEx2 = (PG_PS_SET_CREATE_PROCESS_NOTIFY_EX2)MmGetSystemRoutineAddress(&name);
    if (PgGlobals.SetNotifyEx2 != NULL) {
        status = PgGlobals.SetNotifyEx2(PgPsCreateProcessNotifySubsystems,
                                        (PVOID)PgCreateProcessNotifyEx, FALSE);
        PgGlobals.ProcessNotifyEx2 = NT_SUCCESS(status);
    }
    if (!PgGlobals.ProcessNotifyEx2) {
        status = PsSetCreateProcessNotifyRoutineEx(PgCreateProcessNotifyEx, FALSE);
        PgGlobals.ProcessNotifyEx = NT_SUCCESS(status);
    }
    /* The image callback holds processes released past the budget in
     * their own context. Without it (the system's table of image
     * callbacks is full) such a process runs until its verdict: a Block
     * still terminates it. */
    PgGlobals.ImageNotify = NT_SUCCESS(PsSetLoadImageNotifyRoutine(PgpImageNotify));
    if (!PgGlobals.ImageNotify) {
        DbgPrint("procguard: no image callback; released starts are not frozen\n");
    }
    return status;
}

VOID PgStopNotify(VOID)
{
    if (PgGlobals.ProcessNotifyEx2) {
        PgGlobals.SetNotifyEx2(PgPsCreateProcessNotifySubsystems, (PVOID)PgCreateProcessNotifyEx,
                               TRUE);
        PgGlobals.ProcessNotifyEx2 = FALSE;
    }
    if (PgGlobals.ProcessNotifyEx) {
        PsSetCreateProcessNotifyRoutineEx(PgCreateProcessNotifyEx, TRUE);
        PgGlobals.ProcessNotifyEx = FALSE;
    }
    if (PgGlobals.ThreadNotify) {
        PsRemoveCreateThreadNotifyRoutine(PgpThreadNotify);
        PgGlobals.ThreadNotify = FALSE;
    }
    if (PgGlobals.ImageNotify) {
        PsRemoveLoadImageNotifyRoutine(PgpImageNotify);
        PgGlobals.ImageNotify = FALSE;
    }
}

/* ------------------------------------------------------------------ */
/* Timer thread                                                        */
/* ------------------------------------------------------------------ */

/*++
Routine Description:
    Terminates every process on the kill list (blocked after its launcher
    was released) with PG_STATUS_BLOCKED_AFTER_RELEASE, then lets its
    held thread go and takes it off the frozen list. PASSIVE_LEVEL: the
    timer thread, and unload once the timer thread ended.
--*/
static VOID PgpRunKills(VOID)
{
    HANDLE handle;
    PLIST_ENTRY entry;
    PPG_HOLD hold;
    KIRQL irql;

    for (;;) {
        KeAcquireSpinLock(&PgGlobals.Lock, &irql);
        if (IsListEmpty(&PgGlobals.KillList)) {
            KeReleaseSpinLock(&PgGlobals.Lock, irql);
            return;
        }
        entry = RemoveHeadList(&PgGlobals.KillList);
        KeReleaseSpinLock(&PgGlobals.Lock, irql);
        hold = CONTAINING_RECORD(entry, PG_HOLD, KillLink);

        handle = NULL;
        if (NT_SUCCESS(ObOpenObjectByPointer(hold->Process, OBJ_KERNEL_HANDLE, NULL,
                                             PROCESS_TERMINATE, PG_PROCESS_TYPE, KernelMode,
                                             &handle))) {
            ZwTerminateProcess(handle, (NTSTATUS)PG_STATUS_BLOCKED_AFTER_RELEASE);
            ZwClose(handle);
        }

        KeAcquireSpinLock(&PgGlobals.Lock, &irql);
        KeSetEvent(&hold->KillIssued, IO_NO_INCREMENT, FALSE);
        PgpUnfreezeLocked(hold);
        PgpHoldReleaseLocked(hold); /* the kill list's */
        KeReleaseSpinLock(&PgGlobals.Lock, irql);
    }
}

/*++
Routine Description:
    Expires holds at their deadline with the default verdict, and
    terminates processes blocked after their launcher was released.
    Sleeps until the next deadline (at most a second) or a wake-up.
--*/
static VOID NTAPI PgpTimerThread(PVOID Context)
{
    PG_LOCKED_WORK work;
    LARGE_INTEGER timeout;
    uint64_t now, next;
    BOOLEAN exit;
    KIRQL irql;

    UNREFERENCED_PARAMETER(Context);
    for (;;) {
        PgInitLockedWork(&work);
        KeAcquireSpinLock(&PgGlobals.Lock, &irql);
        now = PgNowMs();
        pg_pending_expire(&PgGlobals.Pending, now, PgpResolvedCallback, &work);
        next = pg_pending_next_wakeup(&PgGlobals.Pending);
        exit = PgGlobals.TimerExit;
        KeReleaseSpinLock(&PgGlobals.Lock, irql);
        PgFinishLockedWork(&work);

        PgpRunKills();
        PgPolicyTick();
        if (exit) {
            break;
        }
        if (next == PG_NO_DEADLINE || next > now + 1000) {
            next = now + 1000;
        } else if (next < now + 5) {
            next = now + 5;
        }
        timeout.QuadPart = -(LONGLONG)((next - now) * 10000);
        KeWaitForSingleObject(&PgGlobals.TimerWake, Executive, KernelMode, FALSE, &timeout);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

NTSTATUS PgStartTimer(VOID)
{
    HANDLE thread;
    NTSTATUS status;

    status =
        PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, PgpTimerThread, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = ObReferenceObjectByHandle(thread, SYNCHRONIZE, NULL, KernelMode,
                                       (PVOID *)&PgGlobals.TimerThread, NULL);
    ZwClose(thread);
    return status;
}

VOID PgStopTimer(VOID)
{
    KIRQL irql;

    if (PgGlobals.TimerThread == NULL) {
        return;
    }
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    PgGlobals.TimerExit = TRUE;
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    KeSetEvent(&PgGlobals.TimerWake, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(PgGlobals.TimerThread, Executive, KernelMode, FALSE, NULL);
    ObDereferenceObject(PgGlobals.TimerThread);
    PgGlobals.TimerThread = NULL;
    PgpRunKills(); /* queued after the thread's last pass */
}
