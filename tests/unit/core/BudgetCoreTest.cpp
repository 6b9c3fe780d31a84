// BudgetCoreTest.cpp - pg_budget: running time per budget over caller
// storage, counted once while any member runs, carried across a new
// policy, reset by a new local day; members never exceed their array.
#include <gtest/gtest.h>

#include <vector>

#include "pg_budget.h"

namespace
{

constexpr int64_t kSecond = 1000;
constexpr int64_t kDayMs = 86400 * kSecond;
constexpr uint64_t kGames = 7; // a budget group

// Milliseconds into local day 100.
constexpr int64_t t(int64_t seconds)
{
    return 100 * kDayMs + seconds * kSecond;
}

// One set and the storage it lives in.
struct Set {
    Set(uint32_t capacity, uint32_t memberCapacity) : entries(capacity), members(memberCapacity)
    {
        pg_budget_init(&set, entries.data(), capacity, members.data(), memberCapacity);
    }

    std::vector<pg_budget_entry> entries;
    std::vector<pg_budget_member> members;
    pg_budget_set set;
};

class BudgetCoreTest : public ::testing::Test
{
protected:
    BudgetCoreTest() : s(4, 4) {}

    void SetUp() override
    {
        ASSERT_EQ(PG_OK, pg_budget_define(&s.set, kGames, 3600, 60));
        ASSERT_EQ(PG_OK, pg_budget_define(&s.set, browser, 60, 0));
        pg_budget_set_day(&s.set, 100, 100 * kDayMs, t(0));
    }

    const uint64_t browser = pg_budget_key(20, 0);
    Set s;
};

} // namespace

TEST(BudgetKeyTest, GroupSharesOneKeyAndALoneRuleHasItsOwn)
{
    EXPECT_EQ(pg_budget_key(1, 5), 5u);
    EXPECT_EQ(pg_budget_key(2, 5), 5u);
    EXPECT_EQ(pg_budget_key(5, 0), (uint64_t{1} << 32) | 5u);
    EXPECT_NE(pg_budget_key(5, 0), pg_budget_key(9, 5));
}

TEST(BudgetInitTest, StartsEmptyWithoutADay)
{
    Set s(2, 2);
    EXPECT_EQ(s.set.count, 0u);
    EXPECT_EQ(s.set.member_count, 0u);
    EXPECT_EQ(s.set.day, INT64_MIN);
    EXPECT_EQ(pg_budget_find(&s.set, kGames), nullptr);
    EXPECT_EQ(pg_budget_next_exhaustion_ms(&s.set, 0), PG_BUDGET_NEVER);
}

TEST(BudgetDefineTest, SameKeyMergesToTheLargerAllowanceAndGrace)
{
    Set s(1, 1);
    ASSERT_EQ(PG_OK, pg_budget_define(&s.set, kGames, 1800, 90));
    ASSERT_EQ(PG_OK, pg_budget_define(&s.set, kGames, 3600, 30));
    ASSERT_EQ(s.set.count, 1u);
    const pg_budget_entry *e = pg_budget_find(&s.set, kGames);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->seconds, 3600u);
    EXPECT_EQ(e->grace_s, 90u);
    EXPECT_EQ(e->used_ms, 0);
    EXPECT_EQ(e->running, 0u);
    // The one slot is taken: a second key has no room, the first is intact.
    EXPECT_EQ(PG_E_NOSPACE, pg_budget_define(&s.set, pg_budget_key(20, 0), 60, 0));
    EXPECT_EQ(s.set.count, 1u);
    EXPECT_EQ(pg_budget_find(&s.set, pg_budget_key(20, 0)), nullptr);
}

