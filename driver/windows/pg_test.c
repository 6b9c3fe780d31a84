/*
 * pg_test.c - TEST BUILDS ONLY: run the real create-process callback on a
 * synthetic start.
 *
 * Module description:
 *   Wine accepts PsSetCreateProcessNotifyRoutineEx but never calls the
 *   callback, so the test build (PG_TEST_BUILD, a separate .sys) adds
 *   PG_IOCTL_TEST_INJECT: it copies a synthetic start from the request,
 *   and a system thread calls PgCreateProcessNotifyEx with a
 *   PS_CREATE_NOTIFY_INFO built from it, exactly as Windows would from the
 *   launcher's thread; the request completes with the resulting
 *   CreationStatus. The request pends meanwhile: the callback may hold
 *   the start for a verdict, and the dispatch routine must not block.
 *   With PG_TEST_INJECT_EXIT it delivers an exit instead, and with
 *   PG_TEST_INJECT_IMAGE the image load that the new process's initial
 *   thread makes in its own context (where a frozen process is held);
 *   both name a real process of the test when they need one.
 *
 * What it must not do:
 *   Exist in a release build. This file is not compiled there, the
 *   dispatch case is under #if, and tests/windows checks the release .sys
 *   for the control code and for PG_TEST_BUILD_MARKER.
 */
#include "procguard.h"

#if !defined(PG_TEST_BUILD)
#error "pg_test.c belongs to the test build only"
#endif

/* Lets the PE check tell a test build from a release build. */
__attribute__((used)) static const char PgpTestMarker[] = PG_TEST_BUILD_MARKER;

typedef struct _PG_INJECT {
    PIRP Irp;
    pg_test_inject Req;
    UNICODE_STRING Image;
    UNICODE_STRING Cmdline;
    PS_CREATE_NOTIFY_INFO Info;
    WCHAR Strings[1]; /* image, then command line */
} PG_INJECT, *PPG_INJECT;

static KSTART_ROUTINE PgpInjectThread;

