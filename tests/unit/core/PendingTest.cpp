// PendingTest.cpp - pg_pending: every hold ends exactly once, by verdict,
// deadline, disconnect or stop; ids are never reused.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "MessageBuilder.h"

namespace
{

constexpr uint8_t A = PG_VERDICT_ALLOW;
constexpr uint8_t B = PG_VERDICT_BLOCK;

class PendingTest : public ::testing::Test
{
protected:
    void SetUp() override { init(8, 1000); }

    void init(uint32_t capacity, uint64_t firstId)
    {
        m_entries.assign(capacity, pg_pending_entry{});
        pg_pending_init(&m_table, m_entries.data(), capacity, firstId);
    }

    uint64_t add(uint64_t now, uint32_t timeout, uint32_t budget = 0, uint8_t def = B,
                 uint32_t pid = 100, void *ctx = nullptr)
    {
        uint64_t id = 0;
        EXPECT_EQ(PG_OK, pg_pending_add(&m_table, pid, now, timeout, budget, def, ctx, &id));
        return id;
    }

    static void collect(void *user, const pg_pending_entry *e)
    {
        static_cast<PendingTest *>(user)->m_seen.push_back(*e);
        // The entry is gone before the callback runs.
        EXPECT_EQ(nullptr, pg_pending_find(&static_cast<PendingTest *>(user)->m_table, e->hold_id));
    }

    static void collectReleased(void *user, const pg_pending_entry *e)
    {
        static_cast<PendingTest *>(user)->m_seen.push_back(*e);
    }

    std::vector<pg_pending_entry> m_entries;
    pg_pending m_table{};
    std::vector<pg_pending_entry> m_seen;
};

} // namespace

TEST_F(PendingTest, IdsStartAtFirstIdAndGrow)
{
    const uint64_t a = add(0, 100);
    const uint64_t b = add(0, 100);
    EXPECT_EQ(1000u, a);
    EXPECT_EQ(1001u, b);
    EXPECT_EQ(2u, m_table.used);
}

TEST_F(PendingTest, FirstIdZeroNeverProducesHoldIdZero)
{
    init(4, 0);
    EXPECT_NE(0u, add(0, 100));
}

TEST_F(PendingTest, IdsAreNeverReusedAfterResolution)
{
    std::set<uint64_t> ids;
    for (int i = 0; i < 100; ++i) {
        const uint64_t id = add(0, 100);
        EXPECT_TRUE(ids.insert(id).second) << id;
        ASSERT_EQ(PG_OK, pg_pending_resolve(&m_table, id, A, PG_SRC_CLIENT, nullptr));
    }
    EXPECT_EQ(0u, m_table.used);
}

TEST_F(PendingTest, ResolveReturnsEntryWithVerdictAndSource)
{
    int ctx = 0;
    const uint64_t id = add(50, 100, 0, B, 4242, &ctx);
    pg_pending_entry out{};
    ASSERT_EQ(PG_OK, pg_pending_resolve(&m_table, id, A, PG_SRC_CLIENT, &out));
    EXPECT_EQ(id, out.hold_id);
    EXPECT_EQ(4242u, out.pid);
    EXPECT_EQ(A, out.verdict);
    EXPECT_EQ(PG_SRC_CLIENT, out.source);
    EXPECT_EQ(B, out.default_verdict);
    EXPECT_EQ(&ctx, out.ctx);
    EXPECT_EQ(150u, out.deadline_ms);
    EXPECT_EQ(0u, m_table.used);
}

TEST_F(PendingTest, UnknownHoldIdIsRangeError)
{
    add(0, 100);
    EXPECT_EQ(PG_E_RANGE, pg_pending_resolve(&m_table, 77, A, PG_SRC_CLIENT, nullptr));
    EXPECT_EQ(PG_E_RANGE, pg_pending_resolve(&m_table, 0, A, PG_SRC_CLIENT, nullptr));
    EXPECT_EQ(1u, m_table.used);
}

TEST_F(PendingTest, DuplicateResolutionIsRangeError)
{
    const uint64_t id = add(0, 100);
    EXPECT_EQ(PG_OK, pg_pending_resolve(&m_table, id, A, PG_SRC_CLIENT, nullptr));
    EXPECT_EQ(PG_E_RANGE, pg_pending_resolve(&m_table, id, B, PG_SRC_CLIENT, nullptr));
}

TEST_F(PendingTest, VerdictNoneIsRangeErrorAndKeepsTheHold)
{
    const uint64_t id = add(0, 100);
    EXPECT_EQ(PG_E_RANGE,
              pg_pending_resolve(&m_table, id, PG_VERDICT_NONE, PG_SRC_CLIENT, nullptr));
    EXPECT_NE(nullptr, pg_pending_find(&m_table, id));
}

