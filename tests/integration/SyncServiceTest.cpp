// SyncServiceTest.cpp - `procguardctl sync` as a service next to a real
// procguardd: it observes the daemon (read-only), spools the decisions a
// Santa server wants (blocks; not plain allows), and a later
// `sync --once` - a restart in between - uploads them to the stand-in
// server (tests/sync/santa_standin_server.py) with the file's real digest.
// The server's BINARY ALLOWLIST rule lands in the managed policy file it
// writes. The daemon gates only this test's private tmpfs.
//
// The daemon's loading of that file (the managed layer, procguardd
// --policy-dir) is not part of this test: here the test installs the
// policy the daemon enforces itself.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "Harness.h"

using namespace pgtest;
using nlohmann::json;

namespace
{

const std::string kMachine = "0F3C8E2A-51B7-4D0C-9A66-2B1E7C4D9F10";

std::vector<json> jsonLines(const std::string &path)
{
    std::vector<json> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            out.push_back(json::parse(line));
    return out;
}

size_t lineCount(const std::string &path)
{
    std::ifstream in(path);
    size_t n = 0;
    std::string line;
    while (std::getline(in, line))
        n += line.empty() ? 0 : 1;
    return n;
}

class SyncService : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_EQ(geteuid(), 0u) << "the integration tests need root (fanotify, tmpfs mounts)";
        ASSERT_TRUE(m_gate.ok()) << "could not mount a private tmpfs: " << std::strerror(errno);
    }
    void TearDown() override
    {
        if (m_server.pid() > 0) {
            m_server.kill(SIGTERM);
            m_server.wait(Ms{10000});
        }
    }

    std::string path(const std::string &name) const { return m_scratch.path() + "/" + name; }

    void startServer(const json &scenario)
    {
        std::ofstream(path("scenario.json")) << scenario.dump();
        ASSERT_TRUE(m_server.start({PG_PYTHON3, PG_SANTA_STANDIN_SERVER, path("scenario.json"),
                                    path("server.log"), path("port")}));
        for (int i = 0; i < 200 && access(path("port").c_str(), F_OK) != 0; ++i)
            std::this_thread::sleep_for(Ms{50});
        ASSERT_EQ(access(path("port").c_str(), F_OK), 0) << "the stand-in server did not start";
        m_url = "http://127.0.0.1:" + readFile(path("port"));
    }

    std::vector<std::string> syncArgs() const
    {
        std::ofstream(path("sync.json"))
            << R"({"sync": {"attempts": 3, "backoff_ms": 50, "timeout_ms": 5000}})";
        return {procguardctlPath(),
                "sync",
                "--socket",
                path("pg.sock"),
                "--url",
                m_url,
                "--machine-id",
                kMachine,
                "--config",
                path("sync.json"),
                "--state-dir",
                path("sync"),
                "--policy-file",
                path("policy.d/50-santa.json")};
    }

    SpawnResult run(Launcher &launcher, const std::string &program)
    {
        const std::string tag = launcher.spawn(program);
        const std::optional<SpawnResult> r = launcher.waitSpawn(tag);
        EXPECT_TRUE(r.has_value()) << program << " did not return within 10 s";
        if (r && r->error == 0)
            launcher.waitExit(tag);
        return r.value_or(SpawnResult{});
    }

    TmpfsMount m_gate;
    ScratchDir m_scratch;
    Daemon m_daemon;
    ChildProcess m_server;
    std::string m_url;
};

} // namespace

