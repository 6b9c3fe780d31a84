/*
 * pg_driver.c - load, unload and the handle lifecycle of procguard.sys.
 *
 * Module description:
 *   DriverEntry creates the device (FILE_DEVICE_SECURE_OPEN, DACL for
 *   SYSTEM and Administrators), loads the persisted policy (so lockdown
 *   applies from boot with no panel), starts the timer thread and
 *   registers the callbacks last, when everything they use exists.
 *   IRP_MJ_CREATE admits only Administrators and SYSTEM; IRP_MJ_CLEANUP of
 *   the controlling handle resolves every hold with the default verdict.
 *
 * Unload order (DESIGN.md section 3): stop accepting, resolve every hold,
 * remove the callbacks (which waits for callbacks in flight, so every hold
 * is released first), cancel pended requests, delete the device.
 */
#include "procguard.h"

PG_GLOBALS PgGlobals;

static DRIVER_UNLOAD PgDriverUnload;
_Dispatch_type_(IRP_MJ_CREATE) static DRIVER_DISPATCH PgDispatchCreate;
_Dispatch_type_(IRP_MJ_CLEANUP) static DRIVER_DISPATCH PgDispatchCleanup;
_Dispatch_type_(IRP_MJ_CLOSE) static DRIVER_DISPATCH PgDispatchClose;

/* ------------------------------------------------------------------ */
/* Clocks                                                              */
/* ------------------------------------------------------------------ */

/*++
Routine Description:
    Monotonic milliseconds since boot, the clock of the pending table.
    KeQueryInterruptTime does not stop for clock changes.
--*/
uint64_t PgNowMs(VOID)
{
    return (uint64_t)KeQueryInterruptTime() / 10000u;
}

/*++
Routine Description:
    UTC nanoseconds since 1970-01-01, for pg_event.time_ns.
--*/
uint64_t PgUtcNowNs(VOID)
{
    LARGE_INTEGER now;
    const uint64_t epochDelta = 116444736000000000ull; /* 1601 -> 1970, 100 ns */

    KeQuerySystemTime(&now);
    if ((uint64_t)now.QuadPart < epochDelta) {
        return 0;
    }
    return ((uint64_t)now.QuadPart - epochDelta) * 100u;
}

/* ------------------------------------------------------------------ */
/* Security                                                            */
/* ------------------------------------------------------------------ */

/* S-1-5-18 (LocalSystem) and S-1-5-32-544 (BUILTIN\Administrators),
 * spelled out so no data import (SeExports) is needed: Wine exports
 * SeExports as a stub. */
typedef struct _PG_SID2 {
    UCHAR Revision;
    UCHAR SubAuthorityCount;
    SID_IDENTIFIER_AUTHORITY Authority;
    ULONG SubAuthority[2];
} PG_SID2;

static const PG_SID2 PgpSystemSid = {1, 1, {{0, 0, 0, 0, 0, 5}}, {18, 0}};
static const PG_SID2 PgpAdminsSid = {1, 2, {{0, 0, 0, 0, 0, 5}}, {32, 544}};

/*++
Routine Description:
    Builds the device security descriptor: full access for SYSTEM and
    Administrators, nothing for anyone else, and applies it to the device
    object. mingw-w64 has no IoCreateDeviceSecure, so this does by hand
    what its SDDL "D:P(A;;GA;;;SY)(A;;GA;;;BA)" would.

Return Value:
    STATUS_SUCCESS or the failing status.
--*/
static NTSTATUS PgpSetDeviceDacl(PDEVICE_OBJECT DeviceObject)
{
    NTSTATUS status;
    SECURITY_DESCRIPTOR sd;
    PACL acl = NULL;
    ULONG aclSize;
    HANDLE handle = NULL;

    aclSize = sizeof(ACL) + 2 * (sizeof(ACCESS_ALLOWED_ACE) + sizeof(PG_SID2));
    acl = (PACL)ExAllocatePoolWithTag(NonPagedPoolNx, aclSize, PG_POOL_TAG);
    if (acl == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Exit;
    }
    status = RtlCreateAcl(acl, aclSize, ACL_REVISION);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    status = RtlAddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, (PSID)&PgpSystemSid);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    status = RtlAddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, (PSID)&PgpAdminsSid);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    status = RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    status = RtlSetDaclSecurityDescriptor(&sd, TRUE, acl, FALSE);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    status = ObOpenObjectByPointer(DeviceObject, OBJ_KERNEL_HANDLE, NULL, WRITE_DAC, NULL,
                                   KernelMode, &handle);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    status = ZwSetSecurityObject(handle, DACL_SECURITY_INFORMATION, &sd);

