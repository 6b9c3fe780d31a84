// PolicyBuilders.h - short constructors for pg::Rule and a checked failing
// parse of a policy file, for the app/policy tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "PolicyFile.h"
#include "Types.h"

namespace pgtest
{

// A rule with no conditions.
inline pg::Rule rule(uint32_t id, pg::RuleKind kind, pg::Verdict action, const std::string &pattern)
{
    pg::Rule r;
    r.id = id;
    r.kind = kind;
    r.action = action;
    r.pattern = pattern;
    return r;
}

// Parses text that must be refused and returns why. A parse that fails
// must leave the document as it was, so a marker is checked afterwards.
inline pg::policy::PolicyError parseError(const std::string &text)
{
    pg::policy::PolicyDocument d;
    d.policy.mode = pg::Mode::Prompt; // a marker: must survive the failed parse
    pg::policy::PolicyError e;
    EXPECT_FALSE(pg::policy::parsePolicyJson(text, &d, &e)) << text;
    EXPECT_EQ(d.policy.mode, pg::Mode::Prompt) << "a failed parse touched the document";
    return e;
}

} // namespace pgtest