TEST_F(BudgetCoreTest, TwoMembersOfOneBudgetRunningTogetherCountOnce)
{
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 100, kGames, t(0)));
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 101, kGames, t(30)));
    EXPECT_EQ(pg_budget_find(&s.set, kGames)->running, 2u);
    EXPECT_EQ(pg_budget_used_ms(&s.set, kGames, t(45)), 45 * kSecond);
    pg_budget_ended(&s.set, 100, t(60));
    EXPECT_EQ(pg_budget_used_ms(&s.set, kGames, t(75)), 75 * kSecond);
    pg_budget_ended(&s.set, 101, t(90));
    EXPECT_EQ(pg_budget_used_ms(&s.set, kGames, t(500)), 90 * kSecond);
    EXPECT_EQ(pg_budget_find(&s.set, kGames)->used_ms, 90 * kSecond);
    EXPECT_EQ(s.set.member_count, 0u);
    // A gap between two runs is not counted.
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 102, kGames, t(1000)));
    EXPECT_EQ(pg_budget_used_ms(&s.set, kGames, t(1010)), 100 * kSecond);
}

TEST_F(BudgetCoreTest, StartingAgainWithTheSameKeyKeepsTheStretch)
{
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 100, kGames, t(0)));
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 100, kGames, t(20)));
    EXPECT_EQ(pg_budget_find(&s.set, kGames)->running, 1u);
    EXPECT_EQ(s.set.member_count, 1u);
    EXPECT_EQ(pg_budget_used_ms(&s.set, kGames, t(30)), 30 * kSecond);
}

TEST_F(BudgetCoreTest, SwitchingAPidBetweenKeysMovesItsTime)
{
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 100, kGames, t(0)));
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 100, browser, t(10)));
    EXPECT_EQ(s.set.member_count, 1u);
    EXPECT_EQ(pg_budget_member_of(&s.set, 100)->index, 1u);
    EXPECT_EQ(pg_budget_find(&s.set, kGames)->running, 0u);
    EXPECT_EQ(pg_budget_find(&s.set, browser)->running, 1u);
    EXPECT_EQ(pg_budget_used_ms(&s.set, kGames, t(100)), 10 * kSecond);
    EXPECT_EQ(pg_budget_used_ms(&s.set, browser, t(40)), 30 * kSecond);
    // An unknown key changes nothing, not even the pid's current budget.
    EXPECT_EQ(PG_OK, pg_budget_started(&s.set, 100, 999, t(40)));
    EXPECT_EQ(pg_budget_member_of(&s.set, 100)->index, 1u);
    EXPECT_EQ(pg_budget_used_ms(&s.set, browser, t(50)), 40 * kSecond);
    EXPECT_EQ(pg_budget_used_ms(&s.set, 999, t(50)), 0);
}

TEST_F(BudgetCoreTest, FullMembersRefuseANewPidAndCountNothing)
{
    for (uint32_t pid = 100; pid < 104; ++pid)
        ASSERT_EQ(PG_OK, pg_budget_started(&s.set, pid, kGames, t(0)));
    ASSERT_EQ(s.set.member_count, 4u);
    EXPECT_EQ(PG_E_NOSPACE, pg_budget_started(&s.set, 200, browser, t(0)));
    EXPECT_EQ(s.set.member_count, 4u);
    EXPECT_EQ(pg_budget_member_of(&s.set, 200), nullptr);
    EXPECT_EQ(pg_budget_find(&s.set, browser)->running, 0u);
    EXPECT_EQ(pg_budget_used_ms(&s.set, browser, t(100)), 0);
    // A member switching keys needs no room.
    EXPECT_EQ(PG_OK, pg_budget_started(&s.set, 103, browser, t(10)));
    EXPECT_EQ(pg_budget_find(&s.set, kGames)->running, 3u);
    EXPECT_EQ(pg_budget_find(&s.set, browser)->running, 1u);
    // A freed slot is usable again; the last member moved into the hole.
    pg_budget_ended(&s.set, 100, t(20));
    EXPECT_EQ(s.set.member_count, 3u);
    EXPECT_NE(pg_budget_member_of(&s.set, 103), nullptr);
    EXPECT_EQ(pg_budget_member_of(&s.set, 100), nullptr);
    EXPECT_EQ(PG_OK, pg_budget_started(&s.set, 200, browser, t(20)));
    EXPECT_EQ(pg_budget_find(&s.set, browser)->running, 2u);
}

