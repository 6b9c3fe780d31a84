// PolicyImportTest.cpp - a JSON policy file imported with `procguardctl
// rules import` into a running procguardd decides real starts: its own
// daemon gating only its own private tmpfs, starts from the launcher. The
// schema-3 test carries schedules, budgets and expiry through the file.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>

#include "Harness.h"
#include "UnixSocketTransport.h"

using namespace pgtest;

TEST(PolicyImport, ImportedJsonPolicyDecidesStartsWithNoClientConnected)
{
    ASSERT_EQ(geteuid(), 0u) << "the integration tests need root (fanotify, tmpfs mounts)";
    TmpfsMount gate;
    ASSERT_TRUE(gate.ok()) << "could not mount a private tmpfs: " << std::strerror(errno);
    ScratchDir scratch;
    const std::string allowed = gate.installProgram("homework");
    const std::string blocked = gate.installProgram("game");
    const std::string unlisted = gate.installProgram("other");
    ASSERT_FALSE(allowed.empty());
    const std::string socket = scratch.path() + "/pg.sock";
    Daemon daemon;
    std::string error;
    ASSERT_TRUE(daemon.start(
        {"--watch", gate.path(), "--socket", socket, "--state-dir", scratch.path() + "/state"},
        socket, scratch.path() + "/daemon.log", &error))
        << error;

    // Lockdown: the exact allow lets homework run, the glob block with a
    // message stops the game, and the mode blocks everything else.
    const std::string policyPath = scratch.path() + "/kiosk.json";
    {
        std::ofstream f(policyPath);
        f << R"({
  "schema": 2,
  "mode": "lockdown",
  "default_verdict": "block",
  "timeout_ms": 5000,
  "hold_budget_ms": 500,
  "rules": [
    { "id": 10, "kind": "exact", "action": "allow", "pattern": ")"
          << allowed << R"(" },
    { "id": 11, "kind": "glob", "action": "block", "pattern": ")"
          << gate.path() << R"(/g*", "message": "Games after homework." }
  ]
})";
    }
    ChildProcess ctl;
    ASSERT_TRUE(ctl.start(
        {procguardctlPath(), "--socket", socket, "rules", "import", policyPath, "--replace"}));
    const std::optional<int> status = ctl.wait(Ms{10000});
    ASSERT_TRUE(status.has_value()) << "rules import did not finish in 10 s";
    ASSERT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << "rules import failed; daemon log:\n"
        << daemon.log();

    // The policy in force is the file's, as an observer sees it.
    pg::KernelLink link(std::make_unique<pg::UnixSocketTransport>(socket));
    pg::ConnectOptions options;
    options.clientName = "policy-import-test";
    pg::ConnectInfo info;
    ASSERT_FALSE(link.connect(options, &info));
    EventCollector sink;
    link.start(&sink);
    pg::Policy inForce;
    ASSERT_FALSE(link.getPolicy(&inForce));
    EXPECT_EQ(inForce.mode, pg::Mode::Lockdown);
    ASSERT_EQ(inForce.rules.size(), 2u);
    EXPECT_EQ(inForce.rules[1].message, "Games after homework.");

    Launcher launcher;
    ASSERT_TRUE(launcher.ok());
    auto run = [&](const std::string &path) {
        const std::string tag = launcher.spawn(path);
        const std::optional<SpawnResult> r = launcher.waitSpawn(tag);
        EXPECT_TRUE(r.has_value()) << path << " did not return within 10 s";
        if (r && r->error == 0)
            launcher.waitExit(tag);
        return r.value_or(SpawnResult{});
    };
    EXPECT_EQ(run(allowed).error, 0) << "the exact allow rule decides";
    EXPECT_EQ(run(blocked).error, EPERM) << "the glob block rule decides";
    EXPECT_EQ(run(unlisted).error, EPERM) << "lockdown blocks what no rule allows";

    const auto verdict = sink.waitFor(
        [&](const pg::Event &e) { return e.kind == pg::EventKind::Verdict && e.image == blocked; });
    ASSERT_TRUE(verdict.has_value());
    EXPECT_EQ(verdict->source, pg::Source::Rule);
    EXPECT_EQ(verdict->ruleId, 11u);
    link.close();
    EXPECT_EQ(daemon.stop(), 0);
}

