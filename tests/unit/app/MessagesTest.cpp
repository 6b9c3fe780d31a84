// MessagesTest.cpp - wire encoding round trips and rejection of malformed
// server messages.
#include <cstddef>
#include <cstring>
#include <gtest/gtest.h>

#include "Messages.h"

using namespace pg;
using namespace pg::msg;

namespace
{

Event sampleEvent(uint64_t seq)
{
    Event e;
    e.kind = EventKind::Request;
    e.flags = PG_EVF_HELD;
    e.seq = seq;
    e.timeNs = 1700000000123456789ull;
    e.holdId = 42 + seq;
    e.pid = 1234;
    e.ppid = 1000;
    e.creatorPid = 999;
    e.uid = 1001;
    e.timeoutMs = 30000;
    e.defaultVerdict = Verdict::Block;
    e.mode = Mode::Prompt;
    e.image = "/usr/bin/curl";
    e.cmdline = "curl -s https://example.org";
    e.parentImage = "/usr/bin/bash";
    return e;
}

Policy samplePolicy()
{
    Policy p;
    p.mode = Mode::Lockdown;
    p.defaultVerdict = Verdict::Block;
    p.timeoutMs = 15000;
    p.holdBudgetMs = 100;
    p.caseFold = true;
    Rule a;
    a.kind = RuleKind::Exact;
    a.action = Verdict::Allow;
    a.pattern = "/usr/bin/ls";
    Rule b;
    b.kind = RuleKind::Glob;
    b.action = Verdict::Block;
    b.pattern = "/tmp/**";
    b.parent = "/usr/bin/*sh";
    b.uid = 1000;
    b.caseFold = true;
    Rule c;
    c.kind = RuleKind::Prefix;
    c.action = Verdict::Allow;
    c.pattern = "/opt/tools/";
    p.rules = {a, b, c};
    return p;
}

// A status the validator accepts (platform and version in range).
Status validStatus()
{
    Status s;
    s.platform = PG_PLATFORM_LINUX;
    s.version = PG_PROTOCOL_VERSION;
    return s;
}

uint32_t sizeField(const std::vector<uint8_t> &b)
{
    uint32_t s;
    std::memcpy(&s, b.data(), sizeof(s));
    return s;
}

} // namespace

TEST(Messages, HelloCarriesVersionRangeFlagsAndName)
{
    Hello h;
    h.flags = PG_HELLO_CONTROL | PG_HELLO_NO_SNAPSHOT;
    h.subscriptions = PG_SUB_THREADS;
    h.name = "procguardctl";
    const auto bytes = encodeHello(7, h);
    ASSERT_EQ(bytes.size(), sizeof(pg_hello));
    Hello back;
    ASSERT_EQ(decodeHello(bytes, &back), PG_OK);
    EXPECT_EQ(back.minVersion, PG_PROTOCOL_MIN_VERSION);
    EXPECT_EQ(back.maxVersion, PG_PROTOCOL_VERSION);
    EXPECT_EQ(back.flags, h.flags);
    EXPECT_EQ(back.subscriptions, h.subscriptions);
    EXPECT_EQ(back.name, "procguardctl");
    Header hdr;
    ASSERT_TRUE(peekHeader(bytes, &hdr));
    EXPECT_EQ(hdr.requestId, 7u);
    EXPECT_EQ(hdr.type, PG_MSG_HELLO);
}

TEST(Messages, OverlongClientNameIsCutToTheFixedField)
{
    Hello h;
    h.name = std::string(100, 'x');
    Hello back;
    ASSERT_EQ(decodeHello(encodeHello(1, h), &back), PG_OK);
    EXPECT_EQ(back.name, std::string(PG_NAME_BYTES - 1, 'x'));
}

TEST(Messages, VerdictsRoundTripInOrder)
{
    std::string error;
    const auto bytes = encodeVerdicts(
        3, {{10, Verdict::Allow}, {11, Verdict::Block}, {12, Verdict::Allow}}, &error);
    ASSERT_FALSE(bytes.empty()) << error;
    EXPECT_EQ(bytes.size(), sizeof(pg_verdicts_msg) + 3 * sizeof(pg_verdict));
    std::vector<VerdictEntry> back;
    ASSERT_EQ(decodeVerdicts(bytes, &back), PG_OK);
    ASSERT_EQ(back.size(), 3u);
    EXPECT_EQ(back[0].holdId, 10u);
    EXPECT_EQ(back[1].verdict, Verdict::Block);
    EXPECT_EQ(back[2].holdId, 12u);
}

