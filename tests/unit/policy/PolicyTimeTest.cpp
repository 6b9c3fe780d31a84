// PolicyTimeTest.cpp - rules with time conditions in the policy file
// (schema 3: schedule, budget, expiry), their text forms, and the explainer
// at a given moment; plus the client-side dpkg lookup for package rules.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sys/stat.h>

#include "../../support/PolicyBuilders.h"
#include "FakeFileSystem.h"
#include "PackageLookup.h"
#include "PolicyExplainer.h"
#include "PolicyFile.h"
#include "RuleTimeText.h"
#include "pg_rules.h"

using namespace pg;
using namespace pg::policy;
using namespace pgtest;

namespace
{

constexpr int64_t kHour = 3600;
// Saturday 2026-11-21 00:00:00 UTC.
const int64_t kSaturday = daysFromCivil(2026, 11, 21) * 86400;
const int64_t kMonday = kSaturday + 2 * 86400;

PolicyDocument timedDocument()
{
    PolicyDocument d;
    d.policy.mode = Mode::Lockdown;
    d.policy.defaultVerdict = Verdict::Block;
    Rule games = rule(1, RuleKind::Glob, Verdict::Allow, "/usr/games/*");
    games.time.days = 0x1F; // Mon-Fri
    games.time.windows = {{16 * 3600, 18 * 3600}, {22 * 3600, 2 * 3600}};
    games.time.budgetSeconds = 5400;
    games.time.budgetGroup = 2;
    games.time.graceSeconds = 90;
    Rule until = rule(2, RuleKind::Exact, Verdict::Allow, "/usr/bin/steam");
    until.time.expiry = Expiry::At;
    until.time.expiresAt = kSaturday + 16 * kHour;
    Rule once = rule(3, RuleKind::Exact, Verdict::Allow, "/usr/bin/once");
    once.time.expiry = Expiry::Once;
    once.time.windows = {{20 * 3600 + 30, 0}}; // 20:00:30 to midnight
    Rule boot = rule(4, RuleKind::Prefix, Verdict::Allow, "/opt/");
    boot.time.expiry = Expiry::Reboot;
    boot.time.bootId.assign(PG_BOOT_ID_BYTES, 0xab);
    Rule weekend = rule(5, RuleKind::Exact, Verdict::Block, "/usr/bin/x");
    weekend.time.days = 0x60;
    d.policy.rules = {games, until, once, boot, weekend};
    return d;
}

// A schema-3 file with one glob rule carrying extra fields.
std::string withRuleFields(const std::string &fields, int schema = 3)
{
    return "{\"schema\":" + std::to_string(schema) +
           ",\"mode\":\"lockdown\",\"rules\":[{\"kind\":\"glob\",\"action\":\"allow\","
           "\"pattern\":\"/usr/games/*\"," +
           fields + "}]}";
}

void expectSameTime(const RuleTime &a, const RuleTime &b)
{
    EXPECT_EQ(a.days, b.days);
    ASSERT_EQ(a.windows.size(), b.windows.size());
    for (size_t i = 0; i < a.windows.size(); ++i) {
        EXPECT_EQ(a.windows[i].start, b.windows[i].start);
        EXPECT_EQ(a.windows[i].end, b.windows[i].end);
    }
    EXPECT_EQ(a.expiry, b.expiry);
    EXPECT_EQ(a.expiresAt, b.expiresAt);
    EXPECT_EQ(a.budgetSeconds, b.budgetSeconds);
    EXPECT_EQ(a.budgetGroup, b.budgetGroup);
    EXPECT_EQ(a.graceSeconds, b.graceSeconds);
    EXPECT_EQ(a.bootId, b.bootId);
}

UtcOffset fixedOffset(int32_t s)
{
    return [s](int64_t) { return s; };
}

Explanation explainAt(const Policy &p, const std::string &image, int64_t now, int32_t offset = 0,
                      std::vector<uint8_t> bootId = {})
{
    StartFacts f;
    f.image = image;
    f.uid = 1000;
    ExplainEnvironment env;
    env.time = TimeFacts{now, fixedOffset(offset), std::move(bootId)};
    Explanation e;
    std::string error;
    EXPECT_TRUE(explainStart(p, f, env, &e, &error)) << error;
    return e;
}

Policy gamesAfterSchool()
{
    Policy p;
    p.mode = Mode::Lockdown;
    p.defaultVerdict = Verdict::Block;
    Rule games = rule(7, RuleKind::Glob, Verdict::Allow, "/usr/games/*");
    games.time.days = 0x1F;
    games.time.windows = {{16 * 3600, 18 * 3600}};
    Rule night = rule(8, RuleKind::Exact, Verdict::Allow, "/usr/games/owl");
    night.time.days = 0x10; // Friday 22:00-02:00 (into Saturday)
    night.time.windows = {{22 * 3600, 2 * 3600}};
    p.rules = {games, night, rule(9, RuleKind::Prefix, Verdict::Allow, "/usr/bin/")};
    return p;
}

std::string makeTempDir()
{
    char tmpl[] = "/tmp/pg-policytime-XXXXXX";
    const char *d = mkdtemp(tmpl);
    return d ? d : "";
}

void writeFile(const std::string &path, const std::string &text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

} // namespace

// ---- text forms ---------------------------------------------------------

TEST(RuleTimeText, DaysAcceptRangesListsAndNames)
{
    uint8_t d = 0;
    std::string why;
    ASSERT_TRUE(parseDays("mon-fri", &d, &why)) << why;
    EXPECT_EQ(d, 0x1F);
    ASSERT_TRUE(parseDays("Mon,Wed,FRI", &d, &why)) << why;
    EXPECT_EQ(d, 0x15);
    ASSERT_TRUE(parseDays("fri-mon", &d, &why)) << why; // wraps past Sunday
    EXPECT_EQ(d, 0x71);
    ASSERT_TRUE(parseDays("weekend", &d, &why));
    EXPECT_EQ(d, 0x60);
    ASSERT_TRUE(parseDays("saturday, sun", &d, &why));
    EXPECT_EQ(d, 0x60);
    EXPECT_FALSE(parseDays("mon-funday", &d, &why));
    EXPECT_NE(why.find("\"funday\" is not a day"), std::string::npos) << why;
    EXPECT_FALSE(parseDays("", &d, &why));
    EXPECT_EQ(formatDays(0x1F), "Mon-Fri");
    EXPECT_EQ(formatDays(0x15), "Mon, Wed, Fri");
    EXPECT_EQ(formatDays(0x60), "Sat, Sun");
    EXPECT_EQ(formatDays(0x7F), "every day");
}

TEST(RuleTimeText, ClockAndWindows)
{
    uint32_t s = 0;
    std::string why;
    ASSERT_TRUE(parseClock("7:05", false, &s, &why));
    EXPECT_EQ(s, 7u * 3600 + 300);
    EXPECT_FALSE(parseClock("25:00", false, &s, &why));
    EXPECT_NE(why.find("not a time of day"), std::string::npos);
    EXPECT_FALSE(parseClock("12:60", false, &s, &why));
    EXPECT_FALSE(parseClock("24:00", false, &s, &why)) << "24:00 is only an end";
    ASSERT_TRUE(parseClock("24:00", true, &s, &why));
    EXPECT_EQ(s, 0u);
    TimeWindow w;
    ASSERT_TRUE(parseWindow("22:00-02:00", &w, &why)) << why; // crosses midnight
    EXPECT_EQ(w.start, 22u * 3600);
    EXPECT_EQ(w.end, 2u * 3600);
    EXPECT_EQ(formatWindow(w), "22:00-02:00");
    EXPECT_FALSE(parseWindow("10:00-10:00", &w, &why));
    EXPECT_NE(why.find("empty"), std::string::npos) << why;
    EXPECT_FALSE(parseWindow("10:00", &w, &why));
    EXPECT_EQ(formatClock(16 * 3600 + 30), "16:00:30");
}

TEST(RuleTimeText, Durations)
{
    uint64_t s = 0;
    std::string why;
    ASSERT_TRUE(parseDuration("1h30m", 86400, &s, &why));
    EXPECT_EQ(s, 5400u);
    ASSERT_TRUE(parseDuration("90M", 86400, &s, &why));
    EXPECT_EQ(s, 5400u);
    ASSERT_TRUE(parseDuration("2h15s", 86400, &s, &why));
    EXPECT_EQ(s, 7215u);
    EXPECT_FALSE(parseDuration("-5m", 86400, &s, &why));
    EXPECT_FALSE(parseDuration("1.5h", 86400, &s, &why));
    EXPECT_FALSE(parseDuration("30m1h", 86400, &s, &why)) << "units in order h, m, s";
    EXPECT_FALSE(parseDuration("90", 86400, &s, &why));
    EXPECT_NE(why.find("needs a unit"), std::string::npos) << why;
    EXPECT_FALSE(parseDuration("25h", 86400, &s, &why));
    EXPECT_NE(why.find("longer than 24h"), std::string::npos) << why;
    EXPECT_FALSE(parseDuration("99999999999999999999h", 86400, &s, &why));
    EXPECT_EQ(formatDuration(5400), "1h30m");
    EXPECT_EQ(formatDuration(86400), "24h");
    EXPECT_EQ(formatDuration(61), "1m1s");
}

TEST(RuleTimeText, UtcAndLocalTimes)
{
    int64_t t = 0;
    std::string why;
    ASSERT_TRUE(parseUtcTime("2026-11-21T16:00:00Z", &t, &why)) << why;
    EXPECT_EQ(t, kSaturday + 16 * kHour);
    EXPECT_EQ(formatUtcTime(t), "2026-11-21T16:00:00Z");
    ASSERT_TRUE(parseUtcTime("2024-02-29T00:00:00Z", &t, &why)) << "a leap day";
    EXPECT_FALSE(parseUtcTime("2026-02-29T00:00:00Z", &t, &why));
    EXPECT_FALSE(parseUtcTime("2026-11-21 16:00:00", &t, &why));
    ASSERT_TRUE(parseLocalTime("2026-11-21 17:30", fixedOffset(3600), &t, &why)) << why;
    EXPECT_EQ(t, kSaturday + 16 * kHour + 1800);
    EXPECT_EQ(formatLocalTime(t, fixedOffset(3600)), "2026-11-21 17:30");
    EXPECT_FALSE(parseLocalTime("2026-11-21 25:00", fixedOffset(0), &t, &why));
    EXPECT_FALSE(parseLocalTime("tomorrow", fixedOffset(0), &t, &why));
}

// ---- the policy file -----------------------------------------------------

TEST(PolicyFileTime, EveryTimeFieldSurvivesARoundTrip)
{
    const PolicyDocument d = timedDocument();
    const std::string text = toPolicyJson(d);
    PolicyDocument back;
    PolicyError e;
    ASSERT_TRUE(parsePolicyJson(text, &back, &e)) << e.message << "\n" << text;
    ASSERT_EQ(back.policy.rules.size(), d.policy.rules.size());
    for (size_t i = 0; i < d.policy.rules.size(); ++i) {
        SCOPED_TRACE(i);
        expectSameTime(back.policy.rules[i].time, d.policy.rules[i].time);
    }
    EXPECT_EQ(toPolicyJson(back), text) << "export -> import -> export is stable";
}

TEST(PolicyFileTime, TheWrittenShapeIsTheDocumentedOne)
{
    const nlohmann::json j = nlohmann::json::parse(toPolicyJson(timedDocument()));
    EXPECT_EQ(j["schema"], 3);
    const nlohmann::json &games = j["rules"][0];
    EXPECT_EQ(games["schedule"]["days"], nlohmann::json({"mon", "tue", "wed", "thu", "fri"}));
    EXPECT_EQ(games["schedule"]["windows"][0]["from"], "16:00");
    EXPECT_EQ(games["schedule"]["windows"][0]["to"], "18:00");
    EXPECT_EQ(games["schedule"]["windows"][1]["from"], "22:00");
    EXPECT_EQ(games["schedule"]["windows"][1]["to"], "02:00");
    EXPECT_EQ(games["budget"]["per_day"], "1h30m");
    EXPECT_EQ(games["budget"]["group"], 2);
    EXPECT_EQ(games["budget"]["grace"], "1m30s");
    EXPECT_EQ(j["rules"][1]["expires"]["kind"], "at");
    EXPECT_EQ(j["rules"][1]["expires"]["at"], "2026-11-21T16:00:00Z");
    EXPECT_EQ(j["rules"][2]["expires"]["kind"], "once");
    EXPECT_EQ(j["rules"][2]["schedule"]["windows"][0]["to"], "24:00");
    EXPECT_EQ(j["rules"][3]["expires"]["kind"], "reboot");
    EXPECT_EQ(j["rules"][3]["expires"]["boot_id"], "abababababababababababababababab");
    EXPECT_FALSE(j["rules"][4].contains("budget"));
    EXPECT_FALSE(j["rules"][4].contains("expires"));
}

TEST(PolicyFileTime, HandWrittenScheduleLoads)
{
    PolicyDocument d;
    PolicyError e;
    ASSERT_TRUE(parsePolicyJson(
        withRuleFields(
            R"("schedule":{"days":["Sat","sunday"],"windows":[{"from":"9:00","to":"12:30"}]},)"
            R"("budget":{"per_day":"45m"},"expires":{"kind":"reboot"})"),
        &d, &e))
        << e.message;
    const RuleTime &t = d.policy.rules.at(0).time;
    EXPECT_EQ(t.days, 0x60);
    ASSERT_EQ(t.windows.size(), 1u);
    EXPECT_EQ(t.windows[0].start, 9u * 3600);
    EXPECT_EQ(t.windows[0].end, 12u * 3600 + 1800);
    EXPECT_EQ(t.budgetSeconds, 2700u);
    EXPECT_EQ(t.expiry, Expiry::Reboot);
    EXPECT_TRUE(t.bootId.empty()) << "stamped by the component";
}

TEST(PolicyFileTime, BadTimeFieldsNameTheirPointer)
{
    struct Case {
        std::string fields;
        std::string pointer;
        std::string says;
    };
    const std::vector<Case> cases = {
        {R"("schedule":{"days":["mon","funday"]})", "/rules/0/schedule/days/1", "not a day"},
        {R"("schedule":{"days":["mon","MON"]})", "/rules/0/schedule/days/1", "twice"},
        {R"("schedule":{"days":[]})", "/rules/0/schedule/days", "empty"},
        {R"("schedule":{"days":"mon-fri"})", "/rules/0/schedule/days", "list of days"},
        {R"("schedule":{"windows":[{"from":"25:00","to":"26:00"}]})",
         "/rules/0/schedule/windows/0/from", "not a time of day"},
        {R"("schedule":{"windows":[{"from":"10:00","to":"10:00"}]})",
         "/rules/0/schedule/windows/0/to", "empty"},
        {R"("schedule":{"windows":[{"from":"10:00"}]})", "/rules/0/schedule/windows/0/to",
         "missing"},
        {R"("schedule":{"windows":[{"from":"1:00","to":"2:00"},{"from":"3:00","to":"4:00"},)"
         R"({"from":"5:00","to":"6:00"},{"from":"7:00","to":"8:00"},{"from":"9:00","to":"10:00"}]})",
         "/rules/0/schedule/windows", "at most 4"},
        {R"("schedule":{"hours":1})", "/rules/0/schedule/hours", "Unknown schedule field"},
        {R"("schedule":[])", "/rules/0/schedule", "a schedule"},
        {R"("budget":{"per_day":"0m"})", "/rules/0/budget/per_day", "block all day"},
        {R"("budget":{"per_day":"-1h"})", "/rules/0/budget/per_day", "not a duration"},
        {R"("budget":{"per_day":"25h"})", "/rules/0/budget/per_day", "longer than 24h"},
        {R"("budget":{"per_day":"999999999999h"})", "/rules/0/budget/per_day", "too long"},
        {R"("budget":{"per_day":90})", "/rules/0/budget/per_day", "Expected a string"},
        {R"("budget":{"per_day":"1h","grace":"2h"})", "/rules/0/budget/grace", "longer than 1h"},
        {R"("budget":{"group":1})", "/rules/0/budget/per_day", "missing"},
        {R"("budget":{"per_day":"1h","group":-1})", "/rules/0/budget/group", "whole number"},
        {R"("expires":{"kind":"sometimes"})", "/rules/0/expires/kind", "once, at or reboot"},
        {R"("expires":{"kind":"at","at":"2026-13-01T00:00:00Z"})", "/rules/0/expires/at",
         "not a UTC time"},
        {R"("expires":{"kind":"at"})", "/rules/0/expires/at", "missing"},
        {R"("expires":{"kind":"once","at":"2026-11-01T00:00:00Z"})", "/rules/0/expires/at",
         "Unknown expiry field"},
        {R"("expires":{"kind":"reboot","boot_id":"xyz"})", "/rules/0/expires/boot_id",
         "32 hex digits"},
        {R"("expires":"once")", "/rules/0/expires", "an expiry"},
    };
    for (const Case &c : cases) {
        SCOPED_TRACE(c.fields);
        const PolicyError e = parseError(withRuleFields(c.fields));
        EXPECT_EQ(e.pointer, c.pointer) << e.message;
        EXPECT_NE(e.message.find(c.says), std::string::npos) << e.message;
        EXPECT_NE(e.message.find("At " + c.pointer), std::string::npos) << e.message;
    }
}

TEST(PolicyFileTime, ABadFileLeavesTheLastGoodPolicy)
{
    pg::test::FakeFileSystem fs;
    fs.files["/p.json"] = toPolicyJson(timedDocument());
    PolicyFile file("/p.json", fs);
    PolicyDocument good;
    PolicyError e;
    ASSERT_TRUE(file.load(&good, &e)) << e.message;
    fs.files["/p.json"] =
        withRuleFields(R"("schedule":{"windows":[{"from":"22:00","to":"22:00"}]})");
    PolicyDocument kept = good;
    EXPECT_FALSE(file.load(&kept, &e));
    EXPECT_NE(e.message.find("/p.json"), std::string::npos) << e.message;
    ASSERT_EQ(kept.policy.rules.size(), good.policy.rules.size());
    expectSameTime(kept.policy.rules[0].time, good.policy.rules[0].time);
}

TEST(PolicyFileTime, Schema2FilesLoadAndRefuseTimeFields)
{
    PolicyDocument d;
    PolicyError e;
    ASSERT_TRUE(parsePolicyJson(withRuleFields(R"("message":"hi")", 2), &d, &e)) << e.message;
    EXPECT_EQ(d.policy.rules.at(0).message, "hi");
    EXPECT_TRUE(d.policy.rules.at(0).time.empty());
    EXPECT_EQ(nlohmann::json::parse(toPolicyJson(d))["schema"], 3) << "written as schema 3";

    const PolicyError old = parseError(withRuleFields(R"("budget":{"per_day":"1h"})", 2));
    EXPECT_EQ(old.pointer, "/rules/0/budget");
    EXPECT_NE(old.message.find("does not exist in schema 2"), std::string::npos) << old.message;
    EXPECT_NE(old.message.find("set \"schema\" to 3"), std::string::npos) << old.message;
}

TEST(PolicyFileTime, Schema1FilesMigrateThroughToSchema3)
{
    PolicyDocument d;
    PolicyError e;
    ASSERT_TRUE(parsePolicyJson(
        R"({"schema":1,"mode":"prompt","rules":[{"kind":"exact","action":"block","pattern":"/x","uid":5}]})",
        &d, &e))
        << e.message;
    EXPECT_EQ(d.policy.rules.at(0).uid, 5u);
    const PolicyError old = parseError(withRuleFields(R"("schedule":{"days":["mon"]})", 1));
    EXPECT_EQ(old.pointer, "/rules/0/schedule");
    EXPECT_NE(old.message.find("does not exist in schema 1"), std::string::npos) << old.message;
    EXPECT_NE(old.message.find("set \"schema\" to 3"), std::string::npos) << old.message;

    nlohmann::json doc = nlohmann::json::parse(withRuleFields(R"("link":"https://x")", 2));
    ASSERT_TRUE(migrateSchema2To3(&doc, &e));
    EXPECT_EQ(doc["schema"], 3);
    EXPECT_EQ(doc["rules"][0]["link"], "https://x") << "nothing else changes";
}

TEST(PolicyFileTime, NewerSchemaIsStillRefused)
{
    const PolicyError e = parseError(withRuleFields("\"id\":1", 4));
    EXPECT_EQ(e.pointer, "/schema");
    EXPECT_NE(e.message.find("newer"), std::string::npos);
}

TEST(PolicyFileTime, CheckRuleCatchesTimeProblems)
{
    Rule r = rule(1, RuleKind::Exact, Verdict::Allow, "/x");
    r.time.expiry = Expiry::At; // without a time
    EXPECT_EQ(checkRule(r).field, "expires/at");
    r.time = RuleTime();
    r.time.windows.assign(5, TimeWindow{0, 60});
    EXPECT_EQ(checkRule(r).field, "schedule/windows");
    r.time = RuleTime();
    r.time.budgetGroup = 3;
    EXPECT_EQ(checkRule(r).field, "budget/per_day");
    r.time = RuleTime();
    r.time.windows = {{22 * 3600, 2 * 3600}};
    EXPECT_TRUE(checkRule(r).field.empty()) << checkRule(r).message;
    Policy p;
    p.rules = {r};
    PolicyError e;
    EXPECT_TRUE(checkPolicy(p, &e)) << e.message << " (the core accepts a window across midnight)";
}

// ---- explain at a moment ---------------------------------------------------

TEST(PolicyExplainerTime, OutsideTheScheduleTheNextRuleDecides)
{
    const Explanation e =
        explainAt(gamesAfterSchool(), "/usr/games/tetris", kSaturday + 10 * kHour);
    EXPECT_FALSE(e.index.has_value());
    EXPECT_EQ(e.outcome, Verdict::Block);
    ASSERT_EQ(e.dormant.size(), 1u);
    EXPECT_EQ(e.dormant[0].rule.id, 7u);
    EXPECT_EQ(e.dormant[0].state, DormantRule::State::OffSchedule);
    EXPECT_TRUE(e.dormant[0].wouldDecide);
    EXPECT_NE(e.summary.find("Rule 7 (allow glob /usr/games/*) would allow, but only Mon-Fri "
                             "16:00-18:00; now (Sat 2026-11-21 10:00) is outside its schedule"),
              std::string::npos)
        << e.summary;
    EXPECT_NE(e.summary.find("Instead - Blocked: no rule in force matches"), std::string::npos)
        << e.summary;
}

TEST(PolicyExplainerTime, InsideTheWindowTheRuleDecidesAndSaysWhen)
{
    const Explanation e = explainAt(gamesAfterSchool(), "/usr/games/tetris", kMonday + 17 * kHour);
    ASSERT_TRUE(e.index.has_value());
    EXPECT_EQ(e.rule.id, 7u);
    EXPECT_EQ(e.outcome, Verdict::Allow);
    EXPECT_TRUE(e.dormant.empty());
    bool noted = false;
    for (const std::string &n : e.notes)
        noted = noted || n.find("in force only Mon-Fri 16:00-18:00") != std::string::npos;
    EXPECT_TRUE(noted);
}

TEST(PolicyExplainerTime, TheLocalZoneDecidesTheWindow)
{
    // 15:30 UTC is 16:30 at UTC+1: inside; at UTC it is outside.
    EXPECT_TRUE(
        explainAt(gamesAfterSchool(), "/usr/games/tetris", kMonday + 15 * kHour + 1800, 3600)
            .index.has_value());
    EXPECT_FALSE(explainAt(gamesAfterSchool(), "/usr/games/tetris", kMonday + 15 * kHour + 1800, 0)
                     .index.has_value());
}

TEST(PolicyExplainerTime, AWindowAcrossMidnightBelongsToTheDayItStarts)
{
    // Friday 22:00-02:00: Saturday 01:00 is inside, Saturday 23:00 is not.
    const Explanation in = explainAt(gamesAfterSchool(), "/usr/games/owl", kSaturday + 1 * kHour);
    ASSERT_TRUE(in.index.has_value());
    EXPECT_EQ(in.rule.id, 8u);
    const Explanation out = explainAt(gamesAfterSchool(), "/usr/games/owl", kSaturday + 23 * kHour);
    EXPECT_FALSE(out.index.has_value());
    EXPECT_EQ(out.dormant.size(), 2u) << "both sleeping rules match";
}

TEST(PolicyExplainerTime, ADormantRuleThatWouldLoseAnywayDoesNotChangeTheSummary)
{
    Policy p = gamesAfterSchool();
    p.rules.push_back(rule(10, RuleKind::Exact, Verdict::Block, "/usr/games/tetris"));
    const Explanation e = explainAt(p, "/usr/games/tetris", kSaturday + 10 * kHour);
    ASSERT_TRUE(e.index.has_value());
    EXPECT_EQ(e.rule.id, 10u);
    ASSERT_EQ(e.dormant.size(), 1u);
    EXPECT_FALSE(e.dormant[0].wouldDecide);
    EXPECT_EQ(e.summary.rfind("Blocked: rule 10", 0), 0u) << e.summary;
}

TEST(PolicyExplainerTime, ExpiredRulesAreReported)
{
    Policy p;
    p.mode = Mode::Lockdown;
    Rule r = rule(3, RuleKind::Exact, Verdict::Allow, "/usr/bin/steam");
    r.time.expiry = Expiry::At;
    r.time.expiresAt = kSaturday + 12 * kHour;
    p.rules = {r};
    EXPECT_TRUE(explainAt(p, "/usr/bin/steam", kSaturday + 11 * kHour).index.has_value());
    const Explanation e = explainAt(p, "/usr/bin/steam", kSaturday + 12 * kHour);
    EXPECT_FALSE(e.index.has_value());
    ASSERT_EQ(e.dormant.size(), 1u);
    EXPECT_EQ(e.dormant[0].state, DormantRule::State::Expired);
    EXPECT_NE(e.summary.find("it expired at 2026-11-21 12:00"), std::string::npos) << e.summary;
}

TEST(PolicyExplainerTime, UntilRebootDependsOnTheBoot)
{
    Policy p;
    p.mode = Mode::Lockdown;
    Rule r = rule(4, RuleKind::Exact, Verdict::Allow, "/usr/bin/steam");
    r.time.expiry = Expiry::Reboot;
    r.time.bootId.assign(PG_BOOT_ID_BYTES, 0x11);
    p.rules = {r};
    const std::vector<uint8_t> same(PG_BOOT_ID_BYTES, 0x11), other(PG_BOOT_ID_BYTES, 0x22);
    EXPECT_TRUE(explainAt(p, "/usr/bin/steam", kSaturday, 0, same).index.has_value());
    const Explanation e = explainAt(p, "/usr/bin/steam", kSaturday, 0, other);
    EXPECT_FALSE(e.index.has_value());
    EXPECT_NE(e.summary.find("restarted since"), std::string::npos) << e.summary;
    EXPECT_TRUE(explainAt(p, "/usr/bin/steam", kSaturday, 0, {}).index.has_value())
        << "an unknown boot keeps the rule";
}

TEST(PolicyExplainerTime, BudgetAndOnceAreNoted)
{
    Policy p;
    p.mode = Mode::Lockdown;
    Rule r = rule(5, RuleKind::Exact, Verdict::Allow, "/usr/bin/game");
    r.time.budgetSeconds = 3600;
    r.time.expiry = Expiry::Once;
    p.rules = {r};
    const Explanation e = explainAt(p, "/usr/bin/game", kSaturday);
    ASSERT_TRUE(e.index.has_value());
    std::string all;
    for (const std::string &n : e.notes)
        all += n + "\n";
    EXPECT_NE(all.find("daily budget of 1h"), std::string::npos) << all;
    EXPECT_NE(all.find("used up by the first start"), std::string::npos) << all;
}

TEST(PolicyExplainerTime, WithoutATimeEveryRuleCountsAsInForce)
{
    StartFacts f;
    f.image = "/usr/games/tetris";
    Explanation e;
    std::string error;
    ASSERT_TRUE(explainStart(gamesAfterSchool(), f, HashImage(), &e, &error)) << error;
    ASSERT_TRUE(e.index.has_value());
    EXPECT_EQ(e.rule.id, 7u);
}

// ---- package rules ----------------------------------------------------------

TEST(PolicyExplainerPackage, ThePackageLookupDecidesAPackageRule)
{
    Policy p;
    p.mode = Mode::Lockdown;
    p.rules = {rule(1, RuleKind::Package, Verdict::Allow, "core*")};
    StartFacts f;
    f.image = "/usr/bin/ls";
    int calls = 0;
    ExplainEnvironment env;
    env.packageOf = [&](const std::string &image, std::optional<std::string> *pkg, std::string *,
                        std::string *) {
        ++calls;
        EXPECT_EQ(image, "/usr/bin/ls");
        *pkg = "coreutils";
        return true;
    };
    Explanation e;
    std::string error;
    ASSERT_TRUE(explainStart(p, f, env, &e, &error)) << error;
    EXPECT_EQ(calls, 1);
    ASSERT_TRUE(e.index.has_value());
    EXPECT_EQ(e.outcome, Verdict::Allow);
    EXPECT_EQ(e.missingFacts, 0u) << "not provisional";
    EXPECT_EQ(e.package, std::string("coreutils"));

    env.packageOf = [&](const std::string &, std::optional<std::string> *pkg, std::string *note,
                        std::string *) {
        pkg->reset();
        *note = "Package coreutils installed /usr/bin/ls, but the file was modified since.";
        return true;
    };
    ASSERT_TRUE(explainStart(p, f, env, &e, &error)) << error;
    EXPECT_FALSE(e.index.has_value());
    EXPECT_EQ(e.outcome, Verdict::Block);
    EXPECT_EQ(e.missingFacts, 0u);
    EXPECT_NE(e.notes.at(0).find("modified"), std::string::npos);

    env.packageOf = [&](const std::string &, std::optional<std::string> *, std::string *,
                        std::string *why) {
        *why = "no database";
        return false;
    };
    ASSERT_TRUE(explainStart(p, f, env, &e, &error)) << error;
    EXPECT_NE(e.missingFacts & PG_FACT_PACKAGE, 0u) << "unknown stays provisional";
}

TEST(DpkgPackageLookup, FindsTheOwnerOfAnUnmodifiedFile)
{
    const std::string dir = makeTempDir();
    ASSERT_FALSE(dir.empty());
    const std::string info = dir + "/info";
    ASSERT_EQ(mkdir(info.c_str(), 0755), 0);
    const std::string prog = dir + "/prog";
    writeFile(prog, "test"); // MD5("test") = 098f6bcd4621d373cade4e832627b4f6
    writeFile(info + "/tools:amd64.list", "/.\n" + dir + "\n" + prog + "\n");
    writeFile(info + "/tools:amd64.md5sums",
              "098f6bcd4621d373cade4e832627b4f6  " + prog.substr(1) + "\n");
    writeFile(info + "/other.list", dir + "/elsewhere\n");

    DpkgPackageLookup lookup(info);
    std::optional<std::string> pkg;
    std::string note, why;
    ASSERT_TRUE(lookup.owner(prog, &pkg, &note, &why)) << why;
    EXPECT_EQ(pkg, std::string("tools"));

    ASSERT_TRUE(lookup.owner(dir + "/unlisted", &pkg, &note, &why));
    EXPECT_FALSE(pkg.has_value());
    EXPECT_TRUE(note.empty());

    writeFile(prog, "changed");
    ASSERT_TRUE(lookup.owner(prog, &pkg, &note, &why));
    EXPECT_FALSE(pkg.has_value());
    EXPECT_NE(note.find("modified"), std::string::npos) << note;

    DpkgPackageLookup missing(dir + "/nope");
    EXPECT_FALSE(missing.owner(prog, &pkg, &note, &why));
    EXPECT_NE(why.find("dpkg"), std::string::npos);

    for (const std::string &f :
         {prog, info + "/tools:amd64.list", info + "/tools:amd64.md5sums", info + "/other.list"})
        std::remove(f.c_str());
    rmdir(info.c_str());
    rmdir(dir.c_str());
}
