// CommandsTest.cpp - procguardctl's commands end to end against a fake
// component: output, exit codes and what reaches the component.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "Commands.h"
#include "ExitCodes.h"
#include "FakeComponent.h"
#include "FakeProcessSource.h"
#include "SyncState.h"

using namespace pg;
using namespace pg::ctl;
using namespace std::chrono_literals;
using pg::test::FakeComponent;
using pg::test::FakeProcessSource;

namespace
{

Event request(uint64_t seq, uint64_t hold, const std::string &image)
{
    Event e;
    e.kind = EventKind::Request;
    e.seq = seq;
    e.holdId = hold;
    e.pid = static_cast<uint32_t>(2000 + hold);
    e.ppid = 1000;
    e.uid = 1001;
    e.timeoutMs = 0; // no limit: the test decides when
    e.defaultVerdict = Verdict::Block;
    e.image = image;
    e.parentImage = "/usr/bin/bash";
    return e;
}

class CommandsTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_EQ(pipe(input), 0);
        ASSERT_EQ(pipe(stop), 0);
        processes.users = {{0, "root"}, {1001, "alice"}};
        ctx.makeTransport = [this](const std::string &endpoint) {
            lastEndpoint = endpoint;
            return std::make_unique<pg::test::FakeTransport>(component.peer());
        };
        ctx.processes = &processes;
        ctx.out = &out;
        ctx.err = &err;
        ctx.inputFd = input[0];
        ctx.stopFd = stop[0];
        ctx.connectTimeout = 2000ms;
        ctx.requestTimeout = 2000ms;
    }
    void TearDown() override
    {
        for (int fd : {input[0], input[1], stop[0], stop[1]})
            if (fd >= 0)
                close(fd);
    }
    int run(std::vector<const char *> args)
    {
        args.insert(args.begin(), "procguardctl");
        return ctl::run(static_cast<int>(args.size()), args.data(), ctx);
    }
    void type(const std::string &text)
    {
        ASSERT_EQ(write(input[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
    }
    void closeInput()
    {
        close(input[1]);
        input[1] = -1;
    }
    bool waitVerdicts(size_t n)
    {
        for (int i = 0; i < 500 && component.verdicts().size() < n; ++i)
            std::this_thread::sleep_for(10ms);
        return component.verdicts().size() >= n;
    }

    FakeComponent component;
    FakeProcessSource processes;
    Context ctx;
    std::ostringstream out, err;
    std::string lastEndpoint;
    int input[2] = {-1, -1};
    int stop[2] = {-1, -1};
};

} // namespace

TEST_F(CommandsTest, StatusPrintsModeCountersAndController)
{
    component.status.mode = Mode::Prompt;
    component.status.heldNow = 2;
    component.status.lostEvents = 7;
    component.status.controllerPid = 999;
    EXPECT_EQ(run({"status", "--socket", "/run/x.sock"}), kExitOk) << err.str();
    EXPECT_EQ(lastEndpoint, "/run/x.sock");
    EXPECT_FALSE(component.lastHelloAskedControl());
    EXPECT_NE(out.str().find("prompt"), std::string::npos);
    EXPECT_NE(out.str().find("Held now:         2"), std::string::npos);
    EXPECT_NE(out.str().find("Lost events:      7"), std::string::npos);
    EXPECT_NE(out.str().find("999"), std::string::npos);
}

TEST_F(CommandsTest, StatusJsonIsMachineReadable)
{
    component.status.heldNow = 3;
    ASSERT_EQ(run({"status", "--json"}), kExitOk) << err.str();
    const auto j = nlohmann::json::parse(out.str());
    EXPECT_EQ(j["held_now"], 3);
    EXPECT_EQ(j["mode"], "monitor");
    EXPECT_EQ(j["protocol_version"], PG_PROTOCOL_VERSION);
}

namespace
{

// A sync state folder with a state file as a sync leaves it (removed by the caller).
std::string syncStateFolder(bool withState)
{
    char tmpl[] = "/tmp/pg-status-sync.XXXXXX";
    EXPECT_NE(mkdtemp(tmpl), nullptr);
    if (!withState)
        return tmpl;
    sync::SyncState state;
    state.server = "https://santa.example/santa";
    state.machineId = "3D1219C7-C4C5-404A-AA1F-6D2A48ADFDA4";
    state.lastSuccess = 1700000000;
    state.lastAttempt = 1700000600;
    state.lastError = "The server refused the postflight (HTTP 400).";
    state.rules = 4;
    state.policyFile = "/etc/procguard/policy.d/50-santa.json";
    std::string error;
    EXPECT_TRUE(sync::writeSyncState(tmpl, state, policy::systemFileSystem(), &error)) << error;
    return tmpl;
}

} // namespace

TEST_F(CommandsTest, StatusShowsTheSantaSyncServerLastSyncAndLastError)
{
    const std::string dir = syncStateFolder(true);
    ASSERT_EQ(run({"status", "--sync-state", dir.c_str()}), kExitOk) << err.str();
    EXPECT_NE(out.str().find("Sync server:      https://santa.example/santa"), std::string::npos)
        << out.str();
    EXPECT_NE(out.str().find("Last sync:        2023-11-14T22:13:20Z"), std::string::npos)
        << out.str();
    EXPECT_NE(out.str().find("Last sync error:  The server refused the postflight (HTTP 400). "
                             "(at 2023-11-14T22:23:20Z)"),
              std::string::npos)
        << out.str();
    std::system(("rm -rf " + dir).c_str());
}

TEST_F(CommandsTest, StatusJsonCarriesTheSantaSync)
{
    const std::string dir = syncStateFolder(true);
    ASSERT_EQ(run({"status", "--json", "--sync-state", dir.c_str()}), kExitOk) << err.str();
    const auto j = nlohmann::json::parse(out.str());
    EXPECT_EQ(j["sync"]["server"], "https://santa.example/santa");
    EXPECT_EQ(j["sync"]["last_success"], 1700000000);
    EXPECT_EQ(j["sync"]["rules"], 4);
    std::system(("rm -rf " + dir).c_str());
}

TEST_F(CommandsTest, StatusSaysNothingOfASyncThatNeverRan)
{
    const std::string dir = syncStateFolder(false);
    ASSERT_EQ(run({"status", "--sync-state", dir.c_str()}), kExitOk) << err.str();
    EXPECT_EQ(out.str().find("Sync"), std::string::npos) << out.str();
    std::system(("rm -rf " + dir).c_str());
}

TEST_F(CommandsTest, MissingComponentExitsWithThreeAndOneSentence)
{
    component.peer()->failOpen(TransportError::Code::NotFound,
                               "procguardd is not running (no socket at /nowhere).");
    EXPECT_EQ(run({"status"}), kExitNotRunning);
    EXPECT_EQ(err.str(), "procguardd is not running (no socket at /nowhere).\n");
}

TEST_F(CommandsTest, PermissionDeniedExitsWithFour)
{
    component.peer()->failOpen(TransportError::Code::PermissionDenied, "Permission denied.");
    EXPECT_EQ(run({"rules", "list"}), kExitPermissionDenied);
}

TEST_F(CommandsTest, RulesAddAppendsARuleWithTheNextIdAndTheUsersUid)
{
    Rule existing;
    existing.id = 4;
    existing.pattern = "/usr/bin/ls";
    component.policy.rules.push_back(existing);
    ASSERT_EQ(run({"rules", "add", "--block", "--prefix", "/tmp", "--user", "alice"}), kExitOk)
        << err.str();
    EXPECT_TRUE(component.lastHelloAskedControl());
    ASSERT_EQ(component.policy.rules.size(), 2u);
    const Rule &added = component.policy.rules[1];
    EXPECT_EQ(added.id, 1u);
    EXPECT_EQ(added.kind, RuleKind::Prefix);
    EXPECT_EQ(added.action, Verdict::Block);
    EXPECT_EQ(added.pattern, "/tmp/");
    EXPECT_EQ(added.uid, 1001u);
    EXPECT_NE(out.str().find("Added rule 1"), std::string::npos);
}

TEST_F(CommandsTest, RulesAddWithUnknownUserIsAUsageErrorAndChangesNothing)
{
    EXPECT_EQ(run({"rules", "add", "--allow", "--path", "/bin/x", "--user", "mallory"}),
              kExitUsage);
    EXPECT_EQ(component.setPolicyCount(), 0);
    EXPECT_NE(err.str().find("mallory"), std::string::npos);
}

TEST_F(CommandsTest, RulesRemoveDeletesOnlyThatRule)
{
    for (uint32_t id : {1u, 2u, 3u}) {
        Rule r;
        r.id = id;
        r.pattern = "/bin/r" + std::to_string(id);
        component.policy.rules.push_back(r);
    }
    ASSERT_EQ(run({"rules", "remove", "2"}), kExitOk) << err.str();
    ASSERT_EQ(component.policy.rules.size(), 2u);
    EXPECT_EQ(component.policy.rules[0].id, 1u);
    EXPECT_EQ(component.policy.rules[1].id, 3u);
}

TEST_F(CommandsTest, RulesRemoveOfUnknownIdFailsWithOne)
{
    EXPECT_EQ(run({"rules", "remove", "99"}), kExitFailed);
    EXPECT_EQ(component.setPolicyCount(), 0);
    EXPECT_EQ(err.str(), "There is no rule with id 99.\n");
}

TEST_F(CommandsTest, PolicyChangeWhileAnotherClientControlsFailsWithOne)
{
    component.busy = true;
    EXPECT_EQ(run({"mode", "lockdown"}), kExitFailed);
    EXPECT_EQ(err.str(), "Another client already controls procguardd.\n");
}

TEST_F(CommandsTest, ModeChangesOnlyTheNamedSettingsAndKeepsRules)
{
    component.policy.timeoutMs = 12345;
    component.policy.holdBudgetMs = 200;
    Rule r;
    r.id = 1;
    r.pattern = "/bin/keep";
    component.policy.rules.push_back(r);
    ASSERT_EQ(run({"mode", "lockdown", "--default", "block"}), kExitOk) << err.str();
    EXPECT_EQ(component.policy.mode, Mode::Lockdown);
    EXPECT_EQ(component.policy.defaultVerdict, Verdict::Block);
    EXPECT_EQ(component.policy.timeoutMs, 12345u);
    EXPECT_EQ(component.policy.holdBudgetMs, 200u);
    ASSERT_EQ(component.policy.rules.size(), 1u);
    EXPECT_EQ(component.policy.rules[0].pattern, "/bin/keep");
}

TEST_F(CommandsTest, ApproveAutoAnswersEveryRequestAndStopsAfterCount)
{
    component.pushEvents(
        {request(1, 11, "/bin/a"), request(2, 12, "/bin/b"), request(3, 13, "/bin/c")});
    EXPECT_EQ(run({"approve", "--auto", "block", "--count", "2"}), kExitOk) << err.str();
    const auto v = component.verdicts();
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0].holdId, 11u);
    EXPECT_EQ(v[1].holdId, 12u);
    EXPECT_EQ(v[0].verdict, Verdict::Block);
    EXPECT_TRUE(component.lastHelloAskedControl());
}

