// PolicyDirTest.cpp - procguardd's policy directory reader (PolicyDir.h):
// which files count, in which order, and that its thread reports a change
// once a burst of writes is over, a directory created later, and a reload
// asked for - each within a bounded time.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

#include "PolicyDir.h"

namespace
{

class PolicyDirTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/pg-policydir-XXXXXX";
        ASSERT_NE(nullptr, mkdtemp(tmpl));
        m_root = tmpl;
        m_dir = m_root + "/policy.d";
    }
    void TearDown() override { std::system(("rm -rf '" + m_root + "'").c_str()); }

    void write(const std::string &name, const std::string &text)
    {
        std::ofstream f(m_dir + "/" + name);
        f << text;
    }

    // Waits (bounded) for the reader's notification and takes the snapshot.
    std::optional<PolicyDir::Snapshot> next(PolicyDir &d, int timeoutMs = 5000)
    {
        struct pollfd p;
        p.fd = d.notifyFd();
        p.events = POLLIN;
        p.revents = 0;
        if (::poll(&p, 1, timeoutMs) != 1)
            return std::nullopt;
        return d.take();
    }

    std::string m_root;
    std::string m_dir;
};

} // namespace

TEST_F(PolicyDirTest, OnlyJsonFilesNotHiddenInNameOrder)
{
    ASSERT_EQ(0, ::mkdir(m_dir.c_str(), 0755));
    write("50-santa.json", "{}");
    write("10-school.json", "{}");
    write(".20-hidden.json", "{}");
    write("30-notes.txt", "x");
    write("40-editor.json~", "x");
    ASSERT_EQ(0, ::mkdir((m_dir + "/60-dir.json").c_str(), 0755));
    const PolicyDir::Snapshot s = PolicyDir(m_dir).readNow();
    EXPECT_TRUE(s.dirExists);
    ASSERT_EQ(2u, s.files.size());
    EXPECT_EQ("10-school.json", s.files[0].name);
    EXPECT_EQ(m_dir + "/10-school.json", s.files[0].path);
    EXPECT_EQ("50-santa.json", s.files[1].name);
    EXPECT_TRUE(s.files[1].readOk);
    EXPECT_EQ("{}", s.files[1].text);
}

TEST_F(PolicyDirTest, MissingDirectoryIsNoFiles)
{
    const PolicyDir::Snapshot s = PolicyDir(m_dir).readNow();
    EXPECT_FALSE(s.dirExists);
    EXPECT_TRUE(s.files.empty());
}

TEST_F(PolicyDirTest, FileOverTheLimitIsAnErrorForThatFile)
{
    ASSERT_EQ(0, ::mkdir(m_dir.c_str(), 0755));
    write("10-big.json", std::string(PolicyDir::kMaxFileBytes + 1, ' '));
    const PolicyDir::Snapshot s = PolicyDir(m_dir).readNow();
    ASSERT_EQ(1u, s.files.size());
    EXPECT_FALSE(s.files[0].readOk);
    EXPECT_NE(std::string::npos, s.files[0].error.find("10-big.json: larger than 4 MiB"))
        << s.files[0].error;
}

TEST_F(PolicyDirTest, ABurstOfWritesIsReportedOnceAfterItEnds)
{
    ASSERT_EQ(0, ::mkdir(m_dir.c_str(), 0755));
    PolicyDir d(m_dir);
    std::string error;
    ASSERT_TRUE(d.start(&error)) << error;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i)
        write("1" + std::to_string(i) + ".json", "{}");
    const auto snap = next(d);
    ASSERT_TRUE(snap.has_value()) << "no report within 5 s";
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    EXPECT_GE(ms, PolicyDir::kDebounceMs - 20);
    EXPECT_LT(ms, PolicyDir::kBurstMaxMs + 1000);
    EXPECT_EQ(5u, snap->files.size());
    EXPECT_FALSE(next(d, 600).has_value()) << "one report for one burst";
    d.stop();
}

TEST_F(PolicyDirTest, DirectoryCreatedLaterAndReloadRequestsAreReported)
{
    PolicyDir d(m_dir);
    std::string error;
    ASSERT_TRUE(d.start(&error)) << error;
    ASSERT_EQ(0, ::mkdir(m_dir.c_str(), 0755));
    write("10-a.json", "{}");
    auto snap = next(d, PolicyDir::kMissingRetryMs + 3000);
    ASSERT_TRUE(snap.has_value());
    // The first report may come before the file is written: wait for it.
    while (snap && snap->files.empty())
        snap = next(d, 3000);
    ASSERT_TRUE(snap.has_value());
    EXPECT_TRUE(snap->dirExists);
    EXPECT_EQ(1u, snap->files.size());

    d.requestReload();
    snap = next(d, 1000);
    ASSERT_TRUE(snap.has_value()) << "a reload asked for is read at once";
    EXPECT_EQ(1u, snap->files.size());
    d.stop();
}
