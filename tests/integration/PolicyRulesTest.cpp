// PolicyRulesTest.cpp - the rule kinds procguardd decides in user mode, on
// a real kernel: SHA-256 rules (hashed from the exec's own fd, cached per
// file version), command-line rules (decided after the exec completed,
// with the program frozen before its first instruction) and trusted-source
// package rules (dpkg lists and checksums), and how digests are found:
// off the answering thread (no start waits behind another's hash), kept
// across restarts, bounded in size. Each test has its own daemon gating
// only its own private tmpfs, as in DaemonTest.cpp.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "Harness.h"
#include "UnixSocketTransport.h"

using namespace pgtest;
using pg::Verdict;

namespace
{

using Clock = std::chrono::steady_clock;

} // namespace

class PolicyRulesTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_EQ(geteuid(), 0u) << "the integration tests need root (fanotify, tmpfs mounts)";
        ASSERT_TRUE(m_gate.ok()) << "could not mount a private tmpfs: " << std::strerror(errno);
        // Two programs with different content: true exits 0, false exits 1.
        m_game = m_gate.installProgram("game", "/bin/true");
        m_tool = m_gate.installProgram("tool", "/bin/false");
        ASSERT_FALSE(m_game.empty());
        ASSERT_FALSE(m_tool.empty());
        m_socket = m_scratch.path() + "/pg.sock";
        m_dpkg = m_scratch.path() + "/dpkg-info";
        ASSERT_EQ(0, mkdir(m_dpkg.c_str(), 0755));
        startDaemon();
        ASSERT_TRUE(m_launcher.ok()) << "could not start pg_launcher";
    }

    void TearDown() override
    {
        for (auto &link : m_links)
            link->close();
        if (HasFailure())
            std::cerr << "---- procguardd log ----\n"
                      << m_daemon.log() << "------------------------\n";
    }

    void startDaemon(const std::vector<std::string> &extra = {},
                     const std::string &logName = "daemon.log")
    {
        std::vector<std::string> args{"--watch",     m_gate.path(), "--socket",    m_socket,
                                      "--state-dir", stateDir(),    "--dpkg-info", m_dpkg,
                                      "--log-level", "debug"};
        args.insert(args.end(), extra.begin(), extra.end());
        std::string error;
        ASSERT_TRUE(m_daemon.start(args, m_socket, m_scratch.path() + "/" + logName, &error))
            << error;
    }

    std::string stateDir() const { return m_scratch.path() + "/state"; }

    // Stops the daemon (SIGTERM: it saves its state) and drops the links.
    void stopDaemon()
    {
        for (auto &link : m_links)
            link->close();
        m_links.clear();
        EXPECT_EQ(0, m_daemon.stop(SIGTERM));
    }

    pg::Status status() { return statusOf(m_socket); }

    // A runnable copy of /bin/true grown to bytes (sparse: it costs no
    // memory, but every byte is read and hashed).
    std::string bigProgram(const std::string &name, off_t bytes)
    {
        const std::string path = m_gate.installProgram(name, "/bin/true");
        EXPECT_EQ(0, truncate(path.c_str(), bytes)) << std::strerror(errno);
        return path;
    }

    // A copy of /bin/true with content of its own (its own digest).
    std::string uniqueProgram(const std::string &name)
    {
        const std::string path = m_gate.installProgram(name, "/bin/true");
        std::ofstream out(path, std::ios::app | std::ios::binary);
        out << name;
        return path;
    }

    // Connects as controller, installs the policy; the link stays open
    // unless closeAfter (then the policy must hold with no client).
    pg::KernelLink *controller(EventCollector &sink, pg::Mode mode, Verdict def,
                               std::vector<pg::Rule> rules, bool closeAfter = false)
    {
        auto link =
            std::make_unique<pg::KernelLink>(std::make_unique<pg::UnixSocketTransport>(m_socket));
        pg::ConnectOptions options;
        options.control = true;
        options.clientName = "policy-rules-test";
        pg::ConnectInfo info;
        pg::Error err = link->connect(options, &info);
        EXPECT_FALSE(err) << err.message;
        if (err)
            return nullptr;
        link->start(&sink);
        pg::Policy p;
        p.mode = mode;
        p.defaultVerdict = def;
        p.timeoutMs = 5000;
        p.holdBudgetMs = 500;
        p.rules = std::move(rules);
        err = link->setPolicy(p);
        EXPECT_FALSE(err) << err.message;
        if (closeAfter) {
            link->close();
            return nullptr;
        }
        m_links.push_back(std::move(link));
        return m_links.back().get();
    }

    EventCollector &collector()
    {
        m_sinks.push_back(std::make_unique<EventCollector>());
        return *m_sinks.back();
    }

    // Starts path with args; returns the spawn result and the wait status.
    std::pair<SpawnResult, std::optional<int>> run(const std::string &path,
                                                   const std::vector<std::string> &args = {})
    {
        std::string tag = m_launcher.spawn(path, args);
        auto r = m_launcher.waitSpawn(tag);
        EXPECT_TRUE(r) << "posix_spawn of " << path << " did not return within 10 s";
        if (!r || r->error != 0)
            return {r.value_or(SpawnResult{}), std::nullopt};
        return {*r, m_launcher.waitExit(tag)};
    }

    // Waits (bounded) until the daemon's log holds text.
    bool waitForLog(const std::string &text, Ms timeout = Ms{5000})
    {
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            if (m_daemon.log().find(text) != std::string::npos)
                return true;
            usleep(20 * 1000);
        }
        return false;
    }

    TmpfsMount m_gate;
    ScratchDir m_scratch;
    Daemon m_daemon;
    Launcher m_launcher;
    std::string m_socket;
    std::string m_dpkg;
    std::string m_game;
    std::string m_tool;
    std::vector<std::unique_ptr<EventCollector>> m_sinks;
    std::vector<std::unique_ptr<pg::KernelLink>> m_links;
};

