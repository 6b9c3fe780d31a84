// ScheduleTest.cpp - time conditions of rules (driver/core/pg_schedule.h):
// schedules in local time through an injected zone table, windows across
// midnight, DST days, expiry, budgets turned into blocks, and the
// selection of the rules in force that the rule cache compiles.
#include <gtest/gtest.h>

#include "MessageBuilder.h"
#include "pg_core.h"

using namespace pgtest;

namespace
{

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;
// 2024-01-01 00:00:00 UTC, a Monday.
constexpr int64_t kMonday = 1704067200;

int64_t at(int day, int hour, int minute = 0, int second = 0)
{
    return kMonday + day * kDay + hour * kHour + minute * 60 + second;
}

pg_rule_time schedule(uint8_t days, std::initializer_list<std::pair<int, int>> windowsMinutes)
{
    pg_rule_time t{};
    t.days = days;
    for (const auto &w : windowsMinutes) {
        t.win_start[t.window_count] = static_cast<uint32_t>(w.first * 60);
        t.win_end[t.window_count] = static_cast<uint32_t>(w.second * 60);
        ++t.window_count;
    }
    return t;
}

constexpr uint8_t kMonToFri = 0x1F;
constexpr uint8_t kFriday = 1u << 4;

} // namespace

TEST(Schedule, WeekdaysFollowTheCalendar)
{
    EXPECT_EQ(pg_local_weekday(0), 3); // 1970-01-01, a Thursday
    for (int d = 0; d < 7; ++d) {
        EXPECT_EQ(pg_local_weekday(at(d, 0)), d);
        EXPECT_EQ(pg_local_weekday(at(d, 23, 59, 59)), d);
    }
    EXPECT_EQ(pg_local_weekday(-1), 2); // 1969-12-31 23:59:59, a Wednesday
}

TEST(Schedule, WeekdayAfternoonWindowOpensAndClosesOnTheMinute)
{
    // "Games on weekdays 16:00-18:00."
    const pg_rule_time t = schedule(kMonToFri, {{16 * 60, 18 * 60}});
    for (int d = 0; d < 5; ++d) {
        EXPECT_FALSE(pg_schedule_open_local(&t, at(d, 15, 59, 59))) << d;
        EXPECT_TRUE(pg_schedule_open_local(&t, at(d, 16))) << d;
        EXPECT_TRUE(pg_schedule_open_local(&t, at(d, 17, 59, 59))) << d;
        EXPECT_FALSE(pg_schedule_open_local(&t, at(d, 18))) << d;
    }
    EXPECT_FALSE(pg_schedule_open_local(&t, at(5, 17)));
    EXPECT_FALSE(pg_schedule_open_local(&t, at(6, 17)));
}

TEST(Schedule, NextEdgeIsTheNextOpeningOrClosing)
{
    const pg_rule_time t = schedule(kMonToFri, {{16 * 60, 18 * 60}});
    EXPECT_EQ(pg_schedule_next_edge_local(&t, at(0, 12)), at(0, 16));
    EXPECT_EQ(pg_schedule_next_edge_local(&t, at(0, 16)), at(0, 18));
    EXPECT_EQ(pg_schedule_next_edge_local(&t, at(0, 17)), at(0, 18));
    // Friday evening: the next opening is Monday's.
    EXPECT_EQ(pg_schedule_next_edge_local(&t, at(4, 18, 30)), at(7, 16));
    EXPECT_EQ(pg_schedule_next_edge_local(&t, at(6, 23)), at(7, 16));
}

TEST(Schedule, EveryWeekdayBoundaryIsMidnight)
{
    for (int d = 0; d < 7; ++d) {
        const pg_rule_time t = schedule(static_cast<uint8_t>(1u << d), {});
        const int prev = d == 0 ? -1 : d - 1;
        EXPECT_FALSE(pg_schedule_open_local(&t, at(prev, 23, 59, 59))) << d;
        EXPECT_TRUE(pg_schedule_open_local(&t, at(d, 0))) << d;
        EXPECT_TRUE(pg_schedule_open_local(&t, at(d, 23, 59, 59))) << d;
        EXPECT_FALSE(pg_schedule_open_local(&t, at(d + 1, 0))) << d;
        EXPECT_EQ(pg_schedule_next_edge_local(&t, at(prev, 12)), at(d, 0)) << d;
        EXPECT_EQ(pg_schedule_next_edge_local(&t, at(d, 0)), at(d + 1, 0)) << d;
    }
}

