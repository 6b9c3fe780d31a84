// PolicyFileTest.cpp - the JSON policy format: what it reads, what it
// refuses (and where it says the fault is), migration from schema 1.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "../../support/PolicyBuilders.h"
#include "FakeFileSystem.h"
#include "PolicyFile.h"

using namespace pg;
using namespace pg::policy;
using namespace pgtest;

namespace
{

const std::string kSha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

PolicyDocument everyKind()
{
    PolicyDocument d;
    d.policy.mode = Mode::Lockdown;
    d.policy.defaultVerdict = Verdict::Block;
    d.policy.timeoutMs = 12000;
    d.policy.holdBudgetMs = 300;
    d.policy.caseFold = true;
    auto add = [&](RuleKind k, Verdict a, const std::string &pattern) -> Rule & {
        const uint32_t id = static_cast<uint32_t>(d.policy.rules.size() + 1);
        d.policy.rules.push_back(rule(id, k, a, pattern));
        return d.policy.rules.back();
    };
    add(RuleKind::Exact, Verdict::Allow, "/usr/bin/ls").parent = "/bin/*sh";
    add(RuleKind::Glob, Verdict::Block, "/home/**/games/*").uid = 1001;
    add(RuleKind::Prefix, Verdict::Ask, "/opt/").gid = 100;
    Rule &sha = add(RuleKind::Sha256, Verdict::Block, kSha);
    sha.message = "Not on school nights.";
    sha.link = "https://example.org/help";
    add(RuleKind::Cmdline, Verdict::Block, "firefox *--private-window*").caseFold = true;
    add(RuleKind::Package, Verdict::Allow, "*");
    return d;
}

std::string readData(const std::string &name)
{
    std::ifstream in(std::string(PG_TEST_DATA_DIR) + "/" + name);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

TEST(PolicyFile, EveryRuleKindAndFieldSurvivesARoundTrip)
{
    const PolicyDocument d = everyKind();
    PolicyDocument back;
    PolicyError e;
    ASSERT_TRUE(parsePolicyJson(toPolicyJson(d), &back, &e)) << e.message;
    EXPECT_EQ(back.policy.mode, Mode::Lockdown);
    EXPECT_EQ(back.policy.defaultVerdict, Verdict::Block);
    EXPECT_EQ(back.policy.timeoutMs, 12000u);
    EXPECT_EQ(back.policy.holdBudgetMs, 300u);
    EXPECT_TRUE(back.policy.caseFold);
    ASSERT_EQ(back.policy.rules.size(), d.policy.rules.size());
    for (size_t i = 0; i < d.policy.rules.size(); ++i) {
        const Rule &a = d.policy.rules[i];
        const Rule &b = back.policy.rules[i];
        EXPECT_EQ(a.id, b.id);
        EXPECT_EQ(a.kind, b.kind);
        EXPECT_EQ(a.action, b.action);
        EXPECT_EQ(a.pattern, b.pattern);
        EXPECT_EQ(a.parent, b.parent);
        EXPECT_EQ(a.uid, b.uid);
        EXPECT_EQ(a.gid, b.gid);
        EXPECT_EQ(a.caseFold, b.caseFold);
        EXPECT_EQ(a.message, b.message);
        EXPECT_EQ(a.link, b.link);
    }
}

TEST(PolicyFile, WritesTheCurrentSchemaVersionFirst)
{
    const std::string text = toPolicyJson(everyKind());
    EXPECT_EQ(text.find("\"schema\": 3"), text.find('"'));
}

TEST(PolicyFile, SyntaxErrorNamesLineAndColumn)
{
    const PolicyError e = parseError("{\n  \"schema\": 2,\n  \"mode\": lockdown\n}\n");
    EXPECT_EQ(e.line, 3);
    EXPECT_EQ(e.column, 11);
    EXPECT_NE(e.message.find("line 3, column 11"), std::string::npos) << e.message;
}

TEST(PolicyFile, TruncatedFileIsRefusedWithItsPosition)
{
    const std::string full = toPolicyJson(everyKind());
    const std::string cut = full.substr(0, full.size() / 2);
    const PolicyError e = parseError(cut);
    EXPECT_GT(e.line, 1);
    EXPECT_NE(e.message.find("line"), std::string::npos) << e.message;
}

TEST(PolicyFile, EmptyFileSaysItIsEmpty)
{
    EXPECT_EQ(parseError("").message, "The file is empty.");
}

TEST(PolicyFile, SignerRuleKindIsReadAndWrittenByName)
{
    PolicyDocument d;
    PolicyError e;
    ASSERT_TRUE(parsePolicyJson(
        R"({"schema":2,"mode":"lockdown","rules":[{"kind":"signer","action":"allow",
            "pattern":"Contoso Software*"}]})",
        &d, &e))
        << e.message;
    ASSERT_EQ(d.policy.rules.size(), 1u);
    EXPECT_EQ(d.policy.rules[0].kind, RuleKind::Signer);
    EXPECT_EQ(d.policy.rules[0].pattern, "Contoso Software*");
    EXPECT_NE(toPolicyJson(d).find("\"signer\""), std::string::npos);
    EXPECT_NE(parseError(R"({"schema":2,"mode":"prompt","rules":[{"kind":"publisher",
                 "action":"allow","pattern":"x"}]})")
                  .message.find("signer"),
              std::string::npos);
}