TEST(Messages, VerdictBatchRefusesEmptyZeroHoldAndNoneVerdict)
{
    std::string error;
    EXPECT_TRUE(encodeVerdicts(1, {}, &error).empty());
    EXPECT_FALSE(error.empty());
    EXPECT_TRUE(encodeVerdicts(1, {{0, Verdict::Allow}}, &error).empty());
    EXPECT_TRUE(encodeVerdicts(1, {{5, Verdict::None}}, &error).empty());
    std::vector<VerdictEntry> tooMany(PG_MAX_VERDICTS + 1, VerdictEntry{1, Verdict::Allow});
    EXPECT_TRUE(encodeVerdicts(1, tooMany, &error).empty());
}

TEST(Messages, SetPolicyPadsEveryRuleRecordToEightBytes)
{
    std::string error;
    const auto bytes = encodeSetPolicy(9, samplePolicy(), &error);
    ASSERT_FALSE(bytes.empty()) << error;
    EXPECT_EQ(sizeField(bytes), bytes.size());
    EXPECT_EQ(bytes.size() % 8, 0u);
    size_t at = sizeof(pg_policy);
    for (int i = 0; i < 3; ++i) {
        pg_rule rec;
        std::memcpy(&rec, bytes.data() + at, sizeof(rec));
        EXPECT_EQ(rec.size % 8, 0u);
        EXPECT_EQ(rec.size, (sizeof(pg_rule) + rec.pattern_len + rec.parent_len + 7) & ~size_t{7});
        at += rec.size;
    }
    EXPECT_EQ(at, bytes.size());
    Policy back;
    EXPECT_EQ(decodeSetPolicy(bytes, &back), PG_OK);
}

TEST(Messages, RulesWithoutIdsAreNumberedOneToN)
{
    std::string error;
    Policy back;
    ASSERT_EQ(decodeSetPolicy(encodeSetPolicy(1, samplePolicy(), &error), &back), PG_OK);
    ASSERT_EQ(back.rules.size(), 3u);
    EXPECT_EQ(back.rules[0].id, 1u);
    EXPECT_EQ(back.rules[1].id, 2u);
    EXPECT_EQ(back.rules[2].id, 3u);
}

TEST(Messages, ExplicitRuleIdsAreKeptAndNewOnesTakeFreeIds)
{
    std::vector<Rule> rules(4);
    rules[0].id = 2;
    rules[2].id = 3;
    assignRuleIds(rules);
    EXPECT_EQ(rules[0].id, 2u);
    EXPECT_EQ(rules[1].id, 1u);
    EXPECT_EQ(rules[2].id, 3u);
    EXPECT_EQ(rules[3].id, 4u);
}

TEST(Messages, PolicyRoundTripKeepsEveryField)
{
    Policy p = samplePolicy();
    p.generation = 77;
    std::string error;
    const auto bytes = encodePolicy(5, p, &error);
    ASSERT_FALSE(bytes.empty()) << error;
    Policy back;
    ASSERT_EQ(decodePolicy(bytes, &back), PG_OK);
    EXPECT_EQ(back.mode, Mode::Lockdown);
    EXPECT_EQ(back.defaultVerdict, Verdict::Block);
    EXPECT_EQ(back.timeoutMs, 15000u);
    EXPECT_EQ(back.holdBudgetMs, 100u);
    EXPECT_TRUE(back.caseFold);
    EXPECT_EQ(back.generation, 77u);
    ASSERT_EQ(back.rules.size(), 3u);
    EXPECT_EQ(back.rules[1].kind, RuleKind::Glob);
    EXPECT_EQ(back.rules[1].action, Verdict::Block);
    EXPECT_EQ(back.rules[1].pattern, "/tmp/**");
    EXPECT_EQ(back.rules[1].parent, "/usr/bin/*sh");
    ASSERT_TRUE(back.rules[1].uid.has_value());
    EXPECT_EQ(*back.rules[1].uid, 1000u);
    EXPECT_TRUE(back.rules[1].caseFold);
    EXPECT_FALSE(back.rules[0].uid.has_value());
    EXPECT_EQ(back.rules[2].pattern, "/opt/tools/");
}

