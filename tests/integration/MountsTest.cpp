// MountsTest.cpp - execs the start-up marks do not cover: a filesystem
// mounted below the watched path after procguardd started is gated as it
// appears; one mounted elsewhere stays outside the test's scope; a program
// run from an in-memory file (memfd) is refused while prompt or lockdown
// is in force (vm.memfd_noexec=2) and the sysctl is restored when it ends,
// at stop and after a crash. Each test has its own daemon gating only its
// own private tmpfs; every mount and the sysctl are restored by RAII, also
// when a test fails.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>

#include "Harness.h"
#include "UnixSocketTransport.h"

using namespace pgtest;
using pg::Verdict;

namespace
{

using Clock = std::chrono::steady_clock;

// A tmpfs mounted at a path the test chose; unmounted on destruction.
class ExtraTmpfs
{
public:
    explicit ExtraTmpfs(const std::string &path) : m_path(path)
    {
        m_madeDir = mkdir(path.c_str(), 0755) == 0;
        m_mounted = mount("pg-test-late", path.c_str(), "tmpfs", 0, "size=16m,mode=0755") == 0;
    }
    ~ExtraTmpfs()
    {
        if (m_mounted)
            umount2(m_path.c_str(), MNT_DETACH);
        if (m_madeDir)
            rmdir(m_path.c_str());
    }
    ExtraTmpfs(const ExtraTmpfs &) = delete;
    ExtraTmpfs &operator=(const ExtraTmpfs &) = delete;
    bool ok() const { return m_mounted; }

    std::string install(const std::string &name, const std::string &source)
    {
        const std::string dest = m_path + "/" + name;
        std::ifstream in(source, std::ios::binary);
        std::ofstream out(dest, std::ios::binary | std::ios::trunc);
        out << in.rdbuf();
        out.close();
        return out && chmod(dest.c_str(), 0755) == 0 ? dest : std::string();
    }

private:
    std::string m_path;
    bool m_madeDir = false;
    bool m_mounted = false;
};

const char kMemfdSysctl[] = "/proc/sys/vm/memfd_noexec";

int readMemfdNoexec()
{
    std::ifstream in(kMemfdSysctl);
    int v = -1;
    in >> v;
    return in ? v : -1;
}

void writeMemfdNoexec(int v)
{
    std::ofstream out(kMemfdSysctl);
    out << v << '\n';
}

// Puts vm.memfd_noexec back as it was, whatever the test did.
class MemfdSysctlGuard
{
public:
    MemfdSysctlGuard() : m_saved(readMemfdNoexec()) {}
    ~MemfdSysctlGuard()
    {
        if (m_saved >= 0 && readMemfdNoexec() != m_saved)
            writeMemfdNoexec(m_saved);
    }
    MemfdSysctlGuard(const MemfdSysctlGuard &) = delete;
    MemfdSysctlGuard &operator=(const MemfdSysctlGuard &) = delete;
    int saved() const { return m_saved; }

private:
    int m_saved;
};

} // namespace

class MountsTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_EQ(geteuid(), 0u) << "the integration tests need root (fanotify, tmpfs mounts)";
        ASSERT_TRUE(m_gate.ok()) << "could not mount a private tmpfs: " << std::strerror(errno);
        m_socket = m_scratch.path() + "/pg.sock";
        startDaemon();
        ASSERT_TRUE(m_launcher.ok()) << "could not start pg_launcher";
    }

    virtual std::vector<std::string> extraArgs() const { return {}; }

    void startDaemon()
    {
        std::vector<std::string> args{"--watch",     m_gate.path(), "--socket",
                                      m_socket,      "--state-dir", m_scratch.path() + "/state",
                                      "--log-level", "debug"};
        const std::vector<std::string> extra = extraArgs();
        args.insert(args.end(), extra.begin(), extra.end());
        std::string error;
        ASSERT_TRUE(m_daemon.start(args, m_socket, m_scratch.path() + "/daemon.log", &error))
            << error;
    }

    void TearDown() override
    {
        if (m_link)
            m_link->close();
        if (HasFailure())
            std::cerr << "---- procguardd log ----\n"
                      << m_daemon.log() << "------------------------\n";
    }

    void lockdown(std::vector<pg::Rule> rules) { setMode(pg::Mode::Lockdown, std::move(rules)); }

    void setMode(pg::Mode mode, std::vector<pg::Rule> rules = {})
    {
        if (m_link)
            m_link->close();
        pg::Policy p;
        p.mode = mode;
        p.defaultVerdict = Verdict::Block;
        p.timeoutMs = 5000;
        p.holdBudgetMs = 500;
        p.rules = std::move(rules);
        std::string error;
        m_link = controlWithPolicy(m_socket, p, &m_events, &error, "mounts-test");
        ASSERT_TRUE(m_link) << error;
    }

    // posix_spawn's error (0: started) and, when started, the exit code.
    std::pair<int, int> run(const std::string &path)
    {
        const std::string tag = m_launcher.spawn(path);
        auto r = m_launcher.waitSpawn(tag);
        EXPECT_TRUE(r) << "posix_spawn of " << path << " did not return";
        if (!r)
            return {-1, -1};
        if (r->error != 0)
            return {r->error, -1};
        auto status = m_launcher.waitExit(tag);
        return {0, status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1};
    }

    // The policy in force is written by a thread of the daemon: waits
    // (bounded) until it says the file was saved (first start: only one).
    bool waitForPersistedPolicy()
    {
        return waitForLog("saved to " + m_scratch.path() + "/state/policy.bin");
    }

    bool waitForLog(const std::string &text, Ms timeout = Ms{5000})
    {
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            if (m_daemon.log().find(text) != std::string::npos)
                return true;
            usleep(10 * 1000);
        }
        return false;
    }

    TmpfsMount m_gate;
    ScratchDir m_scratch;
    Daemon m_daemon;
    Launcher m_launcher;
    std::string m_socket;
    EventCollector m_events;
    std::unique_ptr<pg::KernelLink> m_link;
};

TEST_F(MountsTest, FilesystemMountedBelowTheWatchedPathAfterStartIsGated)
{
    const std::string sub = m_gate.path() + "/stick";
    ExtraTmpfs late(sub);
    ASSERT_TRUE(late.ok()) << "could not mount below the gate: " << std::strerror(errno);
    ASSERT_TRUE(waitForLog("gating the filesystem mounted at " + sub))
        << "the new filesystem was not gated";
    const std::string unlisted = late.install("unlisted", "/bin/true");
    const std::string listed = late.install("listed", "/bin/true");
    ASSERT_FALSE(unlisted.empty());
    lockdown({exactRule(listed, Verdict::Allow)});
    EXPECT_EQ(run(unlisted).first, EPERM) << "an unlisted program on the new filesystem ran";
    EXPECT_EQ(run(listed), std::make_pair(0, 0));
    auto v = m_events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Verdict && e.image == unlisted;
    });
    ASSERT_TRUE(v);
    EXPECT_EQ(v->verdict, Verdict::Block);
}

TEST_F(MountsTest, FilesystemAlreadyMountedBelowTheWatchedPathAtStartIsGated)
{
    EXPECT_EQ(m_daemon.stop(SIGTERM), 0);
    const std::string sub = m_gate.path() + "/media";
    ExtraTmpfs early(sub);
    ASSERT_TRUE(early.ok());
    const std::string unlisted = early.install("unlisted", "/bin/true");
    ASSERT_FALSE(unlisted.empty());
    startDaemon();
    ASSERT_TRUE(waitForLog("gating the filesystem mounted at " + sub));
    lockdown({});
    EXPECT_EQ(run(unlisted).first, EPERM) << "a filesystem below the watched path was not gated";
}

TEST_F(MountsTest, FilesystemMountedOutsideTheWatchedPathIsLeftAlone)
{
    // The scope is what the operator asked for: a test daemon never
    // reaches beyond its own tmpfs.
    ScratchDir elsewhere;
    const std::string dir = elsewhere.path() + "/other";
    ExtraTmpfs late(dir);
    ASSERT_TRUE(late.ok());
    const std::string prog = late.install("prog", "/bin/true");
    lockdown({});
    EXPECT_EQ(run(prog), std::make_pair(0, 0));
    EXPECT_EQ(m_daemon.log().find("gating the filesystem mounted at " + dir), std::string::npos);
}

// The daemon as shipped: vm.memfd_noexec follows the mode.
class MemfdTest : public MountsTest
{
protected:
    std::vector<std::string> extraArgs() const override { return {"--memfd-noexec"}; }

