// RuleTimeText.cpp - see RuleTimeText.h.
#include "RuleTimeText.h"

#include <cctype>
#include <ctime>
#include <vector>

namespace pg
{
namespace policy
{

namespace
{

const char *const kDayNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
const char *const kLongDayNames[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                      "friday", "saturday", "sunday"};

std::string lower(std::string s)
{
    for (char &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string &s)
{
    const size_t a = s.find_first_not_of(" \t");
    if (a == std::string::npos)
        return "";
    const size_t b = s.find_last_not_of(" \t");
    return s.substr(a, b - a + 1);
}

bool digits(const std::string &s, size_t from, size_t count, unsigned *value)
{
    if (from + count > s.size())
        return false;
    unsigned v = 0;
    for (size_t i = from; i < from + count; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + static_cast<unsigned>(s[i] - '0');
    }
    *value = v;
    return true;
}

void civilFromDays(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    // Howard Hinnant's algorithm.
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

unsigned daysInMonth(int64_t y, unsigned m)
{
    static const unsigned n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : n[m - 1];
}

// "YYYY-MM-DD" then sep then "HH:MM[:SS]" from text; seconds since 1970 of
// that civil time (no zone), or false.
bool parseCivil(const std::string &text, char sep, bool needSeconds, int64_t *out, size_t *consumed)
{
    unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!digits(text, 0, 4, &y) || text.size() < 16 || text[4] != '-' || !digits(text, 5, 2, &mo) ||
        text[7] != '-' || !digits(text, 8, 2, &d) || text[10] != sep || !digits(text, 11, 2, &h) ||
        text[13] != ':' || !digits(text, 14, 2, &mi))
        return false;
    size_t used = 16;
    if (text.size() >= 19 && text[16] == ':') {
        if (!digits(text, 17, 2, &s))
            return false;
        used = 19;
    } else if (needSeconds) {
        return false;
    }
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 ||
        s > 59)
        return false;
    *out = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    *consumed = used;
    return true;
}

std::string two(unsigned v)
{
    return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10);
}

std::string civilText(int64_t secs, char sep, bool seconds)
{
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    int64_t y = 0;
    unsigned m = 0, d = 0;
    civilFromDays(days, &y, &m, &d);
    const unsigned r = static_cast<unsigned>(rem);
    std::string out = std::to_string(y) + "-" + two(m) + "-" + two(d) + sep + two(r / 3600) + ":" +
                      two(r / 60 % 60);
    if (seconds)
        out += ":" + two(r % 60);
    return out;
}

} // namespace

int64_t daysFromCivil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2 ? 1 : 0;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int32_t systemUtcOffset(int64_t utc)
{
    const time_t t = static_cast<time_t>(utc);
    struct tm tm {
    };
    if (localtime_r(&t, &tm) == nullptr)
        return 0;
    const int64_t local = daysFromCivil(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                                        static_cast<unsigned>(tm.tm_mday)) *
                              86400 +
                          tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return static_cast<int32_t>(local - utc);
}

std::optional<uint8_t> dayBit(const std::string &name)
{
    const std::string n = lower(trim(name));
    for (int i = 0; i < 7; ++i)
        if (n == kDayNames[i] || n == kLongDayNames[i])
            return static_cast<uint8_t>(1u << i);
    return std::nullopt;
}

const char *dayName(int weekday)
{
    return weekday >= 0 && weekday < 7 ? kDayNames[weekday] : "?";
}

bool parseDays(const std::string &spec, uint8_t *days, std::string *why)
{
    const std::string s = lower(trim(spec));
    if (s == "daily" || s == "every day" || s == "all") {
        *days = PG_DAYS_ALL;
        return true;
    }
    if (s == "weekdays") {
        *days = 0x1F;
        return true;
    }
    if (s == "weekend") {
        *days = 0x60;
        return true;
    }
    uint8_t out = 0;
    size_t pos = 0;
    for (;;) {
        const size_t comma = s.find(',', pos);
        const std::string item =
            trim(s.substr(pos, comma == std::string::npos ? comma : comma - pos));
        const size_t dash = item.find('-');
        const std::string first = dash == std::string::npos ? item : item.substr(0, dash);
        const std::optional<uint8_t> a = dayBit(first);
        if (!a) {
            *why = "\"" + trim(first) + "\" is not a day (mon, tue, wed, thu, fri, sat, sun).";
            return false;
        }
        if (dash == std::string::npos) {
            out |= *a;
        } else {
            const std::optional<uint8_t> b = dayBit(item.substr(dash + 1));
            if (!b) {
                *why = "\"" + trim(item.substr(dash + 1)) +
                       "\" is not a day (mon, tue, wed, thu, fri, sat, sun).";
                return false;
            }
            // A range runs forward and may wrap past Sunday ("fri-mon").
            int i = 0, j = 0;
            while ((1u << i) != *a)
                ++i;
            while ((1u << j) != *b)
                ++j;
            for (int k = i;; k = (k + 1) % 7) {
                out |= static_cast<uint8_t>(1u << k);
                if (k == j)
                    break;
            }
        }
        if (comma == std::string::npos)
            break;
        pos = comma + 1;
    }
    *days = out;
    return true;
}

std::string formatDays(uint8_t days)
{
    days &= PG_DAYS_ALL;
    if (days == 0 || days == PG_DAYS_ALL)
        return "every day";
    // Runs of consecutive days (Monday-based; no wrap, so Sat-Sun stays one run).
    std::string out;
    int i = 0;
    while (i < 7) {
        if (!(days & (1u << i))) {
            ++i;
            continue;
        }
        int j = i;
        while (j + 1 < 7 && (days & (1u << (j + 1))))
            ++j;
        std::string a = kDayNames[i], b = kDayNames[j];
        a[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(a[0])));
        b[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(b[0])));
        if (!out.empty())
            out += ", ";
        out += j == i ? a : j == i + 1 ? a + ", " + b : a + "-" + b;
        i = j + 1;
    }
    return out;
}