static VOID NTAPI PgpInjectThread(PVOID Context)
{
    PPG_INJECT inj = (PPG_INJECT)Context;
    PEPROCESS process = NULL;
    pg_test_inject_result result;
    uint64_t start = PgNowMs();
    HANDLE pid = ULongToHandle(inj->Req.pid);

    /* A real process when the test names one (so that a block after the
     * budget can terminate it); otherwise no process object, which the
     * callback must tolerate. */
    if (!NT_SUCCESS(PsLookupProcessByProcessId(pid, &process))) {
        process = NULL;
    }
    if ((inj->Req.flags & PG_TEST_INJECT_EXIT) != 0) {
        PgCreateProcessNotifyEx(process, pid, NULL);
    } else if ((inj->Req.flags & PG_TEST_INJECT_IMAGE) != 0) {
        /* The first image load in the new process's own context; only
         * a real process can be frozen. The request completes when the
         * image callback lets the "initial thread" go. */
        if (process != NULL) {
            PgTestImageLoaded(&inj->Image, pid, process);
        } else {
            inj->Info.CreationStatus = STATUS_NOT_FOUND;
        }
    } else {
        PgCreateProcessNotifyEx(process, pid, &inj->Info);
    }
    if (process != NULL) {
        ObDereferenceObject(process);
    }

    result.creation_status = (uint32_t)inj->Info.CreationStatus;
    result.elapsed_ms = (uint32_t)(PgNowMs() - start);
    RtlCopyMemory(inj->Irp->AssociatedIrp.SystemBuffer, &result, sizeof(result));
    inj->Irp->IoStatus.Status = STATUS_SUCCESS;
    inj->Irp->IoStatus.Information = sizeof(result);
    IoCompleteRequest(inj->Irp, IO_NO_INCREMENT);
    ExFreePoolWithTag(inj, PG_POOL_TAG);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

/*++
Routine Description:
    Keeps a reference to each injection thread so that unload can wait
    for it to leave the driver's code. Reuses slots of ended threads.
--*/
static BOOLEAN PgpTrackThread(PKTHREAD Thread)
{
    LARGE_INTEGER zero;
    ULONG i;

    zero.QuadPart = 0;
    for (i = 0; i < PG_MAX_INJECT_THREADS; i++) {
        PKTHREAD old = PgGlobals.InjectThreads[i];
        if (old != NULL &&
            KeWaitForSingleObject(old, Executive, KernelMode, FALSE, &zero) == STATUS_SUCCESS) {
            ObDereferenceObject(old);
            PgGlobals.InjectThreads[i] = NULL;
            old = NULL;
        }
        if (old == NULL) {
            PgGlobals.InjectThreads[i] = Thread;
            return TRUE;
        }
    }
    return FALSE;
}

VOID PgTestWaitInjectThreads(VOID)
{
    LARGE_INTEGER wait;
    ULONG i;

    wait.QuadPart = -(LONGLONG)PG_UNLOAD_WAIT_MS * 10000;
    for (i = 0; i < PG_MAX_INJECT_THREADS; i++) {
        if (PgGlobals.InjectThreads[i] != NULL) {
            KeWaitForSingleObject(PgGlobals.InjectThreads[i], Executive, KernelMode, FALSE, &wait);
            ObDereferenceObject(PgGlobals.InjectThreads[i]);
            PgGlobals.InjectThreads[i] = NULL;
        }
    }
}

/*++
Routine Description:
    PG_IOCTL_TEST_INJECT. Validates the synthetic start, then pends the
    request and hands it to a new system thread.
--*/
NTSTATUS PgTestInject(PIRP Irp, PIO_STACK_LOCATION IrpSp)
{
    ULONG inLength = IrpSp->Parameters.DeviceIoControl.InputBufferLength;
    ULONG outLength = IrpSp->Parameters.DeviceIoControl.OutputBufferLength;
    pg_test_inject req;
    PPG_INJECT inj = NULL;
    ULONG cmdBytes;
    HANDLE thread = NULL;
    PKTHREAD threadObject = NULL;
    NTSTATUS status;

    if (inLength < sizeof(req) || outLength < sizeof(pg_test_inject_result) || inLength > 65536) {
        status = STATUS_INVALID_PARAMETER;
        goto Fail;
    }
    RtlCopyMemory(&req, Irp->AssociatedIrp.SystemBuffer, sizeof(req));
    cmdBytes = req.cmdline_len == PG_TEST_NULL_STRING ? 0 : req.cmdline_len;
    if (req.size != inLength || (req.image_len & 1) != 0 || (cmdBytes & 1) != 0 ||
        req.image_len == PG_TEST_NULL_STRING ||
        sizeof(req) + (ULONG)req.image_len + cmdBytes != inLength) {
        status = STATUS_INVALID_PARAMETER;
        goto Fail;
    }
    if (PgGlobals.Stopping) {
        status = STATUS_DELETE_PENDING;
        goto Fail;
    }
    inj = (PPG_INJECT)ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(*inj) + inLength, PG_POOL_TAG);
    if (inj == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Fail;
    }
    RtlZeroMemory(inj, sizeof(*inj));
    inj->Irp = Irp;
    inj->Req = req;
    RtlCopyMemory(inj->Strings, (UCHAR *)Irp->AssociatedIrp.SystemBuffer + sizeof(req),
                  inLength - sizeof(req));
    inj->Image.Buffer = inj->Strings;
    inj->Image.Length = inj->Image.MaximumLength = req.image_len;
    inj->Cmdline.Buffer = (PWCH)((UCHAR *)inj->Strings + req.image_len);
    inj->Cmdline.Length = inj->Cmdline.MaximumLength = (USHORT)cmdBytes;
    inj->Info.Size = sizeof(inj->Info);
    inj->Info.FileOpenNameAvailable = 1;
    inj->Info.ParentProcessId = ULongToHandle(req.ppid);
    inj->Info.CreatingThreadId.UniqueProcess = ULongToHandle(req.creator_pid);
    inj->Info.CreatingThreadId.UniqueThread = ULongToHandle(req.creator_tid);
    inj->Info.ImageFileName = req.image_len == 0 ? NULL : &inj->Image;
    inj->Info.CommandLine = req.cmdline_len == PG_TEST_NULL_STRING ? NULL : &inj->Cmdline;
    inj->Info.CreationStatus = STATUS_SUCCESS;

    IoMarkIrpPending(Irp);
    status =
        PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, PgpInjectThread, inj);
    if (!NT_SUCCESS(status)) {
        ExFreePoolWithTag(inj, PG_POOL_TAG);
        Irp->IoStatus.Status = status;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_PENDING;
    }
    /* From here the thread owns inj and the IRP. */
    if (NT_SUCCESS(ObReferenceObjectByHandle(thread, SYNCHRONIZE, NULL, KernelMode,
                                             (PVOID *)&threadObject, NULL))) {
        if (!PgpTrackThread(threadObject)) {
            ObDereferenceObject(threadObject);
        }
    }
    ZwClose(thread);
    return STATUS_PENDING;

Fail:
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}
