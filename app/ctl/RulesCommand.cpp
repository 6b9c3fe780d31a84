// RulesCommand.cpp - `procguardctl rules list|add|remove`.
//
// Changes are read-modify-write of the whole policy (GET_POLICY, edit,
// SET_POLICY), which needs the controlling role: while a panel or an
// `approve` session controls the component, they fail with "Another client
// already controls procguardd."
#include <algorithm>
#include <cstdlib>
#include <iomanip>

#include "Commands.h"
#include "ExitCodes.h"
#include "Format.h"
#include "Messages.h"

namespace pg
{
namespace ctl
{

namespace
{

bool allDigits(const std::string &s)
{
    if (s.empty())
        return false;
    for (char c : s)
        if (c < '0' || c > '9')
            return false;
    return true;
}

} // namespace

int runRulesList(const Options &o, Context &ctx)
{
    Session s;
    if (int rc = openSession(o, ctx, false, false, nullptr, &s))
        return rc;
    Policy policy;
    if (Error e = s.link->getPolicy(&policy, ctx.requestTimeout))
        return fail(ctx, e);
    s.link->close();
    std::ostream &out = *ctx.out;
    if (o.json) {
        out << toJson(policy).dump(2) << '\n';
        return kExitOk;
    }
    if (policy.rules.empty()) {
        out << "No rules (mode " << toString(policy.mode) << ", default "
            << toString(policy.defaultVerdict) << ").\n";
        return kExitOk;
    }
    out << std::left << std::setw(6) << "ID" << std::setw(7) << "ACTION" << std::setw(8) << "KIND"
        << std::setw(8) << "USER"
        << "PATTERN\n";
    for (const Rule &r : policy.rules) {
        out << std::left << std::setw(6) << r.id << std::setw(7) << toString(r.action)
            << std::setw(8) << toString(r.kind) << std::setw(8)
            << (r.uid ? std::to_string(*r.uid) : std::string("*")) << r.pattern;
        if (!r.parent.empty())
            out << "  (parent " << r.parent << ')';
        if (r.caseFold)
            out << "  (case-fold)";
        out << '\n';
    }
    return kExitOk;
}

int runRulesAdd(const Options &o, Context &ctx)
{
    Rule rule;
    rule.kind = o.ruleKind;
    rule.action = o.ruleAction;
    rule.pattern = o.pattern;
    rule.parent = o.parent;
    if (ctx.normalisePattern) {
        // The form the component matches (Windows: C:/APPS/X.EXE).
        rule.pattern = ctx.normalisePattern(rule.pattern, rule.kind);
        if (!rule.parent.empty())
            rule.parent = ctx.normalisePattern(rule.parent, RuleKind::Glob);
    }
    rule.caseFold = o.caseFold;
    if (!o.user.empty()) {
        if (allDigits(o.user)) {
            rule.uid = static_cast<uint32_t>(std::strtoul(o.user.c_str(), nullptr, 10));
        } else {
            std::optional<uint32_t> uid =
                ctx.processes ? ctx.processes->userId(o.user) : std::nullopt;
            if (!uid) {
                *ctx.err << "There is no user named \"" << o.user << "\".\n";
                return kExitUsage;
            }
            rule.uid = *uid;
        }
    }

    Session s;
    if (int rc = openSession(o, ctx, true, false, nullptr, &s))
        return rc;
    Policy policy;
    if (Error e = s.link->getPolicy(&policy, ctx.requestTimeout))
        return fail(ctx, e);
    policy.rules.push_back(rule);
    msg::assignRuleIds(policy.rules);
    if (Error e = s.link->setPolicy(policy, ctx.requestTimeout))
        return fail(ctx, e);
    s.link->close();
    *ctx.out << "Added rule " << policy.rules.back().id << ": " << describeRule(policy.rules.back())
             << ".\n";
    return kExitOk;
}

int runRulesRemove(const Options &o, Context &ctx)
{
    Session s;
    if (int rc = openSession(o, ctx, true, false, nullptr, &s))
        return rc;
    Policy policy;
    if (Error e = s.link->getPolicy(&policy, ctx.requestTimeout))
        return fail(ctx, e);
    auto it = std::find_if(policy.rules.begin(), policy.rules.end(),
                           [&](const Rule &r) { return r.id == o.ruleId; });
    if (it == policy.rules.end()) {
        *ctx.err << "There is no rule with id " << o.ruleId << ".\n";
        return kExitFailed;
    }
    const Rule removed = *it;
    policy.rules.erase(it);
    if (Error e = s.link->setPolicy(policy, ctx.requestTimeout))
        return fail(ctx, e);
    s.link->close();
    *ctx.out << "Removed rule " << removed.id << ": " << describeRule(removed) << ".\n";
    return kExitOk;
}

} // namespace ctl
} // namespace pg
