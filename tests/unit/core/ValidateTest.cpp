// ValidateTest.cpp - pg_validate: every malformed message gets its error
// code, every well-formed one passes.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "MessageBuilder.h"

using namespace pgtest;

namespace
{

int client(const Bytes &b, uint32_t *detail = nullptr)
{
    return pg_validate_client_message(b.data(), b.size(), detail);
}

int server(const Bytes &b, uint32_t *detail = nullptr)
{
    return pg_validate_server_message(b.data(), b.size(), detail);
}

// Offset of the first rule record in a policy message.
constexpr size_t kRule0 = sizeof(pg_policy);
// Offset of the first event record in an events message.
constexpr size_t kEvent0 = sizeof(pg_events_msg);

Bytes onePolicy(const RuleSpec &r)
{
    return policy({r});
}

} // namespace

// ---- strings -------------------------------------------------------------

TEST(ValidateString, AbsentStringIsValid)
{
    EXPECT_EQ(PG_OK, pg_validate_string(nullptr, 0));
}

TEST(ValidateString, TerminatedStringIsValid)
{
    EXPECT_EQ(PG_OK, pg_validate_string("abc", 4));
    EXPECT_EQ(PG_OK, pg_validate_string("", 1));
}

TEST(ValidateString, MissingTerminatorIsRejected)
{
    EXPECT_EQ(PG_E_STRING, pg_validate_string("abcd", 3));
}

TEST(ValidateString, InnerNulIsRejected)
{
    EXPECT_EQ(PG_E_STRING, pg_validate_string("ab\0cd", 6));
}

TEST(ValidateString, NullPointerWithLengthIsRejected)
{
    EXPECT_EQ(PG_E_STRING, pg_validate_string(nullptr, 3));
}

// ---- header --------------------------------------------------------------

TEST(ValidateHeader, WellFormedHeaderOnlyRequestsPass)
{
    EXPECT_EQ(PG_OK, client(headerOnly(PG_MSG_GET_POLICY)));
    EXPECT_EQ(PG_OK, client(headerOnly(PG_MSG_GET_STATUS)));
}

TEST(ValidateHeader, NullBufferIsSizeError)
{
    EXPECT_EQ(PG_E_SIZE, pg_validate_client_message(nullptr, 16, nullptr));
    EXPECT_EQ(PG_E_SIZE, pg_validate_server_message(nullptr, 16, nullptr));
}

TEST(ValidateHeader, ShorterThanHeaderIsSizeError)
{
    Bytes b = headerOnly(PG_MSG_GET_STATUS);
    EXPECT_EQ(PG_E_SIZE, pg_validate_client_message(b.data(), sizeof(pg_msg_header) - 1, nullptr));
    EXPECT_EQ(PG_E_SIZE, pg_validate_client_message(b.data(), 0, nullptr));
}

TEST(ValidateHeader, SizeFieldDisagreeingWithBytesReceivedIsSizeError)
{
    Bytes b = headerOnly(PG_MSG_GET_STATUS);
    patch<uint32_t>(b, offsetof(pg_msg_header, size), 24);
    EXPECT_EQ(PG_E_SIZE, client(b));
    patch<uint32_t>(b, offsetof(pg_msg_header, size), 8);
    EXPECT_EQ(PG_E_SIZE, client(b));
}

TEST(ValidateHeader, MessageAboveMaximumSizeIsSizeError)
{
    Bytes b = headerOnly(PG_MSG_GET_STATUS);
    b.resize(PG_MAX_MESSAGE_SIZE + 8);
    seal(b);
    EXPECT_EQ(PG_E_SIZE, client(b));
}

TEST(ValidateHeader, HeaderOnlyRequestWithTrailingBytesIsSizeError)
{
    Bytes b = headerOnly(PG_MSG_GET_POLICY);
    b.resize(b.size() + 8);
    seal(b);
    EXPECT_EQ(PG_E_SIZE, client(b));
}

TEST(ValidateHeader, VersionAboveCurrentIsRejected)
{
    Bytes b = headerOnly(PG_MSG_GET_STATUS);
    patch<uint16_t>(b, offsetof(pg_msg_header, version), PG_PROTOCOL_VERSION + 1);
    EXPECT_EQ(PG_E_VERSION, client(b));
}

TEST(ValidateHeader, VersionZeroIsRejected)
{
    Bytes b = headerOnly(PG_MSG_GET_STATUS);
    patch<uint16_t>(b, offsetof(pg_msg_header, version), 0);
    EXPECT_EQ(PG_E_VERSION, client(b));
}

TEST(ValidateHeader, UnknownTypeIsTypeError)
{
    for (uint16_t t : {uint16_t{0}, uint16_t{PG_MSG_TYPE_MAX + 1}, uint16_t{0xFFFF}}) {
        Bytes b = headerOnly(t);
        EXPECT_EQ(PG_E_TYPE, client(b)) << t;
        EXPECT_EQ(PG_E_TYPE, server(b)) << t;
    }
}

