// LocalZone.h - the system's time zone as a pg_tz table (pg_schedule.h).
//
// Owns: the offset-transition table that schedules and daily budgets are
// evaluated with, and the running boot's id (for "until reboot" rules).
//
// Where the zone comes from: glibc reads /etc/localtime (or $TZ) once, in
// tzset(), which load() calls at start, before any fanotify mark exists.
// After that localtime_r() never opens the file again, so rebuilding the
// table on the main thread (every few months, or when the clock jumped)
// cannot open anything on a gated filesystem. The table covers
// [now - 2 days, now + kSpanDays) and is found by asking localtime_r()
// for the UTC offset every hour, then bisecting each change to the
// second - glibc applies the zone file's rules, including the POSIX rule
// for years past its last listed transition.
//
// A fixed offset (setFixed) replaces the system zone: for tests and for
// --utc-offset.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pg_core.h"

class LocalZone
{
public:
    static constexpr int64_t kSpanDays = 400;
    using OffsetAt = std::function<int32_t(int64_t utc)>;

    // Reads the system zone (tzset). Call once at start, before marks.
    void load();
    void setFixed(int32_t offsetS);
    // Builds the table around now; valid until validUntil().
    void rebuild(int64_t now);
    bool needsRebuild(int64_t now) const { return now >= m_validUntil || now < m_validFrom; }
    int64_t validUntil() const { return m_validUntil; }
    const pg_tz *tz() const { return &m_tz; }

    // The table for [from, to) of any offset function: offset before the
    // first change, then one transition per change (exact to the second
    // when changes are at least step seconds apart).
    static void buildTable(const OffsetAt &offsetAt, int64_t from, int64_t to, int64_t step,
                           int32_t *initial, std::vector<pg_tz_transition> *out);

    // The running boot's id from /proc/sys/kernel/random/boot_id (16
    // bytes); false when it cannot be read.
    static bool readBootId(uint8_t out[PG_BOOT_ID_BYTES]);
    // Parses the UUID text form ("xxxxxxxx-xxxx-...").
    static bool parseBootId(const std::string &text, uint8_t out[PG_BOOT_ID_BYTES]);

private:
    void publish();

    bool m_fixed = false;
    int32_t m_fixedOffset = 0;
    std::vector<pg_tz_transition> m_transitions;
    pg_tz m_tz{0, 0, nullptr};
    int64_t m_validFrom = 0;
    int64_t m_validUntil = 0;
};