TEST_F(BudgetCoreTest, EndedOfAnUnknownPidChangesNothing)
{
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 100, kGames, t(0)));
    pg_budget_ended(&s.set, 12345, t(10));
    EXPECT_EQ(s.set.member_count, 1u);
    EXPECT_EQ(pg_budget_find(&s.set, kGames)->running, 1u);
    EXPECT_EQ(pg_budget_used_ms(&s.set, kGames, t(20)), 20 * kSecond);
    // Ending twice counts the stretch once.
    pg_budget_ended(&s.set, 100, t(30));
    pg_budget_ended(&s.set, 100, t(40));
    EXPECT_EQ(pg_budget_used_ms(&s.set, kGames, t(50)), 30 * kSecond);
}

TEST_F(BudgetCoreTest, NextExhaustionIsTheEarliestRunningBudgetWithTimeLeft)
{
    EXPECT_EQ(pg_budget_next_exhaustion_ms(&s.set, t(0)), PG_BUDGET_NEVER); // nothing runs
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 100, kGames, t(0)));
    EXPECT_EQ(pg_budget_next_exhaustion_ms(&s.set, t(0)), t(3600));
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 200, browser, t(10)));
    EXPECT_EQ(pg_budget_next_exhaustion_ms(&s.set, t(20)), t(70));
    EXPECT_FALSE(pg_budget_exhausted(&s.set, browser, t(69)));
    EXPECT_TRUE(pg_budget_exhausted(&s.set, browser, t(70)));
    // A used-up budget no longer has a next moment; the other one does.
    EXPECT_EQ(pg_budget_next_exhaustion_ms(&s.set, t(80)), t(3600));
    pg_budget_ended(&s.set, 100, t(100));
    EXPECT_EQ(pg_budget_next_exhaustion_ms(&s.set, t(100)), PG_BUDGET_NEVER);
    EXPECT_FALSE(pg_budget_exhausted(&s.set, 999, t(100))); // unknown key
}

TEST_F(BudgetCoreTest, ANewDayStartsFromZeroAndCountsARunningProgramFromMidnight)
{
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 100, kGames, t(86400 - 600))); // 23:50
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 200, browser, t(100)));
    pg_budget_ended(&s.set, 200, t(130));
    EXPECT_EQ(pg_budget_used_ms(&s.set, kGames, t(86400)), 600 * kSecond);
    pg_budget_set_day(&s.set, 101, 101 * kDayMs, t(86400 + 5));
    EXPECT_EQ(s.set.day, 101);
    EXPECT_EQ(pg_budget_used_ms(&s.set, kGames, t(86400 + 300)), 300 * kSecond);
    EXPECT_EQ(pg_budget_used_ms(&s.set, browser, t(86400 + 300)), 0);
    pg_budget_ended(&s.set, 100, t(86400 + 300));
    // The same day again changes nothing.
    pg_budget_set_day(&s.set, 101, 101 * kDayMs, t(86400 + 1000));
    EXPECT_EQ(pg_budget_used_ms(&s.set, kGames, t(86400 + 1000)), 300 * kSecond);
}

TEST_F(BudgetCoreTest, ARunStartedAfterTheNewDayBeganKeepsItsOwnStart)
{
    // The day is noticed late: a program started after midnight but
    // before the notice counts from its start, not from midnight.
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 100, kGames, t(86400 + 60)));
    pg_budget_set_day(&s.set, 101, 101 * kDayMs, t(86400 + 120));
    EXPECT_EQ(pg_budget_used_ms(&s.set, kGames, t(86400 + 180)), 120 * kSecond);
}

