// DaemonTest.cpp - procguardd on a real kernel: real execs held, allowed,
// blocked, timed out, frozen past the launcher budget; disconnects, access
// control, malformed input, shutdown. Each test has its own daemon gating
// only its own private tmpfs.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/bpf.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <set>

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

} // namespace

class DaemonTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_EQ(geteuid(), 0u) << "the integration tests need root (fanotify, tmpfs mounts)";
        ASSERT_TRUE(m_gate.ok()) << "could not mount a private tmpfs: " << std::strerror(errno);
        m_allowed = m_gate.installProgram("allowed");
        // A name with a space and non-ASCII characters: paths travel as UTF-8.
        m_other = m_gate.installProgram("other prog \xc3\xbc");
        ASSERT_FALSE(m_allowed.empty());
        ASSERT_FALSE(m_other.empty());
        m_socket = m_scratch.path() + "/pg.sock";
        startDaemon();
        ASSERT_TRUE(m_launcher.ok()) << "could not start pg_launcher";
    }

    void TearDown() override
    {
        for (auto &link : m_links)
            link->close();
        if (HasFailure() && !m_logIsFifo)
            std::cerr << "---- procguardd log ----\n"
                      << m_daemon.log() << "------------------------\n";
    }

    void startDaemon(const std::vector<std::string> &extra = {}, std::string logPath = {})
    {
        if (logPath.empty())
            logPath = m_scratch.path() + "/daemon.log";
        std::vector<std::string> args{"--watch",     m_gate.path(), "--socket",
                                      m_socket,      "--state-dir", m_scratch.path() + "/state",
                                      "--log-level", "debug"};
        args.insert(args.end(), extra.begin(), extra.end());
        std::string error;
        ASSERT_TRUE(m_daemon.start(args, m_socket, logPath, &error)) << error;
    }

    pg::KernelLink *connect(bool control, EventCollector *sink, pg::Error *error = nullptr,
                            pg::ConnectInfo *info = nullptr, bool observerIfTaken = false)
    {
        auto link =
            std::make_unique<pg::KernelLink>(std::make_unique<pg::UnixSocketTransport>(m_socket));
        pg::ConnectOptions options;
        options.control = control;
        options.observerIfTaken = observerIfTaken;
        options.clientName = "integration-test";
        pg::ConnectInfo local;
        pg::Error err = link->connect(options, info ? info : &local);
        if (error)
            *error = err;
        if (err)
            return nullptr;
        if (!sink) {
            m_sinks.push_back(std::make_unique<EventCollector>());
            sink = m_sinks.back().get();
        }
        link->start(sink);
        m_links.push_back(std::move(link));
        return m_links.back().get();
    }

    // Connects a controller with the given policy and returns it.
    pg::KernelLink *controller(EventCollector &sink, pg::Mode mode, Verdict defaultVerdict,
                               uint32_t timeoutMs, uint32_t budgetMs,
                               std::vector<pg::Rule> rules = {})
    {
        pg::Error err;
        pg::KernelLink *link = connect(true, &sink, &err);
        EXPECT_TRUE(link) << err.message;
        if (!link)
            return nullptr;
        setPolicy(*link, mode, defaultVerdict, timeoutMs, budgetMs, std::move(rules));
        return link;
    }

    void setPolicy(pg::KernelLink &link, pg::Mode mode, Verdict defaultVerdict, uint32_t timeoutMs,
                   uint32_t budgetMs, std::vector<pg::Rule> rules = {})
    {
        pg::Policy p;
        p.mode = mode;
        p.defaultVerdict = defaultVerdict;
        p.timeoutMs = timeoutMs;
        p.holdBudgetMs = budgetMs;
        p.rules = std::move(rules);
        pg::Error err = link.setPolicy(p);
        EXPECT_FALSE(err) << err.message;
    }

    // Sinks live as long as the fixture: links are closed in TearDown, after
    // the test body's locals are gone.
    EventCollector &collector()
    {
        m_sinks.push_back(std::make_unique<EventCollector>());
        return *m_sinks.back();
    }

    // Waits (bounded) until the daemon counts n connected clients.
    void waitForClients(uint32_t n)
    {
        auto deadline = Clock::now() + Ms{5000};
        for (;;) {
            pg::Error err;
            pg::KernelLink *probe = connect(false, nullptr, &err);
            ASSERT_TRUE(probe) << err.message;
            pg::Status st;
            ASSERT_FALSE(probe->getStatus(&st));
            probe->close();
            if (st.clients >= n + 1) // the probe counts too
                return;
            ASSERT_LT(Clock::now(), deadline) << "only " << st.clients - 1 << " clients connected";
            usleep(50 * 1000);
        }
    }

    // Starts path through the launcher and waits for posix_spawn to return.
    SpawnResult run(const std::string &path, std::string *tagOut = nullptr)
    {
        std::string tag = m_launcher.spawn(path);
        if (tagOut)
            *tagOut = tag;
        auto r = m_launcher.waitSpawn(tag);
        EXPECT_TRUE(r) << "posix_spawn of " << path << " did not return within 10 s";
        return r.value_or(SpawnResult{});
    }

    TmpfsMount m_gate;
    ScratchDir m_scratch;
    Daemon m_daemon;
    Launcher m_launcher;
    std::string m_socket;
    std::string m_allowed;
    std::string m_other;
    bool m_logIsFifo = false;
    std::vector<std::unique_ptr<EventCollector>> m_sinks;
    std::vector<std::unique_ptr<pg::KernelLink>> m_links;
};

TEST_F(DaemonTest, AllowedProgramRunsInLockdown)
{
    EventCollector &events = collector();
    controller(events, pg::Mode::Lockdown, Verdict::Block, 5000, 500,
               {exactRule(m_allowed, Verdict::Allow)});
    std::string tag;
    SpawnResult r = run(m_allowed, &tag);
    ASSERT_EQ(r.error, 0) << std::strerror(r.error);
    auto status = m_launcher.waitExit(tag);
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
    auto v = events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, m_allowed); });
    ASSERT_TRUE(v);
    EXPECT_EQ(v->verdict, Verdict::Allow);
    EXPECT_EQ(v->source, pg::Source::Rule);
    EXPECT_NE(v->ruleId, 0u);
}

