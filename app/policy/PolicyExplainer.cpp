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
    return out;
}

bool explainStart(const Policy &policy, const StartFacts &facts, const HashImage &hashImage,
                  Explanation *out, std::string *error)
{
    Compiled c;
    if (!compile(policy, &c, error))
        return false;
    const uint32_t policyFlags = policy.caseFold ? PG_POLF_CASE_FOLD : 0u;

    Explanation e;
    e.mode = policy.mode;
    e.defaultVerdict = policy.defaultVerdict;

    std::string sha = facts.sha256.value_or("");
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
            in.package = facts.package->data();
            in.package_len = facts.package->size();
        }
    }

    // The facts loop of pg_rules.h: match, fetch what is missing and can be
    // fetched here (only the digest), match again.
    pg_match_result res;
    int matched = 0;
    bool hashTried = false;
    for (;;) {
        matched = pg_rule_cache_match(&c.cache, &in, &res);
        if ((res.needs & PG_FACT_SHA256) != 0 && !hashTried && hashImage) {
            hashTried = true;
            std::string why;
            if (hashImage(facts.image, &sha, &why)) {
                in.known |= PG_FACT_SHA256;
                in.sha256_hex = sha.c_str();
                continue;
            }
            e.notes.push_back("A SHA-256 rule could decide, but the digest is unknown: " + why);
        }
        break;
    }
    e.missingFacts = res.needs;
    if (in.known & PG_FACT_SHA256)
        e.sha256 = sha;
    if (res.needs & PG_FACT_CMDLINE)
        e.notes.push_back("A command-line rule could decide; give the command line (--cmdline).");
    if (res.needs & PG_FACT_PACKAGE)
        e.notes.push_back(
            "A package rule could decide; give the owning package (--package), if any.");

    if (matched == 1) {
        e.index = res.index;
        e.rule = policy.rules[res.index];
        for (size_t i = 0; i < policy.rules.size(); ++i)
            if (i != res.index && ruleMatches(c, i, policyFlags, in))
                e.outranked.push_back(compare(e.rule, res.index, policy.rules[i], i));
    }

    // What the mode makes of it (DESIGN.md §3; pg_protocol.h PG_VERDICT_ASK).
    const Verdict ruleAction = e.index ? e.rule.action : Verdict::None;
    std::string why = e.index ? ruleName(e.rule, *e.index) + " decides"
                              : std::string("no rule matches, so the mode decides");
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
