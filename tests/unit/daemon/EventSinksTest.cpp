// EventSinksTest.cpp - procguardd's SIEM sinks (EventSinks.h): --events
// parsing, and real writes to a file, a Unix datagram socket standing in
// for /dev/log and a TCP listener on 127.0.0.1; rule names follow the
// policy; a rotated file is reopened. (A real rsyslog receiving them is
// tests/integration/ecs.)
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

#include "EventSinks.h"

namespace
{

using Target = EventSinks::Target;

class TempDir
{
public:
    TempDir()
    {
        char tmpl[] = "/tmp/pg-events-XXXXXX";
        const char *d = mkdtemp(tmpl);
        if (d != nullptr)
            m_path = d;
    }
    ~TempDir()
    {
        if (!m_path.empty())
            std::system(("rm -rf '" + m_path + "'").c_str());
    }
    const std::string &path() const { return m_path; }

private:
    std::string m_path;
};

pg_event event(uint16_t kind, uint64_t seq, uint32_t pid)
{
    pg_event ev;
    std::memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.seq = seq;
    ev.time_ns = 1714564800000000000ull;
    ev.pid = pid;
    ev.ppid = 1;
    ev.uid = 0;
    ev.mode = PG_MODE_LOCKDOWN;
    return ev;
}

// A SET_POLICY message with one rule (id, block, exact, pattern).
std::vector<uint8_t> policyWithRule(uint32_t id, const std::string &pattern)
{
    pg_policy p;
    std::memset(&p, 0, sizeof p);
    p.rule_count = 1;
    pg_rule r;
    std::memset(&r, 0, sizeof r);
    r.id = id;
    r.kind = PG_RULE_EXACT;
    r.action = PG_VERDICT_BLOCK;
    r.pattern_len = static_cast<uint16_t>(pattern.size() + 1);
    r.size = static_cast<uint32_t>((sizeof r + r.pattern_len + 7) / 8 * 8);
    std::vector<uint8_t> out(sizeof p + r.size, 0);
    std::memcpy(out.data(), &p, sizeof p);
    std::memcpy(out.data() + sizeof p, &r, sizeof r);
    std::memcpy(out.data() + sizeof p + sizeof r, pattern.c_str(), pattern.size() + 1);
    return out;
}

std::vector<nlohmann::json> readLines(const std::string &path)
{
    std::vector<nlohmann::json> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        out.push_back(nlohmann::json::parse(line));
    return out;
}

} // namespace

TEST(EventSinksParse, AcceptsEveryTargetForm)
{
    std::vector<Target> t;
    std::string error;
    ASSERT_TRUE(EventSinks::parse("syslog,syslog:udp:127.0.0.1:514,syslog:tcp:[::1]:6514,"
                                  "syslog:unix:/run/x.sock,file:/var/log/pg/a,b.json",
                                  &t, &error))
        << error;
    ASSERT_EQ(5u, t.size());
    EXPECT_EQ(Target::Kind::Syslog, t[0].kind);
    EXPECT_EQ("/dev/log", t[0].path);
    EXPECT_EQ(Target::Kind::Udp, t[1].kind);
    EXPECT_EQ("127.0.0.1", t[1].host);
    EXPECT_EQ(514, t[1].port);
    EXPECT_EQ(Target::Kind::Tcp, t[2].kind);
    EXPECT_EQ("::1", t[2].host);
    EXPECT_EQ(6514, t[2].port);
    EXPECT_EQ("/run/x.sock", t[3].path);
    EXPECT_EQ(Target::Kind::File, t[4].kind);
    EXPECT_EQ("/var/log/pg/a,b.json", t[4].path); // what is no target continues the path

    t.clear();
    ASSERT_TRUE(EventSinks::parse("file:/x/e.json,syslog:tcp:h:1", &t, &error)) << error;
    ASSERT_EQ(2u, t.size());
    EXPECT_EQ("/x/e.json", t[0].path);
    EXPECT_EQ(Target::Kind::Tcp, t[1].kind);
}

TEST(EventSinksParse, RejectsBadTargetsWithTheirName)
{
    for (const char *bad : {"journal", "file:relative.json", "syslog:udp:host", "syslog:tcp:h:0",
                            "syslog:udp:h:70000", "syslog,", "syslog:unix:"}) {
        std::vector<Target> t;
        std::string error;
        EXPECT_FALSE(EventSinks::parse(bad, &t, &error)) << bad;
        EXPECT_NE(std::string::npos, error.find("--events")) << bad << ": " << error;
    }
}

