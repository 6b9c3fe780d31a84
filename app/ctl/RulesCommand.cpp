// RulesCommand.cpp - `procguardctl rules list|add|remove|import|export`.
//
// Changes are read-modify-write of the whole policy (GET_POLICY, edit,
// SET_POLICY), which needs the controlling role: while a panel or an
// `approve` session controls the component, they fail with "Another client
// already controls procguardd." Policy files are read and written through
// app/policy's PolicyFile (format, checks, atomic save with a backup).
#include <algorithm>
#include <cstdlib>
#include <iomanip>

#include "Accounts.h"
#include "Commands.h"
#include "ExitCodes.h"
#include "Format.h"
#include "Messages.h"
#include "PolicyFile.h"
#include "RuleTimeText.h"

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

policy::FileSystem &filesOf(Context &ctx)
{
    return ctx.files ? *ctx.files : policy::systemFileSystem();
}

policy::Accounts &accountsOf(Context &ctx)
{
    return ctx.accounts ? *ctx.accounts : policy::systemAccounts();
}

bool sameTime(const RuleTime &a, const RuleTime &b)
{
    if (a.windows.size() != b.windows.size())
        return false;
    for (size_t i = 0; i < a.windows.size(); ++i)
        if (a.windows[i].start != b.windows[i].start || a.windows[i].end != b.windows[i].end)
            return false;
    return a.days == b.days && a.expiry == b.expiry && a.expiresAt == b.expiresAt &&
           a.budgetSeconds == b.budgetSeconds && a.budgetGroup == b.budgetGroup &&
           a.graceSeconds == b.graceSeconds && a.bootId == b.bootId;
}

// The same rule, ignoring its id.
bool sameRule(const Rule &a, const Rule &b)
{
    return a.kind == b.kind && a.action == b.action && a.pattern == b.pattern &&
           a.parent == b.parent && a.uid == b.uid && a.gid == b.gid && a.caseFold == b.caseFold &&
           a.message == b.message && a.link == b.link && sameTime(a.time, b.time);
}

std::string conditionText(const Rule &r)
{
    if (r.uid)
        return "uid " + std::to_string(*r.uid);
    if (r.gid)
        return "gid " + std::to_string(*r.gid);
    return "*";
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
    // WHEN: schedule, budget and expiry; as wide as its longest entry.
    const policy::UtcOffset offset = ctx.utcOffset ? policy::UtcOffset(ctx.utcOffset)
                                                   : policy::UtcOffset(policy::systemUtcOffset);
    std::vector<std::string> when;
    size_t whenWidth = 6;
    size_t idWidth = 6; // managed ids have 10 digits
    for (const Rule &r : policy.rules) {
        when.push_back(r.time.empty() ? "always" : policy::describeTime(r.time, offset));
        whenWidth = std::max(whenWidth, when.back().size() + 2);
        idWidth = std::max(idWidth, std::to_string(r.id).size() + 2);
    }
    out << std::left << std::setw(static_cast<int>(idWidth)) << "ID" << std::setw(7) << "ACTION"
        << std::setw(8) << "KIND" << std::setw(12) << "WHO"
        << std::setw(static_cast<int>(whenWidth)) << "WHEN"
        << "PATTERN\n";
    for (size_t i = 0; i < policy.rules.size(); ++i) {
        const Rule &r = policy.rules[i];
        out << std::left << std::setw(static_cast<int>(idWidth)) << r.id << std::setw(7)
            << toString(r.action) << std::setw(8) << toString(r.kind) << std::setw(12)
            << conditionText(r) << std::setw(static_cast<int>(whenWidth)) << when[i] << r.pattern;
        if (!r.parent.empty())
            out << "  (parent " << r.parent << ')';
        if (r.caseFold)
            out << "  (case-fold)";
        if (!r.message.empty())
            out << "  (message \"" << r.message << "\")";
        if (!r.link.empty())
            out << "  (link " << r.link << ')';
        if (r.managed)
            out << "  (managed)";
        out << '\n';
    }
    const size_t managed = static_cast<size_t>(std::count_if(
        policy.rules.begin(), policy.rules.end(), [](const Rule &r) { return r.managed; }));
    if (managed != 0)
        out << managed
            << " managed rule(s): set by policy files or Group Policy; no client can remove or "
               "change them, and they decide before every local rule.\n";
    return kExitOk;
}

