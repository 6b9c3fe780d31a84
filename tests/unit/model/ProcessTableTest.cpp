// ProcessTableTest.cpp - the process table's tree and its diff notifications.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "../../support/EventBuilder.h"
#include "ProcessTable.h"

using namespace pgtest;
using pg::ProcessTable;

namespace
{

// Records notifications as text and checks the before/after counts the way
// a QAbstractItemModel does.
class RecordingListener : public pg::ProcessTableListener
{
public:
    explicit RecordingListener(const ProcessTable &table) : m_table(table) {}

    void aboutToInsert(uint64_t parent, size_t first, size_t last) override
    {
        m_before = m_table.childCount(parent);
        EXPECT_LE(first, m_before);
        if (!sorted) {
            EXPECT_EQ(first, m_before) << "inserts append in insertion order";
        }
        log("ins?", parent, first, last);
    }
    void inserted(uint64_t parent, size_t first, size_t last) override
    {
        EXPECT_EQ(m_table.childCount(parent), m_before + (last - first + 1));
        log("ins", parent, first, last);
    }
    void aboutToRemove(uint64_t parent, size_t first, size_t last) override
    {
        m_before = m_table.childCount(parent);
        EXPECT_LT(last, m_before);
        log("rm?", parent, first, last);
    }
    void removed(uint64_t parent, size_t first, size_t last) override
    {
        EXPECT_EQ(m_table.childCount(parent), m_before - (last - first + 1));
        log("rm", parent, first, last);
    }
    void aboutToMove(uint64_t parent, size_t from, size_t dest) override
    {
        EXPECT_LT(from, m_table.childCount(parent));
        EXPECT_LE(dest, m_table.childCount(parent));
        EXPECT_TRUE(dest < from || dest > from + 1);
        log("mv?", parent, from, dest);
    }
    void moved(uint64_t parent, size_t from, size_t dest) override
    {
        log("mv", parent, from, dest);
    }
    void changed(const std::vector<Change> &changes) override
    {
        for (const Change &c : changes) {
            std::ostringstream s;
            s << "chg " << c.key << " " << c.fields;
            calls.push_back(s.str());
        }
    }
    void aboutToReset() override { calls.push_back("reset?"); }
    void reset() override { calls.push_back("reset"); }

    std::vector<std::string> calls;
    bool sorted = false;

private:
    void log(const char *what, uint64_t parent, size_t first, size_t last)
    {
        std::ostringstream s;
        s << what << " " << parent << " " << first << "-" << last;
        calls.push_back(s.str());
    }
    const ProcessTable &m_table;
    size_t m_before = 0;
};

class ProcessTableTest : public ::testing::Test
{
protected:
    ProcessTableTest() : listener(table) { table.setListener(&listener); }

    ProcessTable table;
    RecordingListener listener;
};

} // namespace

TEST_F(ProcessTableTest, ChildIsInsertedUnderLiveParent)
{
    table.apply({startEvent(1, 0, "/sbin/init")});
    table.apply({startEvent(10, 1, "/bin/bash")});
    const uint64_t init = table.findLive(1);
    const uint64_t bash = table.findLive(10);
    ASSERT_NE(init, 0u);
    ASSERT_NE(bash, 0u);
    EXPECT_EQ(table.find(bash)->parentKey, init);
    EXPECT_EQ(table.find(bash)->name, "bash");
    EXPECT_EQ(table.childCount(init), 1u);
    EXPECT_EQ(table.childAt(init, 0), bash);
    EXPECT_EQ(listener.calls.back(), "ins " + std::to_string(init) + " 0-0");
}

TEST_F(ProcessTableTest, BatchInsertsOneRangePerParent)
{
    table.apply({startEvent(1, 0, "/sbin/init")});
    listener.calls.clear();
    std::vector<pg::Event> batch;
    for (uint32_t pid = 100; pid < 150; ++pid)
        batch.push_back(startEvent(pid, 1, "/bin/sleep"));
    table.apply(batch);
    ASSERT_EQ(listener.calls.size(), 2u);
    EXPECT_EQ(listener.calls[0], "ins? 1 0-49");
    EXPECT_EQ(listener.calls[1], "ins 1 0-49");
}

