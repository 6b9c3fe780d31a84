// ManagedPolicy.cpp - see ManagedPolicy.h.
#include "ManagedPolicy.h"

#include <algorithm>

namespace pg
{
namespace policy
{

namespace
{

int modeRank(Mode m)
{
    switch (m) {
    case Mode::Monitor:
        return 0;
    case Mode::Prompt:
        return 1;
    case Mode::Lockdown:
        return 2;
    }
    return 0;
}

int localRank(LocalRules l)
{
    switch (l) {
    case LocalRules::Any:
        return 0;
    case LocalRules::BlockOnly:
        return 1;
    case LocalRules::None:
        return 2;
    }
    return 0;
}

// A rule's time conditions as compared: the boot id a component stamps on
// an "until reboot" rule does not make it another rule.
nlohmann::json comparableTime(const RuleTime &t)
{
    nlohmann::json j = ruleTimeToJson(t);
    if (j.contains("expires") && j["expires"].is_object())
        j["expires"].erase("boot_id");
    return j;
}

bool sameRule(const Rule &a, const Rule &b)
{
    return a.id == b.id && a.kind == b.kind && a.action == b.action && a.pattern == b.pattern &&
           a.parent == b.parent && a.uid == b.uid && a.gid == b.gid && a.caseFold == b.caseFold &&
           a.message == b.message && a.link == b.link &&
           comparableTime(a.time) == comparableTime(b.time);
}

std::string withFile(const std::string &name, const PolicyError &e)
{
    std::string msg = e.message;
    if (!e.pointer.empty() && msg.find(e.pointer) == std::string::npos)
        msg = e.pointer + ": " + msg;
    return name + ": " + msg;
}

} // namespace

const char *toString(LocalRules l)
{
    switch (l) {
    case LocalRules::Any:
        return "any";
    case LocalRules::BlockOnly:
        return "block-only";
    case LocalRules::None:
        return "none";
    }
    return "any";
}

bool parseManagedSource(const std::string &name, const std::string &text, ManagedSource *out,
                        PolicyError *error)
{
    PolicyDocument doc;
    PolicyError pe;
    // The settings are optional here (a file that names no mode leaves it
    // to the clients): the export format needs them, so the ones missing
    // are filled in before the format's own parser checks the rest. A
    // syntax error is reported from the text as written.
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    std::string full = text;
    if (!j.is_discarded() && j.is_object()) {
        nlohmann::json filled = j;
        const std::pair<const char *, nlohmann::json> defaults[] = {
            {"schema", kSchemaVersion},   {"mode", "monitor"},
            {"default_verdict", "allow"}, {"timeout_ms", 30000},
            {"hold_budget_ms", 250},      {"rules", nlohmann::json::array()}};
        for (const auto &d : defaults)
            if (!filled.contains(d.first))
                filled[d.first] = d.second;
        full = filled.dump();
    }
    if (!parsePolicyJson(full, &doc, &pe)) {
        pe.message = withFile(name, pe);
        *error = pe;
        return false;
    }
    ManagedSource src;
    const Policy &p = doc.policy;
    if (j.contains("mode"))
        src.mode = p.mode;
    if (j.contains("default_verdict"))
        src.defaultVerdict = p.defaultVerdict;
    if (j.contains("timeout_ms"))
        src.timeoutMs = p.timeoutMs;
    if (j.contains("hold_budget_ms"))
        src.holdBudgetMs = p.holdBudgetMs;
    if (doc.extensions.contains("local_rules")) {
        const nlohmann::json &l = doc.extensions["local_rules"];
        const std::string v = l.is_string() ? l.get<std::string>() : std::string();
        if (v == "any")
            src.localRules = LocalRules::Any;
        else if (v == "block-only")
            src.localRules = LocalRules::BlockOnly;
        else if (v == "none")
            src.localRules = LocalRules::None;
        else {
            pe = PolicyError{};
            pe.pointer = "/local_rules";
            pe.message = name + ": /local_rules: must be \"any\", \"block-only\" or \"none\".";
            *error = pe;
            return false;
        }
    }
    for (Rule r : p.rules) {
        r.managed = true;
        r.caseFold = r.caseFold || p.caseFold;
        src.rules.push_back(std::move(r));
    }
    *out = std::move(src);
    return true;
}

uint32_t ManagedLayer::flags() const
{
    uint32_t f = 0;
    if (mode)
        f |= PG_MANF_MODE;
    if (defaultVerdict)
        f |= PG_MANF_DEFAULT_VERDICT;
    if (timeoutMs)
        f |= PG_MANF_TIMEOUT;
    if (holdBudgetMs)
        f |= PG_MANF_HOLD_BUDGET;
    if (localRules == LocalRules::BlockOnly)
        f |= PG_MANF_LOCAL_BLOCK_ONLY;
    if (localRules == LocalRules::None)
        f |= PG_MANF_LOCAL_NONE;
    return f;
}

uint32_t ManagedLayer::ruleCountOf(const std::string &name) const
{
    return static_cast<uint32_t>(std::count(origins.begin(), origins.end(), name));
}

ManagedLayer combineManaged(const std::vector<std::pair<std::string, ManagedSource>> &sources)
{
    ManagedLayer layer;
    uint32_t next = kManagedIdBase;
    for (const auto &entry : sources) {
        const ManagedSource &s = entry.second;
        if (s.mode && (!layer.mode || modeRank(*s.mode) > modeRank(*layer.mode)))
            layer.mode = s.mode;
        if (s.defaultVerdict && (!layer.defaultVerdict || *s.defaultVerdict == Verdict::Block))
            layer.defaultVerdict = s.defaultVerdict;
        if (s.timeoutMs) {
            // 0 is "no limit": the longest of all.
            if (!layer.timeoutMs || *layer.timeoutMs == 0 ||
                (*s.timeoutMs != 0 && *s.timeoutMs < *layer.timeoutMs))
                layer.timeoutMs = s.timeoutMs;
        }
        if (s.holdBudgetMs && (!layer.holdBudgetMs || *s.holdBudgetMs < *layer.holdBudgetMs))
            layer.holdBudgetMs = s.holdBudgetMs;
        if (localRank(s.localRules) > localRank(layer.localRules))
            layer.localRules = s.localRules;
        for (Rule r : s.rules) {
            r.id = next++;
            r.managed = true;
            layer.rules.push_back(std::move(r));
            layer.origins.push_back(entry.first);
        }
    }
    return layer;
}

bool checkAgainstManaged(const ManagedLayer &layer, const Policy &proposed, std::string *why)
{
    if (layer.mode && proposed.mode != *layer.mode) {
        *why = std::string("the mode is managed (") + toString(*layer.mode) +
               "); no client can change it";
        return false;
    }
    if (layer.defaultVerdict && proposed.defaultVerdict != *layer.defaultVerdict) {
        *why =
            std::string("the default verdict is managed (") + toString(*layer.defaultVerdict) + ")";
        return false;
    }
    if (layer.timeoutMs && proposed.timeoutMs != *layer.timeoutMs) {
        *why = "the timeout is managed (" + std::to_string(*layer.timeoutMs) + " ms)";
        return false;
    }
    if (layer.holdBudgetMs && proposed.holdBudgetMs != *layer.holdBudgetMs) {
        *why = "the hold budget is managed (" + std::to_string(*layer.holdBudgetMs) + " ms)";
        return false;
    }
    for (size_t i = 0; i < layer.rules.size(); ++i) {
        const Rule &m = layer.rules[i];
        const auto it = std::find_if(proposed.rules.begin(), proposed.rules.end(),
                                     [&](const Rule &r) { return r.id == m.id; });
        const std::string name = "rule " + std::to_string(m.id) + " is managed (" +
                                 (i < layer.origins.size() ? layer.origins[i] : "") + ")";
        if (it == proposed.rules.end()) {
            *why = name + "; it cannot be removed";
            return false;
        }
        if (!it->managed || !sameRule(*it, m)) {
            *why = name + "; it cannot be changed";
            return false;
        }
    }
    for (const Rule &r : proposed.rules) {
        if (r.managed) {
            const bool known = std::any_of(layer.rules.begin(), layer.rules.end(),
                                           [&](const Rule &m) { return m.id == r.id; });
            if (!known) {
                *why = "rule " + std::to_string(r.id) +
                       " is marked managed, but no managed policy has it";
                return false;
            }
            continue;
        }
        if (r.id >= kManagedIdBase) {
            *why = "rule " + std::to_string(r.id) + ": local rule ids must be below " +
                   std::to_string(kManagedIdBase);
            return false;
        }
        if (layer.localRules == LocalRules::None) {
            *why = "the managed policy allows no local rules";
            return false;
        }
        if (layer.localRules == LocalRules::BlockOnly && r.action != Verdict::Block) {
            *why = "the managed policy allows local block rules only (rule " +
                   std::to_string(r.id) + ")";
            return false;
        }
    }
    return true;
}

std::vector<Rule> localRulesOf(const Policy &policy)
{
    std::vector<Rule> out;
    for (const Rule &r : policy.rules)
        if (!r.managed)
            out.push_back(r);
    return out;
}

Policy composeManaged(const ManagedLayer &layer, const Policy &local, size_t *dropped)
{
    Policy p = local;
    if (layer.mode)
        p.mode = *layer.mode;
    if (layer.defaultVerdict)
        p.defaultVerdict = *layer.defaultVerdict;
    if (layer.timeoutMs)
        p.timeoutMs = *layer.timeoutMs;
    if (layer.holdBudgetMs)
        p.holdBudgetMs = *layer.holdBudgetMs;
    p.rules = layer.rules;
    size_t gone = 0;
    for (const Rule &r : local.rules) {
        if (r.managed)
            continue;
        const bool allowed =
            r.id < kManagedIdBase && layer.localRules != LocalRules::None &&
            (layer.localRules != LocalRules::BlockOnly || r.action == Verdict::Block);
        if (allowed)
            p.rules.push_back(r);
        else
            ++gone;
    }
    if (dropped != nullptr)
        *dropped = gone;
    return p;
}

ManagedLayer managedFromGroupPolicy(const GroupPolicyValues &values, ManagedStatus *status)
{
    ManagedStatus st;
    st.supported = true;
    st.source = kGroupPolicyKey;
    std::vector<std::pair<std::string, ManagedSource>> sources;
    const std::string key = kGroupPolicyKey;
    auto reject = [&](const std::string &name, const std::string &error) {
        ManagedFile f;
        f.name = name;
        f.state = ManagedFile::State::RejectedNone;
        f.error = error;
        st.files.push_back(std::move(f));
        ++st.rejected;
    };
    if (values.policy) {
        ManagedSource s;
        PolicyError e;
        if (parseManagedSource(key + "\\Policy", *values.policy, &s, &e)) {
            sources.emplace_back("Policy", std::move(s));
        } else {
            reject("Policy", e.message);
        }
    }
    ManagedSource settings;
    bool anySetting = false;
    if (values.mode) {
        if (const std::optional<Mode> m = modeFromString(*values.mode)) {
            settings.mode = m;
            anySetting = true;
        } else {
            reject("Mode", key + "\\Mode: must be monitor, prompt or lockdown, not \"" +
                               *values.mode + "\".");
        }
    }
    if (values.defaultVerdict) {
        const std::string &v = *values.defaultVerdict;
        if (v == "allow" || v == "block") {
            settings.defaultVerdict = v == "allow" ? Verdict::Allow : Verdict::Block;
            anySetting = true;
        } else {
            reject("DefaultVerdict",
                   key + "\\DefaultVerdict: must be allow or block, not \"" + v + "\".");
        }
    }
    if (values.localRules) {
        const std::string &v = *values.localRules;
        if (v == "any" || v == "block-only" || v == "none") {
            settings.localRules = v == "any"          ? LocalRules::Any
                                  : v == "block-only" ? LocalRules::BlockOnly
                                                      : LocalRules::None;
            anySetting = true;
        } else {
            reject("LocalRules",
                   key + "\\LocalRules: must be any, block-only or none, not \"" + v + "\".");
        }
    }
    if (anySetting)
        sources.emplace_back("settings", std::move(settings));
    ManagedLayer layer = combineManaged(sources);
    for (const auto &src : sources) {
        if (src.first != "Policy")
            continue;
        ManagedFile f;
        f.name = src.first;
        f.ruleCount = layer.ruleCountOf(src.first);
        st.files.insert(st.files.begin(), std::move(f));
    }
    st.flags = layer.flags();
    st.ruleCount = static_cast<uint32_t>(layer.rules.size());
    if (status != nullptr)
        *status = std::move(st);
    return layer;
}

bool imposeManaged(const ManagedLayer &layer, Policy *policy, std::string *why)
{
    if (layer.empty())
        return true;
    // The managed rules the policy carries are replaced by the layer's, so
    // only the settings and the local rules are checked.
    Policy probe = *policy;
    probe.rules = layer.rules;
    for (const Rule &r : policy->rules)
        if (!r.managed)
            probe.rules.push_back(r);
    if (!checkAgainstManaged(layer, probe, why))
        return false;
    *policy = composeManaged(layer, *policy);
    return true;
}

} // namespace policy
} // namespace pg
