// Types.h - the protocol's values as C++ types, shared by every part of app/.
//
// These mirror driver/protocol/pg_protocol.h one to one; Messages.h turns
// them into wire bytes and back. Nothing here knows about sockets, threads
// or Qt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg_protocol.h"

namespace pg {

// Ask is a rule action only ("ask a person about this start"); a verdict
// on the wire is always Allow or Block.
enum class Verdict : uint8_t {
    None = PG_VERDICT_NONE,
    Allow = PG_VERDICT_ALLOW,
    Block = PG_VERDICT_BLOCK,
    Ask = PG_VERDICT_ASK
};
enum class Mode : uint32_t { Monitor = PG_MODE_MONITOR, Prompt = PG_MODE_PROMPT, Lockdown = PG_MODE_LOCKDOWN };
enum class Source : uint8_t {
    None = PG_SRC_NONE,
    Rule = PG_SRC_RULE,
    Client = PG_SRC_CLIENT,
    Timeout = PG_SRC_TIMEOUT,
    Disconnect = PG_SRC_DISCONNECT,
    Stop = PG_SRC_STOP,
    NoClient = PG_SRC_NO_CLIENT,
    Mode = PG_SRC_MODE,
    Exempt = PG_SRC_EXEMPT,
    Overload = PG_SRC_OVERLOAD,
};
enum class EventKind : uint16_t {
    Start = PG_EV_START,
    Exec = PG_EV_EXEC,
    Exit = PG_EV_EXIT,
    Request = PG_EV_REQUEST,
    Verdict = PG_EV_VERDICT,
    Overflow = PG_EV_OVERFLOW,
    Resync = PG_EV_RESYNC,
    Policy = PG_EV_POLICY,
    Thread = PG_EV_THREAD,
    Image = PG_EV_IMAGE,
    Wait = PG_EV_WAIT, // a start waits for its digest (not for a person)
};
enum class RuleKind : uint8_t {
    Exact = PG_RULE_EXACT,
    Glob = PG_RULE_GLOB,
    Prefix = PG_RULE_PREFIX,
    Sha256 = PG_RULE_SHA256,   // pattern: 64 hex digits
    Cmdline = PG_RULE_CMDLINE, // pattern: text glob over the command line
    Package = PG_RULE_PACKAGE, // pattern: glob over the owning package's name
    Signer = PG_RULE_SIGNER,   // pattern: glob over the trusted signer's name (Windows)
};
enum class Role : uint16_t {
    None = PG_ROLE_NONE,
    Controller = PG_ROLE_CONTROLLER,
    Observer = PG_ROLE_OBSERVER,
    Resolver = PG_ROLE_RESOLVER
};

// One decoded pg_event record.
struct Event {
    EventKind kind = EventKind::Start;
    uint16_t flags = 0; // PG_EVF_*
    uint64_t seq = 0;
    uint64_t timeNs = 0;
    uint64_t holdId = 0;
    uint32_t pid = 0;
    uint32_t ppid = 0;
    uint32_t creatorPid = 0;
    uint32_t uid = 0;
    uint32_t sessionId = 0;
    uint32_t status = 0;
    uint32_t timeoutMs = 0;
    uint32_t ruleId = 0;
    uint64_t lost = 0;
    Verdict verdict = Verdict::None;
    Source source = Source::None;
    Verdict defaultVerdict = Verdict::None;
    Mode mode = Mode::Monitor;
    std::string image;
    std::string cmdline;
    std::string sid;
    std::string parentImage;
};

// How long a rule lasts (pg_rule_time.expiry).
enum class Expiry : uint8_t {
    Never = PG_EXPIRY_NEVER,  // always
    Once = PG_EXPIRY_ONCE,    // used up by the first start it decides
    At = PG_EXPIRY_AT,        // until expiresAt ("for N minutes")
    Reboot = PG_EXPIRY_REBOOT // until the machine restarts
};

// [start, end) in seconds after local midnight; end < start crosses
// midnight (and belongs to the day it starts on).
struct TimeWindow {
    uint32_t start = 0;
    uint32_t end = 0;
};

// A rule's time conditions (pg_rule_time); a default RuleTime is none.
struct RuleTime {
    uint8_t days = 0;                // bit 0 Monday .. bit 6 Sunday; 0 = every day
    std::vector<TimeWindow> windows; // at most PG_MAX_WINDOWS; none = whole days
    Expiry expiry = Expiry::Never;
    int64_t expiresAt = 0;       // Expiry::At: UTC seconds since 1970
    uint32_t budgetSeconds = 0;  // daily running-time budget; 0 = none
    uint32_t budgetGroup = 0;    // rules with one nonzero group share a budget
    uint32_t graceSeconds = 0;   // running programs end this long after the warning
    std::vector<uint8_t> bootId; // Expiry::Reboot: set by the component (16 bytes)

