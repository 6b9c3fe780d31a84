// TimePolicyTest.cpp - rules that time decides, on a real kernel: a daily
// budget that runs out (new starts blocked by the rule, the running
// program warned and ended after its grace period), a schedule window
// that opens and closes while procguardd runs, "allow once", "for N
// seconds" and "until reboot" approvals, and budget use kept across a
// daemon restart. Each test has its own daemon gating only its own
// private tmpfs (DESIGN.md §6).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>

#include "Harness.h"
#include "UnixSocketTransport.h"

using namespace pgtest;
using pg::Verdict;

namespace
{

using Clock = std::chrono::steady_clock;

// Seconds after local midnight now, as procguardd computes it.
uint32_t localSecondOfDay(time_t at)
{
    struct tm tm;
    localtime_r(&at, &tm);
    return static_cast<uint32_t>(tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
}

uint32_t plusSeconds(uint32_t sod, int64_t delta)
{
    return static_cast<uint32_t>(((static_cast<int64_t>(sod) + delta) % 86400 + 86400) % 86400);
}

} // namespace

class TimePolicyTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_EQ(geteuid(), 0u) << "the integration tests need root (fanotify, tmpfs mounts)";
        ASSERT_TRUE(m_gate.ok()) << "could not mount a private tmpfs: " << std::strerror(errno);
        m_game = m_gate.installProgram("game", "/bin/sleep");
        m_tool = m_gate.installProgram("tool", "/bin/true");
        ASSERT_FALSE(m_game.empty());
        ASSERT_FALSE(m_tool.empty());
        m_socket = m_scratch.path() + "/pg.sock";
        m_args = {"--watch",     m_gate.path(), "--socket",
                  m_socket,      "--state-dir", m_scratch.path() + "/state",
                  "--log-level", "debug"};
        std::string error;
        ASSERT_TRUE(m_daemon.start(m_args, m_socket, m_scratch.path() + "/daemon.log", &error))
            << error;
        ASSERT_TRUE(m_launcher.ok()) << "could not start pg_launcher";
    }

    void TearDown() override
    {
        if (m_link)
            m_link->close();
        if (HasFailure())
            std::cerr << "---- procguardd log ----\n"
                      << m_daemon.log() << "------------------------\n";
    }

    // Connects as controller (events go to m_events).
    void connectController()
    {
        m_link =
            std::make_unique<pg::KernelLink>(std::make_unique<pg::UnixSocketTransport>(m_socket));
        pg::ConnectOptions options;
        options.control = true;
        options.clientName = "time-policy-test";
        pg::ConnectInfo info;
        pg::Error err = m_link->connect(options, &info);
        ASSERT_FALSE(err) << err.message;
        m_link->start(&m_events);
    }

    // Stops procguardd with SIGTERM and starts it again on the same state
    // directory (its policy file and budget use), logging to logName.
    void restartDaemon(const std::string &logName)
    {
        if (m_link) {
            m_link->close();
            m_link.reset();
        }
        ASSERT_EQ(m_daemon.stop(SIGTERM, Ms{10000}), 0) << "orderly stop";
        std::string error;
        ASSERT_TRUE(m_daemon.start(m_args, m_socket, m_scratch.path() + "/" + logName, &error))
            << error;
        ASSERT_NO_FATAL_FAILURE(connectController());
    }

    std::string budgetFile() const { return m_scratch.path() + "/state/budget-use"; }

    // Milliseconds from a start of the game until its budget warning.
    std::optional<Ms> msUntilWarned(const std::string &tag, Clock::time_point started, Ms bound)
    {
        auto spawned = m_launcher.waitSpawn(tag);
        EXPECT_TRUE(spawned);
        if (!spawned || spawned->error != 0) {
            ADD_FAILURE() << "the game is allowed while its budget lasts";
            return std::nullopt;
        }
        const auto pid = static_cast<uint32_t>(spawned->pid);
        auto warning = m_events.waitFor(
            [&](const pg::Event &e) {
                return e.kind == pg::EventKind::Verdict && (e.flags & PG_EVF_BUDGET) != 0 &&
                       (e.flags & PG_EVF_KILLED) == 0 && e.pid == pid;
            },
            bound);
        if (!warning)
            return std::nullopt;
        return std::chrono::duration_cast<Ms>(Clock::now() - started);
    }

    // Connects as controller and installs a lockdown policy.
    void install(std::vector<pg::Rule> rules)
    {
        ASSERT_NO_FATAL_FAILURE(connectController());
        pg::Error err;
        pg::Policy p;
        p.mode = pg::Mode::Lockdown;
        p.defaultVerdict = Verdict::Block;
        p.timeoutMs = 5000;
        p.holdBudgetMs = 500;
        p.rules = std::move(rules);
        err = m_link->setPolicy(p);
        ASSERT_FALSE(err) << err.message;
    }

    pg::Policy policyNow()
    {
        pg::Policy p;
        pg::Error err = m_link->getPolicy(&p);
        EXPECT_FALSE(err) << err.message;
        return p;
    }

    // 0 = started and exited 0; EPERM = blocked at exec.
    int runTool()
    {
        const std::string tag = m_launcher.spawn(m_tool);
        auto r = m_launcher.waitSpawn(tag);
        EXPECT_TRUE(r) << "posix_spawn did not return within 10 s";
        if (!r)
            return -1;
        if (r->error != 0)
            return r->error;
        auto status = m_launcher.waitExit(tag);
        EXPECT_TRUE(status);
        return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
    }

    TmpfsMount m_gate;
    ScratchDir m_scratch;
    Daemon m_daemon;
    Launcher m_launcher;
    EventCollector m_events;
    std::unique_ptr<pg::KernelLink> m_link;
    std::string m_socket;
    std::vector<std::string> m_args;
    std::string m_game;
    std::string m_tool;
};

