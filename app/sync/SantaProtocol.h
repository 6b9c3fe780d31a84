// SantaProtocol.h - the Santa sync protocol (v1) as data: the JSON bodies
// procguardctl sends and receives, and how a server's rules and settings
// become ProcGuard rules. Pure: no I/O, no clock, no network; SyncClient
// (SyncClient.h) drives the stages over HTTP and writes the result.
//
// Tolerance, as servers differ (Moroz, Zentral, Rudolph and older ones):
// unknown fields are ignored; a rule's key is "identifier" or the older
// "sha256"; a clean sync is asked for by "sync_type" ("clean",
// "clean_all") or the older boolean "clean_sync"; the path regexes are
// "allowed_path_regex"/"blocked_path_regex" or the older
// "whitelist_regex"/"blacklist_regex". A field of the wrong type is an
// error naming the field; a rule that cannot be used is counted, never
// guessed at.
//
// Mapping (documented for users in docs/fleet-santa.md):
//   rule_type BINARY       -> a "sha256" rule on the identifier (64 hex digits)
//   rule_type CERTIFICATE  -> would be a signer rule (Windows); this build
//                             is Linux-only for sync: ignored, counted
//   TEAMID/SIGNINGID/CDHASH-> macOS-only: ignored, counted
//   policy ALLOWLIST, ALLOWLIST_COMPILER -> allow (no transitive rules)
//          BLOCKLIST, SILENT_BLOCKLIST   -> block (silent: no message)
//          REMOVE                        -> the rule for that identifier goes
//   custom_msg / custom_url -> the rule's message and link
//   allowed_path_regex / blocked_path_regex -> one allow / block "glob"
//          rule each, when the regex is one a glob can say exactly
//          (regexToGlob); otherwise ignored, counted and reported.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "Types.h"