TEST(EventSinks, FileGetsOneEcsObjectPerLineWithRuleNames)
{
    TempDir dir;
    const std::string path = dir.path() + "/sub/events.json";
    EventSinks sinks;
    Target file;
    file.kind = Target::Kind::File;
    file.path = path;
    sinks.start({file});
    ASSERT_TRUE(sinks.active());
    sinks.policyChanged(policyWithRule(7, "/usr/games/sol"));
    pg_event start = event(PG_EV_START, 1, 100);
    sinks.push(start, "/usr/bin/ls", "ls -l", "");
    pg_event v = event(PG_EV_VERDICT, 2, 101);
    v.verdict = PG_VERDICT_BLOCK;
    v.source = PG_SRC_RULE;
    v.rule_id = 7;
    sinks.push(v, "/usr/games/sol", "", "/usr/bin/bash");
    sinks.stop();

    const std::vector<nlohmann::json> lines = readLines(path);
    ASSERT_EQ(2u, lines.size());
    EXPECT_EQ("start", lines[0]["event"]["action"]);
    EXPECT_EQ((nlohmann::json{"ls", "-l"}), lines[0]["process"]["args"]);
    EXPECT_EQ("root", lines[0]["user"]["name"]); // uid 0, from the passwd database
    EXPECT_EQ("blocked", lines[1]["event"]["action"]);
    EXPECT_EQ("block exact /usr/games/sol", lines[1]["rule"]["name"]);
    EXPECT_EQ("/usr/bin/bash", lines[1]["process"]["parent"]["executable"]);
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    EXPECT_EQ(std::string(host), lines[1]["host"]["name"]);
    EXPECT_EQ(0u, sinks.lost());
}

TEST(EventSinks, RotatedFileIsReopened)
{
    TempDir dir;
    const std::string path = dir.path() + "/events.json";
    EventSinks sinks;
    Target file;
    file.kind = Target::Kind::File;
    file.path = path;
    sinks.start({file});
    sinks.push(event(PG_EV_START, 1, 100), "/bin/a", "", "");
    // Wait until the first line is there, then rotate as logrotate does.
    for (int i = 0; i < 200 && readLines(path).empty(); ++i)
        usleep(10000);
    ASSERT_EQ(1u, readLines(path).size());
    ASSERT_EQ(0, rename(path.c_str(), (path + ".1").c_str()));
    usleep(1100 * 1000); // the sink looks for a rotation once a second
    sinks.push(event(PG_EV_START, 2, 101), "/bin/b", "", "");
    sinks.stop();
    EXPECT_EQ(1u, readLines(path + ".1").size());
    const std::vector<nlohmann::json> fresh = readLines(path);
    ASSERT_EQ(1u, fresh.size());
    EXPECT_EQ("/bin/b", fresh[0]["process"]["executable"]);
}

TEST(EventSinks, UnixSyslogSocketGetsSyslogFramedObjects)
{
    TempDir dir;
    const std::string sockPath = dir.path() + "/log";
    const int rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(rx, 0);
    struct sockaddr_un addr;
    std::memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, sockPath.c_str(), sockPath.size());
    ASSERT_EQ(0, bind(rx, reinterpret_cast<struct sockaddr *>(&addr), sizeof addr));
    EventSinks sinks;
    Target t;
    t.kind = Target::Kind::Syslog;
    t.path = sockPath;
    sinks.start({t});
    pg_event v = event(PG_EV_VERDICT, 3, 55);
    v.verdict = PG_VERDICT_BLOCK;
    v.source = PG_SRC_MODE;
    sinks.push(v, "/tmp/x", "", "");
    struct pollfd p = {rx, POLLIN, 0};
    ASSERT_EQ(1, poll(&p, 1, 5000));
    char buf[65536];
    const ssize_t n = recv(rx, buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    const std::string msg(buf, static_cast<size_t>(n));
    // daemon.warning for a block: <3*8+4>
    EXPECT_EQ(0u, msg.find("<28>")) << msg;
    const std::string tag = "procguardd[" + std::to_string(getpid()) + "]: ";
    const size_t at = msg.find(tag);
    ASSERT_NE(std::string::npos, at) << msg;
    const nlohmann::json j = nlohmann::json::parse(msg.substr(at + tag.size()));
    EXPECT_EQ("lockdown blocks what no rule allows", j["event"]["reason"]);
    sinks.stop();
    close(rx);
}

