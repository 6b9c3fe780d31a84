// ManagedPolicyTest.cpp - the managed layer (app/policy/ManagedPolicy.h):
// one source parsed and rejected whole, several combined, a client's policy
// checked against them, and the policy in force composed.
#include <gtest/gtest.h>

#include "ManagedPolicy.h"
#include "Messages.h"

using namespace pg;
using namespace pg::policy;

namespace
{

ManagedSource parseOk(const std::string &text, const std::string &name = "10-school.json")
{
    ManagedSource s;
    PolicyError e;
    EXPECT_TRUE(parseManagedSource(name, text, &s, &e)) << e.message;
    return s;
}

const char *kSchool = R"({
  "schema": 3, "mode": "lockdown", "default_verdict": "block",
  "local_rules": "block-only",
  "rules": [
    {"id": 1, "kind": "prefix", "action": "allow", "pattern": "/usr/bin/"},
    {"id": 2, "kind": "glob", "action": "block", "pattern": "/home/*/games/**",
     "message": "Not at school."}
  ]
})";

const char *kRulesOnly = R"({
  "schema": 3,
  "rules": [ {"id": 1, "kind": "exact", "action": "block", "pattern": "/usr/bin/nc"} ]
})";

Rule localRule(uint32_t id, Verdict action, const std::string &path)
{
    Rule r;
    r.id = id;
    r.kind = RuleKind::Exact;
    r.action = action;
    r.pattern = path;
    return r;
}

} // namespace

TEST(ManagedPolicyTest, SourceManagesOnlyTheSettingsItNames)
{
    const ManagedSource school = parseOk(kSchool);
    ASSERT_TRUE(school.mode.has_value());
    EXPECT_EQ(Mode::Lockdown, *school.mode);
    EXPECT_EQ(Verdict::Block, school.defaultVerdict.value_or(Verdict::None));
    EXPECT_FALSE(school.timeoutMs.has_value());
    EXPECT_EQ(LocalRules::BlockOnly, school.localRules);
    ASSERT_EQ(2u, school.rules.size());
    EXPECT_TRUE(school.rules[0].managed);

    const ManagedSource rulesOnly = parseOk(kRulesOnly);
    EXPECT_FALSE(rulesOnly.mode.has_value());
    EXPECT_FALSE(rulesOnly.defaultVerdict.has_value());
    EXPECT_EQ(LocalRules::Any, rulesOnly.localRules);
}

TEST(ManagedPolicyTest, BadFieldIsRejectedWithFileAndJsonPointer)
{
    ManagedSource s;
    s.mode = Mode::Monitor;
    PolicyError e;
    const std::string text = R"({"schema": 3, "mode": "lockdown", "rules": [
        {"kind": "exact", "action": "allow", "pattern": "/bin/true"},
        {"kind": "folder", "action": "allow", "pattern": "/opt/"}]})";
    EXPECT_FALSE(parseManagedSource("/etc/procguard/policy.d/20-bad.json", text, &s, &e));
    EXPECT_EQ("/rules/1/kind", e.pointer);
    EXPECT_NE(std::string::npos, e.message.find("/etc/procguard/policy.d/20-bad.json"))
        << e.message;
    EXPECT_NE(std::string::npos, e.message.find("/rules/1/kind")) << e.message;
    EXPECT_EQ(Mode::Monitor, *s.mode); // untouched
}

TEST(ManagedPolicyTest, BadLocalRulesValueIsRejected)
{
    ManagedSource s;
    PolicyError e;
    EXPECT_FALSE(parseManagedSource("x.json", R"({"schema": 3, "local_rules": "some"})", &s, &e));
    EXPECT_EQ("/local_rules", e.pointer);
    EXPECT_NE(std::string::npos, e.message.find("x.json: /local_rules")) << e.message;
}

TEST(ManagedPolicyTest, SyntaxErrorNamesFileLineAndColumn)
{
    ManagedSource s;
    PolicyError e;
    EXPECT_FALSE(parseManagedSource("50-santa.json", "{\"schema\": 3,\n  \"mode\": }", &s, &e));
    EXPECT_EQ(2, e.line);
    EXPECT_NE(std::string::npos, e.message.find("50-santa.json: Syntax error at line 2"))
        << e.message;
}

