// RulesTest.cpp - pg_rules: matching, every precedence pair of pg_rules.h,
// conditions, case folding and the glob matcher.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../../support/RuleCacheFixture.h"
#include "MessageBuilder.h"

using namespace pgtest;

namespace
{

constexpr uint8_t A = PG_VERDICT_ALLOW;
constexpr uint8_t B = PG_VERDICT_BLOCK;

class RulesTest : public RuleCacheFixture
{
protected:
    // Id of the deciding rule, 0 when none.
    uint32_t decide(const std::string &image, uint32_t uid = 1000,
                    const char *parent = "/usr/bin/bash")
    {
        return match(image, uid, parent).rule_id;
    }
};

bool glob(const std::string &pat, const std::string &s, bool fold = false)
{
    return pg_glob_match(pat.data(), pat.size(), s.data(), s.size(), fold ? 1 : 0) != 0;
}

// Obviously-correct recursive reference for the differential test.
bool refGlob(const char *p, const char *pe, const char *s, const char *se)
{
    if (p == pe) {
        return s == se;
    }
    if (*p == '*') {
        const char *q = p;
        while (q != pe && *q == '*') {
            ++q;
        }
        const bool dbl = (q - p) >= 2;
        for (const char *t = s;; ++t) {
            if (refGlob(q, pe, t, se)) {
                return true;
            }
            if (t == se || (!dbl && *t == '/')) {
                return false;
            }
        }
    }
    if (s == se) {
        return false;
    }
    if (*p == '?' ? *s != '/' : *p == *s) {
        return refGlob(p + 1, pe, s + 1, se);
    }
    return false;
}

} // namespace

// ---- basic matching --------------------------------------------------------

TEST_F(RulesTest, EmptyCacheMatchesNothing)
{
    pg_rule_cache_init_empty(&m_cache);
    EXPECT_EQ(0u, decide("/usr/bin/ls"));
    EXPECT_FALSE(conditionalFor("/usr/bin/ls"));
}

TEST_F(RulesTest, PolicyWithoutRulesMatchesNothing)
{
    build({});
    EXPECT_EQ(0u, decide("/usr/bin/ls"));
}

TEST_F(RulesTest, ExactRuleMatchesWholePathOnly)
{
    build({exact(7, "/usr/bin/ls", B)});
    const pg_match_result r = match("/usr/bin/ls");
    EXPECT_EQ(7u, r.rule_id);
    EXPECT_EQ(B, r.action);
    EXPECT_EQ(PG_RULE_EXACT, r.kind);
    EXPECT_EQ(0u, r.conditional);
    EXPECT_EQ(0u, r.index);
    EXPECT_EQ(0u, decide("/usr/bin/lsx"));
    EXPECT_EQ(0u, decide("/usr/bin/l"));
    EXPECT_EQ(0u, decide("/usr/bin/ls/"));
}

TEST_F(RulesTest, PrefixRuleMatchesEverythingUnderItsDirectory)
{
    build({prefix(3, "/opt/app/", A)});
    EXPECT_EQ(3u, decide("/opt/app/bin/run"));
    EXPECT_EQ(3u, decide("/opt/app/x"));
    EXPECT_EQ(0u, decide("/opt/application"));
    EXPECT_EQ(0u, decide("/opt/ap"));
}

TEST_F(RulesTest, RootPrefixMatchesEveryAbsolutePath)
{
    build({prefix(1, "/", B)});
    EXPECT_EQ(1u, decide("/x"));
    EXPECT_EQ(1u, decide("/a/b/c/d"));
    EXPECT_EQ(0u, decide("relative"));
}

TEST_F(RulesTest, GlobRuleMatchesWithWildcards)
{
    build({glob(4, "/home/*/bin/?cript.sh", B)});
    EXPECT_EQ(4u, decide("/home/ann/bin/script.sh"));
    EXPECT_EQ(0u, decide("/home/ann/x/bin/script.sh"));
    EXPECT_EQ(PG_RULE_GLOB, match("/home/bob/bin/Xcript.sh").kind);
}

TEST_F(RulesTest, ResultReportsPolicyIndex)
{
    build({exact(10, "/a", A), exact(20, "/b", A), exact(30, "/c", B)});
    EXPECT_EQ(2u, match("/c").index);
    EXPECT_EQ(1u, match("/b").index);
}

