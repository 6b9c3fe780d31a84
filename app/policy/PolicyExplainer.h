// PolicyExplainer.h - "which rule would decide this start, and why": the
// policy compiled with the core's own rule cache (driver/core/pg_rules.h)
// and matched the way the component matches, facts loop included.
//
// Used by `procguardctl explain` and meant for the panel's "test this
// path" preview. Pure computation apart from hashImage, which the caller
// provides (it reads the file); no component is needed.
//
// The facts loop: the core answers with what it could decide and names the
// facts it lacks (pg_match_result.needs). When it lacks the image's
// SHA-256, hashImage computes it and the match runs again; a missing
// command line or package cannot be fetched here - the answer is then
// marked provisional and missingFacts names them - unless packageOf is
// given, which looks the owning package up (DpkgPackageLookup).
//
// Time: with ExplainEnvironment::time the rules are taken as they stand at
// that moment (driver/core/pg_schedule.h's pg_rule_state_at): a rule
// outside its schedule or past its expiry does not take part, and every
// such rule that matches is reported (DormantRule) - with the rule that
// would have decided otherwise named in the summary. Budgets are kept by
// the component; a rule with one is only noted. Without time, every rule
// counts as in force.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "RuleTimeText.h"
#include "Types.h"

namespace pg
{
namespace policy
{

struct StartFacts {
    std::string image;                      // the program's path, as the component sees it
    std::optional<std::string> parentImage; // nullopt: unknown parent (no parent rule holds)
    uint32_t uid = 0;
    std::vector<uint32_t> gids;         // primary group first
    std::optional<std::string> cmdline; // arguments joined by ' '; nullopt: unknown
    std::optional<std::string> sha256;  // nullopt: computed by hashImage when needed
    bool packageKnown = false;          // with package: the owning package (nullopt: none)
    std::optional<std::string> package;
};

// Lower-case hex SHA-256 of the file at image into *hex, or false and one
// sentence in *why.
using HashImage = std::function<bool(const std::string &image, std::string *hex, std::string *why)>;

// The package that installed image unmodified into *package (nullopt:
// none); *note says why not when one lists it. false (and *why) when the
// package database cannot be read.
using PackageOf = std::function<bool(const std::string &image, std::optional<std::string> *package,
                                     std::string *note, std::string *why)>;

// The moment to explain at.
struct TimeFacts {
    int64_t now = 0;             // UTC seconds since 1970
    UtcOffset offset;            // local = UTC + offset(utc); unset: UTC
    std::vector<uint8_t> bootId; // the running boot (16 bytes); empty: unknown
};

struct ExplainEnvironment {
    HashImage hashImage;
    PackageOf packageOf;
    std::optional<TimeFacts> time; // nullopt: every rule counts as in force
};

// The precedence steps of pg_rules.h, in order.
enum class PrecedenceStep {
    Kind = 1,     // a more specific kind
    PrefixLength, // a longer prefix
    Conditions,   // a rule with user/group/parent conditions
    Action,       // block, then ask, then allow
    PolicyOrder,  // earlier in the policy
};

struct OutrankedRule {
    size_t index = 0; // position in the policy
    Rule rule;
    PrecedenceStep step = PrecedenceStep::PolicyOrder;
    std::string reason; // one sentence: why the deciding rule comes first
};

// A rule that matches the start but is not in force at the given time.
struct DormantRule {
    enum class State { OffSchedule, Expired };
    size_t index = 0;
    Rule rule;
    State state = State::OffSchedule;
    bool wouldDecide = false; // in force, it would decide this start
    std::string reason;       // "rule 7 would allow, but only Mon-Fri 16:00-18:00; ..."
};

struct Explanation {
    Mode mode = Mode::Monitor;
    Verdict defaultVerdict = Verdict::Allow;
    std::optional<size_t> index;          // the deciding rule's position; nullopt: the mode decides
    Rule rule;                            // the deciding rule, when index is set
    std::vector<OutrankedRule> outranked; // other rules that match, in policy order
    // What happens to the start: Allow, Block, or Ask (held for the
    // controlling client; defaultVerdict without one).
    Verdict outcome = Verdict::Allow;
    bool wouldBlock = false;            // monitor mode: lockdown would have blocked it
    std::string summary;                // one sentence for people
    uint32_t missingFacts = 0;          // PG_FACT_*: facts that could still change the answer
    std::optional<std::string> sha256;  // the digest used, if one was needed
    std::vector<std::string> notes;     // e.g. why a digest could not be computed
    std::vector<DormantRule> dormant;   // matching rules not in force at time->now
    std::optional<int64_t> at;          // the moment explained (UTC), when time was given
    std::optional<std::string> package; // the owning package looked up by packageOf
};

// Explains facts against policy. false (and one sentence in *error) when
// the policy cannot be compiled.
bool explainStart(const Policy &policy, const StartFacts &facts, const HashImage &hashImage,
                  Explanation *out, std::string *error);
bool explainStart(const Policy &policy, const StartFacts &facts, const ExplainEnvironment &env,
                  Explanation *out, std::string *error);

// "cmdline", "sha256", "package", "signer" for PG_FACT_* bits.
std::vector<std::string> factNames(uint32_t facts);
const char *toString(PrecedenceStep step);

} // namespace policy
} // namespace pg