TEST(ManagedPolicyTest, CombiningTakesTheStrictestSettingsAndTheUnionOfRules)
{
    ManagedSource a = parseOk(R"({"schema": 3, "mode": "prompt", "default_verdict": "allow",
                                  "timeout_ms": 0, "hold_budget_ms": 500,
                                  "rules": [{"kind": "exact", "action": "allow", "pattern": "/a"}]})");
    ManagedSource b = parseOk(R"({"schema": 3, "mode": "lockdown", "default_verdict": "block",
                                  "timeout_ms": 20000, "local_rules": "none",
                                  "rules": [{"kind": "exact", "action": "block", "pattern": "/b"}]})");
    ManagedSource c = parseOk(R"({"schema": 3, "mode": "monitor", "timeout_ms": 10000,
                                  "hold_budget_ms": 2000, "local_rules": "block-only"})");
    const ManagedLayer layer =
        combineManaged({{"10-a.json", a}, {"20-b.json", b}, {"30-c.json", c}});
    EXPECT_EQ(Mode::Lockdown, *layer.mode);
    EXPECT_EQ(Verdict::Block, *layer.defaultVerdict);
    EXPECT_EQ(10000u, *layer.timeoutMs);
    EXPECT_EQ(500u, *layer.holdBudgetMs);
    EXPECT_EQ(LocalRules::None, layer.localRules);
    ASSERT_EQ(2u, layer.rules.size());
    EXPECT_EQ(kManagedIdBase, layer.rules[0].id);
    EXPECT_EQ(kManagedIdBase + 1, layer.rules[1].id);
    EXPECT_EQ("/b", layer.rules[1].pattern);
    EXPECT_EQ(1u, layer.ruleCountOf("20-b.json"));
    EXPECT_EQ(PG_MANF_MODE | PG_MANF_DEFAULT_VERDICT | PG_MANF_TIMEOUT | PG_MANF_HOLD_BUDGET |
                  PG_MANF_LOCAL_NONE,
              layer.flags());
}

TEST(ManagedPolicyTest, NoLimitTimeoutOnlyWhenEveryFileSaysSo)
{
    ManagedSource a = parseOk(R"({"schema": 3, "timeout_ms": 0})");
    EXPECT_EQ(0u, *combineManaged({{"a", a}, {"b", a}}).timeoutMs);
}

TEST(ManagedPolicyTest, ComposedPolicyHasManagedSettingsManagedRulesThenAllowedLocalRules)
{
    const ManagedLayer layer = combineManaged({{"10-school.json", parseOk(kSchool)}});
    Policy local;
    local.mode = Mode::Monitor;
    local.timeoutMs = 12000;
    local.rules = {localRule(1, Verdict::Block, "/usr/bin/steam"),
                   localRule(2, Verdict::Allow, "/opt/game")};
    size_t dropped = 0;
    const Policy p = composeManaged(layer, local, &dropped);
    EXPECT_EQ(Mode::Lockdown, p.mode);
    EXPECT_EQ(Verdict::Block, p.defaultVerdict);
    EXPECT_EQ(12000u, p.timeoutMs); // not managed: the local value
    ASSERT_EQ(3u, p.rules.size());
    EXPECT_TRUE(p.rules[0].managed);
    EXPECT_TRUE(p.rules[1].managed);
    EXPECT_EQ("/usr/bin/steam", p.rules[2].pattern);
    EXPECT_EQ(1u, dropped); // the local allow: block-only
    EXPECT_EQ(1u, localRulesOf(p).size());
}

