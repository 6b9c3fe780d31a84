// PolicyFile.cpp - the JSON policy format, its checks, its migration and
// its atomic save. The format and its rules are documented in PolicyFile.h.
#include "PolicyFile.h"

#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#include "Messages.h"
#include "RuleTimeText.h"
#include "pg_rules.h"
#include "pg_validate.h"

namespace pg
{
namespace policy
{

using nlohmann::json;

namespace
{

// Thrown inside the parser only; turned into a PolicyError at its edge.
struct FieldError {
    std::string pointer;
    std::string message;
};

[[noreturn]] void bad(const std::string &pointer, const std::string &message)
{
    throw FieldError{pointer, message};
}

const char *typeName(const json &v)
{
    return v.type_name(); // "string", "number", "object", ...
}

const json &need(const json &obj, const std::string &at, const char *key)
{
    auto it = obj.find(key);
    if (it == obj.end())
        bad(at + "/" + key, std::string("The field \"") + key + "\" is missing.");
    return *it;
}

std::string getString(const json &v, const std::string &at)
{
    if (!v.is_string())
        bad(at, std::string("Expected a string, found ") + typeName(v) + ".");
    return v.get<std::string>();
}

bool getBool(const json &v, const std::string &at)
{
    if (!v.is_boolean())
        bad(at, std::string("Expected true or false, found ") + typeName(v) + ".");
    return v.get<bool>();
}

uint32_t getUint32(const json &v, const std::string &at, uint32_t max = 0xFFFFFFFFu)
{
    if (!v.is_number_integer())
        bad(at, std::string("Expected a whole number, found ") + typeName(v) + ".");
    if (v.is_number_unsigned()) {
        const uint64_t n = v.get<uint64_t>();
        if (n <= max)
            return static_cast<uint32_t>(n);
    }
    bad(at,
        "Expected a whole number from 0 to " + std::to_string(max) + ", found " + v.dump() + ".");
}

bool isHex(const std::string &s)
{
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    return true;
}

// Line and column (1-based) of byte offset in text.
void position(const std::string &text, size_t offset, int *line, int *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++*line;
            *column = 1;
        } else {
            ++*column;
        }
    }
}

const std::set<std::string> &knownTopLevelKeys()
{
    static const std::set<std::string> keys{
        "schema", "mode", "default_verdict", "timeout_ms", "hold_budget_ms", "case_fold", "rules"};
    return keys;
}

const json &needObject(const json &v, const std::string &at, const char *what)
{
    if (!v.is_object())
        bad(at, std::string("Expected ") + what + " (an object), found " + typeName(v) + ".");
    return v;
}

void onlyKeys(const json &v, const std::string &at, const std::set<std::string> &keys,
              const char *what)
{
    for (auto it = v.begin(); it != v.end(); ++it)
        if (!keys.count(it.key()))
            bad(at + "/" + it.key(),
                std::string("Unknown ") + what + " field \"" + it.key() + "\".");
}

// "schedule": {"days": ["mon", ...], "windows": [{"from": "16:00", "to": "18:00"}]}
void parseSchedule(const json &v, const std::string &at, RuleTime *t)
{
    needObject(v, at, "a schedule");
    onlyKeys(v, at, {"days", "windows"}, "schedule");
    if (v.contains("days")) {
        const json &days = v["days"];
        if (!days.is_array())
            bad(at + "/days",
                std::string("Expected a list of days, found ") + typeName(days) + ".");
        for (size_t i = 0; i < days.size(); ++i) {
            const std::string dat = at + "/days/" + std::to_string(i);
            const std::string name = getString(days[i], dat);
            const std::optional<uint8_t> bit = dayBit(name);
            if (!bit)
                bad(dat, "\"" + name + "\" is not a day (mon, tue, wed, thu, fri, sat, sun).");
            if (t->days & *bit)
                bad(dat, "The day \"" + name + "\" is listed twice.");
            t->days |= *bit;
        }
        if (days.empty())
            bad(at + "/days", "The list of days is empty; leave \"days\" out for every day.");
    }
    if (v.contains("windows")) {
        const json &windows = v["windows"];
        if (!windows.is_array())
            bad(at + "/windows",
                std::string("Expected a list of windows, found ") + typeName(windows) + ".");
        if (windows.size() > PG_MAX_WINDOWS)
            bad(at + "/windows",
                "A schedule has at most " + std::to_string(PG_MAX_WINDOWS) + " time windows.");
        for (size_t i = 0; i < windows.size(); ++i) {
            const std::string wat = at + "/windows/" + std::to_string(i);
            const json &w = needObject(windows[i], wat, "a window");
            onlyKeys(w, wat, {"from", "to"}, "window");
            TimeWindow tw;
            std::string why;
            if (!parseClock(getString(need(w, wat, "from"), wat + "/from"), false, &tw.start, &why))
                bad(wat + "/from", why);
            if (!parseClock(getString(need(w, wat, "to"), wat + "/to"), true, &tw.end, &why))
                bad(wat + "/to", why);
            if (tw.start == tw.end)
                bad(wat + "/to", "The window " + formatWindow(tw) +
                                     " is empty (its start and end are the same time).");
            t->windows.push_back(tw);
        }
    }
}

// "budget": {"per_day": "1h30m", "group": 2, "grace": "1m"}
void parseBudget(const json &v, const std::string &at, RuleTime *t)
{
    needObject(v, at, "a budget");
    onlyKeys(v, at, {"per_day", "group", "grace"}, "budget");
    uint64_t secs = 0;
    std::string why;
    if (!parseDuration(getString(need(v, at, "per_day"), at + "/per_day"), PG_DAY_SECONDS, &secs,
                       &why))
        bad(at + "/per_day", why);
    if (secs == 0)
        bad(at + "/per_day", "A daily budget of 0 would block all day; use a block rule, or "
                             "leave \"budget\" out for no budget.");
    t->budgetSeconds = static_cast<uint32_t>(secs);
    if (v.contains("group"))
        t->budgetGroup = getUint32(v["group"], at + "/group");
    if (v.contains("grace")) {
        if (!parseDuration(getString(v["grace"], at + "/grace"), PG_MAX_BUDGET_GRACE_S, &secs,
                           &why))
            bad(at + "/grace", why);
        t->graceSeconds = static_cast<uint32_t>(secs);
    }
}

// "expires": {"kind": "once"} | {"kind": "reboot"[, "boot_id": HEX]} |
//            {"kind": "at", "at": "2026-11-21T16:00:00Z"}
void parseExpires(const json &v, const std::string &at, RuleTime *t)
{
    needObject(v, at, "an expiry");
    const std::string kind = getString(need(v, at, "kind"), at + "/kind");
    if (kind == "once") {
        onlyKeys(v, at, {"kind"}, "expiry");
        t->expiry = Expiry::Once;
    } else if (kind == "reboot") {
        onlyKeys(v, at, {"kind", "boot_id"}, "expiry");
        t->expiry = Expiry::Reboot;
        if (v.contains("boot_id")) {
            const std::string hex = getString(v["boot_id"], at + "/boot_id");
            if (hex.size() != 2 * PG_BOOT_ID_BYTES || !isHex(hex))
                bad(at + "/boot_id",
                    "A boot id is " + std::to_string(2 * PG_BOOT_ID_BYTES) + " hex digits.");
            for (size_t i = 0; i < PG_BOOT_ID_BYTES; ++i)
                t->bootId.push_back(
                    static_cast<uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16)));
        }
    } else if (kind == "at") {
        onlyKeys(v, at, {"kind", "at"}, "expiry");
        t->expiry = Expiry::At;
        std::string why;
        if (!parseUtcTime(getString(need(v, at, "at"), at + "/at"), &t->expiresAt, &why))
            bad(at + "/at", why);
        if (t->expiresAt <= 0)
            bad(at + "/at", "An expiry needs a time after 1970-01-01T00:00:00Z.");
    } else {
        bad(at + "/kind", "Unknown expiry kind \"" + kind + "\" (once, at or reboot).");
    }
}