TEST_F(DaemonTest, BlockedProgramFailsWithEpermAndVerdictAppearsInMonitor)
{
    EventCollector &events = collector();
    controller(events, pg::Mode::Lockdown, Verdict::Allow, 5000, 500,
               {exactRule(m_other, Verdict::Block)});
    ChildProcess monitor;
    ASSERT_TRUE(monitor.start({procguardctlPath(), "--socket", m_socket, "monitor", "--json"}));
    waitForClients(2);
    SpawnResult r = run(m_other);
    EXPECT_EQ(r.error, EPERM) << std::strerror(r.error);
    auto line = monitor.waitLine([](const std::string &l) {
        return l.find("\"verdict\"") != std::string::npos &&
               l.find("other prog") != std::string::npos && l.find("block") != std::string::npos;
    });
    EXPECT_TRUE(line) << "procguardctl monitor did not report the blocked start";
}

TEST_F(DaemonTest, PromptAnsweredAllowRunsTheProgram)
{
    EventCollector &events = collector();
    pg::KernelLink *link = controller(events, pg::Mode::Prompt, Verdict::Block, 10000, 0);
    ASSERT_TRUE(link);
    std::string tag = m_launcher.spawn(m_other);
    auto req = events.waitFor([&](const pg::Event &e) { return isRequestFor(e, m_other); });
    ASSERT_TRUE(req) << "no request for the held start";
    EXPECT_NE(req->holdId, 0u);
    EXPECT_EQ(req->defaultVerdict, Verdict::Block);
    ASSERT_FALSE(link->sendVerdicts({{req->holdId, Verdict::Allow}}));
    auto r = m_launcher.waitSpawn(tag);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error, 0);
    auto status = m_launcher.waitExit(tag);
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
    auto v = events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Verdict && e.holdId == req->holdId;
    });
    ASSERT_TRUE(v);
    EXPECT_EQ(v->source, pg::Source::Client);
}

TEST_F(DaemonTest, PromptAnsweredBlockFailsWithEperm)
{
    EventCollector &events = collector();
    pg::KernelLink *link = controller(events, pg::Mode::Prompt, Verdict::Allow, 10000, 0);
    ASSERT_TRUE(link);
    std::string tag = m_launcher.spawn(m_other);
    auto req = events.waitFor([&](const pg::Event &e) { return isRequestFor(e, m_other); });
    ASSERT_TRUE(req);
    ASSERT_FALSE(link->sendVerdicts({{req->holdId, Verdict::Block}}));
    auto r = m_launcher.waitSpawn(tag);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error, EPERM);
}

TEST_F(DaemonTest, NoAnswerGetsTheDefaultVerdictAfterTheTimeout)
{
    EventCollector &events = collector();
    controller(events, pg::Mode::Prompt, Verdict::Block, 400, 0);
    auto begin = Clock::now();
    SpawnResult r = run(m_other);
    auto waited = std::chrono::duration_cast<Ms>(Clock::now() - begin);
    EXPECT_EQ(r.error, EPERM);
    EXPECT_GE(waited.count(), 350) << "decided before the timeout";
    auto v = events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, m_other); });
    ASSERT_TRUE(v);
    EXPECT_EQ(v->source, pg::Source::Timeout);
    EXPECT_EQ(v->verdict, Verdict::Block);
}

TEST_F(DaemonTest, SlowBlockPastTheBudgetReleasesLauncherAndKillsFrozenProgram)
{
    EventCollector &events = collector();
    pg::KernelLink *link = controller(events, pg::Mode::Prompt, Verdict::Allow, 20000, 200);
    ASSERT_TRUE(link);
    std::string tag;
    SpawnResult r = run(m_other, &tag);
    // The launcher got its answer after the budget: the exec went through...
    ASSERT_EQ(r.error, 0);
    auto req = events.waitFor([&](const pg::Event &e) { return isRequestFor(e, m_other); });
    ASSERT_TRUE(req);
    // ...but the program is frozen before its first instruction: it cannot exit.
    EXPECT_FALSE(m_launcher.waitExit(tag, Ms{500})) << "a held program ran past the budget";
    std::string cgroup = readFile("/proc/" + std::to_string(r.pid) + "/cgroup");
    EXPECT_NE(cgroup.find("procguard"), std::string::npos) << cgroup;
    ASSERT_FALSE(link->sendVerdicts({{req->holdId, Verdict::Block}}));
    auto status = m_launcher.waitExit(tag);
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL);
    auto v = events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Verdict && e.holdId == req->holdId;
    });
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->flags & PG_EVF_FROZEN);
    EXPECT_TRUE(v->flags & PG_EVF_KILLED);
}

