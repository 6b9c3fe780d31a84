// RuleExplainer.cpp - the core's matcher with its needs loop (see RuleExplainer.h).
#include "RuleExplainer.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "Messages.h"

#include "pg_rules.h"
#include "pg_schedule.h"

namespace pg
{

namespace
{

std::string kindPhrase(const Rule &r)
{
    switch (r.kind) {
    case RuleKind::Exact:
        return "the path is exactly " + r.pattern;
    case RuleKind::Glob:
        return "the path matches the pattern " + r.pattern;
    case RuleKind::Prefix:
        return "the program is in the folder " + r.pattern +
               " (the longest matching folder rule wins)";
    case RuleKind::Sha256:
        return "the file's SHA-256 is " + r.pattern + ", wherever the file lives";
    case RuleKind::Cmdline:
        return "the command line matches " + r.pattern;
    case RuleKind::Package:
        return "a package matching " + r.pattern + " installed the file and it is unmodified";
    case RuleKind::Signer:
        return "the file is signed by a publisher matching " + r.pattern +
               " whom the system trusts";
    }
    return {};
}

std::string conditionPhrase(const Rule &r)
{
    std::string s;
    if (r.uid)
        s += ", for user id " + std::to_string(*r.uid);
    if (r.gid)
        s += ", for members of group id " + std::to_string(*r.gid);
    if (!r.parent.empty())
        s += ", when started by a program matching " + r.parent;
    if (r.caseFold)
        s += " (letter case ignored)";
    return s;
}

std::string missingPhrase(uint32_t missing)
{
    std::string s;
    const auto add = [&s](const char *what) { s += (s.empty() ? "" : ", ") + std::string(what); };
    if (missing & PG_FACT_CMDLINE)
        add("the command line (give one to test it)");
    if (missing & PG_FACT_SHA256)
        add("the file's SHA-256");
    if (missing & PG_FACT_PACKAGE)
        add("whether a package installed the file unmodified (the component checks it)");
    if (missing & PG_FACT_SIGNER)
        add("the file's trusted signer (checked on Windows)");
    return s;
}

std::string noRulePhrase(Mode mode)
{
    switch (mode) {
    case Mode::Monitor:
        return "No rule matches: in monitor mode it runs (and is logged).";
    case Mode::Prompt:
        return "No rule matches: in prompt mode a person is asked.";
    case Mode::Lockdown:
        return "No rule matches: in lockdown mode it is blocked.";
    }
    return "No rule matches.";
}

} // namespace

namespace
{

// Does rule (its time conditions left out) match in on its own?
bool matchesAlone(const Rule &rule, bool policyCaseFold, const pg_match_input &in)
{
    Policy one;
    one.rules = {rule};
    one.rules[0].id = 0;
    one.rules[0].time = RuleTime();
    std::string error;
    const std::vector<uint8_t> bytes = msg::encodeSetPolicy(1, one, &error);
    if (bytes.empty())
        return false;
    const uint8_t *record = bytes.data() + sizeof(pg_policy);
    const size_t len = bytes.size() - sizeof(pg_policy);
    std::vector<uint64_t> arena(
        (pg_rule_cache_arena_size(record, len, 1) + sizeof(uint64_t) - 1) / sizeof(uint64_t) + 1);
    pg_rule_cache cache;
    if (pg_rule_cache_build(&cache, arena.data(), arena.size() * sizeof(uint64_t), record, len, 1,
                            policyCaseFold ? PG_POLF_CASE_FOLD : 0u) != PG_OK)
        return false;
    pg_match_result res{};
    return pg_rule_cache_match(&cache, &in, &res) == 1;
}

} // namespace

Explanation explainRules(const std::vector<Rule> &allRules, bool policyCaseFold, Mode mode,
                         const ExplainQuery &query, const ExplainFacts &facts)
{
    Explanation ex;
    // Encode exactly as the panel sends the policy; ids only for the wire.
    Policy policy;
    policy.caseFold = policyCaseFold;
    policy.rules = allRules;
    for (Rule &r : policy.rules)
        r.id = 0;
    std::string error;
    std::vector<uint8_t> bytes = msg::encodeSetPolicy(1, policy, &error);
    if (bytes.empty()) {
        ex.error = error;
        return ex;
    }
    // At a given moment only the rules in force take part; position[i] is
    // the place in allRules of the i-th rule compiled.
    std::vector<size_t> position;
    std::vector<size_t> asleep;
    if (query.atUtc) {
        const pg_tz tz{query.utcOffset, 0, nullptr};
        pg_time_context tc{};
        tc.now = *query.atUtc;
        tc.tz = &tz;
        if (query.bootId.size() == PG_BOOT_ID_BYTES)
            tc.boot_id = query.bootId.data();
        size_t off = sizeof(pg_policy);
        for (size_t i = 0; i < allRules.size(); ++i) {
            pg_rule rec;
            std::memcpy(&rec, bytes.data() + off, sizeof rec);
            if (pg_rule_state_at(bytes.data() + off, &tc) == PG_RULE_ACTIVE)
                position.push_back(i);
            else
                asleep.push_back(i);
            off += rec.size;
        }
        if (!asleep.empty()) {
            policy.rules.clear();
            for (size_t i : position)
                policy.rules.push_back(allRules[i]);
            for (Rule &r : policy.rules)
                r.id = 0;
            bytes = msg::encodeSetPolicy(1, policy, &error);
            if (bytes.empty()) {
                ex.error = error;
                return ex;
            }
        }
    } else {
        for (size_t i = 0; i < allRules.size(); ++i)
            position.push_back(i);
    }
    const std::vector<Rule> &rules = policy.rules;
    const uint8_t *records = bytes.data() + sizeof(pg_policy);
    const size_t recordsLen = bytes.size() - sizeof(pg_policy);
    const auto count = static_cast<uint32_t>(rules.size());
    std::vector<uint64_t> arena(
        (pg_rule_cache_arena_size(records, recordsLen, count) + sizeof(uint64_t) - 1) /
            sizeof(uint64_t) +
        1);
    pg_rule_cache cache;
    uint32_t bad = 0;
    const int built =
        pg_rule_cache_build_ex(&cache, arena.data(), arena.size() * sizeof(uint64_t), records,
                               recordsLen, count, policyCaseFold ? PG_POLF_CASE_FOLD : 0u, &bad);
    if (built != PG_OK) {
        ex.error = "Rule " + std::to_string(bad + 1) +
                   " cannot be compiled by the kernel component (status " + std::to_string(built) +
                   ").";
        return ex;
    }

    pg_match_input in{};
    in.image = query.image.data();
    in.image_len = query.image.size();
    if (!query.parentImage.empty()) {
        in.parent_image = query.parentImage.data();
        in.parent_len = query.parentImage.size();
    }
    in.uid = query.uid;
    in.gids = query.gids.empty() ? nullptr : query.gids.data();
    in.gid_count = query.gids.size();
    if (query.cmdline) {
        in.known |= PG_FACT_CMDLINE;
        in.cmdline = query.cmdline->data();
        in.cmdline_len = query.cmdline->size();
    }
    std::string package;
    pg_match_result res{};
    // Each pass can only add facts (at most three), so this ends.
    for (int pass = 0; pass < 4; ++pass) {
        pg_rule_cache_match(&cache, &in, &res);
        const uint32_t wanted = res.needs & ~in.known;
        uint32_t gained = 0;
        if (wanted & PG_FACT_SHA256) {
            const decltype(facts.sha256) hash =
                facts.sha256 ? facts.sha256 : decltype(facts.sha256)(sha256OfFile);
            std::string why;
            if (hash(query.image, &ex.sha256, &why)) {
                in.sha256_hex = ex.sha256.c_str();
                gained |= PG_FACT_SHA256;
            } else {
                ex.error = why;
            }
        }
        if ((wanted & PG_FACT_PACKAGE) && facts.package) {
            std::string why;
            if (facts.package(query.image, &package, &why)) {
                in.package = package.empty() ? nullptr : package.c_str();
                in.package_len = package.size();
                gained |= PG_FACT_PACKAGE;
            } else if (ex.error.empty()) {
                ex.error = why;
            }
        }
        if (gained == 0)
            break;
        in.known |= gained;
    }

    ex.ok = true;
    ex.missing = res.needs & ~in.known;
    ex.final = ex.missing == 0;
    ex.matched = res.action != PG_VERDICT_NONE;
    if (ex.matched) {
        ex.index = position[res.index];
        ex.action = static_cast<Verdict>(res.action);
        ex.kind = static_cast<RuleKind>(res.kind);
        const Rule &r = allRules[ex.index];
        ex.text = "Rule " + std::to_string(ex.index + 1) + " decides: " + toString(ex.action) +
                  ", because " + kindPhrase(r) + conditionPhrase(r) + ".";
        if (ex.action == Verdict::Ask)
            ex.text += " A person is asked (without a panel: the default verdict).";
        if (ex.action == Verdict::Block && !r.message.empty())
            ex.text += " The person is told: \"" + r.message + "\"";
    } else {
        ex.text = noRulePhrase(mode);
    }
    for (size_t i : asleep) {
        if (!matchesAlone(allRules[i], policyCaseFold, in))
            continue;
        ex.dormant.push_back(i);
        ex.text += " Rule " + std::to_string(i + 1) + " would " + toString(allRules[i].action) +
                   ", but it is not in force at this time (outside its schedule, or expired).";
    }
    if (!ex.sha256.empty())
        ex.text += " SHA-256 of the file: " + ex.sha256 + ".";
    if (!ex.final)
        ex.text += " Not final: a rule that ranks higher could still apply, depending on " +
                   missingPhrase(ex.missing) + ".";
    if (!ex.error.empty())
        ex.text += " " + ex.error;
    return ex;
}

} // namespace pg
