// ManagedLayerTest.cpp - the managed layer in the rule cache (pg_rules.h,
// precedence rule -1): rules with PG_RULEF_MANAGED are matched before every
// local rule, whatever their kinds.
#include <gtest/gtest.h>

#include "../../support/RuleCacheFixture.h"

using namespace pgtest;

namespace
{

RuleSpec managed(RuleSpec r)
{
    r.flags |= PG_RULEF_MANAGED;
    return r;
}

class ManagedLayerTest : public RuleCacheFixture
{
};

} // namespace

TEST_F(ManagedLayerTest, ManagedPrefixBlockBeatsLocalExactAllow)
{
    // Without layers the exact allow would win (kind rank); the managed
    // block wins instead.
    build({exact(1, "/srv/games/doom", PG_VERDICT_ALLOW),
           managed(prefix(0x80000001u, "/srv/games/", PG_VERDICT_BLOCK))});
    const pg_match_result r = match("/srv/games/doom");
    EXPECT_EQ(0x80000001u, r.rule_id);
    EXPECT_EQ(PG_VERDICT_BLOCK, r.action);
    EXPECT_EQ(1u, r.index); // position in the policy, not in the layer
}

TEST_F(ManagedLayerTest, ManagedAllowBeatsLocalBlockOfTheSamePath)
{
    build({exact(1, "/usr/bin/tool", PG_VERDICT_BLOCK),
           managed(exact(0x80000001u, "/usr/bin/tool", PG_VERDICT_ALLOW))});
    EXPECT_EQ(0x80000001u, match("/usr/bin/tool").rule_id);
}

TEST_F(ManagedLayerTest, LocalRuleDecidesWhatNoManagedRuleMatches)
{
    build({managed(prefix(0x80000001u, "/srv/games/", PG_VERDICT_BLOCK)),
           exact(7, "/usr/bin/editor", PG_VERDICT_ALLOW)});
    const pg_match_result r = match("/usr/bin/editor");
    EXPECT_EQ(7u, r.rule_id);
    EXPECT_EQ(1u, r.index);
    EXPECT_EQ(0u, match("/usr/bin/other").rule_id);
}

TEST_F(ManagedLayerTest, LocalAnswerStaysProvisionalWhileAManagedDigestRuleCouldMatch)
{
    build({managed(sha256(0x80000001u, std::string(64, 'a'), PG_VERDICT_BLOCK)),
           exact(2, "/usr/bin/editor", PG_VERDICT_ALLOW)});
    pg_match_result r = match("/usr/bin/editor");
    EXPECT_EQ(2u, r.rule_id);
    EXPECT_NE(0u, r.needs & PG_FACT_SHA256);

    pg_match_input in{};
    const std::string image = "/usr/bin/editor";
    const std::string digest(64, 'A');
    in.image = image.c_str();
    in.image_len = image.size();
    in.known = PG_FACT_SHA256;
    in.sha256_hex = digest.c_str();
    ASSERT_EQ(1, pg_rule_cache_match(&m_cache, &in, &r));
    EXPECT_EQ(0x80000001u, r.rule_id);
    EXPECT_EQ(0u, r.needs);
}

TEST_F(ManagedLayerTest, IdsMustBeUniqueAcrossLayers)
{
    uint32_t detail = 0;
    EXPECT_EQ(PG_E_RANGE,
              tryBuild({managed(exact(5, "/a", PG_VERDICT_BLOCK)), exact(9, "/b", PG_VERDICT_ALLOW),
                        exact(5, "/c", PG_VERDICT_ALLOW)},
                       0, &detail));
    EXPECT_EQ(2u, detail);
}

TEST_F(ManagedLayerTest, ConditionalRuleInEitherLayerIsReported)
{
    RuleSpec cond = exact(3, "/usr/bin/x", PG_VERDICT_ALLOW);
    cond.flags |= PG_RULEF_USER;
    cond.uid = 1000;
    build({managed(prefix(0x80000001u, "/srv/", PG_VERDICT_BLOCK)), cond});
    EXPECT_TRUE(conditionalFor("/usr/bin/x"));
    EXPECT_FALSE(conditionalFor("/srv/y"));
}

TEST_F(ManagedLayerTest, OnlyManagedRulesBehaveAsOneLayer)
{
    build({managed(exact(0x80000001u, "/a", PG_VERDICT_ALLOW)),
           managed(prefix(0x80000002u, "/", PG_VERDICT_BLOCK))});
    EXPECT_EQ(0x80000001u, match("/a").rule_id);
    EXPECT_EQ(0x80000002u, match("/b").rule_id);
}
