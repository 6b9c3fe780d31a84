/*
 * pg_ioctl.c - IRP_MJ_DEVICE_CONTROL of procguard.sys.
 *
 * Module description:
 *   PG_IOCTL_REQUEST carries one pg_protocol.h message in and its reply
 *   out; PG_IOCTL_READ_EVENTS is the inverted call that the driver
 *   completes with event batches; test builds add PG_IOCTL_TEST_INJECT.
 *   Every request is validated with pg_validate_client_message() from a
 *   private copy before any field is read.
 *
 * What it must not do:
 *   Touch a user pointer (METHOD_BUFFERED only), complete an IRP with the
 *   lock held, or report more Information than it wrote.
 *
 * The read queue (see procguard.h for why it is not IoCsqXxx):
 *   insert  - under the lock: set the cancel routine; if the IRP was
 *             cancelled already and the routine can be taken back,
 *             complete it as cancelled; else queue it, pending.
 *   dequeue - under the lock: unlink; if IoSetCancelRoutine(NULL) returns
 *             NULL the cancel routine owns the IRP: re-initialise the
 *             entry so its RemoveEntryList is harmless, and skip it.
 *   cancel  - release the cancel spin lock, unlink under our lock,
 *             complete as cancelled.
 */
#include "procguard.h"

static DRIVER_CANCEL PgpCancelRead;

/* ------------------------------------------------------------------ */
/* Deferred completion                                                 */
/* ------------------------------------------------------------------ */

VOID PgInitLockedWork(PPG_LOCKED_WORK Work)
{
    InitializeListHead(&Work->Complete);
}