TEST_F(TimePolicyTest, UsedUpBudgetBlocksNewStartsAndEndsTheRunningProgram)
{
    pg::Rule games = exactRule(m_game, Verdict::Allow);
    games.message = "Game time is over for today";
    games.time.budgetSeconds = 2;
    games.time.graceSeconds = 1;
    install({games});
    const uint32_t ruleId = policyNow().rules.at(0).id;

    const auto started = Clock::now();
    const std::string tag = m_launcher.spawn(m_game, {"30"});
    auto spawned = m_launcher.waitSpawn(tag);
    ASSERT_TRUE(spawned);
    ASSERT_EQ(spawned->error, 0) << "the game is allowed while its budget lasts";

    // Warned when the 2 s are used up ...
    auto warning = m_events.waitFor(
        [&](const pg::Event &e) {
            return e.kind == pg::EventKind::Verdict && (e.flags & PG_EVF_BUDGET) != 0 &&
                   (e.flags & PG_EVF_KILLED) == 0 && e.pid == static_cast<uint32_t>(spawned->pid);
        },
        Ms{8000});
    ASSERT_TRUE(warning) << "no budget warning for the running game";
    EXPECT_EQ(warning->ruleId, ruleId);
    EXPECT_EQ(warning->timeoutMs, 1000u);
    EXPECT_GE(Clock::now() - started, Ms{1500});

    // ... then ended after the 1 s grace period.
    auto status = m_launcher.waitExit(tag, Ms{8000});
    ASSERT_TRUE(status) << "the game still runs after its grace period";
    EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGTERM) << "status " << *status;
    EXPECT_TRUE(m_events.waitFor(
        [&](const pg::Event &e) {
            return e.kind == pg::EventKind::Verdict && (e.flags & PG_EVF_KILLED) != 0 &&
                   (e.flags & PG_EVF_BUDGET) != 0;
        },
        Ms{2000}));

    // A new start is blocked by the rule itself, with its message.
    const std::string again = m_launcher.spawn(m_game, {"30"});
    auto blocked = m_launcher.waitSpawn(again);
    ASSERT_TRUE(blocked);
    EXPECT_EQ(blocked->error, EPERM);
    auto verdict = m_events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Verdict && e.image == m_game &&
               e.verdict == Verdict::Block && (e.flags & PG_EVF_BUDGET) == 0;
    });
    ASSERT_TRUE(verdict);
    EXPECT_EQ(verdict->source, pg::Source::Rule);
    EXPECT_EQ(verdict->ruleId, ruleId);
    EXPECT_NE(m_daemon.log().find("message=Game time is over for today"), std::string::npos);
}

TEST_F(TimePolicyTest, ScheduleWindowOpensAndClosesWhileTheDaemonRuns)
{
    // A window from 2 s to 5 s from now (local time); lockdown blocks
    // the tool outside it.
    const time_t now = time(nullptr);
    const uint32_t sod = localSecondOfDay(now);
    pg::Rule tool = exactRule(m_tool, Verdict::Allow);
    tool.time.windows.push_back(pg::TimeWindow{plusSeconds(sod, 2), plusSeconds(sod, 5)});
    const auto t0 = Clock::now();
    install({tool});

    EXPECT_EQ(runTool(), EPERM) << "before the window";
    std::this_thread::sleep_until(t0 + Ms{3000});
    EXPECT_EQ(runTool(), 0) << "inside the window";
    EXPECT_EQ(runTool(), 0) << "inside the window, again (no stale cache either way)";
    std::this_thread::sleep_until(t0 + Ms{6000});
    EXPECT_EQ(runTool(), EPERM) << "after the window";
    EXPECT_NE(m_daemon.log().find("rules in force changed"), std::string::npos);
}

TEST_F(TimePolicyTest, AllowOnceIsUsedUpByTheFirstStart)
{
    pg::Rule once = exactRule(m_tool, Verdict::Allow);
    once.time.expiry = pg::Expiry::Once;
    install({once});
    EXPECT_EQ(runTool(), 0);
    EXPECT_EQ(runTool(), EPERM);
    EXPECT_TRUE(policyNow().rules.empty()) << "the used rule is removed from the policy";
}

