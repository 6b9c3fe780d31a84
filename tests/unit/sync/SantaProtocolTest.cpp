// SantaProtocolTest.cpp - the Santa bodies, their tolerance and the mapping
// of server rules to ProcGuard rules (SantaProtocol.h).
#include <gtest/gtest.h>

#include "SantaProtocol.h"

using namespace pg;
using namespace pg::sync;

namespace
{

const std::string kA(64, 'a');
const std::string kB(64, 'b');

ServerRule binary(const std::string &id, const std::string &policy)
{
    ServerRule r;
    r.identifier = id;
    r.ruleType = "BINARY";
    r.policy = policy;
    return r;
}

} // namespace

TEST(SantaProtocol, PrefixIsStrippedWithItsLineBreak)
{
    EXPECT_EQ(stripJsonPrefix(")]}'\n{\"a\":1}"), "{\"a\":1}");
    EXPECT_EQ(stripJsonPrefix("{\"a\":1}"), "{\"a\":1}");
    PreflightReply r;
    std::string error;
    ASSERT_TRUE(parsePreflight(")]}'\r\n{\"client_mode\":\"LOCKDOWN\"}", &r, &error)) << error;
    EXPECT_EQ(r.mode, Mode::Lockdown);
}

TEST(SantaProtocol, PreflightIgnoresUnknownFieldsAndReadsBothSyncTypeSpellings)
{
    PreflightReply r;
    std::string error;
    ASSERT_TRUE(parsePreflight(R"({"client_mode":"monitor","sync_type":"clean_all",
        "batch_size":7,"full_sync_interval":10,"enable_all_event_upload":true,
        "brand_new":{"x":[1,2]},"allowed_path_regex":null})",
                               &r, &error))
        << error;
    EXPECT_EQ(r.mode, Mode::Monitor);
    EXPECT_TRUE(r.cleanSync);
    EXPECT_EQ(r.syncType, "clean_all");
    EXPECT_EQ(r.batchSize, 7u);
    EXPECT_EQ(r.fullSyncIntervalS, 60u); // never more often than once a minute
    EXPECT_TRUE(r.uploadAllEvents);
    EXPECT_FALSE(r.allowedPathRegex);

    ASSERT_TRUE(parsePreflight(R"({"clean_sync":true,"whitelist_regex":"^/opt/.*"})", &r, &error));
    EXPECT_TRUE(r.cleanSync);
    EXPECT_EQ(r.syncType, "clean");
    EXPECT_EQ(r.allowedPathRegex, std::string("^/opt/.*"));
    EXPECT_FALSE(r.mode);
}

TEST(SantaProtocol, PreflightWithAFieldOfTheWrongTypeIsAnErrorNamingIt)
{
    PreflightReply r;
    std::string error;
    EXPECT_FALSE(parsePreflight(R"({"batch_size":"many"})", &r, &error));
    EXPECT_NE(error.find("batch_size"), std::string::npos) << error;
    EXPECT_FALSE(parsePreflight(R"({"client_mode":"PARANOID"})", &r, &error));
    EXPECT_NE(error.find("client_mode"), std::string::npos) << error;
    EXPECT_FALSE(parsePreflight("[1]", &r, &error));
    EXPECT_FALSE(parsePreflight("<html>", &r, &error));
}

TEST(SantaProtocol, RuleBatchAcceptsTheOlderSha256Key)
{
    RuleBatch b;
    std::string error;
    ASSERT_TRUE(parseRuleBatch(R"()]}'
{"rules":[{"sha256":")" + kA + R"(","policy":"allowlist","rule_type":"BINARY","extra":1},
          {"identifier":")" + kB + R"(","policy":"BLOCKLIST","custom_msg":"No."}],
 "cursor":"next-page"})",
                               &b, &error))
        << error;
    ASSERT_EQ(b.rules.size(), 2u);
    EXPECT_EQ(b.rules[0].identifier, kA);
    EXPECT_EQ(b.rules[0].policy, "ALLOWLIST");
    EXPECT_EQ(b.rules[1].ruleType, "BINARY"); // the default
    EXPECT_EQ(b.rules[1].customMsg, "No.");
    EXPECT_EQ(b.cursor, "next-page");
    EXPECT_EQ(ruleDownloadRequest("").dump(), "{}");
    EXPECT_EQ(ruleDownloadRequest("c1").dump(), R"({"cursor":"c1"})");
}

