// RuleExplainerTimeTest.cpp - "test this path" at a moment: rules outside
// their schedule or past their expiry do not decide, and the ones that
// would have are named.
#include <gtest/gtest.h>

#include "RuleExplainer.h"

namespace
{

// Saturday 2026-11-21 00:00:00 UTC (20778 days after 1970-01-01).
constexpr int64_t kSaturday = 20778LL * 86400;
constexpr int64_t kMonday = kSaturday + 2 * 86400;

pg::Rule rule(pg::RuleKind kind, pg::Verdict action, std::string pattern)
{
    pg::Rule r;
    r.kind = kind;
    r.action = action;
    r.pattern = std::move(pattern);
    return r;
}

// Rule 1 allows games Mon-Fri 16:00-18:00; rule 2 blocks everything under /usr/.
std::vector<pg::Rule> afterSchool()
{
    pg::Rule games = rule(pg::RuleKind::Glob, pg::Verdict::Allow, "/usr/games/*");
    games.time.days = 0x1F;
    games.time.windows = {{16 * 3600, 18 * 3600}};
    return {games, rule(pg::RuleKind::Prefix, pg::Verdict::Block, "/usr/")};
}

pg::ExplainQuery at(int64_t utc, int32_t offset = 0)
{
    pg::ExplainQuery q;
    q.image = "/usr/games/tetris";
    q.uid = 1000;
    q.atUtc = utc;
    q.utcOffset = offset;
    return q;
}

} // namespace

TEST(RuleExplainerTime, InsideTheScheduleTheScheduledRuleDecides)
{
    const pg::Explanation e =
        pg::explainRules(afterSchool(), false, pg::Mode::Lockdown, at(kMonday + 17 * 3600));
    ASSERT_TRUE(e.ok) << e.error;
    ASSERT_TRUE(e.matched);
    EXPECT_EQ(e.index, 0u);
    EXPECT_EQ(e.action, pg::Verdict::Allow);
    EXPECT_TRUE(e.dormant.empty());
}

TEST(RuleExplainerTime, OutsideItTheNextRuleDecidesAndTheSleeperIsNamed)
{
    const pg::Explanation e =
        pg::explainRules(afterSchool(), false, pg::Mode::Lockdown, at(kSaturday + 10 * 3600));
    ASSERT_TRUE(e.ok) << e.error;
    ASSERT_TRUE(e.matched);
    EXPECT_EQ(e.index, 1u) << "positions stay those of the full list";
    EXPECT_EQ(e.action, pg::Verdict::Block);
    ASSERT_EQ(e.dormant.size(), 1u);
    EXPECT_EQ(e.dormant[0], 0u);
    EXPECT_NE(e.text.find("Rule 2 decides: block"), std::string::npos) << e.text;
    EXPECT_NE(e.text.find("Rule 1 would allow, but it is not in force at this time"),
              std::string::npos)
        << e.text;
}

TEST(RuleExplainerTime, TheOffsetMakesTheLocalTime)
{
    // 15:30 UTC on Monday is 16:30 at UTC+1.
    const int64_t t = kMonday + 15 * 3600 + 1800;
    EXPECT_EQ(pg::explainRules(afterSchool(), false, pg::Mode::Lockdown, at(t, 3600)).index, 0u);
    EXPECT_EQ(pg::explainRules(afterSchool(), false, pg::Mode::Lockdown, at(t, 0)).index, 1u);
}

TEST(RuleExplainerTime, ExpiredRulesSleepToo)
{
    pg::Rule r = rule(pg::RuleKind::Exact, pg::Verdict::Allow, "/usr/games/tetris");
    r.time.expiry = pg::Expiry::At;
    r.time.expiresAt = kSaturday + 3600;
    EXPECT_TRUE(pg::explainRules({r}, false, pg::Mode::Lockdown, at(kSaturday)).matched);
    const pg::Explanation e =
        pg::explainRules({r}, false, pg::Mode::Lockdown, at(kSaturday + 3600));
    EXPECT_FALSE(e.matched);
    EXPECT_EQ(e.dormant.size(), 1u);
}

TEST(RuleExplainerTime, WithoutAMomentEveryRuleTakesPart)
{
    pg::ExplainQuery q = at(0);
    q.atUtc.reset();
    const pg::Explanation e = pg::explainRules(afterSchool(), false, pg::Mode::Lockdown, q);
    ASSERT_TRUE(e.matched);
    EXPECT_EQ(e.index, 0u);
    EXPECT_TRUE(e.dormant.empty());
}