Exit:
    if (handle != NULL) {
        ZwClose(handle);
    }
    if (acl != NULL) {
        ExFreePoolWithTag(acl, PG_POOL_TAG);
    }
    return status;
}

/*++
Routine Description:
    TRUE when the token of the current thread (impersonation) or process
    is LocalSystem or has BUILTIN\Administrators enabled. Called in
    IRP_MJ_CREATE, which runs in the caller's context. Uses token
    handles rather than SeCaptureSubjectContext/SeTokenIsAdmin, which
    Wine only stubs.
--*/
static BOOLEAN PgpCallerIsAdmin(VOID)
{
    NTSTATUS status;
    HANDLE token = NULL;
    UCHAR *buffer = NULL;
    ULONG needed = 0;
    BOOLEAN admin = FALSE;
    const ULONG bufferSize = 4096;
    ULONG i;

    status = ZwOpenThreadTokenEx(NtCurrentThread(), TOKEN_QUERY, TRUE, OBJ_KERNEL_HANDLE, &token);
    if (!NT_SUCCESS(status)) {
        status = ZwOpenProcessTokenEx(NtCurrentProcess(), TOKEN_QUERY, OBJ_KERNEL_HANDLE, &token);
    }
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    buffer = (UCHAR *)ExAllocatePoolWithTag(NonPagedPoolNx, bufferSize, PG_POOL_TAG);
    if (buffer == NULL) {
        goto Exit;
    }

    status = ZwQueryInformationToken(token, TokenUser, buffer, bufferSize, &needed);
    if (NT_SUCCESS(status) && RtlEqualSid(((PTOKEN_USER)buffer)->User.Sid, (PSID)&PgpSystemSid)) {
        admin = TRUE;
        goto Exit;
    }

    status = ZwQueryInformationToken(token, TokenGroups, buffer, bufferSize, &needed);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    for (i = 0; i < ((PTOKEN_GROUPS)buffer)->GroupCount; i++) {
        PSID_AND_ATTRIBUTES g = &((PTOKEN_GROUPS)buffer)->Groups[i];
        if ((g->Attributes & SE_GROUP_ENABLED) != 0 &&
            (g->Attributes & SE_GROUP_USE_FOR_DENY_ONLY) == 0 &&
            RtlEqualSid(g->Sid, (PSID)&PgpAdminsSid)) {
            admin = TRUE;
            break;
        }
    }

Exit:
    if (buffer != NULL) {
        ExFreePoolWithTag(buffer, PG_POOL_TAG);
    }
    if (token != NULL) {
        ZwClose(token);
    }
    return admin;
}

/* ------------------------------------------------------------------ */
/* Create / cleanup / close                                            */
/* ------------------------------------------------------------------ */