TEST_F(PolicyRulesTest, HashRuleFollowsARenamedFile)
{
    EventCollector &events = collector();
    pg::Rule block = rule(pg::RuleKind::Sha256, sha256Of(m_game), Verdict::Block);
    block.message = "Not on school nights";
    controller(events, pg::Mode::Lockdown, Verdict::Block,
               {block, rule(pg::RuleKind::Prefix, m_gate.path() + "/", Verdict::Allow)});
    EXPECT_EQ(EPERM, run(m_game).first.error);
    const std::string renamed = m_gate.path() + "/homework-helper";
    ASSERT_EQ(0, std::rename(m_game.c_str(), renamed.c_str()));
    EXPECT_EQ(EPERM, run(renamed).first.error) << "the digest rule lost the renamed file";
    auto v = events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, renamed); });
    ASSERT_TRUE(v);
    EXPECT_EQ(Verdict::Block, v->verdict);
    EXPECT_EQ(pg::Source::Rule, v->source);
    EXPECT_EQ(1u, v->ruleId);
    EXPECT_TRUE(waitForLog("message=Not on school nights"));
    // Other content under the same allow is not touched.
    auto other = run(m_tool);
    EXPECT_EQ(0, other.first.error);
}

TEST_F(PolicyRulesTest, ModifiedFileNoLongerMatchesItsHashRule)
{
    EventCollector &events = collector();
    controller(events, pg::Mode::Lockdown, Verdict::Block,
               {rule(pg::RuleKind::Sha256, sha256Of(m_game), Verdict::Allow)});
    auto first = run(m_game);
    ASSERT_EQ(0, first.first.error) << std::strerror(first.first.error);
    ASSERT_TRUE(first.second);
    EXPECT_TRUE(WIFEXITED(*first.second) && WEXITSTATUS(*first.second) == 0);
    {
        // Appending bytes keeps the ELF runnable but changes its digest.
        std::ofstream out(m_game, std::ios::app | std::ios::binary);
        out << "tampered";
    }
    EXPECT_EQ(EPERM, run(m_game).first.error) << "a stale cached digest was used";
}

TEST_F(PolicyRulesTest, LockdownWithNoPanelEnforcesHashRules)
{
    EventCollector &events = collector();
    controller(events, pg::Mode::Lockdown, Verdict::Allow,
               {rule(pg::RuleKind::Sha256, sha256Of(m_tool), Verdict::Block),
                rule(pg::RuleKind::Prefix, m_gate.path() + "/", Verdict::Allow)},
               /*closeAfter=*/true);
    EXPECT_EQ(EPERM, run(m_tool).first.error);
    EXPECT_EQ(0, run(m_game).first.error);
    // And after a restart, from the persisted policy alone.
    EXPECT_EQ(0, m_daemon.stop(SIGTERM));
    startDaemon();
    EXPECT_EQ(EPERM, run(m_tool).first.error);
    EXPECT_EQ(0, run(m_game).first.error);
}

