// HoldsTest.cpp - frozen holds belong to the procguardd instance that made
// them. Two instances side by side, each gating its own private tmpfs,
// never release each other's frozen starts; after a crash
// (SIGKILL) the restarted daemon gives each start the previous run left
// frozen the verdict of the policy in force, never a blanket allow.
//
// Clean-up: every program a test froze is killed at the end if it is still
// in a procguard cgroup, and the cgroup directories of a daemon the test
// killed are removed, also when the test fails.
#include <gtest/gtest.h>

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "Harness.h"
#include "UnixSocketTransport.h"

using namespace pgtest;
using pg::Verdict;

namespace
{

using Clock = std::chrono::steady_clock;

bool isRequestFor(const pg::Event &e, const std::string &image)
{
    return e.kind == pg::EventKind::Request && e.image == image;
}

std::string cgroupOf(pid_t pid)
{
    return readFile("/proc/" + std::to_string(pid) + "/cgroup");
}

// The cgroup2 mount point ("" when there is none).
std::string cgroup2Mount()
{
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string id, parent, devno, root, point, field;
        f >> id >> parent >> devno >> root >> point;
        while (f >> field && field != "-") {
        }
        std::string type;
        f >> type;
        if (type == "cgroup2" && root == "/")
            return point;
    }
    return {};
}

// Removes what a killed daemon (by pid) left under <cgroup2>/procguard.
void removeInstanceCgroups(pid_t daemonPid)
{
    const std::string base = cgroup2Mount() + "/procguard";
    const std::string prefix = "run-" + std::to_string(daemonPid) + "-";
    DIR *d = opendir(base.c_str());
    if (d == nullptr)
        return;
    std::vector<std::string> runs;
    while (struct dirent *e = readdir(d)) {
        if (std::strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0)
            runs.push_back(base + "/" + e->d_name);
    }
    closedir(d);
    for (const std::string &run : runs) {
        if (DIR *r = opendir(run.c_str())) {
            std::vector<std::string> holds;
            while (struct dirent *e = readdir(r)) {
                if (std::strncmp(e->d_name, "hold-", 5) == 0)
                    holds.push_back(run + "/" + e->d_name);
            }
            closedir(r);
            for (const std::string &h : holds)
                rmdir(h.c_str());
        }
        rmdir(run.c_str());
    }
}

// One procguardd with its own gate, state, socket and controller.
struct Instance {
    TmpfsMount gate;
    ScratchDir scratch;
    Daemon daemon;
    std::string socket;
    std::vector<std::unique_ptr<EventCollector>> sinks;
    std::vector<std::unique_ptr<pg::KernelLink>> links;

    Instance() { socket = scratch.path() + "/pg.sock"; }
    ~Instance()
    {
        for (auto &l : links)
            l->close();
    }

    std::string statePath() const { return scratch.path() + "/state"; }

    bool start(std::string *error)
    {
        return daemon.start({"--watch", gate.path(), "--socket", socket, "--state-dir", statePath(),
                             "--log-level", "debug"},
                            socket, scratch.path() + "/daemon.log", error);
    }

    // A controller with the policy; stays connected.
    pg::KernelLink *controller(EventCollector **sinkOut, pg::Mode mode, Verdict def,
                               uint32_t budgetMs, std::vector<pg::Rule> rules = {})
    {
        auto link =
            std::make_unique<pg::KernelLink>(std::make_unique<pg::UnixSocketTransport>(socket));
        pg::ConnectOptions options;
        options.control = true;
        options.clientName = "holds-test";
        pg::ConnectInfo info;
        pg::Error err = link->connect(options, &info);
        EXPECT_FALSE(err) << err.message;
        if (err)
            return nullptr;
        sinks.push_back(std::make_unique<EventCollector>());
        link->start(sinks.back().get());
        *sinkOut = sinks.back().get();
        EXPECT_FALSE(setPolicy(*link, mode, def, budgetMs, std::move(rules)));
        links.push_back(std::move(link));
        return links.back().get();
    }

    static pg::Error setPolicy(pg::KernelLink &link, pg::Mode mode, Verdict def, uint32_t budgetMs,
                               std::vector<pg::Rule> rules)
    {
        pg::Policy p;
        p.mode = mode;
        p.defaultVerdict = def;
        p.timeoutMs = 60000;
        p.holdBudgetMs = budgetMs;
        p.rules = std::move(rules);
        return link.setPolicy(p);
    }
};

} // namespace

class HoldsTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_EQ(geteuid(), 0u) << "the integration tests need root (fanotify, tmpfs mounts)";
        if (cgroup2Mount().empty())
            GTEST_SKIP() << "no cgroup v2 on this machine: nothing is ever frozen";
        ASSERT_TRUE(m_launcher.ok()) << "could not start pg_launcher";
    }

    void TearDown() override
    {
        // Nothing a test froze may outlive it, whatever failed.
        for (pid_t pid : m_frozen) {
            if (cgroupOf(pid).find("/procguard/") != std::string::npos)
                ::kill(pid, SIGKILL);
        }
        for (pid_t pid : m_killedDaemons)
            removeInstanceCgroups(pid);
        if (HasFailure()) {
            for (Instance *i : m_instances)
                std::cerr << "---- procguardd log (" << i->gate.path() << ") ----\n"
                          << i->daemon.log() << "------------------------\n";
        }
    }

    Instance &instance()
    {
        m_owned.push_back(std::make_unique<Instance>());
        Instance &i = *m_owned.back();
        m_instances.push_back(&i);
        EXPECT_TRUE(i.gate.ok()) << "could not mount a private tmpfs: " << std::strerror(errno);
        std::string error;
        EXPECT_TRUE(i.start(&error)) << error;
        return i;
    }

    // Starts path, waits for the launcher to return (the hold budget
    // passed) and the request; the program is then frozen.
    pid_t startFrozen(EventCollector &events, const std::string &path, std::string *tag)
    {
        *tag = m_launcher.spawn(path);
        auto r = m_launcher.waitSpawn(*tag);
        EXPECT_TRUE(r) << "posix_spawn of " << path << " did not return";
        if (!r || r->error != 0)
            return -1;
        m_frozen.push_back(r->pid);
        EXPECT_TRUE(events.waitFor([&](const pg::Event &e) { return isRequestFor(e, path); }));
        // Frozen: it cannot run its first instruction, so it cannot exit.
        EXPECT_FALSE(m_launcher.waitExit(*tag, Ms{300})) << path << " ran while held";
        return r->pid;
    }

    // Waits (bounded) until the daemon's log holds text.
    static bool waitForLog(const Daemon &d, const std::string &text, Ms timeout = Ms{5000})
    {
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            if (d.log().find(text) != std::string::npos)
                return true;
            usleep(20 * 1000);
        }
        return false;
    }

    Launcher m_launcher;
    std::vector<std::unique_ptr<Instance>> m_owned;
    std::vector<Instance *> m_instances;
    std::vector<pid_t> m_frozen;
    std::vector<pid_t> m_killedDaemons;
};

TEST_F(HoldsTest, TwoInstancesSideBySideNeverReleaseEachOthersFrozenStarts)
{
    Instance &a = instance();
    const std::string progA = a.gate.installProgram("held-by-a");
    EventCollector *eventsA = nullptr;
    pg::KernelLink *linkA = a.controller(&eventsA, pg::Mode::Prompt, Verdict::Block, 200);
    ASSERT_TRUE(linkA);
    std::string tagA;
    const pid_t pidA = startFrozen(*eventsA, progA, &tagA);
    ASSERT_GT(pidA, 0);
    const std::string cgroupA = cgroupOf(pidA);
    ASSERT_NE(cgroupA.find("/procguard/run-" + std::to_string(a.daemon.pid()) + "-"),
              std::string::npos)
        << "the hold is not in instance A's own directory: " << cgroupA;

    // B starts while A holds: its start-up must leave A's hold alone.
    Instance &b = instance();
    const std::string progB = b.gate.installProgram("held-by-b");
    EventCollector *eventsB = nullptr;
    pg::KernelLink *linkB = b.controller(&eventsB, pg::Mode::Prompt, Verdict::Allow, 200);
    ASSERT_TRUE(linkB);
    EXPECT_FALSE(m_launcher.waitExit(tagA, Ms{300})) << "starting B released A's frozen start";
    EXPECT_EQ(cgroupOf(pidA), cgroupA);

    // B freezes one of its own; a clean stop of B gives B's hold B's
    // default verdict (allow) and leaves A's frozen.
    std::string tagB;
    ASSERT_GT(startFrozen(*eventsB, progB, &tagB), 0);
    linkB->close();
    EXPECT_EQ(b.daemon.stop(SIGTERM), 0);
    auto statusB = m_launcher.waitExit(tagB);
    ASSERT_TRUE(statusB) << "B's own frozen start was not released at B's stop";
    EXPECT_TRUE(WIFEXITED(*statusB) && WEXITSTATUS(*statusB) == 0);
    EXPECT_FALSE(m_launcher.waitExit(tagA, Ms{300})) << "stopping B released A's frozen start";

    // B again, then killed: neither its start nor its crash touches A.
    std::string error;
    ASSERT_TRUE(b.start(&error)) << error;
    EXPECT_FALSE(m_launcher.waitExit(tagA, Ms{300})) << "restarting B released A's frozen start";
    m_killedDaemons.push_back(b.daemon.pid());
    b.daemon.stop(SIGKILL);
    EXPECT_EQ(cgroupOf(pidA), cgroupA);

    // A still owns its hold: its verdict decides.
    auto req = eventsA->waitFor([&](const pg::Event &e) { return isRequestFor(e, progA); });
    ASSERT_TRUE(req);
    ASSERT_FALSE(linkA->sendVerdicts({{req->holdId, Verdict::Block}}));
    auto statusA = m_launcher.waitExit(tagA);
    ASSERT_TRUE(statusA);
    EXPECT_TRUE(WIFSIGNALED(*statusA) && WTERMSIG(*statusA) == SIGKILL);
}