TEST_F(DaemonTest, SlowAllowPastTheBudgetThawsAndRunsTheProgram)
{
    EventCollector &events = collector();
    pg::KernelLink *link = controller(events, pg::Mode::Prompt, Verdict::Block, 20000, 200);
    ASSERT_TRUE(link);
    std::string tag;
    SpawnResult r = run(m_other, &tag);
    ASSERT_EQ(r.error, 0);
    auto req = events.waitFor([&](const pg::Event &e) { return isRequestFor(e, m_other); });
    ASSERT_TRUE(req);
    EXPECT_FALSE(m_launcher.waitExit(tag, Ms{300}));
    ASSERT_FALSE(link->sendVerdicts({{req->holdId, Verdict::Allow}}));
    auto status = m_launcher.waitExit(tag);
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

TEST_F(DaemonTest, ControllerKilledWithTwentyHeldStartsResolvesAllWithinOneSecond)
{
    {
        EventCollector &setup = collector();
        pg::KernelLink *link = controller(setup, pg::Mode::Prompt, Verdict::Block, 60000, 0);
        ASSERT_TRUE(link);
        link->close();
    }
    // The controller is a separate procguardctl process that never answers.
    ChildProcess approve;
    ASSERT_TRUE(approve.start({procguardctlPath(), "--socket", m_socket, "approve"}, true));
    EventCollector &observer = collector();
    pg::Error err;
    // Wait until procguardctl holds the controller role.
    auto deadline = Clock::now() + Ms{5000};
    for (;;) {
        pg::KernelLink *probe = connect(false, nullptr, &err);
        ASSERT_TRUE(probe) << err.message;
        pg::Status st;
        ASSERT_FALSE(probe->getStatus(&st));
        probe->close();
        if (st.controllerPid == static_cast<uint32_t>(approve.pid()))
            break;
        ASSERT_LT(Clock::now(), deadline) << "procguardctl approve never became the controller";
        usleep(50 * 1000);
    }
    ASSERT_TRUE(connect(false, &observer, &err)) << err.message;
    std::vector<std::string> tags;
    for (int i = 0; i < 20; ++i)
        tags.push_back(m_launcher.spawn(m_other));
    deadline = Clock::now() + Ms{10000};
    while (true) {
        size_t requests = 0;
        for (const auto &e : observer.all())
            requests += e.kind == pg::EventKind::Request ? 1 : 0;
        if (requests >= 20)
            break;
        ASSERT_LT(Clock::now(), deadline) << "only " << requests << " of 20 starts were held";
        usleep(20 * 1000);
    }
    approve.kill(SIGKILL);
    auto killedAt = Clock::now();
    for (const auto &tag : tags) {
        auto left = Ms{1000} - std::chrono::duration_cast<Ms>(Clock::now() - killedAt);
        auto r = m_launcher.waitSpawn(tag, std::max(left, Ms{1}));
        ASSERT_TRUE(r) << "a held start was not resolved within one second of the disconnect";
        EXPECT_EQ(r->error, EPERM) << "default verdict is block";
    }
    auto v = observer.waitFor([](const pg::Event &e) {
        return e.kind == pg::EventKind::Verdict && e.source == pg::Source::Disconnect;
    });
    EXPECT_TRUE(v);
}

TEST_F(DaemonTest, LockdownHoldsWithNoClientAndAcrossRestart)
{
    {
        EventCollector &events = collector();
        pg::KernelLink *link = controller(events, pg::Mode::Lockdown, Verdict::Block, 5000, 500,
                                          {exactRule(m_allowed, Verdict::Allow)});
        ASSERT_TRUE(link);
        link->close();
    }
    EXPECT_EQ(run(m_other).error, EPERM);
    EXPECT_EQ(run(m_allowed).error, 0);
    // The policy in force is persisted: a restarted daemon enforces it with no client.
    EXPECT_EQ(m_daemon.stop(SIGTERM), 0);
    startDaemon();
    EXPECT_EQ(run(m_other).error, EPERM);
    EXPECT_EQ(run(m_allowed).error, 0);
}

TEST_F(DaemonTest, SecondControllingClientIsRefusedOrDemotedToObserver)
{
    EventCollector &first = collector();
    ASSERT_TRUE(connect(true, &first));
    pg::Error err;
    EXPECT_FALSE(connect(true, nullptr, &err));
    EXPECT_EQ(err.code, pg::Error::Code::Busy) << err.message;
    pg::ConnectInfo info;
    ASSERT_TRUE(connect(true, nullptr, &err, &info, true)) << err.message;
    EXPECT_EQ(info.role, pg::Role::Observer);
}

TEST_F(DaemonTest, ObserverCannotSendVerdictsOrPolicy)
{
    EventCollector &first = collector();
    ASSERT_TRUE(connect(true, &first));
    EventCollector &second = collector();
    pg::KernelLink *observer = connect(false, &second);
    ASSERT_TRUE(observer);
    pg::Policy p;
    pg::Error err = observer->setPolicy(p);
    EXPECT_TRUE(err) << "an observer changed the policy";
    EXPECT_EQ(err.status, PG_E_NOT_CONTROLLER) << err.message;
    EXPECT_TRUE(observer->sendVerdicts({{1, Verdict::Allow}}));
}

TEST_F(DaemonTest, ConnectionFromUserOutsideTheGroupIsRefused)
{
    // Make the socket reachable by everyone so that the daemon's own
    // SO_PEERCRED check, not only the file mode, is what refuses.
    std::string dir = m_socket.substr(0, m_socket.rfind('/'));
    chmod(dir.c_str(), 0755);
    chmod(m_socket.c_str(), 0666);
    int pipeFd[2];
    ASSERT_EQ(pipe(pipeFd), 0);
    pid_t child = fork();
    if (child == 0) {
        close(pipeFd[0]);
        int code = 0;
        if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
            code = 100;
        } else {
            pg::KernelLink link(std::make_unique<pg::UnixSocketTransport>(m_socket));
            pg::ConnectOptions options;
            options.control = false;
            pg::Error err = link.connect(options);
            code = static_cast<int>(err.code);
        }
        if (write(pipeFd[1], &code, sizeof code) != sizeof code) {
        }
        _exit(0);
    }
    close(pipeFd[1]);
    int code = -1;
    ASSERT_EQ(read(pipeFd[0], &code, sizeof code), static_cast<ssize_t>(sizeof code));
    close(pipeFd[0]);
    waitpid(child, nullptr, 0);
    EXPECT_EQ(code, static_cast<int>(pg::Error::Code::PermissionDenied));
}