TEST_F(CommandsTest, ApproveShowsOneHoldAtATimeWithTheWaitingCount)
{
    int rc = -1;
    std::thread session([&] { rc = run({"approve"}); });
    component.pushEvents({request(1, 21, "/usr/bin/curl"), request(2, 22, "/usr/bin/wget")});
    type("b\n");
    ASSERT_TRUE(waitVerdicts(1));
    type("a\n");
    ASSERT_TRUE(waitVerdicts(2));
    closeInput();
    session.join();
    EXPECT_EQ(rc, kExitOk) << err.str();
    const auto v = component.verdicts();
    EXPECT_EQ(v[0].holdId, 21u);
    EXPECT_EQ(v[0].verdict, Verdict::Block);
    EXPECT_EQ(v[1].holdId, 22u);
    EXPECT_EQ(v[1].verdict, Verdict::Allow);
    const std::string text = out.str();
    EXPECT_NE(text.find("/usr/bin/curl"), std::string::npos);
    EXPECT_NE(text.find("alice (1001)"), std::string::npos);
    EXPECT_NE(text.find("/usr/bin/bash"), std::string::npos);
    EXPECT_NE(text.find("more waiting"), std::string::npos);
    EXPECT_NE(text.find("[a]llow / [b]lock"), std::string::npos);
}

