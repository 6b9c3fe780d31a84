// ExplainCommand.cpp - `procguardctl explain PATH`: which rule would decide
// a start of PATH, why it beats the other matching rules, and what the mode
// makes of it. The policy is the one in force (fetched as an observer, so
// it works while a panel controls the component) or a policy file
// (--policy, no component needed). The decision itself is the core's
// matcher, through app/policy's PolicyExplainer, at a moment (now, or
// --at): rules outside their schedule or past their expiry do not take
// part, and the ones that would have mattered are named. Package rules are
// answered from dpkg's database (--dpkg-info) unless --package is given.
#include <cstdlib>
#include <fstream>

#include "Accounts.h"
#include "Commands.h"
#include "ExitCodes.h"
#include "FileDigest.h"
#include "Format.h"
#include "Messages.h"
#include "PackageLookup.h"
#include "PolicyExplainer.h"
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

// The running boot's id (Linux), for "until reboot" rules; empty when unknown.
std::vector<uint8_t> runningBootId()
{
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string text;
    std::vector<uint8_t> id;
    if (!(in >> text))
        return id;
    std::string hex;
    for (char c : text)
        if (c != '-')
            hex += c;
    if (hex.size() != 2 * PG_BOOT_ID_BYTES)
        return id;
    for (size_t i = 0; i < PG_BOOT_ID_BYTES; ++i) {
        char *end = nullptr;
        const std::string byte = hex.substr(2 * i, 2);
        const unsigned long v = std::strtoul(byte.c_str(), &end, 16);
        if (end != byte.c_str() + 2)
            return {};
        id.push_back(static_cast<uint8_t>(v));
    }
    return id;
}

nlohmann::json ruleJson(const Rule &r, size_t index)
{
    nlohmann::json j = toJson(r);
    j["position"] = index + 1;
    if (r.gid)
        j["gid"] = *r.gid;
    if (!r.message.empty())
        j["message"] = r.message;
    if (!r.link.empty())
        j["link"] = r.link;
    return j;
}

} // namespace