TEST_F(DaemonTest, GarbageOnTheSocketGetsAnErrorAndTheDaemonKeepsServing)
{
    for (int round = 0; round < 3; ++round) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_GE(fd, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, m_socket.c_str(), sizeof addr.sun_path - 1);
        ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
        std::string garbage;
        if (round == 0)
            garbage = std::string(64, '\xff'); // absurd size in the header
        else if (round == 1)
            garbage = std::string("\x10\x00\x00\x00\x01\x00\x63\x00", 8) + std::string(8, '\0');
        else
            garbage = std::string(3, 'x'); // then close mid-header
        ASSERT_EQ(write(fd, garbage.data(), garbage.size()), static_cast<ssize_t>(garbage.size()));
        if (round == 2) {
            close(fd);
            continue;
        }
        // The daemon answers with an error result or closes; either way it does not hang us.
        timeval tv{3, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char buf[256];
        ssize_t n = read(fd, buf, sizeof buf);
        EXPECT_NE(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK), true)
            << "no answer and no disconnect within 3 s";
        if (n >= static_cast<ssize_t>(sizeof(pg_msg_header))) {
            pg_msg_header hdr;
            std::memcpy(&hdr, buf, sizeof hdr);
            EXPECT_TRUE(hdr.type == PG_MSG_RESULT || hdr.type == PG_MSG_HELLO_REPLY);
        }
        close(fd);
    }
    ASSERT_TRUE(m_daemon.running());
    EventCollector &events = collector();
    pg::KernelLink *link = connect(true, &events);
    ASSERT_TRUE(link);
    pg::Status st;
    EXPECT_FALSE(link->getStatus(&st));
    EXPECT_EQ(st.version, PG_PROTOCOL_VERSION);
}

namespace
{

// The system's ELF interpreter (lives on /, which tests never gate).
std::string systemLoader()
{
    for (const char *candidate :
         {"/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1", "/lib/ld-linux.so.2"}) {
        if (access(candidate, X_OK) == 0)
            return candidate;
    }
    return {};
}

// Rewrites the PT_INTERP string of the ELF file at path (in place, so the
// new name may not be longer than the old one).
bool setInterpreter(const std::string &path, const std::string &from, const std::string &to)
{
    std::string bytes = readFile(path);
    const size_t at = bytes.find(from + '\0');
    if (at == std::string::npos || to.size() > from.size())
        return false;
    bytes.replace(at, from.size(), to + std::string(from.size() - to.size(), '\0'));
    FILE *f = std::fopen(path.c_str(), "wb");
    if (f == nullptr)
        return false;
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return std::fclose(f) == 0 && ok;
}

} // namespace

// "ld.so PROGRAM" maps PROGRAM with a plain open, not an exec. These tests
// use a copy of the loader on the gated tmpfs (--loader names it), since
// the system's own lives on / and tests never gate /.
class LoaderTest : public DaemonTest
{
protected:
    void restartWithLoader(const char *guard)
    {
        const std::string system = systemLoader();
        ASSERT_FALSE(system.empty()) << "no ELF interpreter found on this machine";
        m_loader = m_gate.installProgram("ld.so", system);
        ASSERT_FALSE(m_loader.empty());
        ASSERT_EQ(m_daemon.stop(SIGTERM), 0);
        startDaemon({"--loader", m_loader, "--loader-guard", guard});
    }

    void expectLoaderRunsDecidedForTheirProgram()
    {
        EventCollector &events = collector();
        controller(events, pg::Mode::Lockdown, Verdict::Block, 5000, 500,
                   {exactRule(m_allowed, Verdict::Allow)});
        std::string tag = m_launcher.spawn(m_loader, {m_other});
        auto r = m_launcher.waitSpawn(tag);
        ASSERT_TRUE(r);
        auto status = m_launcher.waitExit(tag);
        ASSERT_TRUE(status);
        EXPECT_FALSE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
            << "an unlisted program ran through the interpreter";
        auto v = events.waitFor([&](const pg::Event &e) {
            return isVerdictFor(e, m_other) && (e.flags & PG_EVF_INTERPRETER);
        });
        ASSERT_TRUE(v) << "no verdict names the program the interpreter ran";
        EXPECT_EQ(v->verdict, Verdict::Block);
        // A rule that allows the program also allows it through the
        // interpreter, with options before it.
        tag = m_launcher.spawn(m_loader, {"--inhibit-cache", m_allowed});
        status = m_launcher.waitExit(tag);
        ASSERT_TRUE(status);
        EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
        v = events.waitFor([&](const pg::Event &e) {
            return isVerdictFor(e, m_allowed) && (e.flags & PG_EVF_INTERPRETER);
        });
        ASSERT_TRUE(v);
        EXPECT_EQ(v->verdict, Verdict::Allow);
        EXPECT_EQ(v->source, pg::Source::Rule);
    }

    std::string m_loader;
};

TEST_F(LoaderTest, ALoaderRunIsHeldUntilItsProgramIsDecided)
{
    restartWithLoader("stack");
    expectLoaderRunsDecidedForTheirProgram();
}

TEST_F(LoaderTest, WithoutTaskStacksEveryOpenIsWatchedInstead)
{
    restartWithLoader("opens");
    expectLoaderRunsDecidedForTheirProgram();
}

TEST_F(LoaderTest, MonitorReportsTheProgramALoaderRuns)
{
    restartWithLoader("stack");
    EventCollector &events = collector();
    controller(events, pg::Mode::Monitor, Verdict::Allow, 5000, 500);
    std::string tag = m_launcher.spawn(m_loader, {m_other});
    auto status = m_launcher.waitExit(tag);
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "monitor mode held it";
    auto v = events.waitFor([&](const pg::Event &e) {
        return isVerdictFor(e, m_other) && (e.flags & PG_EVF_INTERPRETER);
    });
    ASSERT_TRUE(v) << "no verdict names the program the interpreter ran";
    EXPECT_EQ(v->verdict, Verdict::Allow);
    EXPECT_TRUE(v->flags & PG_EVF_WOULD_BLOCK);
}

