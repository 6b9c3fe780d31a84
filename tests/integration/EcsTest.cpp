// EcsTest.cpp - events for a SIEM, end to end: procguardd with --events
// sending ECS JSON to a file, to a real rsyslogd (Debian's) over UDP, TCP
// and a local syslog socket, rsyslog parsing the JSON (mmjsonparse) into
// files, and `procguardctl monitor --format ecs`; every object from every
// path is checked against the ECS definitions of the @elastic/ecs package
// (ecs/check-ecs.js, packages installed by ecs/setup-node.sh, cached by
// content) and the blocked start's fields against what happened.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "Harness.h"
#include "pg_ecs.h"

using namespace pgtest;
using nlohmann::json;
using pg::Verdict;

namespace
{

using Clock = std::chrono::steady_clock;

// A port nothing listens on now (bound to 0, then closed).
uint16_t freePort(int type)
{
    const int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    struct sockaddr_in a;
    std::memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    uint16_t port = 0;
    if (fd >= 0 && bind(fd, reinterpret_cast<struct sockaddr *>(&a), sizeof a) == 0 &&
        getsockname(fd, reinterpret_cast<struct sockaddr *>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

bool tcpAccepts(uint16_t port)
{
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a;
    std::memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const bool ok = connect(fd, reinterpret_cast<struct sockaddr *>(&a), sizeof a) == 0;
    close(fd);
    return ok;
}

// Runs a shell command; its standard output and exit status.
int runCommand(const std::string &command, std::string *out)
{
    FILE *p = popen(command.c_str(), "r");
    if (p == nullptr)
        return -1;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        out->append(buf, n);
    const int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<json> readObjects(const std::string &path)
{
    std::vector<json> out;
    std::istringstream in(readFile(path));
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty())
            out.push_back(json::parse(line, nullptr, false));
    }
    return out;
}

// The verdict object of a start of image, or null.
json verdictFor(const std::vector<json> &objects, const std::string &image)
{
    for (const json &o : objects) {
        if (o.is_object() && o.contains("process") &&
            o["process"].value("executable", "") == image && o["event"].value("action", "") != "" &&
            o.contains("procguard") && o["procguard"].contains("verdict"))
            return o;
    }
    return nullptr;
}

bool waitUntil(const std::function<bool()> &pred, Ms timeout = Ms{15000})
{
    const auto end = Clock::now() + timeout;
    while (Clock::now() < end) {
        if (pred())
            return true;
        std::this_thread::sleep_for(Ms{50});
    }
    return pred();
}

} // namespace

class EcsTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_EQ(geteuid(), 0u) << "the integration tests need root (fanotify, tmpfs mounts)";
        ASSERT_TRUE(m_gate.ok()) << "could not mount a private tmpfs: " << std::strerror(errno);
        ASSERT_TRUE(m_launcher.ok()) << "could not start pg_launcher";
        ASSERT_EQ(0, access(kRsyslogd, X_OK))
            << kRsyslogd << " is missing: install Debian's rsyslog (tools/deps.sh does)";
        std::string out;
        ASSERT_EQ(0, runCommand("sh '" PG_ECS_TEST_DIR "/setup-node.sh'", &out))
            << "could not install the @elastic/ecs package: " << out;
        m_nodeModules = out.substr(0, out.find('\n'));
        ASSERT_FALSE(m_nodeModules.empty());
    }

    void TearDown() override
    {
        if (m_link)
            m_link->close();
        if (m_rsyslog.pid() > 0) {
            m_rsyslog.kill(SIGTERM);
            if (!m_rsyslog.wait(Ms{5000}))
                m_rsyslog.kill(SIGKILL);
        }
        if (HasFailure())
            std::cerr << "---- procguardd log ----\n"
                      << m_daemon.log() << "---- rsyslogd ----\n"
                      << readFile(m_scratch.path() + "/rsyslog.err")
                      << "------------------------\n";
    }

