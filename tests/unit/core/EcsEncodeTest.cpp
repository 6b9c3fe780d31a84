// EcsEncodeTest.cpp - pg_ecs_encode: the ECS object of each event kind,
// escaping, argument splitting and the snprintf-style length contract.
// Field names and allowed values against the ECS definitions themselves
// are checked by tests/integration/ecs (it needs the @elastic/ecs package).
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pg_ecs.h"

namespace
{

struct Encoded {
    std::string text;
    nlohmann::json json;
};

pg_event makeEvent(uint16_t kind)
{
    pg_event ev;
    std::memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.seq = 42;
    ev.time_ns = 1714564800123456789ull; // 2024-05-01T12:00:00.123456789Z
    ev.pid = 4321;
    ev.ppid = 1000;
    ev.creator_pid = 1000;
    ev.uid = 1000;
    ev.mode = PG_MODE_LOCKDOWN;
    return ev;
}

Encoded encode(const pg_ecs_event &e, int os = PG_ECS_OS_LINUX)
{
    const pg_ecs_host host{"kiosk-7", "0123456789abcdef0123456789abcdef", os};
    const size_t need = pg_ecs_encode(&host, &e, nullptr, 0);
    std::vector<char> buf(need + 1, 'x');
    EXPECT_EQ(need, pg_ecs_encode(&host, &e, buf.data(), buf.size()));
    Encoded out;
    out.text.assign(buf.data());
    EXPECT_EQ(need, out.text.size());
    out.json = nlohmann::json::parse(out.text); // throws (and fails) on invalid JSON
    return out;
}

pg_ecs_event withStrings(const pg_event *ev, const char *image, const char *cmdline)
{
    pg_ecs_event e{};
    e.ev = ev;
    e.image = image;
    e.cmdline = cmdline;
    return e;
}

} // namespace

TEST(EcsEncode, BlockVerdictIsDeniedIntrusionWithRuleAndReason)
{
    pg_event ev = makeEvent(PG_EV_VERDICT);
    ev.verdict = PG_VERDICT_BLOCK;
    ev.source = PG_SRC_RULE;
    ev.rule_id = 12;
    pg_ecs_event e = withStrings(&ev, "/usr/games/sol", nullptr);
    e.parent_image = "/usr/bin/bash";
    e.rule_action = PG_VERDICT_BLOCK;
    e.rule_kind = PG_RULE_EXACT;
    e.rule_pattern = "/usr/games/sol";
    e.user_name = "pupil";
    e.sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const nlohmann::json j = encode(e).json;

    EXPECT_EQ("2024-05-01T12:00:00.123456Z", j["@timestamp"]);
    EXPECT_EQ(PG_ECS_VERSION, j["ecs"]["version"]);
    EXPECT_EQ("event", j["event"]["kind"]);
    EXPECT_EQ((nlohmann::json{"process", "intrusion_detection"}), j["event"]["category"]);
    EXPECT_EQ((nlohmann::json{"start", "denied"}), j["event"]["type"]);
    EXPECT_EQ("blocked", j["event"]["action"]);
    EXPECT_EQ("failure", j["event"]["outcome"]);
    EXPECT_EQ("rule 12 blocks it", j["event"]["reason"]);
    EXPECT_EQ(42, j["event"]["sequence"]);
    EXPECT_EQ("12", j["rule"]["id"]);
    EXPECT_EQ("block exact /usr/games/sol", j["rule"]["name"]);
    EXPECT_EQ(4321, j["process"]["pid"]);
    EXPECT_EQ("/usr/games/sol", j["process"]["executable"]);
    EXPECT_EQ("sol", j["process"]["name"]);
    EXPECT_EQ(1000, j["process"]["parent"]["pid"]);
    EXPECT_EQ("/usr/bin/bash", j["process"]["parent"]["executable"]);
    EXPECT_EQ(e.sha256, j["process"]["hash"]["sha256"]);
    EXPECT_EQ("1000", j["user"]["id"]);
    EXPECT_EQ("pupil", j["user"]["name"]);
    EXPECT_EQ("kiosk-7", j["host"]["name"]);
    EXPECT_EQ("0123456789abcdef0123456789abcdef", j["host"]["id"]);
    EXPECT_EQ("linux", j["host"]["os"]["type"]);
    EXPECT_EQ("block", j["procguard"]["verdict"]);
    EXPECT_EQ("rule", j["procguard"]["source"]);
    EXPECT_EQ("lockdown", j["procguard"]["mode"]);
}