TEST_F(CommandsTest, ApproveAlwaysAddsAnExactRuleThenAnswers)
{
    int rc = -1;
    std::thread session([&] { rc = run({"approve"}); });
    component.pushEvents({request(1, 31, "/opt/app/run")});
    type("W\n");
    ASSERT_TRUE(waitVerdicts(1));
    closeInput();
    session.join();
    EXPECT_EQ(rc, kExitOk) << err.str();
    ASSERT_EQ(component.policy.rules.size(), 1u);
    EXPECT_EQ(component.policy.rules[0].kind, RuleKind::Exact);
    EXPECT_EQ(component.policy.rules[0].action, Verdict::Block);
    EXPECT_EQ(component.policy.rules[0].pattern, "/opt/app/run");
    EXPECT_EQ(component.verdicts()[0].verdict, Verdict::Block);
}

TEST_F(CommandsTest, ApproveDropsAHoldDecidedElsewhere)
{
    Event decided;
    decided.kind = EventKind::Verdict;
    decided.seq = 2;
    decided.holdId = 41;
    decided.verdict = Verdict::Block;
    decided.source = Source::Timeout;
    int rc = -1;
    std::thread session([&] { rc = run({"approve"}); });
    component.pushEvents({request(1, 41, "/bin/slow"), decided});
    for (int i = 0; i < 500 && out.str().find("decided elsewhere") == std::string::npos; ++i)
        std::this_thread::sleep_for(10ms);
    closeInput();
    session.join();
    EXPECT_EQ(rc, kExitOk);
    EXPECT_NE(out.str().find("decided elsewhere: block (timeout)"), std::string::npos);
    EXPECT_TRUE(component.verdicts().empty());
}