TEST_F(HoldsTest, AfterACrashInLockdownFrozenStartsGetThePolicysVerdict)
{
    Instance &a = instance();
    const std::string listed = a.gate.installProgram("listed");
    const std::string unlisted = a.gate.installProgram("unlisted");
    // Prompt with a short budget freezes both starts while the person
    // "thinks"; then lockdown with one of them listed is put in force.
    EventCollector *events = nullptr;
    pg::KernelLink *link = a.controller(&events, pg::Mode::Prompt, Verdict::Allow, 200);
    ASSERT_TRUE(link);
    std::string tagListed, tagUnlisted;
    ASSERT_GT(startFrozen(*events, listed, &tagListed), 0);
    ASSERT_GT(startFrozen(*events, unlisted, &tagUnlisted), 0);
    const std::string policyFile = a.statePath() + "/policy.bin";
    const std::string before = readFile(policyFile);
    ASSERT_FALSE(Instance::setPolicy(*link, pg::Mode::Lockdown, Verdict::Allow, 200,
                                     {exactRule(listed, Verdict::Allow)}));
    // The policy in force is persisted by a writer thread: wait for it.
    const auto deadline = Clock::now() + Ms{5000};
    while (readFile(policyFile) == before && Clock::now() < deadline)
        usleep(20 * 1000);
    ASSERT_NE(readFile(policyFile), before) << "the lockdown policy was never persisted";

    // Crash: the frozen starts stay frozen, nobody decides them.
    m_killedDaemons.push_back(a.daemon.pid());
    a.daemon.stop(SIGKILL); // before the link closes: a disconnect decides holds
    link->close();
    EXPECT_FALSE(m_launcher.waitExit(tagListed, Ms{300})) << "a frozen start ran after the crash";
    EXPECT_FALSE(m_launcher.waitExit(tagUnlisted, Ms{1})) << "a frozen start ran after the crash";

    // Restart: the policy in force decides each (default verdict allow
    // must not matter: lockdown blocks what is not listed).
    std::string error;
    ASSERT_TRUE(a.start(&error)) << error;
    auto listedStatus = m_launcher.waitExit(tagListed);
    ASSERT_TRUE(listedStatus) << "the listed program was not thawed";
    EXPECT_TRUE(WIFEXITED(*listedStatus) && WEXITSTATUS(*listedStatus) == 0);
    auto unlistedStatus = m_launcher.waitExit(tagUnlisted);
    ASSERT_TRUE(unlistedStatus) << "the unlisted program was neither killed nor thawed";
    EXPECT_TRUE(WIFSIGNALED(*unlistedStatus) && WTERMSIG(*unlistedStatus) == SIGKILL)
        << "the unlisted program ran after the restart";
    // The log says what was done to each.
    EXPECT_TRUE(waitForLog(a.daemon, "image=" + listed + " verdict=allow source=rule"));
    EXPECT_TRUE(waitForLog(a.daemon, "image=" + unlisted + " verdict=block source=mode"));
    // The crashed run's directory is gone once its holds were decided.
    const std::string crashed = "run-" + std::to_string(m_killedDaemons.back()) + "-";
    bool left = true;
    for (int i = 0; i < 50 && left; ++i) {
        left = false;
        if (DIR *d = opendir((cgroup2Mount() + "/procguard").c_str())) {
            while (struct dirent *e = readdir(d))
                left = left || std::strncmp(e->d_name, crashed.c_str(), crashed.size()) == 0;
            closedir(d);
        }
        if (left)
            usleep(20 * 1000);
    }
    EXPECT_FALSE(left) << "procguard/" << crashed << "* still exists";
}

TEST_F(HoldsTest, AfterACrashInPromptWithNoClientFrozenStartsGetTheDefaultVerdict)
{
    Instance &a = instance();
    const std::string prog = a.gate.installProgram("asked");
    EventCollector *events = nullptr;
    pg::KernelLink *link = a.controller(&events, pg::Mode::Prompt, Verdict::Block, 200);
    ASSERT_TRUE(link);
    std::string tag;
    ASSERT_GT(startFrozen(*events, prog, &tag), 0);
    m_killedDaemons.push_back(a.daemon.pid());
    a.daemon.stop(SIGKILL); // before the link closes: a disconnect decides holds
    link->close();
    EXPECT_FALSE(m_launcher.waitExit(tag, Ms{300}));
    std::string error;
    ASSERT_TRUE(a.start(&error)) << error;
    auto status = m_launcher.waitExit(tag);
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL)
        << "prompt's default verdict (block) was not applied";
    EXPECT_TRUE(waitForLog(a.daemon, "image=" + prog + " verdict=block source=no-client"));
}