TEST(EventSinks, TcpServerGetsRfc5424LinesAndADeadServerIsCountedAsLoss)
{
    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(listener, 0);
    struct sockaddr_in addr;
    std::memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(0, bind(listener, reinterpret_cast<struct sockaddr *>(&addr), sizeof addr));
    socklen_t len = sizeof addr;
    ASSERT_EQ(0, getsockname(listener, reinterpret_cast<struct sockaddr *>(&addr), &len));
    ASSERT_EQ(0, listen(listener, 1));
    const uint16_t port = ntohs(addr.sin_port);

    EventSinks sinks;
    Target t;
    t.kind = Target::Kind::Tcp;
    t.host = "127.0.0.1";
    t.port = port;
    sinks.start({t});
    sinks.push(event(PG_EV_EXEC, 9, 77), "/bin/true", "true", "");
    struct pollfd p = {listener, POLLIN, 0};
    ASSERT_EQ(1, poll(&p, 1, 5000));
    const int conn = accept(listener, nullptr, nullptr);
    ASSERT_GE(conn, 0);
    std::string got;
    char buf[4096];
    while (got.find('\n') == std::string::npos) {
        struct pollfd c = {conn, POLLIN, 0};
        ASSERT_EQ(1, poll(&c, 1, 5000));
        const ssize_t n = recv(conn, buf, sizeof buf, 0);
        ASSERT_GT(n, 0);
        got.append(buf, static_cast<size_t>(n));
    }
    // <daemon.info>1 TIMESTAMP HOST procguardd PID ecs - {json}
    EXPECT_EQ(0u, got.find("<30>1 2024-05-01T12:00:00.000000Z ")) << got;
    const size_t json = got.find(" ecs - {");
    ASSERT_NE(std::string::npos, json) << got;
    const nlohmann::json j = nlohmann::json::parse(got.substr(json + 7, got.find('\n') - json - 7));
    EXPECT_EQ("exec", j["event"]["action"]);
    EXPECT_EQ(9, j["event"]["sequence"]);

    // The server goes away: events are lost, counted, never block push.
    close(conn);
    close(listener);
    for (uint64_t seq = 10; seq < 20; ++seq)
        sinks.push(event(PG_EV_EXEC, seq, 77), "/bin/true", "", "");
    sinks.stop();
    EXPECT_GE(sinks.lost(), 9u);
}

TEST(EventSinks, StalledReaderLosesEventsCountedAndReportedWhenItReadsAgain)
{
    TempDir dir;
    const std::string fifo = dir.path() + "/events.fifo";
    ASSERT_EQ(0, mkfifo(fifo.c_str(), 0600));
    // A reader that does not read yet: the pipe (64 KiB) fills up.
    const int rx = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    ASSERT_GE(rx, 0);
    EventSinks sinks(100); // a failed target is tried again after 100 ms
    Target t;
    t.kind = Target::Kind::File;
    t.path = fifo;
    sinks.start({t});
    const std::string cmdline(400, 'a');
    uint64_t seq = 1;
    for (; seq <= 2000; ++seq)
        sinks.push(event(PG_EV_EXEC, seq, 7), "/bin/true", cmdline, "");
    for (int i = 0; i < 500 && sinks.lost() == 0; ++i)
        usleep(10000);
    ASSERT_GT(sinks.lost(), 0u) << "a full pipe lost nothing";

    // The reader reads again; the next event is preceded by the loss report.
    std::string got;
    char buf[65536];
    auto drain = [&] {
        ssize_t n;
        while ((n = read(rx, buf, sizeof buf)) > 0)
            got.append(buf, static_cast<size_t>(n));
    };
    std::vector<nlohmann::json> objects;
    bool reported = false, after = false;
    for (int i = 0; i < 300 && !after; ++i) {
        drain();
        usleep(20000);
        sinks.push(event(PG_EV_EXEC, seq++, 8), "/bin/late", "", "");
        usleep(20000);
        drain();
        size_t nl;
        while ((nl = got.find('\n')) != std::string::npos) {
            const nlohmann::json j = nlohmann::json::parse(got.substr(0, nl));
            got.erase(0, nl + 1);
            if (j["event"]["action"] == "events-lost") {
                reported = true;
                EXPECT_GT(j["procguard"]["lost"].get<uint64_t>(), 0u);
            } else if (reported && j["process"]["executable"] == "/bin/late") {
                after = true;
            }
        }
    }
    EXPECT_TRUE(reported) << "no events-lost object";
    EXPECT_TRUE(after) << "no event after the loss report";
    sinks.stop();
    close(rx);
}

TEST(EventSinks, FifoWithoutReaderNeitherHangsNorBlocksStop)
{
    TempDir dir;
    const std::string fifo = dir.path() + "/nobody.fifo";
    ASSERT_EQ(0, mkfifo(fifo.c_str(), 0600));
    EventSinks sinks(100);
    Target t;
    t.kind = Target::Kind::File;
    t.path = fifo;
    sinks.start({t});
    for (uint64_t seq = 1; seq <= 10; ++seq)
        sinks.push(event(PG_EV_EXEC, seq, 7), "/bin/true", "", "");
    const auto t0 = std::chrono::steady_clock::now();
    sinks.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
    EXPECT_EQ(10u, sinks.lost());
}
