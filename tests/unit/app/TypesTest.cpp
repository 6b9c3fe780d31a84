// TypesTest.cpp - names of protocol values, as the CLI and JSON output use them.
#include <gtest/gtest.h>

#include "Types.h"

using namespace pg;

TEST(Types, NamesRoundTripThroughFromString)
{
    for (Mode m : {Mode::Monitor, Mode::Prompt, Mode::Lockdown})
        EXPECT_EQ(modeFromString(toString(m)), m);
    for (Verdict v : {Verdict::Allow, Verdict::Block})
        EXPECT_EQ(verdictFromString(toString(v)), v);
    for (RuleKind k : {RuleKind::Exact, RuleKind::Glob, RuleKind::Prefix})
        EXPECT_EQ(ruleKindFromString(toString(k)), k);
}

TEST(Types, ParsingIgnoresCaseAndRefusesUnknownWords)
{
    EXPECT_EQ(modeFromString("LockDown"), Mode::Lockdown);
    EXPECT_EQ(verdictFromString("ALLOW"), Verdict::Allow);
    EXPECT_FALSE(modeFromString("paranoid").has_value());
    EXPECT_FALSE(verdictFromString("none").has_value());
    EXPECT_FALSE(verdictFromString("").has_value());
}

TEST(Types, EverySourceAndEventKindHasAName)
{
    EXPECT_STREQ(toString(Source::NoClient), "no-client");
    EXPECT_STREQ(toString(Source::Timeout), "timeout");
    EXPECT_STREQ(toString(EventKind::Request), "request");
    EXPECT_STREQ(toString(EventKind::Overflow), "overflow");
    EXPECT_STREQ(toString(Role::Observer), "observer");
    EXPECT_STREQ(toString(static_cast<EventKind>(99)), "unknown");
}