static NTSTATUS PgpCompleteIrp(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

/*++
Routine Description:
    IRP_MJ_CREATE: admits Administrators and SYSTEM, refuses opens of a
    path below the device, and gives the handle its client record with
    an event ring. The role (controller or observer) is decided later, by
    HELLO.
--*/
static NTSTATUS NTAPI PgDispatchCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
    PPG_CLIENT client = NULL;
    NTSTATUS status;
    KIRQL irql;

    UNREFERENCED_PARAMETER(DeviceObject);

    if (irpSp->FileObject == NULL || irpSp->FileObject->FileName.Length != 0) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
        goto Exit;
    }
    if (!PgpCallerIsAdmin()) {
        status = STATUS_ACCESS_DENIED;
        goto Exit;
    }
    client = (PPG_CLIENT)ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(*client), PG_POOL_TAG);
    if (client == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Exit;
    }
    RtlZeroMemory(client, sizeof(*client));
    client->RingBuffer = (UCHAR *)ExAllocatePoolWithTag(NonPagedPoolNx, PG_RING_BYTES, PG_POOL_TAG);
    if (client->RingBuffer == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Exit;
    }
    pg_ring_init(&client->Ring, client->RingBuffer, PG_RING_BYTES, PG_RING_RESERVE);
    client->FileObject = irpSp->FileObject;
    client->Pid = HandleToULong(PsGetCurrentProcessId());

    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    if (PgGlobals.Stopping) {
        status = STATUS_DELETE_PENDING;
    } else if (PgGlobals.ClientCount >= PG_MAX_CLIENTS) {
        status = STATUS_TOO_MANY_OPENED_FILES;
    } else {
        InsertTailList(&PgGlobals.Clients, &client->Link);
        PgGlobals.ClientCount++;
        client = NULL; /* owned by the list now */
        status = STATUS_SUCCESS;
    }
    KeReleaseSpinLock(&PgGlobals.Lock, irql);

Exit:
    if (client != NULL) {
        if (client->RingBuffer != NULL) {
            ExFreePoolWithTag(client->RingBuffer, PG_POOL_TAG);
        }
        ExFreePoolWithTag(client, PG_POOL_TAG);
    }
    return PgpCompleteIrp(Irp, status, 0);
}

/*++
Routine Description:
    The handle's owner is gone: cancels its pended reads and, for the
    controlling client, resolves every hold with the default verdict
    (PG_SRC_DISCONNECT): a panel that crashed must not leave launches
    frozen. Idempotent: called from IRP_MJ_CLEANUP and again from
    IRP_MJ_CLOSE, which finds nothing left on Windows. Wine sends only
    IRP_MJ_CLOSE when a handle closes, so the close path is what runs
    there.
--*/
static VOID PgpClientGone(PFILE_OBJECT FileObject)
{
    PG_LOCKED_WORK work;
    PPG_CLIENT client;
    KIRQL irql;

    PgInitLockedWork(&work);
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    PgCancelClientReadsLocked(FileObject, &work);
    client = PgFindClientLocked(FileObject);
    if (client != NULL) {
        RemoveEntryList(&client->Link);
        PgGlobals.ClientCount--;
        if (PgGlobals.Controller == client) {
            PgGlobals.Controller = NULL;
            if (PgGlobals.Resolver != NULL) {
                /* Holds kept for facts are still the resolver's. */
                PgResolveFactsLocked(FALSE, PG_SRC_DISCONNECT, &work);
            } else {
                PgResolveAllLocked(PG_SRC_DISCONNECT, &work);
            }
            /* The exemption of its process tree ends with the client. */
            PgGlobals.ExemptCount = 0;
        } else if (PgGlobals.Resolver == client) {
            PgGlobals.Resolver = NULL;
            if (PgGlobals.Controller == NULL) {
                PgResolveFactsLocked(TRUE, PG_SRC_DISCONNECT, &work);
            }
        }
    }
    KeReleaseSpinLock(&PgGlobals.Lock, irql);

    PgFinishLockedWork(&work);
    if (client != NULL) {
        PgUpdateSubscriptions();
        ExFreePoolWithTag(client->RingBuffer, PG_POOL_TAG);
        ExFreePoolWithTag(client, PG_POOL_TAG);
    }
}

