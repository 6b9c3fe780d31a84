// PolicyExplainerTest.cpp - "which rule decides and why" over policies
// built here: the deciding rule comes from the core's matcher, the reason
// names the precedence step, the mode's default applies when nothing
// matches, and the digest is computed only when a hash rule could decide.
#include <gtest/gtest.h>

#include "PolicyExplainer.h"
#include "pg_rules.h"

using namespace pg;
using namespace pg::policy;

namespace
{

const std::string kSha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

Rule rule(RuleKind k, Verdict a, const std::string &pattern)
{
    Rule r;
    r.kind = k;
    r.action = a;
    r.pattern = pattern;
    return r;
}

class PolicyExplainerTest : public ::testing::Test
{
protected:
    Explanation explain(const StartFacts &f)
    {
        Explanation e;
        std::string error;
        for (size_t i = 0; i < policy.rules.size(); ++i)
            policy.rules[i].id = static_cast<uint32_t>(i + 1);
        EXPECT_TRUE(explainStart(policy, f, hasher(), &e, &error)) << error;
        return e;
    }
    HashImage hasher()
    {
        return [this](const std::string &image, std::string *hex, std::string *why) {
            ++hashed;
            if (image == "/unreadable") {
                *why = "cannot read /unreadable.";
                return false;
            }
            *hex = kSha;
            return true;
        };
    }
    static StartFacts at(const std::string &image)
    {
        StartFacts f;
        f.image = image;
        f.uid = 1000;
        f.gids = {1000, 100};
        return f;
    }

    Policy policy;
    int hashed = 0;
};

} // namespace

TEST_F(PolicyExplainerTest, NoRuleInLockdownMeansTheModeBlocks)
{
    policy.mode = Mode::Lockdown;
    const Explanation e = explain(at("/bin/x"));
    EXPECT_FALSE(e.index.has_value());
    EXPECT_EQ(e.outcome, Verdict::Block);
    EXPECT_NE(e.summary.find("lockdown blocks what no rule allows"), std::string::npos)
        << e.summary;
}

TEST_F(PolicyExplainerTest, NoRuleInPromptModeAsksWithTheDefaultWithoutAClient)
{
    policy.mode = Mode::Prompt;
    policy.defaultVerdict = Verdict::Block;
    const Explanation e = explain(at("/bin/x"));
    EXPECT_EQ(e.outcome, Verdict::Ask);
    EXPECT_NE(e.summary.find("without a client"), std::string::npos) << e.summary;
}

TEST_F(PolicyExplainerTest, MonitorModeAllowsButSaysLockdownWouldHaveBlocked)
{
    policy.mode = Mode::Monitor;
    policy.rules = {rule(RuleKind::Exact, Verdict::Block, "/bin/x")};
    const Explanation e = explain(at("/bin/x"));
    EXPECT_EQ(e.outcome, Verdict::Allow);
    EXPECT_TRUE(e.wouldBlock);
    EXPECT_EQ(e.index, 0u);
}

TEST_F(PolicyExplainerTest, AskRuleInLockdownHoldsForAPerson)
{
    policy.mode = Mode::Lockdown;
    policy.rules = {rule(RuleKind::Prefix, Verdict::Ask, "/opt/")};
    EXPECT_EQ(explain(at("/opt/tool")).outcome, Verdict::Ask);
}

TEST_F(PolicyExplainerTest, MoreSpecificKindWinsAndTheReasonSaysKind)
{
    policy.mode = Mode::Lockdown;
    policy.rules = {rule(RuleKind::Prefix, Verdict::Block, "/usr/"),
                    rule(RuleKind::Glob, Verdict::Block, "/usr/bin/*"),
                    rule(RuleKind::Exact, Verdict::Allow, "/usr/bin/ls")};
    const Explanation e = explain(at("/usr/bin/ls"));
    ASSERT_EQ(e.index, 2u);
    EXPECT_EQ(e.outcome, Verdict::Allow);
    ASSERT_EQ(e.outranked.size(), 2u);
    for (const OutrankedRule &o : e.outranked) {
        EXPECT_EQ(o.step, PrecedenceStep::Kind);
        EXPECT_NE(o.reason.find("exact rule comes before"), std::string::npos) << o.reason;
    }
}

TEST_F(PolicyExplainerTest, LongerPrefixWins)
{
    policy.rules = {rule(RuleKind::Prefix, Verdict::Block, "/home/"),
                    rule(RuleKind::Prefix, Verdict::Allow, "/home/kid/school/")};
    const Explanation e = explain(at("/home/kid/school/atlas"));
    ASSERT_EQ(e.index, 1u);
    ASSERT_EQ(e.outranked.size(), 1u);
    EXPECT_EQ(e.outranked[0].step, PrecedenceStep::PrefixLength);
}

TEST_F(PolicyExplainerTest, ConditionalRuleBeatsUnconditionalAtTheSameLevel)
{
    Rule forKid = rule(RuleKind::Exact, Verdict::Block, "/usr/games/tetris");
    forKid.uid = 1000;
    policy.rules = {rule(RuleKind::Exact, Verdict::Allow, "/usr/games/tetris"), forKid};
    const Explanation e = explain(at("/usr/games/tetris"));
    ASSERT_EQ(e.index, 1u);
    ASSERT_EQ(e.outranked.size(), 1u);
    EXPECT_EQ(e.outranked[0].step, PrecedenceStep::Conditions);

    StartFacts parent = at("/usr/games/tetris");
    parent.uid = 1001; // the condition does not hold: that rule does not match at all
    parent.gids = {1001};
    const Explanation other = explain(parent);
    EXPECT_EQ(other.index, 0u);
    EXPECT_TRUE(other.outranked.empty());
}