bool parseClock(const std::string &text, bool isEnd, uint32_t *seconds, std::string *why)
{
    const std::string t = trim(text);
    unsigned h = 0, m = 0, s = 0;
    const size_t colon = t.find(':');
    bool ok = colon != std::string::npos && (colon == 1 || colon == 2) && digits(t, 0, colon, &h) &&
              digits(t, colon + 1, 2, &m);
    if (ok && t.size() == colon + 3) {
        // HH:MM
    } else if (ok && t.size() == colon + 6 && t[colon + 3] == ':') {
        ok = digits(t, colon + 4, 2, &s);
    } else {
        ok = false;
    }
    if (!ok) {
        *why = "\"" + t + "\" is not a time of day (HH:MM, for example 16:30).";
        return false;
    }
    if (isEnd && h == 24 && m == 0 && s == 0) {
        *seconds = 0; // midnight at the end of the day
        return true;
    }
    if (h > 23 || m > 59 || s > 59) {
        *why = "\"" + t + "\" is not a time of day (00:00 to 23:59" +
               (isEnd ? std::string(", or 24:00 as an end") : std::string()) + ").";
        return false;
    }
    *seconds = h * 3600 + m * 60 + s;
    return true;
}

std::string formatClock(uint32_t seconds)
{
    std::string out = two(seconds / 3600 % 100) + ":" + two(seconds / 60 % 60);
    if (seconds % 60)
        out += ":" + two(seconds % 60);
    return out;
}

bool parseWindow(const std::string &text, TimeWindow *window, std::string *why)
{
    const std::string t = trim(text);
    const size_t dash = t.find('-');
    if (dash == std::string::npos) {
        *why = "\"" + t + "\" is not a time window (FROM-TO, for example 16:00-18:00).";
        return false;
    }
    TimeWindow w;
    if (!parseClock(t.substr(0, dash), false, &w.start, why) ||
        !parseClock(t.substr(dash + 1), true, &w.end, why))
        return false;
    if (w.start == w.end) {
        *why = "The window " + t + " is empty (its start and end are the same time).";
        return false;
    }
    *window = w;
    return true;
}

std::string formatWindow(const TimeWindow &w)
{
    return formatClock(w.start) + "-" + (w.end == 0 ? std::string("24:00") : formatClock(w.end));
}

bool parseDuration(const std::string &text, uint64_t maxSeconds, uint64_t *seconds,
                   std::string *why)
{
    const std::string t = lower(trim(text));
    const std::string form =
        "\"" + trim(text) + "\" is not a duration (for example 1h30m, 45m or 90s).";
    if (t.empty()) {
        *why = form;
        return false;
    }
    uint64_t total = 0;
    size_t i = 0;
    int lastUnit = -1; // 0 h, 1 m, 2 s: each at most once, in that order
    while (i < t.size()) {
        uint64_t n = 0;
        size_t start = i;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
            n = n * 10 + static_cast<uint64_t>(t[i] - '0');
            if (n > 1000000000ull) {
                *why = "The duration " + trim(text) + " is too long.";
                return false;
            }
            ++i;
        }
        if (i == start || i == t.size()) {
            *why = i == t.size() && i != start
                       ? "The duration \"" + trim(text) + "\" needs a unit (h, m or s)."
                       : form;
            return false;
        }
        const int unit = t[i] == 'h' ? 0 : t[i] == 'm' ? 1 : t[i] == 's' ? 2 : -1;
        if (unit <= lastUnit) {
            *why = form;
            return false;
        }
        lastUnit = unit;
        total += n * (unit == 0 ? 3600u : unit == 1 ? 60u : 1u);
        ++i;
    }
    if (total > maxSeconds) {
        *why = "The duration " + trim(text) + " is longer than " + formatDuration(maxSeconds) + ".";
        return false;
    }
    *seconds = total;
    return true;
}

std::string formatDuration(uint64_t seconds)
{
    if (seconds == 0)
        return "0s";
    std::string out;
    if (seconds >= 3600)
        out += std::to_string(seconds / 3600) + "h";
    if (seconds % 3600 >= 60)
        out += std::to_string(seconds % 3600 / 60) + "m";
    if (seconds % 60)
        out += std::to_string(seconds % 60) + "s";
    return out;
}