TEST_F(RulesTest, NullImageMatchesNothing)
{
    build({prefix(1, "/", B)});
    pg_match_input in{};
    in.image = nullptr;
    in.image_len = 5;
    pg_match_result out{};
    EXPECT_EQ(0, pg_rule_cache_match(&m_cache, &in, &out));
    EXPECT_EQ(0, pg_rule_cache_match(&m_cache, nullptr, &out));
    EXPECT_EQ(PG_VERDICT_NONE, out.action);
}

// ---- precedence 1: kind ---------------------------------------------------

TEST_F(RulesTest, ExactWinsOverGlob)
{
    build({glob(1, "/usr/bin/*", B), exact(2, "/usr/bin/ls", A)});
    EXPECT_EQ(2u, decide("/usr/bin/ls"));
    EXPECT_EQ(1u, decide("/usr/bin/cat"));
}

TEST_F(RulesTest, ExactWinsOverPrefix)
{
    build({prefix(1, "/usr/bin/", B), exact(2, "/usr/bin/ls", A)});
    EXPECT_EQ(2u, decide("/usr/bin/ls"));
    EXPECT_EQ(1u, decide("/usr/bin/cat"));
}

TEST_F(RulesTest, GlobWinsOverPrefix)
{
    build({prefix(1, "/usr/bin/", B), glob(2, "/usr/bin/l*", A)});
    EXPECT_EQ(2u, decide("/usr/bin/ls"));
    EXPECT_EQ(1u, decide("/usr/bin/cat"));
}

TEST_F(RulesTest, KindWinsOverConditions)
{
    build({forUser(glob(1, "/usr/bin/*", B), 1000), exact(2, "/usr/bin/ls", A)});
    EXPECT_EQ(2u, decide("/usr/bin/ls", 1000));
}

TEST_F(RulesTest, KindWinsOverLongerPrefix)
{
    // A very long prefix still loses to a glob that matches.
    build({prefix(1, "/usr/local/share/tools/bin/", B), glob(2, "/usr/**", A)});
    EXPECT_EQ(2u, decide("/usr/local/share/tools/bin/x"));
}

// ---- precedence 2: longer prefix ------------------------------------------

TEST_F(RulesTest, LongerPrefixWinsOverShorter)
{
    build({prefix(1, "/usr/", B), prefix(2, "/usr/local/", A), prefix(3, "/usr/local/bin/", B)});
    EXPECT_EQ(3u, decide("/usr/local/bin/tool"));
    EXPECT_EQ(2u, decide("/usr/local/lib/x"));
    EXPECT_EQ(1u, decide("/usr/bin/x"));
}

TEST_F(RulesTest, LongerPrefixWinsEvenOverConditionalShorterBlock)
{
    build({withParent(forUser(prefix(1, "/usr/", B), 1000), "**"), prefix(2, "/usr/local/", A)});
    EXPECT_EQ(2u, decide("/usr/local/x", 1000));
    EXPECT_EQ(1u, decide("/usr/bin/x", 1000));
}

TEST_F(RulesTest, LongerPrefixWhoseConditionFailsFallsBackToShorter)
{
    build({prefix(1, "/usr/", B), forUser(prefix(2, "/usr/local/", A), 1000)});
    EXPECT_EQ(2u, decide("/usr/local/x", 1000));
    EXPECT_EQ(1u, decide("/usr/local/x", 1001));
}

// ---- precedence 3: conditional before unconditional -----------------------

TEST_F(RulesTest, ConditionalExactWinsOverUnconditionalExact)
{
    build({exact(1, "/usr/bin/ls", B), forUser(exact(2, "/usr/bin/ls", A), 1000)});
    EXPECT_EQ(2u, decide("/usr/bin/ls", 1000));
    EXPECT_EQ(1u, decide("/usr/bin/ls", 0));
}

TEST_F(RulesTest, ConditionalGlobWinsOverUnconditionalGlob)
{
    build({glob(1, "/srv/*", B), withParent(glob(2, "/srv/*", A), "/usr/bin/*sh")});
    EXPECT_EQ(2u, decide("/srv/job", 1000, "/usr/bin/bash"));
    EXPECT_EQ(1u, decide("/srv/job", 1000, "/usr/bin/python3"));
}