TEST_F(PolicyExplainerTest, GroupConditionHoldsForMembers)
{
    Rule kids = rule(RuleKind::Glob, Verdict::Block, "/usr/games/*");
    kids.gid = 100;
    policy.rules = {kids};
    EXPECT_EQ(explain(at("/usr/games/x")).index, 0u);
    StartFacts outsider = at("/usr/games/x");
    outsider.gids = {1000};
    EXPECT_FALSE(explain(outsider).index.has_value());
}

TEST_F(PolicyExplainerTest, BlockBeatsAllowAtTheSameLevel)
{
    policy.rules = {rule(RuleKind::Glob, Verdict::Allow, "/srv/*"),
                    rule(RuleKind::Glob, Verdict::Block, "/srv/*")};
    const Explanation e = explain(at("/srv/x"));
    ASSERT_EQ(e.index, 1u);
    EXPECT_EQ(e.outranked.at(0).step, PrecedenceStep::Action);
}

TEST_F(PolicyExplainerTest, EarlierRuleWinsWhenAllElseIsEqual)
{
    policy.rules = {rule(RuleKind::Glob, Verdict::Allow, "/srv/*"),
                    rule(RuleKind::Glob, Verdict::Allow, "/srv/?")};
    const Explanation e = explain(at("/srv/x"));
    ASSERT_EQ(e.index, 0u);
    EXPECT_EQ(e.outranked.at(0).step, PrecedenceStep::PolicyOrder);
}

TEST_F(PolicyExplainerTest, HashIsComputedOnlyWhenAHashRuleCouldDecide)
{
    policy.rules = {rule(RuleKind::Exact, Verdict::Allow, "/bin/x")};
    explain(at("/bin/x"));
    EXPECT_EQ(hashed, 0);

    policy.rules.push_back(rule(RuleKind::Sha256, Verdict::Block, kSha));
    const Explanation e = explain(at("/bin/x"));
    EXPECT_EQ(hashed, 1);
    ASSERT_EQ(e.index, 1u) << "the hash block follows the file past the path allow";
    EXPECT_EQ(e.sha256, kSha);
    EXPECT_EQ(e.missingFacts, 0u);
    EXPECT_EQ(e.outranked.at(0).step, PrecedenceStep::Kind);
}

TEST_F(PolicyExplainerTest, UnreadableFileLeavesAHashRuleUndecidedAndSaysSo)
{
    policy.mode = Mode::Lockdown;
    policy.rules = {rule(RuleKind::Sha256, Verdict::Allow, kSha)};
    const Explanation e = explain(at("/unreadable"));
    EXPECT_FALSE(e.index.has_value());
    EXPECT_EQ(e.missingFacts, PG_FACT_SHA256);
    ASSERT_EQ(e.notes.size(), 1u);
    EXPECT_NE(e.summary.find("Provisional"), std::string::npos);
}

TEST_F(PolicyExplainerTest, CommandLineRuleDecidesWhenTheCommandLineIsGiven)
{
    policy.mode = Mode::Lockdown;
    policy.rules = {rule(RuleKind::Exact, Verdict::Allow, "/usr/bin/firefox"),
                    rule(RuleKind::Cmdline, Verdict::Block, "*--private-window*")};
    const Explanation unknown = explain(at("/usr/bin/firefox"));
    EXPECT_EQ(unknown.index, 0u);
    EXPECT_EQ(unknown.missingFacts, PG_FACT_CMDLINE)
        << "without the command line it is provisional";

    StartFacts f = at("/usr/bin/firefox");
    f.cmdline = "firefox --private-window";
    const Explanation known = explain(f);
    EXPECT_EQ(known.index, 1u);
    EXPECT_EQ(known.missingFacts, 0u);
    EXPECT_EQ(known.outcome, Verdict::Block);
}

TEST_F(PolicyExplainerTest, PackageRuleNeedsThePackageFact)
{
    policy.mode = Mode::Lockdown;
    policy.rules = {rule(RuleKind::Package, Verdict::Allow, "*")};
    EXPECT_EQ(explain(at("/usr/bin/ls")).missingFacts, PG_FACT_PACKAGE);
    StartFacts f = at("/usr/bin/ls");
    f.packageKnown = true;
    f.package = "coreutils";
    const Explanation e = explain(f);
    EXPECT_EQ(e.index, 0u);
    EXPECT_EQ(e.outcome, Verdict::Allow);
    f.package.reset(); // no package owns it unmodified
    EXPECT_FALSE(explain(f).index.has_value());
}

TEST_F(PolicyExplainerTest, ParentConditionNeedsAKnownParent)
{
    Rule installer = rule(RuleKind::Prefix, Verdict::Allow, "/");
    installer.parent = "/usr/bin/apt*";
    policy.mode = Mode::Lockdown;
    policy.rules = {installer};
    EXPECT_FALSE(explain(at("/tmp/setup")).index.has_value());
    StartFacts f = at("/tmp/setup");
    f.parentImage = "/usr/bin/apt-get";
    EXPECT_EQ(explain(f).index, 0u);
}