namespace pg
{
namespace sync
{

// What the preflight tells the server about this machine.
struct MachineFacts {
    std::string machineId;    // a UUID (MachineInfo.h)
    std::string serialNumber; // the machine id where there is no serial
    std::string hostname;
    std::string osVersion; // dotted integers ("12.8")
    std::string osBuild;   // the kernel release
    std::string modelIdentifier;
    std::string clientVersion; // ProcGuard's version
    std::string primaryUser;
    Mode mode = Mode::Monitor; // the mode in force, as the server last set it
    bool requestCleanSync = false;
    uint32_t binaryRuleCount = 0;
    uint32_t certificateRuleCount = 0;
    uint32_t compilerRuleCount = 0;
    uint32_t transitiveRuleCount = 0;
    uint32_t teamIdRuleCount = 0;
    uint32_t signingIdRuleCount = 0;
    uint32_t cdhashRuleCount = 0;
};

nlohmann::json preflightRequest(const MachineFacts &facts);

// The preflight answer, reduced to what ProcGuard uses.
struct PreflightReply {
    std::optional<Mode> mode; // client_mode MONITOR/LOCKDOWN; absent: unchanged
    bool cleanSync = false;   // sync_type clean/clean_all, or clean_sync true
    std::string syncType = "normal";
    uint32_t batchSize = 50;          // events per upload
    uint32_t fullSyncIntervalS = 600; // at least 60 (servers may say less)
    bool uploadAllEvents = false;     // enable_all_event_upload
    bool uploadUnknownEvents = true;  // !disable_unknown_event_upload
    std::optional<std::string> allowedPathRegex;
    std::optional<std::string> blockedPathRegex;
};

// Parses a preflight answer (already stripped of ")]}'" and inflated).
// False with *error (one sentence naming the field) on a bad body.
bool parsePreflight(const std::string &body, PreflightReply *out, std::string *error);

// One rule as the server sent it.
struct ServerRule {
    std::string identifier;
    std::string ruleType; // BINARY, CERTIFICATE, TEAMID, SIGNINGID, CDHASH
    std::string policy;   // ALLOWLIST, ALLOWLIST_COMPILER, BLOCKLIST, SILENT_BLOCKLIST, REMOVE
    std::string customMsg;
    std::string customUrl;
};

struct RuleBatch {
    std::vector<ServerRule> rules;
    std::string cursor; // empty: the last batch
};

// Parses one ruledownload answer. A rule without an identifier or a policy
// is an error naming its index.
bool parseRuleBatch(const std::string &body, RuleBatch *out, std::string *error);
// The ruledownload request: {} for the first, {"cursor": c} for the next.
nlohmann::json ruleDownloadRequest(const std::string &cursor);

// What applying the server's rules did, for the postflight, the state file
// and the person reading procguardctl's output.
struct ApplyCounts {
    uint32_t received = 0;  // rules in the download
    uint32_t processed = 0; // became, changed or removed a ProcGuard rule
    uint32_t added = 0;
    uint32_t removed = 0;
    uint32_t ignoredType = 0;       // CERTIFICATE (on Linux), TEAMID, SIGNINGID, CDHASH, unknown
    uint32_t ignoredPolicy = 0;     // unknown policy
    uint32_t invalid = 0;           // a BINARY identifier that is no SHA-256, a too long message...
    uint32_t ignoredRegex = 0;      // path regexes a glob cannot say
    std::vector<std::string> notes; // one sentence per ignored regex or invalid rule (first few)
};

// The server's rule set applied to the rules of the managed file: with
// clean, everything from the server replaces them; otherwise the download
// adds, changes and removes SHA-256 rules by identifier. The path-regex
// rules (kind glob) are always rebuilt from the preflight. Rule ids are
// left 0 (numbered when the policy is loaded).
void applyRules(const std::vector<ServerRule> &download, const PreflightReply &preflight,
                bool clean, std::vector<Rule> *rules, ApplyCounts *counts);

// A Santa path regex as a ProcGuard glob ("*", "?" and "[...]" over the
// whole path), when the regex is a plain path with ".*", ".", "[...]",
// escapes and anchors. nullopt (and *why) for anything a glob cannot say
// exactly (alternation, groups, "+", "?", counted repetition).
std::optional<std::string> regexToGlob(const std::string &regex, std::string *why);

// One decision to upload (EventSpool.h keeps them between syncs).
struct UploadEvent {
    std::string fileSha256; // empty where unknown
    std::string filePath;   // the folder
    std::string fileName;   // the last path component
    std::string executingUser;
    double executionTime = 0; // seconds since 1970 (UTC)
    std::string decision;     // BLOCK_BINARY, BLOCK_UNKNOWN, ALLOW_UNKNOWN, ...
    uint32_t pid = 0;
    uint32_t ppid = 0;
    std::string parentName;
    std::vector<std::string> args;
    std::vector<std::string> loggedInUsers;
};

nlohmann::json toJson(const UploadEvent &e);
bool fromJson(const nlohmann::json &j, UploadEvent *e);
// True for the decisions about a binary no rule knew (BLOCK_UNKNOWN, ALLOW_UNKNOWN).
bool isUnknownDecision(const std::string &decision);
nlohmann::json eventUploadRequest(const std::vector<UploadEvent> &events);

// The Santa decision for one ProcGuard verdict event (PG_EV_VERDICT), or
// nullopt when it is not one Santa reports. ruleKind is the kind of the
// rule that decided (event.ruleId), where known.
//   a start a person was (or would have been) asked about -> BLOCK_UNKNOWN
//   blocked by a sha256 rule -> BLOCK_BINARY; by a signer rule ->
//   BLOCK_CERTIFICATE; by another rule -> BLOCK_SCOPE; by the mode or the
//   default verdict -> BLOCK_UNKNOWN; monitor's "lockdown would block"
//   -> ALLOW_UNKNOWN; allowed: ALLOW_BINARY / ALLOW_CERTIFICATE /
//   ALLOW_SCOPE / ALLOW_UNKNOWN the same way.
std::optional<std::string> decisionFor(const Event &verdict, std::optional<RuleKind> ruleKind);

nlohmann::json postflightRequest(const std::string &machineId, const std::string &syncType,
                                 const ApplyCounts &counts);

// "MONITOR"/"LOCKDOWN" (case-insensitive) -> the mode; nullopt otherwise.
std::optional<Mode> modeFromClientMode(const std::string &s);
const char *clientModeName(Mode m); // prompt is reported as LOCKDOWN (it blocks unknown)

// Strips the anti-JSON-hijacking prefix ")]}'" (and the line break after it).
std::string stripJsonPrefix(const std::string &body);

} // namespace sync
} // namespace pg