TEST_F(RulesTest, ConditionalPrefixWinsOverUnconditionalPrefixOfSameLength)
{
    build({prefix(1, "/opt/", B), forUser(prefix(2, "/opt/", A), 0)});
    EXPECT_EQ(2u, decide("/opt/x", 0));
    EXPECT_EQ(1u, decide("/opt/x", 5));
}

TEST_F(RulesTest, ConditionalWinsEvenWhenUnconditionalBlocks)
{
    // Level 3 comes before level 4: a conditional ALLOW beats a plain BLOCK.
    build({exact(1, "/bin/x", B), forUser(exact(2, "/bin/x", A), 7)});
    EXPECT_EQ(A, match("/bin/x", 7).action);
}

// ---- precedence 4: block before allow --------------------------------------

TEST_F(RulesTest, BlockRuleWinsOverAllowAtSameLevelForExact)
{
    build({exact(1, "/usr/bin/ls", A), exact(2, "/usr/bin/ls", B)});
    EXPECT_EQ(2u, decide("/usr/bin/ls"));
}

TEST_F(RulesTest, BlockRuleWinsOverAllowAtSameLevelForGlob)
{
    build({glob(1, "/tmp/*", A), glob(2, "/tmp/?*", B)});
    EXPECT_EQ(2u, decide("/tmp/x"));
}

TEST_F(RulesTest, BlockRuleWinsOverAllowAtSameLevelForPrefix)
{
    build({prefix(1, "/tmp/", A), prefix(2, "/tmp/", B)});
    EXPECT_EQ(2u, decide("/tmp/x"));
}

TEST_F(RulesTest, BlockRuleWinsOverAllowAmongConditionalRules)
{
    build({forUser(exact(1, "/a/b", A), 1), withParent(exact(2, "/a/b", B), "/**")});
    EXPECT_EQ(2u, decide("/a/b", 1));
}

// ---- precedence 5: policy order --------------------------------------------

TEST_F(RulesTest, EarlierRuleWinsWhenOtherwiseEqual)
{
    build({exact(5, "/a/b", B), exact(6, "/a/b", B)});
    EXPECT_EQ(5u, decide("/a/b"));
    build({glob(5, "/a/*", A), glob(6, "/a/?", A)});
    EXPECT_EQ(5u, decide("/a/b"));
    build({prefix(5, "/a/", A), prefix(6, "/a/", A)});
    EXPECT_EQ(5u, decide("/a/b"));
}

TEST_F(RulesTest, EarlierGlobWinsOverLaterMoreSpecificLookingGlob)
{
    // Glob specificity is not measured; only the list order decides.
    build({glob(1, "/**", A), glob(2, "/usr/bin/ls", A)});
    EXPECT_EQ(1u, decide("/usr/bin/ls"));
}

// ---- conditions -------------------------------------------------------------

TEST_F(RulesTest, UserConditionRestrictsRuleToThatUid)
{
    build({forUser(exact(1, "/bin/game", B), 1001)});
    EXPECT_EQ(1u, decide("/bin/game", 1001));
    EXPECT_EQ(0u, decide("/bin/game", 1000));
}

TEST_F(RulesTest, UidZeroConditionMatchesOnlyRoot)
{
    build({forUser(prefix(1, "/sbin/", A), 0)});
    EXPECT_EQ(1u, decide("/sbin/x", 0));
    EXPECT_EQ(0u, decide("/sbin/x", 1));
}

TEST_F(RulesTest, ParentConditionIsAGlobOverTheParentImage)
{
    build({withParent(exact(1, "/usr/bin/curl", B), "/usr/bin/*office*")});
    EXPECT_EQ(1u, decide("/usr/bin/curl", 1000, "/usr/bin/libreoffice7"));
    EXPECT_EQ(0u, decide("/usr/bin/curl", 1000, "/usr/bin/bash"));
    EXPECT_EQ(0u, decide("/usr/bin/curl", 1000, "/usr/lib/x/office"));
}

TEST_F(RulesTest, UnknownParentSatisfiesNoParentCondition)
{
    build({withParent(exact(1, "/x", B), "**")});
    EXPECT_EQ(0u, decide("/x", 1000, nullptr));
    EXPECT_EQ(1u, decide("/x", 1000, "/anything"));
}