TEST(ManagedPolicyTest, ClientPolicyMayAddAllowedLocalRulesAndKeepManagedOnes)
{
    const ManagedLayer layer = combineManaged({{"10-school.json", parseOk(kSchool)}});
    Policy proposed = composeManaged(layer, Policy{});
    proposed.rules.push_back(localRule(1, Verdict::Block, "/usr/bin/steam"));
    std::string why;
    EXPECT_TRUE(checkAgainstManaged(layer, proposed, &why)) << why;

    // The same after a trip over the wire (what the daemon checks).
    std::string error;
    const std::vector<uint8_t> bytes = msg::encodeSetPolicy(1, proposed, &error);
    Policy decoded;
    ASSERT_EQ(PG_OK, msg::decodeSetPolicy(bytes, &decoded));
    EXPECT_TRUE(decoded.rules[0].managed);
    EXPECT_TRUE(checkAgainstManaged(layer, decoded, &why)) << why;
}

TEST(ManagedPolicyTest, ClientCannotRemoveChangeOrForgeManagedRules)
{
    const ManagedLayer layer = combineManaged({{"10-school.json", parseOk(kSchool)}});
    const Policy inForce = composeManaged(layer, Policy{});
    std::string why;

    Policy removed = inForce;
    removed.rules.erase(removed.rules.begin() + 1);
    EXPECT_FALSE(checkAgainstManaged(layer, removed, &why));
    EXPECT_EQ("rule 2147483649 is managed (10-school.json); it cannot be removed", why);
    EXPECT_LE(why.size() + 1, size_t{PG_RESULT_TEXT_BYTES});

    Policy changed = inForce;
    changed.rules[1].action = Verdict::Allow;
    EXPECT_FALSE(checkAgainstManaged(layer, changed, &why));
    EXPECT_NE(std::string::npos, why.find("cannot be changed")) << why;

    Policy unmarked = inForce;
    unmarked.rules[0].managed = false;
    EXPECT_FALSE(checkAgainstManaged(layer, unmarked, &why));

    Policy forged = inForce;
    Rule extra = localRule(kManagedIdBase + 7, Verdict::Allow, "/tmp/x");
    extra.managed = true;
    forged.rules.push_back(extra);
    EXPECT_FALSE(checkAgainstManaged(layer, forged, &why));
    EXPECT_NE(std::string::npos, why.find("no managed policy has it")) << why;

    Policy highId = inForce;
    highId.rules.push_back(localRule(kManagedIdBase + 9, Verdict::Block, "/tmp/y"));
    EXPECT_FALSE(checkAgainstManaged(layer, highId, &why));
}

TEST(ManagedPolicyTest, ClientCannotChangeManagedModeOrAddForbiddenLocalRules)
{
    const ManagedLayer layer = combineManaged({{"10-school.json", parseOk(kSchool)}});
    std::string why;
    Policy monitor = composeManaged(layer, Policy{});
    monitor.mode = Mode::Monitor;
    EXPECT_FALSE(checkAgainstManaged(layer, monitor, &why));
    EXPECT_EQ("the mode is managed (lockdown); no client can change it", why);

    Policy allow = composeManaged(layer, Policy{});
    allow.rules.push_back(localRule(3, Verdict::Allow, "/opt/game"));
    EXPECT_FALSE(checkAgainstManaged(layer, allow, &why));
    EXPECT_NE(std::string::npos, why.find("block rules only")) << why;

    const ManagedLayer none =
        combineManaged({{"a.json", parseOk(R"({"schema": 3, "local_rules": "none"})")}});
    Policy any = composeManaged(none, Policy{});
    any.rules.push_back(localRule(1, Verdict::Block, "/x"));
    EXPECT_FALSE(checkAgainstManaged(none, any, &why));
    EXPECT_EQ("the managed policy allows no local rules", why);
}

TEST(ManagedPolicyTest, EmptyLayerAllowsEverything)
{
    const ManagedLayer layer = combineManaged({});
    EXPECT_TRUE(layer.empty());
    Policy p;
    p.mode = Mode::Prompt;
    p.rules = {localRule(1, Verdict::Allow, "/a")};
    std::string why;
    EXPECT_TRUE(checkAgainstManaged(layer, p, &why));
    EXPECT_EQ(1u, composeManaged(layer, p).rules.size());
}

// ---- Windows: the Group Policy values --------------------------------------