TEST(Schedule, WindowAcrossMidnightBelongsToTheDayItStarts)
{
    // Friday 22:00 - 02:00: Friday night and early Saturday only.
    const pg_rule_time t = schedule(kFriday, {{22 * 60, 2 * 60}});
    EXPECT_FALSE(pg_schedule_open_local(&t, at(4, 1))); // Friday early: Thursday not listed
    EXPECT_FALSE(pg_schedule_open_local(&t, at(4, 21, 59, 59)));
    EXPECT_TRUE(pg_schedule_open_local(&t, at(4, 22)));
    EXPECT_TRUE(pg_schedule_open_local(&t, at(4, 23, 59, 59)));
    EXPECT_TRUE(pg_schedule_open_local(&t, at(5, 0)));
    EXPECT_TRUE(pg_schedule_open_local(&t, at(5, 1, 59, 59)));
    EXPECT_FALSE(pg_schedule_open_local(&t, at(5, 2)));
    EXPECT_FALSE(pg_schedule_open_local(&t, at(5, 23)));
    EXPECT_FALSE(pg_schedule_open_local(&t, at(6, 1))); // Sunday early: Saturday not listed
    // The midnight inside the window is not an edge.
    EXPECT_EQ(pg_schedule_next_edge_local(&t, at(4, 23)), at(5, 2));
    EXPECT_EQ(pg_schedule_next_edge_local(&t, at(5, 2)), at(11, 22));
}

TEST(Schedule, EveryDayWindowAcrossMidnightIsOneStretch)
{
    const pg_rule_time t = schedule(0, {{23 * 60, 1 * 60}});
    for (int d = 0; d < 7; ++d) {
        EXPECT_TRUE(pg_schedule_open_local(&t, at(d, 0, 30))) << d;
        EXPECT_TRUE(pg_schedule_open_local(&t, at(d, 23, 30))) << d;
        EXPECT_FALSE(pg_schedule_open_local(&t, at(d, 12))) << d;
    }
    EXPECT_EQ(pg_schedule_next_edge_local(&t, at(2, 23, 30)), at(3, 1));
}

TEST(Schedule, NoScheduleIsAlwaysOpenAndNeverChanges)
{
    const pg_rule_time t{};
    EXPECT_FALSE(pg_schedule_present(&t));
    EXPECT_TRUE(pg_schedule_open_local(&t, at(3, 3)));
    EXPECT_EQ(pg_schedule_next_edge_local(&t, at(3, 3)), PG_TIME_NEVER);
    const pg_rule_time all = schedule(PG_DAYS_ALL, {});
    EXPECT_EQ(pg_schedule_next_edge_local(&all, at(3, 3)), PG_TIME_NEVER);
}

TEST(Schedule, LocalTimeComesFromTheZoneOffset)
{
    // UTC+2 all year: 16:00 local is 14:00 UTC.
    const pg_tz tz{2 * 3600, 0, nullptr};
    const pg_rule_time t = schedule(kMonToFri, {{16 * 60, 18 * 60}});
    EXPECT_FALSE(pg_schedule_open(&t, &tz, at(0, 13, 59, 59)));
    EXPECT_TRUE(pg_schedule_open(&t, &tz, at(0, 14)));
    EXPECT_EQ(pg_schedule_next_edge(&t, &tz, at(0, 12)), at(0, 14));
    // UTC-5: Friday 17:00 local is Friday 22:00 UTC.
    const pg_tz west{-5 * 3600, 0, nullptr};
    EXPECT_TRUE(pg_schedule_open(&t, &west, at(4, 22)));
    EXPECT_FALSE(pg_schedule_open(&t, &west, at(4, 23)));
}

