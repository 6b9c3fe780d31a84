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
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Harness.h"
#include "UnixSocketTransport.h"

using namespace pgtest;

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

// One rule of a policy file; more: further members, as JSON text.
std::string ruleJson(int id, const std::string &kind, const std::string &action,
                     const std::string &pattern, const std::string &more = "")
{
    return "{ \"id\": " + std::to_string(id) + ", \"kind\": \"" + kind + "\", \"action\": \"" +
           action + "\", \"pattern\": \"" + pattern + "\"" + (more.empty() ? "" : ", " + more) +
           " }";
}

// A lockdown policy file (default verdict block) as a person would write
// it; settings: further top-level members, as JSON text.
std::string lockdownPolicyJson(int schema, const std::vector<std::string> &settings,
                               const std::vector<std::string> &rules)
{
    std::string text = "{\n  \"schema\": " + std::to_string(schema) +
                       ",\n  \"mode\": \"lockdown\",\n  \"default_verdict\": \"block\",\n";
    for (const std::string &s : settings)
        text += "  " + s + ",\n";
    text += "  \"rules\": [\n";
    for (size_t i = 0; i < rules.size(); ++i)
        text += "    " + rules[i] + (i + 1 < rules.size() ? ",\n" : "\n");
    return text + "  ]\n}\n";
}

// Each test: its own tmpfs, scratch directory and procguardd, a policy
// file imported with procguardctl, an observer and the launcher.
class PolicyImport : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_EQ(geteuid(), 0u) << "the integration tests need root (fanotify, tmpfs mounts)";
        ASSERT_TRUE(m_gate.ok()) << "could not mount a private tmpfs: " << std::strerror(errno);
    }

    std::string socketPath() const { return m_scratch.path() + "/pg.sock"; }

    // Starts procguardd gating the tmpfs (after the programs are installed).
    void startDaemon()
    {
        std::string error;
        ASSERT_TRUE(m_daemon.start({"--watch", m_gate.path(), "--socket", socketPath(),
                                    "--state-dir", m_scratch.path() + "/state"},
                                   socketPath(), m_scratch.path() + "/daemon.log", &error))
            << error;
    }

    // Writes json as fileName in the scratch directory and replaces the
    // rules in force with it through `procguardctl rules import`.
    void importPolicy(const std::string &fileName, const std::string &json)
    {
        const std::string policyPath = m_scratch.path() + "/" + fileName;
        {
            std::ofstream f(policyPath);
            f << json;
        }
        ChildProcess ctl;
        ASSERT_TRUE(ctl.start({procguardctlPath(), "--socket", socketPath(), "rules", "import",
                               policyPath, "--replace"}));
        const std::optional<int> status = ctl.wait(Ms{10000});
        ASSERT_TRUE(status.has_value()) << "rules import did not finish in 10 s";
        ASSERT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
            << "rules import failed; daemon log:\n"
            << m_daemon.log();
    }

    // Connects an observer collecting events in m_sink (*inForce: the
    // policy in force as it sees it), then starts the launcher.
    void connect(const std::string &clientName, pg::Policy *inForce)
    {
        m_link = std::make_unique<pg::KernelLink>(
            std::make_unique<pg::UnixSocketTransport>(socketPath()));
        pg::ConnectOptions options;
        options.clientName = clientName;
        pg::ConnectInfo info;
        ASSERT_FALSE(m_link->connect(options, &info));
        m_link->start(&m_sink);
        ASSERT_FALSE(m_link->getPolicy(inForce));
        m_launcher.emplace();
        ASSERT_TRUE(m_launcher->ok());
    }

    // Starts path through the launcher and waits for it to exit when it started.
    SpawnResult run(const std::string &path)
    {
        const std::string tag = m_launcher->spawn(path);
        const std::optional<SpawnResult> r = m_launcher->waitSpawn(tag);
        EXPECT_TRUE(r.has_value()) << path << " did not return within 10 s";
        if (r && r->error == 0)
            m_launcher->waitExit(tag);
        return r.value_or(SpawnResult{});
    }

    TmpfsMount m_gate;
    ScratchDir m_scratch;
    Daemon m_daemon;
    EventCollector m_sink;
    std::unique_ptr<pg::KernelLink> m_link;
    std::optional<Launcher> m_launcher;
};

} // namespace