Rule parseRule(const json &v, const std::string &at)
{
    static const std::set<std::string> keys{"id",       "kind",   "action",    "pattern", "parent",
                                            "user",     "group",  "case_fold", "message", "link",
                                            "schedule", "budget", "expires"};
    if (!v.is_object())
        bad(at, std::string("Expected a rule (an object), found ") + typeName(v) + ".");
    for (auto it = v.begin(); it != v.end(); ++it)
        if (!keys.count(it.key()))
            bad(at + "/" + it.key(), "Unknown rule field \"" + it.key() + "\".");

    Rule r;
    if (v.contains("id"))
        r.id = getUint32(v["id"], at + "/id");
    const std::string kind = getString(need(v, at, "kind"), at + "/kind");
    const std::optional<RuleKind> k = ruleKindFromString(kind);
    if (!k)
        bad(at + "/kind", "Unknown rule kind \"" + kind +
                              "\" (exact, glob, prefix, sha256, cmdline, package or signer).");
    r.kind = *k;
    const std::string action = getString(need(v, at, "action"), at + "/action");
    const std::optional<Verdict> a = actionFromString(action);
    if (!a)
        bad(at + "/action", "Unknown action \"" + action + "\" (allow, block or ask).");
    r.action = *a;
    r.pattern = getString(need(v, at, "pattern"), at + "/pattern");
    if (v.contains("parent"))
        r.parent = getString(v["parent"], at + "/parent");
    if (v.contains("user") && !v["user"].is_null())
        r.uid = getUint32(v["user"], at + "/user");
    if (v.contains("group") && !v["group"].is_null())
        r.gid = getUint32(v["group"], at + "/group");
    if (v.contains("case_fold"))
        r.caseFold = getBool(v["case_fold"], at + "/case_fold");
    if (v.contains("message"))
        r.message = getString(v["message"], at + "/message");
    if (v.contains("link"))
        r.link = getString(v["link"], at + "/link");
    if (v.contains("schedule"))
        parseSchedule(v["schedule"], at + "/schedule", &r.time);
    if (v.contains("budget"))
        parseBudget(v["budget"], at + "/budget", &r.time);
    if (v.contains("expires"))
        parseExpires(v["expires"], at + "/expires", &r.time);

    const RuleProblem p = checkRule(r);
    if (!p.field.empty())
        bad(at + "/" + p.field, p.message);
    return r;
}

