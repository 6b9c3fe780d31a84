// RuleExplainer.h - "test this path": which rule would decide a start, and
// why, computed by the kernel component's own matcher.
//
// The rules are encoded as on the wire (encodeSetPolicy), compiled with
// driver/core's pg_rule_cache_build and matched with pg_rule_cache_match,
// so the answer is the component's answer and precedence is defined in one
// place (driver/core/pg_rules.h). Like the component's user-mode side, the
// explainer loops on pg_match_result.needs: when a SHA-256 rule could
// outrank the provisional answer it hashes the file (FileDigest.h) and
// matches again; the command line and the owning package are
// used when the query or a provider supplies them, and reported as missing
// otherwise, so a provisional answer is never shown as final.
//
// Qt-free, no global state; blocking only while it reads a file to hash it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "FileDigest.h" // sha256OfFile, for facts the caller leaves out
#include "Types.h"
#include "pg_rules.h" // PG_FACT_*

namespace pg
{

struct ExplainQuery {
    std::string image;       // the program to start (full path)
    std::string parentImage; // the starting program; empty: unknown
    uint32_t uid = 0;
    std::vector<uint32_t> gids;         // the process's groups, primary first
    std::optional<std::string> cmdline; // arguments joined by ' '; nullopt: unknown
    // The moment to explain at (UTC seconds since 1970) with the local
    // zone's offset then, and the running boot (16 bytes; empty: unknown).
    // Rules outside their schedule or past their expiry at that moment do
    // not take part (pg_schedule.h); nullopt: every rule counts as in force.
    std::optional<int64_t> atUtc;
    int32_t utcOffset = 0;
    std::vector<uint8_t> bootId;
};

// Where facts come from when a rule of their kind could decide. A provider
// returns false (with *error) when it cannot tell.
struct ExplainFacts {
    // Lower-case hex SHA-256 of the file; default: read and hash it.
    std::function<bool(const std::string &path, std::string *hex, std::string *error)> sha256;
    // The package that installed path unmodified ("" when none); unset:
    // unknown (the component asks the package manager itself).
    std::function<bool(const std::string &path, std::string *package, std::string *error)> package;
};

struct Explanation {
    bool ok = false;   // false: the rules did not compile (error says why)
    std::string error; // why not, or a fact that could not be obtained
    bool matched = false;
    size_t index = 0; // position of the deciding rule in the list
    Verdict action = Verdict::None;
    RuleKind kind = RuleKind::Exact;
    bool final = true;    // false: a missing fact could change the answer
    uint32_t missing = 0; // PG_FACT_* still unknown that could matter
    std::string sha256;   // computed digest ("" when not needed)
    // With ExplainQuery::atUtc: positions of rules that match but are not
    // in force then (outside their schedule, or expired).
    std::vector<size_t> dormant;
    std::string text; // the answer in sentences, for people
};

// Which of rules (in policy order) decides query, and why. mode tells
// what happens when no rule matches.
Explanation explainRules(const std::vector<Rule> &rules, bool policyCaseFold, Mode mode,
                         const ExplainQuery &query, const ExplainFacts &facts = {});

} // namespace pg
