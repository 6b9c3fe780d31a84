/*
 * pg_compat.h - what procguard.sys needs from the kernel headers, and
 * what mingw-w64's ddk/ folder lacks.
 *
 * Module description:
 *   The one place the driver includes kernel headers. Everything the WDK
 *   declares but mingw-w64 does not (or declares differently) is added
 *   here, so the driver's .c files read like WDK code.
 *
 * What it must not do:
 *   Define anything that mingw-w64 already declares (a later mingw
 *   release would then break the build): each addition is guarded.
 *
 * Platform notes (checked against Debian's mingw-w64 10 and wine 8):
 *   - No IoCreateDeviceSecure (wdmsec): the device DACL is applied with
 *     ZwSetSecurityObject right after IoCreateDevice.
 *   - No ExAllocatePool2: ExAllocatePoolWithTag(NonPagedPoolNx) + zeroing.
 *   - No PsSetCreateProcessNotifyRoutineEx2 import: resolved at run time
 *     with MmGetSystemRoutineAddress (Windows 10 1703 and later).
 *   - No __try under GCC: METHOD_BUFFERED only, never a user pointer.
 *   - Wine's ntoskrnl exports IoCsqInsertIrp/IoCsqRemoveNextIrp as stubs
 *     that raise when called, as are IoGetRequestorProcessId,
 *     PsGetProcessSessionId, SeTokenIsAdmin and SeCaptureSubjectContext:
 *     the driver avoids them (see procguard.h).
 */
#ifndef PG_COMPAT_H
#define PG_COMPAT_H

#include <ntifs.h>

#include "pg_core_kernel.h"

/* PsSetCreateProcessNotifyRoutineEx2 (ntddk.h in the WDK). */
#ifndef PG_HAVE_PS_CREATE_NOTIFY_EX2
typedef enum _PG_PSCREATEPROCESSNOTIFYTYPE {
    PgPsCreateProcessNotifySubsystems = 0
} PG_PSCREATEPROCESSNOTIFYTYPE;

typedef NTSTATUS(NTAPI *PG_PS_SET_CREATE_PROCESS_NOTIFY_EX2)(
    PG_PSCREATEPROCESSNOTIFYTYPE NotifyType, PVOID NotifyInformation, BOOLEAN Remove);
#endif

/* SE_GROUP_* attribute bits (winnt.h values). */
#ifndef SE_GROUP_ENABLED
#define SE_GROUP_ENABLED 0x00000004L
#endif
#ifndef SE_GROUP_USE_FOR_DENY_ONLY
#define SE_GROUP_USE_FOR_DENY_ONLY 0x00000010L
#endif

#ifndef PROCESS_QUERY_LIMITED_INFORMATION
#define PROCESS_QUERY_LIMITED_INFORMATION 0x1000
#endif
#ifndef PROCESS_TERMINATE
#define PROCESS_TERMINATE 0x0001
#endif

#ifndef PROCESS_QUERY_INFORMATION
#define PROCESS_QUERY_INFORMATION 0x0400
#endif

/* The process object type. The WDK reaches ntoskrnl's exported
 * POBJECT_TYPE variable through "*PsProcessType" (its import library
 * makes PsProcessType the import slot); mingw-w64 declares it dllimport,
 * which already reads the variable, so "*PsProcessType" there reads the
 * first bytes of the OBJECT_TYPE and ObOpenObjectByPointer answers
 * STATUS_OBJECT_TYPE_MISMATCH. */
#define PG_PROCESS_TYPE ((POBJECT_TYPE)PsProcessType)

/* SAL annotations the WDK headers carry; mingw-w64 has none. */
#ifndef _Dispatch_type_
#define _Dispatch_type_(x)
#endif

/* Role types for callbacks that mingw-w64 declares only as pointers. */
#ifndef PG_HAVE_NOTIFY_ROLE_TYPES
typedef VOID NTAPI CREATE_THREAD_NOTIFY_ROUTINE(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create);
typedef VOID NTAPI LOAD_IMAGE_NOTIFY_ROUTINE(PUNICODE_STRING FullImageName, HANDLE ProcessId,
                                             PIMAGE_INFO ImageInfo);
#endif

/* Driver-role prototypes in the WDK spelling. */
DRIVER_INITIALIZE DriverEntry;

#endif /* PG_COMPAT_H */
