// EventSpool.h - the decisions waiting for the next event upload: a bounded
// file of JSON lines (one UploadEvent each) in the sync's state directory.
//
// The sync service appends what it observes as it happens; a sync (the
// service's own, or `procguardctl sync --once` from a timer) reads the
// oldest, uploads them and drops exactly those. The file survives
// restarts, so nothing observed is lost between a start and the next
// upload. Every operation holds an exclusive lock (flock on "<file>.lock")
// for its short duration, so an append never interleaves with the rewrite
// that drops uploaded events. Only one sync runs at a time (SyncClient
// holds the sync lock), so the events it read are still the first ones
// when it drops them.
//
// Bound: at most `limit` events; appends beyond it are refused and counted
// (takeDropped()), never silently: the count goes to the state file. A line
// that does not parse (a torn write after a crash) is skipped and counted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "SantaProtocol.h"

namespace pg
{
namespace sync
{

class EventSpool
{
public:
    EventSpool(std::string path, uint32_t limit);

    const std::string &path() const { return m_path; }
    // Appends what fits; returns false with *error on an I/O error.
    bool append(const std::vector<UploadEvent> &events, std::string *error);
    // The oldest max events (fewer when fewer are waiting).
    bool peek(size_t max, std::vector<UploadEvent> *events, std::string *error);
    // Removes the oldest count lines (after they were uploaded).
    bool dropFirst(size_t count, std::string *error);
    size_t size();
    // Events refused because the spool was full, since the last call.
    uint64_t takeDropped()
    {
        const uint64_t n = m_dropped;
        m_dropped = 0;
        return n;
    }
    uint64_t damaged() const { return m_damaged; }

private:
    bool readLines(std::vector<std::string> *lines, std::string *error);

    std::string m_path;
    uint32_t m_limit;
    uint64_t m_dropped = 0;
    uint64_t m_damaged = 0;
    bool m_tornTail = false; // the file's last line has no '\n' (a crash mid-append)
};

} // namespace sync
} // namespace pg