TEST_F(LoaderTest, ADynamicProgramsInterpreterLoadIsNotALoaderRun)
{
    // A program whose PT_INTERP is the gated copy: its exec brings a
    // second exec event for the loader, from the kernel. No rule allows
    // the loader itself, so taking it for a loader run would kill it.
    restartWithLoader("stack");
    const std::string program = m_gate.installProgram("dynamic", "/bin/true");
    ASSERT_TRUE(setInterpreter(program, systemLoader(), m_loader));
    EventCollector &events = collector();
    controller(events, pg::Mode::Lockdown, Verdict::Block, 5000, 500,
               {exactRule(program, Verdict::Allow)});
    for (int run = 0; run < 2; ++run) { // the second one from the kernel's cache
        std::string tag = m_launcher.spawn(program);
        auto status = m_launcher.waitExit(tag);
        ASSERT_TRUE(status);
        EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "run " << run;
    }
    for (const pg::Event &e : events.all())
        EXPECT_FALSE(e.flags & PG_EVF_INTERPRETER) << "taken for a loader run: " << e.image;
}

TEST_F(DaemonTest, SigtermWithHeldStartsReleasesAllAndExitsZero)
{
    EventCollector &events = collector();
    pg::KernelLink *link = controller(events, pg::Mode::Prompt, Verdict::Allow, 60000, 0);
    ASSERT_TRUE(link);
    std::vector<std::string> tags;
    for (int i = 0; i < 5; ++i)
        tags.push_back(m_launcher.spawn(m_other));
    auto deadline = Clock::now() + Ms{10000};
    for (;;) {
        size_t requests = 0;
        for (const auto &e : events.all())
            requests += e.kind == pg::EventKind::Request ? 1 : 0;
        if (requests >= 5)
            break;
        ASSERT_LT(Clock::now(), deadline) << "starts were not held";
        usleep(20 * 1000);
    }
    EXPECT_EQ(m_daemon.stop(SIGTERM), 0);
    for (const auto &tag : tags) {
        auto r = m_launcher.waitSpawn(tag, Ms{3000});
        ASSERT_TRUE(r) << "a held start was not released at shutdown";
        EXPECT_EQ(r->error, 0) << "default verdict is allow";
    }
}

TEST_F(DaemonTest, StartExecAndExitOfAProgramReachTheClientWithItsCommandLine)
{
    EventCollector &events = collector();
    controller(events, pg::Mode::Monitor, Verdict::Allow, 5000, 500);
    // A program that lives long enough for its command line to be read:
    // the exec notification arrives just after the exec, and a program that
    // is already gone has no command line left to read.
    std::string sleeper = m_gate.installProgram("sleeper \xc3\xa9", "/bin/sleep");
    ASSERT_FALSE(sleeper.empty());
    std::string tag = m_launcher.spawn(sleeper, {"0.3"});
    auto spawned = m_launcher.waitSpawn(tag);
    ASSERT_TRUE(spawned);
    ASSERT_EQ(spawned->error, 0) << std::strerror(spawned->error);
    ASSERT_TRUE(m_launcher.waitExit(tag));
    auto exec = events.waitFor(
        [&](const pg::Event &e) { return e.kind == pg::EventKind::Exec && e.image == sleeper; });
    ASSERT_TRUE(exec) << "no exec event for the program";
    EXPECT_EQ(exec->cmdline, sleeper + " 0.3");
    auto exit = events.waitFor(
        [&](const pg::Event &e) { return e.kind == pg::EventKind::Exit && e.pid == exec->pid; });
    EXPECT_TRUE(exit);
    auto verdict = events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, sleeper); });
    ASSERT_TRUE(verdict);
    EXPECT_EQ(verdict->verdict, Verdict::Allow);
    EXPECT_TRUE(verdict->flags & PG_EVF_WOULD_BLOCK)
        << "monitor mode reports what lockdown would do";
}

TEST_F(DaemonTest, SnapshotListsRunningProcessesOnConnect)
{
    EventCollector &events = collector();
    ASSERT_TRUE(connect(false, &events));
    auto self = events.waitFor([](const pg::Event &e) {
        return e.kind == pg::EventKind::Start && (e.flags & PG_EVF_SNAPSHOT) &&
               e.pid == static_cast<uint32_t>(getpid());
    });
    ASSERT_TRUE(self) << "the snapshot did not include the test process";
    EXPECT_FALSE(self->image.empty());
    // Its time is when it started (the tree's "Started"), not now: this
    // process started before its daemon did.
    auto init = events.waitFor([](const pg::Event &e) {
        return e.kind == pg::EventKind::Start && (e.flags & PG_EVF_SNAPSHOT) && e.pid == 1;
    });
    ASSERT_TRUE(init);
    const uint64_t nowNs =
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
    EXPECT_LT(self->timeNs, nowNs);
    EXPECT_LE(init->timeNs, self->timeNs) << "PID 1 started first";
    EXPECT_LT(init->timeNs + 2'000'000'000ull, nowNs) << "PID 1's start is the connect time";
}

TEST_F(DaemonTest, ProcessEventsStillArriveWithoutTheProcConnector)
{
    ASSERT_EQ(m_daemon.stop(SIGTERM), 0);
    startDaemon({"--no-proc-connector"});
    pg::ConnectInfo info;
    EventCollector &events = collector();
    ASSERT_TRUE(connect(false, &events, nullptr, &info));
    EXPECT_NE(info.serverName.find("(poll)"), std::string::npos) << info.serverName;
    controller(events, pg::Mode::Monitor, Verdict::Allow, 5000, 500);
    std::string sleeper = m_gate.installProgram("sleeper", "/bin/sleep");
    std::string tag = m_launcher.spawn(sleeper, {"1"});
    auto spawned = m_launcher.waitSpawn(tag);
    ASSERT_TRUE(spawned && spawned->error == 0);
    // /proc is polled: the new process shows up within a poll interval or two.
    auto exec = events.waitFor([&](const pg::Event &e) {
        return (e.kind == pg::EventKind::Start || e.kind == pg::EventKind::Exec) &&
               e.pid == static_cast<uint32_t>(spawned->pid) && e.image == sleeper;
    });
    EXPECT_TRUE(exec) << "the /proc poll did not report the new process";
    ASSERT_TRUE(m_launcher.waitExit(tag));
    auto exit = events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Exit && e.pid == static_cast<uint32_t>(spawned->pid);
    });
    EXPECT_TRUE(exit) << "the /proc poll did not report the exit";
}