TEST_F(PolicyRulesTest, CmdlineRuleBlocksOrAllowsByArguments)
{
    EventCollector &events = collector();
    controller(events, pg::Mode::Lockdown, Verdict::Block,
               {rule(pg::RuleKind::Cmdline, "* --private-window*", Verdict::Block),
                rule(pg::RuleKind::Exact, m_game, Verdict::Allow)});
    auto ok = run(m_game, {"--new-tab", "/tmp/x"});
    ASSERT_EQ(0, ok.first.error);
    ASSERT_TRUE(ok.second);
    EXPECT_TRUE(WIFEXITED(*ok.second) && WEXITSTATUS(*ok.second) == 0)
        << "allowed arguments must run the program";
    auto v = events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, m_game); });
    ASSERT_TRUE(v);
    EXPECT_EQ(Verdict::Allow, v->verdict);
    EXPECT_EQ(2u, v->ruleId);

    // The exec completes (the command line only exists then), so a block
    // by arguments kills the frozen program before its first instruction.
    auto blocked = run(m_game, {"--private-window"});
    ASSERT_EQ(0, blocked.first.error);
    ASSERT_TRUE(blocked.second);
    EXPECT_TRUE(WIFSIGNALED(*blocked.second) && WTERMSIG(*blocked.second) == SIGKILL);
    auto b = events.waitFor(
        [&](const pg::Event &e) { return isVerdictFor(e, m_game) && e.verdict == Verdict::Block; });
    ASSERT_TRUE(b);
    EXPECT_EQ(1u, b->ruleId);
    EXPECT_TRUE(b->flags & PG_EVF_KILLED);
}

TEST_F(PolicyRulesTest, SignerRulesNeverMatchOnLinuxAndNeverHoldAStart)
{
    // No Authenticode on Linux: a signer rule for every publisher allows
    // nothing, and the start is decided at once by lockdown (not held
    // waiting for a fact that never comes, which would end in the default
    // verdict, allow).
    EventCollector &events = collector();
    controller(events, pg::Mode::Lockdown, Verdict::Allow,
               {rule(pg::RuleKind::Signer, "*", Verdict::Allow),
                rule(pg::RuleKind::Exact, m_game, Verdict::Allow)});
    EXPECT_EQ(0, run(m_game).first.error);
    EXPECT_EQ(EPERM, run(m_tool).first.error) << "a signer rule matched on Linux";
    auto v = events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, m_tool); });
    ASSERT_TRUE(v);
    EXPECT_EQ(pg::Source::Mode, v->source);
    EXPECT_EQ(0u, v->ruleId);
    EXPECT_EQ(0u, v->flags & PG_EVF_HELD);
}

TEST_F(PolicyRulesTest, LockdownAllowsUnmodifiedPackagedProgramsOnly)
{
    // A fake dpkg database owning "game" (with its real checksum) and
    // "tool" (with a wrong one: modified after installation).
    const std::string rel = m_gate.path().substr(1);
    {
        std::ofstream list(m_dpkg + "/kioskapps.list");
        list << "/.\n" << m_gate.path() << "\n" << m_game << "\n" << m_tool << "\n";
        std::ofstream sums(m_dpkg + "/kioskapps.md5sums");
        sums << md5Of(m_game) << "  " << rel << "/game\n";
        sums << std::string(32, '0') << "  " << rel << "/tool\n";
    }
    const std::string downloaded = m_gate.installProgram("downloaded", "/bin/true");
    EventCollector &events = collector();
    controller(events, pg::Mode::Lockdown, Verdict::Block,
               {rule(pg::RuleKind::Package, "*", Verdict::Allow)}, /*closeAfter=*/true);
    ASSERT_TRUE(waitForLog("package index:")) << "the index was not built";
    EXPECT_EQ(0, run(m_game).first.error);
    EXPECT_EQ(EPERM, run(m_tool).first.error) << "a modified packaged file was trusted";
    EXPECT_EQ(EPERM, run(downloaded).first.error) << "a file no package owns was trusted";
}

// ---------------------------------------------------------------------
// Digests: off the answering thread, remembered, bounded
// ---------------------------------------------------------------------