    // pg_memfd_exec runs /bin/true from a memfd: 0 when it ran, 126 when
    // refused.
    int runFromMemory()
    {
        const std::string tag = m_launcher.spawn(PG_MEMFD_EXEC_PATH, {"/bin/true"});
        auto r = m_launcher.waitSpawn(tag);
        EXPECT_TRUE(r && r->error == 0) << "could not start pg_memfd_exec";
        if (!r || r->error != 0)
            return -1;
        auto status = m_launcher.waitExit(tag);
        return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
    }

    MemfdSysctlGuard m_sysctl; // constructed before SetUp starts the daemon
};

TEST_F(MemfdTest, ProgramRunFromMemoryIsRefusedInLockdownAndTheSysctlRestored)
{
    const int before = m_sysctl.saved();
    if (before < 0)
        GTEST_SKIP() << "this kernel has no vm.memfd_noexec";
    if (before == 2)
        GTEST_SKIP() << "vm.memfd_noexec is 2 on this machine already: nothing to tell apart";
    // Monitor (the first start's policy) leaves it alone, and reports the
    // exec no gate could see (DaemonUnseen.cpp).
    setMode(pg::Mode::Monitor);
    EXPECT_EQ(readMemfdNoexec(), before);
    EXPECT_EQ(runFromMemory(), 0);
    auto v = m_events.waitFor([](const pg::Event &e) {
        // Named "/memfd:..." while it runs; /bin/true may end before
        // its name can be read.
        return e.kind == pg::EventKind::Verdict && (e.flags & PG_EVF_UNSEEN) != 0 &&
               (e.image.empty() || e.image.rfind("/memfd:", 0) == 0);
    });
    ASSERT_TRUE(v) << "the in-memory program was not reported";
    EXPECT_TRUE(v->flags & PG_EVF_WOULD_BLOCK);

    lockdown({});
    EXPECT_EQ(readMemfdNoexec(), 2);
    EXPECT_EQ(runFromMemory(), 126) << "a program ran from a memfd in lockdown";

    setMode(pg::Mode::Monitor);
    EXPECT_EQ(readMemfdNoexec(), before) << "not restored when lockdown ended";
    EXPECT_EQ(runFromMemory(), 0);

    setMode(pg::Mode::Prompt);
    EXPECT_EQ(readMemfdNoexec(), 2);
    m_link->close();
    EXPECT_EQ(m_daemon.stop(SIGTERM), 0);
    EXPECT_EQ(readMemfdNoexec(), before) << "not restored at stop";
}

TEST_F(MemfdTest, AfterACrashTheNextStartRestoresTheValueTheSystemHad)
{
    const int before = m_sysctl.saved();
    if (before < 0 || before == 2)
        GTEST_SKIP() << "vm.memfd_noexec is missing or 2 already";
    lockdown({});
    ASSERT_EQ(readMemfdNoexec(), 2);
    ASSERT_TRUE(waitForPersistedPolicy()) << "the lockdown policy was never persisted";
    m_link->close();
    m_daemon.stop(SIGKILL);
    // The crash leaves it set; the restarted daemon (lockdown persisted)
    // keeps it and remembers the value from before the crash.
    ASSERT_EQ(readMemfdNoexec(), 2);
    startDaemon();
    EXPECT_EQ(readMemfdNoexec(), 2);
    EXPECT_EQ(runFromMemory(), 126);
    EXPECT_EQ(m_daemon.stop(SIGTERM), 0);
    EXPECT_EQ(readMemfdNoexec(), before) << "the value from before the crash was lost";
}

TEST_F(MemfdTest, OptOutLeavesTheSysctlAloneAndRestoresACrashedRunsSetting)
{
    const int before = m_sysctl.saved();
    if (before < 0 || before == 2)
        GTEST_SKIP() << "vm.memfd_noexec is missing or 2 already";
    lockdown({});
    ASSERT_EQ(readMemfdNoexec(), 2);
    m_link->close();
    m_daemon.stop(SIGKILL);
    std::string error;
    ASSERT_TRUE(m_daemon.start({"--watch", m_gate.path(), "--socket", m_socket, "--state-dir",
                                m_scratch.path() + "/state", "--no-memfd-noexec"},
                               m_socket, m_scratch.path() + "/daemon.log", &error))
        << error;
    EXPECT_EQ(readMemfdNoexec(), before);
    EXPECT_EQ(runFromMemory(), 0) << "--no-memfd-noexec still refused in-memory programs";
}