TEST(EcsEncode, AllowVerdictIsAllowedProcessStartWithoutIntrusionCategory)
{
    pg_event ev = makeEvent(PG_EV_VERDICT);
    ev.mode = PG_MODE_MONITOR;
    ev.verdict = PG_VERDICT_ALLOW;
    ev.source = PG_SRC_MODE;
    ev.flags = PG_EVF_WOULD_BLOCK;
    const nlohmann::json j = encode(withStrings(&ev, "/bin/true", nullptr)).json;
    EXPECT_EQ((nlohmann::json{"process"}), j["event"]["category"]);
    EXPECT_EQ((nlohmann::json{"start", "allowed"}), j["event"]["type"]);
    EXPECT_EQ("success", j["event"]["outcome"]);
    EXPECT_EQ("monitor mode allows it; lockdown would block it", j["event"]["reason"]);
    EXPECT_EQ((nlohmann::json{"would-block"}), j["procguard"]["flags"]);
    EXPECT_FALSE(j.contains("rule"));
}

TEST(EcsEncode, StartCarriesArgsCommandLineAndStartTime)
{
    pg_event ev = makeEvent(PG_EV_START);
    const nlohmann::json j = encode(withStrings(&ev, "/usr/bin/ls", "ls -l  /tmp")).json;
    EXPECT_EQ((nlohmann::json{"start"}), j["event"]["type"]);
    EXPECT_EQ("start", j["event"]["action"]);
    EXPECT_EQ("ls -l  /tmp", j["process"]["command_line"]);
    // Linux joins the kernel's arguments with single spaces: two spaces
    // are an empty argument between.
    EXPECT_EQ((nlohmann::json{"ls", "-l", "", "/tmp"}), j["process"]["args"]);
    EXPECT_EQ(4, j["process"]["args_count"]);
    EXPECT_EQ(j["@timestamp"], j["process"]["start"]);
    EXPECT_FALSE(j["event"].contains("outcome"));
}

TEST(EcsEncode, ExitDecodesTheLinuxWaitStatus)
{
    pg_event ev = makeEvent(PG_EV_EXIT);
    ev.status = 3 << 8;
    EXPECT_EQ(3, encode(withStrings(&ev, "/bin/false", nullptr)).json["process"]["exit_code"]);
    ev.status = 9; // SIGKILL
    const nlohmann::json j = encode(withStrings(&ev, "/bin/false", nullptr)).json;
    EXPECT_EQ(137, j["process"]["exit_code"]);
    EXPECT_EQ((nlohmann::json{"end"}), j["event"]["type"]);
    ev.status = 0xC0000005u; // Windows: the status as it is
    EXPECT_EQ(0xC0000005u, encode(withStrings(&ev, "C:\\a.exe", nullptr), PG_ECS_OS_WINDOWS)
                               .json["process"]["exit_code"]
                               .get<uint64_t>());
}

TEST(EcsEncode, WindowsCommandLineSplitsLikeCommandLineToArgv)
{
    pg_event ev = makeEvent(PG_EV_START);
    ev.uid = 0xFFFFFFFFu;
    pg_ecs_event e = withStrings(&ev, "C:\\Program Files\\App\\app.exe",
                                 "\"C:\\Program Files\\App\\app.exe\" /x \"a b\" c\\\\\"d e\" "
                                 "f\\\"g h\\i");
    e.sid = "S-1-5-21-1-2-3-1001";
    e.user_name = "pupil";
    e.user_domain = "SCHOOL";
    const nlohmann::json j = encode(e, PG_ECS_OS_WINDOWS).json;
    EXPECT_EQ("pupil", j["user"]["name"]);
    EXPECT_EQ("SCHOOL", j["user"]["domain"]);
    EXPECT_EQ(
        (nlohmann::json{"C:\\Program Files\\App\\app.exe", "/x", "a b", "c\\d e", "f\"g", "h\\i"}),
        j["process"]["args"]);
    EXPECT_EQ("app.exe", j["process"]["name"]);
    EXPECT_EQ("S-1-5-21-1-2-3-1001", j["user"]["id"]);
    EXPECT_EQ("windows", j["host"]["os"]["type"]);
    EXPECT_EQ("procguard.sys", j["event"]["provider"]);
}

