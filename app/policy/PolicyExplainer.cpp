// PolicyExplainer.cpp - the core's matcher, run over one policy and one
// set of facts, plus the reasons a person needs. The deciding rule always
// comes from the full rule cache (the component's own answer); the other
// matching rules come from one-rule caches over the same records, so
// "matches" means exactly what it means to the component.
#include "PolicyExplainer.h"

#include <algorithm>
#include <cstring>

#include "Messages.h"
#include "pg_rules.h"
#include "pg_schedule.h"

namespace pg
{
namespace policy
{

namespace
{

struct Compiled {
    std::vector<uint8_t> bytes; // the encoded SET_POLICY; records follow pg_policy
    std::vector<uint8_t> arena;
    pg_rule_cache cache{};
    std::vector<size_t> recordOffsets;
};

bool compile(const Policy &policy, Compiled *c, std::string *error)
{
    c->bytes = msg::encodeSetPolicy(1, policy, error);
    if (c->bytes.empty())
        return false;
    const size_t off = sizeof(pg_policy);
    const uint8_t *records = c->bytes.data() + off;
    const size_t len = c->bytes.size() - off;
    const uint32_t count = static_cast<uint32_t>(policy.rules.size());
    c->arena.resize(std::max<size_t>(1, pg_rule_cache_arena_size(records, len, count)));
    uint32_t detail = 0;
    const int rc = pg_rule_cache_build_ex(&c->cache, c->arena.data(), c->arena.size(), records, len,
                                          count, policy.caseFold ? PG_POLF_CASE_FOLD : 0u, &detail);
    if (rc != PG_OK) {
        *error = "The policy cannot be compiled: rule " + std::to_string(detail + 1) +
                 " is refused (code " + std::to_string(rc) + ").";
        return false;
    }
    size_t pos = off;
    for (uint32_t i = 0; i < count; ++i) {
        c->recordOffsets.push_back(pos);
        pg_rule rec;
        std::memcpy(&rec, c->bytes.data() + pos, sizeof rec);
        pos += rec.size;
    }
    return true;
}

// Does the one rule at record offset match (under policy flags)?
bool ruleMatches(const Compiled &c, size_t index, uint32_t policyFlags, const pg_match_input &in)
{
    const size_t pos = c.recordOffsets[index];
    pg_rule rec;
    std::memcpy(&rec, c.bytes.data() + pos, sizeof rec);
    const uint8_t *record = c.bytes.data() + pos;
    std::vector<uint8_t> arena(std::max<size_t>(1, pg_rule_cache_arena_size(record, rec.size, 1)));
    pg_rule_cache one;
    if (pg_rule_cache_build(&one, arena.data(), arena.size(), record, rec.size, 1, policyFlags) !=
        PG_OK)
        return false;
    pg_match_result r;
    return pg_rule_cache_match(&one, &in, &r) == 1;
}

bool conditional(const Rule &r)
{
    return r.uid.has_value() || r.gid.has_value() || !r.parent.empty();
}

int actionRank(Verdict v)
{
    switch (v) {
    case Verdict::Block:
        return 0;
    case Verdict::Ask:
        return 1;
    default:
        return 2;
    }
}

// Why winner (at wi) comes before other (at oi): the first step of
// pg_rules.h's order on which they differ.
OutrankedRule compare(const Rule &winner, size_t wi, const Rule &other, size_t oi)
{
    OutrankedRule o;
    o.index = oi;
    o.rule = other;
    const int wk = pg_rule_kind_rank(static_cast<uint32_t>(winner.kind));
    const int ok = pg_rule_kind_rank(static_cast<uint32_t>(other.kind));
    if (wk != ok) {
        o.step = PrecedenceStep::Kind;
        o.reason = std::string("a ") + toString(winner.kind) + " rule comes before a " +
                   toString(other.kind) + " rule (more specific kinds first)";
    } else if (winner.kind == RuleKind::Prefix && winner.pattern.size() != other.pattern.size()) {
        o.step = PrecedenceStep::PrefixLength;
        o.reason = "the longer prefix comes first";
    } else if (conditional(winner) != conditional(other)) {
        o.step = PrecedenceStep::Conditions;
        o.reason = "a rule with a user, group or parent condition comes before one without";
    } else if (actionRank(winner.action) != actionRank(other.action)) {
        o.step = PrecedenceStep::Action;
        o.reason = std::string("at the same level ") + toString(winner.action) + " comes before " +
                   toString(other.action) + " (block, then ask, then allow)";
    } else {
        o.step = PrecedenceStep::PolicyOrder;
        o.reason = "it comes earlier in the policy (rule " + std::to_string(wi + 1) +
                   " before rule " + std::to_string(oi + 1) + ")";
    }
    return o;
}

std::string ruleName(const Rule &r, size_t index)
{
    return "rule " + (r.id != 0 ? std::to_string(r.id) : "#" + std::to_string(index + 1)) + " (" +
           toString(r.action) + " " + toString(r.kind) + " " + r.pattern + ")";
}

std::string capitalised(std::string s)
{
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z')
        s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s;
}

// "Sat 2026-11-21 10:00" in local time.
std::string localMoment(int64_t utc, const UtcOffset &offset)
{
    const int64_t local = utc + (offset ? offset(utc) : 0);
    return capitalised(dayName(pg_local_weekday(local))) + " " +
           formatLocalTime(utc, offset ? offset : UtcOffset([](int64_t) { return 0; }));
}

// Why a matching rule does not take part at time t.
std::string dormantReason(const Rule &r, size_t index, DormantRule::State state, const TimeFacts &t)
{
    const UtcOffset offset = t.offset ? t.offset : UtcOffset([](int64_t) { return 0; });
    std::string s = ruleName(r, index) + " would " + toString(r.action) + ", but ";
    if (state == DormantRule::State::OffSchedule)
        return s + "only " + describeSchedule(r.time) + "; now (" + localMoment(t.now, offset) +
               ") is outside its schedule";
    if (r.time.expiry == Expiry::At)
        return s + "it expired at " + formatLocalTime(r.time.expiresAt, offset);
    return s + "it was only until a reboot, and the machine has restarted since";
}

// What a person should know about the deciding rule's time conditions.
void timeNotes(const Rule &r, size_t index, const UtcOffset &offset,
               std::vector<std::string> *notes)
{
    const std::string name = capitalised(ruleName(r, index));
    const std::string schedule = describeSchedule(r.time);
    if (!schedule.empty())
        notes->push_back(name + " is in force only " + schedule +
                         "; at other times the answer may differ.");
    if (r.time.budgetSeconds != 0)
        notes->push_back(name + " has a daily budget of " + formatDuration(r.time.budgetSeconds) +
                         "; once today's is used up it blocks (the component keeps the count).");
    switch (r.time.expiry) {
    case Expiry::Once:
        notes->push_back(name + " is used up by the first start it decides.");
        break;
    case Expiry::At:
        notes->push_back(name + " expires at " + formatLocalTime(r.time.expiresAt, offset) + ".");
        break;
    case Expiry::Reboot:
        notes->push_back(name + " lasts until the next reboot.");
        break;
    case Expiry::Never:
        break;
    }
}

} // namespace

const char *toString(PrecedenceStep step)
{
    switch (step) {
    case PrecedenceStep::Kind:
        return "kind";
    case PrecedenceStep::PrefixLength:
        return "prefix-length";
    case PrecedenceStep::Conditions:
        return "conditions";
    case PrecedenceStep::Action:
        return "action";
    case PrecedenceStep::PolicyOrder:
        return "policy-order";
    }
    return "unknown";
}

std::vector<std::string> factNames(uint32_t facts)
{
    std::vector<std::string> out;
    if (facts & PG_FACT_CMDLINE)
        out.push_back("cmdline");
    if (facts & PG_FACT_SHA256)
        out.push_back("sha256");
    if (facts & PG_FACT_PACKAGE)
        out.push_back("package");
    if (facts & PG_FACT_SIGNER)
        out.push_back("signer");
    return out;
}

bool explainStart(const Policy &policy, const StartFacts &facts, const HashImage &hashImage,
                  Explanation *out, std::string *error)
{
    ExplainEnvironment env;
    env.hashImage = hashImage;
    return explainStart(policy, facts, env, out, error);
}

bool explainStart(const Policy &policy, const StartFacts &facts, const ExplainEnvironment &env,
                  Explanation *out, std::string *error)
{
    const uint32_t policyFlags = policy.caseFold ? PG_POLF_CASE_FOLD : 0u;

    // Which rules are in force at env.time, by the core's own test.
    std::vector<size_t> inForce; // positions in policy of the rules that take part
    std::vector<std::pair<size_t, DormantRule::State>> asleep;
    {
        Compiled all;
        if (!compile(policy, &all, error))
            return false;
        pg_tz tz{0, 0, nullptr};
        pg_time_context tc;
        std::memset(&tc, 0, sizeof tc);
        if (env.time) {
            tz.offset_s = env.time->offset ? env.time->offset(env.time->now) : 0;
            tc.now = env.time->now;
            tc.tz = &tz;
            if (env.time->bootId.size() == PG_BOOT_ID_BYTES)
                tc.boot_id = env.time->bootId.data();
        }
        for (size_t i = 0; i < policy.rules.size(); ++i) {
            const int state = env.time
                                  ? pg_rule_state_at(all.bytes.data() + all.recordOffsets[i], &tc)
                                  : PG_RULE_ACTIVE;
            if (state == PG_RULE_ACTIVE)
                inForce.push_back(i);
            else
                asleep.emplace_back(i, state == PG_RULE_EXPIRED ? DormantRule::State::Expired
                                                                : DormantRule::State::OffSchedule);
        }
    }
    Policy active = policy;
    active.rules.clear();
    for (size_t i : inForce)
        active.rules.push_back(policy.rules[i]);
    Compiled c;
    if (!compile(active, &c, error))
        return false;

    Explanation e;
    e.mode = policy.mode;
    e.defaultVerdict = policy.defaultVerdict;
    if (env.time)
        e.at = env.time->now;

    std::string sha = facts.sha256.value_or("");
    std::string package = facts.package.value_or("");
    pg_match_input in;
    std::memset(&in, 0, sizeof in);
    in.image = facts.image.data();
    in.image_len = facts.image.size();
    if (facts.parentImage) {
        in.parent_image = facts.parentImage->data();
        in.parent_len = facts.parentImage->size();
    }
    in.uid = facts.uid;
    in.gids = facts.gids.empty() ? nullptr : facts.gids.data();
    in.gid_count = facts.gids.size();
    if (facts.cmdline) {
        in.known |= PG_FACT_CMDLINE;
        in.cmdline = facts.cmdline->data();
        in.cmdline_len = facts.cmdline->size();
    }
    if (facts.sha256) {
        in.known |= PG_FACT_SHA256;
        in.sha256_hex = sha.c_str();
    }
    if (facts.packageKnown) {
        in.known |= PG_FACT_PACKAGE;
        if (facts.package) {
            in.package = package.data();
            in.package_len = package.size();
        }
    }

    // The facts loop of pg_rules.h: match, fetch what is missing and can be
    // fetched here (the digest; the package with packageOf), match again.
    bool hashTried = false, packageTried = false;
    auto matchWithFacts = [&](const pg_rule_cache &cache, pg_match_result *res) {
        for (;;) {
            const int matched = pg_rule_cache_match(&cache, &in, res);
            if ((res->needs & PG_FACT_SHA256) != 0 && !hashTried && env.hashImage) {
                hashTried = true;
                std::string why;
                if (env.hashImage(facts.image, &sha, &why)) {
                    in.known |= PG_FACT_SHA256;
                    in.sha256_hex = sha.c_str();
                    continue;
                }
                e.notes.push_back("A SHA-256 rule could decide, but the digest is unknown: " + why);
            }
            if ((res->needs & PG_FACT_PACKAGE) != 0 && !packageTried && env.packageOf) {
                packageTried = true;
                std::optional<std::string> owner;
                std::string note, why;
                if (env.packageOf(facts.image, &owner, &note, &why)) {
                    in.known |= PG_FACT_PACKAGE;
                    if (owner) {
                        package = *owner;
                        e.package = package;
                        in.package = package.data();
                        in.package_len = package.size();
                    }
                    e.notes.push_back(owner ? "Installed unmodified by the package " + *owner + "."
                                      : note.empty()
                                          ? std::string("No package installed ") + facts.image + "."
                                          : note);
                    continue;
                }
                e.notes.push_back("A package rule could decide, but the owning package is "
                                  "unknown: " +
                                  why);
            }
            return matched;
        }
    };
    pg_match_result res;
    const int matched = matchWithFacts(c.cache, &res);
    e.missingFacts = res.needs;
    if (res.needs & PG_FACT_CMDLINE)
        e.notes.push_back("A command-line rule could decide; give the command line (--cmdline).");
    if (res.needs & PG_FACT_PACKAGE)
        e.notes.push_back(
            "A package rule could decide; give the owning package (--package), if any.");

    if (matched == 1) {
        const size_t wi = inForce[res.index];
        e.index = wi;
        e.rule = policy.rules[wi];
        for (size_t i = 0; i < active.rules.size(); ++i)
            if (i != res.index && ruleMatches(c, i, policyFlags, in))
                e.outranked.push_back(compare(e.rule, wi, active.rules[i], inForce[i]));
        timeNotes(e.rule, wi, env.time ? env.time->offset : UtcOffset(), &e.notes);
    }

    // Rules that match but sleep now: the same policy without time
    // conditions says which match and which one would decide.
    if (!asleep.empty()) {
        Policy timeless = policy;
        for (Rule &r : timeless.rules)
            r.time = RuleTime();
        Compiled t;
        if (!compile(timeless, &t, error))
            return false;
        pg_match_result all;
        const int anyMatch = matchWithFacts(t.cache, &all);
        for (const auto &a : asleep) {
            if (!ruleMatches(t, a.first, policyFlags, in))
                continue;
            DormantRule d;
            d.index = a.first;
            d.rule = policy.rules[a.first];
            d.state = a.second;
            d.wouldDecide = anyMatch == 1 && all.index == a.first;
            d.reason = dormantReason(d.rule, d.index, d.state, *env.time);
            e.dormant.push_back(d);
        }
    }
    if (in.known & PG_FACT_SHA256)
        e.sha256 = sha;

    // What the mode makes of it (DESIGN.md §3; pg_protocol.h PG_VERDICT_ASK).
    const Verdict ruleAction = e.index ? e.rule.action : Verdict::None;
    std::string why = e.index ? ruleName(e.rule, *e.index) + " decides"
                              : std::string("no rule matches, so the mode decides");
    if (!e.index && !e.dormant.empty())
        why = "no rule in force matches, so the mode decides";
    switch (policy.mode) {
    case Mode::Monitor:
        e.outcome = Verdict::Allow;
        e.wouldBlock = ruleAction == Verdict::Block || ruleAction == Verdict::None;
        e.summary = "Allowed: monitor mode never blocks (" + why + ")" +
                    (e.wouldBlock ? "; lockdown would have blocked it." : ".");
        break;
    case Mode::Prompt:
    case Mode::Lockdown:
        if (ruleAction == Verdict::Allow || ruleAction == Verdict::Block) {
            e.outcome = ruleAction;
            e.summary = std::string(ruleAction == Verdict::Allow ? "Allowed" : "Blocked") + ": " +
                        why + ".";
        } else if (ruleAction == Verdict::Ask || policy.mode == Mode::Prompt) {
            e.outcome = Verdict::Ask;
            e.summary = std::string("Held for the controlling client to answer: ") + why +
                        " (without a client, or without an answer in time: " +
                        toString(policy.defaultVerdict) + ").";
        } else {
            e.outcome = Verdict::Block;
            e.summary = "Blocked: " + why + " and lockdown blocks what no rule allows.";
        }
        break;
    }
    for (const DormantRule &d : e.dormant)
        if (d.wouldDecide)
            e.summary = capitalised(d.reason) + ". Instead - " + e.summary;
    if (e.missingFacts != 0)
        e.summary += " Provisional: unknown " + [&] {
            std::string s;
            for (const std::string &n : factNames(e.missingFacts))
                s += (s.empty() ? "" : ", ") + n;
            return s;
        }() + " could change it.";
    *out = std::move(e);
    return true;
}

} // namespace policy
} // namespace pg
