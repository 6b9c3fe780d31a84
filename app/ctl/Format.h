// Format.h - how procguardctl prints things: text lines for people, JSON
// for scripts (field names are a stable interface), and the sequence check
// of the event stream.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "KernelLink.h"
#include "ProcessSource.h"
#include "Types.h"

namespace pg
{
namespace ctl
{

// "2024-05-01 12:00:00.123" in local time.
std::string formatLocalTime(uint64_t ns);
// "2024-05-01T12:00:00.123Z".
std::string formatUtcTime(uint64_t ns);

// One line per event: time, kind, pid, ppid, verdict/source, image, cmdline.
std::string formatEventLine(const Event &e);
// One sentence naming a rule: "allow exact /usr/bin/ls (parent ..., uid 0)".
std::string describeRule(const Rule &r);

nlohmann::json toJson(const Event &e);

// What an ECS object says beyond the event itself (docs/ecs.md).
struct EcsContext {
    std::string hostName; // host.name; empty: left out
    std::string hostId;   // host.id; empty: left out
    bool windows = false; // Windows command lines and exit statuses
};
// The event as one Elastic Common Schema object on one line, from the
// encoder procguardd's event sinks use too (driver/core/pg_ecs.h).
// userName (and userDomain) may be empty and rule null (left out); rule
// is the one that decided a VERDICT.
std::string toEcs(const Event &e, const EcsContext &host, const std::string &userName,
                  const Rule *rule, const std::string &userDomain = std::string());
nlohmann::json toJson(const Rule &r);
nlohmann::json toJson(const Policy &p);
// A class of exec and the PG_GATE_* bit of the measure that closes it.
struct GateClass {
    uint32_t bit;
    const char *key;  // JSON
    const char *text; // for people
};
const std::vector<GateClass> &gateClasses();

nlohmann::json toJson(const Status &s);
nlohmann::json toJson(const ProcessInfo &p);

// Checks that event sequence numbers follow each other. observe() returns
// a warning sentence when some were skipped or came back out of order, or
// when the component reports an overflow; nullopt when all is well.
class SequenceTracker
{
public:
    std::optional<std::string> observe(const Event &e);
    uint64_t missing() const { return m_missing; }

private:
    bool m_started = false;
    uint64_t m_last = 0;
    uint64_t m_missing = 0;
};

} // namespace ctl
} // namespace pg