TEST(ValidateHeader, ServerTypeFromClientIsTypeError)
{
    for (uint16_t t :
         {PG_MSG_HELLO_REPLY, PG_MSG_RESULT, PG_MSG_EVENTS, PG_MSG_POLICY, PG_MSG_STATUS}) {
        EXPECT_EQ(PG_E_TYPE, client(headerOnly(t))) << t;
    }
}

TEST(ValidateHeader, ClientTypeFromServerIsTypeError)
{
    for (uint16_t t :
         {PG_MSG_HELLO, PG_MSG_VERDICTS, PG_MSG_SET_POLICY, PG_MSG_GET_POLICY, PG_MSG_GET_STATUS}) {
        EXPECT_EQ(PG_E_TYPE, server(headerOnly(t))) << t;
    }
}

// ---- HELLO ---------------------------------------------------------------

TEST(ValidateHello, WellFormedHelloPasses)
{
    EXPECT_EQ(PG_OK, client(hello()));
}

TEST(ValidateHello, AnyHeaderVersionIsAcceptedBecauseHelloNegotiates)
{
    pg_hello h = defaultHello();
    h.hdr.version = 0;
    EXPECT_EQ(PG_OK, client(hello(h)));
    h.hdr.version = 900;
    EXPECT_EQ(PG_OK, client(hello(h)));
}

TEST(ValidateHello, NewerClientMayAppendFields)
{
    pg_hello h = defaultHello();
    h.hdr.version = PG_PROTOCOL_VERSION + 1;
    Bytes b = hello(h);
    b.resize(b.size() + 16);
    seal(b);
    EXPECT_EQ(PG_OK, client(b));
}

TEST(ValidateHello, CurrentVersionHelloWithTrailingBytesIsSizeError)
{
    Bytes b = hello();
    b.resize(b.size() + 8);
    seal(b);
    EXPECT_EQ(PG_E_SIZE, client(b));
}

TEST(ValidateHello, TruncatedHelloIsSizeError)
{
    Bytes b = hello();
    b.resize(b.size() - 8);
    seal(b);
    EXPECT_EQ(PG_E_SIZE, client(b));
}

TEST(ValidateHello, VersionRangeWithoutOverlapIsVersionError)
{
    pg_hello h = defaultHello();
    h.min_version = PG_PROTOCOL_VERSION + 1;
    h.max_version = PG_PROTOCOL_VERSION + 3;
    EXPECT_EQ(PG_E_VERSION, client(hello(h)));
}

TEST(ValidateHello, InvertedVersionRangeIsRangeError)
{
    pg_hello h = defaultHello();
    h.min_version = 3;
    h.max_version = 2;
    EXPECT_EQ(PG_E_RANGE, client(hello(h)));
}

TEST(ValidateHello, UnknownFlagIsRangeError)
{
    pg_hello h = defaultHello();
    h.flags = PG_HELLO_FLAGS_ALL + 1;
    EXPECT_EQ(PG_E_RANGE, client(hello(h)));
}

TEST(ValidateHello, ObserveOkWithoutControlOrResolveIsRangeError)
{
    pg_hello h = defaultHello();
    h.flags = PG_HELLO_OBSERVE_OK;
    EXPECT_EQ(PG_E_RANGE, client(hello(h)));
    h.flags = PG_HELLO_OBSERVE_OK | PG_HELLO_RESOLVE;
    EXPECT_EQ(PG_OK, client(hello(h)));
    h.flags = PG_HELLO_RESOLVE | PG_HELLO_NO_SNAPSHOT;
    EXPECT_EQ(PG_OK, client(hello(h)));
}

TEST(ValidateHello, ControlAndResolveTogetherIsRangeError)
{
    pg_hello h = defaultHello();
    h.flags = PG_HELLO_CONTROL | PG_HELLO_RESOLVE;
    EXPECT_EQ(PG_E_RANGE, client(hello(h)));
}

TEST(ValidateHello, UnknownSubscriptionIsRangeError)
{
    pg_hello h = defaultHello();
    h.subscriptions = 0x8;
    EXPECT_EQ(PG_E_RANGE, client(hello(h)));
}

TEST(ValidateHello, NonZeroReservedIsRangeError)
{
    pg_hello h = defaultHello();
    h.reserved = 1;
    EXPECT_EQ(PG_E_RANGE, client(hello(h)));
}

TEST(ValidateHello, UnterminatedNameIsStringError)
{
    pg_hello h = defaultHello();
    std::memset(h.name, 'x', sizeof(h.name));
    EXPECT_EQ(PG_E_STRING, client(hello(h)));
}

TEST(ValidateHello, GarbageAfterNameTerminatorIsStringError)
{
    pg_hello h = defaultHello();
    h.name[20] = 'z';
    EXPECT_EQ(PG_E_STRING, client(hello(h)));
}

// ---- VERDICTS ------------------------------------------------------------