TEST_F(RulesTest, UserAndParentConditionsMustBothHold)
{
    build({withParent(forUser(exact(1, "/x", B), 5), "/bin/sh")});
    EXPECT_EQ(1u, decide("/x", 5, "/bin/sh"));
    EXPECT_EQ(0u, decide("/x", 6, "/bin/sh"));
    EXPECT_EQ(0u, decide("/x", 5, "/bin/bash"));
}

TEST_F(RulesTest, RuleWhoseConditionFailsDoesNotMatchAtAll)
{
    build({forUser(exact(1, "/x", B), 5), glob(2, "/*", A)});
    EXPECT_EQ(2u, decide("/x", 6));
}

TEST_F(RulesTest, ConditionalRuleIsReportedAsConditional)
{
    build({forUser(exact(1, "/x", B), 5)});
    EXPECT_EQ(1u, match("/x", 5).conditional);
}

TEST_F(RulesTest, HasConditionalForReportsRulesThatDependOnUserOrParent)
{
    build({exact(1, "/plain", A), forUser(exact(2, "/cond", A), 1),
           withParent(glob(3, "/g/*", A), "/p"), forUser(prefix(4, "/d/", B), 3),
           prefix(5, "/e/", B), glob(6, "/f/*", B)});
    EXPECT_FALSE(conditionalFor("/plain"));
    EXPECT_TRUE(conditionalFor("/cond"));
    EXPECT_TRUE(conditionalFor("/g/x"));
    EXPECT_TRUE(conditionalFor("/d/sub/x"));
    EXPECT_FALSE(conditionalFor("/e/x"));
    EXPECT_FALSE(conditionalFor("/f/x"));
    EXPECT_FALSE(conditionalFor("/nothing"));
}

// ---- case folding -----------------------------------------------------------

TEST_F(RulesTest, MatchingIsCaseSensitiveByDefault)
{
    build({exact(1, "/usr/bin/ls", B), prefix(2, "/Opt/", B), glob(3, "/s/*.EXE", B)});
    EXPECT_EQ(0u, decide("/USR/BIN/LS"));
    EXPECT_EQ(0u, decide("/opt/x"));
    EXPECT_EQ(0u, decide("/s/a.exe"));
}

TEST_F(RulesTest, RuleCaseFoldFlagFoldsThatRuleOnly)
{
    build({folded(exact(1, "C:/Windows/Notepad.exe", B)), exact(2, "C:/Temp/X.exe", B)});
    EXPECT_EQ(1u, decide("c:/windows/NOTEPAD.EXE"));
    EXPECT_EQ(0u, decide("c:/temp/x.exe"));
    EXPECT_EQ(2u, decide("C:/Temp/X.exe"));
}

TEST_F(RulesTest, PolicyCaseFoldFlagFoldsEveryRule)
{
    build({exact(1, "/A/B", B), prefix(2, "/Dir/", A), glob(3, "/G/*.Sh", B)}, PG_POLF_CASE_FOLD);
    EXPECT_EQ(1u, decide("/a/b"));
    EXPECT_EQ(2u, decide("/DIR/x"));
    EXPECT_EQ(3u, decide("/g/RUN.SH"));
}

TEST_F(RulesTest, CaseFoldAppliesToParentCondition)
{
    build({withParent(folded(exact(1, "/x", B)), "/Bin/SH")});
    EXPECT_EQ(1u, decide("/X", 1000, "/bin/sh"));
}

TEST_F(RulesTest, FoldedAndExactRulesWithSameTextAreBothFound)
{
    // Same pattern text, one folding: different hash groups, precedence
    // across them still applies (BLOCK first).
    build({exact(1, "/a/b", A), folded(exact(2, "/A/B", B))});
    EXPECT_EQ(2u, decide("/a/b"));
    build({exact(1, "/a/b", B), folded(exact(2, "/A/B", A))});
    EXPECT_EQ(1u, decide("/a/b"));
    EXPECT_EQ(2u, decide("/A/b"));
}

TEST_F(RulesTest, CaseFoldingTouchesAsciiLettersOnly)
{
    build({folded(exact(1, "/\xC3\x89t\xC3\xA9", B))}); // "/Été"
    EXPECT_EQ(1u, decide("/\xC3\x89T\xC3\xA9"));
    EXPECT_EQ(0u, decide("/\xC3\xA9t\xC3\xA9")); // "é" is not folded to "É"
    EXPECT_TRUE(glob("[", "[", true));
    EXPECT_FALSE(glob("@", "`", true)); // neighbours of 'A'..'Z' stay distinct
}