TEST(SantaProtocol, RuleWithoutIdentifierIsAnErrorNamingItsIndex)
{
    RuleBatch b;
    std::string error;
    EXPECT_FALSE(parseRuleBatch(R"({"rules":[{"policy":"ALLOWLIST"}]})", &b, &error));
    EXPECT_NE(error.find("rules/0"), std::string::npos) << error;
}

TEST(SantaProtocol, BinaryRulesBecomeSha256RulesWithMessageAndLink)
{
    ServerRule block = binary(kB, "BLOCKLIST");
    block.customMsg = "Ask IT.";
    block.customUrl = "https://it.example";
    ServerRule silent = binary(std::string(64, 'C'), "SILENT_BLOCKLIST");
    silent.customMsg = "hidden";
    std::vector<Rule> rules;
    ApplyCounts counts;
    applyRules({binary(kA, "ALLOWLIST_COMPILER"), block, silent}, PreflightReply(), true, &rules,
               &counts);
    ASSERT_EQ(rules.size(), 3u);
    EXPECT_EQ(rules[0].kind, RuleKind::Sha256);
    EXPECT_EQ(rules[0].action, Verdict::Allow);
    EXPECT_EQ(rules[1].action, Verdict::Block);
    EXPECT_EQ(rules[1].message, "Ask IT.");
    EXPECT_EQ(rules[1].link, "https://it.example");
    EXPECT_EQ(rules[2].pattern, std::string(64, 'c')); // lower-cased
    EXPECT_TRUE(rules[2].message.empty());
    EXPECT_EQ(counts.received, 3u);
    EXPECT_EQ(counts.processed, 3u);
}

TEST(SantaProtocol, OtherRuleTypesAndBadIdentifiersAreCountedNotGuessed)
{
    ServerRule cert = binary(kA, "ALLOWLIST");
    cert.ruleType = "CERTIFICATE";
    ServerRule team = binary("EQHXZ8M8AV", "ALLOWLIST");
    team.ruleType = "TEAMID";
    ServerRule cdhash = binary("abc", "BLOCKLIST");
    cdhash.ruleType = "CDHASH";
    std::vector<Rule> rules;
    ApplyCounts counts;
    applyRules({cert, team, cdhash, binary("not-a-digest", "BLOCKLIST"), binary(kB, "MAYBE")},
               PreflightReply(), true, &rules, &counts);
    EXPECT_TRUE(rules.empty());
    EXPECT_EQ(counts.ignoredType, 3u);
    EXPECT_EQ(counts.invalid, 1u);
    EXPECT_EQ(counts.ignoredPolicy, 1u);
    EXPECT_EQ(counts.processed, 0u);
    EXPECT_EQ(counts.notes.size(), 2u);
}

TEST(SantaProtocol, TooLongMessageMakesTheRuleInvalidNotTruncated)
{
    ServerRule r = binary(kA, "BLOCKLIST");
    r.customMsg = std::string(2000, 'x');
    std::vector<Rule> rules;
    ApplyCounts counts;
    applyRules({r}, PreflightReply(), true, &rules, &counts);
    EXPECT_TRUE(rules.empty());
    EXPECT_EQ(counts.invalid, 1u);
}