/*++
Routine Description:
    Completes the IRPs collected while the lock was held. Status and
    Information were set when they were collected.
--*/
VOID PgFinishLockedWork(PPG_LOCKED_WORK Work)
{
    while (!IsListEmpty(&Work->Complete)) {
        PLIST_ENTRY entry = RemoveHeadList(&Work->Complete);
        PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}

PPG_CLIENT PgFindClientLocked(PFILE_OBJECT FileObject)
{
    PLIST_ENTRY entry;

    for (entry = PgGlobals.Clients.Flink; entry != &PgGlobals.Clients; entry = entry->Flink) {
        PPG_CLIENT client = CONTAINING_RECORD(entry, PG_CLIENT, Link);
        if (client->FileObject == FileObject) {
            return client;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The read queue                                                      */
/* ------------------------------------------------------------------ */

static VOID NTAPI PgpCancelRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;

    UNREFERENCED_PARAMETER(DeviceObject);
    IoReleaseCancelSpinLock(Irp->CancelIrql);

    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&PgGlobals.Lock, irql);

    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

/*++
Routine Description:
    Takes Irp off the read queue for completion. Returns FALSE when its
    cancel routine already runs (it then completes the IRP itself).
--*/
static BOOLEAN PgpDequeueReadLocked(PIRP Irp)
{
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    if (IoSetCancelRoutine(Irp, NULL) == NULL) {
        InitializeListHead(&Irp->Tail.Overlay.ListEntry);
        return FALSE;
    }
    return TRUE;
}

/*++
Routine Description:
    Fills a read IRP's system buffer with one PG_MSG_EVENTS message made
    of the whole records queued for the client that fit.

Return Value:
    The number of bytes written (0 when nothing is queued).
--*/
static ULONG PgpFillEventsLocked(PPG_CLIENT Client, PIRP Irp, ULONG OutLength)
{
    UCHAR *out = (UCHAR *)Irp->AssociatedIrp.SystemBuffer;
    pg_events_msg msg;
    uint32_t count = 0;
    uint32_t bytes;

    if (pg_ring_used(&Client->Ring) == 0) {
        return 0;
    }
    bytes = pg_ring_pop(&Client->Ring, out + sizeof(msg), OutLength - (ULONG)sizeof(msg), &count);
    if (count == 0) {
        return 0;
    }
    RtlZeroMemory(&msg, sizeof(msg));
    msg.hdr.size = (uint32_t)sizeof(msg) + bytes;
    msg.hdr.version = PG_PROTOCOL_VERSION;
    msg.hdr.type = PG_MSG_EVENTS;
    msg.count = count;
    RtlCopyMemory(out, &msg, sizeof(msg));
    return msg.hdr.size;
}

/*++
Routine Description:
    Completes (deferred) every queued read whose client has events. Called
    after anything was pushed to a ring.
--*/
VOID PgDrainReadsLocked(PPG_LOCKED_WORK Work)
{
    PLIST_ENTRY entry = PgGlobals.ReadQueue.Flink;

    while (entry != &PgGlobals.ReadQueue) {
        PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(irp);
        PPG_CLIENT client = PgFindClientLocked(irpSp->FileObject);
        entry = entry->Flink;

        if (client == NULL || pg_ring_used(&client->Ring) == 0) {
            continue;
        }
        if (!PgpDequeueReadLocked(irp)) {
            continue;
        }
        irp->IoStatus.Information =
            PgpFillEventsLocked(client, irp, irpSp->Parameters.DeviceIoControl.OutputBufferLength);
        irp->IoStatus.Status = STATUS_SUCCESS;
        InsertTailList(&Work->Complete, &irp->Tail.Overlay.ListEntry);
    }
}

/*++
Routine Description:
    Cancels the queued reads of one handle (FileObject) or of every handle
    (NULL): cleanup and unload.
--*/
VOID PgCancelClientReadsLocked(PFILE_OBJECT FileObject, PPG_LOCKED_WORK Work)
{
    PLIST_ENTRY entry = PgGlobals.ReadQueue.Flink;

    while (entry != &PgGlobals.ReadQueue) {
        PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(irp);
        entry = entry->Flink;

        if (FileObject != NULL && irpSp->FileObject != FileObject) {
            continue;
        }
        if (!PgpDequeueReadLocked(irp)) {
            continue;
        }
        irp->IoStatus.Status = STATUS_CANCELLED;
        irp->IoStatus.Information = 0;
        InsertTailList(&Work->Complete, &irp->Tail.Overlay.ListEntry);
    }
}

/*++
Routine Description:
    PG_IOCTL_READ_EVENTS: completes at once when events are queued for
    this handle, else pends the IRP in the cancel-safe read queue.
--*/
static NTSTATUS PgpReadEvents(PIRP Irp, PIO_STACK_LOCATION IrpSp)
{
    ULONG outLength = IrpSp->Parameters.DeviceIoControl.OutputBufferLength;
    PPG_CLIENT client;
    NTSTATUS status;
    KIRQL irql;
    ULONG written = 0;

    if (outLength < PG_MIN_EVENTS_BUFFER || outLength > PG_MAX_MESSAGE_SIZE) {
        status = STATUS_INVALID_BUFFER_SIZE;
        goto Complete;
    }

    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    client = PgFindClientLocked(IrpSp->FileObject);
    if (PgGlobals.Stopping) {
        status = STATUS_DELETE_PENDING;
    } else if (client == NULL || !client->Hello) {
        status = STATUS_INVALID_DEVICE_STATE; /* HELLO first */
    } else {
        written = PgpFillEventsLocked(client, Irp, outLength);
        if (written != 0) {
            status = STATUS_SUCCESS;
        } else {
            IoSetCancelRoutine(Irp, PgpCancelRead);
            if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
                status = STATUS_CANCELLED;
            } else {
                IoMarkIrpPending(Irp);
                InsertTailList(&PgGlobals.ReadQueue, &Irp->Tail.Overlay.ListEntry);
                status = STATUS_PENDING;
            }
        }
    }
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    if (status == STATUS_PENDING) {
        return STATUS_PENDING;
    }

Complete:
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = written;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* ------------------------------------------------------------------ */
/* Protocol requests                                                   */
/* ------------------------------------------------------------------ */

static const char *PgpResultText(int status)
{
    return pg_status_name(status);
}

static ULONG PgpWriteResult(UCHAR *Out, uint64_t RequestId, int Status, uint32_t Detail)
{
    pg_result r;
    const char *text = PgpResultText(Status);
    size_t i;

    RtlZeroMemory(&r, sizeof(r));
    r.hdr.size = sizeof(r);
    r.hdr.version = PG_PROTOCOL_VERSION;
    r.hdr.type = PG_MSG_RESULT;
    r.hdr.request_id = RequestId;
    r.status = (uint32_t)Status;
    r.detail = Detail;
    for (i = 0; i + 1 < sizeof(r.text) && text[i] != '\0'; i++) {
        r.text[i] = text[i];
    }
    RtlCopyMemory(Out, &r, sizeof(r));
    return sizeof(r);
}

static VOID PgpCopyName(char *Dst, size_t DstSize, const char *Src)
{
    size_t i;

    RtlZeroMemory(Dst, DstSize);
    for (i = 0; i + 1 < DstSize && Src[i] != '\0'; i++) {
        Dst[i] = Src[i];
    }
}

/*++
Routine Description:
    HELLO: negotiates the version and grants a role. Only one controlling
    client: a second one is refused with PG_E_BUSY, or made an observer
    when it said PG_HELLO_OBSERVE_OK. The controller's process is exempt
    from holds (with its descendants), or the panel would deadlock on its
    own helpers.
--*/
static ULONG PgpHello(PPG_CLIENT Client, const pg_hello *Hello, UCHAR *Out)
{
    pg_hello_reply reply;
    uint16_t lo = Hello->min_version > PG_PROTOCOL_MIN_VERSION ? Hello->min_version
                                                               : (uint16_t)PG_PROTOCOL_MIN_VERSION;
    uint16_t hi = Hello->max_version < PG_PROTOCOL_VERSION ? Hello->max_version
                                                           : (uint16_t)PG_PROTOCOL_VERSION;

    RtlZeroMemory(&reply, sizeof(reply));
    reply.hdr.size = sizeof(reply);
    reply.hdr.version = PG_PROTOCOL_VERSION;
    reply.hdr.type = PG_MSG_HELLO_REPLY;
    reply.hdr.request_id = Hello->hdr.request_id;
    reply.platform = PG_PLATFORM_WINDOWS;
    reply.server_pid = 4; /* the System process hosts drivers */
    reply.version = PG_PROTOCOL_VERSION;
    PgpCopyName(reply.name, sizeof(reply.name), PG_DRIVER_NAME);

    if (Client->Hello) {
        reply.status = PG_E_STATE;
    } else if (lo > hi) {
        reply.status = PG_E_VERSION;
    } else if ((Hello->flags & PG_HELLO_CONTROL) != 0 && PgGlobals.Controller == NULL) {
        reply.status = PG_OK;
        reply.role = PG_ROLE_CONTROLLER;
    } else if ((Hello->flags & PG_HELLO_RESOLVE) != 0 && PgGlobals.Resolver == NULL) {
        reply.status = PG_OK;
        reply.role = PG_ROLE_RESOLVER;
    } else if ((Hello->flags & (PG_HELLO_CONTROL | PG_HELLO_RESOLVE)) != 0 &&
               (Hello->flags & PG_HELLO_OBSERVE_OK) == 0) {
        reply.status = PG_E_BUSY;
    } else {
        reply.status = PG_OK;
        reply.role = PG_ROLE_OBSERVER;
    }
    if (reply.status == PG_OK) {
        reply.version = hi;
        Client->Hello = TRUE;
        Client->Role = reply.role;
        Client->Subscriptions = Hello->subscriptions;
        if (reply.role == PG_ROLE_CONTROLLER) {
            PgGlobals.Controller = Client;
            PgExemptAddLocked(Client->Pid);
        } else if (reply.role == PG_ROLE_RESOLVER) {
            /* It only reads files and answers; it starts nothing. */
            PgGlobals.Resolver = Client;
        }
    }
    /* Read after the role is granted: the first event this client can
     * receive carries exactly this number. */
    reply.next_seq = PgGlobals.NextSeq;
    RtlCopyMemory(Out, &reply, sizeof(reply));
    return sizeof(reply);
}

/*++
Routine Description:
    VERDICTS: resolves each hold by id. Ids already decided (timeout,
    another path) are counted in detail, not an error: the race between a
    person and a deadline is normal. The resolver (FactsOnly) may answer
    only holds kept for facts; any other id counts as unknown.
--*/
static ULONG PgpVerdicts(const UCHAR *Message, UCHAR *Out, BOOLEAN FactsOnly, PPG_LOCKED_WORK Work)
{
    const pg_verdicts_msg *msg = (const pg_verdicts_msg *)Message;
    const pg_verdict *items = (const pg_verdict *)(Message + sizeof(*msg));
    uint32_t unknown = 0;
    uint32_t i;

    for (i = 0; i < msg->count; i++) {
        pg_pending_entry resolved;
        const pg_pending_entry *held = pg_pending_find(&PgGlobals.Pending, items[i].hold_id);
        if (FactsOnly && (held == NULL || !((PPG_HOLD)held->ctx)->Facts)) {
            unknown++;
        } else if (pg_pending_resolve(&PgGlobals.Pending, items[i].hold_id, items[i].verdict,
                                      PG_SRC_CLIENT, &resolved) == PG_OK) {
            PgResolveHoldLocked(&resolved, Work);
        } else {
            unknown++;
        }
    }
    return PgpWriteResult(Out, msg->hdr.request_id, PG_OK, unknown);
}

static ULONG PgpStatus(uint64_t RequestId, UCHAR *Out)
{
    pg_status_msg s;
    PLIST_ENTRY entry;
    uint32_t i;

    RtlZeroMemory(&s, sizeof(s));
    s.hdr.size = sizeof(s);
    s.hdr.version = PG_PROTOCOL_VERSION;
    s.hdr.type = PG_MSG_STATUS;
    s.hdr.request_id = RequestId;
    s.mode = PgGlobals.Mode;
    s.default_verdict = PgGlobals.DefaultVerdict;
    s.timeout_ms = PgGlobals.TimeoutMs;
    s.hold_budget_ms = PgGlobals.HoldBudgetMs;
    s.rule_count = PgGlobals.RuleCount;
    for (entry = PgGlobals.Clients.Flink; entry != &PgGlobals.Clients; entry = entry->Flink) {
        if (CONTAINING_RECORD(entry, PG_CLIENT, Link)->Hello) {
            s.clients++;
        }
    }
    s.held_now = PgGlobals.Pending.used;
    for (i = 0; i < PgGlobals.Pending.capacity; i++) {
        if (PgGlobals.PendingEntries[i].hold_id != 0 && PgGlobals.PendingEntries[i].released) {
            s.frozen_now++;
        }
    }
    s.server_pid = 4; /* the System process hosts drivers */
    s.platform = PG_PLATFORM_WINDOWS;
    s.version = PG_PROTOCOL_VERSION;
    s.controller_pid = PgGlobals.Controller != NULL ? PgGlobals.Controller->Pid : 0;
    s.starts = PgGlobals.Starts;
    s.decisions = PgGlobals.Decisions;
    s.allowed = PgGlobals.Allowed;
    s.blocked = PgGlobals.Blocked;
    s.prompted = PgGlobals.Prompted;
    s.timeouts = PgGlobals.Timeouts;
    s.lost_events = PgGlobals.LostEvents;
    s.next_seq = PgGlobals.NextSeq;
    s.uptime_ms = PgNowMs() - PgGlobals.LoadTimeMs;
    s.generation = PgGlobals.Generation;
    RtlCopyMemory(Out, &s, sizeof(s));
    return sizeof(s);
}

/*++
Routine Description:
    PG_IOCTL_REQUEST. Copies the input out of the shared system buffer
    (METHOD_BUFFERED uses one buffer for both directions, and the reply is
    written over it), validates the copy, and writes one reply.

Return Value:
    STATUS_SUCCESS with a reply (a RESULT for any malformed message);
    STATUS_BUFFER_OVERFLOW with a bare header giving the size needed;
    STATUS_INVALID_PARAMETER / STATUS_BUFFER_TOO_SMALL when no reply is
    possible at all.
--*/
static NTSTATUS PgpRequest(PIRP Irp, PIO_STACK_LOCATION IrpSp, ULONG_PTR *Information)
{
    ULONG inLength = IrpSp->Parameters.DeviceIoControl.InputBufferLength;
    ULONG outLength = IrpSp->Parameters.DeviceIoControl.OutputBufferLength;
    UCHAR *system = (UCHAR *)Irp->AssociatedIrp.SystemBuffer;
    UCHAR *copy = NULL;
    pg_msg_header hdr;
    PG_LOCKED_WORK work;
    PPG_CLIENT client;
    NTSTATUS status = STATUS_SUCCESS;
    uint32_t detail = 0;
    int check;
    KIRQL irql;

    *Information = 0;
    PgInitLockedWork(&work);

    if (outLength < sizeof(pg_result) || outLength > PG_MAX_MESSAGE_SIZE) {
        status = STATUS_BUFFER_TOO_SMALL;
        goto Exit;
    }
    if (inLength > PG_MAX_MESSAGE_SIZE) {
        status = STATUS_INVALID_PARAMETER;
        goto Exit;
    }
    RtlZeroMemory(&hdr, sizeof(hdr));
    if (inLength >= sizeof(hdr) && system != NULL) {
        RtlCopyMemory(&hdr, system, sizeof(hdr));
    }
    if (inLength < sizeof(hdr) || system == NULL) {
        *Information = PgpWriteResult(system, 0, PG_E_SIZE, 0);
        goto Exit;
    }

    copy = (UCHAR *)ExAllocatePoolWithTag(NonPagedPoolNx, inLength, PG_POOL_TAG);
    if (copy == NULL) {
        *Information = PgpWriteResult(system, hdr.request_id, PG_E_NOSPACE, 0);
        goto Exit;
    }
    RtlCopyMemory(copy, system, inLength);
    check = pg_validate_client_message(copy, inLength, &detail);
    if (check != PG_OK) {
        *Information = PgpWriteResult(system, hdr.request_id, check, detail);
        goto Exit;
    }

    /* SET_POLICY builds its rule cache and writes the registry outside
     * the lock (allocation, PASSIVE_LEVEL); only the controller may. */
    if (hdr.type == PG_MSG_SET_POLICY) {
        BOOLEAN allowed;
        KeAcquireSpinLock(&PgGlobals.Lock, &irql);
        client = PgFindClientLocked(IrpSp->FileObject);
        allowed = client != NULL && client->Hello && PgGlobals.Controller == client;
        check = client == NULL || !client->Hello ? PG_E_STATE : PG_E_NOT_CONTROLLER;
        KeReleaseSpinLock(&PgGlobals.Lock, irql);
        if (allowed) {
            check = PgPolicyApply(copy, inLength, TRUE, &detail);
        }
        *Information = PgpWriteResult(system, hdr.request_id, check, detail);
        goto Exit;
    }

    KeAcquireSpinLock(&PgGlobals.Lock, &irql);
    client = PgFindClientLocked(IrpSp->FileObject);
    if (client == NULL) {
        *Information = PgpWriteResult(system, hdr.request_id, PG_E_STATE, 0);
    } else if (hdr.type == PG_MSG_HELLO) {
        if (outLength < sizeof(pg_hello_reply)) {
            status = STATUS_BUFFER_TOO_SMALL;
        } else {
            *Information = PgpHello(client, (const pg_hello *)copy, system);
        }
    } else if (!client->Hello) {
        *Information = PgpWriteResult(system, hdr.request_id, PG_E_STATE, 0);
    } else if (hdr.type == PG_MSG_VERDICTS) {
        if (PgGlobals.Controller != client && PgGlobals.Resolver != client) {
            *Information = PgpWriteResult(system, hdr.request_id, PG_E_NOT_CONTROLLER, 0);
        } else {
            *Information = PgpVerdicts(copy, system, PgGlobals.Resolver == client, &work);
        }
    } else if (hdr.type == PG_MSG_GET_STATUS) {
        if (outLength < sizeof(pg_status_msg)) {
            status = STATUS_BUFFER_TOO_SMALL;
        } else {
            *Information = PgpStatus(hdr.request_id, system);
        }
    } else if (hdr.type == PG_MSG_GET_POLICY) {
        ULONG needed = PgPolicyReplySize();
        if (outLength < needed) {
            pg_msg_header need = hdr;
            need.size = needed;
            need.type = PG_MSG_POLICY;
            RtlCopyMemory(system, &need, sizeof(need));
            *Information = sizeof(need);
            status = STATUS_BUFFER_OVERFLOW;
        } else {
            PgPolicyWriteReplyLocked(system, hdr.request_id);
            *Information = needed;
        }
    } else {
        *Information = PgpWriteResult(system, hdr.request_id, PG_E_TYPE, 0);
    }
    KeReleaseSpinLock(&PgGlobals.Lock, irql);
    if (hdr.type == PG_MSG_HELLO) {
        PgUpdateSubscriptions();
    }

Exit:
    PgFinishLockedWork(&work);
    if (copy != NULL) {
        ExFreePoolWithTag(copy, PG_POOL_TAG);
    }
    return status;
}

/*++
Routine Description:
    IRP_MJ_DEVICE_CONTROL. Unknown codes (including the test code in a
    release build) fail with STATUS_INVALID_DEVICE_REQUEST.
--*/
NTSTATUS NTAPI PgDispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
    ULONG_PTR information = 0;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(DeviceObject);

    switch (irpSp->Parameters.DeviceIoControl.IoControlCode) {
    case PG_IOCTL_READ_EVENTS:
        return PgpReadEvents(Irp, irpSp);
    case PG_IOCTL_REQUEST:
        status = PgpRequest(Irp, irpSp, &information);
        break;
#if defined(PG_TEST_BUILD)
    case PG_IOCTL_TEST_INJECT:
        return PgTestInject(Irp, irpSp);
#endif
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}