TEST(PolicyFile, WrongTypeNamesTheFieldByPointer)
{
    const PolicyError e = parseError(
        R"({"schema":2,"mode":"prompt","rules":[{"kind":"exact","action":"allow","pattern":"/a"},
           {"kind":"exact","action":"allow","pattern":42}]})");
    EXPECT_EQ(e.pointer, "/rules/1/pattern");
    EXPECT_NE(e.message.find("/rules/1/pattern"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("found number"), std::string::npos) << e.message;
}

TEST(PolicyFile, WrongTopLevelTypesAreRefused)
{
    EXPECT_EQ(parseError(R"({"schema":2,"mode":"prompt","rules":{}})").pointer, "/rules");
    EXPECT_EQ(parseError(R"({"schema":2,"mode":"prompt","timeout_ms":"5","rules":[]})").pointer,
              "/timeout_ms");
    EXPECT_EQ(parseError(R"({"schema":2,"mode":"prompt","timeout_ms":-1,"rules":[]})").pointer,
              "/timeout_ms");
    EXPECT_EQ(parseError(R"({"schema":2,"mode":"prompt","case_fold":1,"rules":[]})").pointer,
              "/case_fold");
    EXPECT_EQ(parseError(R"([1,2])").pointer, "");
}

TEST(PolicyFile, MissingFieldIsNamed)
{
    EXPECT_EQ(parseError(R"({"schema":2,"rules":[]})").pointer, "/mode");
    EXPECT_EQ(parseError(R"({"mode":"prompt","rules":[]})").pointer, "/schema");
    EXPECT_EQ(
        parseError(R"({"schema":2,"mode":"prompt","rules":[{"kind":"glob","pattern":"/a*"}]})")
            .pointer,
        "/rules/0/action");
}

TEST(PolicyFile, UnknownValuesAreNamed)
{
    EXPECT_EQ(parseError(R"({"schema":2,"mode":"party","rules":[]})").pointer, "/mode");
    EXPECT_EQ(
        parseError(
            R"({"schema":2,"mode":"prompt","rules":[{"kind":"publisher","action":"allow","pattern":"x"}]})")
            .pointer,
        "/rules/0/kind");
    EXPECT_EQ(
        parseError(
            R"({"schema":2,"mode":"prompt","rules":[{"kind":"exact","action":"maybe","pattern":"/x"}]})")
            .pointer,
        "/rules/0/action");
}

TEST(PolicyFile, KindSpecificPatternChecksNameThePattern)
{
    EXPECT_EQ(
        parseError(
            R"({"schema":2,"mode":"prompt","rules":[{"kind":"sha256","action":"block","pattern":"abc"}]})")
            .pointer,
        "/rules/0/pattern");
    EXPECT_EQ(
        parseError(
            R"({"schema":2,"mode":"prompt","rules":[{"kind":"prefix","action":"block","pattern":"/opt"}]})")
            .pointer,
        "/rules/0/pattern");
    EXPECT_EQ(
        parseError(
            R"({"schema":2,"mode":"prompt","rules":[{"kind":"exact","action":"block","pattern":"/x","user":1,"group":2}]})")
            .pointer,
        "/rules/0/group");
}

TEST(PolicyFile, DuplicateRuleIdsNameTheSecondRule)
{
    const PolicyError e = parseError(
        R"({"schema":2,"mode":"prompt","rules":[{"id":4,"kind":"exact","action":"allow","pattern":"/a"},
           {"id":4,"kind":"exact","action":"block","pattern":"/b"}]})");
    EXPECT_EQ(e.pointer, "/rules/1/id");
}

TEST(PolicyFile, UnknownRuleFieldIsRefusedBecauseItCouldChangeWhatTheRuleMeans)
{
    const PolicyError e = parseError(
        R"({"schema":2,"mode":"prompt","rules":[{"kind":"exact","action":"allow","pattern":"/a","only_on":"mondays"}]})");
    EXPECT_EQ(e.pointer, "/rules/0/only_on");
}