TEST(ValidateVerdicts, WellFormedBatchPasses)
{
    EXPECT_EQ(PG_OK,
              client(verdicts({verdict(1, PG_VERDICT_ALLOW), verdict(2, PG_VERDICT_BLOCK)})));
}

TEST(ValidateVerdicts, EmptyBatchIsRangeError)
{
    EXPECT_EQ(PG_E_RANGE, client(verdicts({})));
}

TEST(ValidateVerdicts, TooManyVerdictsIsRangeError)
{
    std::vector<pg_verdict> items(PG_MAX_VERDICTS + 1, verdict(5, PG_VERDICT_ALLOW));
    EXPECT_EQ(PG_E_RANGE, client(verdicts(items)));
    items.pop_back();
    EXPECT_EQ(PG_OK, client(verdicts(items)));
}

TEST(ValidateVerdicts, CountPastEndIsLengthError)
{
    Bytes b = verdicts({verdict(1, PG_VERDICT_ALLOW)});
    patch<uint32_t>(b, offsetof(pg_verdicts_msg, count), 2);
    EXPECT_EQ(PG_E_LENGTH, client(b));
}

TEST(ValidateVerdicts, TrailingBytesAfterEntriesAreLengthError)
{
    Bytes b = verdicts({verdict(1, PG_VERDICT_ALLOW)});
    b.resize(b.size() + 8);
    seal(b);
    EXPECT_EQ(PG_E_LENGTH, client(b));
}

TEST(ValidateVerdicts, ShorterThanFixedPartIsSizeError)
{
    Bytes b = headerOnly(PG_MSG_VERDICTS);
    EXPECT_EQ(PG_E_SIZE, client(b));
}

TEST(ValidateVerdicts, BadVerdictValueIsRangeErrorWithIndex)
{
    uint32_t detail = 99;
    EXPECT_EQ(PG_E_RANGE, client(verdicts({verdict(1, PG_VERDICT_ALLOW), verdict(2, 0),
                                           verdict(3, PG_VERDICT_BLOCK)}),
                                 &detail));
    EXPECT_EQ(1u, detail);
    EXPECT_EQ(PG_E_RANGE, client(verdicts({verdict(1, 3)})));
}

TEST(ValidateVerdicts, ZeroHoldIdIsRangeError)
{
    EXPECT_EQ(PG_E_RANGE, client(verdicts({verdict(0, PG_VERDICT_ALLOW)})));
}

TEST(ValidateVerdicts, NonZeroReservedOrFlagsIsRangeError)
{
    pg_verdict v = verdict(1, PG_VERDICT_ALLOW);
    v.reserved[2] = 1;
    EXPECT_EQ(PG_E_RANGE, client(verdicts({v})));
    v = verdict(1, PG_VERDICT_ALLOW);
    v.flags = 4;
    EXPECT_EQ(PG_E_RANGE, client(verdicts({v})));
    Bytes b = verdicts({verdict(1, PG_VERDICT_ALLOW)});
    patch<uint32_t>(b, offsetof(pg_verdicts_msg, reserved), 1);
    EXPECT_EQ(PG_E_RANGE, client(b));
}

// ---- SET_POLICY ----------------------------------------------------------

TEST(ValidatePolicy, PolicyWithEveryRuleKindPasses)
{
    Bytes b =
        policy({exact(1, "/usr/bin/ls", PG_VERDICT_ALLOW), glob(2, "/tmp/**", PG_VERDICT_BLOCK),
                withParent(forUser(prefix(3, "/opt/", PG_VERDICT_ALLOW), 1000), "/bin/*sh")});
    EXPECT_EQ(PG_OK, client(b));
}

TEST(ValidatePolicy, EmptyPolicyPasses)
{
    EXPECT_EQ(PG_OK, client(policy({})));
}

TEST(ValidatePolicy, TruncatedFixedPartIsSizeError)
{
    Bytes b = policy({});
    b.resize(sizeof(pg_policy) - 8);
    seal(b);
    EXPECT_EQ(PG_E_SIZE, client(b));
}

TEST(ValidatePolicy, BadModeIsRangeError)
{
    for (uint32_t mode : {0u, 4u}) {
        pg_policy p = defaultPolicy();
        p.mode = mode;
        EXPECT_EQ(PG_E_RANGE, client(policy({}, p))) << mode;
    }
}

TEST(ValidatePolicy, DefaultVerdictNoneIsRangeError)
{
    pg_policy p = defaultPolicy();
    p.default_verdict = PG_VERDICT_NONE;
    EXPECT_EQ(PG_E_RANGE, client(policy({}, p)));
}

TEST(ValidatePolicy, TimeoutAndBudgetAboveLimitsAreRangeErrors)
{
    pg_policy p = defaultPolicy();
    p.timeout_ms = PG_MAX_TIMEOUT_MS + 1;
    EXPECT_EQ(PG_E_RANGE, client(policy({}, p)));
    p = defaultPolicy();
    p.hold_budget_ms = PG_MAX_HOLD_BUDGET_MS + 1;
    EXPECT_EQ(PG_E_RANGE, client(policy({}, p)));
    p.hold_budget_ms = PG_MAX_HOLD_BUDGET_MS;
    p.timeout_ms = PG_MAX_TIMEOUT_MS;
    EXPECT_EQ(PG_OK, client(policy({}, p)));
}

