// BudgetTrackerTest.cpp - daily running-time budgets, driven by an
// injected clock (milliseconds passed to every call).
#include <gtest/gtest.h>

#include "BudgetTracker.h"

namespace
{

constexpr uint64_t kGames = 7; // a budget group
constexpr int64_t kSecond = 1000;
constexpr int64_t kDayMs = 86400 * kSecond;

class BudgetTrackerTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        BudgetTracker::Budget games;
        games.key = kGames;
        games.seconds = 3600;
        games.graceS = 60;
        games.ruleIds = {11, 12};
        BudgetTracker::Budget browser;
        browser.key = BudgetTracker::keyFor(20, 0);
        browser.seconds = 60;
        browser.ruleIds = {20};
        tracker.configure({games, browser}, 0);
        tracker.setDay(100, 100 * kDayMs, 100 * kDayMs);
    }

    int64_t t(int64_t seconds) const { return 100 * kDayMs + seconds * kSecond; }

    BudgetTracker tracker;
};

} // namespace

TEST_F(BudgetTrackerTest, RunningTimeCountsFromStartToExit)
{
    tracker.started(100, kGames, t(10));
    EXPECT_EQ(tracker.usedMs(kGames, t(70)), 60 * kSecond);
    tracker.ended(100, t(100));
    EXPECT_EQ(tracker.usedMs(kGames, t(5000)), 90 * kSecond);
}

TEST_F(BudgetTrackerTest, ProgramsOfOneGroupRunningTogetherUseTheBudgetOnce)
{
    tracker.started(100, kGames, t(0));
    tracker.started(101, kGames, t(30));
    tracker.ended(100, t(60));
    tracker.ended(101, t(90));
    EXPECT_EQ(tracker.usedMs(kGames, t(200)), 90 * kSecond);
    EXPECT_EQ(tracker.members(kGames).size(), 0u);
}

TEST_F(BudgetTrackerTest, BudgetsAreSeparate)
{
    const uint64_t browser = BudgetTracker::keyFor(20, 0);
    tracker.started(100, kGames, t(0));
    tracker.started(200, browser, t(0));
    EXPECT_EQ(tracker.nextExhaustionMs(t(0)), t(60));
    EXPECT_TRUE(tracker.exhausted(browser, t(60)));
    EXPECT_FALSE(tracker.exhausted(kGames, t(60)));
    EXPECT_EQ(tracker.exhaustedRuleIds(t(60)), std::vector<uint32_t>{20});
}

TEST_F(BudgetTrackerTest, ExhaustionIsForeseenFromTheTimeLeft)
{
    tracker.started(100, kGames, t(0));
    tracker.ended(100, t(3000));
    EXPECT_EQ(tracker.nextExhaustionMs(t(4000)), BudgetTracker::kNever); // nothing runs
    tracker.started(101, kGames, t(4000));
    EXPECT_EQ(tracker.nextExhaustionMs(t(4000)), t(4600));
    EXPECT_FALSE(tracker.exhausted(kGames, t(4599)));
    EXPECT_TRUE(tracker.exhausted(kGames, t(4600)));
    EXPECT_EQ(tracker.exhaustedRuleIds(t(4600)), (std::vector<uint32_t>{11, 12}));
    EXPECT_EQ(tracker.members(kGames), std::vector<uint32_t>{101});
}

TEST_F(BudgetTrackerTest, NewLocalDayStartsFromZeroAndSplitsARunAtMidnight)
{
    tracker.started(100, kGames, t(86400 - 600)); // 23:50
    EXPECT_EQ(tracker.usedMs(kGames, t(86400)), 600 * kSecond);
    tracker.setDay(101, 101 * kDayMs, t(86400 + 5));
    EXPECT_EQ(tracker.usedMs(kGames, t(86400 + 300)), 300 * kSecond); // since midnight
    tracker.ended(100, t(86400 + 300));
    EXPECT_EQ(tracker.usedMs(kGames, t(86400 + 1000)), 300 * kSecond);
    // The same day again changes nothing.
    tracker.setDay(101, 101 * kDayMs, t(86400 + 1000));
    EXPECT_EQ(tracker.usedMs(kGames, t(86400 + 1000)), 300 * kSecond);
}

TEST_F(BudgetTrackerTest, ExecIntoAnotherBudgetMovesTheProcess)
{
    const uint64_t browser = BudgetTracker::keyFor(20, 0);
    tracker.started(100, kGames, t(0));
    tracker.started(100, browser, t(10));
    EXPECT_EQ(tracker.usedMs(kGames, t(100)), 10 * kSecond);
    EXPECT_EQ(tracker.usedMs(browser, t(20)), 10 * kSecond);
    // Starting again with the same key does not restart the stretch.
    tracker.started(100, browser, t(20));
    EXPECT_EQ(tracker.usedMs(browser, t(30)), 20 * kSecond);
}

TEST_F(BudgetTrackerTest, UnknownKeysAndPidsAreIgnored)
{
    tracker.started(100, 999, t(0));
    tracker.ended(12345, t(0));
    EXPECT_EQ(tracker.usedMs(999, t(10)), 0);
    EXPECT_TRUE(tracker.members(999).empty());
}

TEST_F(BudgetTrackerTest, ReconfiguringKeepsTodaysUsage)
{
    tracker.started(100, kGames, t(0));
    BudgetTracker::Budget games;
    games.key = kGames;
    games.seconds = 1800;
    games.ruleIds = {11};
    tracker.configure({games}, t(600));
    EXPECT_EQ(tracker.usedMs(kGames, t(700)), 600 * kSecond);
    EXPECT_TRUE(tracker.members(kGames).empty()); // the caller re-adds what runs
    EXPECT_FALSE(tracker.has(BudgetTracker::keyFor(20, 0)));
}

TEST(BudgetKeys, GroupSharesOneKeyAndLoneRulesDoNotCollideWithGroups)
{
    EXPECT_EQ(BudgetTracker::keyFor(1, 5), BudgetTracker::keyFor(2, 5));
    EXPECT_NE(BudgetTracker::keyFor(5, 0), BudgetTracker::keyFor(9, 5));
}
