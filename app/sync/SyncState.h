// SyncState.h - what the last sync with a Santa server did, as a small JSON
// file in the sync's state directory, so that `procguardctl status` and the
// panel show the server, the last sync and the last error without talking
// to the server or to the sync service.
//
// Written by the sync (SyncClient) after every attempt, atomically
// (temporary file + rename, through policy::FileSystem); read by anyone
// allowed to read the directory. A missing file means "no sync configured
// or never run"; a damaged one reads as an error, never as a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "FileSystem.h"

namespace pg
{
namespace policy
{
class FileSystem;
}
namespace sync
{

#if defined(_WIN32)
constexpr const char *kDefaultSyncStateDir = "C:\\ProgramData\\ProcGuard\\sync";
#else
constexpr const char *kDefaultSyncStateDir = "/var/lib/procguard/sync";
#endif
constexpr const char *kSyncStateFile = "state.json";

struct SyncState {
    std::string server;      // the sync URL
    std::string machineId;   // as sent
    int64_t lastAttempt = 0; // UTC seconds; 0 = never
    int64_t lastSuccess = 0; // UTC seconds of the last complete sync; 0 = never
    std::string lastError;   // empty when the last attempt succeeded
    std::string mode;        // monitor/lockdown as the server set it; empty: not set
    std::string policyFile;  // the managed policy file the sync writes
    uint32_t rules = 0;      // rules in that file
    uint32_t ignoredRules = 0;
    uint32_t eventsUploaded = 0; // by the last sync
    uint32_t eventsSpooled = 0;  // waiting for the next
    uint64_t eventsDropped = 0;  // lost because the spool was full (ever)
    uint32_t fullSyncIntervalS = 0;
    bool uploadAllEvents = false; // the server wants every decision, not only blocks
};

// True with *state filled; false with *error empty when there is no state
// file (*state untouched), or with *error (one sentence) when it cannot be
// read or is damaged.
// fs: where to read (default: the system's).
bool readSyncState(const std::string &dir, SyncState *state, std::string *error);
bool readSyncState(const std::string &dir, SyncState *state, std::string *error,
                   policy::FileSystem &fs);
bool writeSyncState(const std::string &dir, const SyncState &state, policy::FileSystem &fs,
                    std::string *error);

// Lines for `status` and the panel: "Sync server: URL", ... (no trailing newline).
std::string describeSyncState(const SyncState &state, int64_t nowUtc);

} // namespace sync
} // namespace pg