PolicyDocument parseDocument(json doc)
{
    if (!doc.is_object())
        bad("", std::string("Expected a policy (an object), found ") + typeName(doc) + ".");
    const json &schemaValue = need(doc, "", "schema");
    if (!schemaValue.is_number_integer())
        bad("/schema",
            std::string("Expected a schema version number, found ") + typeName(schemaValue) + ".");
    const int64_t schema = schemaValue.get<int64_t>();
    if (schema > kSchemaVersion)
        bad("/schema", "The policy has schema version " + std::to_string(schema) +
                           ", newer than this version of ProcGuard reads (" +
                           std::to_string(kSchemaVersion) + "); update ProcGuard to use it.");
    if (schema < kOldestSchemaVersion)
        bad("/schema", "Schema version " + std::to_string(schema) + " does not exist.");
    if (schema == 1) {
        PolicyError e;
        if (!migrateSchema1To2(&doc, &e))
            bad(e.pointer, e.message);
    }
    if (schema <= 2) {
        PolicyError e;
        if (!migrateSchema2To3(&doc, &e))
            bad(e.pointer, e.message);
    }

    PolicyDocument out;
    Policy &p = out.policy;
    const std::string mode = getString(need(doc, "", "mode"), "/mode");
    const std::optional<Mode> m = modeFromString(mode);
    if (!m)
        bad("/mode", "Unknown mode \"" + mode + "\" (monitor, prompt or lockdown).");
    p.mode = *m;
    if (doc.contains("default_verdict")) {
        const std::string d = getString(doc["default_verdict"], "/default_verdict");
        const std::optional<Verdict> v = verdictFromString(d);
        if (!v)
            bad("/default_verdict", "Unknown default verdict \"" + d + "\" (allow or block).");
        p.defaultVerdict = *v;
    }
    if (doc.contains("timeout_ms"))
        p.timeoutMs = getUint32(doc["timeout_ms"], "/timeout_ms", PG_MAX_TIMEOUT_MS);
    if (doc.contains("hold_budget_ms"))
        p.holdBudgetMs = getUint32(doc["hold_budget_ms"], "/hold_budget_ms", PG_MAX_HOLD_BUDGET_MS);
    if (doc.contains("case_fold"))
        p.caseFold = getBool(doc["case_fold"], "/case_fold");
    const json &rules = need(doc, "", "rules");
    if (!rules.is_array())
        bad("/rules", std::string("Expected a list of rules, found ") + typeName(rules) + ".");
    if (rules.size() > PG_MAX_RULES)
        bad("/rules", "A policy holds at most " + std::to_string(PG_MAX_RULES) + " rules.");
    for (size_t i = 0; i < rules.size(); ++i)
        p.rules.push_back(parseRule(rules[i], "/rules/" + std::to_string(i)));

    for (auto it = doc.begin(); it != doc.end(); ++it)
        if (!knownTopLevelKeys().count(it.key()))
            out.extensions[it.key()] = it.value();
    return out;
}

