// ManagedPolicyTest.cpp - the managed layer of procguardd (--policy-dir):
// policy files dropped by configuration management decide real starts,
// are picked up within seconds of a change, cannot be removed or overridden
// by a client, and a bad file is rejected whole while its last good
// version stays in force. Each test: its own tmpfs, policy directory and
// procguardd; starts come from the launcher.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "Harness.h"
#include "UnixSocketTransport.h"

using namespace pgtest;

namespace
{

// Writes text to path through a temporary file and a rename, as
// configuration management tools do.
void writeAtomically(const std::string &path, const std::string &text)
{
    const std::string tmp = path + ".tmp-write";
    {
        std::ofstream f(tmp);
        f << text;
    }
    ASSERT_EQ(0, std::rename(tmp.c_str(), path.c_str())) << std::strerror(errno);
}

// Polls cond every 50 ms for at most timeout.
bool eventually(const std::function<bool()> &cond, Ms timeout = Ms{10000})
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (cond())
            return true;
        std::this_thread::sleep_for(Ms{50});
    }
    return cond();
}

class ManagedPolicy : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_EQ(geteuid(), 0u) << "the integration tests need root (fanotify, tmpfs mounts)";
        ASSERT_TRUE(m_gate.ok()) << "could not mount a private tmpfs: " << std::strerror(errno);
    }

    std::string socketPath() const { return m_scratch.path() + "/pg.sock"; }
    std::string policyDir() const { return m_scratch.path() + "/policy.d"; }

    void startDaemon(bool createDir = true)
    {
        if (createDir)
            ::mkdir(policyDir().c_str(), 0755);
        std::string error;
        ASSERT_TRUE(
            m_daemon.start({"--watch", m_gate.path(), "--socket", socketPath(), "--state-dir",
                            m_scratch.path() + "/state", "--policy-dir", policyDir()},
                           socketPath(), m_scratch.path() + "/daemon.log", &error))
            << error;
    }

    // The controlling client, and the launcher.
    void connect()
    {
        m_link = std::make_unique<pg::KernelLink>(
            std::make_unique<pg::UnixSocketTransport>(socketPath()));
        pg::ConnectOptions options;
        options.clientName = "managed-policy-test";
        options.snapshot = false;
        pg::ConnectInfo info;
        ASSERT_FALSE(m_link->connect(options, &info));
        m_link->start(&m_sink);
        m_launcher.emplace();
        ASSERT_TRUE(m_launcher->ok());
    }

    pg::Policy policy()
    {
        pg::Policy p;
        EXPECT_FALSE(m_link->getPolicy(&p));
        return p;
    }

    pg::ManagedStatus managed()
    {
        pg::ManagedStatus m;
        const pg::Error e = m_link->getManaged(&m);
        EXPECT_FALSE(e) << e.message;
        return m;
    }

    size_t managedRules()
    {
        size_t n = 0;
        for (const pg::Rule &r : policy().rules)
            n += r.managed ? 1 : 0;
        return n;
    }

    int run(const std::string &path)
    {
        const std::string tag = m_launcher->spawn(path);
        const std::optional<SpawnResult> r = m_launcher->waitSpawn(tag);
        EXPECT_TRUE(r.has_value()) << path << " did not return within 10 s";
        if (r && r->error == 0)
            m_launcher->waitExit(tag);
        return r ? r->error : -1;
    }

    std::string ctl(const std::vector<std::string> &args, int *exitCode)
    {
        std::vector<std::string> argv = {procguardctlPath(), "--socket", socketPath()};
        argv.insert(argv.end(), args.begin(), args.end());
        ChildProcess child;
        EXPECT_TRUE(child.start(argv, false, true));
        std::string out;
        while (auto line = child.waitLine([](const std::string &) { return true; }, Ms{5000}))
            out += *line + "\n";
        const std::optional<int> status = child.wait(Ms{10000});
        *exitCode = status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
        return out;
    }

    TmpfsMount m_gate;
    ScratchDir m_scratch;
    Daemon m_daemon;
    EventCollector m_sink;
    std::unique_ptr<pg::KernelLink> m_link;
    std::optional<Launcher> m_launcher;
};

