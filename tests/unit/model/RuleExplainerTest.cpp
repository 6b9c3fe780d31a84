// RuleExplainerTest.cpp - "test this path" answers with the core's matcher:
// the deciding rule and why, the file hashed only when a SHA-256 rule could
// decide, and answers that stay provisional when a fact is missing.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "RuleExplainer.h"

namespace
{

pg::Rule rule(pg::RuleKind kind, pg::Verdict action, std::string pattern)
{
    pg::Rule r;
    r.kind = kind;
    r.action = action;
    r.pattern = std::move(pattern);
    return r;
}

class RuleExplainerTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/pg-explain-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        program = dir + "/game";
        std::ofstream(program) << "abc";
        query.image = program;
        query.uid = 1000;
    }
    void TearDown() override { std::system(("rm -rf " + dir).c_str()); }

    // SHA-256("abc"), FIPS 180-2 appendix B.1.
    const std::string abcHash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    std::string dir;
    std::string program;
    pg::ExplainQuery query;
};

} // namespace

TEST_F(RuleExplainerTest, NoRuleSaysWhatTheModeDoes)
{
    const pg::Explanation e = pg::explainRules({}, false, pg::Mode::Lockdown, query);
    ASSERT_TRUE(e.ok) << e.error;
    EXPECT_FALSE(e.matched);
    EXPECT_TRUE(e.final);
    EXPECT_NE(e.text.find("lockdown"), std::string::npos) << e.text;
}

TEST_F(RuleExplainerTest, ExactRuleDecidesAndNamesItsRow)
{
    const std::vector<pg::Rule> rules{rule(pg::RuleKind::Prefix, pg::Verdict::Allow, dir + "/"),
                                      rule(pg::RuleKind::Exact, pg::Verdict::Block, program)};
    const pg::Explanation e = pg::explainRules(rules, false, pg::Mode::Prompt, query);
    ASSERT_TRUE(e.matched);
    EXPECT_EQ(e.index, 1u);
    EXPECT_EQ(e.action, pg::Verdict::Block);
    EXPECT_EQ(e.kind, pg::RuleKind::Exact);
    EXPECT_EQ(e.text.rfind("Rule 2 decides: block", 0), 0u) << e.text;
    EXPECT_TRUE(e.sha256.empty()) << "no hash rule: the file must not be read";
}

TEST_F(RuleExplainerTest, HashRuleIsMatchedAfterHashingTheFile)
{
    const std::vector<pg::Rule> rules{rule(pg::RuleKind::Prefix, pg::Verdict::Allow, dir + "/"),
                                      rule(pg::RuleKind::Sha256, pg::Verdict::Block, abcHash)};
    const pg::Explanation e = pg::explainRules(rules, false, pg::Mode::Prompt, query);
    ASSERT_TRUE(e.matched);
    EXPECT_EQ(e.index, 1u);
    EXPECT_EQ(e.kind, pg::RuleKind::Sha256);
    EXPECT_TRUE(e.final);
    EXPECT_EQ(e.sha256, abcHash);
    EXPECT_NE(e.text.find("SHA-256"), std::string::npos);
}

TEST_F(RuleExplainerTest, OtherHashFallsBackToThePathRule)
{
    const std::vector<pg::Rule> rules{
        rule(pg::RuleKind::Prefix, pg::Verdict::Allow, dir + "/"),
        rule(pg::RuleKind::Sha256, pg::Verdict::Block, std::string(64, 'a'))};
    const pg::Explanation e = pg::explainRules(rules, false, pg::Mode::Prompt, query);
    ASSERT_TRUE(e.matched);
    EXPECT_EQ(e.index, 0u);
    EXPECT_TRUE(e.final);
    EXPECT_EQ(e.sha256, abcHash);
}

TEST_F(RuleExplainerTest, UnreadableFileLeavesTheAnswerProvisional)
{
    query.image = dir + "/missing";
    const std::vector<pg::Rule> rules{rule(pg::RuleKind::Prefix, pg::Verdict::Allow, dir + "/"),
                                      rule(pg::RuleKind::Sha256, pg::Verdict::Block, abcHash)};
    const pg::Explanation e = pg::explainRules(rules, false, pg::Mode::Prompt, query);
    ASSERT_TRUE(e.ok);
    EXPECT_FALSE(e.final);
    EXPECT_EQ(e.missing, static_cast<uint32_t>(PG_FACT_SHA256));
    EXPECT_NE(e.text.find("Not final"), std::string::npos) << e.text;
    EXPECT_NE(e.text.find("Cannot read"), std::string::npos) << e.text;
}

