// Journal.cpp - SQLite storage for the journal (see Journal.h).
#include "Journal.h"

#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <memory>

namespace pg
{

namespace
{

constexpr uint64_t kPruneEvery = 4096;

const char *kSchema = "CREATE TABLE IF NOT EXISTS events ("
                      " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                      " seq INTEGER NOT NULL, time_ns INTEGER NOT NULL, kind INTEGER NOT NULL,"
                      " flags INTEGER NOT NULL, pid INTEGER NOT NULL, ppid INTEGER NOT NULL,"
                      " uid INTEGER NOT NULL, status INTEGER NOT NULL, hold_id INTEGER NOT NULL,"
                      " image TEXT NOT NULL, cmdline TEXT NOT NULL, verdict INTEGER NOT NULL,"
                      " source INTEGER NOT NULL, rule_id INTEGER NOT NULL,"
                      " decided_by TEXT NOT NULL);"
                      "CREATE INDEX IF NOT EXISTS events_time ON events(time_ns);";

struct StmtDeleter {
    void operator()(sqlite3_stmt *s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

Stmt prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK)
        return Stmt{};
    return Stmt{s};
}

sqlite3_int64 i64(uint64_t v)
{
    // SQLite stores signed 64-bit integers; the bit pattern round-trips.
    return static_cast<sqlite3_int64>(v);
}

std::string columnText(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char *>(t));
}

bool journaled(const Event &ev)
{
    if ((ev.flags & PG_EVF_SNAPSHOT) != 0)
        return false;
    switch (ev.kind) {
    case EventKind::Start:
    case EventKind::Exec:
    case EventKind::Exit:
    case EventKind::Request:
    case EventKind::Verdict:
    case EventKind::Overflow:
    case EventKind::Resync:
        return true;
    default:
        return false;
    }
}

std::string csvField(const std::string &s)
{
    if (s.find_first_of(",\"\r\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string isoTime(uint64_t ns)
{
    const time_t secs = static_cast<time_t>(ns / 1000000000ull);
    struct tm tmv {
    };
    gmtime_r(&secs, &tmv);
    char buf[40];
    const size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tmv);
    char ms[8];
    snprintf(ms, sizeof ms, ".%03uZ", static_cast<unsigned>((ns / 1000000ull) % 1000ull));
    return std::string(buf, n) + ms;
}

} // namespace

std::string decidedByText(Source source, uint32_t ruleId)
{
    switch (source) {
    case Source::Rule:
        return "rule " + std::to_string(ruleId);
    case Source::Client:
        return "person";
    case Source::Timeout:
        return "timeout";
    case Source::Disconnect:
        return "panel disconnected";
    case Source::Stop:
        return "component stopped";
    case Source::NoClient:
        return "no panel";
    case Source::Mode:
        return "mode";
    case Source::Exempt:
        return "exempt";
    case Source::Overload:
        return "overload";
    case Source::None:
        break;
    }
    return std::string();
}

Journal::~Journal()
{
    close();
}

bool Journal::exec(const char *sql, std::string *error)
{
    char *msg = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &msg) == SQLITE_OK)
        return true;
    if (error != nullptr)
        *error = std::string("The journal database failed: ") + (msg ? msg : "unknown error") + ".";
    sqlite3_free(msg);
    return false;
}