TEST_F(ProcessTableTest, NewSubtreeIsAnnouncedAtItsTopOnly)
{
    table.apply({startEvent(1, 0, "/sbin/init")});
    listener.calls.clear();
    table.apply({startEvent(10, 1, "/bin/bash"), startEvent(11, 10, "/bin/ls"),
                 startEvent(12, 11, "/bin/cat")});
    ASSERT_EQ(listener.calls.size(), 2u);
    EXPECT_EQ(listener.calls[1], "ins 1 0-0");
    const uint64_t bash = table.findLive(10);
    EXPECT_EQ(table.childCount(bash), 1u);
    EXPECT_EQ(table.childCount(table.findLive(11)), 1u);
}

TEST_F(ProcessTableTest, ExecReportsOnlyTheFieldsThatChanged)
{
    table.apply({startEvent(10, 0, "/bin/bash")});
    listener.calls.clear();
    table.apply({execEvent(10, "/usr/bin/ls", "ls -l")});
    const uint64_t key = table.findLive(10);
    ASSERT_EQ(listener.calls.size(), 1u);
    EXPECT_EQ(listener.calls[0],
              "chg " + std::to_string(key) + " " +
                  std::to_string(pg::FieldImage | pg::FieldName | pg::FieldCmdline));
    EXPECT_EQ(table.find(key)->name, "ls");
}

TEST_F(ProcessTableTest, ChangesInOneBatchAreCoalescedPerEntry)
{
    table.apply({startEvent(10, 0, "/bin/bash")});
    listener.calls.clear();
    table.apply({execEvent(10, "/bin/a", "/bin/bash"), execEvent(10, "/bin/a", "a x"),
                 exitEvent(10, 5000)});
    ASSERT_EQ(listener.calls.size(), 1u);
    const uint32_t mask = pg::FieldImage | pg::FieldName | pg::FieldCmdline | pg::FieldState;
    EXPECT_EQ(listener.calls[0],
              "chg " + std::to_string(table.childAt(0, 0)) + " " + std::to_string(mask));
}

TEST_F(ProcessTableTest, EntryCreatedInBatchIsNotReportedAsChanged)
{
    table.apply({startEvent(10, 0, "/bin/bash"), execEvent(10, "/bin/ls", "ls")});
    ASSERT_EQ(listener.calls.size(), 2u);
    EXPECT_EQ(listener.calls[1], "ins 0 0-0");
}

TEST_F(ProcessTableTest, ExitMarksEntryAndKeepsItUntilPurged)
{
    table.apply({startEvent(10, 0, "/bin/bash")});
    const uint64_t key = table.findLive(10);
    table.apply({exitEvent(10, 5000, 3)});
    ASSERT_NE(table.find(key), nullptr);
    EXPECT_TRUE(table.find(key)->exited());
    EXPECT_EQ(table.find(key)->exitStatus, 3u);
    EXPECT_EQ(table.findLive(10), 0u);
    EXPECT_EQ(table.purgeExited(4999), 0u);
    EXPECT_EQ(table.purgeExited(5000), 1u);
    EXPECT_EQ(table.find(key), nullptr);
    EXPECT_EQ(table.childCount(0), 0u);
}

TEST_F(ProcessTableTest, PurgeRemovesAdjacentRowsAsOneRangeHighestFirst)
{
    std::vector<pg::Event> starts{startEvent(1, 0, "/sbin/init")};
    for (uint32_t pid = 100; pid < 110; ++pid)
        starts.push_back(startEvent(pid, 1, "/bin/sleep"));
    table.apply(starts);
    // Rows 0-2 and 5-8 exit.
    std::vector<pg::Event> exits;
    for (uint32_t pid : {100u, 101u, 102u, 105u, 106u, 107u, 108u})
        exits.push_back(exitEvent(pid, 5000));
    table.apply(exits);
    listener.calls.clear();
    EXPECT_EQ(table.purgeExited(10000), 7u);
    const std::string init = std::to_string(table.findLive(1));
    const std::vector<std::string> expected{"rm? " + init + " 5-8", "rm " + init + " 5-8",
                                            "rm? " + init + " 0-2", "rm " + init + " 0-2"};
    EXPECT_EQ(listener.calls, expected);
    ASSERT_EQ(table.childCount(table.findLive(1)), 3u);
    for (size_t row = 0; row < 3; ++row)
        EXPECT_EQ(table.rowOf(table.childAt(table.findLive(1), row)), row);
}

