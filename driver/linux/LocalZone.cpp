// LocalZone.cpp - see LocalZone.h.
#include "LocalZone.h"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <string>

#include "ProcFs.h"

namespace
{

int32_t systemOffsetAt(int64_t utc)
{
    const time_t t = static_cast<time_t>(utc);
    struct tm tm;
    if (localtime_r(&t, &tm) == nullptr)
        return 0;
    return static_cast<int32_t>(tm.tm_gmtoff);
}

} // namespace

void LocalZone::load()
{
    tzset();
    m_fixed = false;
}

void LocalZone::setFixed(int32_t offsetS)
{
    m_fixed = true;
    m_fixedOffset = offsetS;
    m_transitions.clear();
    publish();
    m_validFrom = INT64_MIN;
    m_validUntil = INT64_MAX;
}

void LocalZone::publish()
{
    m_tz.offset_s = m_fixed ? m_fixedOffset : m_tz.offset_s;
    m_tz.count = static_cast<uint32_t>(m_transitions.size());
    m_tz.transitions = m_transitions.empty() ? nullptr : m_transitions.data();
}

void LocalZone::rebuild(int64_t now)
{
    if (m_fixed)
        return;
    const int64_t from = now - 2 * 86400;
    const int64_t to = now + kSpanDays * 86400;
    int32_t initial = 0;
    buildTable(systemOffsetAt, from, to, 3600, &initial, &m_transitions);
    m_tz.offset_s = initial;
    publish();
    m_validFrom = from + 86400;
    m_validUntil = to - 86400;
}

void LocalZone::buildTable(const OffsetAt &offsetAt, int64_t from, int64_t to, int64_t step,
                           int32_t *initial, std::vector<pg_tz_transition> *out)
{
    out->clear();
    int32_t cur = offsetAt(from);
    *initial = cur;
    for (int64_t t = from; t < to; t += step) {
        const int64_t next = std::min(t + step, to);
        const int32_t off = offsetAt(next);
        if (off == cur)
            continue;
        // The change is in (t, next]: bisect to the first second of it.
        int64_t lo = t, hi = next;
        while (hi - lo > 1) {
            const int64_t mid = lo + (hi - lo) / 2;
            if (offsetAt(mid) == cur)
                lo = mid;
            else
                hi = mid;
        }
        pg_tz_transition tr;
        std::memset(&tr, 0, sizeof tr);
        tr.at = hi;
        tr.offset_s = off;
        out->push_back(tr);
        cur = off;
    }
}

bool LocalZone::parseBootId(const std::string &text, uint8_t out[PG_BOOT_ID_BYTES])
{
    size_t n = 0;
    int half = -1;
    for (char c : text) {
        int v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else if (c == '-' || c == '\n')
            continue;
        else
            return false;
        if (n >= PG_BOOT_ID_BYTES)
            return false;
        if (half < 0) {
            half = v;
        } else {
            out[n++] = static_cast<uint8_t>(half * 16 + v);
            half = -1;
        }
    }
    return n == PG_BOOT_ID_BYTES && half < 0;
}

bool LocalZone::readBootId(uint8_t out[PG_BOOT_ID_BYTES])
{
    std::string text;
    return ProcFs::readFile("/proc/sys/kernel/random/boot_id", &text, 128) &&
           parseBootId(text, out);
}