bool Journal::open(const std::string &path, const JournalRetention &retention, std::string *error)
{
    close();
    m_retention = retention;
    if (sqlite3_open_v2(path.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
        if (error != nullptr)
            *error = "Cannot open the journal " + path + ": " +
                     (m_db ? sqlite3_errmsg(m_db) : "out of memory") + ".";
        close();
        return false;
    }
    sqlite3_busy_timeout(m_db, 2000);
    if (!exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", error) ||
        !exec(kSchema, error)) {
        close();
        return false;
    }
    return true;
}

void Journal::close()
{
    if (m_db != nullptr) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
}

std::string Journal::journalMode() const
{
    if (m_db == nullptr)
        return std::string();
    Stmt s = prepare(m_db, "PRAGMA journal_mode;");
    if (!s || sqlite3_step(s.get()) != SQLITE_ROW)
        return std::string();
    return columnText(s.get(), 0);
}

bool Journal::append(const std::vector<Event> &batch, std::string *error)
{
    if (m_db == nullptr) {
        if (error != nullptr)
            *error = "The journal is not open.";
        return false;
    }
    if (!exec("BEGIN;", error))
        return false;
    Stmt s = prepare(m_db, "INSERT INTO events (seq, time_ns, kind, flags, pid, ppid, uid, status,"
                           " hold_id, image, cmdline, verdict, source, rule_id, decided_by)"
                           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);");
    uint64_t added = 0;
    bool ok = static_cast<bool>(s);
    for (const Event &ev : batch) {
        if (!ok)
            break;
        if (!journaled(ev))
            continue;
        sqlite3_stmt *st = s.get();
        sqlite3_bind_int64(st, 1, i64(ev.seq));
        sqlite3_bind_int64(st, 2, i64(ev.timeNs));
        sqlite3_bind_int(st, 3, static_cast<int>(ev.kind));
        sqlite3_bind_int(st, 4, ev.flags);
        sqlite3_bind_int64(st, 5, ev.pid);
        sqlite3_bind_int64(st, 6, ev.ppid);
        sqlite3_bind_int64(st, 7, ev.uid);
        sqlite3_bind_int64(st, 8, ev.status);
        sqlite3_bind_int64(st, 9, i64(ev.holdId));
        sqlite3_bind_text(st, 10, ev.image.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 11, ev.cmdline.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 12, static_cast<int>(ev.verdict));
        sqlite3_bind_int(st, 13, static_cast<int>(ev.source));
        sqlite3_bind_int64(st, 14, ev.ruleId);
        const std::string who =
            ev.kind == EventKind::Verdict ? decidedByText(ev.source, ev.ruleId) : std::string();
        sqlite3_bind_text(st, 15, who.c_str(), -1, SQLITE_TRANSIENT);
        ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_reset(st);
        ++added;
    }
    if (!ok) {
        if (error != nullptr)
            *error = std::string("Cannot write to the journal: ") + sqlite3_errmsg(m_db) + ".";
        exec("ROLLBACK;", nullptr);
        return false;
    }
    if (!exec("COMMIT;", error)) {
        exec("ROLLBACK;", nullptr);
        return false;
    }
    m_sincePrune += added;
    if (m_sincePrune >= kPruneEvery) {
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        prune(static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()));
    }
    return true;
}

uint64_t Journal::prune(uint64_t nowNs)
{
    m_sincePrune = 0;
    if (m_db == nullptr)
        return 0;
    uint64_t removed = 0;
    if (nowNs > m_retention.maxAgeNs) {
        Stmt s = prepare(m_db, "DELETE FROM events WHERE time_ns < ?;");
        if (s) {
            sqlite3_bind_int64(s.get(), 1, i64(nowNs - m_retention.maxAgeNs));
            if (sqlite3_step(s.get()) == SQLITE_DONE)
                removed += static_cast<uint64_t>(sqlite3_changes(m_db));
        }
    }
    Stmt s = prepare(m_db, "DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC"
                           " LIMIT 1 OFFSET ?);");
    if (s) {
        sqlite3_bind_int64(s.get(), 1, i64(m_retention.maxEntries));
        if (sqlite3_step(s.get()) == SQLITE_DONE)
            removed += static_cast<uint64_t>(sqlite3_changes(m_db));
    }
    return removed;
}

uint64_t Journal::count() const
{
    if (m_db == nullptr)
        return 0;
    Stmt s = prepare(m_db, "SELECT COUNT(*) FROM events;");
    if (!s || sqlite3_step(s.get()) != SQLITE_ROW)
        return 0;
    return static_cast<uint64_t>(sqlite3_column_int64(s.get(), 0));
}