TEST_F(ProcessTableTest, ExitedParentWithLiveChildIsKept)
{
    table.apply({startEvent(10, 0, "/bin/sh"), startEvent(11, 10, "/usr/sbin/daemon")});
    table.apply({exitEvent(10, 5000)});
    EXPECT_EQ(table.purgeExited(10000), 0u);
    table.apply({exitEvent(11, 6000)});
    EXPECT_EQ(table.purgeExited(10000), 2u);
    EXPECT_EQ(table.size(), 0u);
}

TEST_F(ProcessTableTest, ReusedPidStartsANewEntryAndEndsTheOld)
{
    table.apply({startEvent(10, 0, "/bin/a", 1000)});
    const uint64_t first = table.findLive(10);
    table.apply({startEvent(10, 0, "/bin/b", 2000)});
    const uint64_t second = table.findLive(10);
    EXPECT_NE(first, second);
    EXPECT_TRUE(table.find(first)->exited());
    EXPECT_EQ(table.find(second)->name, "b");
}

TEST_F(ProcessTableTest, BlockedAttemptIsAChildOfTheProcessThatTried)
{
    table.apply({startEvent(10, 1, "/bin/bash"), startEvent(20, 10, "/bin/bash")});
    const uint64_t tryer = table.findLive(20);
    table.apply({requestEvent(7, 20, 10, "/tmp/evil")});
    ASSERT_EQ(table.childCount(tryer), 1u);
    const uint64_t attempt = table.childAt(tryer, 0);
    EXPECT_EQ(table.findHold(7), attempt);
    EXPECT_TRUE(table.find(attempt)->isAttempt());
    EXPECT_TRUE(table.find(attempt)->pending);
    listener.calls.clear();
    table.apply({verdictEvent(7, 20, 10, "/tmp/evil", pg::Verdict::Block)});
    const pg::ProcessEntry *e = table.find(attempt);
    ASSERT_NE(e, nullptr);
    EXPECT_FALSE(e->pending);
    EXPECT_EQ(e->verdict, pg::Verdict::Block);
    EXPECT_EQ(e->source, pg::Source::Client);
    EXPECT_EQ(listener.calls.size(), 1u);
    // A blocked attempt ages out like an exited process.
    EXPECT_TRUE(e->exited());
}

TEST_F(ProcessTableTest, StartWaitingForItsDigestIsAPendingAttemptUntilAPersonIsAsked)
{
    table.apply({startEvent(20, 0, "/bin/bash")});
    const uint64_t tryer = table.findLive(20);
    pg::Event wait = requestEvent(9, 20, 0, "/opt/big-game");
    wait.kind = pg::EventKind::Wait;
    wait.flags = PG_EVF_DIGEST_WAIT;
    table.apply({wait});
    const uint64_t attempt = table.findHold(9);
    ASSERT_NE(attempt, 0u);
    EXPECT_EQ(table.childAt(tryer, 0), attempt);
    EXPECT_TRUE(table.find(attempt)->pending);
    EXPECT_EQ(table.find(attempt)->flags, PG_EVF_DIGEST_WAIT);
    // The digest is in and no rule decides: the same hold now waits for a
    // person, on the same row.
    listener.calls.clear();
    pg::Event ask = requestEvent(9, 20, 0, "/opt/big-game");
    ask.flags = PG_EVF_HELD;
    table.apply({ask});
    EXPECT_EQ(table.findHold(9), attempt);
    EXPECT_EQ(table.childCount(tryer), 1u);
    EXPECT_EQ(table.find(attempt)->flags, PG_EVF_HELD);
    EXPECT_EQ(listener.calls.size(), 1u) << "the row's state changed in place";
    table.apply({verdictEvent(9, 20, 0, "/opt/big-game", pg::Verdict::Allow)});
    EXPECT_EQ(table.findHold(9), 0u);
    EXPECT_EQ(table.childCount(tryer), 0u);
}

TEST_F(ProcessTableTest, AllowedAttemptDisappearsAndVerdictMovesToTheProcess)
{
    table.apply({startEvent(20, 0, "/bin/bash")});
    const uint64_t proc = table.findLive(20);
    table.apply({requestEvent(7, 20, 0, "/tmp/tool")});
    listener.calls.clear();
    table.apply({verdictEvent(7, 20, 0, "/tmp/tool", pg::Verdict::Allow, pg::Source::Rule),
                 execEvent(20, "/tmp/tool", "tool")});
    EXPECT_EQ(table.childCount(proc), 0u);
    EXPECT_EQ(table.findHold(7), 0u);
    EXPECT_EQ(table.find(proc)->verdict, pg::Verdict::Allow);
    EXPECT_EQ(table.find(proc)->source, pg::Source::Rule);
    const std::string k = std::to_string(proc);
    EXPECT_EQ(listener.calls.front(), "rm? " + k + " 0-0");
}