/*++
Routine Description:
    IRP_MJ_CLEANUP: the last user handle of a file object closed. The
    client record goes away here, not only at IRP_MJ_CLOSE (which waits
    for every reference), so that a new controller may connect at once.
--*/
static NTSTATUS NTAPI PgDispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PgpClientGone(IoGetCurrentIrpStackLocation(Irp)->FileObject);
    return PgpCompleteIrp(Irp, STATUS_SUCCESS, 0);
}

static NTSTATUS NTAPI PgDispatchClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PgpClientGone(IoGetCurrentIrpStackLocation(Irp)->FileObject);
    return PgpCompleteIrp(Irp, STATUS_SUCCESS, 0);
}

/* ------------------------------------------------------------------ */
/* Load and unload                                                     */
/* ------------------------------------------------------------------ */

/*++
Routine Description:
    Copies "<RegistryPath>\Parameters" for the policy store.
--*/
static NTSTATUS PgpSaveParametersKey(PCUNICODE_STRING RegistryPath)
{
    static const WCHAR suffix[] = L"\\Parameters";
    USHORT bytes = (USHORT)(RegistryPath->Length + sizeof(suffix));

    PgGlobals.ParametersKey.Buffer =
        (PWCH)ExAllocatePoolWithTag(NonPagedPoolNx, bytes, PG_POOL_TAG);
    if (PgGlobals.ParametersKey.Buffer == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PgGlobals.ParametersKey.Length = 0;
    PgGlobals.ParametersKey.MaximumLength = bytes;
    RtlCopyUnicodeString(&PgGlobals.ParametersKey, RegistryPath);
    return RtlAppendUnicodeToString(&PgGlobals.ParametersKey, suffix);
}

/*++
Routine Description:
    Releases what DriverEntry built, in reverse. Used by a failed
    DriverEntry and by DriverUnload.
--*/
static VOID PgpTeardown(VOID)
{
    UNICODE_STRING link;
    PG_LOCKED_WORK work;
    PLIST_ENTRY entry;
    KIRQL irql;
    LARGE_INTEGER wait;

    /* 1. Stop accepting: no new holds, no new clients, no new reads. */
    PgInitLockedWork(&work);
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    PgGlobals.Stopping = TRUE;
    /* 2. Resolve every hold with the default verdict. */
    PgResolveAllLocked(PG_SRC_STOP, &work);
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    PgFinishLockedWork(&work);

    /* 3. Remove the callbacks. Windows waits here for callbacks in
     * flight; they all end promptly since every hold is resolved and no
     * new one is made while Stopping. The wait below bounds the same for
     * the test injection threads. */
    PgStopNotify();
    wait.QuadPart = -(LONGLONG)PG_UNLOAD_WAIT_MS * 10000;
    if (InterlockedCompareExchange(&PgGlobals.ActiveCallbacks, 0, 0) != 0) {
        KeWaitForSingleObject(&PgGlobals.CallbacksIdle, Executive, KernelMode, FALSE, &wait);
    }
#if defined(PG_TEST_BUILD)
    PgTestWaitInjectThreads();
#endif
    PgStopTimer();

    /* 4. Cancel pended requests of every client. */
    PgInitLockedWork(&work);
    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    PgCancelClientReadsLocked(NULL, &work);
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    PgFinishLockedWork(&work);

    /* Clients whose handles are still open lose their records: no IRP of
     * theirs can reach the driver once the device is gone. */
    while (!IsListEmpty(&PgGlobals.Clients)) {
        PPG_CLIENT client;
        entry = RemoveHeadList(&PgGlobals.Clients);
        client = CONTAINING_RECORD(entry, PG_CLIENT, Link);
        ExFreePoolWithTag(client->RingBuffer, PG_POOL_TAG);
        ExFreePoolWithTag(client, PG_POOL_TAG);
    }
    PgGlobals.ClientCount = 0;
    PgGlobals.Controller = NULL;
    PgGlobals.Resolver = NULL;

    /* 5. Delete the device. */
    if (PgGlobals.SymlinkCreated) {
        RtlInitUnicodeString(&link, PG_DOS_DEVICE_NAME);
        IoDeleteSymbolicLink(&link);
        PgGlobals.SymlinkCreated = FALSE;
    }
    if (PgGlobals.DeviceObject != NULL) {
        IoDeleteDevice(PgGlobals.DeviceObject);
        PgGlobals.DeviceObject = NULL;
    }
    PgAccountSaveUse(); /* the budgets' use today, for the next load */
    PgPolicyFree();
    if (PgGlobals.ParametersKey.Buffer != NULL) {
        ExFreePoolWithTag(PgGlobals.ParametersKey.Buffer, PG_POOL_TAG);
        PgGlobals.ParametersKey.Buffer = NULL;
    }
}

/*++
Routine Description:
    DriverUnload (SCM stop). See the unload order at the top of the file.
--*/
static VOID NTAPI PgDriverUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PgpTeardown();
}