// ---- build errors -----------------------------------------------------------

TEST_F(RulesTest, DuplicateRuleIdIsRangeErrorWithItsIndex)
{
    uint32_t detail = 0;
    EXPECT_EQ(PG_E_RANGE,
              tryBuild({exact(1, "/a", A), exact(2, "/b", A), exact(1, "/c", A)}, 0, &detail));
    EXPECT_EQ(2u, detail);
    EXPECT_EQ(0u, decide("/a")); // a failed build leaves an empty cache
}

TEST_F(RulesTest, TooSmallArenaIsNoSpace)
{
    Bytes recs = ruleRecords({exact(1, "/a", A), prefix(2, "/b/", B)});
    const size_t need = pg_rule_cache_arena_size(recs.data(), recs.size(), 2);
    std::vector<uint8_t> arena(need - 8);
    EXPECT_EQ(PG_E_NOSPACE, pg_rule_cache_build(&m_cache, arena.data(), arena.size(), recs.data(),
                                                recs.size(), 2, 0));
    EXPECT_EQ(PG_E_NOSPACE,
              pg_rule_cache_build(&m_cache, nullptr, 0, recs.data(), recs.size(), 2, 0));
}

TEST_F(RulesTest, UnalignedArenaWorks)
{
    Bytes recs = ruleRecords({exact(1, "/a", A), prefix(2, "/b/", B)});
    const size_t need = pg_rule_cache_arena_size(recs.data(), recs.size(), 2);
    std::vector<uint8_t> arena(need + 1);
    ASSERT_EQ(PG_OK, pg_rule_cache_build(&m_cache, arena.data() + 1, need, recs.data(), recs.size(),
                                         2, 0));
    EXPECT_EQ(2u, decide("/b/c"));
    EXPECT_LE(m_cache.arena_used + (m_cache.arena - (arena.data() + 1)), need);
}

TEST_F(RulesTest, MalformedRecordsAreRejectedByBuild)
{
    Bytes recs = ruleRecords({exact(1, "/a", A)});
    recs[offsetof(pg_rule, action)] = 9;
    std::vector<uint8_t> arena(4096);
    EXPECT_EQ(PG_E_RANGE, pg_rule_cache_build(&m_cache, arena.data(), arena.size(), recs.data(),
                                              recs.size(), 1, 0));
    recs = ruleRecords({exact(1, "/a", A)});
    EXPECT_EQ(PG_E_LENGTH, pg_rule_cache_build(&m_cache, arena.data(), arena.size(), recs.data(),
                                               recs.size(), 2, 0));
    EXPECT_EQ(PG_E_RANGE, pg_rule_cache_build(&m_cache, arena.data(), arena.size(), recs.data(),
                                              recs.size(), 1, 0x80));
}

// ---- scale ------------------------------------------------------------------

TEST_F(RulesTest, TenThousandMixedRulesMatchCorrectly)
{
    std::vector<RuleSpec> rules;
    uint32_t id = 1;
    for (int i = 0; i < 6000; ++i) {
        rules.push_back(exact(id++, "/usr/bin/tool" + std::to_string(i), i % 2 ? A : B));
    }
    for (int i = 0; i < 3000; ++i) {
        rules.push_back(prefix(id++, "/opt/vendor" + std::to_string(i) + "/", A));
    }
    for (int i = 0; i < 1000; ++i) {
        rules.push_back(glob(id++, "/home/*/app" + std::to_string(i) + "/*.bin", B));
    }
    build(rules);
    EXPECT_EQ(10000u, m_cache.count);
    EXPECT_EQ(1u, decide("/usr/bin/tool0"));
    EXPECT_EQ(6000u, decide("/usr/bin/tool5999"));
    EXPECT_EQ(6001u + 1234u, decide("/opt/vendor1234/bin/x"));
    EXPECT_EQ(9001u + 999u, decide("/home/ann/app999/run.bin"));
    EXPECT_EQ(0u, decide("/usr/bin/tool6000"));
    EXPECT_EQ(0u, decide("/home/ann/app1000/run.bin"));
    for (int i = 0; i < 20000; ++i) { // a quick sanity load, no timing asserted
        ASSERT_EQ(0u, decide("/var/lib/unknown/" + std::to_string(i)));
    }
}

// ---- glob matcher -----------------------------------------------------------