namespace
{
// A Central European spring: +1 h until 2024-03-31 01:00 UTC, then +2 h.
// Local 02:00-03:00 does not exist that day.
const int64_t kSpring = 1711846800; // 2024-03-31 01:00:00 UTC (a Sunday)
const pg_tz_transition kSpringTable[] = {{kSpring, 7200, 0}};
const pg_tz kSpringTz{3600, 1, kSpringTable};

// Autumn: +2 h until 2024-10-27 01:00 UTC, then +1 h. Local 02:00-03:00
// happens twice.
const int64_t kAutumn = 1729990800; // 2024-10-27 01:00:00 UTC (a Sunday)
const pg_tz_transition kAutumnTable[] = {{kAutumn, 3600, 0}};
const pg_tz kAutumnTz{7200, 1, kAutumnTable};
} // namespace

TEST(Schedule, ZoneTableGivesTheOffsetInForce)
{
    EXPECT_EQ(pg_tz_offset_at(&kSpringTz, kSpring - 1), 3600);
    EXPECT_EQ(pg_tz_offset_at(&kSpringTz, kSpring), 7200);
    EXPECT_EQ(pg_tz_next_transition(&kSpringTz, kSpring - 100), kSpring);
    EXPECT_EQ(pg_tz_next_transition(&kSpringTz, kSpring), PG_TIME_NEVER);
    EXPECT_EQ(pg_tz_offset_at(nullptr, 5), 0);
}

TEST(Schedule, SpringForwardOpensALateWindowWhenTheClockJumps)
{
    // Every day 02:30-04:00 local. At 01:59:59 (+1) it is closed; the
    // next thing to look at is the jump, after which it is 03:00 (+2).
    const pg_rule_time t = schedule(0, {{2 * 60 + 30, 4 * 60}});
    EXPECT_FALSE(pg_schedule_open(&t, &kSpringTz, kSpring - 1));
    EXPECT_EQ(pg_schedule_next_edge(&t, &kSpringTz, kSpring - 1), kSpring);
    EXPECT_TRUE(pg_schedule_open(&t, &kSpringTz, kSpring));
    // 04:00 local at +2 h is 02:00 UTC.
    EXPECT_EQ(pg_schedule_next_edge(&t, &kSpringTz, kSpring), kSpring + kHour);
    EXPECT_FALSE(pg_schedule_open(&t, &kSpringTz, kSpring + kHour));
}

TEST(Schedule, SpringForwardSkipsAWindowInTheMissingHour)
{
    // 02:00-02:30 local does not exist on the spring day.
    const pg_rule_time t = schedule(0, {{2 * 60, 2 * 60 + 30}});
    for (int64_t s = kSpring - 2 * kHour; s < kSpring + 2 * kHour; s += 60)
        EXPECT_FALSE(pg_schedule_open(&t, &kSpringTz, s)) << s - kSpring;
    // Next: Monday 02:00 local (+2) = Monday 00:00 UTC.
    EXPECT_EQ(pg_schedule_next_edge(&t, &kSpringTz, kSpring), kSpring + 23 * kHour);
}

TEST(Schedule, FallBackOpensAWindowInTheRepeatedHourTwice)
{
    // 02:00-02:30 local happens at 00:00 UTC (+2) and again at 01:00 UTC (+1).
    const pg_rule_time t = schedule(0, {{2 * 60, 2 * 60 + 30}});
    EXPECT_TRUE(pg_schedule_open(&t, &kAutumnTz, kAutumn - kHour));
    EXPECT_FALSE(pg_schedule_open(&t, &kAutumnTz, kAutumn - kHour + 30 * 60));
    EXPECT_EQ(pg_schedule_next_edge(&t, &kAutumnTz, kAutumn - kHour + 30 * 60), kAutumn);
    EXPECT_TRUE(pg_schedule_open(&t, &kAutumnTz, kAutumn));
    EXPECT_EQ(pg_schedule_next_edge(&t, &kAutumnTz, kAutumn), kAutumn + 30 * 60);
    EXPECT_FALSE(pg_schedule_open(&t, &kAutumnTz, kAutumn + 30 * 60));
}