bool parseUtcTime(const std::string &text, int64_t *utc, std::string *why)
{
    int64_t v = 0;
    size_t used = 0;
    if (!parseCivil(text, 'T', true, &v, &used) || used + 1 != text.size() || text[used] != 'Z') {
        *why = "\"" + text + "\" is not a UTC time (YYYY-MM-DDTHH:MM:SSZ).";
        return false;
    }
    *utc = v;
    return true;
}

std::string formatUtcTime(int64_t utc)
{
    return civilText(utc, 'T', true) + "Z";
}

bool parseLocalTime(const std::string &text, const UtcOffset &offset, int64_t *utc,
                    std::string *why)
{
    const std::string t = trim(text);
    int64_t local = 0;
    size_t used = 0;
    if (!parseCivil(t, t.size() > 10 && t[10] == 'T' ? 'T' : ' ', false, &local, &used) ||
        used != t.size()) {
        *why = "\"" + t + "\" is not a date and time (YYYY-MM-DD HH:MM).";
        return false;
    }
    // The offset in force at that local time: guess with the offset at
    // local-as-UTC, then correct once (exact except in a DST gap).
    const UtcOffset &off = offset ? offset : UtcOffset(systemUtcOffset);
    int64_t guess = local - off(local);
    guess = local - off(guess);
    *utc = guess;
    return true;
}

std::string formatLocalTime(int64_t utc, const UtcOffset &offset)
{
    const int32_t off = offset ? offset(utc) : systemUtcOffset(utc);
    return civilText(utc + off, ' ', false);
}

std::string describeSchedule(const RuleTime &t)
{
    if (t.days == 0 && t.windows.empty())
        return "";
    std::string out = formatDays(t.days);
    for (size_t i = 0; i < t.windows.size(); ++i)
        out += (i == 0 ? " " : ", ") + formatWindow(t.windows[i]);
    return out;
}

std::string describeTime(const RuleTime &t, const UtcOffset &offset)
{
    std::vector<std::string> parts;
    const std::string schedule = describeSchedule(t);
    if (!schedule.empty())
        parts.push_back(schedule);
    if (t.budgetSeconds != 0) {
        std::string b = formatDuration(t.budgetSeconds) + " a day";
        if (t.budgetGroup != 0)
            b += " (shared, group " + std::to_string(t.budgetGroup) + ")";
        if (t.graceSeconds != 0)
            b += ", grace " + formatDuration(t.graceSeconds);
        parts.push_back(b);
    }
    switch (t.expiry) {
    case Expiry::Once:
        parts.push_back("once");
        break;
    case Expiry::At:
        parts.push_back("until " + formatLocalTime(t.expiresAt, offset));
        break;
    case Expiry::Reboot:
        parts.push_back("until reboot");
        break;
    case Expiry::Never:
        break;
    }
    std::string out;
    for (const std::string &p : parts)
        out += (out.empty() ? "" : "; ") + p;
    return out;
}

TimeProblem checkRuleTime(const RuleTime &t)
{
    if ((t.days & ~PG_DAYS_ALL) != 0)
        return {"schedule/days", "Unknown day bits in the schedule."};
    if (t.windows.size() > PG_MAX_WINDOWS)
        return {"schedule/windows",
                "A schedule has at most " + std::to_string(PG_MAX_WINDOWS) + " time windows."};
    for (size_t i = 0; i < t.windows.size(); ++i) {
        const TimeWindow &w = t.windows[i];
        const std::string at = "schedule/windows/" + std::to_string(i);
        if (w.start >= PG_DAY_SECONDS || w.end >= PG_DAY_SECONDS)
            return {at, "A window lies within one day (00:00 to 24:00)."};
        if (w.start == w.end)
            return {at, "The window " + formatWindow(w) +
                            " is empty (its start and end are the same time)."};
    }
    if (t.expiry == Expiry::At && t.expiresAt <= 0)
        return {"expires/at", "An expiry needs a time after 1970."};
    if (t.expiry != Expiry::At && t.expiresAt != 0)
        return {"expires", "Only an expiry of kind \"at\" has a time."};
    if (!t.bootId.empty() && (t.expiry != Expiry::Reboot || t.bootId.size() != PG_BOOT_ID_BYTES))
        return {"expires/boot_id", "A boot id (16 bytes) belongs to an expiry of kind \"reboot\"."};
    if (t.budgetSeconds > PG_DAY_SECONDS)
        return {"budget/per_day", "A daily budget is at most 24h."};
    if (t.graceSeconds > PG_MAX_BUDGET_GRACE_S)
        return {"budget/grace",
                "The grace period is at most " + formatDuration(PG_MAX_BUDGET_GRACE_S) + "."};
    if (t.budgetSeconds == 0 && (t.budgetGroup != 0 || t.graceSeconds != 0))
        return {"budget/per_day", "A budget group or grace period needs a daily budget."};
    return {};
}

} // namespace policy
} // namespace pg
