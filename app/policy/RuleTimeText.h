// RuleTimeText.h - a rule's time conditions (RuleTime) as text: the day,
// clock, duration and date forms shared by the policy file, procguardctl's
// flags and what procguardctl prints. Qt-free and clock-free: whatever
// depends on "now" or the local zone takes them as arguments.
//
// Forms (all parsers are case-insensitive and refuse anything else with one
// sentence in *why):
//   days       "mon", "monday", ...; lists "mon,wed,fri"; ranges "mon-fri"
//              (wrapping: "fri-mon"); "weekdays", "weekend", "daily"
//   clock      "HH:MM" or "HH:MM:SS", 00:00 to 23:59:59; as the END of a
//              window also "24:00" (= midnight, stored as 0)
//   window     "16:00-18:00"; an end before the start crosses midnight
//   duration   units h, m, s in that order: "1h30m", "90m", "45s", "2h"
//   UTC time   "2026-11-21T16:00:00Z" (the file's expiry)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "Types.h"

namespace pg
{
namespace policy
{

// Local time = UTC + offset(utc) seconds.
using UtcOffset = std::function<int32_t(int64_t utc)>;
// The system's local zone (localtime).
int32_t systemUtcOffset(int64_t utc);

// Bit of pg_rule_time.days for a day name ("mon" / "monday"); nullopt else.
std::optional<uint8_t> dayBit(const std::string &name);
// "mon" .. "sun" for weekday 0 (Monday) .. 6.
const char *dayName(int weekday);
bool parseDays(const std::string &spec, uint8_t *days, std::string *why);
// "Mon-Fri", "Mon, Wed, Fri", "Sat-Sun", "every day" (0 or all seven).
std::string formatDays(uint8_t days);

// Seconds after midnight. isEnd allows "24:00" (returned as 0).
bool parseClock(const std::string &text, bool isEnd, uint32_t *seconds, std::string *why);
std::string formatClock(uint32_t seconds); // "16:00", or "16:00:30"
bool parseWindow(const std::string &text, TimeWindow *window, std::string *why);
std::string formatWindow(const TimeWindow &w); // "16:00-18:00"

// Whole seconds; refuses more than maxSeconds.
bool parseDuration(const std::string &text, uint64_t maxSeconds, uint64_t *seconds,
                   std::string *why);
std::string formatDuration(uint64_t seconds); // "1h30m", "45s", "0s"

// "2026-11-21T16:00:00Z" <-> UTC seconds since 1970.
bool parseUtcTime(const std::string &text, int64_t *utc, std::string *why);
std::string formatUtcTime(int64_t utc);
// "YYYY-MM-DD HH:MM" (or with ":SS") in local time <-> UTC seconds.
bool parseLocalTime(const std::string &text, const UtcOffset &offset, int64_t *utc,
                    std::string *why);
std::string formatLocalTime(int64_t utc, const UtcOffset &offset); // "2026-11-21 16:00"

// Days since 1970-01-01 of a civil date, and back (proleptic Gregorian).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d);

// The schedule alone: "Mon-Fri 16:00-18:00", "every day 20:00-21:00",
// "Sat-Sun"; empty when there is none.
std::string describeSchedule(const RuleTime &t);
// Everything, for people: "Mon-Fri 16:00-18:00; 1h30m a day; until
// 2026-11-21 16:00" (local time); empty for no time conditions.
std::string describeTime(const RuleTime &t, const UtcOffset &offset);

// What is wrong with a rule's time conditions, in the policy file's terms:
// field is a path below the rule ("schedule/windows/1", "budget/per_day",
// "expires/at"); both empty when they are fine.
struct TimeProblem {
    std::string field;
    std::string message;
};
TimeProblem checkRuleTime(const RuleTime &t);

} // namespace policy
} // namespace pg
