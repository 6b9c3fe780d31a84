/*
 * pg_hash.c - SHA-256 of a starting program's image, for SHA256 rules.
 *
 * Module description:
 *   A SHA256 rule names the digest of the image file. The driver computes
 *   it itself (driver/core/pg_sha256.h), so hash rules decide with no
 *   client connected. The create-process callback asks for the digest
 *   only when the rules in force say it could change the answer
 *   (pg_match_result.needs has PG_FACT_SHA256).
 *
 *   The file is opened by its NT name (PS_CREATE_NOTIFY_INFO's
 *   ImageFileName), sharing read, write and delete with whoever has it
 *   open (the loader does), and read in 64 KiB pieces at PASSIVE_LEVEL
 *   in the launcher's thread. Digests are cached by file identity and
 *   version: volume serial number, file id, size, last write and change
 *   time. So a renamed or copied file keeps matching its rule (same
 *   content), and a modified one is hashed again and no longer does.
 *
 *   Files larger than PG_MAX_HASH_BYTES, and files that cannot be read,
 *   have no digest: no SHA256 rule matches them (the other rules and the
 *   mode decide).
 *
 * What it must not do:
 *   Read a file with the spin lock held: the cache has its own lock, and
 *   the reading happens outside both.
 */
#include "procguard.h"

#define PG_MAX_HASH_BYTES (256ull * 1024 * 1024)
#define PG_HASH_CHUNK (64u * 1024u)
#define PG_HASH_CACHE 64

typedef struct _PG_HASH_ENTRY {
    ULONG VolumeSerial;
    LARGE_INTEGER FileId;
    LARGE_INTEGER Size;
    LARGE_INTEGER LastWrite;
    LARGE_INTEGER Change;
    char Hex[PG_SHA256_HEX_BYTES];
    BOOLEAN Used;
} PG_HASH_ENTRY;

static KSPIN_LOCK PgpHashLock;
static PG_HASH_ENTRY PgpHashCache[PG_HASH_CACHE];
static ULONG PgpHashNext; /* the slot the next new digest replaces */

VOID PgHashInit(VOID)
{
    KeInitializeSpinLock(&PgpHashLock);
    RtlZeroMemory(PgpHashCache, sizeof(PgpHashCache));
    PgpHashNext = 0;
}

/* The identity and version of an open file; FALSE when it cannot be read. */
static BOOLEAN PgpIdentify(HANDLE File, PG_HASH_ENTRY *Key)
{
    IO_STATUS_BLOCK iosb;
    FILE_INTERNAL_INFORMATION internal;
    FILE_BASIC_INFORMATION basic;
    FILE_STANDARD_INFORMATION standard;
    UCHAR volumeBuffer[sizeof(FILE_FS_VOLUME_INFORMATION) + 64 * sizeof(WCHAR)];
    PFILE_FS_VOLUME_INFORMATION volume = (PFILE_FS_VOLUME_INFORMATION)volumeBuffer;
    NTSTATUS status;

    RtlZeroMemory(Key, sizeof(*Key));
    if (!NT_SUCCESS(ZwQueryInformationFile(File, &iosb, &internal, sizeof(internal),
                                           FileInternalInformation)) ||
        !NT_SUCCESS(
            ZwQueryInformationFile(File, &iosb, &basic, sizeof(basic), FileBasicInformation)) ||
        !NT_SUCCESS(ZwQueryInformationFile(File, &iosb, &standard, sizeof(standard),
                                           FileStandardInformation))) {
        return FALSE;
    }
    status = ZwQueryVolumeInformationFile(File, &iosb, volume, sizeof(volumeBuffer),
                                          FileFsVolumeInformation);
    /* A long volume label only overflows the label. */
    if (NT_SUCCESS(status) || status == STATUS_BUFFER_OVERFLOW) {
        Key->VolumeSerial = volume->VolumeSerialNumber;
    }
    Key->FileId = internal.IndexNumber;
    Key->Size = standard.EndOfFile;
    Key->LastWrite = basic.LastWriteTime;
    Key->Change = basic.ChangeTime;
    return TRUE;
}

static BOOLEAN PgpSameVersion(const PG_HASH_ENTRY *A, const PG_HASH_ENTRY *B)
{
    return A->VolumeSerial == B->VolumeSerial && A->FileId.QuadPart == B->FileId.QuadPart &&
           A->Size.QuadPart == B->Size.QuadPart && A->LastWrite.QuadPart == B->LastWrite.QuadPart &&
           A->Change.QuadPart == B->Change.QuadPart;
}

