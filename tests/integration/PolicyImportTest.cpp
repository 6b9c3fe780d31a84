// PolicyImportTest.cpp - a JSON policy file imported with `procguardctl
// rules import` into a running procguardd decides real starts: its own
// daemon gating only its own private tmpfs, starts from the launcher.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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