TEST(ValidatePolicy, UnknownPolicyFlagIsRangeError)
{
    pg_policy p = defaultPolicy();
    p.flags = 0x2;
    EXPECT_EQ(PG_E_RANGE, client(policy({}, p)));
}

TEST(ValidatePolicy, TooManyRulesIsRangeError)
{
    Bytes b = policy({});
    patch<uint32_t>(b, offsetof(pg_policy, rule_count), PG_MAX_RULES + 1);
    EXPECT_EQ(PG_E_RANGE, client(b));
}

TEST(ValidatePolicy, RuleCountPastEndIsLengthError)
{
    Bytes b = policy({exact(1, "/a", PG_VERDICT_ALLOW)});
    patch<uint32_t>(b, offsetof(pg_policy, rule_count), 2);
    EXPECT_EQ(PG_E_LENGTH, client(b));
}

TEST(ValidatePolicy, BytesAfterLastRuleAreLengthError)
{
    Bytes b = policy({exact(1, "/a", PG_VERDICT_ALLOW), exact(2, "/b", PG_VERDICT_ALLOW)});
    patch<uint32_t>(b, offsetof(pg_policy, rule_count), 1);
    uint32_t detail = 0;
    EXPECT_EQ(PG_E_LENGTH, client(b, &detail));
    EXPECT_EQ(1u, detail);
}

TEST(ValidatePolicy, RuleSizePastEndIsLengthErrorWithIndex)
{
    Bytes b = policy({exact(1, "/a", PG_VERDICT_ALLOW), exact(2, "/b", PG_VERDICT_ALLOW)});
    const size_t second = kRule0 + peek<uint32_t>(b, kRule0);
    patch<uint32_t>(b, second + offsetof(pg_rule, size), 64);
    uint32_t detail = 0;
    EXPECT_EQ(PG_E_LENGTH, client(b, &detail));
    EXPECT_EQ(1u, detail);
}

TEST(ValidatePolicy, RuleSizeNotMultipleOfEightIsLengthError)
{
    Bytes b = onePolicy(exact(1, "/usr/bin/x", PG_VERDICT_ALLOW));
    patch<uint32_t>(b, kRule0 + offsetof(pg_rule, size), peek<uint32_t>(b, kRule0) - 4);
    EXPECT_EQ(PG_E_LENGTH, client(b));
}

TEST(ValidatePolicy, RuleSizeDisagreeingWithStringLengthsIsLengthError)
{
    Bytes b = onePolicy(exact(1, "/usr/bin/x", PG_VERDICT_ALLOW));
    // Pattern length pointing past the record.
    patch<uint16_t>(b, kRule0 + offsetof(pg_rule, pattern_len), 200);
    EXPECT_EQ(PG_E_LENGTH, client(b));
}

TEST(ValidatePolicy, RuleSizeSmallerThanFixedPartIsLengthError)
{
    Bytes b = onePolicy(exact(1, "/usr/bin/x", PG_VERDICT_ALLOW));
    patch<uint32_t>(b, kRule0 + offsetof(pg_rule, size), 16);
    EXPECT_EQ(PG_E_LENGTH, client(b));
}

TEST(ValidatePolicy, UnterminatedPatternIsStringError)
{
    Bytes b = onePolicy(exact(1, "/usr/bin/xy", PG_VERDICT_ALLOW));
    const uint16_t len = peek<uint16_t>(b, kRule0 + offsetof(pg_rule, pattern_len));
    b[kRule0 + sizeof(pg_rule) + len - 1] = 'z';
    EXPECT_EQ(PG_E_STRING, client(b));
}

TEST(ValidatePolicy, InnerNulInPatternIsStringError)
{
    Bytes b = onePolicy(exact(1, "/usr/bin/xy", PG_VERDICT_ALLOW));
    b[kRule0 + sizeof(pg_rule) + 3] = 0;
    EXPECT_EQ(PG_E_STRING, client(b));
}

TEST(ValidatePolicy, InnerNulInParentIsStringError)
{
    Bytes b = onePolicy(withParent(exact(1, "/a", PG_VERDICT_ALLOW), "/bin/bash"));
    const uint16_t plen = peek<uint16_t>(b, kRule0 + offsetof(pg_rule, pattern_len));
    b[kRule0 + sizeof(pg_rule) + plen + 2] = 0;
    EXPECT_EQ(PG_E_STRING, client(b));
}

TEST(ValidatePolicy, ZeroRuleIdIsRangeError)
{
    EXPECT_EQ(PG_E_RANGE, client(onePolicy(exact(0, "/a", PG_VERDICT_ALLOW))));
}