    // rsyslogd with a configuration of its own: UDP and TCP on 127.0.0.1
    // and a local datagram socket in the scratch folder; each message's
    // JSON parsed (mmjsonparse without a cookie: the message is the JSON)
    // and written whole ($!all-json) to parsed-<input>.json.
    void startRsyslog()
    {
        m_udpPort = freePort(SOCK_DGRAM);
        m_tcpPort = freePort(SOCK_STREAM);
        ASSERT_NE(0, m_udpPort);
        ASSERT_NE(0, m_tcpPort);
        const std::string dir = m_scratch.path();
        std::ofstream conf(dir + "/rsyslog.conf");
        conf << "global(workDirectory=\"" << dir << "\" maxMessageSize=\"64k\")\n"
             << "module(load=\"imudp\")\n"
             << "module(load=\"imtcp\")\n"
             << "module(load=\"imuxsock\" SysSock.Use=\"off\")\n"
             << "module(load=\"mmjsonparse\")\n"
             << "template(name=\"pgjson\" type=\"list\") { property(name=\"$!all-json\") "
                "constant(value=\"\\n\") }\n"
             << "template(name=\"pgfile\" type=\"string\" string=\"" << dir
             << "/parsed-%inputname%.json\")\n"
             << "template(name=\"pgraw\" type=\"string\" string=\"" << dir
             << "/unparsed-%inputname%.log\")\n"
             << "ruleset(name=\"pg\") {\n"
             << "  action(type=\"mmjsonparse\" cookie=\"\")\n"
             << "  if $parsesuccess == \"OK\" then {\n"
             << "    action(type=\"omfile\" dynaFile=\"pgfile\" template=\"pgjson\")\n"
             << "  } else {\n"
             << "    action(type=\"omfile\" dynaFile=\"pgraw\")\n"
             << "  }\n"
             << "}\n"
             << "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" << m_udpPort
             << "\" ruleset=\"pg\")\n"
             << "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" << m_tcpPort
             << "\" ruleset=\"pg\")\n"
             << "input(type=\"imuxsock\" socket=\"" << dir << "/log\" ruleset=\"pg\")\n";
        conf.close();
        ASSERT_TRUE(m_rsyslog.start({"/bin/sh", "-c",
                                     std::string("exec ") + kRsyslogd + " -n -f " + dir +
                                         "/rsyslog.conf -i " + dir + "/rsyslog.pid 2>" + dir +
                                         "/rsyslog.err"}));
        ASSERT_TRUE(waitUntil([&] { return tcpAccepts(m_tcpPort); }))
            << "rsyslogd did not listen: " << readFile(dir + "/rsyslog.err");
        ASSERT_TRUE(waitUntil([&] { return access((dir + "/log").c_str(), F_OK) == 0; }));
    }

    void startDaemon(const std::string &events)
    {
        m_socket = m_scratch.path() + "/pg.sock";
        std::vector<std::string> args{"--watch",     m_gate.path(), "--socket",
                                      m_socket,      "--state-dir", m_scratch.path() + "/state",
                                      "--log-level", "debug",       "--events",
                                      events};
        std::string error;
        ASSERT_TRUE(m_daemon.start(args, m_socket, m_scratch.path() + "/daemon.log", &error))
            << error;
    }

    // check-ecs.js over files; its report on failure.
    void expectEcsValid(const std::vector<std::string> &files)
    {
        std::string command = "node '" PG_ECS_TEST_DIR "/check-ecs.js' '" + m_nodeModules + "'";
        for (const std::string &f : files)
            command += " '" + f + "'";
        std::string out;
        EXPECT_EQ(0, runCommand(command + " 2>&1", &out)) << out;
        std::cout << out;
    }

    static constexpr const char *kRsyslogd = "/usr/sbin/rsyslogd";
    TmpfsMount m_gate;
    ScratchDir m_scratch;
    Launcher m_launcher;
    Daemon m_daemon;
    ChildProcess m_rsyslog;
    EventCollector m_events;
    std::unique_ptr<pg::KernelLink> m_link;
    std::string m_socket, m_nodeModules;
    uint16_t m_udpPort = 0, m_tcpPort = 0;
};