int runExplain(const Options &o, Context &ctx)
{
    policy::Accounts &accounts = ctx.accounts ? *ctx.accounts : policy::systemAccounts();
    policy::StartFacts facts;
    facts.image = o.explainPath;
    facts.parentImage = o.explainParent;
    if (ctx.normalisePattern) {
        facts.image = ctx.normalisePattern(facts.image, RuleKind::Exact);
        if (facts.parentImage)
            facts.parentImage = ctx.normalisePattern(*facts.parentImage, RuleKind::Exact);
    }
    facts.cmdline = o.explainCmdline;
    if (o.explainPackage) {
        facts.packageKnown = true;
        facts.package = o.explainPackage;
    }
    if (!o.user.empty()) {
        std::optional<uint32_t> uid;
        if (allDigits(o.user))
            uid = static_cast<uint32_t>(std::strtoul(o.user.c_str(), nullptr, 10));
        else if (ctx.processes)
            uid = ctx.processes->userId(o.user);
        if (!uid) {
            *ctx.err << "There is no user named \"" << o.user << "\".\n";
            return kExitUsage;
        }
        facts.uid = *uid;
    } else {
        facts.uid = accounts.currentUserId().value_or(0xFFFFFFFFu);
    }
    facts.gids = accounts.groupsOf(facts.uid);

    policy::TimeFacts time;
    time.offset = ctx.utcOffset ? policy::UtcOffset(ctx.utcOffset)
                                : policy::UtcOffset(policy::systemUtcOffset);
    time.now = static_cast<int64_t>(ctx.nowNs() / 1000000000ull);
    if (!o.explainAt.empty()) {
        std::string why;
        if (!policy::parseLocalTime(o.explainAt, time.offset, &time.now, &why)) {
            *ctx.err << "--at: " << why << '\n';
            return kExitUsage;
        }
    }
    time.bootId = runningBootId();

    Policy policy;
    std::string source;
    if (!o.policyPath.empty()) {
        policy::PolicyDocument doc;
        policy::PolicyError error;
        policy::FileSystem &files = ctx.files ? *ctx.files : policy::systemFileSystem();
        if (!policy::PolicyFile(o.policyPath, files).load(&doc, &error)) {
            *ctx.err << error.message << '\n';
            return kExitFailed;
        }
        policy = doc.policy;
        msg::assignRuleIds(policy.rules);
        source = o.policyPath;
    } else {
        Session s;
        if (int rc = openSession(o, ctx, false, false, nullptr, &s))
            return rc;
        if (Error e = s.link->getPolicy(&policy, ctx.requestTimeout))
            return fail(ctx, e);
        s.link->close();
        source = "the policy in force";
    }

    policy::ExplainEnvironment env;
    env.hashImage = sha256OfFile;
    env.time = time;
#ifndef _WIN32
    policy::DpkgPackageLookup dpkg(o.explainDpkgInfo);
    if (!o.explainPackage)
        env.packageOf = [&dpkg](const std::string &image, std::optional<std::string> *package,
                                std::string *note,
                                std::string *why) { return dpkg.owner(image, package, note, why); };
#endif

    policy::Explanation e;
    std::string error;
    if (!policy::explainStart(policy, facts, env, &e, &error)) {
        *ctx.err << error << '\n';
        return kExitFailed;
    }

    std::ostream &out = *ctx.out;
    if (o.json) {
        nlohmann::json j;
        j["image"] = facts.image;
        j["policy"] = source;
        j["uid"] = facts.uid;
        j["mode"] = toString(e.mode);
        j["default_verdict"] = toString(e.defaultVerdict);
        j["decided_by"] = e.index ? ruleJson(e.rule, *e.index) : nlohmann::json(nullptr);
        j["kind"] = e.index ? toString(e.rule.kind) : "mode";
        j["outcome"] = e.outcome == Verdict::Ask ? "ask" : toString(e.outcome);
        j["would_block"] = e.wouldBlock;
        j["outranked"] = nlohmann::json::array();
        for (const policy::OutrankedRule &r : e.outranked) {
            nlohmann::json oj = ruleJson(r.rule, r.index);
            oj["step"] = static_cast<int>(r.step);
            oj["step_name"] = policy::toString(r.step);
            oj["reason"] = r.reason;
            j["outranked"].push_back(oj);
        }
        j["at"] = policy::formatUtcTime(time.now);
        j["not_in_force"] = nlohmann::json::array();
        for (const policy::DormantRule &d : e.dormant) {
            nlohmann::json dj = ruleJson(d.rule, d.index);
            dj["state"] =
                d.state == policy::DormantRule::State::Expired ? "expired" : "off-schedule";
            dj["would_decide"] = d.wouldDecide;
            dj["reason"] = d.reason;
            dj["when"] = policy::describeTime(d.rule.time, time.offset);
            j["not_in_force"].push_back(dj);
        }
        if (e.package)
            j["package"] = *e.package;
        j["provisional"] = e.missingFacts != 0;
        j["missing_facts"] = policy::factNames(e.missingFacts);
        if (e.sha256)
            j["sha256"] = *e.sha256;
        j["notes"] = e.notes;
        j["summary"] = e.summary;
        out << j.dump(2) << '\n';
        return kExitOk;
    }

    out << e.summary << '\n';
    if (e.index) {
        out << "  deciding rule: " << describeRule(e.rule) << " (id " << e.rule.id << ", kind "
            << toString(e.rule.kind) << ", position " << *e.index + 1 << ")\n";
        if (!e.rule.message.empty())
            out << "  message: " << e.rule.message << '\n';
        if (!e.rule.link.empty())
            out << "  link: " << e.rule.link << '\n';
        for (const policy::OutrankedRule &r : e.outranked)
            out << "  also matches: " << describeRule(r.rule) << " (id " << r.rule.id
                << ") - loses at step " << static_cast<int>(r.step) << ": " << r.reason << '\n';
    } else {
        out << "  mode " << toString(e.mode) << ", default verdict " << toString(e.defaultVerdict)
            << '\n';
    }
    for (const policy::DormantRule &d : e.dormant)
        out << "  not in force: " << d.reason << '\n';
    if (e.sha256)
        out << "  sha256: " << *e.sha256 << '\n';
    if (e.package)
        out << "  package: " << *e.package << '\n';
    for (const std::string &n : e.notes)
        out << "  note: " << n << '\n';
    return kExitOk;
}

} // namespace ctl
} // namespace pg