TEST(ValidatePolicy, BadRuleKindIsRangeError)
{
    for (uint8_t kind : {uint8_t{0}, uint8_t{PG_RULE_KIND_MAX + 1}}) {
        RuleSpec r = exact(1, "/a/", PG_VERDICT_ALLOW);
        r.kind = kind;
        EXPECT_EQ(PG_E_RANGE, client(onePolicy(r))) << int(kind);
    }
}

TEST(ValidatePolicy, BadRuleActionIsRangeError)
{
    for (uint8_t a : {uint8_t{PG_VERDICT_NONE}, uint8_t{PG_VERDICT_ASK + 1}}) {
        EXPECT_EQ(PG_E_RANGE, client(onePolicy(exact(1, "/a", a)))) << int(a);
    }
}

TEST(ValidatePolicy, UnknownRuleFlagIsRangeError)
{
    RuleSpec r = exact(1, "/a", PG_VERDICT_ALLOW);
    r.flags = PG_RULEF_ALL + 1u;
    EXPECT_EQ(PG_E_RANGE, client(onePolicy(r)));
}

TEST(ValidatePolicy, MessageLengthPastTheRecordIsLengthError)
{
    // The old reserved field is now message_len/link_len: a value the
    // record size does not account for is a length error.
    Bytes b = onePolicy(exact(1, "/a", PG_VERDICT_ALLOW));
    patch<uint16_t>(b, kRule0 + offsetof(pg_rule, message_len), 9);
    EXPECT_EQ(PG_E_LENGTH, client(b));
}

TEST(ValidatePolicy, NonZeroRecordPaddingIsRangeError)
{
    Bytes b = onePolicy(exact(1, "/ab", PG_VERDICT_ALLOW)); // 24 + 4 -> 32: 4 pad bytes
    b[kRule0 + 31] = 1;
    EXPECT_EQ(PG_E_RANGE, client(b));
}

TEST(ValidatePolicy, EmptyPatternIsRangeError)
{
    Bytes b = onePolicy(exact(1, "/a", PG_VERDICT_ALLOW));
    // pattern_len 1 ("" with its NUL): size stays consistent (24+1 -> 32).
    patch<uint16_t>(b, kRule0 + offsetof(pg_rule, pattern_len), 1);
    b[kRule0 + sizeof(pg_rule)] = 0;
    b[kRule0 + sizeof(pg_rule) + 1] = 0;
    EXPECT_EQ(PG_E_RANGE, client(b));
}

TEST(ValidatePolicy, PatternLongerThanLimitIsRangeError)
{
    RuleSpec r = exact(1, "/" + std::string(PG_MAX_PATTERN_BYTES, 'a'), PG_VERDICT_ALLOW);
    EXPECT_EQ(PG_E_RANGE, client(onePolicy(r)));
    r.pattern = "/" + std::string(PG_MAX_PATTERN_BYTES - 2, 'a');
    EXPECT_EQ(PG_OK, client(onePolicy(r)));
}

TEST(ValidatePolicy, PrefixWithoutTrailingSlashIsRangeError)
{
    EXPECT_EQ(PG_E_RANGE, client(onePolicy(prefix(1, "/usr/bin", PG_VERDICT_ALLOW))));
    EXPECT_EQ(PG_OK, client(onePolicy(prefix(1, "/usr/bin/", PG_VERDICT_ALLOW))));
}

TEST(ValidatePolicy, BadRuleReportsItsIndex)
{
    uint32_t detail = 0;
    Bytes b = policy(
        {exact(1, "/a", PG_VERDICT_ALLOW), exact(2, "/b", PG_VERDICT_ALLOW), exact(3, "/c", 7)});
    EXPECT_EQ(PG_E_RANGE, client(b, &detail));
    EXPECT_EQ(2u, detail);
}

TEST(ValidatePolicy, RuleRecordShorterThanFixedPartIsLengthError)
{
    uint8_t rec[16] = {};
    EXPECT_EQ(PG_E_LENGTH, pg_validate_rule(rec, sizeof(rec), nullptr));
    EXPECT_EQ(PG_E_LENGTH, pg_validate_rule(nullptr, 64, nullptr));
}

TEST(ValidatePolicy, ValidRuleReportsItsSize)
{
    Bytes recs = ruleRecords({exact(1, "/usr/bin/env", PG_VERDICT_ALLOW)});
    uint32_t size = 0;
    ASSERT_EQ(PG_OK, pg_validate_rule(recs.data(), recs.size(), &size));
    EXPECT_EQ(recs.size(), size);
}

// ---- server messages -----------------------------------------------------

TEST(ValidateServer, WellFormedServerMessagesPass)
{
    EXPECT_EQ(PG_OK, server(fromStruct(defaultHelloReply())));
    EXPECT_EQ(PG_OK, server(fromStruct(defaultResult())));
    EXPECT_EQ(PG_OK, server(fromStruct(defaultStatus())));
    EXPECT_EQ(PG_OK,
              server(policy({exact(1, "/a", PG_VERDICT_BLOCK)}, defaultPolicy(PG_MSG_POLICY))));
    EventSpec e = event(PG_EV_START, 1);
    e.image = "/usr/bin/ls";
    e.cmdline = "ls -l";
    EXPECT_EQ(PG_OK, server(events({e, event(PG_EV_EXIT, 2)})));
}