std::string schoolPolicy(const std::string &homework, const std::string &gamesGlob,
                         const std::string &localRules = "any")
{
    return "{\n  \"schema\": 3,\n  \"mode\": \"lockdown\",\n  \"default_verdict\": \"block\",\n"
           "  \"local_rules\": \"" +
           localRules +
           "\",\n  \"rules\": [\n"
           "    {\"id\": 1, \"kind\": \"exact\", \"action\": \"allow\", \"pattern\": \"" +
           homework +
           "\"},\n"
           "    {\"id\": 2, \"kind\": \"glob\", \"action\": \"block\", \"pattern\": \"" +
           gamesGlob + "\", \"message\": \"Not at school.\"}\n  ]\n}\n";
}

} // namespace

TEST_F(ManagedPolicy, PolicyFileDecidesStartsAndNoClientCanRemoveOrOverrideIt)
{
    const std::string homework = m_gate.installProgram("homework");
    const std::string game = m_gate.installProgram("game");
    const std::string editor = m_gate.installProgram("editor");
    ASSERT_FALSE(homework.empty());
    ::mkdir(policyDir().c_str(), 0755);
    writeAtomically(policyDir() + "/10-school.json", schoolPolicy(homework, m_gate.path() + "/g*"));
    ASSERT_NO_FATAL_FAILURE(startDaemon());
    ASSERT_NO_FATAL_FAILURE(connect());

    // In force at start, marked as managed in the policy every client gets.
    pg::Policy inForce = policy();
    EXPECT_EQ(pg::Mode::Lockdown, inForce.mode);
    ASSERT_EQ(2u, inForce.rules.size());
    EXPECT_TRUE(inForce.rules[0].managed);
    EXPECT_TRUE(inForce.rules[1].managed);
    EXPECT_GE(inForce.rules[0].id, 0x80000000u);
    const pg::ManagedStatus m = managed();
    EXPECT_TRUE(m.supported);
    EXPECT_EQ(policyDir(), m.source);
    EXPECT_EQ(uint32_t{PG_MANF_MODE | PG_MANF_DEFAULT_VERDICT}, m.flags);
    ASSERT_EQ(1u, m.files.size());
    EXPECT_EQ("10-school.json", m.files[0].name);
    EXPECT_EQ(2u, m.files[0].ruleCount);

    EXPECT_EQ(0, run(homework));
    EXPECT_EQ(EPERM, run(game));
    EXPECT_EQ(EPERM, run(editor)) << "lockdown from the file";

    // Removing a managed rule is refused, with a sentence that says why.
    pg::Policy removed = inForce;
    removed.rules.pop_back();
    pg::Error e = m_link->setPolicy(removed);
    ASSERT_TRUE(e);
    EXPECT_EQ(PG_E_MANAGED, e.status);
    EXPECT_NE(std::string::npos, e.message.find("is managed (10-school.json)")) << e.message;
    EXPECT_NE(std::string::npos, e.message.find("cannot be removed")) << e.message;

    // So is a change of the managed mode.
    pg::Policy monitor = inForce;
    monitor.mode = pg::Mode::Monitor;
    e = m_link->setPolicy(monitor);
    ASSERT_TRUE(e);
    EXPECT_EQ(PG_E_MANAGED, e.status);
    EXPECT_NE(std::string::npos, e.message.find("mode is managed")) << e.message;

    // Local rules are possible ("local_rules": "any"): one lets the editor
    // run; one that tries to allow the game does not override the managed
    // block.
    pg::Policy local = inForce;
    local.rules.push_back(exactRule(editor, pg::Verdict::Allow));
    local.rules.push_back(exactRule(game, pg::Verdict::Allow));
    ASSERT_FALSE(m_link->setPolicy(local));
    EXPECT_EQ(4u, policy().rules.size());
    EXPECT_EQ(0, run(editor));
    EXPECT_EQ(EPERM, run(game)) << "a local allow cannot override a managed block";
    EXPECT_EQ(pg::Mode::Lockdown, statusOf(socketPath()).mode);

    m_link->close();
    EXPECT_EQ(m_daemon.stop(), 0);
}