    bool empty() const
    {
        return days == 0 && windows.empty() && expiry == Expiry::Never && expiresAt == 0 &&
               budgetSeconds == 0 && budgetGroup == 0 && graceSeconds == 0 && bootId.empty();
    }
};

struct Rule {
    uint32_t id = 0; // 0: assigned when the policy is sent
    RuleKind kind = RuleKind::Exact;
    Verdict action = Verdict::Allow; // Allow, Block or Ask
    std::string pattern;
    std::string parent;          // glob on the parent's image; empty = any
    std::optional<uint32_t> uid; // only for this user
    std::optional<uint32_t> gid; // only for members of this group (not with uid)
    bool caseFold = false;
    std::string message; // shown when this rule blocks a start; empty = none
    std::string link;    // shown with the message; empty = none
    RuleTime time;       // schedule, expiry, budget; empty = none
    bool managed = false; // PG_RULEF_MANAGED: imposed by policy files or Group Policy;
                          // no client may remove or change it
};

struct Policy {
    Mode mode = Mode::Monitor;
    Verdict defaultVerdict = Verdict::Allow;
    uint32_t timeoutMs = 30000;
    uint32_t holdBudgetMs = 250;
    bool caseFold = false;
    uint64_t generation = 0; // set by the component
    std::vector<Rule> rules;
};

// pg_managed_msg, decoded: the managed layer (policy files on Linux,
// Group Policy on Windows) and whether each of its sources was taken.
struct ManagedFile {
    enum class State { InForce = 0, Rejected = 1, RejectedNone = 2 };
    std::string name;    // the file name (or registry value)
    State state = State::InForce;
    uint32_t ruleCount = 0; // rules of it in force
    std::string error;   // one sentence naming the file and the JSON pointer; empty = none
};

struct ManagedStatus {
    bool supported = false; // false: the component has no managed layer (older peer)
    std::string source;     // the policy directory or registry key
    uint32_t flags = 0;     // PG_MANF_*
    uint32_t ruleCount = 0;
    uint32_t rejected = 0;
    uint64_t changedNs = 0; // 0 = never
    std::vector<ManagedFile> files;
};

// pg_status_msg, decoded.
struct Status {
    Mode mode = Mode::Monitor;
    Verdict defaultVerdict = Verdict::Allow;
    uint32_t timeoutMs = 0;
    uint32_t holdBudgetMs = 0;
    uint32_t ruleCount = 0;
    uint32_t clients = 0;
    uint32_t heldNow = 0;
    uint32_t frozenNow = 0;
    uint32_t serverPid = 0;
    uint32_t platform = 0;
    uint32_t version = 0;
    uint32_t controllerPid = 0;
    uint64_t starts = 0;
    uint64_t decisions = 0;
    uint64_t allowed = 0;
    uint64_t blocked = 0;
    uint64_t prompted = 0;
    uint64_t timeouts = 0;
    uint64_t lostEvents = 0;
    uint64_t resyncs = 0;
    uint64_t cacheHits = 0;
    uint64_t nextSeq = 0;
    uint64_t uptimeMs = 0;
    uint64_t generation = 0;
    // Image digests (procguardd): cache hits, computed, bytes hashed,
    // starts decided without one, the longest wait, starts waiting now.
    uint64_t digestHits = 0;
    uint64_t digestMisses = 0;
    uint64_t digestBytes = 0;
    uint64_t digestUnknown = 0;
    uint32_t digestWaitMaxMs = 0;
    uint32_t digestWaiting = 0;
    // How the gate closes each class of exec (PG_GATE_*; procguardd).
    uint32_t gateMeasures = 0;
    uint32_t gateOpen = 0;
};

// Names used by the CLI, logs and the panel ("allow", "prompt", "timeout", ...).
const char *toString(Verdict v);
const char *toString(Mode m);
const char *toString(Source s);
const char *toString(EventKind k);
const char *toString(RuleKind k);
const char *toString(Role r);
// Case-insensitive; nullopt for anything else ("none" is not a verdict).
std::optional<Mode> modeFromString(const std::string &s);
std::optional<Verdict> verdictFromString(const std::string &s);
std::optional<RuleKind> ruleKindFromString(const std::string &s);
// A rule action: "allow", "block" or "ask".
std::optional<Verdict> actionFromString(const std::string &s);

} // namespace pg