TEST_F(SyncService, BlocksObservedByTheServiceAreUploadedAfterARestartWithTheirDigest)
{
    const std::string blocked = m_gate.installProgram("blocked-tool", "/bin/false");
    const std::string unknown = m_gate.installProgram("unknown-tool", "/bin/true");
    const std::string allowed = m_gate.installProgram("allowed-tool", "/bin/echo");
    ASSERT_FALSE(blocked.empty());
    const std::string blockedDigest = sha256Of(blocked);
    const std::string unknownDigest = sha256Of(unknown);
    ASSERT_NE(blockedDigest, unknownDigest);

    std::string error;
    ASSERT_TRUE(m_daemon.start(
        {"--watch", m_gate.path(), "--socket", path("pg.sock"), "--state-dir", path("state")},
        path("pg.sock"), path("daemon.log"), &error))
        << error;
    // Lockdown, default block: a digest rule blocks one program, an exact
    // rule allows another, the mode blocks the rest. The controlling client
    // leaves; the policy stays in force.
    {
        pg::Policy policy;
        policy.mode = pg::Mode::Lockdown;
        policy.defaultVerdict = pg::Verdict::Block;
        policy.rules.push_back(rule(pg::RuleKind::Sha256, blockedDigest, pg::Verdict::Block));
        policy.rules.push_back(exactRule(allowed, pg::Verdict::Allow));
        std::unique_ptr<pg::KernelLink> control =
            controlWithPolicy(path("pg.sock"), policy, nullptr, &error);
        ASSERT_TRUE(control) << error;
        control->close();
    }

    // The server allows the unknown program by its digest.
    ASSERT_NO_FATAL_FAILURE(startServer({{"client_mode", "LOCKDOWN"},
                                         {"rules", json::array({{{"identifier", unknownDigest},
                                                                 {"rule_type", "BINARY"},
                                                                 {"policy", "ALLOWLIST"}}})}}));

    ChildProcess service;
    ASSERT_TRUE(service.start(syncArgs(), false, true));
    ASSERT_TRUE(service.waitLine([](const std::string &l) {
        return l.find("Observing procguardd") != std::string::npos;
    })) << "the sync service did not connect to procguardd";
    ASSERT_TRUE(service.waitLine([](const std::string &l) {
        return l.find("Synced with") != std::string::npos;
    })) << "the sync service did not sync";

    Launcher launcher;
    ASSERT_TRUE(launcher.ok());
    EXPECT_EQ(run(launcher, blocked).error, EPERM);
    EXPECT_EQ(run(launcher, unknown).error, EPERM);
    EXPECT_EQ(run(launcher, allowed).error, 0);

    // Both blocks reach the spool; the plain allow does not.
    const std::string spool = path("sync/events.jsonl");
    for (int i = 0; i < 200 && lineCount(spool) < 2; ++i)
        std::this_thread::sleep_for(Ms{50});
    ASSERT_EQ(lineCount(spool), 2u) << readFile(spool);

    // A restart: the service ends, a one-shot sync uploads what it spooled.
    service.kill(SIGTERM);
    const std::optional<int> ended = service.wait(Ms{10000});
    ASSERT_TRUE(ended.has_value()) << "the sync service did not stop on SIGTERM within 10 s";
    EXPECT_TRUE(WIFEXITED(*ended) && WEXITSTATUS(*ended) == 0);

    std::vector<std::string> once = syncArgs();
    once.push_back("--once");
    ChildProcess oneShot;
    ASSERT_TRUE(oneShot.start(once, false, true));
    const std::optional<int> status = oneShot.wait(Ms{60000});
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
    EXPECT_EQ(lineCount(spool), 0u);

    std::map<std::string, json> uploaded; // file_name -> event
    for (const json &entry : jsonLines(path("server.log")))
        if (entry["stage"] == "eventupload" && entry.contains("body"))
            for (const json &e : entry["body"]["events"])
                uploaded[e["file_name"]] = e;
    ASSERT_EQ(uploaded.size(), 2u);
    const json &b = uploaded["blocked-tool"];
    EXPECT_EQ(b["decision"], "BLOCK_BINARY");
    EXPECT_EQ(b["file_sha256"], blockedDigest);
    EXPECT_EQ(b["file_path"], m_gate.path());
    EXPECT_EQ(b["executing_user"], "root");
    EXPECT_GT(b["pid"].get<uint32_t>(), 0u);
    EXPECT_GT(b["execution_time"].get<double>(), 1.6e9);
    EXPECT_EQ(uploaded["unknown-tool"]["decision"], "BLOCK_UNKNOWN");
    EXPECT_EQ(uploaded["unknown-tool"]["file_sha256"], unknownDigest);

    // The managed policy file holds the server's BINARY ALLOWLIST rule.
    const json written = json::parse(readFile(path("policy.d/50-santa.json")));
    EXPECT_EQ(written["mode"], "lockdown");
    ASSERT_EQ(written["rules"].size(), 1u);
    EXPECT_EQ(written["rules"][0]["kind"], "sha256");
    EXPECT_EQ(written["rules"][0]["action"], "allow");
    EXPECT_EQ(written["rules"][0]["pattern"], unknownDigest);

    // status shows the server and the last sync.
    ChildProcess status2;
    ASSERT_TRUE(status2.start(
        {procguardctlPath(), "status", "--socket", path("pg.sock"), "--sync-state", path("sync")}));
    EXPECT_TRUE(status2.waitLine(
        [&](const std::string &l) { return l.find("Sync server:      " + m_url) == 0; }));
    status2.wait();
    EXPECT_EQ(m_daemon.stop(), 0);
}