TEST_F(PendingTest, AddWithBadDefaultVerdictIsRangeError)
{
    uint64_t id = 0;
    EXPECT_EQ(PG_E_RANGE, pg_pending_add(&m_table, 1, 0, 10, 0, PG_VERDICT_NONE, nullptr, &id));
    EXPECT_EQ(0u, m_table.used);
}

TEST_F(PendingTest, FullTableIsNoSpace)
{
    for (int i = 0; i < 8; ++i) {
        add(0, 100);
    }
    uint64_t id = 0;
    EXPECT_EQ(PG_E_NOSPACE, pg_pending_add(&m_table, 1, 0, 100, 0, B, nullptr, &id));
    EXPECT_EQ(8u, m_table.used);
}

TEST_F(PendingTest, FreedSlotIsReusedWithANewId)
{
    std::vector<uint64_t> ids;
    for (int i = 0; i < 8; ++i) {
        ids.push_back(add(0, 100));
    }
    ASSERT_EQ(PG_OK, pg_pending_resolve(&m_table, ids[3], A, PG_SRC_CLIENT, nullptr));
    const uint64_t fresh = add(0, 100);
    EXPECT_GT(fresh, ids.back());
    EXPECT_NE(nullptr, pg_pending_find(&m_table, fresh));
    EXPECT_EQ(nullptr, pg_pending_find(&m_table, ids[3]));
}

TEST_F(PendingTest, ZeroCapacityTableIsAlwaysFull)
{
    pg_pending_init(&m_table, nullptr, 0, 1);
    uint64_t id = 0;
    EXPECT_EQ(PG_E_NOSPACE, pg_pending_add(&m_table, 1, 0, 100, 0, B, nullptr, &id));
    EXPECT_EQ(nullptr, pg_pending_find(&m_table, 1));
}

TEST_F(PendingTest, DeadlinePassedResolvesWithDefaultVerdict)
{
    const uint64_t blockId = add(1000, 500, 0, B);
    const uint64_t allowId = add(1000, 500, 0, A);
    EXPECT_EQ(0u, pg_pending_expire(&m_table, 1499, &PendingTest::collect, this));
    EXPECT_EQ(2u, pg_pending_expire(&m_table, 1500, &PendingTest::collect, this));
    ASSERT_EQ(2u, m_seen.size());
    for (const pg_pending_entry &e : m_seen) {
        EXPECT_EQ(PG_SRC_TIMEOUT, e.source);
        EXPECT_EQ(e.hold_id == blockId ? B : A, e.verdict);
        EXPECT_TRUE(e.hold_id == blockId || e.hold_id == allowId);
    }
    EXPECT_EQ(0u, m_table.used);
}

TEST_F(PendingTest, ExpiredHoldCannotBeAnsweredLater)
{
    const uint64_t id = add(0, 10);
    EXPECT_EQ(1u, pg_pending_expire(&m_table, 10, nullptr, nullptr));
    EXPECT_EQ(PG_E_RANGE, pg_pending_resolve(&m_table, id, A, PG_SRC_CLIENT, nullptr));
}

TEST_F(PendingTest, ZeroTimeoutNeverExpires)
{
    const uint64_t id = add(0, 0);
    EXPECT_EQ(PG_NO_DEADLINE, pg_pending_find(&m_table, id)->deadline_ms);
    EXPECT_EQ(0u, pg_pending_expire(&m_table, UINT64_MAX, nullptr, nullptr));
    EXPECT_EQ(1u, m_table.used);
}

TEST_F(PendingTest, DeadlineNearClockEndSaturatesInsteadOfWrapping)
{
    const uint64_t id = add(UINT64_MAX - 5, 100);
    const uint64_t deadline = pg_pending_find(&m_table, id)->deadline_ms;
    EXPECT_GT(deadline, UINT64_MAX - 5);
    EXPECT_NE(PG_NO_DEADLINE, deadline);
    EXPECT_EQ(0u, pg_pending_expire(&m_table, 1000, nullptr, nullptr));
}

TEST_F(PendingTest, OnlyDueHoldsExpire)
{
    add(0, 100);
    const uint64_t late = add(0, 300);
    EXPECT_EQ(1u, pg_pending_expire(&m_table, 200, nullptr, nullptr));
    EXPECT_NE(nullptr, pg_pending_find(&m_table, late));
}

TEST_F(PendingTest, BudgetDueReleasesLauncherOnceAndKeepsTheHold)
{
    const uint64_t id = add(1000, 30000, 250);
    EXPECT_EQ(0u, pg_pending_budget_due(&m_table, 1249, &PendingTest::collectReleased, this));
    EXPECT_EQ(1u, pg_pending_budget_due(&m_table, 1250, &PendingTest::collectReleased, this));
    ASSERT_EQ(1u, m_seen.size());
    EXPECT_EQ(id, m_seen[0].hold_id);
    EXPECT_EQ(1u, m_seen[0].released);
    EXPECT_EQ(0u, pg_pending_budget_due(&m_table, 5000, &PendingTest::collectReleased, this));
    ASSERT_NE(nullptr, pg_pending_find(&m_table, id));
    EXPECT_EQ(1u, pg_pending_find(&m_table, id)->released);
    // Still decided later, by a person.
    EXPECT_EQ(PG_OK, pg_pending_resolve(&m_table, id, B, PG_SRC_CLIENT, nullptr));
}

