// JournalTest.cpp - the SQLite journal: what it records, retention, WAL,
// durability across a reopen, filters and CSV export.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "../../support/EventBuilder.h"
#include "Journal.h"

using namespace pgtest;

namespace
{

class JournalTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/pg-journal-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        path = dir + "/journal.db";
    }
    void TearDown() override
    {
        journal.close();
        for (const char *suffix : {"", "-wal", "-shm"})
            unlink((path + suffix).c_str());
        unlink((dir + "/out.csv").c_str());
        rmdir(dir.c_str());
    }
    void openJournal(pg::JournalRetention retention = {})
    {
        std::string error;
        ASSERT_TRUE(journal.open(path, retention, &error)) << error;
    }

    std::string dir;
    std::string path;
    pg::Journal journal;
};

} // namespace

TEST_F(JournalTest, OpensInWalMode)
{
    openJournal();
    EXPECT_EQ(journal.journalMode(), "wal");
}

TEST_F(JournalTest, RecordsStartsExitsAndVerdictsWithWhoDecided)
{
    openJournal();
    auto verdict = verdictEvent(5, 20, 1, "/tmp/x", pg::Verdict::Block, pg::Source::Rule);
    verdict.ruleId = 3;
    ASSERT_TRUE(journal.append({startEvent(20, 1, "/bin/sh"), verdict, exitEvent(20, 3000, 1)}));
    const auto all = journal.query({});
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].kind, pg::EventKind::Exit); // newest first
    EXPECT_EQ(all[1].verdict, pg::Verdict::Block);
    EXPECT_EQ(all[1].decidedBy, "rule 3");
    EXPECT_EQ(all[1].holdId, 5u);
    EXPECT_EQ(all[2].image, "/bin/sh");
}

TEST_F(JournalTest, SkipsSnapshotRecords)
{
    openJournal();
    auto snap = startEvent(1, 0, "/sbin/init");
    snap.flags = PG_EVF_SNAPSHOT;
    ASSERT_TRUE(journal.append({snap}));
    EXPECT_EQ(journal.count(), 0u);
}

TEST_F(JournalTest, CommittedEntriesSurviveReopen)
{
    openJournal();
    ASSERT_TRUE(journal.append({startEvent(20, 1, "/bin/sh")}));
    // No close: a crash leaves the WAL behind; a second connection must see it.
    pg::Journal other;
    std::string error;
    ASSERT_TRUE(other.open(path, {}, &error)) << error;
    EXPECT_EQ(other.count(), 1u);
}

TEST_F(JournalTest, RetentionKeepsTheNewestEntries)
{
    pg::JournalRetention retention;
    retention.maxEntries = 10;
    openJournal(retention);
    std::vector<pg::Event> batch;
    for (uint32_t i = 0; i < 25; ++i)
        batch.push_back(startEvent(100 + i, 1, "/bin/x", 1000 + i));
    ASSERT_TRUE(journal.append(batch));
    EXPECT_EQ(journal.prune(2000), 15u);
    const auto left = journal.query({});
    ASSERT_EQ(left.size(), 10u);
    EXPECT_EQ(left.front().pid, 124u);
    EXPECT_EQ(left.back().pid, 115u);
}

TEST_F(JournalTest, RetentionDropsEntriesOlderThanMaxAge)
{
    pg::JournalRetention retention;
    retention.maxAgeNs = 1000;
    openJournal(retention);
    ASSERT_TRUE(journal.append({startEvent(1, 0, "/a", 500), startEvent(2, 0, "/b", 5000)}));
    EXPECT_EQ(journal.prune(5500), 1u);
    EXPECT_EQ(journal.query({}).front().pid, 2u);
}

TEST_F(JournalTest, FiltersByVerdictProgramAndTime)
{
    openJournal();
    ASSERT_TRUE(journal.append({
        verdictEvent(1, 10, 1, "/usr/bin/good", pg::Verdict::Allow, pg::Source::Client, 1000),
        verdictEvent(2, 11, 1, "/tmp/bad", pg::Verdict::Block, pg::Source::Client, 2000),
        verdictEvent(3, 12, 1, "/tmp/worse", pg::Verdict::Block, pg::Source::Timeout, 3000),
        startEvent(13, 1, "/tmp/bad", 4000),
    }));
    pg::JournalFilter blocked;
    blocked.verdict = pg::Verdict::Block;
    EXPECT_EQ(journal.query(blocked).size(), 2u);
    pg::JournalFilter program;
    program.program = "bad";
    EXPECT_EQ(journal.query(program).size(), 2u);
    pg::JournalFilter window;
    window.fromNs = 1500;
    window.toNs = 3500;
    EXPECT_EQ(journal.query(window).size(), 2u);
}

TEST_F(JournalTest, ExportsCsvWithQuoting)
{
    openJournal();
    auto start = startEvent(20, 1, "/bin/sh");
    start.cmdline = "sh -c \"echo a, b\"";
    ASSERT_TRUE(journal.append({start}));
    std::string error;
    ASSERT_TRUE(journal.exportCsv(dir + "/out.csv", {}, &error)) << error;
    std::ifstream in(dir + "/out.csv");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string csv = ss.str();
    EXPECT_EQ(csv.rfind(pg::Journal::csvHeader() + "\r\n", 0), 0u);
    EXPECT_NE(csv.find("\"sh -c \"\"echo a, b\"\"\""), std::string::npos);
}

TEST_F(JournalTest, OpenFailureExplainsItself)
{
    std::string error;
    pg::Journal j;
    EXPECT_FALSE(j.open("/nonexistent-dir/x/journal.db", {}, &error));
    EXPECT_FALSE(error.empty());
}
