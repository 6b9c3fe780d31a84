// SentryTest.cpp - lockdown holds while procguardd is down: procguard-sentry
// keeps procguardd's fanotify group and answers it until procguardd is
// back; a clean stop hands the machine back. Each test has its own daemon
// and sentry, gating only its own private tmpfs.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "Harness.h"
#include "UnixSocketTransport.h"

using namespace pgtest;
using pg::Verdict;

namespace
{

using Clock = std::chrono::steady_clock;
constexpr uid_t kNobody = 65534;

// Result of starting a program as some user, straight from this process.
struct UserRun {
    int execError = -1; // errno of execv in the child, 0 when it ran
    int status = -1;    // wait status when it ran
    bool hung = false;  // still not back after the timeout (killed)
};

// fork, become uid (and its group, no supplementary groups), execv path.
UserRun runAs(uid_t uid, const std::string &path, Ms timeout = Ms{10000})
{
    UserRun r;
    int pipeFds[2];
    if (pipe2(pipeFds, O_CLOEXEC) != 0)
        return r;
    const pid_t pid = fork();
    if (pid == 0) {
        int err = 0;
        if (setgroups(0, nullptr) != 0 || setgid(uid) != 0 || setuid(uid) != 0)
            err = errno;
        if (err == 0) {
            char *argv[] = {const_cast<char *>(path.c_str()), nullptr};
            execv(path.c_str(), argv);
            err = errno;
        }
        ssize_t ignored = write(pipeFds[1], &err, sizeof err);
        (void)ignored;
        _exit(127);
    }
    close(pipeFds[1]);
    const auto deadline = Clock::now() + timeout;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (Clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            r.hung = true;
            close(pipeFds[0]);
            return r;
        }
        std::this_thread::sleep_for(Ms{5});
    }
    int err = 0;
    r.execError = read(pipeFds[0], &err, sizeof err) == static_cast<ssize_t>(sizeof err) ? err : 0;
    r.status = status;
    close(pipeFds[0]);
    return r;
}

bool ran(const UserRun &r)
{
    return !r.hung && r.execError == 0 && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0;
}

} // namespace

class SentryTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_EQ(geteuid(), 0u) << "the integration tests need root (fanotify, tmpfs mounts)";
        ASSERT_TRUE(m_gate.ok()) << "could not mount a private tmpfs: " << std::strerror(errno);
        m_allowed = m_gate.installProgram("allowed", "/bin/true");
        m_unlisted = m_gate.installProgram("unlisted", "/bin/true");
        {
            std::ofstream out(m_unlisted, std::ios::app | std::ios::binary);
            out << "unlisted"; // content of its own
        }
        m_socket = m_scratch.path() + "/pg.sock";
        startDaemon("daemon.log");
        installLockdown();
        ASSERT_TRUE(m_sentry.start(
            {sentryPath(), "--sentry-socket", sentrySocket(), "--log-level", "debug"}, false,
            true));
        ASSERT_TRUE(waitSentry("connected to procguardd")) << "the sentry did not connect";
    }

    void TearDown() override
    {
        if (HasFailure())
            std::cerr << "---- procguardd log ----\n" << m_daemon.log() << "----\n";
        m_sentry.kill(SIGTERM);
        m_sentry.wait(Ms{5000});
    }

    std::string sentrySocket() const { return m_scratch.path() + "/sentry.sock"; }

    void startDaemon(const std::string &log)
    {
        std::string error;
        ASSERT_TRUE(m_daemon.start({"--watch", m_gate.path(), "--socket", m_socket, "--state-dir",
                                    m_scratch.path() + "/state"},
                                   m_socket, m_scratch.path() + "/" + log, &error))
            << error;
    }

    // Lockdown, the allowed program by path; no client stays connected.
    void installLockdown()
    {
        pg::Policy p;
        p.mode = pg::Mode::Lockdown;
        p.defaultVerdict = Verdict::Block;
        p.rules = {exactRule(m_allowed, Verdict::Allow)};
        EventCollector sink;
        std::string error;
        auto link = controlWithPolicy(m_socket, p, &sink, &error, "sentry-test");
        ASSERT_TRUE(link) << error;
        link->close();
    }

    bool waitSentry(const std::string &text, Ms timeout = Ms{10000})
    {
        return m_sentry
            .waitLine([&](const std::string &l) { return l.find(text) != std::string::npos; },
                      timeout)
            .has_value();
    }

    TmpfsMount m_gate;
    ScratchDir m_scratch;
    Daemon m_daemon;
    ChildProcess m_sentry;
    std::string m_socket;
    std::string m_allowed;
    std::string m_unlisted;
};

