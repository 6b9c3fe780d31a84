// EventSpoolTest.cpp - the bounded, persistent event spool (EventSpool.h),
// on a real scratch folder (it locks with flock, which a fake cannot show).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <unistd.h>

#include "EventSpool.h"

using namespace pg::sync;

namespace
{

class EventSpoolTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/pg-spool-test.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        m_dir = tmpl;
    }
    void TearDown() override { std::system(("rm -rf " + m_dir).c_str()); }
    std::string path() const { return m_dir + "/events.jsonl"; }

    static UploadEvent event(uint32_t pid)
    {
        UploadEvent e;
        e.decision = "BLOCK_BINARY";
        e.fileName = "tool" + std::to_string(pid);
        e.pid = pid;
        return e;
    }

    std::string m_dir;
};

} // namespace

TEST_F(EventSpoolTest, EventsSurviveAndLeaveOnlyWhenDropped)
{
    std::string error;
    {
        EventSpool spool(path(), 100);
        ASSERT_TRUE(spool.append({event(1), event(2), event(3)}, &error)) << error;
    }
    EventSpool again(path(), 100); // a restart
    std::vector<UploadEvent> got;
    ASSERT_TRUE(again.peek(2, &got, &error)) << error;
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].pid, 1u);
    EXPECT_EQ(got[1].pid, 2u);
    ASSERT_TRUE(again.append({event(4)}, &error));
    ASSERT_TRUE(again.dropFirst(2, &error)) << error;
    ASSERT_TRUE(again.peek(10, &got, &error));
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].pid, 3u);
    EXPECT_EQ(got[1].pid, 4u);
}

TEST_F(EventSpoolTest, FullSpoolRefusesAndCountsWhatItCouldNotKeep)
{
    std::string error;
    EventSpool spool(path(), 3);
    ASSERT_TRUE(spool.append({event(1), event(2)}, &error));
    ASSERT_TRUE(spool.append({event(3), event(4), event(5)}, &error));
    EXPECT_EQ(spool.size(), 3u);
    EXPECT_EQ(spool.takeDropped(), 2u);
    EXPECT_EQ(spool.takeDropped(), 0u);
    std::vector<UploadEvent> got;
    ASSERT_TRUE(spool.peek(10, &got, &error));
    EXPECT_EQ(got.back().pid, 3u); // the oldest are kept
}

TEST_F(EventSpoolTest, TornLineIsSkippedButStillCountedAsALine)
{
    {
        std::ofstream f(path());
        f << R"({"decision":"BLOCK_BINARY","pid":1})"
          << "\n"
          << R"({"decision":"BLO)";
    }
    EventSpool spool(path(), 10);
    std::vector<UploadEvent> got;
    std::string error;
    ASSERT_TRUE(spool.peek(10, &got, &error)) << error;
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].pid, 1u);
    EXPECT_TRUE(got[1].decision.empty());
    EXPECT_EQ(spool.damaged(), 1u);
    ASSERT_TRUE(spool.dropFirst(2, &error));
    EXPECT_EQ(spool.size(), 0u);
}

TEST_F(EventSpoolTest, UnwritableFolderIsAnErrorSentence)
{
    EventSpool spool("/nonexistent/folder/events.jsonl", 10);
    std::string error;
    EXPECT_FALSE(spool.append({event(1)}, &error));
    EXPECT_NE(error.find("/nonexistent/folder/events.jsonl"), std::string::npos) << error;
}

TEST_F(EventSpoolTest, AppendAfterATornLineStartsOnALineOfItsOwn)
{
    {
        std::ofstream f(path());
        f << R"({"decision":"BLO)";
    }
    EventSpool spool(path(), 10);
    std::string error;
    ASSERT_TRUE(spool.append({event(7)}, &error)) << error;
    std::vector<UploadEvent> got;
    ASSERT_TRUE(spool.peek(10, &got, &error));
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[1].pid, 7u);
}
