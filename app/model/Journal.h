// Journal.h - the panel's persistent record of starts, exits and verdicts.
//
// Owns one SQLite database in WAL mode. Each append() is one transaction, so
// a batch is either wholly in the journal or not at all; with WAL and
// synchronous=NORMAL a committed transaction survives a crash of the panel
// (a power loss may lose the last commits, never corrupt the file).
// Retention is bounded by entry count and age: prune() enforces both, and
// append() calls it every few thousand entries, so the file cannot grow
// without limit.
//
// What is recorded: every START, EXEC, EXIT, REQUEST and VERDICT (with who
// decided), OVERFLOW and RESYNC. Snapshot records (PG_EVF_SNAPSHOT) describe
// processes that were already running and are not history, so they are
// skipped.
//
// Threads: a Journal belongs to the thread that opened it; it does no locking
// of its own. Knows nothing of Qt.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "Types.h"

struct sqlite3;

namespace pg
{

struct JournalEntry {
    int64_t id = 0; // row id, increasing
    uint64_t seq = 0;
    uint64_t timeNs = 0;
    EventKind kind = EventKind::Start;
    uint16_t flags = 0;
    uint32_t pid = 0;
    uint32_t ppid = 0;
    uint32_t uid = 0;
    uint32_t status = 0; // EXIT: exit status
    uint64_t holdId = 0;
    std::string image;
    std::string cmdline;
    Verdict verdict = Verdict::None;
    Source source = Source::None;
    uint32_t ruleId = 0;
    std::string decidedBy; // "rule 3", "person", "timeout", ... (decidedByText)
};

struct JournalFilter {
    std::optional<Verdict> verdict; // only VERDICT entries with this verdict
    bool decisionsOnly = false;     // only VERDICT entries
    std::string program;            // substring of the image path (case-sensitive)
    uint64_t fromNs = 0;
    uint64_t toNs = std::numeric_limits<uint64_t>::max();
    int64_t afterId = 0;  // only entries newer than this row id (live updates)
    size_t limit = 10000; // newest first
};

struct JournalRetention {
    uint64_t maxEntries = 200000;
    uint64_t maxAgeNs = 30ull * 24 * 3600 * 1000000000ull; // 30 days
};

class Journal
{
public:
    Journal() = default;
    ~Journal();
    Journal(const Journal &) = delete;
    Journal &operator=(const Journal &) = delete;

    // Opens or creates the database at path (":memory:" for tests). Returns
    // false with one sentence in *error when it cannot.
    bool open(const std::string &path, const JournalRetention &retention, std::string *error);
    void close();
    bool isOpen() const { return m_db != nullptr; }

    // Records a batch in one transaction; false (and *error) on failure.
    bool append(const std::vector<Event> &batch, std::string *error = nullptr);
    // Removes entries older than nowNs - maxAgeNs and the oldest beyond
    // maxEntries. Returns how many went.
    uint64_t prune(uint64_t nowNs);
    // Newest first.
    std::vector<JournalEntry> query(const JournalFilter &filter) const;
    uint64_t count() const;
    // The journal mode SQLite reports ("wal").
    std::string journalMode() const;

    // Writes the entries matching filter as CSV (RFC 4180 quoting).
    bool exportCsv(const std::string &path, const JournalFilter &filter, std::string *error) const;
    static std::string csvHeader();
    static std::string csvRow(const JournalEntry &entry);

private:
    bool exec(const char *sql, std::string *error);

    sqlite3 *m_db = nullptr;
    JournalRetention m_retention;
    uint64_t m_sincePrune = 0;
};

// Who decided, for people: "rule 3", "person", "timeout", "no client", ...
std::string decidedByText(Source source, uint32_t ruleId);

} // namespace pg