TEST_F(ProcessTableTest, RuleBlockWithoutHoldAddsADecidedAttempt)
{
    table.apply({startEvent(20, 0, "/bin/bash")});
    table.apply({verdictEvent(0, 20, 0, "/tmp/x", pg::Verdict::Block, pg::Source::Mode)});
    ASSERT_EQ(table.childCount(table.findLive(20)), 1u);
    const pg::ProcessEntry *e = table.find(table.childAt(table.findLive(20), 0));
    EXPECT_TRUE(e->isAttempt());
    EXPECT_EQ(e->source, pg::Source::Mode);
}

TEST_F(ProcessTableTest, RequestAndAllowInOneBatchLeaveNoTrace)
{
    table.apply({startEvent(20, 0, "/bin/bash")});
    listener.calls.clear();
    table.apply(
        {requestEvent(9, 20, 0, "/tmp/t"), verdictEvent(9, 20, 0, "/tmp/t", pg::Verdict::Allow)});
    EXPECT_EQ(table.childCount(table.findLive(20)), 0u);
    ASSERT_EQ(listener.calls.size(), 1u);
    EXPECT_EQ(listener.calls[0].rfind("chg", 0), 0u);
}

TEST_F(ProcessTableTest, ClearResetsEverything)
{
    table.apply({startEvent(1, 0, "/sbin/init"), startEvent(2, 1, "/bin/x")});
    table.clear();
    EXPECT_EQ(listener.calls.back(), "reset");
    EXPECT_EQ(table.size(), 0u);
    EXPECT_EQ(table.childCount(0), 0u);
    table.apply({startEvent(3, 0, "/bin/y")});
    EXPECT_EQ(table.childCount(0), 1u);
}

TEST_F(ProcessTableTest, OrphanOfUnknownParentIsTopLevel)
{
    table.apply({startEvent(50, 49, "/bin/x")});
    EXPECT_EQ(table.find(table.findLive(50))->parentKey, 0u);
}

namespace
{

std::vector<uint32_t> childPids(const ProcessTable &table, uint64_t parent)
{
    std::vector<uint32_t> pids;
    for (size_t r = 0; r < table.childCount(parent); ++r) {
        pids.push_back(table.find(table.childAt(parent, r))->pid);
        EXPECT_EQ(table.rowOf(table.childAt(parent, r)), r);
    }
    return pids;
}

bool byName(const pg::ProcessEntry &a, const pg::ProcessEntry &b)
{
    return a.name.str() < b.name.str();
}

} // namespace

TEST_F(ProcessTableTest, SetOrderSortsEverySiblingListAndTiesKeepInsertionOrder)
{
    table.apply({startEvent(1, 0, "/sbin/init"), startEvent(30, 1, "/bin/c"),
                 startEvent(10, 1, "/bin/a"), startEvent(20, 1, "/bin/b"),
                 startEvent(40, 1, "/bin/a"), startEvent(11, 10, "/bin/z"),
                 startEvent(12, 10, "/bin/y")});
    listener.calls.clear();
    table.setOrder(byName, pg::FieldName);
    EXPECT_TRUE(listener.calls.empty()) << "the caller wraps a sort in one layout change";
    const uint64_t init = table.findLive(1);
    EXPECT_EQ(childPids(table, init), (std::vector<uint32_t>{10, 40, 20, 30}));
    EXPECT_EQ(childPids(table, table.findLive(10)), (std::vector<uint32_t>{12, 11}));
    table.setOrder(nullptr, 0);
    EXPECT_EQ(childPids(table, init), (std::vector<uint32_t>{30, 10, 20, 40}));
}