TEST_F(DaemonTest, LostProcConnectorNotificationsAreRecoveredFromProc)
{
    ASSERT_EQ(m_daemon.stop(SIGTERM), 0);
    // A receive buffer of a few notifications, so that a stopped daemon
    // loses most of a fork storm (the kernel reports ENOBUFS).
    startDaemon({"--process-facts=connector", "--connector-buffer", "4096"});
    EventCollector &events = collector();
    controller(events, pg::Mode::Monitor, Verdict::Allow, 5000, 500);

    ASSERT_EQ(kill(m_daemon.pid(), SIGSTOP), 0);
    for (int i = 0; i < 2000; ++i) {
        const pid_t p = fork();
        if (p == 0)
            _exit(0);
        ASSERT_GT(p, 0) << std::strerror(errno);
        ASSERT_EQ(waitpid(p, nullptr, 0), p);
    }
    // Started after the buffer overflowed: only the resync can find it.
    const pid_t survivor = fork();
    if (survivor == 0) {
        pause();
        _exit(0);
    }
    ASSERT_GT(survivor, 0);
    ASSERT_EQ(kill(m_daemon.pid(), SIGCONT), 0);

    auto resync =
        events.waitFor([](const pg::Event &e) { return e.kind == pg::EventKind::Resync; });
    auto found = events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Start && e.pid == static_cast<uint32_t>(survivor) &&
               (e.flags & PG_EVF_SNAPSHOT);
    });
    kill(survivor, SIGKILL);
    waitpid(survivor, nullptr, 0);
    ASSERT_TRUE(resync) << "no RESYNC event after the connector overflowed";
    EXPECT_GT(resync->lost, 0u);
    EXPECT_TRUE(found) << "the resync did not report the process started during the loss";

    pg::Error err;
    pg::KernelLink *probe = connect(false, nullptr, &err);
    ASSERT_TRUE(probe) << err.message;
    pg::Status st;
    ASSERT_FALSE(probe->getStatus(&st));
    EXPECT_GE(st.resyncs, 1u);
    EXPECT_NE(m_daemon.log().find("resyncing from /proc"), std::string::npos);

    // Live notifications flow again after the recovery.
    std::string tag;
    SpawnResult r = run(m_allowed, &tag);
    ASSERT_EQ(r.error, 0);
    auto exec = events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Exec && e.pid == static_cast<uint32_t>(r.pid) &&
               !(e.flags & PG_EVF_SNAPSHOT);
    });
    EXPECT_TRUE(exec) << "no live exec event after the resync";
    m_launcher.waitExit(tag);
}

// Runs argv[0] (an absolute path) with argv in a child of this process (as
// uid/gid 65534 when asNobody), and returns the child's pid once it has been
// reaped.
static pid_t runChild(const std::vector<std::string> &argv, bool asNobody, int *status)
{
    std::vector<char *> args;
    for (const std::string &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    const pid_t child = fork();
    if (child == 0) {
        if (asNobody && (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
            _exit(120);
        execv(args[0], args.data());
        _exit(121);
    }
    if (child > 0 && waitpid(child, status, 0) != child)
        return -1;
    return child;
}

TEST_F(DaemonTest, BpfTracepointsAreTheProcessFactsSourceWhenTheKernelAcceptsThem)
{
    pg::ConnectInfo info;
    EventCollector &events = collector();
    ASSERT_TRUE(connect(false, &events, nullptr, &info));
    EXPECT_NE(info.serverName.find("(bpf)"), std::string::npos)
        << "server name " << info.serverName << "; this machine accepts BPF tracepoint programs";
    EXPECT_NE(m_daemon.log().find("process facts: BPF tracepoints"), std::string::npos);
}

TEST_F(DaemonTest, BpfExecAndExitEventsCarryTheKernelsFactsWithoutProc)
{
    ASSERT_EQ(m_daemon.stop(SIGTERM), 0);
    startDaemon({"--process-facts=bpf"});
    EventCollector &events = collector();
    ASSERT_TRUE(connect(false, &events));

    // The daemon is stopped while the program runs, ends and is reaped:
    // by the time the daemon looks, /proc has nothing left of it. Every
    // fact below can only have come from the kernel's tracepoints.
    char real[PATH_MAX];
    ASSERT_NE(realpath("/bin/sh", real), nullptr);
    ASSERT_EQ(kill(m_daemon.pid(), SIGSTOP), 0);
    int status = 0;
    // /bin/sh is not on the gated tmpfs: nothing waits for the stopped daemon.
    const pid_t child = runChild({"/bin/sh", "-c", "exit 7", "arg with  spaces"}, true, &status);
    ASSERT_EQ(kill(m_daemon.pid(), SIGCONT), 0);
    ASSERT_GT(child, 0);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 7) << "the child could not drop to uid 65534 or exec";

    auto start = events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Start && e.pid == static_cast<uint32_t>(child);
    });
    ASSERT_TRUE(start) << "no START for the child";
    EXPECT_EQ(start->ppid, static_cast<uint32_t>(getpid()));
    auto exec = events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Exec && e.pid == static_cast<uint32_t>(child);
    });
    ASSERT_TRUE(exec) << "no EXEC for the child";
    EXPECT_FALSE(exec->flags & PG_EVF_SNAPSHOT);
    EXPECT_EQ(exec->image, std::string(real)) << "the image is the file that ran, as /proc/PID/exe";
    EXPECT_EQ(exec->cmdline, "/bin/sh -c exit 7 arg with  spaces");
    EXPECT_EQ(exec->uid, 65534u);
    EXPECT_EQ(exec->ppid, static_cast<uint32_t>(getpid()));
    EXPECT_FALSE(exec->flags & PG_EVF_TRUNCATED);
    auto exit = events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Exit && e.pid == static_cast<uint32_t>(child);
    });
    ASSERT_TRUE(exit) << "no EXIT for the child";
    EXPECT_EQ(exit->status, static_cast<uint32_t>(status)) << "the wait status";

    // A command line longer than the protocol carries is cut and flagged,
    // as /proc/PID/cmdline is; an image on the gated tmpfs keeps its path.
    // (The daemon runs: the gate waits for it.)
    std::string tool = m_gate.installProgram("facts tool", "/bin/true");
    ASSERT_FALSE(tool.empty());
    const pid_t longChild = runChild({tool, std::string(10000, 'x')}, false, &status);
    ASSERT_GT(longChild, 0);
    auto longExec = events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Exec && e.pid == static_cast<uint32_t>(longChild);
    });
    ASSERT_TRUE(longExec);
    EXPECT_EQ(longExec->image, tool);
    EXPECT_TRUE(longExec->flags & PG_EVF_TRUNCATED);
    EXPECT_EQ(longExec->cmdline.size(), PG_MAX_CMDLINE_BYTES - 1);
    EXPECT_EQ(longExec->cmdline.rfind(tool + " xxx", 0), 0u);
}