static BOOLEAN PgpCacheLookup(const PG_HASH_ENTRY *Key, char *Hex)
{
    KIRQL irql;
    ULONG i;
    BOOLEAN found = FALSE;

    KeAcquireSpinLock(&PgpHashLock, &irql);
    for (i = 0; i < PG_HASH_CACHE && !found; i++) {
        if (PgpHashCache[i].Used && PgpSameVersion(&PgpHashCache[i], Key)) {
            RtlCopyMemory(Hex, PgpHashCache[i].Hex, PG_SHA256_HEX_BYTES);
            found = TRUE;
        }
    }
    KeReleaseSpinLock(&PgpHashLock, irql);
    return found;
}

static VOID PgpCacheStore(const PG_HASH_ENTRY *Key, const char *Hex)
{
    KIRQL irql;

    KeAcquireSpinLock(&PgpHashLock, &irql);
    PgpHashCache[PgpHashNext] = *Key;
    RtlCopyMemory(PgpHashCache[PgpHashNext].Hex, Hex, PG_SHA256_HEX_BYTES);
    PgpHashCache[PgpHashNext].Used = TRUE;
    PgpHashNext = (PgpHashNext + 1) % PG_HASH_CACHE;
    KeReleaseSpinLock(&PgpHashLock, irql);
}

/* Reads the whole file through the digest. */
static BOOLEAN PgpDigestFile(HANDLE File, LONGLONG Size, char *Hex)
{
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER offset;
    pg_sha256_ctx sha;
    uint8_t digest[32];
    UCHAR *chunk;
    LONGLONG done = 0;
    NTSTATUS status;
    BOOLEAN ok = TRUE;

    chunk = (UCHAR *)ExAllocatePoolWithTag(PagedPool, PG_HASH_CHUNK, PG_POOL_TAG);
    if (chunk == NULL) {
        return FALSE;
    }
    pg_sha256_init(&sha);
    while (done < Size) {
        ULONG want = Size - done < PG_HASH_CHUNK ? (ULONG)(Size - done) : PG_HASH_CHUNK;
        offset.QuadPart = done;
        status = ZwReadFile(File, NULL, NULL, NULL, &iosb, chunk, want, &offset, NULL);
        if (!NT_SUCCESS(status) || iosb.Information == 0) {
            ok = FALSE;
            break;
        }
        pg_sha256_update(&sha, chunk, iosb.Information);
        done += (LONGLONG)iosb.Information;
    }
    ExFreePoolWithTag(chunk, PG_POOL_TAG);
    if (!ok) {
        return FALSE;
    }
    pg_sha256_final(&sha, digest);
    pg_sha256_hex(digest, Hex);
    return TRUE;
}

/*++
Routine Description:
    The SHA-256 of an image, as 64 lower-case hex digits. PASSIVE_LEVEL,
    no lock held.

Arguments:
    ImageFileName - the NT name from PS_CREATE_NOTIFY_INFO.
    Hex           - receives the digits and a NUL (PG_SHA256_HEX_BYTES).

Return Value:
    TRUE with the digest; FALSE when the file cannot be read or is
    larger than PG_MAX_HASH_BYTES.
--*/
BOOLEAN PgHashImage(PCUNICODE_STRING ImageFileName, char *Hex)
{
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    PG_HASH_ENTRY key;
    HANDLE file = NULL;
    BOOLEAN ok = FALSE;

    if (ImageFileName == NULL || ImageFileName->Buffer == NULL || ImageFileName->Length == 0) {
        return FALSE;
    }
    InitializeObjectAttributes(&oa, (PUNICODE_STRING)ImageFileName,
                               OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (!NT_SUCCESS(ZwCreateFile(&file, FILE_READ_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE, &oa,
                                 &iosb, NULL, FILE_ATTRIBUTE_NORMAL,
                                 FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, FILE_OPEN,
                                 FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT |
                                     FILE_SEQUENTIAL_ONLY,
                                 NULL, 0))) {
        return FALSE;
    }
    if (!PgpIdentify(file, &key) || key.Size.QuadPart < 0 ||
        (ULONGLONG)key.Size.QuadPart > PG_MAX_HASH_BYTES) {
        goto Exit;
    }
    if (PgpCacheLookup(&key, Hex)) {
        ok = TRUE;
        goto Exit;
    }
    ok = PgpDigestFile(file, key.Size.QuadPart, Hex);
    if (ok) {
        PgpCacheStore(&key, Hex);
    }

Exit:
    ZwClose(file);
    return ok;
}