// ordered_json: the documented key order, inside the time objects too.
nlohmann::ordered_json ruleToJson(const Rule &r)
{
    using ojson = nlohmann::ordered_json;
    ojson j = ojson::object();
    if (r.id != 0)
        j["id"] = r.id;
    j["kind"] = toString(r.kind);
    j["action"] = toString(r.action);
    j["pattern"] = r.pattern;
    if (!r.parent.empty())
        j["parent"] = r.parent;
    if (r.uid)
        j["user"] = *r.uid;
    if (r.gid)
        j["group"] = *r.gid;
    if (r.caseFold)
        j["case_fold"] = true;
    if (!r.message.empty())
        j["message"] = r.message;
    if (!r.link.empty())
        j["link"] = r.link;
    const RuleTime &t = r.time;
    if (t.days != 0 || !t.windows.empty()) {
        ojson s = ojson::object();
        if (t.days != 0) {
            s["days"] = ojson::array();
            for (int d = 0; d < 7; ++d)
                if (t.days & (1u << d))
                    s["days"].push_back(dayName(d));
        }
        if (!t.windows.empty()) {
            s["windows"] = ojson::array();
            for (const TimeWindow &w : t.windows)
                s["windows"].push_back(
                    {{"from", formatClock(w.start)},
                     {"to", w.end == 0 ? std::string("24:00") : formatClock(w.end)}});
        }
        j["schedule"] = s;
    }
    if (t.budgetSeconds != 0) {
        ojson b = ojson::object();
        b["per_day"] = formatDuration(t.budgetSeconds);
        if (t.budgetGroup != 0)
            b["group"] = t.budgetGroup;
        if (t.graceSeconds != 0)
            b["grace"] = formatDuration(t.graceSeconds);
        j["budget"] = b;
    }
    if (t.expiry == Expiry::Once) {
        j["expires"] = {{"kind", "once"}};
    } else if (t.expiry == Expiry::At) {
        j["expires"] = {{"kind", "at"}, {"at", formatUtcTime(t.expiresAt)}};
    } else if (t.expiry == Expiry::Reboot) {
        ojson e = {{"kind", "reboot"}};
        if (t.bootId.size() == PG_BOOT_ID_BYTES) {
            static const char hex[] = "0123456789abcdef";
            std::string h;
            for (uint8_t b : t.bootId) {
                h += hex[b >> 4];
                h += hex[b & 15];
            }
            e["boot_id"] = h;
        }
        j["expires"] = e;
    }
    return j;
}

std::string directoryOf(const std::string &path)
{
    const size_t slash = path.find_last_of("/\\");
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return "/";
    return path.substr(0, slash);
}

std::string sysText(int e)
{
    return std::strerror(e);
}

} // namespace

json ruleTimeToJson(const RuleTime &time)
{
    Rule r;
    r.time = time;
    const nlohmann::ordered_json all = ruleToJson(r);
    json out = json::object();
    for (const char *key : {"schedule", "budget", "expires"})
        if (all.contains(key))
            out[key] = json::parse(all[key].dump());
    return out;
}