TEST_F(DaemonTest, BpfImageIsTheFileThatRanThroughSymlinksAndBeyondTheWalksDepth)
{
    EventCollector &events = collector();
    ASSERT_TRUE(connect(false, &events));
    // A program 60 directories deep: deeper than the kernel-side walk goes
    // (48), so its path comes from /proc/PID/exe, for that start only.
    std::string deep = m_gate.path();
    for (int i = 0; i < 60; ++i) {
        deep += "/d" + std::to_string(i);
        ASSERT_EQ(mkdir(deep.c_str(), 0755), 0) << std::strerror(errno);
    }
    std::string program = m_gate.installProgram("sleeper", "/bin/sleep");
    ASSERT_FALSE(program.empty());
    deep += "/sleeper";
    ASSERT_EQ(link(program.c_str(), deep.c_str()), 0) << std::strerror(errno);
    // And a symlink to it: the image is the file, not the name used.
    std::string alias = m_gate.path() + "/alias";
    ASSERT_EQ(symlink(program.c_str(), alias.c_str()), 0);

    for (const auto &c : {std::make_pair(deep, deep), std::make_pair(alias, program)}) {
        std::string tag = m_launcher.spawn(c.first, {"0.2"});
        auto spawned = m_launcher.waitSpawn(tag);
        ASSERT_TRUE(spawned && spawned->error == 0) << c.first;
        auto exec = events.waitFor([&](const pg::Event &e) {
            return e.kind == pg::EventKind::Exec && e.pid == static_cast<uint32_t>(spawned->pid);
        });
        ASSERT_TRUE(exec) << "no EXEC for " << c.first;
        EXPECT_EQ(exec->image, c.second);
        EXPECT_EQ(exec->cmdline, c.first + " 0.2");
        m_launcher.waitExit(tag);
    }
}

TEST_F(DaemonTest, ProcConnectorIsTheFallbackWhenAskedFor)
{
    ASSERT_EQ(m_daemon.stop(SIGTERM), 0);
    startDaemon({"--process-facts=connector"});
    pg::ConnectInfo info;
    EventCollector &events = collector();
    ASSERT_TRUE(connect(false, &events, nullptr, &info));
    EXPECT_NE(info.serverName.find("(connector)"), std::string::npos) << info.serverName;
    EXPECT_NE(m_daemon.log().find("process facts: proc connector"), std::string::npos);
    std::string sleeper = m_gate.installProgram("sleeper", "/bin/sleep");
    std::string tag = m_launcher.spawn(sleeper, {"0.3"});
    auto spawned = m_launcher.waitSpawn(tag);
    ASSERT_TRUE(spawned && spawned->error == 0);
    auto exec = events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Exec && e.pid == static_cast<uint32_t>(spawned->pid);
    });
    ASSERT_TRUE(exec) << "no exec event from the proc connector";
    EXPECT_EQ(exec->image, sleeper);
    EXPECT_EQ(exec->cmdline, sleeper + " 0.3");
    ASSERT_TRUE(m_launcher.waitExit(tag));
    EXPECT_TRUE(events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Exit && e.pid == static_cast<uint32_t>(spawned->pid);
    }));
}

TEST_F(DaemonTest, LostBpfRingRecordsAreCountedAndRecoveredFromProc)
{
    ASSERT_EQ(m_daemon.stop(SIGTERM), 0);
    // A one-page ring: a stopped daemon loses most of a fork storm.
    startDaemon({"--process-facts=bpf", "--bpf-ring-buffer", "4096"});
    EventCollector &events = collector();
    controller(events, pg::Mode::Monitor, Verdict::Allow, 5000, 500);

    ASSERT_EQ(kill(m_daemon.pid(), SIGSTOP), 0);
    for (int i = 0; i < 2000; ++i) {
        const pid_t p = fork();
        if (p == 0)
            _exit(0);
        ASSERT_GT(p, 0) << std::strerror(errno);
        ASSERT_EQ(waitpid(p, nullptr, 0), p);
    }
    const pid_t survivor = fork();
    if (survivor == 0) {
        pause();
        _exit(0);
    }
    ASSERT_GT(survivor, 0);
    ASSERT_EQ(kill(m_daemon.pid(), SIGCONT), 0);

    auto resync =
        events.waitFor([](const pg::Event &e) { return e.kind == pg::EventKind::Resync; });
    auto found = events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Start && e.pid == static_cast<uint32_t>(survivor) &&
               (e.flags & PG_EVF_SNAPSHOT);
    });
    kill(survivor, SIGKILL);
    waitpid(survivor, nullptr, 0);
    ASSERT_TRUE(resync) << "no RESYNC event after the ring overflowed";
    EXPECT_GT(resync->lost, 0u);
    EXPECT_TRUE(found) << "the resync did not report the process started during the loss";
    EXPECT_NE(m_daemon.log().find("BPF ring buffer lost notifications"), std::string::npos);

    pg::Error err;
    pg::KernelLink *probe = connect(false, nullptr, &err);
    ASSERT_TRUE(probe) << err.message;
    pg::Status st;
    ASSERT_FALSE(probe->getStatus(&st));
    EXPECT_GE(st.resyncs, 1u);

    // Live records flow again after the recovery.
    std::string tag;
    SpawnResult r = run(m_allowed, &tag);
    ASSERT_EQ(r.error, 0);
    auto exec = events.waitFor([&](const pg::Event &e) {
        return e.kind == pg::EventKind::Exec && e.pid == static_cast<uint32_t>(r.pid) &&
               !(e.flags & PG_EVF_SNAPSHOT);
    });
    EXPECT_TRUE(exec) << "no live exec event after the resync";
    m_launcher.waitExit(tag);
}