TEST_F(EcsTest, BlockedAndAllowedStartsReachFileSyslogAndMonitorAsValidEcs)
{
    startRsyslog();
    if (HasFatalFailure())
        return;
    const std::string dir = m_scratch.path();
    const std::string file = dir + "/events/procguard.json";
    startDaemon("file:" + file + ",syslog:udp:127.0.0.1:" + std::to_string(m_udpPort) +
                ",syslog:tcp:127.0.0.1:" + std::to_string(m_tcpPort));
    if (HasFatalFailure())
        return;

    ChildProcess monitor;
    ASSERT_TRUE(
        monitor.start({procguardctlPath(), "monitor", "--format", "ecs", "--socket", m_socket}));
    const std::string allowed = m_gate.installProgram("allowed");
    const std::string blocked = m_gate.installProgram("blocked game");
    const std::string unknown = m_gate.installProgram("unknown");
    pg::Policy p;
    p.mode = pg::Mode::Lockdown;
    p.defaultVerdict = Verdict::Block;
    p.rules = {exactRule(allowed, Verdict::Allow), exactRule(blocked, Verdict::Block)};
    std::string error;
    m_link = controlWithPolicy(m_socket, p, &m_events, &error, "ecs-test");
    ASSERT_TRUE(m_link) << error;

    // The monitor is subscribed once it prints a policy change: the policy
    // is sent again until it does (bounded).
    std::vector<std::string> monitorLines;
    auto keep = [&](const std::string &needle) {
        return [&, needle](const std::string &line) {
            monitorLines.push_back(line);
            return line.find(needle) != std::string::npos;
        };
    };
    bool subscribed = false;
    for (int i = 0; i < 20 && !subscribed; ++i) {
        ASSERT_EQ(pg::Error::Code::None, m_link->setPolicy(p).code);
        subscribed = monitor.waitLine(keep("policy-changed"), Ms{500}).has_value();
    }
    ASSERT_TRUE(subscribed) << "the monitor printed no policy change";

    const std::string a = m_launcher.spawn(allowed, {"--flag", "value"});
    auto ar = m_launcher.waitSpawn(a);
    ASSERT_TRUE(ar);
    EXPECT_EQ(0, ar->error);
    const std::string b = m_launcher.spawn(blocked);
    auto br = m_launcher.waitSpawn(b);
    ASSERT_TRUE(br);
    EXPECT_EQ(EPERM, br->error);
    const std::string u = m_launcher.spawn(unknown);
    auto ur = m_launcher.waitSpawn(u);
    ASSERT_TRUE(ur);
    EXPECT_EQ(EPERM, ur->error);
    ASSERT_TRUE(m_events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, unknown); }));
    ASSERT_TRUE(monitor.waitLine(keep("\"executable\":\"" + unknown + "\"")));
    monitor.kill(SIGTERM);
    EXPECT_TRUE(monitor.wait());
    {
        std::ofstream out(dir + "/monitor.json");
        for (const std::string &line : monitorLines)
            out << line << '\n';
    }

    // Every path carries the last verdict within a bounded wait.
    const std::vector<std::string> outputs{file, dir + "/parsed-imudp.json",
                                           dir + "/parsed-imtcp.json"};
    for (const std::string &path : outputs)
        EXPECT_TRUE(waitUntil([&] { return !verdictFor(readObjects(path), unknown).is_null(); }))
            << path << " lacks the verdict for " << unknown << ":\n"
            << readFile(path) << readFile(dir + "/unparsed-imudp.log");
    m_link->close();
    m_link.reset();
    EXPECT_EQ(0, m_daemon.stop());

    expectEcsValid(
        {file, dir + "/parsed-imudp.json", dir + "/parsed-imtcp.json", dir + "/monitor.json"});

    char host[HOST_NAME_MAX + 1] = {};
    gethostname(host, sizeof host - 1);
    std::string machineId;
    std::getline(std::ifstream("/etc/machine-id"), machineId);
    const std::vector<json> fromFile = readObjects(file);
    const json block = verdictFor(fromFile, blocked);
    ASSERT_FALSE(block.is_null()) << readFile(file);
    EXPECT_EQ("blocked", block["event"]["action"]);
    EXPECT_EQ((json{"process", "intrusion_detection"}), block["event"]["category"]);
    EXPECT_EQ((json{"start", "denied"}), block["event"]["type"]);
    EXPECT_EQ("failure", block["event"]["outcome"]);
    EXPECT_EQ("block exact " + blocked, block["rule"]["name"]);
    // The launcher sees no pid (the exec failed); the clients' event has it.
    const auto seen =
        m_events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, blocked); });
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->pid, block["process"]["pid"]);
    EXPECT_EQ(seen->ppid, block["process"]["parent"]["pid"]);
    EXPECT_EQ(seen->seq, block["event"]["sequence"]);
    EXPECT_EQ("blocked game", block["process"]["name"]);
    EXPECT_EQ("0", block["user"]["id"]);
    EXPECT_EQ("root", block["user"]["name"]);
    EXPECT_EQ(std::string(host), block["host"]["name"]);
    EXPECT_EQ(machineId, block["host"]["id"]);
    const json byMode = verdictFor(fromFile, unknown);
    EXPECT_EQ("lockdown blocks what no rule allows", byMode["event"]["reason"]);
    EXPECT_FALSE(byMode.contains("rule"));
    const json allow = verdictFor(fromFile, allowed);
    ASSERT_FALSE(allow.is_null());
    EXPECT_EQ((json{"start", "allowed"}), allow["event"]["type"]);
    EXPECT_EQ("success", allow["event"]["outcome"]);
    // The exec that followed carries the command line.
    bool sawArgs = false;
    for (const json &o : fromFile) {
        if (o["event"]["action"] == "exec" && o["process"].value("executable", "") == allowed) {
            EXPECT_EQ((json{allowed, "--flag", "value"}), o["process"]["args"]);
            EXPECT_EQ(allowed + " --flag value", o["process"]["command_line"]);
            sawArgs = true;
        }
    }
    EXPECT_TRUE(sawArgs) << readFile(file);

    // rsyslog's parsed copies and the monitor's line are the same object
    // (the monitor's event.sequence is the daemon's too).
    for (const std::string &path :
         {dir + "/parsed-imudp.json", dir + "/parsed-imtcp.json", dir + "/monitor.json"})
        EXPECT_EQ(block, verdictFor(readObjects(path), blocked)) << path;
}