/*++
Routine Description:
    Entry point. Builds state, device, policy, timer and callbacks, in
    that order, so a callback never sees a half-built driver.

Arguments:
    DriverObject - this driver.
    RegistryPath - the service key; the policy lives under its
                   Parameters subkey.

Return Value:
    STATUS_SUCCESS, or the first failure (everything built is undone).
--*/
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;
    UNICODE_STRING name;
    UNICODE_STRING link;

    RtlZeroMemory(&PgGlobals, sizeof(PgGlobals));
    PgGlobals.DriverObject = DriverObject;
    KeInitializeSpinLock(&PgGlobals.Lock);
    InitializeListHead(&PgGlobals.Clients);
    InitializeListHead(&PgGlobals.ReadQueue);
    InitializeListHead(&PgGlobals.Frozen);
    InitializeListHead(&PgGlobals.KillList);
    KeInitializeEvent(&PgGlobals.CallbacksIdle, NotificationEvent, TRUE);
    KeInitializeEvent(&PgGlobals.TimerWake, SynchronizationEvent, FALSE);
    KeInitializeEvent(&PgGlobals.PolicyMutex, SynchronizationEvent, TRUE);
    pg_pending_init(&PgGlobals.Pending, PgGlobals.PendingEntries, PG_MAX_HOLDS, 1);
    PgGlobals.NextSeq = 1;
    PgGlobals.LoadTimeMs = PgNowMs();
    PgPolicyInitDefaults();
    PgHashInit();

    DriverObject->MajorFunction[IRP_MJ_CREATE] = PgDispatchCreate;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = PgDispatchCleanup;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = PgDispatchClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = PgDispatchDeviceControl;
    DriverObject->DriverUnload = PgDriverUnload;

    status = PgpSaveParametersKey(RegistryPath);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }

    RtlInitUnicodeString(&name, PG_NT_DEVICE_NAME);
    status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN,
                            FALSE, &PgGlobals.DeviceObject);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    status = PgpSetDeviceDacl(PgGlobals.DeviceObject);
    if (!NT_SUCCESS(status)) {
        /* Not fatal: IRP_MJ_CREATE checks the caller in any case. Wine
         * has no object security for devices; Windows never fails here
         * short of memory. */
        DbgPrint("procguard: device DACL not applied (0x%08lx)\n", (unsigned long)status);
    }
    RtlInitUnicodeString(&link, PG_DOS_DEVICE_NAME);
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    PgGlobals.SymlinkCreated = TRUE;
    PgGlobals.DeviceObject->Flags |= DO_BUFFERED_IO;
    PgGlobals.DeviceObject->Flags &= ~DO_DEVICE_INITIALIZING;

    /* The persisted policy; its absence or corruption leaves the safe
     * defaults (monitor mode) and is not fatal. */
    (VOID) PgBootIdLoad();
    (VOID) PgPolicyLoad();
    PgAccountRestoreUse();

    status = PgStartTimer();
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    status = PgStartNotify();

Exit:
    if (!NT_SUCCESS(status)) {
        PgpTeardown();
    }
    return status;
}