TEST(ValidateServer, HelloReplyWithBadRoleOrPlatformIsRangeError)
{
    pg_hello_reply r = defaultHelloReply();
    r.role = PG_ROLE_RESOLVER + 1;
    EXPECT_EQ(PG_E_RANGE, server(fromStruct(r)));
    r = defaultHelloReply();
    r.role = PG_ROLE_RESOLVER;
    EXPECT_EQ(PG_OK, server(fromStruct(r)));
    r = defaultHelloReply();
    r.platform = 0;
    EXPECT_EQ(PG_E_RANGE, server(fromStruct(r)));
    r = defaultHelloReply();
    r.role = PG_ROLE_NONE; // granted without a role
    EXPECT_EQ(PG_E_RANGE, server(fromStruct(r)));
}

TEST(ValidateServer, RefusedHelloReplyMayCarryAnyVersionAndNoRole)
{
    pg_hello_reply r = defaultHelloReply();
    r.status = PG_E_VERSION;
    r.role = PG_ROLE_NONE;
    r.version = 9;
    r.hdr.version = 9;
    EXPECT_EQ(PG_OK, server(fromStruct(r)));
}

TEST(ValidateServer, GrantedHelloReplyWithUnknownVersionIsVersionError)
{
    pg_hello_reply r = defaultHelloReply();
    r.version = PG_PROTOCOL_VERSION + 1;
    EXPECT_EQ(PG_E_VERSION, server(fromStruct(r)));
}

TEST(ValidateServer, ResultWithUnknownStatusIsRangeError)
{
    pg_result r = defaultResult();
    r.status = PG_STATUS_MAX + 1;
    EXPECT_EQ(PG_E_RANGE, server(fromStruct(r)));
}

TEST(ValidateServer, ResultTextWithoutTerminatorIsStringError)
{
    pg_result r = defaultResult();
    std::memset(r.text, 'a', sizeof(r.text));
    EXPECT_EQ(PG_E_STRING, server(fromStruct(r)));
}

TEST(ValidateServer, StatusWithBadEnumsIsRangeError)
{
    pg_status_msg s = defaultStatus();
    s.mode = 0;
    EXPECT_EQ(PG_E_RANGE, server(fromStruct(s)));
    s = defaultStatus();
    s.platform = 3;
    EXPECT_EQ(PG_E_RANGE, server(fromStruct(s)));
    s = defaultStatus();
    s.held_now = 1;
    s.frozen_now = 2;
    EXPECT_EQ(PG_E_RANGE, server(fromStruct(s)));
}

TEST(ValidateServer, FixedSizeServerMessageWithWrongSizeIsSizeError)
{
    Bytes b = fromStruct(defaultStatus());
    b.resize(b.size() + 8);
    seal(b);
    EXPECT_EQ(PG_E_SIZE, server(b));
}

// ---- events --------------------------------------------------------------

TEST(ValidateEvents, EmptyBatchPasses)
{
    EXPECT_EQ(PG_OK, server(events({})));
}

TEST(ValidateEvents, CountPastEndIsLengthError)
{
    Bytes b = events({event(PG_EV_EXIT, 1)});
    patch<uint32_t>(b, offsetof(pg_events_msg, count), 2);
    EXPECT_EQ(PG_E_LENGTH, server(b));
    patch<uint32_t>(b, offsetof(pg_events_msg, count), 0xFFFFFFFFu);
    EXPECT_EQ(PG_E_LENGTH, server(b));
}

TEST(ValidateEvents, BytesAfterLastEventAreLengthError)
{
    Bytes b = events({event(PG_EV_EXIT, 1), event(PG_EV_EXIT, 2)});
    patch<uint32_t>(b, offsetof(pg_events_msg, count), 1);
    EXPECT_EQ(PG_E_LENGTH, server(b));
}

TEST(ValidateEvents, StringLengthPastRecordIsLengthError)
{
    EventSpec e = event(PG_EV_START, 1);
    e.image = "/bin/true";
    Bytes b = events({e});
    patch<uint16_t>(b, kEvent0 + offsetof(pg_event, image_len), 300);
    EXPECT_EQ(PG_E_LENGTH, server(b));
}

TEST(ValidateEvents, UnterminatedImageIsStringError)
{
    EventSpec e = event(PG_EV_START, 1);
    e.image = "/bin/tru";
    Bytes b = events({e});
    b[kEvent0 + sizeof(pg_event) + e.image.size()] = 'e';
    EXPECT_EQ(PG_E_STRING, server(b));
}