TEST_F(EcsTest, LocalSyslogSocketGetsParsableEcs)
{
    startRsyslog();
    if (HasFatalFailure())
        return;
    const std::string dir = m_scratch.path();
    startDaemon("syslog:unix:" + dir + "/log");
    if (HasFatalFailure())
        return;
    const std::string blocked = m_gate.installProgram("blocked");
    pg::Policy p;
    p.mode = pg::Mode::Lockdown;
    p.defaultVerdict = Verdict::Block;
    std::string error;
    m_link = controlWithPolicy(m_socket, p, &m_events, &error, "ecs-test");
    ASSERT_TRUE(m_link) << error;
    const std::string b = m_launcher.spawn(blocked);
    auto br = m_launcher.waitSpawn(b);
    ASSERT_TRUE(br);
    EXPECT_EQ(EPERM, br->error);
    const std::string parsed = dir + "/parsed-imuxsock.json";
    EXPECT_TRUE(waitUntil([&] { return !verdictFor(readObjects(parsed), blocked).is_null(); }))
        << readFile(parsed) << readFile(dir + "/unparsed-imuxsock.log");
    m_link->close();
    m_link.reset();
    EXPECT_EQ(0, m_daemon.stop());
    expectEcsValid({parsed});
}

// What a live run does not produce (threads, images, digest waits, losses,
// kills, held requests, every verdict source, Windows' SIDs and command
// lines) straight from the encoder, through the same ECS check.
TEST_F(EcsTest, EveryKindSourceAndPlatformIsValidEcs)
{
    const std::string path = m_scratch.path() + "/every-kind.json";
    std::ofstream out(path);
    size_t objects = 0;
    for (int os : {PG_ECS_OS_LINUX, PG_ECS_OS_WINDOWS}) {
        const pg_ecs_host host{"kiosk-7", "4c4c4544-0031-1010", os};
        for (uint16_t kind = 1; kind <= PG_EV_KIND_MAX; ++kind) {
            for (uint8_t source = PG_SRC_NONE; source <= PG_SRC_MAX; ++source) {
                for (uint8_t verdict : {PG_VERDICT_ALLOW, PG_VERDICT_BLOCK}) {
                    for (unsigned flags : {0u, PG_EVF_KILLED | PG_EVF_BUDGET, PG_EVF_EXITED}) {
                        pg_event ev;
                        std::memset(&ev, 0, sizeof ev);
                        ev.kind = kind;
                        ev.flags = static_cast<uint16_t>(flags);
                        ev.seq = ++objects;
                        ev.time_ns = 1714564800123456789ull;
                        ev.pid = kind == PG_EV_OVERFLOW || kind == PG_EV_RESYNC ? 0 : 4242;
                        ev.ppid = 4;
                        ev.uid = os == PG_ECS_OS_WINDOWS ? 0xFFFFFFFFu : 1000;
                        ev.verdict = verdict;
                        ev.source = source;
                        ev.rule_id = source == PG_SRC_RULE ? 3 : 0;
                        ev.lost = 5;
                        ev.hold_id = 9;
                        ev.mode = PG_MODE_PROMPT;
                        pg_ecs_event in{};
                        in.ev = &ev;
                        in.image =
                            os == PG_ECS_OS_WINDOWS ? "C:\\Games\\sol.exe" : "/usr/games/sol";
                        in.cmdline = os == PG_ECS_OS_WINDOWS ? "\"C:\\Games\\sol.exe\" /x \"a b\""
                                                             : "sol -x a";
                        in.sid = os == PG_ECS_OS_WINDOWS ? "S-1-5-21-1-2-3-1001" : nullptr;
                        in.parent_image = "/usr/bin/bash";
                        in.user_name = "pupil";
                        in.user_domain = os == PG_ECS_OS_WINDOWS ? "SCHOOL" : nullptr;
                        in.sha256 =
                            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
                        in.rule_action = verdict;
                        in.rule_kind = PG_RULE_GLOB;
                        in.rule_pattern = "/usr/games/*";
                        std::string text(8192, '\0');
                        text.resize(pg_ecs_encode(&host, &in, &text[0], text.size() + 1));
                        out << text << '\n';
                    }
                }
            }
        }
    }
    out.close();
    EXPECT_GT(objects, 1000u);
    expectEcsValid({path});
}

TEST_F(EcsTest, BadEventsTargetIsRefusedAtStart)
{
    ChildProcess d;
    ASSERT_TRUE(d.start({procguarddPath(), "--events", "syslog:udp:nowhere"}, false, true));
    auto line =
        d.waitLine([](const std::string &l) { return l.find("--events") != std::string::npos; });
    EXPECT_TRUE(line) << "no error naming --events";
    auto status = d.wait();
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(2, WEXITSTATUS(*status));
}