TEST_F(PolicyRulesTest, UnrelatedStartDoesNotWaitWhileALargeProgramIsHashed)
{
    // Lockdown, one hash rule and a folder allow: every start needs its
    // digest. While a ~1 GB program is hashed, a small program nobody ran
    // before is decided first; the large one was held (past its budget,
    // frozen) and then allowed by the folder rule.
    const std::string big = bigProgram("big-game", 1000ll * 1024 * 1024);
    const std::string small = uniqueProgram("small-tool");
    EventCollector &events = collector();
    controller(events, pg::Mode::Lockdown, Verdict::Block,
               {rule(pg::RuleKind::Sha256, sha256Of(m_tool), Verdict::Block),
                rule(pg::RuleKind::Prefix, m_gate.path() + "/", Verdict::Allow)});
    const std::string bigTag = m_launcher.spawn(big);
    auto wait = events.waitFor(
        [&](const pg::Event &e) { return e.kind == pg::EventKind::Wait && e.image == big; });
    ASSERT_TRUE(wait) << "the large program's start was not reported as waiting for its digest";
    EXPECT_NE(0u, wait->holdId);
    EXPECT_TRUE(wait->flags & PG_EVF_DIGEST_WAIT);

    auto smallRun = run(small);
    ASSERT_EQ(0, smallRun.first.error) << std::strerror(smallRun.first.error);
    auto smallVerdict = events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, small); });
    ASSERT_TRUE(smallVerdict);
    std::cout << "small start while hashing: " << smallRun.first.micros << " us in posix_spawn\n";

    auto bigSpawn = m_launcher.waitSpawn(bigTag, Ms{30000});
    ASSERT_TRUE(bigSpawn);
    EXPECT_EQ(0, bigSpawn->error);
    auto bigVerdict =
        events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, big); }, Ms{30000});
    ASSERT_TRUE(bigVerdict);
    EXPECT_LT(smallVerdict->seq, bigVerdict->seq)
        << "the small start waited for the large program's digest";
    EXPECT_EQ(Verdict::Allow, bigVerdict->verdict);
    EXPECT_EQ(pg::Source::Rule, bigVerdict->source);
    EXPECT_EQ(wait->holdId, bigVerdict->holdId);
    EXPECT_TRUE(bigVerdict->flags & PG_EVF_DIGEST_WAIT);
    EXPECT_FALSE(bigVerdict->flags & PG_EVF_HELD) << "nobody was asked";
    const pg::Status st = status();
    EXPECT_GE(st.digestBytes, 1000ull * 1024 * 1024);
    EXPECT_GE(st.digestWaitMaxMs, 1u);
    EXPECT_EQ(0u, st.digestWaiting);
}

TEST_F(PolicyRulesTest, DigestsSurviveARestartAndAChangedFileIsHashedAgain)
{
    EventCollector &events = collector();
    controller(events, pg::Mode::Lockdown, Verdict::Block,
               {rule(pg::RuleKind::Sha256, sha256Of(m_game), Verdict::Block),
                rule(pg::RuleKind::Prefix, m_gate.path() + "/", Verdict::Allow)},
               /*closeAfter=*/true);
    EXPECT_EQ(EPERM, run(m_game).first.error);
    EXPECT_GE(status().digestMisses, 1u);
    stopDaemon();

    startDaemon({}, "daemon-2.log");
    EXPECT_EQ(EPERM, run(m_game).first.error);
    pg::Status st = status();
    EXPECT_EQ(0u, st.digestMisses) << "an unchanged, already hashed program was hashed again";
    EXPECT_GE(st.digestHits, 1u);

    {
        std::ofstream out(m_game, std::ios::app | std::ios::binary);
        out << "patched";
    }
    EXPECT_EQ(0, run(m_game).first.error) << "a changed file was served its old digest";
    EXPECT_EQ(1u, status().digestMisses);
}

