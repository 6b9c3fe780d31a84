// RuleKindsTest.cpp - the rule kinds, actions and conditions added for
// parents and kiosk operators (SHA256, CMDLINE, PACKAGE, SIGNER, ASK, group), and
// the precedence of pg_rules.h checked over every pair of rule shapes.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "MessageBuilder.h"

using namespace pgtest;

namespace
{

constexpr uint8_t A = PG_VERDICT_ALLOW;
constexpr uint8_t B = PG_VERDICT_BLOCK;
constexpr uint8_t Q = PG_VERDICT_ASK;

// One start that every rule shape below matches.
const std::string kImage = "/opt/app/bin/tool";
const std::string kCmdline = "/opt/app/bin/tool --level 3 /tmp/save.dat";
const std::string kDigest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const std::string kPackage = "toolpkg";
const char *const kSigner = "Contoso Software Ltd";
const char *const kParent = "/usr/bin/bash";
constexpr uint32_t kUid = 1000;
constexpr uint32_t kGid = 100;
const uint32_t kGids[] = {1000, 24, kGid};

struct Facts {
    bool cmdline = true;
    bool sha = true;
    bool package = true;
    const char *packageName = "toolpkg"; // with package: nullptr = not package-owned
    uint32_t uid = kUid;
    const char *parent = kParent;
    bool signer = true;
    const char *signerName = kSigner; // with signer: nullptr = unsigned or untrusted
    uint32_t pathFlags = 0;           // PG_PATH_*
};

class RuleKindsTest : public ::testing::Test
{
protected:
    int tryBuild(const std::vector<RuleSpec> &rules)
    {
        m_records = ruleRecords(rules);
        const size_t need = pg_rule_cache_arena_size(m_records.data(), m_records.size(),
                                                     static_cast<uint32_t>(rules.size()));
        m_arena.assign(need, 0xCD);
        return pg_rule_cache_build(&m_cache, m_arena.data(), m_arena.size(), m_records.data(),
                                   m_records.size(), static_cast<uint32_t>(rules.size()), 0);
    }
    void build(const std::vector<RuleSpec> &rules) { ASSERT_EQ(PG_OK, tryBuild(rules)); }

    pg_match_result match(const Facts &f = Facts(), const std::string &image = kImage)
    {
        pg_match_input in{};
        in.image = image.c_str();
        in.image_len = image.size();
        in.parent_image = f.parent;
        in.parent_len = f.parent != nullptr ? std::strlen(f.parent) : 0;
        in.uid = f.uid;
        in.gids = kGids;
        in.gid_count = 3;
        if (f.cmdline) {
            in.known |= PG_FACT_CMDLINE;
            in.cmdline = kCmdline.c_str();
            in.cmdline_len = kCmdline.size();
        }
        if (f.sha) {
            in.known |= PG_FACT_SHA256;
            in.sha256_hex = kDigest.c_str();
        }
        if (f.package) {
            in.known |= PG_FACT_PACKAGE;
            in.package = f.packageName;
            in.package_len = f.packageName != nullptr ? std::strlen(f.packageName) : 0;
        }
        if (f.signer) {
            in.known |= PG_FACT_SIGNER;
            in.signer = f.signerName;
            in.signer_len = f.signerName != nullptr ? std::strlen(f.signerName) : 0;
        }
        in.path_flags = f.pathFlags;
        pg_match_result out{};
        const int matched = pg_rule_cache_match(&m_cache, &in, &out);
        EXPECT_EQ(matched != 0, out.rule_id != 0);
        return out;
    }