TEST(ManagedPolicyTest, GroupPolicyValuesCombineLikeFiles)
{
    GroupPolicyValues v;
    v.policy = R"({"schema": 3, "mode": "prompt",
                   "rules": [{"kind": "prefix", "action": "block", "pattern": "C:/GAMES/"}]})";
    v.mode = "lockdown";
    v.localRules = "block-only";
    ManagedStatus status;
    const ManagedLayer layer = managedFromGroupPolicy(v, &status);
    EXPECT_EQ(Mode::Lockdown, *layer.mode); // the stricter of the two
    EXPECT_EQ(LocalRules::BlockOnly, layer.localRules);
    ASSERT_EQ(1u, layer.rules.size());
    EXPECT_TRUE(status.supported);
    EXPECT_EQ(std::string(kGroupPolicyKey), status.source);
    ASSERT_EQ(1u, status.files.size());
    EXPECT_EQ("Policy", status.files[0].name);
    EXPECT_EQ(1u, status.files[0].ruleCount);
    EXPECT_EQ(0u, status.rejected);
}

TEST(ManagedPolicyTest, BadGroupPolicyValueIsRejectedAndNamed)
{
    GroupPolicyValues v;
    v.policy = R"({"schema": 3, "rules": [{"kind": "dir", "action": "block", "pattern": "x"}]})";
    v.mode = "kiosk";
    v.defaultVerdict = "block";
    ManagedStatus status;
    const ManagedLayer layer = managedFromGroupPolicy(v, &status);
    EXPECT_FALSE(layer.mode.has_value());
    EXPECT_EQ(Verdict::Block, *layer.defaultVerdict); // the good value still applies
    EXPECT_TRUE(layer.rules.empty());
    EXPECT_EQ(2u, status.rejected);
    ASSERT_EQ(2u, status.files.size());
    EXPECT_NE(std::string::npos,
              status.files[0].error.find("HKLM\\SOFTWARE\\Policies\\ProcGuard\\Policy"))
        << status.files[0].error;
    EXPECT_NE(std::string::npos, status.files[0].error.find("/rules/0/kind"))
        << status.files[0].error;
    EXPECT_NE(std::string::npos, status.files[1].error.find("\\Mode: must be monitor"))
        << status.files[1].error;
}

TEST(ManagedPolicyTest, ImposingGroupPolicyReplacesManagedRulesAndRefusesManagedChanges)
{
    GroupPolicyValues v;
    v.policy =
        R"({"schema": 3, "rules": [{"kind": "exact", "action": "block", "pattern": "C:/X.EXE"}]})";
    v.mode = "lockdown";
    v.localRules = "block-only";
    const ManagedLayer layer = managedFromGroupPolicy(v, nullptr);

    // A policy from before the Group Policy refresh: a stale managed rule
    // and a local block rule. The layer's rules take the managed places.
    Policy p;
    p.mode = Mode::Lockdown;
    Rule stale = localRule(kManagedIdBase + 5, Verdict::Block, "C:/OLD.EXE");
    stale.managed = true;
    p.rules = {stale, localRule(1, Verdict::Block, "C:/GAME.EXE")};
    std::string why;
    ASSERT_TRUE(imposeManaged(layer, &p, &why)) << why;
    ASSERT_EQ(2u, p.rules.size());
    EXPECT_EQ("C:/X.EXE", p.rules[0].pattern);
    EXPECT_TRUE(p.rules[0].managed);
    EXPECT_EQ("C:/GAME.EXE", p.rules[1].pattern);

    Policy monitor = p;
    monitor.mode = Mode::Monitor;
    EXPECT_FALSE(imposeManaged(layer, &monitor, &why));
    EXPECT_EQ("the mode is managed (lockdown); no client can change it", why);

    Policy allow = p;
    allow.rules.push_back(localRule(2, Verdict::Allow, "C:/GAME.EXE"));
    EXPECT_FALSE(imposeManaged(layer, &allow, &why));
    EXPECT_NE(std::string::npos, why.find("block rules only")) << why;

    Policy untouched;
    untouched.mode = Mode::Monitor;
    EXPECT_TRUE(imposeManaged(managedFromGroupPolicy({}, nullptr), &untouched, &why));
    EXPECT_EQ(Mode::Monitor, untouched.mode);
}