int runRulesAdd(const Options &o, Context &ctx)
{
    Rule rule;
    rule.kind = o.ruleKind;
    rule.action = o.ruleAction;
    rule.pattern = o.pattern;
    rule.parent = o.parent;
    const bool pathKind = rule.kind == RuleKind::Exact || rule.kind == RuleKind::Glob ||
                          rule.kind == RuleKind::Prefix;
    if (ctx.normalisePattern) {
        // The form the component matches (Windows: C:/APPS/X.EXE).
        if (pathKind)
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
    if (!o.group.empty()) {
        if (allDigits(o.group)) {
            rule.gid = static_cast<uint32_t>(std::strtoul(o.group.c_str(), nullptr, 10));
        } else {
            const std::optional<uint32_t> gid = accountsOf(ctx).groupId(o.group);
            if (!gid) {
                *ctx.err << "There is no group named \"" << o.group << "\".\n";
                return kExitUsage;
            }
            rule.gid = *gid;
        }
    }
    rule.message = o.message;
    rule.link = o.link;
    rule.time = o.ruleTime;
    if (o.expireAfter)
        rule.time.expiresAt = static_cast<int64_t>(ctx.nowNs() / 1000000000ull) +
                              static_cast<int64_t>(*o.expireAfter);
    const policy::RuleProblem problem = policy::checkRule(rule);
    if (!problem.field.empty()) {
        *ctx.err << problem.message << '\n';
        return kExitUsage;
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
    if (it->managed) {
        *ctx.err << "Rule " << o.ruleId
                 << " is managed (set by a policy file or Group Policy); change it there.\n";
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

int runRulesImport(const Options &o, Context &ctx)
{
    // Read and check the file before connecting: a bad file changes nothing.
    policy::PolicyDocument doc;
    policy::PolicyError error;
    if (!policy::PolicyFile(o.policyPath, filesOf(ctx)).load(&doc, &error)) {
        *ctx.err << error.message << '\n';
        return kExitFailed;
    }
    Session s;
    if (int rc = openSession(o, ctx, true, false, nullptr, &s))
        return rc;
    Policy current;
    if (Error e = s.link->getPolicy(&current, ctx.requestTimeout))
        return fail(ctx, e);
    Policy next;
    size_t added = 0, present = 0;
    if (o.replace) {
        // The managed layer stays: its rules and settings are not the
        // clients' to replace.
        ManagedStatus managed;
        if (Error e = s.link->getManaged(&managed, ctx.requestTimeout))
            return fail(ctx, e);
        next = doc.policy;
        added = next.rules.size();
        next.rules.erase(std::remove_if(next.rules.begin(), next.rules.end(),
                                        [](const Rule &r) { return r.managed; }),
                         next.rules.end());
        std::vector<Rule> kept;
        for (const Rule &r : current.rules)
            if (r.managed)
                kept.push_back(r);
        next.rules.insert(next.rules.begin(), kept.begin(), kept.end());
        if ((managed.flags & PG_MANF_MODE) != 0)
            next.mode = current.mode;
        if ((managed.flags & PG_MANF_DEFAULT_VERDICT) != 0)
            next.defaultVerdict = current.defaultVerdict;
        if ((managed.flags & PG_MANF_TIMEOUT) != 0)
            next.timeoutMs = current.timeoutMs;
        if ((managed.flags & PG_MANF_HOLD_BUDGET) != 0)
            next.holdBudgetMs = current.holdBudgetMs;
        if (!kept.empty() || (managed.flags & (PG_MANF_MODE | PG_MANF_DEFAULT_VERDICT |
                                               PG_MANF_TIMEOUT | PG_MANF_HOLD_BUDGET)) != 0)
            *ctx.out << "The managed policy stays in force (" << kept.size()
                     << " managed rule(s) and the managed settings).\n";
    } else {
        // Merge: the rules in force stay as they are (ids included); the
        // file's rules follow, minus those already in force. A file id that
        // is taken is dropped and the rule numbered anew.
        next = current;
        for (Rule r : doc.policy.rules) {
            if (std::any_of(current.rules.begin(), current.rules.end(),
                            [&](const Rule &c) { return sameRule(c, r); })) {
                ++present;
                continue;
            }
            if (std::any_of(next.rules.begin(), next.rules.end(),
                            [&](const Rule &c) { return c.id == r.id; }))
                r.id = 0;
            next.rules.push_back(r);
            ++added;
        }
    }
    msg::assignRuleIds(next.rules);
    if (!policy::checkPolicy(next, &error)) {
        *ctx.err << "Not imported: " << error.message << '\n';
        return kExitFailed;
    }
    if (Error e = s.link->setPolicy(next, ctx.requestTimeout))
        return fail(ctx, e);
    s.link->close();
    if (o.replace)
        *ctx.out << "Replaced the policy with " << o.policyPath << ": mode " << toString(next.mode)
                 << ", " << next.rules.size() << " rules.\n";
    else
        *ctx.out << "Merged " << o.policyPath << ": " << added << " rules added, " << present
                 << " already in force, " << next.rules.size() << " rules now.\n";
    return kExitOk;
}

int runRulesExport(const Options &o, Context &ctx)
{
    Session s;
    if (int rc = openSession(o, ctx, false, false, nullptr, &s))
        return rc;
    policy::PolicyDocument doc;
    if (Error e = s.link->getPolicy(&doc.policy, ctx.requestTimeout))
        return fail(ctx, e);
    s.link->close();
    // Managed rules live in their policy files (or Group Policy); the
    // export holds what the clients set.
    const auto managedEnd = std::remove_if(doc.policy.rules.begin(), doc.policy.rules.end(),
                                           [](const Rule &r) { return r.managed; });
    const size_t managed = static_cast<size_t>(doc.policy.rules.end() - managedEnd);
    doc.policy.rules.erase(managedEnd, doc.policy.rules.end());
    if (managed != 0)
        *ctx.err << managed
                 << " managed rule(s) not exported: they come from policy files or Group "
                    "Policy.\n";
    if (o.policyPath == "-") {
        *ctx.out << policy::toPolicyJson(doc);
        return kExitOk;
    }
    policy::PolicyError error;
    if (!policy::PolicyFile(o.policyPath, filesOf(ctx)).save(doc, &error)) {
        *ctx.err << error.message << '\n';
        return kExitFailed;
    }
    *ctx.out << "Exported " << doc.policy.rules.size() << " rules to " << o.policyPath << ".\n";
    return kExitOk;
}

} // namespace ctl
} // namespace pg