TEST(BudgetDayTest, TheFirstDayIsOnlyLearned)
{
    Set s(1, 1);
    ASSERT_EQ(PG_OK, pg_budget_define(&s.set, kGames, 3600, 0));
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 100, kGames, t(0)));
    pg_budget_set_day(&s.set, 100, 100 * kDayMs, t(50));
    EXPECT_EQ(s.set.day, 100);
    EXPECT_EQ(pg_budget_used_ms(&s.set, kGames, t(60)), 60 * kSecond);
}

TEST_F(BudgetCoreTest, CarryKeepsTodaysUsageIncludingTheOpenStretch)
{
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 100, kGames, t(0)));
    ASSERT_EQ(PG_OK, pg_budget_started(&s.set, 200, browser, t(0)));
    pg_budget_ended(&s.set, 200, t(20));

    // A new policy: the games budget stays (smaller), the browser goes,
    // a new lone rule comes.
    Set next(4, 4);
    const uint64_t editor = pg_budget_key(30, 0);
    ASSERT_EQ(PG_OK, pg_budget_define(&next.set, editor, 600, 0));
    ASSERT_EQ(PG_OK, pg_budget_define(&next.set, kGames, 1800, 0));
    pg_budget_carry(&next.set, &s.set, t(600));
    EXPECT_EQ(next.set.day, 100);
    EXPECT_EQ(next.set.member_count, 0u); // the caller re-adds what runs
    EXPECT_EQ(pg_budget_find(&next.set, kGames)->running, 0u);
    EXPECT_EQ(pg_budget_used_ms(&next.set, kGames, t(700)), 600 * kSecond);
    EXPECT_EQ(pg_budget_used_ms(&next.set, editor, t(700)), 0);
    EXPECT_EQ(pg_budget_find(&next.set, browser), nullptr);
    EXPECT_EQ(pg_budget_find(&next.set, kGames)->seconds, 1800u);
    // The old set is not changed by the carry.
    EXPECT_EQ(pg_budget_find(&s.set, kGames)->running, 1u);

    // Re-adding the running program reopens the stretch at the carry.
    ASSERT_EQ(PG_OK, pg_budget_started(&next.set, 100, kGames, t(600)));
    EXPECT_EQ(pg_budget_used_ms(&next.set, kGames, t(700)), 700 * kSecond);
    EXPECT_EQ(pg_budget_next_exhaustion_ms(&next.set, t(700)), t(1800));
    // And the carried day still resets on the next one.
    pg_budget_set_day(&next.set, 101, 101 * kDayMs, t(86400));
    EXPECT_EQ(pg_budget_used_ms(&next.set, kGames, t(86400 + 10)), 10 * kSecond);
}

TEST(BudgetCarryTest, NoOldSetCarriesNothing)
{
    Set s(1, 1);
    ASSERT_EQ(PG_OK, pg_budget_define(&s.set, kGames, 60, 0));
    pg_budget_carry(&s.set, nullptr, t(10));
    EXPECT_EQ(s.set.day, INT64_MIN);
    EXPECT_EQ(pg_budget_used_ms(&s.set, kGames, t(10)), 0);
}

TEST(BudgetStorageTest, AnEmptySetWithoutArraysIsSafe)
{
    pg_budget_set s;
    pg_budget_init(&s, nullptr, 5, nullptr, 5);
    EXPECT_EQ(s.capacity, 0u);
    EXPECT_EQ(s.member_capacity, 0u);
    EXPECT_EQ(PG_E_NOSPACE, pg_budget_define(&s, kGames, 60, 0));
    EXPECT_EQ(PG_OK, pg_budget_started(&s, 1, kGames, 0)); // unknown key
    pg_budget_ended(&s, 1, 0);
    EXPECT_EQ(pg_budget_used_ms(&s, kGames, 0), 0);
    EXPECT_EQ(pg_budget_next_exhaustion_ms(&s, 0), PG_BUDGET_NEVER);
}

