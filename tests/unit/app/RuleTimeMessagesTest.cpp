// RuleTimeMessagesTest.cpp - a rule's time conditions (schedule, expiry,
// budget) on the wire: encoded as a pg_rule_time block, decoded back,
// range errors named before anything is sent.
#include <gtest/gtest.h>

#include <cstring>

#include "Messages.h"
#include "pg_validate.h"

using namespace pg;

namespace
{

Policy policyWith(const Rule &r)
{
    Policy p;
    p.rules.push_back(r);
    return p;
}

} // namespace

TEST(RuleTimeMessages, ScheduleExpiryAndBudgetSurviveTheRoundTrip)
{
    Rule r;
    r.kind = RuleKind::Prefix;
    r.pattern = "/games/";
    r.message = "Games after homework";
    r.time.days = 0x1F;
    r.time.windows = {{16 * 3600, 18 * 3600}, {22 * 3600, 3600}};
    r.time.budgetSeconds = 3600;
    r.time.budgetGroup = 4;
    r.time.graceSeconds = 60;
    std::string error;
    const auto bytes = msg::encodeSetPolicy(1, policyWith(r), &error);
    ASSERT_FALSE(bytes.empty()) << error;
    uint32_t detail = 0;
    ASSERT_EQ(pg_validate_client_message(bytes.data(), bytes.size(), &detail), PG_OK);
    Policy back;
    ASSERT_EQ(msg::decodeSetPolicy(bytes, &back), PG_OK);
    ASSERT_EQ(back.rules.size(), 1u);
    const RuleTime &t = back.rules[0].time;
    EXPECT_EQ(t.days, 0x1F);
    ASSERT_EQ(t.windows.size(), 2u);
    EXPECT_EQ(t.windows[1].start, 22u * 3600);
    EXPECT_EQ(t.windows[1].end, 3600u);
    EXPECT_EQ(t.budgetSeconds, 3600u);
    EXPECT_EQ(t.budgetGroup, 4u);
    EXPECT_EQ(t.graceSeconds, 60u);
    EXPECT_EQ(back.rules[0].message, "Games after homework");
}

TEST(RuleTimeMessages, ExpiryKindsRoundTrip)
{
    Rule r;
    r.pattern = "/bin/x";
    r.time.expiry = Expiry::At;
    r.time.expiresAt = 1800000000;
    std::string error;
    Policy back;
    ASSERT_EQ(msg::decodeSetPolicy(msg::encodeSetPolicy(1, policyWith(r), &error), &back), PG_OK);
    EXPECT_EQ(back.rules[0].time.expiry, Expiry::At);
    EXPECT_EQ(back.rules[0].time.expiresAt, 1800000000);
    r.time = RuleTime{};
    r.time.expiry = Expiry::Once;
    ASSERT_EQ(msg::decodeSetPolicy(msg::encodeSetPolicy(1, policyWith(r), &error), &back), PG_OK);
    EXPECT_EQ(back.rules[0].time.expiry, Expiry::Once);
}

TEST(RuleTimeMessages, RuleWithoutTimeHasNoBlock)
{
    Rule r;
    r.pattern = "/bin/x";
    std::string error;
    const auto bytes = msg::encodeSetPolicy(1, policyWith(r), &error);
    pg_rule rec;
    std::memcpy(&rec, bytes.data() + sizeof(pg_policy), sizeof rec);
    EXPECT_EQ(rec.flags & PG_RULEF_TIME, 0u);
    Policy back;
    ASSERT_EQ(msg::decodeSetPolicy(bytes, &back), PG_OK);
    EXPECT_TRUE(back.rules[0].time.empty());
}

TEST(RuleTimeMessages, OutOfRangeTimeIsRefusedBeforeSending)
{
    Rule r;
    r.pattern = "/bin/x";
    r.time.windows = {{100, 100}};
    std::string error;
    EXPECT_TRUE(msg::encodeSetPolicy(1, policyWith(r), &error).empty());
    EXPECT_NE(error.find("schedule"), std::string::npos) << error;
    r.time = RuleTime{};
    r.time.graceSeconds = 5; // without a budget
    EXPECT_TRUE(msg::encodeSetPolicy(1, policyWith(r), &error).empty());
    r.time = RuleTime{};
    r.time.windows.assign(PG_MAX_WINDOWS + 1, TimeWindow{1, 2});
    EXPECT_TRUE(msg::encodeSetPolicy(1, policyWith(r), &error).empty());
}