TEST_F(ManagedPolicy, ChangesArePickedUpAndABadFileIsRejectedWholeKeepingItsLastGoodVersion)
{
    const std::string homework = m_gate.installProgram("homework");
    const std::string chat = m_gate.installProgram("chat");
    ASSERT_FALSE(homework.empty());
    ::mkdir(policyDir().c_str(), 0755);
    writeAtomically(policyDir() + "/10-school.json", schoolPolicy(homework, m_gate.path() + "/g*"));
    ASSERT_NO_FATAL_FAILURE(startDaemon());
    ASSERT_NO_FATAL_FAILURE(connect());
    // A local rule lets chat run for now.
    pg::Policy local = policy();
    local.rules.push_back(exactRule(chat, pg::Verdict::Allow));
    ASSERT_FALSE(m_link->setPolicy(local));
    EXPECT_EQ(0, run(chat));

    // A second file blocks chat: in force within seconds, no restart, no
    // signal; the managed block beats the local allow.
    const auto t0 = std::chrono::steady_clock::now();
    writeAtomically(policyDir() + "/20-no-chat.json",
                    "{\"schema\": 3, \"rules\": [{\"kind\": \"exact\", \"action\": \"block\", "
                    "\"pattern\": \"" +
                        chat + "\"}]}\n");
    ASSERT_TRUE(eventually([&] { return managedRules() == 3; }))
        << "the new file was not picked up; daemon log:\n"
        << m_daemon.log();
    const auto pickedUpMs =
        std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ figure ] a new policy file was in force %lld ms after it was written\n",
                static_cast<long long>(pickedUpMs));
    EXPECT_EQ(EPERM, run(chat));

    // The file is broken: rejected whole, with the file and the JSON pointer
    // of the bad field, in GET_MANAGED and in the log; its last good version
    // (the chat block) stays in force.
    writeAtomically(policyDir() + "/20-no-chat.json",
                    "{\"schema\": 3, \"rules\": [{\"kind\": \"exact\", \"action\": \"block\", "
                    "\"pattern\": \"/x\"}, {\"kind\": \"folder\", \"action\": \"allow\", "
                    "\"pattern\": \"/\"}]}\n");
    pg::ManagedFile bad;
    ASSERT_TRUE(eventually([&] {
        for (const pg::ManagedFile &f : managed().files)
            if (f.name == "20-no-chat.json" && !f.error.empty()) {
                bad = f;
                return true;
            }
        return false;
    })) << m_daemon.log();
    EXPECT_EQ(pg::ManagedFile::State::Rejected, bad.state);
    EXPECT_NE(std::string::npos, bad.error.find(policyDir() + "/20-no-chat.json")) << bad.error;
    EXPECT_NE(std::string::npos, bad.error.find("/rules/1/kind")) << bad.error;
    EXPECT_EQ(1u, bad.ruleCount) << "the last good version's one rule";
    EXPECT_EQ(1u, managed().rejected);
    EXPECT_EQ(3u, managedRules());
    EXPECT_EQ(EPERM, run(chat)) << "the last good version stays in force";
    EXPECT_NE(std::string::npos, m_daemon.log().find("/rules/1/kind")) << m_daemon.log();

    // procguardctl status says so too (exit 0: the daemon runs).
    int code = -1;
    const std::string status = ctl({"status"}, &code);
    EXPECT_EQ(0, code) << status;
    EXPECT_NE(std::string::npos, status.find("20-no-chat.json")) << status;
    EXPECT_NE(std::string::npos, status.find("/rules/1/kind")) << status;

    // Removed: its rules leave, chat's local allow decides again.
    ASSERT_EQ(0, ::unlink((policyDir() + "/20-no-chat.json").c_str()));
    ASSERT_TRUE(eventually([&] { return managedRules() == 2; })) << m_daemon.log();
    EXPECT_EQ(1u, managed().files.size());
    EXPECT_EQ(0, run(chat));

    m_link->close();
    EXPECT_EQ(m_daemon.stop(), 0);
}