TEST_F(RuleExplainerTest, CommandLineRuleNeedsTheCommandLine)
{
    const std::vector<pg::Rule> rules{
        rule(pg::RuleKind::Exact, pg::Verdict::Allow, program),
        rule(pg::RuleKind::Cmdline, pg::Verdict::Block, "* --private-window*")};
    pg::Explanation e = pg::explainRules(rules, false, pg::Mode::Prompt, query);
    EXPECT_EQ(e.index, 0u);
    EXPECT_FALSE(e.final);
    EXPECT_NE(e.text.find("command line"), std::string::npos);
    query.cmdline = program + " --private-window";
    e = pg::explainRules(rules, false, pg::Mode::Prompt, query);
    EXPECT_TRUE(e.final);
    EXPECT_EQ(e.index, 1u);
    EXPECT_EQ(e.action, pg::Verdict::Block);
}

TEST_F(RuleExplainerTest, UserAndParentConditionsAreExplained)
{
    pg::Rule r = rule(pg::RuleKind::Exact, pg::Verdict::Ask, program);
    r.uid = 1000;
    r.parent = "/usr/bin/*";
    query.parentImage = "/usr/bin/bash";
    pg::Explanation e = pg::explainRules({r}, false, pg::Mode::Lockdown, query);
    ASSERT_TRUE(e.matched);
    EXPECT_EQ(e.action, pg::Verdict::Ask);
    EXPECT_NE(e.text.find("user id 1000"), std::string::npos) << e.text;
    EXPECT_NE(e.text.find("/usr/bin/*"), std::string::npos) << e.text;
    query.uid = 1001;
    e = pg::explainRules({r}, false, pg::Mode::Lockdown, query);
    EXPECT_FALSE(e.matched);
}

TEST_F(RuleExplainerTest, GroupConditionUsesTheGivenGroups)
{
    pg::Rule r = rule(pg::RuleKind::Exact, pg::Verdict::Block, program);
    r.gid = 2000;
    EXPECT_FALSE(pg::explainRules({r}, false, pg::Mode::Prompt, query).matched);
    query.gids = {1000, 2000};
    EXPECT_TRUE(pg::explainRules({r}, false, pg::Mode::Prompt, query).matched);
}

TEST_F(RuleExplainerTest, PackageRuleUsesTheProviderOrStaysProvisional)
{
    const std::vector<pg::Rule> rules{rule(pg::RuleKind::Package, pg::Verdict::Allow, "*")};
    pg::Explanation e = pg::explainRules(rules, false, pg::Mode::Lockdown, query);
    EXPECT_FALSE(e.matched);
    EXPECT_FALSE(e.final);
    EXPECT_EQ(e.missing, static_cast<uint32_t>(PG_FACT_PACKAGE));
    pg::ExplainFacts facts;
    facts.package = [](const std::string &, std::string *package, std::string *) {
        *package = "coreutils";
        return true;
    };
    e = pg::explainRules(rules, false, pg::Mode::Lockdown, query, facts);
    EXPECT_TRUE(e.matched);
    EXPECT_TRUE(e.final);
}

TEST_F(RuleExplainerTest, BlockMessageIsQuoted)
{
    pg::Rule r = rule(pg::RuleKind::Exact, pg::Verdict::Block, program);
    r.message = "Games are for after homework";
    const pg::Explanation e = pg::explainRules({r}, false, pg::Mode::Prompt, query);
    EXPECT_NE(e.text.find("Games are for after homework"), std::string::npos) << e.text;
}

TEST_F(RuleExplainerTest, RuleTheComponentRejectsIsReported)
{
    pg::Rule r = rule(pg::RuleKind::Sha256, pg::Verdict::Block, "not-hex");
    const pg::Explanation e = pg::explainRules({r}, false, pg::Mode::Prompt, query);
    EXPECT_FALSE(e.ok);
    EXPECT_NE(e.error.find("Rule 1"), std::string::npos) << e.error;
}

TEST_F(RuleExplainerTest, FileHashUsesTheCoreSha256)
{
    std::string hex, error;
    ASSERT_TRUE(pg::sha256OfFile(program, &hex, &error)) << error;
    EXPECT_EQ(hex, abcHash);
    EXPECT_FALSE(pg::sha256OfFile(dir + "/missing", &hex, &error));
}
