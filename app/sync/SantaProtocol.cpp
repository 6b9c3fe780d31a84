// SantaProtocol.cpp - the Santa sync bodies and the rule mapping
// (SantaProtocol.h).
#include "SantaProtocol.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "PolicyFile.h"

namespace pg
{
namespace sync
{

using nlohmann::json;

namespace
{

std::string upper(std::string s)
{
    for (char &c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string lower(std::string s)
{
    for (char &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool isSha256(const std::string &s)
{
    if (s.size() != 64)
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

// Reads an optional field of one type; a present field of another type is
// an error (null counts as absent: some servers send null for "not set").
bool optString(const json &o, const char *key, std::optional<std::string> *out, std::string *error)
{
    auto it = o.find(key);
    if (it == o.end() || it->is_null())
        return true;
    if (!it->is_string()) {
        *error = std::string("The field \"") + key + "\" is not a string.";
        return false;
    }
    *out = it->get<std::string>();
    return true;
}

bool optBool(const json &o, const char *key, std::optional<bool> *out, std::string *error)
{
    auto it = o.find(key);
    if (it == o.end() || it->is_null())
        return true;
    if (!it->is_boolean()) {
        *error = std::string("The field \"") + key + "\" is not true or false.";
        return false;
    }
    *out = it->get<bool>();
    return true;
}

bool optUint(const json &o, const char *key, std::optional<uint32_t> *out, std::string *error)
{
    auto it = o.find(key);
    if (it == o.end() || it->is_null())
        return true;
    if (!it->is_number_unsigned() || it->get<uint64_t>() > 0xFFFFFFFFull) {
        *error = std::string("The field \"") + key + "\" is not a whole number.";
        return false;
    }
    *out = static_cast<uint32_t>(it->get<uint64_t>());
    return true;
}

bool parseObject(const std::string &body, json *out, std::string *error)
{
    try {
        *out = json::parse(stripJsonPrefix(body));
    } catch (const json::parse_error &e) {
        *error = std::string("The answer is not JSON (") + e.what() + ").";
        return false;
    }
    if (!out->is_object()) {
        *error = "The answer is not a JSON object.";
        return false;
    }
    return true;
}

void note(ApplyCounts *counts, std::string sentence)
{
    if (counts->notes.size() < 10)
        counts->notes.push_back(std::move(sentence));
}

} // namespace

std::string stripJsonPrefix(const std::string &body)
{
    static const std::string prefix = ")]}'";
    if (body.compare(0, prefix.size(), prefix) != 0)
        return body;
    size_t at = prefix.size();
    while (at < body.size() && (body[at] == '\n' || body[at] == '\r'))
        ++at;
    return body.substr(at);
}

std::optional<Mode> modeFromClientMode(const std::string &s)
{
    const std::string u = upper(s);
    if (u == "MONITOR")
        return Mode::Monitor;
    if (u == "LOCKDOWN")
        return Mode::Lockdown;
    return std::nullopt;
}

const char *clientModeName(Mode m)
{
    return m == Mode::Monitor ? "MONITOR" : "LOCKDOWN";
}

json preflightRequest(const MachineFacts &f)
{
    return json{{"machine_id", f.machineId},
                {"serial_num", f.serialNumber},
                {"hostname", f.hostname},
                {"os_version", f.osVersion},
                {"os_build", f.osBuild},
                {"model_identifier", f.modelIdentifier},
                {"santa_version", f.clientVersion},
                {"client_version", f.clientVersion},
                {"primary_user", f.primaryUser},
                {"client_mode", clientModeName(f.mode)},
                {"request_clean_sync", f.requestCleanSync},
                {"binary_rule_count", f.binaryRuleCount},
                {"certificate_rule_count", f.certificateRuleCount},
                {"compiler_rule_count", f.compilerRuleCount},
                {"transitive_rule_count", f.transitiveRuleCount},
                {"teamid_rule_count", f.teamIdRuleCount},
                {"signingid_rule_count", f.signingIdRuleCount},
                {"cdhash_rule_count", f.cdhashRuleCount}};
}

bool parsePreflight(const std::string &body, PreflightReply *out, std::string *error)
{
    json j;
    if (!parseObject(body, &j, error))
        return false;
    PreflightReply r;
    std::optional<std::string> mode, syncType, allowed, blocked, white, black;
    std::optional<bool> cleanSync, allEvents, noUnknown;
    std::optional<uint32_t> batch, interval;
    if (!optString(j, "client_mode", &mode, error) ||
        !optString(j, "sync_type", &syncType, error) ||
        !optString(j, "allowed_path_regex", &allowed, error) ||
        !optString(j, "blocked_path_regex", &blocked, error) ||
        !optString(j, "whitelist_regex", &white, error) ||
        !optString(j, "blacklist_regex", &black, error) ||
        !optBool(j, "clean_sync", &cleanSync, error) ||
        !optBool(j, "enable_all_event_upload", &allEvents, error) ||
        !optBool(j, "disable_unknown_event_upload", &noUnknown, error) ||
        !optUint(j, "batch_size", &batch, error) ||
        !optUint(j, "full_sync_interval", &interval, error))
        return false;
    if (mode) {
        r.mode = modeFromClientMode(*mode);
        if (!r.mode) {
            *error = "The field \"client_mode\" is \"" + *mode + "\", not MONITOR or LOCKDOWN.";
            return false;
        }
    }
    if (syncType) {
        const std::string t = lower(*syncType);
        if (t != "normal" && t != "clean" && t != "clean_all") {
            *error =
                "The field \"sync_type\" is \"" + *syncType + "\", not normal, clean or clean_all.";
            return false;
        }
        r.syncType = t;
        r.cleanSync = t != "normal";
    } else if (cleanSync && *cleanSync) {
        r.syncType = "clean";
        r.cleanSync = true;
    }
    if (batch && *batch > 0)
        r.batchSize = std::min<uint32_t>(*batch, 1000);
    if (interval)
        r.fullSyncIntervalS = std::max<uint32_t>(*interval, 60);
    r.uploadAllEvents = allEvents.value_or(false);
    r.uploadUnknownEvents = !noUnknown.value_or(false);
    r.allowedPathRegex = allowed ? allowed : white;
    r.blockedPathRegex = blocked ? blocked : black;
    *out = r;
    return true;
}

json ruleDownloadRequest(const std::string &cursor)
{
    json j = json::object();
    if (!cursor.empty())
        j["cursor"] = cursor;
    return j;
}

bool parseRuleBatch(const std::string &body, RuleBatch *out, std::string *error)
{
    json j;
    if (!parseObject(body, &j, error))
        return false;
    RuleBatch batch;
    std::optional<std::string> cursor;
    if (!optString(j, "cursor", &cursor, error))
        return false;
    batch.cursor = cursor.value_or("");
    auto rules = j.find("rules");
    if (rules != j.end() && !rules->is_null()) {
        if (!rules->is_array()) {
            *error = "The field \"rules\" is not a list.";
            return false;
        }
        for (size_t i = 0; i < rules->size(); ++i) {
            const json &r = (*rules)[i];
            const std::string at = "rules/" + std::to_string(i);
            if (!r.is_object()) {
                *error = "The rule " + at + " is not an object.";
                return false;
            }
            std::optional<std::string> identifier, sha256, type, policy, msg, url;
            std::string why;
            if (!optString(r, "identifier", &identifier, &why) ||
                !optString(r, "sha256", &sha256, &why) || !optString(r, "rule_type", &type, &why) ||
                !optString(r, "policy", &policy, &why) || !optString(r, "custom_msg", &msg, &why) ||
                !optString(r, "custom_url", &url, &why)) {
                *error = "The rule " + at + ": " + why;
                return false;
            }
            ServerRule sr;
            sr.identifier = identifier ? *identifier : sha256.value_or("");
            if (sr.identifier.empty()) {
                *error = "The rule " + at + " has no \"identifier\" (nor \"sha256\").";
                return false;
            }
            if (!policy || policy->empty()) {
                *error = "The rule " + at + " has no \"policy\".";
                return false;
            }
            sr.policy = upper(*policy);
            sr.ruleType = upper(type.value_or("BINARY"));
            sr.customMsg = msg.value_or("");
            sr.customUrl = url.value_or("");
            batch.rules.push_back(std::move(sr));
        }
    }
    *out = std::move(batch);
    return true;
}

std::optional<std::string> regexToGlob(const std::string &regex, std::string *why)
{
    std::string glob;
    size_t i = 0;
    const bool startAnchored = !regex.empty() && regex[0] == '^';
    if (startAnchored)
        i = 1;
    bool endAnchored = false;
    if (!startAnchored)
        glob += '*';
    while (i < regex.size()) {
        const char c = regex[i];
        if (c == '$' && i + 1 == regex.size()) {
            endAnchored = true;
            ++i;
            continue;
        }
        if (c == '.') {
            if (i + 1 < regex.size() && regex[i + 1] == '*') {
                glob += '*';
                i += 2;
            } else {
                glob += '?';
                ++i;
            }
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= regex.size()) {
                *why = "it ends in a lone backslash";
                return std::nullopt;
            }
            const char e = regex[i + 1];
            if (std::isalnum(static_cast<unsigned char>(e))) {
                *why = std::string("the escape \\") + e + " has no glob form";
                return std::nullopt;
            }
            if (e == '*' || e == '?' || e == '[' || e == ']' || e == '\\') {
                *why = std::string("a literal '") + e + "' has no glob form";
                return std::nullopt;
            }
            glob += e;
            i += 2;
            continue;
        }
        if (c == '[') {
            const size_t close = regex.find(']', i + 2);
            if (close == std::string::npos) {
                *why = "a '[' is not closed";
                return std::nullopt;
            }
            std::string cls = regex.substr(i, close - i + 1);
            if (cls.find('\\') != std::string::npos) {
                *why = "a class with escapes has no glob form";
                return std::nullopt;
            }
            if (cls.size() > 2 && cls[1] == '^')
                cls[1] = '!';
            if (close + 1 < regex.size() &&
                std::string("*+?{").find(regex[close + 1]) != std::string::npos) {
                *why = "a repeated class has no glob form";
                return std::nullopt;
            }
            glob += cls;
            i = close + 1;
            continue;
        }
        if (std::string("()|+?{}*^$").find(c) != std::string::npos) {
            *why = std::string("'") + c + "' has no glob form";
            return std::nullopt;
        }
        glob += c;
        ++i;
    }
    if (!endAnchored && (glob.empty() || glob.back() != '*'))
        glob += '*';
    if (glob.find_first_not_of('*') == std::string::npos) {
        *why = "it matches every path";
        return std::nullopt;
    }
    return glob;
}

void applyRules(const std::vector<ServerRule> &download, const PreflightReply &preflight,
                bool clean, std::vector<Rule> *rules, ApplyCounts *counts)
{
    // The SHA-256 rules by digest (a download may hold tens of thousands):
    // changed in place, removed by marking, compacted at the end.
    std::vector<Rule> next;
    std::vector<bool> removed;
    std::unordered_map<std::string, size_t> byDigest;
    if (!clean)
        for (const Rule &r : *rules)
            if (r.kind == RuleKind::Sha256 && byDigest.emplace(r.pattern, next.size()).second) {
                next.push_back(r);
                removed.push_back(false);
            }
    counts->received += static_cast<uint32_t>(download.size());
    for (const ServerRule &sr : download) {
        if (sr.ruleType != "BINARY") {
            // CERTIFICATE would be a signer rule on Windows, where this
            // client is not built yet; the rest are macOS notions.
            ++counts->ignoredType;
            continue;
        }
        const bool remove = sr.policy == "REMOVE";
        const bool allow = sr.policy == "ALLOWLIST" || sr.policy == "ALLOWLIST_COMPILER";
        const bool block = sr.policy == "BLOCKLIST" || sr.policy == "SILENT_BLOCKLIST";
        if (!remove && !allow && !block) {
            ++counts->ignoredPolicy;
            note(counts, "Rule " + sr.identifier + ": unknown policy \"" + sr.policy + "\".");
            continue;
        }
        if (!isSha256(sr.identifier)) {
            ++counts->invalid;
            note(counts, "BINARY rule \"" + sr.identifier + "\" is not a SHA-256.");
            continue;
        }
        const std::string digest = lower(sr.identifier);
        auto known = byDigest.find(digest);
        if (remove) {
            if (known != byDigest.end()) {
                removed[known->second] = true;
                byDigest.erase(known);
                ++counts->removed;
            }
            ++counts->processed;
            continue;
        }
        Rule r;
        r.kind = RuleKind::Sha256;
        r.action = allow ? Verdict::Allow : Verdict::Block;
        r.pattern = digest;
        if (sr.policy != "SILENT_BLOCKLIST") {
            r.message = sr.customMsg;
            r.link = sr.customUrl;
        }
        const policy::RuleProblem problem = policy::checkRule(r);
        if (!problem.field.empty()) {
            ++counts->invalid;
            note(counts, "Rule " + digest + ": " + problem.message);
            continue;
        }
        if (known != byDigest.end()) {
            next[known->second] = std::move(r); // changed in place
        } else {
            byDigest.emplace(digest, next.size());
            next.push_back(std::move(r));
            removed.push_back(false);
        }
        ++counts->added;
        ++counts->processed;
    }
    size_t kept = 0;
    for (size_t i = 0; i < next.size(); ++i) {
        if (removed[i])
            continue;
        if (kept != i)
            next[kept] = std::move(next[i]); // never onto itself
        ++kept;
    }
    next.resize(kept);
    // The path regexes: rebuilt from every preflight.
    auto addRegex = [&](const std::optional<std::string> &regex, Verdict action, const char *key) {
        if (!regex || regex->empty())
            return;
        std::string why;
        const std::optional<std::string> glob = regexToGlob(*regex, &why);
        if (!glob) {
            ++counts->ignoredRegex;
            note(counts, std::string(key) + " \"" + *regex + "\" was ignored: " + why + ".");
            return;
        }
        Rule r;
        r.kind = RuleKind::Glob;
        r.action = action;
        r.pattern = *glob;
        const policy::RuleProblem problem = policy::checkRule(r);
        if (!problem.field.empty()) {
            ++counts->ignoredRegex;
            note(counts, std::string(key) + " \"" + *regex + "\" was ignored: " + problem.message);
            return;
        }
        next.push_back(std::move(r));
    };
    // Block first: a path in both is blocked (Santa checks the blocked
    // regex first too).
    addRegex(preflight.blockedPathRegex, Verdict::Block, "blocked_path_regex");
    addRegex(preflight.allowedPathRegex, Verdict::Allow, "allowed_path_regex");
    for (Rule &r : next)
        r.id = 0;
    *rules = std::move(next);
}

bool isUnknownDecision(const std::string &decision)
{
    return decision == "BLOCK_UNKNOWN" || decision == "ALLOW_UNKNOWN";
}

json toJson(const UploadEvent &e)
{
    json j{{"file_path", e.filePath},
           {"file_name", e.fileName},
           {"executing_user", e.executingUser},
           {"execution_time", e.executionTime},
           {"decision", e.decision},
           {"pid", e.pid},
           {"ppid", e.ppid},
           {"parent_name", e.parentName}};
    if (!e.fileSha256.empty())
        j["file_sha256"] = e.fileSha256;
    if (!e.args.empty())
        j["args"] = e.args;
    if (!e.loggedInUsers.empty())
        j["logged_in_users"] = e.loggedInUsers;
    return j;
}

bool fromJson(const json &j, UploadEvent *e)
{
    if (!j.is_object())
        return false;
    try {
        UploadEvent u;
        u.fileSha256 = j.value("file_sha256", "");
        u.filePath = j.value("file_path", "");
        u.fileName = j.value("file_name", "");
        u.executingUser = j.value("executing_user", "");
        u.executionTime = j.value("execution_time", 0.0);
        u.decision = j.value("decision", "");
        u.pid = j.value("pid", 0u);
        u.ppid = j.value("ppid", 0u);
        u.parentName = j.value("parent_name", "");
        u.args = j.value("args", std::vector<std::string>{});
        u.loggedInUsers = j.value("logged_in_users", std::vector<std::string>{});
        if (u.decision.empty())
            return false;
        *e = std::move(u);
        return true;
    } catch (const json::exception &) {
        return false;
    }
}

json eventUploadRequest(const std::vector<UploadEvent> &events)
{
    json list = json::array();
    for (const UploadEvent &e : events)
        list.push_back(toJson(e));
    return json{{"events", list}};
}

std::optional<std::string> decisionFor(const Event &v, std::optional<RuleKind> ruleKind)
{
    if (v.kind != EventKind::Verdict || (v.flags & PG_EVF_BUDGET) != 0)
        return std::nullopt;
    if (v.source == Source::Exempt)
        return std::nullopt;
    const bool blocked = v.verdict == Verdict::Block;
    const bool asked = (v.flags & PG_EVF_HELD) != 0 || v.source == Source::Client ||
                       v.source == Source::Timeout || v.source == Source::NoClient ||
                       v.source == Source::Disconnect;
    // A start a person was (or would have been) asked about: BLOCK_UNKNOWN,
    // whatever the answer, so that an approval on the server becomes an
    // ALLOWLIST rule at the next sync.
    if (asked && v.source != Source::Rule)
        return std::string("BLOCK_UNKNOWN");
    if ((v.flags & PG_EVF_WOULD_BLOCK) != 0)
        return std::string("ALLOW_UNKNOWN");
    const char *prefix = blocked ? "BLOCK_" : "ALLOW_";
    if (v.source == Source::Rule && ruleKind) {
        if (*ruleKind == RuleKind::Sha256)
            return std::string(prefix) + "BINARY";
        if (*ruleKind == RuleKind::Signer)
            return std::string(prefix) + "CERTIFICATE";
        return std::string(prefix) + "SCOPE";
    }
    if (v.source == Source::Rule)
        return std::string(prefix) + "SCOPE";
    return std::string(prefix) + "UNKNOWN";
}

json postflightRequest(const std::string &machineId, const std::string &syncType,
                       const ApplyCounts &counts)
{
    return json{{"machine_id", machineId},
                {"sync_type", syncType},
                {"rules_received", counts.received},
                {"rules_processed", counts.processed}};
}

} // namespace sync
} // namespace pg