// Today's use survives a restart of the component: saved, then added to a
// fresh set of the same day; another day, or damage, restores nothing.
TEST(BudgetSavedTest, UseOfTheSameDaySurvivesARestart)
{
    Set before(2, 2);
    ASSERT_EQ(pg_budget_define(&before.set, kGames, 3600, 60), PG_OK);
    ASSERT_EQ(pg_budget_define(&before.set, pg_budget_key(3, 0), 600, 0), PG_OK);
    pg_budget_set_day(&before.set, 100, t(0), t(0));
    ASSERT_EQ(pg_budget_started(&before.set, 41, kGames, t(100)), PG_OK);
    std::vector<uint8_t> saved(pg_budget_saved_size(&before.set));
    ASSERT_EQ(saved.size(), 16u + 2 * 16u);
    // The open stretch counts up to the moment of saving.
    ASSERT_EQ(pg_budget_save(&before.set, t(400), saved.data(), saved.size()), saved.size());
    EXPECT_EQ(pg_budget_save(&before.set, t(400), saved.data(), saved.size() - 1), 0u);

    Set after(2, 2);
    ASSERT_EQ(pg_budget_define(&after.set, kGames, 3600, 60), PG_OK);
    pg_budget_set_day(&after.set, 100, t(0), t(500));
    ASSERT_EQ(pg_budget_restore(&after.set, saved.data(), saved.size()), PG_OK);
    EXPECT_EQ(pg_budget_used_ms(&after.set, kGames, t(500)), 300 * kSecond);
    // The budget that is gone is ignored; a game started now adds to it.
    ASSERT_EQ(pg_budget_started(&after.set, 42, kGames, t(500)), PG_OK);
    EXPECT_EQ(pg_budget_used_ms(&after.set, kGames, t(3800)), 3600 * kSecond);
    EXPECT_TRUE(pg_budget_exhausted(&after.set, kGames, t(3800)));

    Set tomorrow(2, 2);
    ASSERT_EQ(pg_budget_define(&tomorrow.set, kGames, 3600, 60), PG_OK);
    pg_budget_set_day(&tomorrow.set, 101, t(86400), t(86400));
    ASSERT_EQ(pg_budget_restore(&tomorrow.set, saved.data(), saved.size()), PG_OK);
    EXPECT_EQ(pg_budget_used_ms(&tomorrow.set, kGames, t(86400)), 0);
}

TEST(BudgetSavedTest, MalformedInputIsRefusedAndChangesNothing)
{
    Set s(1, 1);
    ASSERT_EQ(pg_budget_define(&s.set, kGames, 3600, 60), PG_OK);
    pg_budget_set_day(&s.set, 100, t(0), t(0));
    ASSERT_EQ(pg_budget_started(&s.set, 41, kGames, t(0)), PG_OK);
    std::vector<uint8_t> saved(pg_budget_saved_size(&s.set));
    ASSERT_EQ(pg_budget_save(&s.set, t(60), saved.data(), saved.size()), saved.size());

    Set fresh(1, 1);
    ASSERT_EQ(pg_budget_define(&fresh.set, kGames, 3600, 60), PG_OK);
    pg_budget_set_day(&fresh.set, 100, t(0), t(0));
    // Cut short, wrong magic, a count that disagrees with the length.
    EXPECT_EQ(pg_budget_restore(&fresh.set, saved.data(), saved.size() - 1), PG_E_LENGTH);
    EXPECT_EQ(pg_budget_restore(&fresh.set, saved.data(), 8), PG_E_LENGTH);
    std::vector<uint8_t> bad = saved;
    bad[0] ^= 0xFF;
    EXPECT_EQ(pg_budget_restore(&fresh.set, bad.data(), bad.size()), PG_E_LENGTH);
    bad = saved;
    bad[4] = 2;
    EXPECT_EQ(pg_budget_restore(&fresh.set, bad.data(), bad.size()), PG_E_LENGTH);
    EXPECT_EQ(pg_budget_used_ms(&fresh.set, kGames, t(60)), 0);
    // A set with no day yet saves nothing.
    Set noDay(1, 1);
    EXPECT_EQ(pg_budget_save(&noDay.set, t(0), saved.data(), saved.size()), 0u);
}
