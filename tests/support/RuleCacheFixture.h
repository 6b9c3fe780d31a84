// RuleCacheFixture.h - a googletest fixture owning one compiled pg_rule_cache
// (driver/core/pg_rules.h) and its arena, for the core rule tests.
//
// The arena is filled with 0xCD before each build so that a cache reading
// memory it did not write shows up as garbage rather than as zeros.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "../unit/core/MessageBuilder.h"

namespace pgtest
{

class RuleCacheFixture : public ::testing::Test
{
protected:
    // Compiles rules into a fresh arena; fails the test on an error or
    // when the cache used more of the arena than it asked for.
    void build(const std::vector<RuleSpec> &rules, uint32_t policyFlags = 0)
    {
        ASSERT_EQ(PG_OK, tryBuild(rules, policyFlags));
        ASSERT_LE(m_cache.arena_used, m_arena.size());
    }

    int tryBuild(const std::vector<RuleSpec> &rules, uint32_t policyFlags = 0,
                 uint32_t *detail = nullptr)
    {
        m_records = ruleRecords(rules);
        const size_t need = pg_rule_cache_arena_size(m_records.data(), m_records.size(),
                                                     static_cast<uint32_t>(rules.size()));
        m_arena.assign(need, 0xCD);
        return pg_rule_cache_build_ex(&m_cache, m_arena.data(), m_arena.size(), m_records.data(),
                                      m_records.size(), static_cast<uint32_t>(rules.size()),
                                      policyFlags, detail);
    }

    pg_match_result match(const std::string &image, uint32_t uid = 1000,
                          const char *parent = "/usr/bin/bash")
    {
        pg_match_input in{};
        in.image = image.c_str();
        in.image_len = image.size();
        in.parent_image = parent;
        in.parent_len = parent != nullptr ? std::strlen(parent) : 0;
        in.uid = uid;
        pg_match_result out{};
        const int matched = pg_rule_cache_match(&m_cache, &in, &out);
        EXPECT_EQ(matched != 0, out.rule_id != 0);
        return out;
    }

    bool conditionalFor(const std::string &image)
    {
        return pg_rule_cache_has_conditional_for(&m_cache, image.c_str(), image.size()) != 0;
    }

    Bytes m_records;
    std::vector<uint8_t> m_arena;
    pg_rule_cache m_cache{};
};

} // namespace pgtest
