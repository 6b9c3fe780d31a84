// LearnTest.cpp - learning mode on a real kernel: `procguardctl learn
// --apply` watches a few programs start in monitor mode, proposes rules
// for them (one folder rule, one exact rule) and switches to lockdown,
// which then allows the learned programs and blocks a new one. Its own
// daemon gates only its own private tmpfs (DESIGN.md §6).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "Harness.h"
#include "UnixSocketTransport.h"

using namespace pgtest;

class LearnTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_EQ(geteuid(), 0u) << "the integration tests need root (fanotify, tmpfs mounts)";
        ASSERT_TRUE(m_gate.ok()) << "could not mount a private tmpfs: " << std::strerror(errno);
        for (const char *dir : {"/apps", "/tools", "/new"})
            ASSERT_EQ(0, mkdir((m_gate.path() + dir).c_str(), 0755));
        m_socket = m_scratch.path() + "/pg.sock";
        std::vector<std::string> args{"--watch",     m_gate.path(), "--socket",
                                      m_socket,      "--state-dir", m_scratch.path() + "/state",
                                      "--log-level", "debug"};
        std::string error;
        ASSERT_TRUE(m_daemon.start(args, m_socket, m_scratch.path() + "/daemon.log", &error))
            << error;
        ASSERT_TRUE(m_launcher.ok());
    }

    void TearDown() override
    {
        if (HasFailure())
            std::cerr << "---- procguardd log ----\n"
                      << m_daemon.log() << "------------------------\n";
    }

    // 0 = ran and exited 0; EPERM = blocked at exec.
    int run(const std::string &path)
    {
        const std::string tag = m_launcher.spawn(path);
        auto r = m_launcher.waitSpawn(tag);
        EXPECT_TRUE(r);
        if (!r)
            return -1;
        if (r->error != 0)
            return r->error;
        auto status = m_launcher.waitExit(tag);
        return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
    }

    TmpfsMount m_gate;
    ScratchDir m_scratch;
    Daemon m_daemon;
    Launcher m_launcher;
    std::string m_socket;
};

TEST_F(LearnTest, LearnedProgramsRunInLockdownAndANewOneIsBlocked)
{
    const std::string a = m_gate.installProgram("apps/a");
    const std::string b = m_gate.installProgram("apps/b");
    const std::string c = m_gate.installProgram("tools/c");
    const std::string fresh = m_gate.installProgram("new/d");
    ASSERT_FALSE(a.empty() || b.empty() || c.empty() || fresh.empty());

    ChildProcess learn;
    ASSERT_TRUE(learn.start({procguardctlPath(), "learn", "--seconds", "3", "--apply",
                             "--no-packages", "--socket", m_socket}));
    ASSERT_TRUE(learn.waitLine([](const std::string &l) {
        return l.find("Learning for 3 s") != std::string::npos;
    })) << "learn did not start";
    // Monitor mode: everything runs, and is recorded.
    EXPECT_EQ(run(a), 0);
    EXPECT_EQ(run(b), 0);
    EXPECT_EQ(run(c), 0);
    EXPECT_EQ(run(a), 0);

    std::vector<std::string> lines;
    auto done = learn.waitLine(
        [&](const std::string &l) {
            lines.push_back(l);
            return l.find("mode lockdown") != std::string::npos;
        },
        Ms{15000});
    ASSERT_TRUE(done) << "learn did not apply its rules";
    auto status = learn.wait(Ms{5000});
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
    std::string all;
    for (const auto &l : lines)
        all += l + "\n";
    EXPECT_NE(all.find("allow prefix " + m_gate.path() + "/apps/"), std::string::npos) << all;
    EXPECT_NE(all.find("allow exact " + c), std::string::npos) << all;
    EXPECT_EQ(all.find(fresh), std::string::npos) << all;

    // The policy now holds those two rules, in lockdown.
    pg::KernelLink link(std::make_unique<pg::UnixSocketTransport>(m_socket));
    pg::ConnectOptions options;
    options.control = false;
    options.clientName = "learn-test";
    pg::ConnectInfo info;
    ASSERT_FALSE(link.connect(options, &info));
    EventCollector sink;
    link.start(&sink);
    pg::Policy p;
    ASSERT_FALSE(link.getPolicy(&p));
    EXPECT_EQ(p.mode, pg::Mode::Lockdown);
    ASSERT_EQ(p.rules.size(), 2u);
    link.close();

    EXPECT_EQ(run(a), 0);
    EXPECT_EQ(run(b), 0);
    EXPECT_EQ(run(c), 0);
    EXPECT_EQ(run(fresh), EPERM) << "a program that did not run while learning is blocked";
}
