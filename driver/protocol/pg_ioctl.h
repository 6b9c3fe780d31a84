/*
 * pg_ioctl.h - how the pg_protocol.h messages travel to procguard.sys.
 *
 * Module description:
 *   The Windows driver exposes one device. A client opens it (the device
 *   DACL and a check in IRP_MJ_CREATE admit Administrators and SYSTEM only)
 *   and exchanges the unchanged pg_protocol.h messages through two
 *   METHOD_BUFFERED control codes:
 *
 *   PG_IOCTL_REQUEST      input:  one client message (HELLO, VERDICTS,
 *                                 SET_POLICY, GET_POLICY, GET_STATUS).
 *                         output: its reply (HELLO_REPLY, RESULT, POLICY,
 *                                 STATUS). A malformed message still gets
 *                                 a PG_MSG_RESULT carrying the pg_status
 *                                 error, so the client always learns why.
 *                                 Only a request the driver cannot answer
 *                                 at all (input larger than
 *                                 PG_MAX_MESSAGE_SIZE, output smaller than
 *                                 a pg_result) fails with an NTSTATUS.
 *                                 A reply larger than the output buffer
 *                                 (a big policy) completes with
 *                                 STATUS_BUFFER_OVERFLOW and a bare
 *                                 pg_msg_header whose size is the bytes
 *                                 needed; the client retries bigger.
 *   PG_IOCTL_READ_EVENTS  input:  none. output: one PG_MSG_EVENTS message.
 *                         The inverted call: the driver keeps the request
 *                         pending until events are queued for this handle,
 *                         then completes it with as many whole records as
 *                         fit. A client keeps one or more reads pending.
 *
 *   Test builds of the driver (never release builds) add
 *   PG_IOCTL_TEST_INJECT, which runs the driver's real create-process
 *   callback from a system thread with a synthetic PS_CREATE_NOTIFY_INFO
 *   (Wine never fires the real callback). Its input and output are
 *   pg_test_inject / pg_test_inject_result below.
 *
 * Rules:
 *   METHOD_BUFFERED only (the driver never touches a user pointer: it has
 *   no structured exception handling under GCC). Function codes >= 0x800.
 *   Access bits are FILE_READ_DATA / FILE_WRITE_DATA, never
 *   FILE_ANY_ACCESS. The codes are spelled out numerically so that this
 *   header compiles without any Windows header (host tests check them).
 */
#ifndef PG_IOCTL_H
#define PG_IOCTL_H

#include "pg_protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Names of the device. The Win32 path is what CreateFile opens. */
#define PG_NT_DEVICE_NAME L"\\Device\\ProcGuard"
#define PG_DOS_DEVICE_NAME L"\\DosDevices\\ProcGuard"
#define PG_WIN32_DEVICE_PATH "\\\\.\\ProcGuard"
#define PG_SERVICE_NAME "procguard"

/* A vendor device type (0x8000 and above are for vendors). */
#define PG_DEVICE_TYPE 0x8A47u

#define PG_METHOD_BUFFERED 0u
#define PG_FILE_READ_DATA 0x1u
#define PG_FILE_WRITE_DATA 0x2u

/* The same layout as CTL_CODE() in the Windows headers. */
#define PG_CTL_CODE(function, access)                                                              \
    ((uint32_t)(((uint32_t)PG_DEVICE_TYPE << 16) | ((uint32_t)(access) << 14) |                    \
                ((uint32_t)(function) << 2) | PG_METHOD_BUFFERED))

#define PG_FUNC_REQUEST 0x800u
#define PG_FUNC_READ_EVENTS 0x801u
#define PG_FUNC_TEST_INJECT 0x8F0u /* test builds only */

#define PG_IOCTL_REQUEST PG_CTL_CODE(PG_FUNC_REQUEST, PG_FILE_READ_DATA | PG_FILE_WRITE_DATA)
#define PG_IOCTL_READ_EVENTS PG_CTL_CODE(PG_FUNC_READ_EVENTS, PG_FILE_READ_DATA)
#define PG_IOCTL_TEST_INJECT                                                                       \
    PG_CTL_CODE(PG_FUNC_TEST_INJECT, PG_FILE_READ_DATA | PG_FILE_WRITE_DATA)

/* Smallest output buffer PG_IOCTL_READ_EVENTS accepts: the message header
 * and one event record with every string at its maximum. */
#define PG_MIN_EVENTS_BUFFER                                                                       \
    (24u + 88u + PG_MAX_PATH_BYTES + PG_MAX_CMDLINE_BYTES + PG_MAX_SID_BYTES + PG_MAX_PATH_BYTES)

/* Marker string compiled into test builds only; the PE check looks for it
 * (and for the test control code) to prove a release build lacks them. */
#define PG_TEST_BUILD_MARKER "PG-TEST-INJECTION-BUILD"

#pragma pack(push, 8)

/*
 * PG_IOCTL_TEST_INJECT input: one synthetic process start. The strings
 * follow the fixed part as UTF-16LE without a terminator (lengths in
 * bytes, even); a length of 0xFFFF passes a NULL UNICODE_STRING pointer
 * to the callback (as Windows may do for CommandLine).
 */
typedef struct pg_test_inject {
    uint32_t size;        /* whole input, bytes */
    uint32_t pid;         /* ProcessId given to the callback */
    uint32_t ppid;        /* ParentProcessId */
    uint32_t creator_pid; /* CreatingThreadId.UniqueProcess */
    uint32_t creator_tid; /* CreatingThreadId.UniqueThread */
    uint32_t flags;       /* PG_TEST_INJECT_* */
    uint16_t image_len;   /* bytes of UTF-16 image path (NT form) */
    uint16_t cmdline_len; /* bytes of UTF-16 command line, 0xFFFF = NULL */
    uint32_t reserved;
} pg_test_inject;

#define PG_TEST_INJECT_EXIT 0x1u /* deliver an exit (CreateInfo NULL) instead */
#define PG_TEST_INJECT_IMAGE 0x2u /* deliver an image load in the new process's own context */
#define PG_TEST_NULL_STRING 0xFFFFu

typedef struct pg_test_inject_result {
    uint32_t creation_status; /* CreationStatus after the callback (NTSTATUS) */
    uint32_t elapsed_ms;      /* how long the callback held the launcher */
} pg_test_inject_result;

#pragma pack(pop)

PG_STATIC_ASSERT(sizeof(pg_test_inject) == 32, "pg_test_inject size");
PG_STATIC_ASSERT(sizeof(pg_test_inject_result) == 8, "pg_test_inject_result size");

/* Status with which a process blocked after its launcher was released is
 * terminated: a customer-defined (bit 29) error code, "PG" + 1. */
#define PG_STATUS_BLOCKED_AFTER_RELEASE 0xE0470001u
/* Status with which a program is ended when its daily time budget is used
 * up and the grace time after the warning passed ("PG" + 2). */
#define PG_STATUS_BUDGET_USED 0xE0470002u

#ifdef __cplusplus
}
#endif

#endif /* PG_IOCTL_H */
