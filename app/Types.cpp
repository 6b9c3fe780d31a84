// Types.cpp - names of the protocol's values, as shown by the CLI, logs and
// the panel. The strings are part of procguardctl's JSON output: keep them.
#include "Types.h"

#include <algorithm>
#include <cctype>

namespace pg
{

const char *toString(Verdict v)
{
    switch (v) {
    case Verdict::None:
        return "none";
    case Verdict::Allow:
        return "allow";
    case Verdict::Block:
        return "block";
    case Verdict::Ask:
        return "ask";
    }
    return "unknown";
}

const char *toString(Mode m)
{
    switch (m) {
    case Mode::Monitor:
        return "monitor";
    case Mode::Prompt:
        return "prompt";
    case Mode::Lockdown:
        return "lockdown";
    }
    return "unknown";
}

const char *toString(Source s)
{
    switch (s) {
    case Source::None:
        return "none";
    case Source::Rule:
        return "rule";
    case Source::Client:
        return "client";
    case Source::Timeout:
        return "timeout";
    case Source::Disconnect:
        return "disconnect";
    case Source::Stop:
        return "stop";
    case Source::NoClient:
        return "no-client";
    case Source::Mode:
        return "mode";
    case Source::Exempt:
        return "exempt";
    case Source::Overload:
        return "overload";
    }
    return "unknown";
}

const char *toString(EventKind k)
{
    switch (k) {
    case EventKind::Start:
        return "start";
    case EventKind::Exec:
        return "exec";
    case EventKind::Exit:
        return "exit";
    case EventKind::Request:
        return "request";
    case EventKind::Verdict:
        return "verdict";
    case EventKind::Overflow:
        return "overflow";
    case EventKind::Resync:
        return "resync";
    case EventKind::Policy:
        return "policy";
    case EventKind::Thread:
        return "thread";
    case EventKind::Image:
        return "image";
    case EventKind::Wait:
        return "wait";
    }
    return "unknown";
}

const char *toString(RuleKind k)
{
    switch (k) {
    case RuleKind::Exact:
        return "exact";
    case RuleKind::Glob:
        return "glob";
    case RuleKind::Prefix:
        return "prefix";
    case RuleKind::Sha256:
        return "sha256";
    case RuleKind::Cmdline:
        return "cmdline";
    case RuleKind::Package:
        return "package";
    case RuleKind::Signer:
        return "signer";
    }
    return "unknown";
}

const char *toString(Role r)
{
    switch (r) {
    case Role::None:
        return "none";
    case Role::Controller:
        return "controller";
    case Role::Observer:
        return "observer";
    case Role::Resolver:
        return "resolver";
    }
    return "unknown";
}

namespace
{

std::string lower(const std::string &s)
{
    std::string out = s;
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

} // namespace

std::optional<Mode> modeFromString(const std::string &s)
{
    const std::string l = lower(s);
    if (l == "monitor")
        return Mode::Monitor;
    if (l == "prompt")
        return Mode::Prompt;
    if (l == "lockdown")
        return Mode::Lockdown;
    return std::nullopt;
}

std::optional<Verdict> verdictFromString(const std::string &s)
{
    const std::string l = lower(s);
    if (l == "allow")
        return Verdict::Allow;
    if (l == "block")
        return Verdict::Block;
    return std::nullopt;
}

std::optional<RuleKind> ruleKindFromString(const std::string &s)
{
    const std::string l = lower(s);
    if (l == "exact")
        return RuleKind::Exact;
    if (l == "glob")
        return RuleKind::Glob;
    if (l == "prefix")
        return RuleKind::Prefix;
    if (l == "sha256")
        return RuleKind::Sha256;
    if (l == "cmdline")
        return RuleKind::Cmdline;
    if (l == "package")
        return RuleKind::Package;
    if (l == "signer")
        return RuleKind::Signer;
    return std::nullopt;
}

std::optional<Verdict> actionFromString(const std::string &s)
{
    if (lower(s) == "ask")
        return Verdict::Ask;
    return verdictFromString(s);
}

} // namespace pg