TEST(Messages, PolicyWithEmptyPatternIsRefusedOnEncode)
{
    Policy p = samplePolicy();
    p.rules[1].pattern.clear();
    std::string error;
    EXPECT_TRUE(encodeSetPolicy(1, p, &error).empty());
    EXPECT_NE(error.find("pattern"), std::string::npos);
}

TEST(Messages, EventsRoundTripKeepsOrderFieldsAndStrings)
{
    std::vector<Event> in = {sampleEvent(1), sampleEvent(2), sampleEvent(3)};
    in[1].kind = EventKind::Verdict;
    in[1].verdict = Verdict::Allow;
    in[1].source = Source::Rule;
    in[1].ruleId = 4;
    in[1].cmdline.clear(); // absent string
    in[2].kind = EventKind::Exit;
    in[2].status = 3;
    const auto bytes = encodeEvents(in);
    EXPECT_EQ(sizeField(bytes), bytes.size());
    std::vector<Event> out;
    ASSERT_EQ(decodeEvents(bytes, &out), PG_OK);
    ASSERT_EQ(out.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(out[i].seq, in[i].seq);
        EXPECT_EQ(out[i].kind, in[i].kind);
        EXPECT_EQ(out[i].holdId, in[i].holdId);
        EXPECT_EQ(out[i].image, in[i].image);
        EXPECT_EQ(out[i].cmdline, in[i].cmdline);
        EXPECT_EQ(out[i].parentImage, in[i].parentImage);
        EXPECT_EQ(out[i].timeNs, in[i].timeNs);
    }
    EXPECT_EQ(out[0].defaultVerdict, Verdict::Block);
    EXPECT_EQ(out[0].timeoutMs, 30000u);
    EXPECT_EQ(out[1].source, Source::Rule);
    EXPECT_EQ(out[1].ruleId, 4u);
    EXPECT_EQ(out[2].status, 3u);
}

TEST(Messages, OverlongCommandLineIsCutAndFlaggedTruncated)
{
    Event e = sampleEvent(1);
    e.cmdline = std::string(PG_MAX_CMDLINE_BYTES + 100, 'a');
    std::vector<Event> out;
    ASSERT_EQ(decodeEvents(encodeEvents({e}), &out), PG_OK);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].cmdline.size(), PG_MAX_CMDLINE_BYTES - 1);
    EXPECT_TRUE(out[0].flags & PG_EVF_TRUNCATED);
}

TEST(Messages, StatusHelloReplyAndResultRoundTrip)
{
    Status s;
    s.mode = Mode::Prompt;
    s.heldNow = 3;
    s.lostEvents = 9;
    s.controllerPid = 4321;
    s.version = 1;
    s.platform = PG_PLATFORM_LINUX;
    Status sb;
    ASSERT_EQ(decodeStatus(encodeStatus(2, s), &sb), PG_OK);
    EXPECT_EQ(sb.mode, Mode::Prompt);
    EXPECT_EQ(sb.heldNow, 3u);
    EXPECT_EQ(sb.lostEvents, 9u);
    EXPECT_EQ(sb.controllerPid, 4321u);

    HelloReply r;
    r.version = 1;
    r.role = Role::Controller;
    r.platform = PG_PLATFORM_LINUX;
    r.serverPid = 55;
    r.nextSeq = 1000;
    r.name = "procguardd 0.1.0";
    HelloReply rb;
    ASSERT_EQ(decodeHelloReply(encodeHelloReply(1, r), &rb), PG_OK);
    EXPECT_EQ(rb.role, Role::Controller);
    EXPECT_EQ(rb.nextSeq, 1000u);
    EXPECT_EQ(rb.name, "procguardd 0.1.0");

    Result res;
    res.status = PG_E_RANGE;
    res.detail = 2;
    res.text = "Rule 2 has an unknown kind.";
    Result resb;
    ASSERT_EQ(decodeResult(encodeResult(4, res), &resb), PG_OK);
    EXPECT_EQ(resb.status, static_cast<uint32_t>(PG_E_RANGE));
    EXPECT_EQ(resb.detail, 2u);
    EXPECT_EQ(resb.text, res.text);
}

TEST(Messages, TruncatedServerMessageIsRejected)
{
    auto bytes = encodeEvents({sampleEvent(1)});
    bytes.resize(bytes.size() - 8);
    std::vector<Event> out = {sampleEvent(9)};
    EXPECT_NE(decodeEvents(bytes, &out), PG_OK);
    ASSERT_EQ(out.size(), 1u); // untouched
    EXPECT_EQ(out[0].seq, 9u);
}