TEST(PolicyFile, UnknownTopLevelKeysAreKeptAndWrittenBack)
{
    PolicyDocument d;
    PolicyError e;
    ASSERT_TRUE(parsePolicyJson(
        R"({"schema":2,"mode":"prompt","rules":[],"schedules":[{"days":"mon-fri"}],"comment":"kids"})",
        &d, &e))
        << e.message;
    EXPECT_EQ(d.extensions["comment"], "kids");
    PolicyDocument again;
    ASSERT_TRUE(parsePolicyJson(toPolicyJson(d), &again, &e)) << e.message;
    EXPECT_EQ(again.extensions["schedules"][0]["days"], "mon-fri");
}

TEST(PolicyFile, NewerSchemaIsRefusedClearlyAndNothingIsUsed)
{
    const PolicyError e = parseError(R"({"schema":4,"mode":"prompt","rules":[],"future":true})");
    EXPECT_EQ(e.pointer, "/schema");
    EXPECT_NE(e.message.find("newer"), std::string::npos) << e.message;
    EXPECT_EQ(parseError(R"({"schema":0,"mode":"prompt","rules":[]})").pointer, "/schema");
    EXPECT_EQ(parseError(R"({"schema":"2","mode":"prompt","rules":[]})").pointer, "/schema");
}

TEST(PolicyFile, SchemaOneFileIsMigratedToTheCurrentSchema)
{
    const std::string text = readData("policy-schema1-two-rules-with-uid.json");
    ASSERT_FALSE(text.empty()) << "test data missing";
    PolicyDocument d;
    PolicyError e;
    ASSERT_TRUE(parsePolicyJson(text, &d, &e)) << e.message;
    EXPECT_EQ(d.policy.mode, Mode::Lockdown);
    EXPECT_EQ(d.policy.defaultVerdict, Verdict::Block);
    EXPECT_EQ(d.policy.timeoutMs, 20000u);
    ASSERT_EQ(d.policy.rules.size(), 2u);
    EXPECT_FALSE(d.policy.rules[0].uid.has_value()) << "uid null means any user";
    EXPECT_EQ(d.policy.rules[1].uid, 1000u);
    EXPECT_EQ(d.policy.rules[1].parent, "/bin/*sh");
    EXPECT_TRUE(d.policy.rules[1].caseFold);
    EXPECT_FALSE(d.extensions.contains("generation"))
        << "the component's counter is not carried into the file";
    const std::string written = toPolicyJson(d);
    EXPECT_NE(written.find("\"schema\": 3"), std::string::npos);
    EXPECT_NE(written.find("\"user\": 1000"), std::string::npos);
    EXPECT_EQ(written.find("\"uid\""), std::string::npos);
}

TEST(PolicyFile, SchemaOneFileWithNewerKindsIsRefused)
{
    const PolicyError e = parseError(
        R"({"schema":1,"mode":"prompt","rules":[{"kind":"sha256","action":"block","pattern":"x"}]})");
    EXPECT_EQ(e.pointer, "/rules/0/kind");
    EXPECT_NE(e.message.find("schema 1"), std::string::npos) << e.message;
    EXPECT_EQ(
        parseError(
            R"({"schema":1,"mode":"prompt","rules":[{"kind":"exact","action":"ask","pattern":"/x"}]})")
            .pointer,
        "/rules/0/action");
}

TEST(PolicyFile, LoadOfAMalformedFileNamesTheFileAndLeavesThePolicyInForce)
{
    test::FakeFileSystem fs;
    fs.files["/etc/pg/policy.json"] = R"({"schema":2,"mode":"prompt","rules":[{"kind":"exact"}]})";
    PolicyDocument inForce = everyKind();
    PolicyError e;
    EXPECT_FALSE(PolicyFile("/etc/pg/policy.json", fs).load(&inForce, &e));
    EXPECT_NE(e.message.find("/etc/pg/policy.json"), std::string::npos) << e.message;
    EXPECT_EQ(e.pointer, "/rules/0/action");
    EXPECT_EQ(inForce.policy.rules.size(), 6u);
    EXPECT_EQ(inForce.policy.mode, Mode::Lockdown);
}

TEST(PolicyFile, LoadOfAMissingFileReportsTheSystemError)
{
    test::FakeFileSystem fs;
    PolicyDocument d;
    PolicyError e;
    EXPECT_FALSE(PolicyFile("/nope.json", fs).load(&d, &e));
    EXPECT_EQ(e.sysError, ENOENT);
    EXPECT_NE(e.message.find("/nope.json"), std::string::npos);
}