TEST(SantaProtocol, IncrementalSyncChangesAndRemovesByIdentifierAndKeepsTheRest)
{
    std::vector<Rule> rules;
    ApplyCounts counts;
    applyRules({binary(kA, "ALLOWLIST"), binary(kB, "ALLOWLIST")}, PreflightReply(), true, &rules,
               &counts);
    ApplyCounts second;
    applyRules({binary(kA, "REMOVE"), binary(kB, "BLOCKLIST")}, PreflightReply(), false, &rules,
               &second);
    ASSERT_EQ(rules.size(), 1u);
    EXPECT_EQ(rules[0].pattern, kB);
    EXPECT_EQ(rules[0].action, Verdict::Block);
    EXPECT_EQ(second.removed, 1u);
    // A clean sync starts from nothing.
    ApplyCounts third;
    applyRules({}, PreflightReply(), true, &rules, &third);
    EXPECT_TRUE(rules.empty());
}

TEST(SantaProtocol, PathRegexesAreRebuiltFromEveryPreflight)
{
    PreflightReply pre;
    pre.allowedPathRegex = "^/opt/tools/.*";
    pre.blockedPathRegex = "/Downloads/";
    std::vector<Rule> rules;
    ApplyCounts counts;
    applyRules({binary(kA, "ALLOWLIST")}, pre, true, &rules, &counts);
    ASSERT_EQ(rules.size(), 3u);
    EXPECT_EQ(rules[1].kind, RuleKind::Glob);
    EXPECT_EQ(rules[1].action, Verdict::Block);
    EXPECT_EQ(rules[1].pattern, "*/Downloads/*");
    EXPECT_EQ(rules[2].action, Verdict::Allow);
    EXPECT_EQ(rules[2].pattern, "/opt/tools/*");
    // The next preflight has none: the glob rules go, the binary rule stays.
    ApplyCounts next;
    applyRules({}, PreflightReply(), false, &rules, &next);
    ASSERT_EQ(rules.size(), 1u);
    EXPECT_EQ(rules[0].kind, RuleKind::Sha256);
}

TEST(SantaProtocol, RegexToGlobSaysOnlyWhatAGlobCanSayExactly)
{
    std::string why;
    EXPECT_EQ(regexToGlob("^/usr/local/bin/.*$", &why), std::string("/usr/local/bin/*"));
    EXPECT_EQ(regexToGlob("^/opt/app\\.d/run$", &why), std::string("/opt/app.d/run"));
    EXPECT_EQ(regexToGlob("^/srv/[a-z]/x.$", &why), std::string("/srv/[a-z]/x?"));
    EXPECT_EQ(regexToGlob("^/srv/[^0-9]", &why), std::string("/srv/[!0-9]*"));
    EXPECT_FALSE(regexToGlob("^/home/(alice|bob)/.*", &why));
    EXPECT_NE(why.find("("), std::string::npos) << why;
    EXPECT_FALSE(regexToGlob("^/tmp/a+", &why));
    EXPECT_FALSE(regexToGlob("^/tmp/\\d", &why));
    EXPECT_FALSE(regexToGlob(".*", &why));
    EXPECT_FALSE(regexToGlob("^/x/[a-z]+", &why));
}

TEST(SantaProtocol, DecisionsFollowWhatDecidedTheStart)
{
    Event v;
    v.kind = EventKind::Verdict;
    v.verdict = Verdict::Block;
    v.source = Source::Rule;
    EXPECT_EQ(decisionFor(v, RuleKind::Sha256), std::string("BLOCK_BINARY"));
    EXPECT_EQ(decisionFor(v, RuleKind::Signer), std::string("BLOCK_CERTIFICATE"));
    EXPECT_EQ(decisionFor(v, RuleKind::Glob), std::string("BLOCK_SCOPE"));
    v.source = Source::Mode; // lockdown blocked what no rule allowed
    EXPECT_EQ(decisionFor(v, std::nullopt), std::string("BLOCK_UNKNOWN"));
    // Asked a person (and allowed): still BLOCK_UNKNOWN, for server approval.
    v.verdict = Verdict::Allow;
    v.source = Source::Client;
    v.flags = PG_EVF_HELD;
    EXPECT_EQ(decisionFor(v, std::nullopt), std::string("BLOCK_UNKNOWN"));
    v.source = Source::Timeout;
    EXPECT_EQ(decisionFor(v, std::nullopt), std::string("BLOCK_UNKNOWN"));
    // Monitor: lockdown would have blocked it.
    v.flags = PG_EVF_WOULD_BLOCK;
    v.source = Source::Mode;
    EXPECT_EQ(decisionFor(v, std::nullopt), std::string("ALLOW_UNKNOWN"));
    v.flags = 0;
    v.source = Source::Rule;
    EXPECT_EQ(decisionFor(v, RuleKind::Sha256), std::string("ALLOW_BINARY"));
    v.source = Source::Exempt;
    EXPECT_FALSE(decisionFor(v, std::nullopt));
    v.kind = EventKind::Start;
    EXPECT_FALSE(decisionFor(v, std::nullopt));
}