TEST(Messages, EventCountPastTheEndIsRejected)
{
    auto bytes = encodeEvents({sampleEvent(1)});
    const uint32_t count = 2;
    std::memcpy(bytes.data() + offsetof(pg_events_msg, count), &count, sizeof(count));
    std::vector<Event> out;
    EXPECT_NE(decodeEvents(bytes, &out), PG_OK);
    EXPECT_TRUE(out.empty());
}

TEST(Messages, EventStringWithoutTerminatingNulIsRejected)
{
    Event e = sampleEvent(1);
    e.cmdline.clear();
    e.parentImage.clear();
    auto bytes = encodeEvents({e});
    // The image is the first string after the fixed part: overwrite its NUL.
    const size_t nulAt = sizeof(pg_events_msg) + sizeof(pg_event) + e.image.size();
    ASSERT_EQ(bytes[nulAt], 0);
    bytes[nulAt] = 'x';
    std::vector<Event> out;
    EXPECT_NE(decodeEvents(bytes, &out), PG_OK);
}

TEST(Messages, MessageOfAnotherTypeIsRejected)
{
    Status s;
    ASSERT_EQ(decodeStatus(encodeStatus(1, validStatus()), &s), PG_OK);
    Policy p;
    EXPECT_EQ(decodePolicy(encodeStatus(1, validStatus()), &p), PG_E_TYPE);
    // A client-to-server message never passes as a server message.
    Result r;
    EXPECT_NE(decodeResult(encodeGetStatus(1), &r), PG_OK);
}

TEST(Messages, UnsupportedVersionIsRejected)
{
    auto bytes = encodeStatus(1, validStatus());
    const uint16_t version = PG_PROTOCOL_VERSION + 1;
    std::memcpy(bytes.data() + offsetof(pg_msg_header, version), &version, sizeof(version));
    Status s;
    EXPECT_NE(decodeStatus(bytes, &s), PG_OK);
}

TEST(Messages, BufferShorterThanAHeaderIsRejected)
{
    std::vector<uint8_t> bytes(8, 0);
    Header h;
    EXPECT_FALSE(peekHeader(bytes, &h));
    Status s;
    EXPECT_NE(decodeStatus(bytes, &s), PG_OK);
}

TEST(MessagesRuleKinds, NewKindsActionsGroupMessageAndLinkSurviveTheRoundTrip)
{
    Policy p;
    Rule hash;
    hash.kind = RuleKind::Sha256;
    hash.action = Verdict::Block;
    hash.pattern = std::string(64, 'f');
    hash.message = "Ask a parent first";
    hash.link = "https://help.example/games";
    Rule cmd;
    cmd.kind = RuleKind::Cmdline;
    cmd.action = Verdict::Ask;
    cmd.pattern = "* --private-window*";
    cmd.gid = 1001;
    Rule pkg;
    pkg.kind = RuleKind::Package;
    pkg.pattern = "*";
    p.rules = {hash, cmd, pkg};
    std::string error;
    Policy back;
    ASSERT_EQ(decodeSetPolicy(encodeSetPolicy(1, p, &error), &back), PG_OK) << error;
    ASSERT_EQ(back.rules.size(), 3u);
    EXPECT_EQ(back.rules[0].kind, RuleKind::Sha256);
    EXPECT_EQ(back.rules[0].message, "Ask a parent first");
    EXPECT_EQ(back.rules[0].link, "https://help.example/games");
    EXPECT_EQ(back.rules[1].action, Verdict::Ask);
    EXPECT_EQ(back.rules[1].gid, std::optional<uint32_t>(1001));
    EXPECT_FALSE(back.rules[1].uid);
    EXPECT_EQ(back.rules[2].kind, RuleKind::Package);
}

TEST(MessagesRuleKinds, UserAndGroupTogetherCannotBeEncoded)
{
    Policy p;
    Rule r;
    r.pattern = "/a";
    r.uid = 1000;
    r.gid = 100;
    p.rules = {r};
    std::string error;
    EXPECT_TRUE(encodeSetPolicy(1, p, &error).empty());
    EXPECT_NE(error.find("user and a group"), std::string::npos) << error;
}