std::vector<JournalEntry> Journal::query(const JournalFilter &filter) const
{
    std::vector<JournalEntry> out;
    if (m_db == nullptr)
        return out;
    std::string sql =
        "SELECT id, seq, time_ns, kind, flags, pid, ppid, uid, status, hold_id, image,"
        " cmdline, verdict, source, rule_id, decided_by FROM events"
        " WHERE time_ns >= ?1 AND time_ns <= ?2 AND id > ?6";
    if (filter.verdict || filter.decisionsOnly)
        sql += " AND kind = " + std::to_string(PG_EV_VERDICT);
    if (filter.verdict)
        sql += " AND verdict = ?3";
    if (!filter.program.empty())
        sql += " AND instr(image, ?4) > 0";
    sql += " ORDER BY id DESC LIMIT ?5;";
    Stmt s = prepare(m_db, sql.c_str());
    if (!s)
        return out;
    sqlite3_stmt *st = s.get();
    sqlite3_bind_int64(st, 1, i64(filter.fromNs));
    // Times are stored as signed integers; clamp the open end to the largest.
    sqlite3_bind_int64(st, 2,
                       filter.toNs > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                           ? std::numeric_limits<int64_t>::max()
                           : i64(filter.toNs));
    if (filter.verdict)
        sqlite3_bind_int(st, 3, static_cast<int>(*filter.verdict));
    if (!filter.program.empty())
        sqlite3_bind_text(st, 4, filter.program.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, i64(filter.limit));
    sqlite3_bind_int64(st, 6, filter.afterId);
    while (sqlite3_step(st) == SQLITE_ROW) {
        JournalEntry e;
        e.id = sqlite3_column_int64(st, 0);
        e.seq = static_cast<uint64_t>(sqlite3_column_int64(st, 1));
        e.timeNs = static_cast<uint64_t>(sqlite3_column_int64(st, 2));
        e.kind = static_cast<EventKind>(sqlite3_column_int(st, 3));
        e.flags = static_cast<uint16_t>(sqlite3_column_int(st, 4));
        e.pid = static_cast<uint32_t>(sqlite3_column_int64(st, 5));
        e.ppid = static_cast<uint32_t>(sqlite3_column_int64(st, 6));
        e.uid = static_cast<uint32_t>(sqlite3_column_int64(st, 7));
        e.status = static_cast<uint32_t>(sqlite3_column_int64(st, 8));
        e.holdId = static_cast<uint64_t>(sqlite3_column_int64(st, 9));
        e.image = columnText(st, 10);
        e.cmdline = columnText(st, 11);
        e.verdict = static_cast<Verdict>(sqlite3_column_int(st, 12));
        e.source = static_cast<Source>(sqlite3_column_int(st, 13));
        e.ruleId = static_cast<uint32_t>(sqlite3_column_int64(st, 14));
        e.decidedBy = columnText(st, 15);
        out.push_back(std::move(e));
    }
    return out;
}

std::string Journal::csvHeader()
{
    return "time,seq,event,pid,ppid,uid,image,cmdline,verdict,decided_by,rule_id,hold_id,status";
}

std::string Journal::csvRow(const JournalEntry &e)
{
    std::string row = isoTime(e.timeNs);
    row += ',' + std::to_string(e.seq);
    row += ',' + std::string(toString(e.kind));
    row += ',' + std::to_string(e.pid);
    row += ',' + std::to_string(e.ppid);
    row += ',' + std::to_string(e.uid);
    row += ',' + csvField(e.image);
    row += ',' + csvField(e.cmdline);
    row += ',' + std::string(e.verdict == Verdict::None ? "" : toString(e.verdict));
    row += ',' + csvField(e.decidedBy);
    row += ',' + (e.ruleId != 0 ? std::to_string(e.ruleId) : std::string());
    row += ',' + (e.holdId != 0 ? std::to_string(e.holdId) : std::string());
    row += ',' + (e.kind == EventKind::Exit ? std::to_string(e.status) : std::string());
    return row;
}

bool Journal::exportCsv(const std::string &path, const JournalFilter &filter,
                        std::string *error) const
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        if (error != nullptr)
            *error = "Cannot write " + path + ": check that the folder exists and is writable.";
        return false;
    }
    out << csvHeader() << "\r\n";
    for (const JournalEntry &e : query(filter))
        out << csvRow(e) << "\r\n";
    out.flush();
    if (!out) {
        if (error != nullptr)
            *error = "Writing " + path + " failed: the disk may be full.";
        return false;
    }
    return true;
}

} // namespace pg