TEST_F(CommandsTest, MonitorReportsSequenceGapsAndEndsOnDisconnect)
{
    Event a, b, c;
    a.kind = EventKind::Start;
    a.seq = 10;
    a.pid = 1;
    b = a;
    b.seq = 11;
    c = a;
    c.kind = EventKind::Exit;
    c.seq = 15;
    component.pushEvents({a, b, c});
    component.closeAfterEvents = true;
    EXPECT_EQ(run({"monitor", "--json"}), kExitDisconnected);
    EXPECT_FALSE(component.lastHelloAskedControl());
    EXPECT_NE(err.str().find("3 event(s) missing before sequence 15"), std::string::npos);
    std::istringstream lines(out.str());
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
        const auto j = nlohmann::json::parse(line);
        EXPECT_TRUE(j.contains("seq"));
        ++n;
    }
    EXPECT_EQ(n, 3);
}

TEST_F(CommandsTest, MonitorFormatEcsNamesTheRuleUserAndHost)
{
    Rule rule;
    rule.id = 5;
    rule.action = Verdict::Block;
    rule.kind = RuleKind::Exact;
    rule.pattern = "/usr/games/sol";
    component.policy.rules = {rule};
    ctx.hostIdentity = [](std::string *name, std::string *id) {
        *name = "kiosk-7";
        *id = "4c4c4544003110";
    };
    Event v = request(1, 9, "/usr/games/sol");
    v.kind = EventKind::Verdict;
    v.verdict = Verdict::Block;
    v.source = Source::Rule;
    v.ruleId = 5;
    v.mode = Mode::Lockdown;
    Event start;
    start.kind = EventKind::Start;
    start.seq = 2;
    start.pid = 300;
    start.uid = 4242; // no name: user.id only
    start.image = "/usr/bin/ls";
    start.cmdline = "ls -l";
    int rc = -1;
    std::thread session([&] { rc = run({"monitor", "--format", "ecs"}); });
    component.pushEvents({v, start});
    std::this_thread::sleep_for(300ms); // as MonitorEndsCleanlyOnStopSignal: out is not shared
    ASSERT_EQ(write(stop[1], "x", 1), 1);
    session.join();
    EXPECT_EQ(rc, kExitOk) << err.str();
    std::istringstream lines(out.str());
    std::string line;
    std::vector<nlohmann::json> objects;
    while (std::getline(lines, line))
        objects.push_back(nlohmann::json::parse(line));
    ASSERT_EQ(objects.size(), 2u) << out.str();
    ASSERT_TRUE(objects[0].contains("rule")) << out.str();
    const nlohmann::json &b = objects[0];
    EXPECT_EQ(b["event"]["action"], "blocked");
    EXPECT_EQ(b["event"]["type"], (nlohmann::json{"start", "denied"}));
    EXPECT_EQ(b["rule"]["id"], "5");
    EXPECT_EQ(b["rule"]["name"], "block exact /usr/games/sol");
    EXPECT_EQ(b["user"]["id"], "1001");
    EXPECT_EQ(b["user"]["name"], "alice");
    EXPECT_EQ(b["host"]["name"], "kiosk-7");
    EXPECT_EQ(b["host"]["id"], "4c4c4544003110");
    EXPECT_EQ(b["process"]["parent"]["executable"], "/usr/bin/bash");
    const nlohmann::json &s = objects[1];
    EXPECT_EQ(s["process"]["args"], (nlohmann::json{"ls", "-l"}));
    EXPECT_EQ(s["user"]["id"], "4242");
    EXPECT_FALSE(s["user"].contains("name"));
}