TEST(MessagesRuleKinds, ActionNamesIncludeAsk)
{
    EXPECT_EQ(actionFromString("ASK"), std::optional<Verdict>(Verdict::Ask));
    EXPECT_EQ(actionFromString("block"), std::optional<Verdict>(Verdict::Block));
    EXPECT_FALSE(verdictFromString("ask")) << "ask is not a verdict (e.g. a default verdict)";
    EXPECT_EQ(ruleKindFromString("sha256"), std::optional<RuleKind>(RuleKind::Sha256));
    EXPECT_STREQ(toString(RuleKind::Cmdline), "cmdline");
}

TEST(Messages, ManagedRuleFlagRoundTrips)
{
    Policy p;
    Rule managed;
    managed.id = 0x80000001u;
    managed.kind = RuleKind::Prefix;
    managed.action = Verdict::Block;
    managed.pattern = "/srv/games/";
    managed.managed = true;
    Rule local = managed;
    local.id = 1;
    local.managed = false;
    p.rules = {managed, local};
    std::string error;
    Policy back;
    ASSERT_EQ(PG_OK, decodeSetPolicy(encodeSetPolicy(1, p, &error), &back));
    ASSERT_EQ(2u, back.rules.size());
    EXPECT_TRUE(back.rules[0].managed);
    EXPECT_FALSE(back.rules[1].managed);
}

TEST(Messages, ManagedStatusRoundTripsWithFilesAndErrors)
{
    ManagedStatus m;
    m.supported = true;
    m.source = "/etc/procguard/policy.d";
    m.flags = PG_MANF_MODE | PG_MANF_LOCAL_BLOCK_ONLY;
    m.ruleCount = 3;
    m.rejected = 1;
    m.changedNs = 1234567890123ull;
    ManagedFile ok;
    ok.name = "10-school.json";
    ok.ruleCount = 3;
    ManagedFile bad;
    bad.name = "20-bad.json";
    bad.state = ManagedFile::State::RejectedNone;
    bad.error = "/etc/procguard/policy.d/20-bad.json: At /rules/1/kind: unknown kind.";
    m.files = {ok, bad};
    const std::vector<uint8_t> bytes = encodeManaged(9, m);
    EXPECT_EQ(0u, bytes.size() % 8);
    ManagedStatus back;
    ASSERT_EQ(PG_OK, decodeManaged(bytes, &back));
    EXPECT_TRUE(back.supported);
    EXPECT_EQ(m.source, back.source);
    EXPECT_EQ(m.flags, back.flags);
    EXPECT_EQ(3u, back.ruleCount);
    EXPECT_EQ(1u, back.rejected);
    EXPECT_EQ(m.changedNs, back.changedNs);
    ASSERT_EQ(2u, back.files.size());
    EXPECT_EQ("10-school.json", back.files[0].name);
    EXPECT_TRUE(back.files[0].error.empty());
    EXPECT_EQ(ManagedFile::State::RejectedNone, back.files[1].state);
    EXPECT_EQ(bad.error, back.files[1].error);
}

TEST(Messages, ManagedMessageWithBadRecordsIsRefused)
{
    ManagedStatus m;
    ManagedFile f;
    f.name = "a.json";
    m.files = {f};
    std::vector<uint8_t> bytes = encodeManaged(1, m);
    ManagedStatus back;
    // Both "block-only" and "none": a contradiction.
    std::vector<uint8_t> both = bytes;
    const uint32_t flags = PG_MANF_LOCAL_BLOCK_ONLY | PG_MANF_LOCAL_NONE;
    std::memcpy(both.data() + offsetof(pg_managed_msg, flags), &flags, sizeof flags);
    EXPECT_EQ(PG_E_RANGE, decodeManaged(both, &back));
    // A file count past the end.
    std::vector<uint8_t> count = bytes;
    const uint32_t two = 2;
    std::memcpy(count.data() + offsetof(pg_managed_msg, file_count), &two, sizeof two);
    EXPECT_NE(PG_OK, decodeManaged(count, &back));
    // A name without its NUL.
    std::vector<uint8_t> str = bytes;
    str[sizeof(pg_managed_msg) + sizeof(pg_managed_file) + 5] = 'x';
    str[sizeof(pg_managed_msg) + sizeof(pg_managed_file) + 6] = 'x';
    EXPECT_EQ(PG_E_STRING, decodeManaged(str, &back));
    EXPECT_FALSE(back.supported);
}