RuleProblem checkRule(const Rule &r)
{
    if (r.pattern.empty())
        return {"pattern", "The pattern is empty."};
    if (r.pattern.size() + 1 > PG_MAX_PATTERN_BYTES)
        return {"pattern", "The pattern is longer than " +
                               std::to_string(PG_MAX_PATTERN_BYTES - 1) + " bytes."};
    if (r.pattern.find('\0') != std::string::npos)
        return {"pattern", "The pattern holds a NUL character."};
    if (r.kind == RuleKind::Prefix && r.pattern.back() != '/')
        return {"pattern", "A prefix pattern must end with '/'."};
    if (r.kind == RuleKind::Sha256 &&
        (r.pattern.size() != PG_SHA256_HEX_CHARS || !isHex(r.pattern)))
        return {"pattern", "A SHA-256 pattern is exactly 64 hex digits."};
    if (r.parent.size() + 1 > PG_MAX_PATTERN_BYTES)
        return {"parent", "The parent glob is longer than " +
                              std::to_string(PG_MAX_PATTERN_BYTES - 1) + " bytes."};
    if (r.action != Verdict::Allow && r.action != Verdict::Block && r.action != Verdict::Ask)
        return {"action", "The action must be allow, block or ask."};
    if (r.uid && r.gid)
        return {"group", "A rule is for a user or for a group, not both."};
    if (r.message.size() + 1 > PG_MAX_RULE_MESSAGE_BYTES)
        return {"message", "The message is longer than " +
                               std::to_string(PG_MAX_RULE_MESSAGE_BYTES - 1) + " bytes."};
    if (r.link.size() + 1 > PG_MAX_RULE_LINK_BYTES)
        return {"link", "The link is longer than " + std::to_string(PG_MAX_RULE_LINK_BYTES - 1) +
                            " bytes."};
    const TimeProblem t = checkRuleTime(r.time);
    if (!t.field.empty())
        return {t.field, t.message};
    return {};
}

bool checkPolicy(const Policy &policy, PolicyError *error)
{
    for (size_t i = 0; i < policy.rules.size(); ++i) {
        const RuleProblem p = checkRule(policy.rules[i]);
        if (!p.field.empty()) {
            error->pointer = "/rules/" + std::to_string(i) + "/" + p.field;
            error->message = "Rule " + std::to_string(i + 1) + ": " + p.message;
            return false;
        }
    }
    // The same bytes the component gets, through the component's own checks.
    std::string why;
    const std::vector<uint8_t> bytes = msg::encodeSetPolicy(1, policy, &why);
    if (bytes.empty()) {
        error->pointer = "/rules";
        error->message = why;
        return false;
    }
    uint32_t detail = 0;
    int rc = pg_validate_client_message(bytes.data(), bytes.size(), &detail);
    if (rc == PG_OK) {
        const size_t off = sizeof(pg_policy);
        const void *records = bytes.data() + off;
        const size_t len = bytes.size() - off;
        const uint32_t count = static_cast<uint32_t>(policy.rules.size());
        std::vector<uint8_t> arena(pg_rule_cache_arena_size(records, len, count));
        pg_rule_cache rc2;
        rc = pg_rule_cache_build_ex(&rc2, arena.data(), arena.size(), records, len, count,
                                    policy.caseFold ? PG_POLF_CASE_FOLD : 0u, &detail);
    }
    if (rc != PG_OK) {
        const bool dup = rc == PG_E_RANGE && detail < policy.rules.size() &&
                         policy.rules[detail].id != 0 && [&] {
                             for (size_t i = 0; i < detail; ++i)
                                 if (policy.rules[i].id == policy.rules[detail].id)
                                     return true;
                             return false;
                         }();
        if (detail < policy.rules.size()) {
            error->pointer = "/rules/" + std::to_string(detail) + (dup ? "/id" : "");
            error->message = dup ? "Rule " + std::to_string(detail + 1) + " reuses the id " +
                                       std::to_string(policy.rules[detail].id) + "."
                                 : "Rule " + std::to_string(detail + 1) +
                                       " is refused by the rule checks (code " +
                                       std::to_string(rc) + ").";
        } else {
            error->pointer = "";
            error->message =
                "The policy is refused by the rule checks (code " + std::to_string(rc) + ").";
        }
        return false;
    }
    return true;
}