TEST(SantaProtocol, EventsRoundTripThroughTheirJson)
{
    UploadEvent e;
    e.fileSha256 = kA;
    e.filePath = "/opt";
    e.fileName = "tool";
    e.executingUser = "alice";
    e.executionTime = 1700000000.25;
    e.decision = "BLOCK_BINARY";
    e.pid = 42;
    e.ppid = 1;
    e.parentName = "bash";
    UploadEvent back;
    ASSERT_TRUE(fromJson(toJson(e), &back));
    EXPECT_EQ(back.fileSha256, kA);
    EXPECT_EQ(back.executionTime, 1700000000.25);
    EXPECT_EQ(back.pid, 42u);
    EXPECT_EQ(eventUploadRequest({e})["events"][0]["decision"], "BLOCK_BINARY");
    EXPECT_FALSE(fromJson(nlohmann::json{{"pid", "x"}, {"decision", "BLOCK_BINARY"}}, &back));
}

TEST(SantaProtocol, PreflightCarriesTheMachineFacts)
{
    MachineFacts f;
    f.machineId = "3D1219C7-C4C5-404A-AA1F-6D2A48ADFDA4";
    f.hostname = "kiosk-7";
    f.osVersion = "12.8";
    f.clientVersion = "1.2.3";
    f.primaryUser = "alice";
    f.mode = Mode::Lockdown;
    f.binaryRuleCount = 4;
    const nlohmann::json j = preflightRequest(f);
    EXPECT_EQ(j["machine_id"], f.machineId);
    EXPECT_EQ(j["os_version"], "12.8");
    EXPECT_EQ(j["santa_version"], "1.2.3");
    EXPECT_EQ(j["primary_user"], "alice");
    EXPECT_EQ(j["client_mode"], "LOCKDOWN");
    EXPECT_EQ(j["binary_rule_count"], 4);
}

TEST(SantaProtocol, ChangedRuleKeepsItsPlaceAndRemovedRulesLeaveNoGap)
{
    const std::string kC(64, 'c');
    std::vector<Rule> rules;
    ApplyCounts counts;
    applyRules({binary(kA, "ALLOWLIST"), binary(kB, "ALLOWLIST"), binary(kC, "ALLOWLIST")},
               PreflightReply(), true, &rules, &counts);
    ApplyCounts next;
    applyRules({binary(kA, "REMOVE"), binary(kC, "BLOCKLIST"), binary(kA, "BLOCKLIST"),
                binary(std::string(64, 'd'), "REMOVE")},
               PreflightReply(), false, &rules, &next);
    ASSERT_EQ(rules.size(), 3u);
    EXPECT_EQ(rules[0].pattern, kB);
    EXPECT_EQ(rules[1].pattern, kC);
    EXPECT_EQ(rules[1].action, Verdict::Block);
    EXPECT_EQ(rules[2].pattern, kA); // removed, then added again: at the end
    EXPECT_EQ(next.removed, 1u);     // the unknown 'd' removed nothing
    EXPECT_EQ(next.processed, 4u);
}