TEST(ValidateEvents, InnerNulInCmdlineIsStringErrorWithIndex)
{
    EventSpec e = event(PG_EV_EXEC, 2);
    e.image = "/bin/sh";
    e.cmdline = "sh -c x";
    Bytes b = events({event(PG_EV_EXIT, 1), e});
    const size_t second = kEvent0 + peek<uint32_t>(b, kEvent0);
    b[second + sizeof(pg_event) + e.image.size() + 1 + 2] = 0;
    uint32_t detail = 0;
    EXPECT_EQ(PG_E_STRING, server(b, &detail));
    EXPECT_EQ(1u, detail);
}

TEST(ValidateEvents, BadKindIsRangeError)
{
    for (uint16_t kind : {uint16_t{0}, uint16_t{PG_EV_KIND_MAX + 1}}) {
        EventSpec e = event(kind, 1);
        EXPECT_EQ(PG_E_RANGE, server(events({e}))) << kind;
    }
}

TEST(ValidateEvents, UnknownEventFlagIsRangeError)
{
    EventSpec e = event(PG_EV_START, 1);
    e.fixed.flags = PG_EVF_ALL + 1u;
    EXPECT_EQ(PG_E_RANGE, server(events({e})));
}

TEST(ValidateEvents, BadModeOrSourceIsRangeError)
{
    EventSpec e = event(PG_EV_START, 1);
    e.fixed.mode = 0;
    EXPECT_EQ(PG_E_RANGE, server(events({e})));
    e = event(PG_EV_START, 1);
    e.fixed.source = PG_SRC_MAX + 1;
    EXPECT_EQ(PG_E_RANGE, server(events({e})));
}

TEST(ValidateEvents, VerdictEventNeedsVerdictAndSource)
{
    EventSpec e = event(PG_EV_VERDICT, 1);
    EXPECT_EQ(PG_E_RANGE, server(events({e})));
    e.fixed.verdict = PG_VERDICT_BLOCK;
    EXPECT_EQ(PG_E_RANGE, server(events({e})));
    e.fixed.source = PG_SRC_RULE;
    EXPECT_EQ(PG_OK, server(events({e})));
}

TEST(ValidateEvents, RequestEventNeedsHoldIdAndDefaultVerdict)
{
    EventSpec e = event(PG_EV_REQUEST, 1);
    e.fixed.default_verdict = PG_VERDICT_BLOCK;
    EXPECT_EQ(PG_E_RANGE, server(events({e})));
    e.fixed.hold_id = 17;
    EXPECT_EQ(PG_OK, server(events({e})));
    e.fixed.default_verdict = PG_VERDICT_NONE;
    EXPECT_EQ(PG_E_RANGE, server(events({e})));
}

TEST(ValidateEvents, NonZeroReservedIsRangeError)
{
    EventSpec e = event(PG_EV_START, 1);
    e.fixed.reserved = 5;
    EXPECT_EQ(PG_E_RANGE, server(events({e})));
    Bytes b = events({event(PG_EV_START, 1)});
    patch<uint32_t>(b, offsetof(pg_events_msg, reserved), 1);
    EXPECT_EQ(PG_E_RANGE, server(b));
}

TEST(ValidateEvents, SidLongerThanLimitIsRangeError)
{
    EventSpec e = event(PG_EV_START, 1);
    e.sid = std::string(PG_MAX_SID_BYTES, 'S');
    EXPECT_EQ(PG_E_RANGE, server(events({e})));
    e.sid.pop_back();
    EXPECT_EQ(PG_OK, server(events({e})));
}

TEST(ValidateEvents, NonZeroPaddingIsRangeError)
{
    EventSpec e = event(PG_EV_START, 1);
    e.image = "/ab"; // 88 + 4 -> 96
    Bytes b = events({e});
    b[kEvent0 + 95] = 1;
    EXPECT_EQ(PG_E_RANGE, server(b));
}

// ---- status names --------------------------------------------------------

TEST(StatusName, EveryStatusHasAShortDistinctName)
{
    for (int s = 0; s <= PG_STATUS_MAX; ++s) {
        const std::string name = pg_status_name(s);
        EXPECT_FALSE(name.empty()) << s;
        EXPECT_LT(name.size(), 40u) << s;
        for (int t = 0; t < s; ++t) {
            EXPECT_NE(name, pg_status_name(t)) << s << " vs " << t;
        }
    }
    EXPECT_STREQ("message size mismatch", pg_status_name(PG_E_SIZE));
    EXPECT_STREQ("unsupported protocol version", pg_status_name(PG_E_VERSION));
}

TEST(StatusName, UnknownStatusIsNeverNull)
{
    ASSERT_NE(nullptr, pg_status_name(-1));
    ASSERT_NE(nullptr, pg_status_name(PG_STATUS_MAX + 1));
    EXPECT_STREQ("unknown status", pg_status_name(1000));
}

// ---- rule kinds, actions and texts added for parents and kiosks ------