TEST_F(SyncService, ServiceReconnectsWhenProcguarddRestartsAndKeepsSpooling)
{
    const std::string unknown = m_gate.installProgram("unknown-tool", "/bin/true");
    ASSERT_FALSE(unknown.empty());
    const std::vector<std::string> daemonArgs = {"--watch",       m_gate.path(), "--socket",
                                                 path("pg.sock"), "--state-dir", path("state")};
    std::string error;
    ASSERT_TRUE(m_daemon.start(daemonArgs, path("pg.sock"), path("daemon.log"), &error)) << error;
    {
        pg::Policy policy;
        policy.mode = pg::Mode::Lockdown;
        policy.defaultVerdict = pg::Verdict::Block;
        std::unique_ptr<pg::KernelLink> control =
            controlWithPolicy(path("pg.sock"), policy, nullptr, &error);
        ASSERT_TRUE(control) << error;
        control->close();
    }
    ASSERT_NO_FATAL_FAILURE(startServer({{"client_mode", "LOCKDOWN"}}));

    ChildProcess service;
    ASSERT_TRUE(service.start(syncArgs(), false, true));
    const auto observing = [](const std::string &l) {
        return l.find("Observing procguardd") != std::string::npos;
    };
    ASSERT_TRUE(service.waitLine(observing));

    // procguardd restarts (its saved policy keeps lockdown).
    EXPECT_EQ(m_daemon.stop(), 0);
    ASSERT_TRUE(service.waitLine([](const std::string &l) {
        return l.find("connection to procguardd ended") != std::string::npos;
    }));
    Daemon again;
    ASSERT_TRUE(again.start(daemonArgs, path("pg.sock"), path("daemon2.log"), &error)) << error;
    ASSERT_TRUE(service.waitLine(observing, Ms{30000}))
        << "the sync service did not reconnect within 30 s";

    Launcher launcher;
    ASSERT_TRUE(launcher.ok());
    EXPECT_EQ(run(launcher, unknown).error, EPERM);
    const std::string spool = path("sync/events.jsonl");
    for (int i = 0; i < 200 && lineCount(spool) < 1; ++i)
        std::this_thread::sleep_for(Ms{50});
    ASSERT_EQ(lineCount(spool), 1u) << readFile(spool);
    EXPECT_EQ(jsonLines(spool)[0]["decision"], "BLOCK_UNKNOWN");

    service.kill(SIGTERM);
    ASSERT_TRUE(service.wait(Ms{10000}).has_value());
    EXPECT_EQ(again.stop(), 0);
}