TEST_F(TimePolicyTest, ApprovalForSomeSecondsEndsAndLeavesThePolicy)
{
    pg::Rule brief = exactRule(m_tool, Verdict::Allow);
    brief.time.expiry = pg::Expiry::At;
    brief.time.expiresAt = static_cast<int64_t>(time(nullptr)) + 2;
    install({brief});
    EXPECT_EQ(runTool(), 0);
    std::this_thread::sleep_for(Ms{3200});
    EXPECT_EQ(runTool(), EPERM);
    EXPECT_TRUE(policyNow().rules.empty());
}

TEST_F(TimePolicyTest, UntilRebootApprovalBelongsToThisBoot)
{
    pg::Rule thisBoot = exactRule(m_tool, Verdict::Allow);
    thisBoot.time.expiry = pg::Expiry::Reboot;
    pg::Rule lastBoot = exactRule(m_gate.path() + "/other", Verdict::Allow);
    lastBoot.time.expiry = pg::Expiry::Reboot;
    lastBoot.time.bootId.assign(PG_BOOT_ID_BYTES, 0x5a); // not this machine's boot
    install({thisBoot, lastBoot});

    const pg::Policy p = policyNow();
    ASSERT_EQ(p.rules.size(), 1u) << "a rule of another boot is dropped";
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string text;
    std::getline(in, text);
    std::string stamped;
    static const char digits[] = "0123456789abcdef";
    for (uint8_t b : p.rules[0].time.bootId) {
        stamped += digits[b >> 4];
        stamped += digits[b & 15u];
    }
    text.erase(std::remove(text.begin(), text.end(), '-'), text.end());
    EXPECT_EQ(stamped, text) << "stamped with the running boot's id";
    EXPECT_EQ(runTool(), 0);
}

TEST_F(TimePolicyTest, BudgetUseSurvivesADaemonRestart)
{
    pg::Rule games = exactRule(m_game, Verdict::Allow);
    games.time.budgetSeconds = 6;
    games.time.graceSeconds = 1;
    install({games});

    // About 4 of the 6 s are used, then the game ends by itself.
    const std::string first = m_launcher.spawn(m_game, {"4"});
    auto spawned = m_launcher.waitSpawn(first);
    ASSERT_TRUE(spawned);
    ASSERT_EQ(spawned->error, 0);
    auto status = m_launcher.waitExit(first, Ms{10000});
    ASSERT_TRUE(status);
    ASSERT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "ended early: " << *status;

    ASSERT_NO_FATAL_FAILURE(restartDaemon("daemon2.log"));
    EXPECT_NE(m_daemon.log().find("today's budget use restored from " + budgetFile()),
              std::string::npos);

    // About 2 s are left: warned well before a refilled budget's 6 s.
    const auto started = Clock::now();
    const std::string again = m_launcher.spawn(m_game, {"30"});
    auto warnedAfter = msUntilWarned(again, started, Ms{4500});
    ASSERT_TRUE(warnedAfter) << "no budget warning within 4.5 s: the restart refilled the budget";
    EXPECT_GE(warnedAfter->count(), 1000) << "more than the saved use was restored";
    auto ended = m_launcher.waitExit(again, Ms{8000});
    ASSERT_TRUE(ended) << "the game still runs after its grace period";
    EXPECT_TRUE(WIFSIGNALED(*ended) && WTERMSIG(*ended) == SIGTERM) << "status " << *ended;
}

TEST_F(TimePolicyTest, CorruptBudgetUseFileIsIgnoredWithAWarning)
{
    pg::Rule games = exactRule(m_game, Verdict::Allow);
    games.time.budgetSeconds = 3;
    games.time.graceSeconds = 1;
    install({games});
    if (m_link) {
        m_link->close();
        m_link.reset();
    }
    ASSERT_EQ(m_daemon.stop(SIGTERM, Ms{10000}), 0);
    {
        std::ofstream out(budgetFile(), std::ios::binary | std::ios::trunc);
        out << std::string(40, '\xab');
    }
    std::string error;
    ASSERT_TRUE(m_daemon.start(m_args, m_socket, m_scratch.path() + "/daemon2.log", &error))
        << error << "\n"
        << m_daemon.log();
    ASSERT_NO_FATAL_FAILURE(connectController());
    EXPECT_NE(m_daemon.log().find(budgetFile() + " is not a budget-use file"), std::string::npos);

    // Zero use: the whole 3 s budget is there.
    const auto started = Clock::now();
    const std::string tag = m_launcher.spawn(m_game, {"30"});
    auto warnedAfter = msUntilWarned(tag, started, Ms{8000});
    ASSERT_TRUE(warnedAfter) << "no budget warning";
    EXPECT_GE(warnedAfter->count(), 2500);
    EXPECT_TRUE(m_launcher.waitExit(tag, Ms{8000}));

    // The garbage was replaced by today's use.
    std::ifstream in(budgetFile(), std::ios::binary);
    std::string saved((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_EQ(saved.size(), 32u) << "a 16-byte header and one budget";
    EXPECT_EQ(saved.substr(0, 4), "PBU1");
}