TEST_F(PolicyImport, ImportedJsonPolicyDecidesStartsWithNoClientConnected)
{
    const std::string allowed = m_gate.installProgram("homework");
    const std::string blocked = m_gate.installProgram("game");
    const std::string unlisted = m_gate.installProgram("other");
    ASSERT_FALSE(allowed.empty());
    ASSERT_NO_FATAL_FAILURE(startDaemon());

    // Lockdown: the exact allow lets homework run, the glob block with a
    // message stops the game, and the mode blocks everything else.
    ASSERT_NO_FATAL_FAILURE(importPolicy(
        "kiosk.json", lockdownPolicyJson(2, {R"("timeout_ms": 5000)", R"("hold_budget_ms": 500)"},
                                         {ruleJson(10, "exact", "allow", allowed),
                                          ruleJson(11, "glob", "block", m_gate.path() + "/g*",
                                                   R"("message": "Games after homework.")")})));

    // The policy in force is the file's, as an observer sees it.
    pg::Policy inForce;
    ASSERT_NO_FATAL_FAILURE(connect("policy-import-test", &inForce));
    EXPECT_EQ(inForce.mode, pg::Mode::Lockdown);
    ASSERT_EQ(inForce.rules.size(), 2u);
    EXPECT_EQ(inForce.rules[1].message, "Games after homework.");

    EXPECT_EQ(run(allowed).error, 0) << "the exact allow rule decides";
    EXPECT_EQ(run(blocked).error, EPERM) << "the glob block rule decides";
    EXPECT_EQ(run(unlisted).error, EPERM) << "lockdown blocks what no rule allows";

    const auto verdict = m_sink.waitFor(
        [&](const pg::Event &e) { return e.kind == pg::EventKind::Verdict && e.image == blocked; });
    ASSERT_TRUE(verdict.has_value());
    EXPECT_EQ(verdict->source, pg::Source::Rule);
    EXPECT_EQ(verdict->ruleId, 11u);
    m_link->close();
    EXPECT_EQ(m_daemon.stop(), 0);
}

TEST_F(PolicyImport, TimeConditionsFromTheFileDecideStarts)
{
    const std::string forNow = m_gate.installProgram("approved");
    const std::string later = m_gate.installProgram("evening");
    const std::string budgeted = m_gate.installProgram("budgeted");
    ASSERT_FALSE(forNow.empty());
    ASSERT_NO_FATAL_FAILURE(startDaemon());

    // An approval for the next hour, a window that opens in 3 hours (closed
    // now, whatever the hour) and a daily budget nothing has used yet.
    ASSERT_NO_FATAL_FAILURE(importPolicy(
        "times.json",
        lockdownPolicyJson(
            3, {},
            {ruleJson(20, "exact", "allow", forNow,
                      R"("expires": { "kind": "at", "at": ")" + utcIn(3600) + R"(" })"),
             ruleJson(21, "exact", "allow", later,
                      R"("schedule": { "windows": [ { "from": ")" + localClockIn(3) +
                          R"(", "to": ")" + localClockIn(4) + R"(" } ] })"),
             ruleJson(22, "exact", "allow", budgeted, R"("budget": { "per_day": "1h" })")})));

    pg::Policy inForce;
    ASSERT_NO_FATAL_FAILURE(connect("policy-import-time-test", &inForce));
    ASSERT_EQ(inForce.rules.size(), 3u);
    EXPECT_EQ(inForce.rules[0].time.expiry, pg::Expiry::At);
    EXPECT_GT(inForce.rules[0].time.expiresAt, static_cast<int64_t>(time(nullptr)));
    ASSERT_EQ(inForce.rules[1].time.windows.size(), 1u);
    EXPECT_EQ(inForce.rules[2].time.budgetSeconds, 3600u);

    EXPECT_EQ(run(forNow).error, 0) << "the approval has not expired";
    EXPECT_EQ(run(later).error, EPERM) << "outside its window the rule does not exist";
    EXPECT_EQ(run(budgeted).error, 0) << "the budget is not used up";
    m_link->close();
    EXPECT_EQ(m_daemon.stop(), 0);
}
