// SyncState.cpp - the sync's state file (SyncState.h).
#include "SyncState.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <sstream>

#include "FileSystem.h"

namespace pg
{
namespace sync
{

using nlohmann::json;

namespace
{

std::string join(const std::string &dir, const char *name)
{
#if defined(_WIN32)
    return dir + "\\" + name;
#else
    return dir + "/" + name;
#endif
}

std::string utcText(int64_t t)
{
    if (t <= 0)
        return "never";
    const time_t tt = static_cast<time_t>(t);
    struct tm tm {
    };
    gmtime_r(&tt, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string ago(int64_t then, int64_t now)
{
    if (then <= 0 || now < then)
        return "";
    const int64_t s = now - then;
    if (s < 120)
        return " (" + std::to_string(s) + " s ago)";
    if (s < 7200)
        return " (" + std::to_string(s / 60) + " min ago)";
    return " (" + std::to_string(s / 3600) + " h ago)";
}

} // namespace

bool readSyncState(const std::string &dir, SyncState *state, std::string *error)
{
    return readSyncState(dir, state, error, policy::systemFileSystem());
}

bool readSyncState(const std::string &dir, SyncState *state, std::string *error,
                   policy::FileSystem &fs)
{
    error->clear();
    std::string text;
    const int rc = fs.readFile(join(dir, kSyncStateFile), &text);
    if (rc == ENOENT)
        return false;
    if (rc != 0) {
        *error = "Cannot read the sync state in " + dir + " (" + std::strerror(rc) + ").";
        return false;
    }
    try {
        const json j = json::parse(text);
        SyncState s;
        s.server = j.value("server", "");
        s.machineId = j.value("machine_id", "");
        s.lastAttempt = j.value("last_attempt", int64_t(0));
        s.lastSuccess = j.value("last_success", int64_t(0));
        s.lastError = j.value("last_error", "");
        s.mode = j.value("mode", "");
        s.policyFile = j.value("policy_file", "");
        s.rules = j.value("rules", 0u);
        s.ignoredRules = j.value("ignored_rules", 0u);
        s.eventsUploaded = j.value("events_uploaded", 0u);
        s.eventsSpooled = j.value("events_spooled", 0u);
        s.eventsDropped = j.value("events_dropped", uint64_t(0));
        s.fullSyncIntervalS = j.value("full_sync_interval", 0u);
        s.uploadAllEvents = j.value("upload_all_events", false);
        *state = s;
        return true;
    } catch (const json::exception &e) {
        *error = "The sync state in " + dir + " is damaged (" + e.what() + ").";
        return false;
    }
}

bool writeSyncState(const std::string &dir, const SyncState &s, policy::FileSystem &fs,
                    std::string *error)
{
    const json j{{"server", s.server},
                 {"machine_id", s.machineId},
                 {"last_attempt", s.lastAttempt},
                 {"last_success", s.lastSuccess},
                 {"last_error", s.lastError},
                 {"mode", s.mode},
                 {"policy_file", s.policyFile},
                 {"rules", s.rules},
                 {"ignored_rules", s.ignoredRules},
                 {"events_uploaded", s.eventsUploaded},
                 {"events_spooled", s.eventsSpooled},
                 {"events_dropped", s.eventsDropped},
                 {"full_sync_interval", s.fullSyncIntervalS},
                 {"upload_all_events", s.uploadAllEvents}};
    const std::string data = j.dump(2) + "\n";
    const std::string target = join(dir, kSyncStateFile);
    const std::string temp = target + ".tmp";
    fs.remove(temp);
    int handle = -1;
    int rc = fs.createNew(temp, &handle);
    if (rc == 0) {
        rc = fs.writeAll(handle, data.data(), data.size());
        if (rc == 0)
            rc = fs.sync(handle);
        const int closed = fs.close(handle);
        if (rc == 0)
            rc = closed;
    }
    if (rc == 0)
        rc = fs.rename(temp, target);
    if (rc != 0) {
        fs.remove(temp);
        *error = "Cannot write the sync state " + target + " (" + std::strerror(rc) + ").";
        return false;
    }
    fs.syncDirectory(dir);
    return true;
}

std::string describeSyncState(const SyncState &s, int64_t now)
{
    std::ostringstream out;
    out << "Sync server:      " << s.server << " (machine " << s.machineId << ")\n"
        << "Last sync:        " << utcText(s.lastSuccess) << ago(s.lastSuccess, now) << '\n'
        << "Last sync error:  " << (s.lastError.empty() ? std::string("none") : s.lastError);
    if (!s.lastError.empty() && s.lastAttempt > 0)
        out << " (at " << utcText(s.lastAttempt) << ")";
    out << '\n' << "Sync rules:       " << s.rules << " in " << s.policyFile;
    if (s.ignoredRules > 0)
        out << " (" << s.ignoredRules << " server rules ignored)";
    if (!s.mode.empty())
        out << ", mode " << s.mode;
    out << "\nSync events:      " << s.eventsSpooled << " waiting, " << s.eventsUploaded
        << " uploaded by the last sync";
    if (s.eventsDropped > 0)
        out << ", " << s.eventsDropped << " lost (spool full)";
    return out.str();
}

} // namespace sync
} // namespace pg