TEST_F(CommandsTest, MonitorFormatEcsNamesAWindowsAccountFromItsSid)
{
    int lookups = 0;
    ctx.accountOfSid = [&](const std::string &sid, std::string *name, std::string *domain) {
        ++lookups;
        if (sid != "S-1-5-21-1-2-3-1001")
            return false;
        *name = "pupil";
        *domain = "SCHOOL";
        return true;
    };
    Event e;
    e.kind = EventKind::Start;
    e.pid = 300;
    e.uid = 0xFFFFFFFFu; // the Windows driver: no uid, a SID
    e.sid = "S-1-5-21-1-2-3-1001";
    e.image = "C:/GAMES/SOL.EXE";
    e.cmdline = "\"C:\\Games\\sol.exe\" /x";
    Event again = e;
    again.seq = 1;
    int rc = -1;
    std::thread session([&] { rc = run({"monitor", "--format", "ecs"}); });
    component.pushEvents({e, again});
    std::this_thread::sleep_for(300ms); // as MonitorEndsCleanlyOnStopSignal
    ASSERT_EQ(write(stop[1], "x", 1), 1);
    session.join();
    EXPECT_EQ(rc, kExitOk) << err.str();
    std::istringstream lines(out.str());
    std::string line;
    ASSERT_TRUE(std::getline(lines, line)) << out.str();
    const nlohmann::json j = nlohmann::json::parse(line);
    EXPECT_EQ(j["user"]["id"], "S-1-5-21-1-2-3-1001");
    EXPECT_EQ(j["user"]["name"], "pupil");
    EXPECT_EQ(j["user"]["domain"], "SCHOOL");
    EXPECT_EQ(j["host"]["os"]["type"], "windows");
    EXPECT_EQ(j["process"]["args"], (nlohmann::json{"C:\\Games\\sol.exe", "/x"}));
    EXPECT_EQ(lookups, 1); // looked up once per SID
}

TEST_F(CommandsTest, MonitorRejectsJsonWithFormatEcs)
{
    EXPECT_EQ(run({"monitor", "--json", "--format", "ecs"}), kExitUsage);
    EXPECT_EQ(run({"monitor", "--format", "xml"}), kExitUsage);
}

namespace
{

// Records what monitor --event-log writes.
class FakeEventChannel : public EventChannel
{
public:
    struct Record {
        std::string text;
        Level level;
    };
    explicit FakeEventChannel(std::vector<Record> *records) : m_records(records) {}
    bool write(const std::string &utf8, Level level, std::string *) override
    {
        m_records->push_back({utf8, level});
        return true;
    }

private:
    std::vector<Record> *m_records;
};

} // namespace