TEST_F(ManagedPolicy, LastGoodVersionSurvivesARestartWhileTheFileIsBroken)
{
    const std::string homework = m_gate.installProgram("homework");
    ::mkdir(policyDir().c_str(), 0755);
    writeAtomically(policyDir() + "/10-school.json", schoolPolicy(homework, m_gate.path() + "/g*"));
    ASSERT_NO_FATAL_FAILURE(startDaemon());
    EXPECT_EQ(m_daemon.stop(), 0);

    writeAtomically(policyDir() + "/10-school.json", "{\"schema\": 3, \"mode\": \"lockdwn\"}");
    ASSERT_NO_FATAL_FAILURE(startDaemon());
    ASSERT_NO_FATAL_FAILURE(connect());
    const pg::ManagedStatus m = managed();
    ASSERT_EQ(1u, m.files.size());
    EXPECT_EQ(pg::ManagedFile::State::Rejected, m.files[0].state);
    EXPECT_NE(std::string::npos, m.files[0].error.find("/mode")) << m.files[0].error;
    EXPECT_EQ(2u, managedRules());
    EXPECT_EQ(pg::Mode::Lockdown, policy().mode);
    EXPECT_EQ(0, run(homework));
    m_link->close();
    EXPECT_EQ(m_daemon.stop(), 0);
}

TEST_F(ManagedPolicy, DirectoryCreatedAfterStartAndSighupAreReadToo)
{
    const std::string tool = m_gate.installProgram("tool");
    ASSERT_NO_FATAL_FAILURE(startDaemon(false));
    ASSERT_NO_FATAL_FAILURE(connect());
    EXPECT_EQ(0, run(tool)) << "monitor, nothing managed";
    EXPECT_TRUE(managed().files.empty());

    ASSERT_EQ(0, ::mkdir(policyDir().c_str(), 0755));
    writeAtomically(policyDir() + "/30-lock.json",
                    "{\"schema\": 3, \"mode\": \"lockdown\", \"local_rules\": \"none\"}\n");
    ASSERT_TRUE(eventually([&] { return statusOf(socketPath()).mode == pg::Mode::Lockdown; }))
        << m_daemon.log();
    EXPECT_EQ(EPERM, run(tool));
    EXPECT_EQ(uint32_t{PG_MANF_MODE | PG_MANF_LOCAL_NONE}, managed().flags);

    // "local_rules": "none": a client can add no rule.
    pg::Policy local = policy();
    local.rules.push_back(exactRule(tool, pg::Verdict::Allow));
    const pg::Error e = m_link->setPolicy(local);
    ASSERT_TRUE(e);
    EXPECT_EQ("the managed policy allows no local rules", e.message);

    // SIGHUP reads the directory again at once.
    writeAtomically(policyDir() + "/30-lock.json",
                    "{\"schema\": 3, \"mode\": \"prompt\", \"local_rules\": \"none\"}\n");
    ASSERT_EQ(0, ::kill(m_daemon.pid(), SIGHUP));
    ASSERT_TRUE(
        eventually([&] { return statusOf(socketPath()).mode == pg::Mode::Prompt; }, Ms{5000}))
        << m_daemon.log();
    m_link->close();
    EXPECT_EQ(m_daemon.stop(), 0);
}