TEST(Schedule, FallBackDayIsTwentyFiveHoursLong)
{
    const pg_rule_time t = schedule(static_cast<uint8_t>(1u << 6), {}); // Sundays
    // Sunday 2024-10-27 local runs from Saturday 22:00 UTC to Sunday 23:00 UTC.
    const int64_t satMidnightUtc = kAutumn - 3 * kHour;
    EXPECT_FALSE(pg_schedule_open(&t, &kAutumnTz, satMidnightUtc - 1));
    EXPECT_TRUE(pg_schedule_open(&t, &kAutumnTz, satMidnightUtc));
    EXPECT_TRUE(pg_schedule_open(&t, &kAutumnTz, satMidnightUtc + 25 * kHour - 1));
    EXPECT_FALSE(pg_schedule_open(&t, &kAutumnTz, satMidnightUtc + 25 * kHour));
    EXPECT_EQ(pg_tz_local_day(&kAutumnTz, satMidnightUtc),
              pg_tz_local_day(&kAutumnTz, kAutumn + 21 * kHour));
}

// ---- validation ---------------------------------------------------------

TEST(RuleTime, ValidatorAcceptsAWellFormedBlock)
{
    pg_rule_time t = schedule(kMonToFri, {{16 * 60, 18 * 60}, {22 * 60, 1 * 60}});
    t.budget_s = 3600;
    t.grace_s = 60;
    t.budget_group = 7;
    EXPECT_EQ(pg_rule_time_check(&t), PG_OK);
    const Bytes recs = ruleRecords({withTime(prefix(1, "/games/", PG_VERDICT_ALLOW), t)});
    uint32_t size = 0;
    EXPECT_EQ(pg_validate_rule(recs.data(), recs.size(), &size), PG_OK);
    EXPECT_EQ(size, recs.size());
}

TEST(RuleTime, ValidatorRejectsMalformedBlocks)
{
    auto bad = [](void (*breakIt)(pg_rule_time &)) {
        pg_rule_time t = schedule(kMonToFri, {{16 * 60, 18 * 60}});
        breakIt(t);
        const Bytes recs = ruleRecords({withTime(exact(1, "/a", PG_VERDICT_ALLOW), t)});
        return pg_validate_rule(recs.data(), recs.size(), nullptr);
    };
    EXPECT_EQ(bad([](pg_rule_time &t) { t.win_end[0] = t.win_start[0]; }), PG_E_RANGE);
    EXPECT_EQ(bad([](pg_rule_time &t) { t.win_end[0] = PG_DAY_SECONDS; }), PG_E_RANGE);
    EXPECT_EQ(bad([](pg_rule_time &t) { t.win_start[3] = 5; }), PG_E_RANGE);
    EXPECT_EQ(bad([](pg_rule_time &t) { t.window_count = 5; }), PG_E_RANGE);
    EXPECT_EQ(bad([](pg_rule_time &t) { t.days = 0x80; }), PG_E_RANGE);
    EXPECT_EQ(bad([](pg_rule_time &t) { t.expires_at = 100; }), PG_E_RANGE);
    EXPECT_EQ(bad([](pg_rule_time &t) { t.expiry = PG_EXPIRY_AT; }), PG_E_RANGE);
    EXPECT_EQ(bad([](pg_rule_time &t) { t.expiry = 4; }), PG_E_RANGE);
    EXPECT_EQ(bad([](pg_rule_time &t) { t.boot_id[3] = 1; }), PG_E_RANGE);
    EXPECT_EQ(bad([](pg_rule_time &t) { t.grace_s = 5; }), PG_E_RANGE);
    EXPECT_EQ(bad([](pg_rule_time &t) { t.reserved = 1; }), PG_E_RANGE);
    EXPECT_EQ(bad([](pg_rule_time &t) {
                  t.budget_s = 10;
                  t.grace_s = PG_MAX_BUDGET_GRACE_S + 1;
              }),
              PG_E_RANGE);
    // The flag without the block: the size is wrong.
    RuleSpec r = exact(1, "/a", PG_VERDICT_ALLOW);
    r.flags = PG_RULEF_TIME;
    const Bytes recs = ruleRecords({r});
    EXPECT_EQ(pg_validate_rule(recs.data(), recs.size(), nullptr), PG_E_LENGTH);
}

// ---- rules in force -------------------------------------------------------