TEST_F(SentryTest, LockdownHoldsWhileTheDaemonIsKilledAndTheNextOneTakesOver)
{
    ASSERT_EQ(EPERM, runAs(kNobody, m_unlisted).execError) << "lockdown is not in force";
    ASSERT_EQ(0, kill(m_daemon.pid(), SIGKILL));
    m_daemon.stop(SIGKILL); // reaps it
    ASSERT_TRUE(waitSentry("holding the gate in lockdown mode"));

    const UserRun unlisted = runAs(kNobody, m_unlisted);
    EXPECT_FALSE(unlisted.hung) << "the start waited with nobody to answer it";
    EXPECT_EQ(EPERM, unlisted.execError) << "an unlisted start ran while procguardd was down";
    EXPECT_TRUE(ran(runAs(kNobody, m_allowed))) << "what the policy allows must still run";
    EXPECT_TRUE(ran(runAs(0, m_unlisted))) << "root is never locked out while procguardd is down";

    // procguardd is back (as the service manager would restart it): it
    // takes over, and decides with its own rules again.
    startDaemon("daemon-2.log");
    ASSERT_TRUE(waitSentry("procguardd is back"));
    EXPECT_EQ(EPERM, runAs(kNobody, m_unlisted).execError);
    EXPECT_TRUE(ran(runAs(kNobody, m_allowed)));
    EXPECT_NE(std::string::npos, m_daemon.log().find("verdict"))
        << "the new procguardd did not decide";

    // A clean stop hands the machine back.
    EXPECT_EQ(0, m_daemon.stop(SIGTERM));
    ASSERT_TRUE(waitSentry("gate released"));
    EXPECT_TRUE(ran(runAs(kNobody, m_unlisted))) << "the machine was not handed back";
}

TEST_F(SentryTest, CleanStopHandsTheMachineBackAtOnce)
{
    EXPECT_EQ(0, m_daemon.stop(SIGTERM));
    ASSERT_TRUE(waitSentry("gate released"));
    EXPECT_TRUE(ran(runAs(kNobody, m_unlisted)));
}

TEST_F(SentryTest, StartHeldWhenTheDaemonDiesIsAnsweredNotLeftWaiting)
{
    // Prompt mode with a controller that never answers, a long hold budget:
    // the launcher waits in execve() on procguardd when it is killed.
    pg::Policy p;
    p.mode = pg::Mode::Prompt;
    p.defaultVerdict = Verdict::Allow;
    p.timeoutMs = 60000;
    p.holdBudgetMs = 30000;
    EventCollector sink;
    std::string error;
    auto link = controlWithPolicy(m_socket, p, &sink, &error, "sentry-test");
    ASSERT_TRUE(link) << error;

    // From outside the controller's process tree (its descendants are
    // never held).
    Launcher launcher;
    ASSERT_TRUE(launcher.ok());
    const std::string tag = launcher.spawn(m_unlisted);
    ASSERT_TRUE(sink.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Request && e.image == m_unlisted;
    })) << "the start was not held";
    ASSERT_EQ(0, kill(m_daemon.pid(), SIGKILL));
    m_daemon.stop(SIGKILL);
    auto held = launcher.waitSpawn(tag, Ms{15000});
    link->close();
    ASSERT_TRUE(held) << "a start procguardd held when it died was never answered";
    EXPECT_EQ(EPERM, held->error) << "prompt mode's orphans are refused, not let through";
}