TEST_F(PendingTest, ZeroBudgetIsNeverDue)
{
    add(0, 100, 0);
    EXPECT_EQ(0u, pg_pending_budget_due(&m_table, 1000000, nullptr, nullptr));
}

TEST_F(PendingTest, NextWakeupIsEarliestDeadlineOrUnreleasedBudget)
{
    EXPECT_EQ(PG_NO_DEADLINE, pg_pending_next_wakeup(&m_table));
    add(1000, 5000, 300); // budget at 1300, deadline at 6000
    add(1000, 2000);      // deadline at 3000
    EXPECT_EQ(1300u, pg_pending_next_wakeup(&m_table));
    pg_pending_budget_due(&m_table, 1300, nullptr, nullptr);
    EXPECT_EQ(3000u, pg_pending_next_wakeup(&m_table));
    pg_pending_expire(&m_table, 3000, nullptr, nullptr);
    EXPECT_EQ(6000u, pg_pending_next_wakeup(&m_table));
}

TEST_F(PendingTest, NoDeadlineHoldsGiveNoWakeup)
{
    add(0, 0);
    EXPECT_EQ(PG_NO_DEADLINE, pg_pending_next_wakeup(&m_table));
}

TEST_F(PendingTest, DisconnectResolvesEveryHoldWithDefaultVerdict)
{
    add(0, 0, 0, A);
    add(0, 100, 0, B);
    add(0, 100, 50, B);
    EXPECT_EQ(3u, pg_pending_resolve_all(&m_table, PG_SRC_DISCONNECT, &PendingTest::collect, this));
    ASSERT_EQ(3u, m_seen.size());
    for (const pg_pending_entry &e : m_seen) {
        EXPECT_EQ(PG_SRC_DISCONNECT, e.source);
        EXPECT_EQ(e.default_verdict, e.verdict);
    }
    EXPECT_EQ(0u, m_table.used);
    EXPECT_EQ(0u, pg_pending_resolve_all(&m_table, PG_SRC_STOP, nullptr, nullptr));
}

TEST_F(PendingTest, ResolvedHoldIsNotReportedAgainByResolveAll)
{
    const uint64_t a = add(0, 100);
    add(0, 100);
    pg_pending_resolve(&m_table, a, A, PG_SRC_CLIENT, nullptr);
    EXPECT_EQ(1u, pg_pending_resolve_all(&m_table, PG_SRC_STOP, &PendingTest::collect, this));
    ASSERT_EQ(1u, m_seen.size());
    EXPECT_NE(a, m_seen[0].hold_id);
}

namespace
{
struct Reentrant {
    pg_pending *table;
    uint64_t other;
    int resolvedOther;
    int calls;
};

void resolveOtherFromCallback(void *user, const pg_pending_entry *)
{
    Reentrant *r = static_cast<Reentrant *>(user);
    r->calls++;
    if (pg_pending_resolve(r->table, r->other, PG_VERDICT_ALLOW, PG_SRC_CLIENT, nullptr) == PG_OK) {
        r->resolvedOther++;
    }
}
} // namespace

TEST_F(PendingTest, CallbackMayResolveAnotherHoldWithoutDoubleAnswer)
{
    add(0, 10);
    const uint64_t other = add(0, 10);
    Reentrant r{&m_table, other, 0, 0};
    const uint32_t expired = pg_pending_expire(&m_table, 10, &resolveOtherFromCallback, &r);
    // The first callback resolves the other hold; expiry must not see it.
    EXPECT_EQ(1u, expired);
    EXPECT_EQ(1, r.calls);
    EXPECT_EQ(1, r.resolvedOther);
    EXPECT_EQ(0u, m_table.used);
}

TEST_F(PendingTest, ManyHoldsAreFoundAfterWrapAroundOfSlots)
{
    init(16, 1);
    std::vector<uint64_t> live;
    for (int round = 0; round < 200; ++round) {
        live.push_back(add(0, 100));
        if (live.size() == 16) {
            // Resolve in a scrambled order to spread free slots.
            for (size_t i = 0; i < live.size(); i += 3) {
                ASSERT_EQ(PG_OK, pg_pending_resolve(&m_table, live[i], A, PG_SRC_CLIENT, nullptr));
                live[i] = 0;
            }
            std::vector<uint64_t> keep;
            for (uint64_t id : live) {
                if (id != 0) {
                    keep.push_back(id);
                }
            }
            live = keep;
        }
        for (uint64_t id : live) {
            ASSERT_NE(nullptr, pg_pending_find(&m_table, id)) << id;
        }
        ASSERT_EQ(live.size(), m_table.used);
    }
}