TEST(GlobMatch, StarMatchesWithinOneComponent)
{
    EXPECT_TRUE(glob("/usr/*/ls", "/usr/bin/ls"));
    EXPECT_FALSE(glob("/usr/*/ls", "/usr/local/bin/ls"));
    EXPECT_TRUE(glob("/usr/bin/*", "/usr/bin/"));
    EXPECT_FALSE(glob("/usr/bin/*", "/usr/bin/x/y"));
}

TEST(GlobMatch, StarMatchesEmptyRun)
{
    EXPECT_TRUE(glob("a*b", "ab"));
    EXPECT_TRUE(glob("*", ""));
    EXPECT_TRUE(glob("ab*", "ab"));
}

TEST(GlobMatch, QuestionMarkMatchesExactlyOneCharExceptSlash)
{
    EXPECT_TRUE(glob("/a?c", "/abc"));
    EXPECT_FALSE(glob("/a?c", "/ac"));
    EXPECT_FALSE(glob("/a?c", "/abbc"));
    EXPECT_FALSE(glob("/a?c", "/a/c"));
}

TEST(GlobMatch, DoubleStarCrossesDirectories)
{
    EXPECT_TRUE(glob("/home/**", "/home/ann/.local/bin/x"));
    EXPECT_TRUE(glob("/**/ls", "/usr/local/bin/ls"));
    EXPECT_TRUE(glob("**", ""));
    EXPECT_TRUE(glob("/home/**.sh", "/home/a/b/c.sh"));
}

TEST(GlobMatch, DoubleStarBetweenSlashesNeedsBothSlashes)
{
    // '**' is "any run": "/a/**/b" needs the two slashes around it.
    EXPECT_TRUE(glob("/a/**/b", "/a//b"));
    EXPECT_TRUE(glob("/a/**/b", "/a/x/y/b"));
    EXPECT_FALSE(glob("/a/**/b", "/a/b"));
}

TEST(GlobMatch, TripleStarActsAsDoubleStar)
{
    EXPECT_TRUE(glob("/a/***", "/a/b/c"));
}

TEST(GlobMatch, SingleStarAfterDoubleStarStaysInItsComponent)
{
    EXPECT_TRUE(glob("/**/bin/*", "/usr/local/bin/tool"));
    EXPECT_FALSE(glob("/**/bin/*", "/usr/local/bin/sub/tool"));
    EXPECT_TRUE(glob("/**/bin/*", "/usr/bin/x/bin/tool"));
}

TEST(GlobMatch, BacktracksOverRepeatedLiterals)
{
    EXPECT_TRUE(glob("*aab", "aaaab"));
    EXPECT_TRUE(glob("/x/*a*b*c", "/x/aXbYaZbc"));
    EXPECT_FALSE(glob("/x/*a*b*c", "/x/aXbY/c"));
    EXPECT_TRUE(glob("**/a*/b", "q/r/aaa/b"));
}

TEST(GlobMatch, EmptyPatternMatchesOnlyEmptyString)
{
    EXPECT_TRUE(glob("", ""));
    EXPECT_FALSE(glob("", "a"));
    EXPECT_FALSE(glob("a", ""));
}

TEST(GlobMatch, FoldIgnoresAsciiCase)
{
    EXPECT_TRUE(glob("C:/WINDOWS/*.EXE", "c:/windows/cmd.exe", true));
    EXPECT_FALSE(glob("C:/WINDOWS/*.EXE", "c:/windows/cmd.exe", false));
}

TEST(GlobMatch, AgreesWithReferenceOnRandomInputs)
{
    std::mt19937 rng(12345);
    const char alphabet[] = {'a', 'b', '/', '*', '?'};
    const char salpha[] = {'a', 'b', '/'};
    for (int iter = 0; iter < 200000; ++iter) {
        std::string p, s;
        const int pl = static_cast<int>(rng() % 9);
        const int sl = static_cast<int>(rng() % 10);
        for (int i = 0; i < pl; ++i) {
            p += alphabet[rng() % 5];
        }
        for (int i = 0; i < sl; ++i) {
            s += salpha[rng() % 3];
        }
        const bool expected = refGlob(p.data(), p.data() + p.size(), s.data(), s.data() + s.size());
        ASSERT_EQ(expected, glob(p, s)) << "pattern '" << p << "' string '" << s << "'";
    }
}