// BPF object ids ("prog_id:" and "map_id:" lines) in the fdinfo of pid's
// descriptors: what that process holds in the kernel.
static std::set<std::pair<std::string, uint32_t>> bpfIdsHeldBy(pid_t pid)
{
    std::set<std::pair<std::string, uint32_t>> ids;
    const std::string dir = "/proc/" + std::to_string(pid) + "/fdinfo";
    DIR *d = opendir(dir.c_str());
    if (d == nullptr)
        return ids;
    while (struct dirent *e = readdir(d)) {
        std::ifstream in(dir + "/" + e->d_name);
        std::string key;
        uint32_t value = 0;
        std::string line;
        while (std::getline(in, line)) {
            for (const char *k : {"prog_id:", "map_id:"}) {
                if (line.rfind(k, 0) == 0) {
                    value = static_cast<uint32_t>(
                        std::strtoul(line.c_str() + std::strlen(k), nullptr, 10));
                    ids.insert({k, value});
                }
            }
        }
    }
    closedir(d);
    return ids;
}

// True while the kernel still has the BPF program or map with this id.
static bool bpfIdExists(const std::pair<std::string, uint32_t> &id)
{
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    int cmd = BPF_PROG_GET_FD_BY_ID;
    if (id.first == "map_id:") {
        cmd = BPF_MAP_GET_FD_BY_ID;
        attr.map_id = id.second;
    } else {
        attr.prog_id = id.second;
    }
    const long fd = syscall(__NR_bpf, cmd, &attr, sizeof attr);
    if (fd >= 0) {
        close(static_cast<int>(fd));
        return true;
    }
    return errno != ENOENT;
}

TEST_F(DaemonTest, BpfProgramsAndMapsGoAwayWithTheDaemon)
{
    const auto ids = bpfIdsHeldBy(m_daemon.pid());
    size_t programs = 0;
    for (const auto &id : ids)
        programs += id.first == "prog_id:" ? 1 : 0;
    ASSERT_GE(programs, 3u) << "the fork, exec and exit programs are held by the daemon";
    ASSERT_EQ(m_daemon.stop(SIGTERM), 0);
    // Nothing is pinned: the last reference goes with the daemon's
    // descriptors, and the kernel frees the objects shortly after.
    auto deadline = Clock::now() + Ms{5000};
    std::vector<std::pair<std::string, uint32_t>> left(ids.begin(), ids.end());
    while (!left.empty() && Clock::now() < deadline) {
        left.erase(std::remove_if(left.begin(), left.end(),
                                  [](const auto &id) { return !bpfIdExists(id); }),
                   left.end());
        if (!left.empty())
            usleep(50 * 1000);
    }
    for (const auto &id : left)
        ADD_FAILURE() << id.first << " " << id.second << " outlived the daemon";
}

TEST_F(DaemonTest, UnknownProcessFactsSourceIsABadUsage)
{
    ASSERT_EQ(m_daemon.stop(SIGTERM), 0);
    std::string error;
    Daemon other;
    EXPECT_FALSE(
        other.start({"--watch", m_gate.path(), "--socket", m_socket + "2", "--process-facts=magic"},
                    m_socket + "2", m_scratch.path() + "/bad.log", &error));
    EXPECT_NE(other.log().find("unknown process-facts source"), std::string::npos) << other.log();
}

TEST_F(DaemonTest, StalledReaderOfTheLogDoesNotStallExecs)
{
    // procguardd logs every process event at debug level. Its stderr is a
    // FIFO that nobody reads: once the pipe is full, a blocking log write
    // would stop the thread that answers permission events.
    ASSERT_EQ(m_daemon.stop(SIGTERM), 0);
    std::string fifo = m_scratch.path() + "/stderr.fifo";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    ASSERT_GE(reader, 0);
    m_logIsFifo = true;
    startDaemon({}, fifo);
    EventCollector &events = collector();
    pg::Rule rule = exactRule(m_allowed, Verdict::Allow);
    rule.uid = 0; // conditional: decided by the daemon on every start, never cached
    pg::KernelLink *link =
        controller(events, pg::Mode::Lockdown, Verdict::Block, 5000, 500, {rule});
    ASSERT_TRUE(link);
    link->close();
    for (int i = 0; i < 400; ++i) {
        std::string tag = m_launcher.spawn(m_allowed);
        auto r = m_launcher.waitSpawn(tag, Ms{5000});
        ASSERT_TRUE(r) << "start " << i << " hung: the daemon is blocked";
        ASSERT_EQ(r->error, 0);
        ASSERT_TRUE(m_launcher.waitExit(tag, Ms{5000}));
    }
    EXPECT_EQ(m_daemon.stop(SIGTERM), 0);
    close(reader);
}