TEST(ValidateRuleKinds, Sha256PatternMustBeSixtyFourHexDigits)
{
    const std::string hex(64, 'a');
    EXPECT_EQ(PG_OK, client(onePolicy(sha256(1, hex, PG_VERDICT_BLOCK))));
    EXPECT_EQ(PG_OK, client(onePolicy(sha256(1, std::string(32, 'A') + std::string(32, '9'),
                                             PG_VERDICT_BLOCK))));
    EXPECT_EQ(PG_E_RANGE, client(onePolicy(sha256(1, hex.substr(1), PG_VERDICT_BLOCK))));
    EXPECT_EQ(PG_E_RANGE, client(onePolicy(sha256(1, hex + "a", PG_VERDICT_BLOCK))));
    EXPECT_EQ(PG_E_RANGE,
              client(onePolicy(sha256(1, std::string(63, 'a') + "g", PG_VERDICT_BLOCK))));
    EXPECT_EQ(PG_E_RANGE, client(onePolicy(sha256(1, "/usr/bin/true", PG_VERDICT_BLOCK))));
}

TEST(ValidateRuleKinds, CmdlineAndPackageRulesAreAccepted)
{
    EXPECT_EQ(PG_OK, client(onePolicy(cmdline(1, "*--private*", PG_VERDICT_BLOCK))));
    EXPECT_EQ(PG_OK, client(onePolicy(package(1, "*", PG_VERDICT_ALLOW))));
}

TEST(ValidateRuleKinds, SignerPatternIsATrimmedNameWithoutControlCharacters)
{
    EXPECT_EQ(PG_OK, client(onePolicy(signer(1, "*", PG_VERDICT_ALLOW))));
    EXPECT_EQ(PG_OK, client(onePolicy(signer(1, "Microsoft Corporation", PG_VERDICT_ALLOW))));
    EXPECT_EQ(PG_OK, client(onePolicy(signer(1, "M\xc3\xbcller GmbH / Dev*", PG_VERDICT_ALLOW))));
    EXPECT_EQ(PG_E_RANGE, client(onePolicy(signer(1, " Contoso", PG_VERDICT_ALLOW))));
    EXPECT_EQ(PG_E_RANGE, client(onePolicy(signer(1, "Contoso ", PG_VERDICT_ALLOW))));
    EXPECT_EQ(PG_E_RANGE, client(onePolicy(signer(1, "Con\ttoso", PG_VERDICT_ALLOW))));
    EXPECT_EQ(PG_E_RANGE, client(onePolicy(signer(1, "Contoso\x7f", PG_VERDICT_ALLOW))));
}

TEST(ValidateRuleKinds, AskIsARuleAction)
{
    EXPECT_EQ(PG_OK, client(onePolicy(exact(1, "/a", PG_VERDICT_ASK))));
}

TEST(ValidateRuleKinds, GroupConditionIsAccepted)
{
    EXPECT_EQ(PG_OK, client(onePolicy(forGroup(exact(1, "/a", PG_VERDICT_ALLOW), 100))));
}

TEST(ValidateRuleKinds, UserAndGroupTogetherIsRangeError)
{
    EXPECT_EQ(PG_E_RANGE,
              client(onePolicy(forGroup(forUser(exact(1, "/a", PG_VERDICT_ALLOW), 1000), 100))));
}

TEST(ValidateRuleKinds, MessageAndLinkTravelInTheRecord)
{
    EXPECT_EQ(PG_OK, client(onePolicy(withMessage(exact(1, "/a", PG_VERDICT_BLOCK),
                                                  "Games after homework", "https://x.test/"))));
    EXPECT_EQ(PG_OK, client(onePolicy(withMessage(exact(1, "/a", PG_VERDICT_BLOCK), "m", ""))));
}

TEST(ValidateRuleKinds, MessageLongerThanLimitIsRangeError)
{
    RuleSpec r = withMessage(exact(1, "/a", PG_VERDICT_BLOCK),
                             std::string(PG_MAX_RULE_MESSAGE_BYTES, 'm'), "");
    EXPECT_EQ(PG_E_RANGE, client(onePolicy(r)));
    r.message = std::string(PG_MAX_RULE_MESSAGE_BYTES - 1, 'm');
    EXPECT_EQ(PG_OK, client(onePolicy(r)));
    r.message.clear();
    r.link = std::string(PG_MAX_RULE_LINK_BYTES, 'l');
    EXPECT_EQ(PG_E_RANGE, client(onePolicy(r)));
}

TEST(ValidateRuleKinds, InnerNulInMessageIsStringError)
{
    Bytes b = onePolicy(withMessage(exact(1, "/a", PG_VERDICT_BLOCK), "hello", ""));
    b[kRule0 + sizeof(pg_rule) + 3 + 2] = 0;
    EXPECT_EQ(PG_E_STRING, client(b));
}

TEST(ValidateRuleKinds, EmptyMessageWithOnlyItsNulIsRangeError)
{
    Bytes b = onePolicy(exact(1, "/ab", PG_VERDICT_BLOCK)); // 24 + 4 -> 32, 4 bytes of pad
    patch<uint16_t>(b, kRule0 + offsetof(pg_rule, message_len), 1);
    EXPECT_EQ(PG_E_RANGE, client(b));
}