TEST(EcsEncode, ControlCharactersAndQuotesAreEscaped)
{
    pg_event ev = makeEvent(PG_EV_EXEC);
    const Encoded out = encode(withStrings(&ev, "/tmp/a\"b\\c\nd\x01", "x\ty"));
    EXPECT_EQ("/tmp/a\"b\\c\nd\x01", out.json["process"]["executable"]);
    EXPECT_EQ("x\ty", out.json["process"]["command_line"]);
    EXPECT_EQ(std::string::npos, out.text.find('\n')); // one line per object
}

TEST(EcsEncode, InvalidUtf8BecomesReplacementCharacter)
{
    pg_event ev = makeEvent(PG_EV_EXEC);
    // Latin-1 e-acute, an overlong slash, a cut 3-byte sequence at the end;
    // a valid 4-byte emoji stays.
    const Encoded out =
        encode(withStrings(&ev, "/tmp/caf\xe9/\xc0\xaf/\xf0\x9f\x98\x80/x\xe2\x82", nullptr));
    EXPECT_EQ(
        "/tmp/caf\xef\xbf\xbd/\xef\xbf\xbd\xef\xbf\xbd/\xf0\x9f\x98\x80/x\xef\xbf\xbd\xef\xbf\xbd",
        out.json["process"]["executable"]);
}

TEST(EcsEncode, ShortBufferIsCutAndTerminatedAndReportsFullLength)
{
    pg_event ev = makeEvent(PG_EV_START);
    const pg_ecs_event e = withStrings(&ev, "/usr/bin/ls", "ls");
    const pg_ecs_host host{"h", "i", PG_ECS_OS_LINUX};
    const size_t need = pg_ecs_encode(&host, &e, nullptr, 0);
    char small[16];
    std::memset(small, 'x', sizeof small);
    EXPECT_EQ(need, pg_ecs_encode(&host, &e, small, sizeof small));
    EXPECT_EQ(15u, std::strlen(small));
    EXPECT_EQ(0, std::strncmp(small, "{\"@timestamp\":\"", 15));
}

TEST(EcsEncode, PolicyChangeIsConfigurationChangeWithoutProcess)
{
    pg_event ev = makeEvent(PG_EV_POLICY);
    ev.pid = 0;
    const nlohmann::json j = encode(withStrings(&ev, nullptr, nullptr)).json;
    EXPECT_EQ((nlohmann::json{"configuration"}), j["event"]["category"]);
    EXPECT_EQ((nlohmann::json{"change"}), j["event"]["type"]);
    EXPECT_EQ("policy-changed", j["event"]["action"]);
    EXPECT_FALSE(j.contains("process"));
    EXPECT_FALSE(j.contains("user"));
}

TEST(EcsEncode, OverflowReportsTheLossUnderProcguard)
{
    pg_event ev = makeEvent(PG_EV_OVERFLOW);
    ev.pid = 0;
    ev.lost = 17;
    const nlohmann::json j = encode(withStrings(&ev, nullptr, nullptr)).json;
    EXPECT_EQ("events-lost", j["event"]["action"]);
    EXPECT_EQ(17, j["procguard"]["lost"]);
    EXPECT_EQ("events-lost: 17 lost", j["message"]);
}

TEST(EcsEncode, KilledByBudgetIsEndDenied)
{
    pg_event ev = makeEvent(PG_EV_VERDICT);
    ev.verdict = PG_VERDICT_BLOCK;
    ev.source = PG_SRC_RULE;
    ev.rule_id = 3;
    ev.flags = PG_EVF_BUDGET | PG_EVF_KILLED;
    const nlohmann::json j = encode(withStrings(&ev, "/usr/games/x", nullptr)).json;
    EXPECT_EQ((nlohmann::json{"end", "denied"}), j["event"]["type"]);
    EXPECT_EQ("killed", j["event"]["action"]);
    EXPECT_EQ("its daily time budget (rule 3) is used up", j["event"]["reason"]);
}