TEST_F(CommandsTest, MonitorEventLogGetsEcsWithWarningsForBlocks)
{
    std::vector<FakeEventChannel::Record> records;
    ctx.openEventChannel = [&](std::string *) -> std::unique_ptr<EventChannel> {
        return std::make_unique<FakeEventChannel>(&records);
    };
    Event v = request(1, 9, "/usr/games/sol");
    v.kind = EventKind::Verdict;
    v.verdict = Verdict::Block;
    v.source = Source::Mode;
    Event start;
    start.kind = EventKind::Start;
    start.seq = 2;
    start.pid = 300;
    start.image = "/usr/bin/ls";
    int rc = -1;
    std::thread session([&] { rc = run({"monitor", "--format", "ecs", "--event-log"}); });
    component.pushEvents({v, start});
    std::this_thread::sleep_for(300ms); // records is not shared until the join
    ASSERT_EQ(write(stop[1], "x", 1), 1);
    session.join();
    EXPECT_EQ(rc, kExitOk) << err.str();
    EXPECT_EQ(out.str(), ""); // the objects went to the log, not stdout
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].level, EventChannel::Level::Warning);
    EXPECT_EQ(nlohmann::json::parse(records[0].text)["event"]["action"], "blocked");
    EXPECT_EQ(records[1].level, EventChannel::Level::Information);
    EXPECT_EQ(nlohmann::json::parse(records[1].text)["process"]["pid"], 300);
}

TEST_F(CommandsTest, MonitorEventLogNeedsEcsAndAPlatformLog)
{
    EXPECT_EQ(run({"monitor", "--event-log"}), kExitUsage);
    EXPECT_NE(err.str().find("--event-log needs --format ecs"), std::string::npos);
    // No event log on this platform (Linux): said so, with the alternative.
    EXPECT_EQ(run({"monitor", "--format", "ecs", "--event-log"}), kExitUsage);
    EXPECT_NE(err.str().find("procguardd --events syslog"), std::string::npos);
}

TEST_F(CommandsTest, MonitorEndsCleanlyOnStopSignal)
{
    int rc = -1;
    std::thread session([&] { rc = run({"monitor"}); });
    Event e;
    e.kind = EventKind::Exec;
    e.seq = 1;
    e.pid = 77;
    e.image = "/bin/true";
    component.pushEvents({e});
    std::this_thread::sleep_for(100ms);
    ASSERT_EQ(write(stop[1], "x", 1), 1);
    session.join();
    EXPECT_EQ(rc, kExitOk);
    EXPECT_NE(out.str().find("pid=77"), std::string::npos);
    EXPECT_NE(out.str().find("/bin/true"), std::string::npos);
}

TEST_F(CommandsTest, PsTreeIndentsChildrenUnderTheirParents)
{
    processes.processes = {{1, 0, 0, "root", "init", "/sbin/init", "init", 0},
                           {50, 1, 1001, "alice", "bash", "/bin/bash", "bash", 0},
                           {60, 50, 1001, "alice", "vim", "/usr/bin/vim", "vim notes", 0},
                           {70, 1, 0, "root", "cron", "/usr/sbin/cron", "cron", 0}};
    ASSERT_EQ(run({"ps", "--tree"}), kExitOk);
    const std::string text = out.str();
    EXPECT_NE(text.find(" init\n"), std::string::npos);
    EXPECT_NE(text.find("   bash\n"), std::string::npos);
    EXPECT_NE(text.find("     vim notes\n"), std::string::npos);
    EXPECT_LT(text.find("vim notes"), text.find("cron"));
}

TEST_F(CommandsTest, PsJsonTreeNestsChildren)
{
    processes.processes = {{1, 0, 0, "root", "init", "/sbin/init", "init", 0},
                           {50, 1, 1001, "alice", "bash", "/bin/bash", "bash", 0}};
    ASSERT_EQ(run({"ps", "--tree", "--json"}), kExitOk);
    const auto j = nlohmann::json::parse(out.str());
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0]["pid"], 1);
    EXPECT_EQ(j[0]["children"][0]["user"], "alice");
}