namespace
{

// "HH:MM" of local time now + hours (wrapping at midnight).
std::string localClockIn(int hours)
{
    const time_t now = time(nullptr) + hours * 3600;
    std::tm tm = {};
    localtime_r(&now, &tm);
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", tm.tm_hour, 0);
    return buf;
}

std::string utcIn(int seconds)
{
    const time_t t = time(nullptr) + seconds;
    std::tm tm = {};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

} // namespace

TEST(PolicyImport, TimeConditionsFromTheFileDecideStarts)
{
    ASSERT_EQ(geteuid(), 0u) << "the integration tests need root (fanotify, tmpfs mounts)";
    TmpfsMount gate;
    ASSERT_TRUE(gate.ok()) << "could not mount a private tmpfs: " << std::strerror(errno);
    ScratchDir scratch;
    const std::string forNow = gate.installProgram("approved");
    const std::string later = gate.installProgram("evening");
    const std::string budgeted = gate.installProgram("budgeted");
    ASSERT_FALSE(forNow.empty());
    const std::string socket = scratch.path() + "/pg.sock";
    Daemon daemon;
    std::string error;
    ASSERT_TRUE(daemon.start(
        {"--watch", gate.path(), "--socket", socket, "--state-dir", scratch.path() + "/state"},
        socket, scratch.path() + "/daemon.log", &error))
        << error;

    // An approval for the next hour, a window that opens in 3 hours (closed
    // now, whatever the hour) and a daily budget nothing has used yet.
    const std::string policyPath = scratch.path() + "/times.json";
    {
        std::ofstream f(policyPath);
        f << R"({
  "schema": 3,
  "mode": "lockdown",
  "default_verdict": "block",
  "rules": [
    { "id": 20, "kind": "exact", "action": "allow", "pattern": ")"
          << forNow << R"(",
      "expires": { "kind": "at", "at": ")"
          << utcIn(3600) << R"(" } },
    { "id": 21, "kind": "exact", "action": "allow", "pattern": ")"
          << later << R"(",
      "schedule": { "windows": [ { "from": ")"
          << localClockIn(3) << R"(", "to": ")" << localClockIn(4) << R"(" } ] } },
    { "id": 22, "kind": "exact", "action": "allow", "pattern": ")"
          << budgeted << R"(",
      "budget": { "per_day": "1h" } }
  ]
})";
    }
    ChildProcess ctl;
    ASSERT_TRUE(ctl.start(
        {procguardctlPath(), "--socket", socket, "rules", "import", policyPath, "--replace"}));
    const std::optional<int> status = ctl.wait(Ms{10000});
    ASSERT_TRUE(status.has_value()) << "rules import did not finish in 10 s";
    ASSERT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << "rules import failed; daemon log:\n"
        << daemon.log();

    pg::KernelLink link(std::make_unique<pg::UnixSocketTransport>(socket));
    pg::ConnectOptions options;
    options.clientName = "policy-import-time-test";
    pg::ConnectInfo info;
    ASSERT_FALSE(link.connect(options, &info));
    EventCollector sink;
    link.start(&sink);
    pg::Policy inForce;
    ASSERT_FALSE(link.getPolicy(&inForce));
    ASSERT_EQ(inForce.rules.size(), 3u);
    EXPECT_EQ(inForce.rules[0].time.expiry, pg::Expiry::At);
    EXPECT_GT(inForce.rules[0].time.expiresAt, static_cast<int64_t>(time(nullptr)));
    ASSERT_EQ(inForce.rules[1].time.windows.size(), 1u);
    EXPECT_EQ(inForce.rules[2].time.budgetSeconds, 3600u);

    Launcher launcher;
    ASSERT_TRUE(launcher.ok());
    auto run = [&](const std::string &path) {
        const std::string tag = launcher.spawn(path);
        const std::optional<SpawnResult> r = launcher.waitSpawn(tag);
        EXPECT_TRUE(r.has_value()) << path << " did not return within 10 s";
        if (r && r->error == 0)
            launcher.waitExit(tag);
        return r.value_or(SpawnResult{});
    };
    EXPECT_EQ(run(forNow).error, 0) << "the approval has not expired";
    EXPECT_EQ(run(later).error, EPERM) << "outside its window the rule does not exist";
    EXPECT_EQ(run(budgeted).error, 0) << "the budget is not used up";
    link.close();
    EXPECT_EQ(daemon.stop(), 0);
}