TEST_F(ProcessTableTest, NewRowsGoToTheirSortedPlaceOneInsertionPerRunHighestFirst)
{
    listener.sorted = true;
    table.setOrder(byName, pg::FieldName);
    table.apply({startEvent(1, 0, "/sbin/init"), startEvent(10, 1, "/bin/b"),
                 startEvent(20, 1, "/bin/d"), startEvent(30, 1, "/bin/f")});
    listener.calls.clear();
    table.apply({startEvent(41, 1, "/bin/e"), startEvent(42, 1, "/bin/a"),
                 startEvent(43, 1, "/bin/g"), startEvent(44, 1, "/bin/e2"),
                 startEvent(45, 1, "/bin/h")});
    const std::string init = std::to_string(table.findLive(1));
    // b d f -> a b d e e2 f g h: runs at old rows 3 (g h), 2 (e e2), 0 (a).
    const std::vector<std::string> expected{"ins? " + init + " 3-4", "ins " + init + " 3-4",
                                            "ins? " + init + " 2-3", "ins " + init + " 2-3",
                                            "ins? " + init + " 0-0", "ins " + init + " 0-0"};
    EXPECT_EQ(listener.calls, expected);
    EXPECT_EQ(childPids(table, table.findLive(1)),
              (std::vector<uint32_t>{42, 10, 20, 41, 44, 30, 43, 45}));
}

TEST_F(ProcessTableTest, ChangeOfTheSortedFieldMovesTheRow)
{
    listener.sorted = true;
    table.setOrder(byName, pg::FieldName);
    table.apply({startEvent(1, 0, "/sbin/init"), startEvent(10, 1, "/bin/b"),
                 startEvent(20, 1, "/bin/d"), startEvent(30, 1, "/bin/f")});
    listener.calls.clear();
    table.apply({execEvent(10, "/bin/e", "e")});
    const std::string init = std::to_string(table.findLive(1));
    ASSERT_GE(listener.calls.size(), 2u);
    EXPECT_EQ(listener.calls[0], "mv? " + init + " 0-2"); // before old row 2 (f)
    EXPECT_EQ(childPids(table, table.findLive(1)), (std::vector<uint32_t>{20, 10, 30}));
    listener.calls.clear();
    table.apply({execEvent(30, "/bin/a", "a")});
    EXPECT_EQ(listener.calls[0], "mv? " + init + " 2-0");
    EXPECT_EQ(childPids(table, table.findLive(1)), (std::vector<uint32_t>{30, 20, 10}));
    listener.calls.clear();
    table.apply({execEvent(20, "/bin/c", "c")}); // still between a and e: no move
    ASSERT_EQ(listener.calls.size(), 1u);
    EXPECT_EQ(listener.calls[0].rfind("chg", 0), 0u);
}

TEST_F(ProcessTableTest, PurgeLooksOnlyAtExpiredEntriesAndTakesAWaitingParentWithItsLastChild)
{
    table.apply({startEvent(1, 0, "/sbin/init"), startEvent(10, 1, "/bin/sh"),
                 startEvent(11, 10, "/bin/job"), startEvent(12, 1, "/bin/x")});
    table.apply({exitEvent(10, 1000)});
    EXPECT_EQ(table.purgeExited(2000), 0u); // sh waits for its live child
    table.apply({exitEvent(12, 3000), exitEvent(11, 5000)});
    EXPECT_EQ(table.purgeExited(4000), 1u); // x only
    listener.calls.clear();
    EXPECT_EQ(table.purgeExited(6000), 2u); // job, and sh with it, in one removal
    const std::string init = std::to_string(table.findLive(1));
    const std::vector<std::string> expected{"rm? " + init + " 0-0", "rm " + init + " 0-0"};
    EXPECT_EQ(listener.calls, expected);
    EXPECT_EQ(table.size(), 1u);
}

TEST_F(ProcessTableTest, RepeatedPathsAreStoredOnce)
{
    table.apply({startEvent(10, 0, "/usr/bin/worker"), startEvent(11, 0, "/usr/bin/worker")});
    const pg::ProcessEntry *a = table.find(table.findLive(10));
    const pg::ProcessEntry *b = table.find(table.findLive(11));
    EXPECT_EQ(&a->image.str(), &b->image.str());
    EXPECT_EQ(&a->name.str(), &b->name.str());
    EXPECT_EQ(a->image, "/usr/bin/worker");
}

TEST(BaseName, SplitsOnBothSeparators)
{
    EXPECT_EQ(pg::baseName("/usr/bin/ls"), "ls");
    EXPECT_EQ(pg::baseName("C:\\Windows\\notepad.exe"), "notepad.exe");
    EXPECT_EQ(pg::baseName("plain"), "plain");
}
