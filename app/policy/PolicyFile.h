// PolicyFile.h - the policy as a JSON file: parse, validate, migrate, save.
//
// Owns the file format (schema) and the atomic, backed-up save. It does
// not talk to the kernel component; procguardctl (rules import/export,
// explain --policy) and the panel use it and send the Policy on.
//
// Format (schema 3, the current one):
//
//   {
//     "schema": 3,
//     "mode": "lockdown",            monitor | prompt | lockdown
//     "default_verdict": "block",    allow | block
//     "timeout_ms": 30000,
//     "hold_budget_ms": 250,
//     "case_fold": false,            every rule case-insensitive
//     "rules": [
//       { "id": 1,                   optional; 0 or absent = numbered on send
//         "kind": "sha256",          exact | glob | prefix | sha256 | cmdline | package | signer
//         "action": "block",         allow | block | ask
//         "pattern": "9f86…",        prefix: ends with '/'; sha256: 64 hex digits;
//                                    signer: glob over the trusted signer's name (Windows)
//         "parent": "/usr/bin/*",    optional glob on the parent's image
//         "user": 1000,              optional uid      (not with group)
//         "group": 100,              optional gid      (not with user)
//         "case_fold": false,        optional
//         "message": "Not now.",     optional, shown when it blocks
//         "link": "https://…",       optional
//         "schedule": {              optional: when the rule exists (local time)
//           "days": ["mon", "fri"],  optional (mon .. sun); absent = every day
//           "windows": [             optional, at most 4; absent = whole days
//             {"from": "16:00", "to": "18:00"} ] },
//         "budget": {                optional: daily running time of what it matches
//           "per_day": "1h30m",      1s to 24h (units h, m, s in that order)
//           "group": 2,              optional; nonzero: rules of one group share it
//           "grace": "1m" },         optional, at most 1h: running programs end
//                                    this long after the warning
//         "expires": {"kind": "at", "at": "2026-11-21T16:00:00Z"} }  optional:
//                                    "at" (UTC), {"kind": "once"} (used up by the
//                                    first start it decides) or {"kind": "reboot"}
//                                    (with "boot_id", 32 hex digits, once the
//                                    component stamped it)
//     ]
//   }
//
// Times of day are "HH:MM" (or "HH:MM:SS"); "to" may be "24:00" (midnight).
// A window whose "to" is before its "from" crosses midnight and belongs to
// the day it starts on ("fri" 22:00-02:00 covers Saturday 00:00-02:00);
// from == to is an error (leave "windows" out for whole days). Outside its
// schedule or past its expiry a rule does not exist for matching (see
// driver/core/pg_schedule.h); a used-up budget makes it block.
//
// Schema 1 is the original format: kinds exact, glob and prefix, actions
// allow and block, the condition "uid" (a number or null) and no group,
// message or link. Schema 2 added those but no time fields. Older files
// are migrated when they are read (schema 1: "uid" becomes "user"; schema
// 2 needs nothing) and always written back as schema 3; a field an older
// schema did not have is an error in a file of that schema. A file with a
// newer schema than this build knows is refused with an error that says
// so; nothing of it is used.
//
// Unknown keys: unknown TOP-LEVEL keys are kept (PolicyDocument::extensions)
// and written back unchanged by save(), so sections added by a newer tool
// (a panel's layout, say) survive an edit by this one. Unknown keys INSIDE a rule
// are an error: a rule field we do not understand may narrow or widen what
// the rule matches, and guessing would allow what its author meant to block.
//
// Errors: every error names where it is - the line and column of a syntax
// error (1-based, as the parser found it), or the JSON pointer of the bad
// field ("/rules/3/kind") - in one sentence. On any error the caller's
// document is left untouched, so the last good policy stays in force.
//
// Saving: the new text goes to a temporary file in the same directory,
// which is written, fsync'ed and renamed over the file; then the directory
// is fsync'ed. Before that, the previous file (if any) is copied to
// "<file>.bak" the same way, so a backup of the last policy exists after
// every save. Any failed step (a full disk, a failed rename) removes the
// temporary file and leaves the old file - and the policy - as they were.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "FileSystem.h"
#include "Types.h"

namespace pg
{
namespace policy
{

constexpr int kSchemaVersion = 3;       // what this build writes
constexpr int kOldestSchemaVersion = 1; // what it still reads (migrated)

struct PolicyDocument {
    Policy policy;
    nlohmann::json extensions = nlohmann::json::object(); // unknown top-level keys, kept
};

struct PolicyError {
    std::string message; // one sentence, naming the file and the position or field
    std::string pointer; // JSON pointer of the bad field; empty for syntax and I/O errors
    int line = 0;        // syntax errors: 1-based position; 0 otherwise
    int column = 0;
    int sysError = 0; // I/O errors: the errno; 0 otherwise
};

// Text <-> document, no I/O. parse returns false and fills *error (its
// message names no file) without touching *out.
bool parsePolicyJson(const std::string &text, PolicyDocument *out, PolicyError *error);
std::string toPolicyJson(const PolicyDocument &doc); // pretty, ends with '\n'

// A rule's time conditions as the file writes them: an object with the
// keys "schedule", "budget" and "expires" where present (empty for none).
// procguardctl's JSON output uses the same shape.
nlohmann::json ruleTimeToJson(const RuleTime &time);

// What is wrong with one rule, checked as the component will check it
// (pattern present and within its limit, a prefix ends with '/', a
// SHA-256 is 64 hex digits, not both user and group, message and link
// within their limits, time conditions in range - RuleTimeText.h). field
// is the rule's JSON key ("pattern"), or a path below it for a time field
// ("schedule/windows/1"); both empty when the rule is fine.
struct RuleProblem {
    std::string field;
    std::string message; // one sentence
};
RuleProblem checkRule(const Rule &rule);

// Checks a whole policy the way the component will: every rule, then the
// encoded records through the core's validator and rule-cache build
// (duplicate ids, anything the wire refuses). error->pointer names the
// rule ("/rules/2/id").
bool checkPolicy(const Policy &policy, PolicyError *error);

// Turn a parsed schema-1 document into schema 2, and a schema-2 one into
// schema 3, in place. Exposed for tests; parsePolicyJson calls them.
bool migrateSchema1To2(nlohmann::json *doc, PolicyError *error);
bool migrateSchema2To3(nlohmann::json *doc, PolicyError *error);

class PolicyFile
{
public:
    explicit PolicyFile(std::string path, FileSystem &fs = systemFileSystem());

    const std::string &path() const { return m_path; }
    std::string backupPath() const { return m_path + ".bak"; }

    // Reads and checks the file. On error returns false and leaves *out as it was.
    bool load(PolicyDocument *out, PolicyError *error) const;
    // Writes doc atomically, keeping the previous file as backupPath().
    bool save(const PolicyDocument &doc, PolicyError *error);

private:
    int writeAtomically(const std::string &target, const std::string &data,
                        std::string *step) const;

    std::string m_path;
    FileSystem &m_fs;
};

} // namespace policy
} // namespace pg