namespace
{

struct Selected {
    Bytes records;
    uint32_t count = 0;
    uint32_t expired = 0;
};

Selected select(const Bytes &recs, uint32_t count, const pg_time_context &ctx)
{
    Selected s;
    s.records.resize(recs.size() + 8);
    size_t len = 0;
    EXPECT_EQ(pg_rules_select(recs.data(), recs.size(), count, &ctx, s.records.data(),
                              s.records.size(), &len, &s.count, &s.expired),
              PG_OK);
    s.records.resize(len);
    return s;
}

// Which rule decides image under the rules in force at ctx.
uint32_t decidingRule(const Bytes &recs, uint32_t count, const pg_time_context &ctx,
                      const std::string &image, uint8_t *action = nullptr)
{
    const Selected s = select(recs, count, ctx);
    std::vector<uint64_t> arena(
        pg_rule_cache_arena_size(s.records.data(), s.records.size(), s.count) / 8 + 2);
    pg_rule_cache rc;
    EXPECT_EQ(pg_rule_cache_build(&rc, arena.data(), arena.size() * 8, s.records.data(),
                                  s.records.size(), s.count, 0),
              PG_OK);
    pg_match_input in{};
    in.image = image.c_str();
    in.image_len = image.size();
    pg_match_result m{};
    pg_rule_cache_match(&rc, &in, &m);
    if (action != nullptr)
        *action = m.action;
    return m.rule_id;
}

pg_time_context contextAt(int64_t now)
{
    pg_time_context c{};
    c.now = now;
    return c;
}

} // namespace

TEST(RulesInForce, RuleOutsideItsWindowIsIgnored)
{
    const Bytes recs = ruleRecords({withTime(prefix(1, "/games/", PG_VERDICT_ALLOW),
                                             schedule(kMonToFri, {{16 * 60, 18 * 60}}))});
    EXPECT_EQ(decidingRule(recs, 1, contextAt(at(0, 17)), "/games/chess"), 1u);
    EXPECT_EQ(decidingRule(recs, 1, contextAt(at(0, 18)), "/games/chess"), 0u);
    EXPECT_EQ(decidingRule(recs, 1, contextAt(at(5, 17)), "/games/chess"), 0u);
}

TEST(RulesInForce, OffScheduleBlockLetsABroaderAllowDecide)
{
    // "Block the browser at night" over "allow /usr/".
    const Bytes recs = ruleRecords({prefix(1, "/usr/", PG_VERDICT_ALLOW),
                                    withTime(exact(2, "/usr/bin/browser", PG_VERDICT_BLOCK),
                                             schedule(0, {{21 * 60, 7 * 60}}))});
    EXPECT_EQ(decidingRule(recs, 2, contextAt(at(2, 23)), "/usr/bin/browser"), 2u);
    EXPECT_EQ(decidingRule(recs, 2, contextAt(at(3, 6, 59)), "/usr/bin/browser"), 2u);
    EXPECT_EQ(decidingRule(recs, 2, contextAt(at(3, 7)), "/usr/bin/browser"), 1u);
}

TEST(RulesInForce, SelectedRecordsLoseTheirTimeBlock)
{
    const Bytes recs =
        ruleRecords({withTime(exact(1, "/a", PG_VERDICT_ALLOW), schedule(0, {{0, 60}})),
                     exact(2, "/b", PG_VERDICT_BLOCK)});
    const Selected s = select(recs, 2, contextAt(at(0, 0, 30)));
    ASSERT_EQ(s.count, 2u);
    const pg_rule first = peek<pg_rule>(s.records, 0);
    EXPECT_EQ(first.flags & PG_RULEF_TIME, 0u);
    EXPECT_EQ(first.size, recs.size() - sizeof(pg_rule_time) -
                              ruleRecords({exact(2, "/b", PG_VERDICT_BLOCK)}).size());
    uint32_t sz = 0;
    EXPECT_EQ(pg_validate_rule(s.records.data(), s.records.size(), &sz), PG_OK);
}

TEST(RulesInForce, ExpiredApprovalIsIgnoredAndCounted)
{
    pg_rule_time t{};
    t.expiry = PG_EXPIRY_AT;
    t.expires_at = at(0, 12);
    const Bytes recs = ruleRecords({withTime(exact(1, "/a", PG_VERDICT_ALLOW), t)});
    EXPECT_EQ(decidingRule(recs, 1, contextAt(at(0, 11, 59, 59)), "/a"), 1u);
    EXPECT_EQ(decidingRule(recs, 1, contextAt(at(0, 12)), "/a"), 0u);
    EXPECT_EQ(select(recs, 1, contextAt(at(0, 12))).expired, 1u);
    const pg_time_context later = contextAt(at(0, 13));
    EXPECT_EQ(pg_rule_state_at(recs.data(), &later), PG_RULE_EXPIRED);
}