bool migrateSchema1To2(json *doc, PolicyError *error)
{
    // Schema 1 knew exact, glob and prefix rules that allow or block, with
    // an optional "uid". Anything else in a schema-1 file is an error: it
    // was not written by a schema-1 tool.
    json &d = *doc;
    if (d.contains("rules") && d["rules"].is_array()) {
        json &rules = d["rules"];
        for (size_t i = 0; i < rules.size(); ++i) {
            json &r = rules[i];
            const std::string at = "/rules/" + std::to_string(i);
            if (!r.is_object())
                continue; // reported by the schema-2 parser
            for (const char *newer :
                 {"user", "group", "message", "link", "schedule", "budget", "expires"}) {
                if (r.contains(newer)) {
                    error->pointer = at + "/" + newer;
                    const bool timeField = std::strcmp(newer, "schedule") == 0 ||
                                           std::strcmp(newer, "budget") == 0 ||
                                           std::strcmp(newer, "expires") == 0;
                    error->message = std::string("The field \"") + newer +
                                     "\" does not exist in schema 1; set \"schema\" to " +
                                     (timeField ? "3." : "2.");
                    return false;
                }
            }
            if (r.contains("kind") && r["kind"].is_string()) {
                const std::optional<RuleKind> k = ruleKindFromString(r["kind"].get<std::string>());
                if (k && *k != RuleKind::Exact && *k != RuleKind::Glob && *k != RuleKind::Prefix) {
                    error->pointer = at + "/kind";
                    error->message = "The rule kind \"" + r["kind"].get<std::string>() +
                                     "\" does not exist in schema 1; set \"schema\" to 2.";
                    return false;
                }
            }
            if (r.contains("action") && r["action"].is_string() &&
                actionFromString(r["action"].get<std::string>()) == Verdict::Ask) {
                error->pointer = at + "/action";
                error->message =
                    "The action \"ask\" does not exist in schema 1; set \"schema\" to 2.";
                return false;
            }
            if (r.contains("uid")) {
                if (!r["uid"].is_null())
                    r["user"] = r["uid"];
                r.erase("uid");
            }
        }
    }
    d.erase("generation"); // schema 1 carried the component's counter; it means nothing in a file
    d["schema"] = 2;
    return true;
}

bool migrateSchema2To3(json *doc, PolicyError *error)
{
    // Schema 3 only adds the time fields; a schema-2 file that already
    // holds one was not written by a schema-2 tool, so it is refused
    // rather than silently given a meaning its author may not expect.
    json &d = *doc;
    if (d.contains("rules") && d["rules"].is_array()) {
        const json &rules = d["rules"];
        for (size_t i = 0; i < rules.size(); ++i) {
            if (!rules[i].is_object())
                continue; // reported by the parser
            for (const char *newer : {"schedule", "budget", "expires"}) {
                if (rules[i].contains(newer)) {
                    error->pointer = "/rules/" + std::to_string(i) + "/" + newer;
                    error->message = std::string("The field \"") + newer +
                                     "\" does not exist in schema 2; set \"schema\" to 3.";
                    return false;
                }
            }
        }
    }
    d["schema"] = 3;
    return true;
}

bool parsePolicyJson(const std::string &text, PolicyDocument *out, PolicyError *error)
{
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error &e) {
        PolicyError pe;
        const size_t at = e.byte > 0 ? e.byte - 1 : 0;
        position(text, at, &pe.line, &pe.column);
        // nlohmann's what() is "[json.exception.parse_error.101] parse error at line 1,
        // column 2: syntax error while parsing ..."; keep the part after the position.
        std::string what = e.what();
        const size_t colon = what.find(": ", what.find("column"));
        if (colon != std::string::npos)
            what = what.substr(colon + 2);
        pe.message = "Syntax error at line " + std::to_string(pe.line) + ", column " +
                     std::to_string(pe.column) + ": " + what;
        if (text.find_first_not_of(" \t\r\n") == std::string::npos)
            pe.message = "The file is empty.";
        *error = pe;
        return false;
    }
    try {
        PolicyDocument parsed = parseDocument(std::move(doc));
        PolicyError pe;
        if (!checkPolicy(parsed.policy, &pe)) {
            *error = pe;
            return false;
        }
        *out = std::move(parsed);
        return true;
    } catch (const FieldError &f) {
        PolicyError pe;
        pe.pointer = f.pointer;
        pe.message = "At " + (f.pointer.empty() ? std::string("the top level") : f.pointer) + ": " +
                     f.message;
        *error = pe;
        return false;
    }
}