    Bytes m_records;
    std::vector<uint8_t> m_arena;
    pg_rule_cache m_cache{};
};

// ---- the shapes: every kind x condition x action ------------------------

enum class Shape { Cmdline, Sha256, Exact, Glob, LongPrefix, ShortPrefix, Package, Signer };
enum class Cond { None, User, Group, Parent };

struct Template {
    Shape shape;
    Cond cond;
    uint8_t action;
};

RuleSpec makeRule(uint32_t id, const Template &t)
{
    RuleSpec r;
    switch (t.shape) {
    case Shape::Cmdline:
        r = cmdline(id, "*tool --level*", t.action);
        break;
    case Shape::Sha256:
        r = sha256(id, kDigest, t.action);
        break;
    case Shape::Exact:
        r = exact(id, kImage, t.action);
        break;
    case Shape::Glob:
        r = glob(id, "/opt/*/bin/t*", t.action);
        break;
    case Shape::LongPrefix:
        r = prefix(id, "/opt/app/bin/", t.action);
        break;
    case Shape::ShortPrefix:
        r = prefix(id, "/opt/", t.action);
        break;
    case Shape::Package:
        r = package(id, "tool*", t.action);
        break;
    case Shape::Signer:
        r = signer(id, "contoso *", t.action); // folded: the subject is "Contoso ..."
        break;
    }
    switch (t.cond) {
    case Cond::None:
        break;
    case Cond::User:
        r = forUser(r, kUid);
        break;
    case Cond::Group:
        r = forGroup(r, kGid);
        break;
    case Cond::Parent:
        r = withParent(r, "/usr/bin/*");
        break;
    }
    return r;
}

// The precedence of pg_rules.h restated as a sort key: smaller wins.
std::tuple<int, int, int, int> rank(const Template &t, uint32_t policyIndex)
{
    const int kind = static_cast<int>(t.shape); // listed most specific first
    const int cond = t.cond == Cond::None ? 1 : 0;
    const int action = t.action == B ? 0 : t.action == Q ? 1 : 2;
    return {kind, cond, action, static_cast<int>(policyIndex)};
}

std::vector<Template> allTemplates()
{
    std::vector<Template> out;
    for (Shape s : {Shape::Cmdline, Shape::Sha256, Shape::Exact, Shape::Glob, Shape::LongPrefix,
                    Shape::ShortPrefix, Shape::Package, Shape::Signer}) {
        for (Cond c : {Cond::None, Cond::User, Cond::Group, Cond::Parent}) {
            for (uint8_t a : {B, Q, A})
                out.push_back({s, c, a});
        }
    }
    return out;
}

std::string describe(const Template &t)
{
    static const char *const shapes[] = {"cmdline",     "sha256",       "exact",   "glob",
                                         "long-prefix", "short-prefix", "package", "signer"};
    static const char *const conds[] = {"none", "user", "group", "parent"};
    return std::string(shapes[static_cast<int>(t.shape)]) + "/" + conds[static_cast<int>(t.cond)] +
           "/" +
           (t.action == B   ? "block"
            : t.action == Q ? "ask"
                            : "allow");
}

} // namespace

// Every ordered pair of the 96 shapes, in both policy orders: the rule the
// cache picks is the one the precedence list of pg_rules.h ranks first.
TEST_F(RuleKindsTest, EveryPrecedencePairDecidesAsDocumented)
{
    const std::vector<Template> all = allTemplates();
    int checked = 0;
    for (size_t i = 0; i < all.size(); ++i) {
        for (size_t j = 0; j < all.size(); ++j) {
            build({makeRule(1, all[i]), makeRule(2, all[j])});
            const uint32_t expected = rank(all[i], 0) < rank(all[j], 1) ? 1u : 2u;
            const pg_match_result r = match();
            ASSERT_EQ(expected, r.rule_id)
                << describe(all[i]) << " (first) vs " << describe(all[j]) << " (second)";
            EXPECT_EQ(0u, r.needs);
            EXPECT_EQ(expected == 1 ? all[i].action : all[j].action, r.action);
            ++checked;
        }
    }
    EXPECT_EQ(96 * 96, checked);
}

namespace
{

bool isPathShape(Shape s)
{
    return s == Shape::Exact || s == Shape::Glob || s == Shape::LongPrefix ||
           s == Shape::ShortPrefix;
}

} // namespace

// A start whose path is not the file (file identity): among every
// pair of shapes, path rules never match and rules with a parent condition
// do not hold when the parent's path is not its file either; the rest keep
// their documented precedence.
TEST_F(RuleKindsTest, UntrustedPathsLeaveOnlyContentAndInvocationRulesInPrecedenceOrder)
{
    const std::vector<Template> all = allTemplates();
    for (uint32_t flags : {PG_PATH_IMAGE_UNTRUSTED, PG_PATH_PARENT_UNTRUSTED,
                           PG_PATH_IMAGE_UNTRUSTED | PG_PATH_PARENT_UNTRUSTED}) {
        auto eligible = [flags](const Template &t) {
            if ((flags & PG_PATH_IMAGE_UNTRUSTED) != 0 && isPathShape(t.shape))
                return false;
            return (flags & PG_PATH_PARENT_UNTRUSTED) == 0 || t.cond != Cond::Parent;
        };
        Facts f;
        f.pathFlags = flags;
        for (size_t i = 0; i < all.size(); ++i) {
            for (size_t j = 0; j < all.size(); ++j) {
                build({makeRule(1, all[i]), makeRule(2, all[j])});
                uint32_t expected = 0;
                if (eligible(all[i]) && eligible(all[j]))
                    expected = rank(all[i], 0) < rank(all[j], 1) ? 1u : 2u;
                else if (eligible(all[i]))
                    expected = 1;
                else if (eligible(all[j]))
                    expected = 2;
                const pg_match_result r = match(f);
                ASSERT_EQ(expected, r.rule_id) << "flags " << flags << ": " << describe(all[i])
                                               << " (first) vs " << describe(all[j]);
                EXPECT_EQ(0u, r.needs);
            }
        }
    }
}