TEST(RulesInForce, UntilRebootApprovalEndsWithTheBoot)
{
    pg_rule_time t{};
    t.expiry = PG_EXPIRY_REBOOT;
    for (uint8_t i = 0; i < PG_BOOT_ID_BYTES; ++i)
        t.boot_id[i] = static_cast<uint8_t>(i + 1);
    const Bytes recs = ruleRecords({withTime(exact(1, "/a", PG_VERDICT_ALLOW), t)});
    pg_time_context ctx = contextAt(at(0, 0));
    uint8_t same[PG_BOOT_ID_BYTES], other[PG_BOOT_ID_BYTES];
    std::memcpy(same, t.boot_id, sizeof same);
    std::memcpy(other, t.boot_id, sizeof other);
    other[0] = 99;
    ctx.boot_id = same;
    EXPECT_EQ(pg_rule_state_at(recs.data(), &ctx), PG_RULE_ACTIVE);
    ctx.boot_id = other;
    EXPECT_EQ(pg_rule_state_at(recs.data(), &ctx), PG_RULE_EXPIRED);
    // Not stamped yet: the component stamps it on SET; until then it holds.
    pg_rule_time unstamped{};
    unstamped.expiry = PG_EXPIRY_REBOOT;
    const Bytes fresh = ruleRecords({withTime(exact(1, "/a", PG_VERDICT_ALLOW), unstamped)});
    EXPECT_EQ(pg_rule_state_at(fresh.data(), &ctx), PG_RULE_ACTIVE);
}

TEST(RulesInForce, UsedUpBudgetTurnsTheRuleIntoABlock)
{
    pg_rule_time t{};
    t.budget_s = 3600;
    const Bytes recs = ruleRecords({withTime(prefix(5, "/games/", PG_VERDICT_ALLOW), t)});
    uint8_t action = 0;
    pg_time_context ctx = contextAt(at(0, 12));
    EXPECT_EQ(decidingRule(recs, 1, ctx, "/games/x", &action), 5u);
    EXPECT_EQ(action, PG_VERDICT_ALLOW);
    const uint32_t exhausted[] = {5};
    ctx.exhausted_ids = exhausted;
    ctx.exhausted_count = 1;
    EXPECT_EQ(decidingRule(recs, 1, ctx, "/games/x", &action), 5u);
    EXPECT_EQ(action, PG_VERDICT_BLOCK);
}

TEST(RulesInForce, NextChangeIsTheEarliestEdgeOrExpiry)
{
    pg_rule_time soon{};
    soon.expiry = PG_EXPIRY_AT;
    soon.expires_at = at(0, 16, 30);
    const Bytes recs = ruleRecords({withTime(prefix(1, "/games/", PG_VERDICT_ALLOW),
                                             schedule(kMonToFri, {{16 * 60, 18 * 60}})),
                                    withTime(exact(2, "/x", PG_VERDICT_ALLOW), soon),
                                    exact(3, "/y", PG_VERDICT_ALLOW)});
    const pg_time_context c1 = contextAt(at(0, 12));
    EXPECT_EQ(pg_rules_next_change(recs.data(), recs.size(), 3, &c1), at(0, 16));
    const pg_time_context c2 = contextAt(at(0, 16));
    EXPECT_EQ(pg_rules_next_change(recs.data(), recs.size(), 3, &c2), at(0, 16, 30));
    const pg_time_context c3 = contextAt(at(0, 17));
    EXPECT_EQ(pg_rules_next_change(recs.data(), recs.size(), 3, &c3), at(0, 18));
    const Bytes plain = ruleRecords({exact(3, "/y", PG_VERDICT_ALLOW)});
    EXPECT_EQ(pg_rules_next_change(plain.data(), plain.size(), 1, &c3), PG_TIME_NEVER);
}