std::string toPolicyJson(const PolicyDocument &doc)
{
    const Policy &p = doc.policy;
    // ordered_json keeps the documented key order, so files diff well.
    nlohmann::ordered_json j;
    j["schema"] = kSchemaVersion;
    j["mode"] = toString(p.mode);
    j["default_verdict"] = toString(p.defaultVerdict);
    j["timeout_ms"] = p.timeoutMs;
    j["hold_budget_ms"] = p.holdBudgetMs;
    j["case_fold"] = p.caseFold;
    j["rules"] = nlohmann::ordered_json::array();
    for (const Rule &r : p.rules) {
        nlohmann::ordered_json rj;
        const nlohmann::ordered_json u = ruleToJson(r);
        for (const char *key : {"id", "kind", "action", "pattern", "parent", "user", "group",
                                "case_fold", "message", "link", "schedule", "budget", "expires"})
            if (u.contains(key))
                rj[key] = u[key];
        j["rules"].push_back(rj);
    }
    if (doc.extensions.is_object())
        for (auto it = doc.extensions.begin(); it != doc.extensions.end(); ++it)
            if (!knownTopLevelKeys().count(it.key()))
                j[it.key()] = nlohmann::ordered_json::parse(it.value().dump());
    return j.dump(2) + "\n";
}

PolicyFile::PolicyFile(std::string path, FileSystem &fs) : m_path(std::move(path)), m_fs(fs) {}

bool PolicyFile::load(PolicyDocument *out, PolicyError *error) const
{
    std::string text;
    if (int e = m_fs.readFile(m_path, &text)) {
        error->sysError = e;
        error->pointer.clear();
        error->line = error->column = 0;
        error->message = "Cannot read " + m_path + ": " + sysText(e) + ".";
        return false;
    }
    PolicyError pe;
    if (!parsePolicyJson(text, out, &pe)) {
        pe.message = m_path + ": " + pe.message;
        *error = pe;
        return false;
    }
    return true;
}

int PolicyFile::writeAtomically(const std::string &target, const std::string &data,
                                std::string *step) const
{
    const std::string tmp = target + ".tmp";
    m_fs.remove(tmp); // a leftover of an interrupted save
    int handle = -1;
    if (int e = m_fs.createNew(tmp, &handle)) {
        *step = "create " + tmp;
        return e;
    }
    int e = m_fs.writeAll(handle, data.data(), data.size());
    if (e != 0)
        *step = "write " + tmp;
    if (e == 0 && (e = m_fs.sync(handle)) != 0)
        *step = "flush " + tmp;
    const int ce = m_fs.close(handle);
    if (e == 0 && ce != 0) {
        e = ce;
        *step = "close " + tmp;
    }
    if (e == 0 && (e = m_fs.rename(tmp, target)) != 0)
        *step = "replace " + target;
    if (e != 0) {
        m_fs.remove(tmp);
        return e;
    }
    if ((e = m_fs.syncDirectory(directoryOf(target))) != 0) {
        // The new file is in place; only its durability across a power
        // loss is in doubt. Report it: the caller may retry.
        *step = "flush the folder of " + target;
        return e;
    }
    return 0;
}

bool PolicyFile::save(const PolicyDocument &doc, PolicyError *error)
{
    PolicyError pe;
    if (!checkPolicy(doc.policy, &pe)) {
        pe.message = "Not saved to " + m_path + ": " + pe.message;
        *error = pe;
        return false;
    }
    const std::string text = toPolicyJson(doc);
    std::string step;
    std::string previous;
    const int re = m_fs.readFile(m_path, &previous);
    if (re != 0 && re != ENOENT) {
        error->sysError = re;
        error->message =
            "Not saved: cannot read " + m_path + " to back it up: " + sysText(re) + ".";
        return false;
    }
    if (re == 0) {
        if (int e = writeAtomically(backupPath(), previous, &step)) {
            error->sysError = e;
            error->message = "Not saved: cannot " + step + ": " + sysText(e) + ".";
            return false;
        }
    }
    if (int e = writeAtomically(m_path, text, &step)) {
        error->sysError = e;
        error->message = (step.rfind("flush the folder", 0) == 0
                              ? "Saved to " + m_path + ", but cannot " + step +
                                    " (it may not survive a power loss): "
                              : "Not saved: cannot " + step + ": ") +
                         sysText(e) + ".";
        return false;
    }
    return true;
}

} // namespace policy
} // namespace pg
