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

namespace
{

// A restarted daemon: a fresh tracker with the games budget and a new
// one, on the given day.
BudgetTracker restarted(int64_t day, int64_t nowMs)
{
    BudgetTracker::Budget games;
    games.key = kGames;
    games.seconds = 3600;
    games.ruleIds = {11, 12};
    BudgetTracker::Budget other;
    other.key = BudgetTracker::keyFor(30, 0);
    other.seconds = 60;
    other.ruleIds = {30};
    BudgetTracker fresh;
    fresh.configure({games, other}, nowMs);
    fresh.setDay(day, day * kDayMs, nowMs);
    return fresh;
}

} // namespace

TEST_F(BudgetTrackerTest, SavedUseIsRestoredAfterARestartOnTheSameDay)
{
    tracker.started(100, kGames, t(0));
    tracker.ended(100, t(600));
    tracker.started(200, BudgetTracker::keyFor(20, 0), t(700));
    EXPECT_TRUE(tracker.running());
    // Saved while the browser runs: its open stretch counts up to then.
    const std::vector<uint8_t> bytes = tracker.saved(t(730));
    ASSERT_FALSE(bytes.empty());

    BudgetTracker fresh = restarted(100, t(800));
    EXPECT_FALSE(fresh.running());
    ASSERT_TRUE(fresh.restore(bytes));
    EXPECT_EQ(fresh.usedMs(kGames, t(900)), 600 * kSecond);
    // The browser's budget is gone from the new policy, the new one unused.
    EXPECT_FALSE(fresh.has(BudgetTracker::keyFor(20, 0)));
    EXPECT_EQ(fresh.usedMs(BudgetTracker::keyFor(30, 0), t(900)), 0);
    // What runs after the restart adds to the restored use.
    fresh.started(300, kGames, t(1000));
    EXPECT_EQ(fresh.usedMs(kGames, t(1100)), 700 * kSecond);
    EXPECT_EQ(fresh.nextExhaustionMs(t(1100)), t(1100) + (3600 - 700) * kSecond);
}

TEST_F(BudgetTrackerTest, UseSavedOnAnotherDayIsNotRestored)
{
    tracker.started(100, kGames, t(0));
    const std::vector<uint8_t> bytes = tracker.saved(t(600));
    BudgetTracker fresh = restarted(101, 101 * kDayMs + kSecond);
    EXPECT_TRUE(fresh.restore(bytes)) << "well formed, just stale";
    EXPECT_EQ(fresh.usedMs(kGames, 101 * kDayMs + 10 * kSecond), 0);
}

TEST_F(BudgetTrackerTest, NothingIsSavedWithoutADayOrWithoutBudgets)
{
    BudgetTracker noDay;
    BudgetTracker::Budget games;
    games.key = kGames;
    games.seconds = 60;
    noDay.configure({games}, 0);
    EXPECT_TRUE(noDay.saved(0).empty());

    BudgetTracker none;
    none.configure({}, 0);
    none.setDay(100, 100 * kDayMs, t(1));
    EXPECT_TRUE(none.saved(t(1)).empty());
}

TEST_F(BudgetTrackerTest, MalformedSavedUseIsRefusedAndChangesNothing)
{
    tracker.started(100, kGames, t(0));
    std::vector<uint8_t> bytes = tracker.saved(t(600));
    BudgetTracker fresh = restarted(100, t(700));

    std::vector<uint8_t> truncated(bytes.begin(), bytes.end() - 3);
    EXPECT_FALSE(fresh.restore(truncated));
    std::vector<uint8_t> badMagic = bytes;
    badMagic[0] ^= 0xffu;
    EXPECT_FALSE(fresh.restore(badMagic));
    EXPECT_FALSE(fresh.restore({}));
    const std::vector<uint8_t> garbage(40, 0xab);
    EXPECT_FALSE(fresh.restore(garbage));
    EXPECT_EQ(fresh.usedMs(kGames, t(800)), 0);

    EXPECT_TRUE(fresh.restore(bytes)) << "the intact bytes still restore";
    EXPECT_EQ(fresh.usedMs(kGames, t(800)), 600 * kSecond);
}