TEST_F(RuleKindsTest, UntrustedImagePathStillAsksForTheFactsOfContentRules)
{
    // An exact allow cannot answer for a path that is not the file, so the
    // digest is still needed for the hash block below it.
    build({exact(1, kImage, A), sha256(2, kDigest, B)});
    Facts f;
    f.sha = false;
    f.pathFlags = PG_PATH_IMAGE_UNTRUSTED;
    pg_match_result r = match(f);
    EXPECT_EQ(0u, r.rule_id);
    EXPECT_EQ(static_cast<uint32_t>(PG_FACT_SHA256), r.needs);
    f.sha = true;
    r = match(f);
    EXPECT_EQ(2u, r.rule_id);
    EXPECT_EQ(B, r.action);
}

TEST_F(RuleKindsTest, RuleWhoseConditionFailsNeverWinsForAnyKind)
{
    const std::vector<Template> all = allTemplates();
    for (const Template &t : all) {
        if (t.cond == Cond::None)
            continue;
        // The failing rule would outrank the fallback (the lowest kind)
        // in every case but its own kind, where its condition does.
        build({makeRule(1, t), signer(2, "*", A)});
        Facts f;
        f.uid = 4242;            // user condition fails
        f.parent = "/sbin/init"; // parent condition fails
        pg_match_result r = match(f);
        if (t.cond == Cond::Group) {
            // Group 100 is among the process's groups; drop it instead.
            RuleSpec g = makeRule(1, t);
            g.uid = 999;
            build({g, signer(2, "*", A)});
            r = match(f);
        }
        EXPECT_EQ(2u, r.rule_id) << describe(t);
    }
}

// ---- kinds --------------------------------------------------------------