TEST_F(PolicyRulesTest, ProgramOverTheSizeBoundIsDecidedByTheOtherRules)
{
    stopDaemon();
    startDaemon({"--digest-max-bytes", "4096"}, "daemon-bound.log");
    EventCollector &events = collector();
    controller(events, pg::Mode::Lockdown, Verdict::Block,
               {rule(pg::RuleKind::Sha256, sha256Of(m_game), Verdict::Block),
                rule(pg::RuleKind::Prefix, m_gate.path() + "/", Verdict::Allow)});
    EXPECT_EQ(0, run(m_game).first.error) << "the hash rule matched a file it may not read";
    auto v = events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, m_game); });
    ASSERT_TRUE(v);
    EXPECT_EQ(Verdict::Allow, v->verdict);
    EXPECT_EQ(2u, v->ruleId);
    EXPECT_TRUE(v->flags & PG_EVF_NO_DIGEST) << "the event does not say the digest was unknown";
    const pg::Status st = status();
    EXPECT_GE(st.digestUnknown, 1u);
    EXPECT_EQ(0u, st.digestBytes);
}

TEST_F(PolicyRulesTest, CorruptDigestCacheIsIgnoredWithAWarningAndRebuilt)
{
    EventCollector &events = collector();
    controller(events, pg::Mode::Lockdown, Verdict::Block,
               {rule(pg::RuleKind::Sha256, sha256Of(m_game), Verdict::Block),
                rule(pg::RuleKind::Prefix, m_gate.path() + "/", Verdict::Allow)},
               /*closeAfter=*/true);
    EXPECT_EQ(EPERM, run(m_game).first.error);
    stopDaemon();
    const std::string cache = stateDir() + "/digests";
    struct stat st;
    ASSERT_EQ(0, stat(cache.c_str(), &st)) << "no digest cache was saved at stop";
    ASSERT_EQ(0, truncate(cache.c_str(), st.st_size - 7)) << std::strerror(errno);

    startDaemon({}, "daemon-corrupt.log");
    EXPECT_TRUE(waitForLog("ignored, the digest cache is rebuilt"));
    EXPECT_EQ(EPERM, run(m_game).first.error) << "the hash rule stopped working";
    EXPECT_EQ(1u, status().digestMisses);
    stopDaemon();

    startDaemon({}, "daemon-rebuilt.log");
    EXPECT_EQ(EPERM, run(m_game).first.error);
    EXPECT_EQ(0u, status().digestMisses) << "the rebuilt cache was not saved";
    EXPECT_EQ(std::string::npos, m_daemon.log().find("digest cache is rebuilt"));
}

TEST_F(PolicyRulesTest, MonitorNeverHoldsAStartForItsDigest)
{
    EventCollector &events = collector();
    controller(events, pg::Mode::Monitor, Verdict::Allow,
               {rule(pg::RuleKind::Sha256, sha256Of(m_game), Verdict::Allow)});
    auto r = run(m_game);
    ASSERT_EQ(0, r.first.error);
    auto v = events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, m_game); });
    ASSERT_TRUE(v);
    EXPECT_EQ(pg::Source::Rule, v->source);
    EXPECT_EQ(0u, v->holdId);
    EXPECT_TRUE(v->flags & PG_EVF_DIGEST_WAIT);
    EXPECT_FALSE(v->flags & PG_EVF_WOULD_BLOCK) << "the hash allow was not seen";
    // An unknown program: reported as lockdown would see it.
    const std::string other = uniqueProgram("other");
    EXPECT_EQ(0, run(other).first.error);
    auto w = events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, other); });
    ASSERT_TRUE(w);
    EXPECT_TRUE(w->flags & PG_EVF_WOULD_BLOCK);
}

TEST_F(PolicyRulesTest, ControllerCannotAnswerAStartWaitingForItsDigest)
{
    // A person's allow must not skip the hash rule that blocks the program.
    const std::string big = bigProgram("big-blocked", 600ll * 1024 * 1024);
    EventCollector &events = collector();
    pg::KernelLink *link = controller(events, pg::Mode::Prompt, Verdict::Allow,
                                      {rule(pg::RuleKind::Sha256, sha256Of(big), Verdict::Block)});
    ASSERT_NE(nullptr, link);
    const std::string tag = m_launcher.spawn(big);
    auto wait = events.waitFor(
        [&](const pg::Event &e) { return e.kind == pg::EventKind::Wait && e.image == big; });
    ASSERT_TRUE(wait);
    pg::Error err = link->sendVerdicts({{wait->holdId, Verdict::Allow}});
    EXPECT_FALSE(err) << err.message;
    auto v = events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, big); }, Ms{30000});
    ASSERT_TRUE(v);
    EXPECT_EQ(Verdict::Block, v->verdict);
    EXPECT_EQ(pg::Source::Rule, v->source);
    (void)m_launcher.waitSpawn(tag, Ms{30000});
}