// Execs the gate cannot see: a tmpfs an unprivileged user mounts in a user
// and mount namespace of its own, below the watched path. No mark can be
// placed on it before its first exec; the process facts report the exec
// right after it, and prompt and lockdown end it there.
class UnseenExecTest : public MountsTest
{
protected:
    void SetUp() override
    {
        MountsTest::SetUp();
        m_inner = m_gate.path() + "/inner";
        ASSERT_EQ(0, mkdir(m_inner.c_str(), 0777));
        chmod(m_inner.c_str(), 0777);
    }

    // As "nobody", in a user and mount namespace of its own: mounts a tmpfs
    // on the inner folder, copies a program there and runs it. Returns the
    // shell's exit code: 0 when the program ran, 128 + 9 when it was killed.
    int runFromOwnTmpfs()
    {
        const std::string prog = m_inner + "/prog";
        const std::string script =
            "mount -t tmpfs none " + m_inner + " && cp /bin/sleep " + prog + " && " + prog + " 0.3";
        const std::string tag = m_launcher.spawn(
            "/usr/bin/setpriv", {"--reuid=65534", "--regid=65534", "--clear-groups", "--",
                                 "/usr/bin/unshare", "-Urm", "/bin/sh", "-c", script});
        auto r = m_launcher.waitSpawn(tag);
        EXPECT_TRUE(r && r->error == 0) << "could not start setpriv";
        if (!r || r->error != 0)
            return -1;
        auto status = m_launcher.waitExit(tag);
        EXPECT_TRUE(status) << "the namespace script did not end";
        return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
    }

    std::optional<pg::Event> unseenVerdict()
    {
        return m_events.waitFor([&](const pg::Event &e) {
            return e.kind == pg::EventKind::Verdict && (e.flags & PG_EVF_UNSEEN) != 0 &&
                   e.image == m_inner + "/prog";
        });
    }

    std::string m_inner;
};

TEST_F(UnseenExecTest, LockdownEndsAProgramRunFromAUserNamespacesOwnTmpfs)
{
    lockdown({});
    EXPECT_EQ(runFromOwnTmpfs(), 128 + SIGKILL) << "the program was not ended";
    auto v = unseenVerdict();
    ASSERT_TRUE(v) << "no event reports the unseen exec";
    EXPECT_EQ(v->verdict, Verdict::Block);
    EXPECT_TRUE(v->flags & PG_EVF_KILLED);
    EXPECT_EQ(v->uid, 65534u);
    // The window it could run in is measured and reported.
    EXPECT_LT(v->status, 1000000u) << "it ran for a second or more";
    std::cout << "the unseen program ran " << v->status << " us on a CPU before it was ended\n";
    // status says the class is closed.
    pg::Status st;
    ASSERT_FALSE(m_link->getStatus(&st));
    EXPECT_TRUE(st.gateMeasures & PG_GATE_UNSEEN);
    EXPECT_FALSE(st.gateOpen & PG_GATE_UNSEEN);
    EXPECT_TRUE(st.gateMeasures & PG_GATE_LOADER);
}

TEST_F(UnseenExecTest, MonitorReportsWhatLockdownWouldEnd)
{
    setMode(pg::Mode::Monitor);
    EXPECT_EQ(runFromOwnTmpfs(), 0);
    auto v = unseenVerdict();
    ASSERT_TRUE(v) << "no event reports the unseen exec";
    EXPECT_EQ(v->verdict, Verdict::Allow);
    EXPECT_TRUE(v->flags & PG_EVF_WOULD_BLOCK);
    EXPECT_FALSE(v->flags & PG_EVF_KILLED);
}

class UnseenExecReportedTest : public UnseenExecTest
{
protected:
    std::vector<std::string> extraArgs() const override { return {"--unseen-execs", "report"}; }
};

TEST_F(UnseenExecReportedTest, OptingOutOnlyReportsItAndStatusSaysSo)
{
    lockdown({});
    EXPECT_EQ(runFromOwnTmpfs(), 0) << "--unseen-execs report still ended it";
    auto v = unseenVerdict();
    ASSERT_TRUE(v) << "no event reports the unseen exec";
    EXPECT_FALSE(v->flags & PG_EVF_KILLED);
    // status names the class left open.
    pg::Status st;
    ASSERT_FALSE(m_link->getStatus(&st));
    EXPECT_TRUE(st.gateOpen & PG_GATE_UNSEEN);
}