TEST_F(RuleKindsTest, Sha256RuleMatchesTheDigestInEitherCase)
{
    std::string upper = kDigest;
    for (char &c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    build({sha256(7, upper, B)});
    EXPECT_EQ(7u, match().rule_id);
    EXPECT_EQ(PG_RULE_SHA256, match().kind);
}

TEST_F(RuleKindsTest, Sha256RuleFollowsTheContentToAnyPath)
{
    build({sha256(7, kDigest, B), exact(8, "/home/kid/renamed", A)});
    EXPECT_EQ(7u, match(Facts(), "/home/kid/renamed").rule_id);
}

TEST_F(RuleKindsTest, OtherDigestDoesNotMatch)
{
    build({sha256(7, std::string(64, '0'), B)});
    EXPECT_EQ(0u, match().rule_id);
}

TEST_F(RuleKindsTest, CmdlineGlobTreatsSlashAsOrdinaryCharacter)
{
    build({cmdline(3, "*/tmp/save.dat", B)});
    EXPECT_EQ(3u, match().rule_id);
    build({cmdline(3, "/opt/?pp/bin/tool --level ?*", B)});
    EXPECT_EQ(3u, match().rule_id);
}

TEST_F(RuleKindsTest, CmdlineRuleDecidesByArguments)
{
    build({cmdline(3, "* --level 9*", B), exact(4, kImage, A)});
    EXPECT_EQ(4u, match().rule_id); // "--level 3": the block does not apply
    build({cmdline(3, "* --level 3*", B), exact(4, kImage, A)});
    EXPECT_EQ(3u, match().rule_id);
}

TEST_F(RuleKindsTest, PackageRuleGlobsThePackageName)
{
    build({package(5, "tool*", A)});
    EXPECT_EQ(5u, match().rule_id);
    build({package(5, "other", A)});
    EXPECT_EQ(0u, match().rule_id);
}

TEST_F(RuleKindsTest, FileNoPackageOwnsUnmodifiedMatchesNoPackageRule)
{
    build({package(5, "*", A)});
    Facts f;
    f.packageName = nullptr;
    EXPECT_EQ(0u, match(f).rule_id);
    EXPECT_EQ(0u, match(f).needs);
}

TEST_F(RuleKindsTest, SignerRuleGlobsTheSubjectFoldedWithSlashOrdinary)
{
    build({signer(5, "CONTOSO SOFTWARE*", A)});
    EXPECT_EQ(5u, match().rule_id);
    EXPECT_EQ(PG_RULE_SIGNER, match().kind);
    build({signer(5, "Fabrikam*", A)});
    EXPECT_EQ(0u, match().rule_id);
    build({signer(5, "*/Unit?", B)});
    Facts f;
    f.signerName = "Contoso/Unit7";
    EXPECT_EQ(5u, match(f).rule_id);
}

TEST_F(RuleKindsTest, UnsignedOrUntrustedImageMatchesNoSignerRule)
{
    build({signer(5, "*", A)});
    Facts f;
    f.signerName = nullptr;
    EXPECT_EQ(0u, match(f).rule_id);
    EXPECT_EQ(0u, match(f).needs);
}

TEST_F(RuleKindsTest, SignerIsNeededOnlyWhenNothingAboveAnswers)
{
    build({signer(1, "*", A), package(2, "toolpkg", B)});
    Facts f;
    f.signer = false;
    EXPECT_EQ(2u, match(f).rule_id);
    EXPECT_EQ(0u, match(f).needs);
    f.packageName = "other";
    const pg_match_result r = match(f);
    EXPECT_EQ(0u, r.rule_id);
    EXPECT_EQ(PG_FACT_SIGNER, r.needs);
}

TEST_F(RuleKindsTest, SignerRuleWhoseConditionFailsNeedsNoSigner)
{
    build({forUser(signer(1, "*", B), 0)});
    Facts f;
    f.signer = false;
    EXPECT_EQ(0u, match(f).needs);
    // Like a conditional package rule, it could apply to any file.
    EXPECT_NE(0, pg_rule_cache_has_conditional_for(&m_cache, kImage.c_str(), kImage.size()));
}

TEST_F(RuleKindsTest, SignerRulesMixWithPackageRulesInPolicyOrder)
{
    // The two trusted-source lists live side by side: each is scanned
    // only for its own fact, whatever the policy order.
    build({signer(1, "toolpkg", B), package(2, "Contoso*", B), package(3, "tool*", A),
           signer(4, "Contoso*", B)});
    EXPECT_EQ(3u, match().rule_id);
    Facts f;
    f.packageName = nullptr;
    EXPECT_EQ(4u, match(f).rule_id);
}

TEST_F(RuleKindsTest, UnconditionalSignerRulesKeepTheFileCacheUsable)
{
    build({signer(1, "*", A)});
    EXPECT_EQ(0, pg_rule_cache_has_conditional_for(&m_cache, kImage.c_str(), kImage.size()));
}

TEST_F(RuleKindsTest, AskActionIsReported)
{
    build({exact(9, kImage, Q)});
    EXPECT_EQ(Q, match().action);
}

TEST_F(RuleKindsTest, GroupConditionHoldsForAnySupplementaryGroup)
{
    build({forGroup(exact(1, kImage, B), 24)});
    EXPECT_EQ(1u, match().rule_id);
    build({forGroup(exact(1, kImage, B), 25)});
    EXPECT_EQ(0u, match().rule_id);
}

TEST_F(RuleKindsTest, GroupConditionFailsWithoutGroupList)
{
    build({forGroup(exact(1, kImage, B), kGid)});
    pg_match_input in{};
    in.image = kImage.c_str();
    in.image_len = kImage.size();
    pg_match_result out{};
    EXPECT_EQ(0, pg_rule_cache_match(&m_cache, &in, &out));
}

TEST_F(RuleKindsTest, GroupRuleIsConditional)
{
    build({forGroup(exact(1, kImage, A), kGid)});
    EXPECT_EQ(1, match().conditional);
    EXPECT_NE(0, pg_rule_cache_has_conditional_for(&m_cache, kImage.c_str(), kImage.size()));
}

TEST_F(RuleKindsTest, MessagesDoNotChangeMatching)
{
    build({withMessage(exact(1, kImage, B), "Not during school hours", "https://help.test/")});
    EXPECT_EQ(1u, match().rule_id);
}

// ---- missing facts --------------------------------------------------------

TEST_F(RuleKindsTest, UnknownCommandLineMakesPathAnswerProvisional)
{
    build({cmdline(1, "*--level*", B), exact(2, kImage, A)});
    Facts f;
    f.cmdline = false;
    const pg_match_result r = match(f);
    EXPECT_EQ(2u, r.rule_id); // best known so far
    EXPECT_EQ(PG_FACT_CMDLINE, r.needs);
}

TEST_F(RuleKindsTest, CmdlineRuleWhoseConditionFailsNeedsNoCommandLine)
{
    build({forUser(cmdline(1, "*", B), 0), exact(2, kImage, A)});
    Facts f;
    f.cmdline = false;
    EXPECT_EQ(0u, match(f).needs);
}

TEST_F(RuleKindsTest, UnknownDigestMakesPathAnswerProvisional)
{
    build({sha256(1, kDigest, B), prefix(2, "/opt/", A)});
    Facts f;
    f.sha = false;
    const pg_match_result r = match(f);
    EXPECT_EQ(2u, r.rule_id);
    EXPECT_EQ(PG_FACT_SHA256, r.needs);
}

TEST_F(RuleKindsTest, MatchedCmdlineRuleNeedsNoDigest)
{
    build({cmdline(1, "*", B), sha256(2, kDigest, A)});
    Facts f;
    f.sha = false;
    const pg_match_result r = match(f);
    EXPECT_EQ(1u, r.rule_id);
    EXPECT_EQ(0u, r.needs);
}

TEST_F(RuleKindsTest, PackageIsNeededOnlyWhenNoPathRuleAnswers)
{
    build({package(1, "*", A), prefix(2, "/opt/", B)});
    Facts f;
    f.package = false;
    EXPECT_EQ(0u, match(f).needs);
    EXPECT_EQ(2u, match(f).rule_id);
    const pg_match_result other = match(f, "/usr/bin/true");
    EXPECT_EQ(0u, other.rule_id);
    EXPECT_EQ(PG_FACT_PACKAGE, other.needs);
}

TEST_F(RuleKindsTest, NoMissingFactIsReportedWithoutSuchRules)
{
    build({exact(1, kImage, A), glob(2, "/opt/**", B)});
    const pg_match_result r = match(Facts{false, false, false, nullptr, kUid, kParent});
    EXPECT_EQ(1u, r.rule_id);
    EXPECT_EQ(0u, r.needs);
}

TEST_F(RuleKindsTest, MissingFactsNeverMakeARuleMatch)
{
    build({cmdline(1, "*", A), sha256(2, kDigest, A), package(3, "*", A), signer(4, "*", A)});
    const pg_match_result r =
        match(Facts{false, false, false, nullptr, kUid, kParent, false, nullptr});
    EXPECT_EQ(0u, r.rule_id);
    EXPECT_EQ(PG_FACT_CMDLINE | PG_FACT_SHA256 | PG_FACT_PACKAGE | PG_FACT_SIGNER, r.needs);
}

TEST_F(RuleKindsTest, CmdlineRulesMakeEveryFileConditional)
{
    build({cmdline(1, "*--x*", B), exact(2, kImage, A)});
    EXPECT_NE(0, pg_rule_cache_has_conditional_for(&m_cache, kImage.c_str(), kImage.size()));
}

TEST_F(RuleKindsTest, UnconditionalDigestRulesKeepTheFileCacheUsable)
{
    build({sha256(1, kDigest, A)});
    EXPECT_EQ(0, pg_rule_cache_has_conditional_for(&m_cache, kImage.c_str(), kImage.size()));
}

TEST_F(RuleKindsTest, KindRanksFollowTheDocumentedOrder)
{
    EXPECT_LT(pg_rule_kind_rank(PG_RULE_CMDLINE), pg_rule_kind_rank(PG_RULE_SHA256));
    EXPECT_LT(pg_rule_kind_rank(PG_RULE_SHA256), pg_rule_kind_rank(PG_RULE_EXACT));
    EXPECT_LT(pg_rule_kind_rank(PG_RULE_EXACT), pg_rule_kind_rank(PG_RULE_GLOB));
    EXPECT_LT(pg_rule_kind_rank(PG_RULE_GLOB), pg_rule_kind_rank(PG_RULE_PREFIX));
    EXPECT_LT(pg_rule_kind_rank(PG_RULE_PREFIX), pg_rule_kind_rank(PG_RULE_PACKAGE));
    EXPECT_LT(pg_rule_kind_rank(PG_RULE_PACKAGE), pg_rule_kind_rank(PG_RULE_SIGNER));
    EXPECT_LT(pg_rule_kind_rank(PG_RULE_SIGNER), pg_rule_kind_rank(PG_RULE_KIND_MAX + 1));
}

TEST(TextGlob, StarAndQuestionMarkCrossSlash)
{
    const std::string p = "a*z?q";
    const std::string s = "a/b/cz/q";
    EXPECT_NE(0, pg_text_glob_match(p.data(), p.size(), s.data(), s.size(), 0));
    EXPECT_EQ(0, pg_glob_match(p.data(), p.size(), s.data(), s.size(), 0));
}
