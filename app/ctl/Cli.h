// Cli.h - procguardctl's command line: what the user asked for, parsed and
// checked, before anything connects. Kept apart from the commands so that
// parsing is unit-tested on its own.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "Types.h"

namespace pg
{
namespace ctl
{

enum class Command {
    None,
    Status,
    Monitor,
    Approve,
    RulesList,
    RulesAdd,
    RulesRemove,
    RulesImport,
    RulesExport,
    Explain,
    Mode,
    Learn,
    Ps,
    ManagedApply, // managed apply: the managed layer into the component again
    Resolve,      // resolve [--service]
    // resolver install|uninstall|start|stop: the resolver's service (Windows)
    ResolverInstall,
    ResolverUninstall,
    ResolverStart,
    ResolverStop,
    Sync, // sync with a Santa sync server (SyncCommand.cpp)
    // Lifecycle (only where the platform has them: Windows, the SCM)
    Install,
    Start,
    Stop,
    Uninstall,
    State,
};

struct Options {
    Command command = Command::None;
    std::string socket; // --socket; empty = default (DefaultPaths.h)
    bool json = false;  // status, monitor, rules list, ps

    // monitor
    bool snapshot = false; // also print the initial process snapshot
    bool ecs = false;      // --format ecs: one Elastic Common Schema object per line
    bool eventLog = false; // --event-log: the objects go to the system event log (Windows)

    // approve
    std::optional<Verdict> autoVerdict; // --auto allow|block
    uint32_t count = 0;                 // --count N; 0 = no limit
    std::optional<Mode> approveMode;    // --mode: switch mode once controlling

    // rules add
    Verdict ruleAction = Verdict::None; // --allow/--block/--ask
    RuleKind ruleKind = RuleKind::Exact;
    // --path/--glob/--prefix (prefix ends with '/'), --sha256 (64 hex digits,
    // lower-cased), --cmdline GLOB, --package GLOB
    std::string pattern;
    std::string parent; // --parent GLOB
    std::string user;   // --user NAME|UID, resolved by the command (also explain)
    std::string group;  // --group NAME|GID, resolved by the command (not with --user)
    bool caseFold = false;
    std::string message; // --message TEXT: shown when the rule blocks
    std::string link;    // --link URL: shown with the message
    // --days SPEC, --between FROM-TO (repeatable), --budget DURATION
    // [--budget-group N] [--grace DURATION], --once / --until-reboot (into
    // ruleTime); --for DURATION sets expireAfter, turned into Expiry::At
    // by the command (its clock).
    RuleTime ruleTime;
    std::optional<uint64_t> expireAfter; // seconds from now

    // rules import FILE [--replace|--merge], rules export FILE ("-": stdout)
    std::string policyPath;
    bool replace = false; // import: the file's whole policy replaces the one in force

    // explain PATH [--user U] [--parent P] [--cmdline C] [--package NAME]
    //              [--policy FILE] [--json]; --policy is policyPath
    std::string explainPath;
    std::optional<std::string> explainParent;
    std::optional<std::string> explainCmdline;
    std::optional<std::string> explainPackage;
    std::string explainAt; // --at "YYYY-MM-DD HH:MM" (local); empty: now
    std::string explainDpkgInfo = "/var/lib/dpkg/info"; // --dpkg-info DIR (package rules)

    // rules remove
    uint32_t ruleId = 0;

    // mode
    Mode mode = Mode::Monitor;
    std::optional<Verdict> defaultVerdict;
    std::optional<uint32_t> timeoutMs;
    std::optional<uint32_t> budgetMs;

    // learn [--seconds N] [--apply] [--no-packages]
    uint32_t learnSeconds = 60;
    bool learnApply = false;
    bool learnPackages = true;                        // group by dpkg package where known
    std::string learnDpkgInfo = "/var/lib/dpkg/info"; // --dpkg-info DIR

    // ps
    bool tree = false;

    // resolve
    bool service = false; // --service: run under the Service Control Manager (Windows)

    // sync [--url URL] [--machine-id ID] [--config FILE] [--once] [--clean]
    //      [--header "Name: value"]... [--policy-file FILE] [--state-dir DIR]
    //      [--no-compression] [--ca-file F] [--client-cert F] [--client-key F]
    // status [--sync-state DIR] reads the state the sync leaves there.
    std::string syncUrl;
    std::string syncMachineId;
    std::string syncConfig; // empty: /etc/procguard/sync.json when it exists
    bool syncOnce = false;
    bool syncClean = false;
    std::vector<std::string> syncHeaders;
    std::string syncPolicyFile;
    std::string syncStateDir; // empty: the default (SyncState.h), also for status
    bool syncNoCompression = false;
    std::string syncCaFile;
    std::string syncClientCert;
    std::string syncClientKey;

    // install, start, stop, uninstall, state
    std::string componentPath; // install: the driver file
    std::string serviceName;   // --service; empty = the default (procguard)
};

// Parses argv into *options. Returns -1 when a command should run, or the
// exit code to end with now: 0 after --help/--version (printed to out), 2
// after a usage error (one sentence on err). withLifecycle adds install,
// start, stop, uninstall and state (platforms with a Lifecycle for it).
int parseCommandLine(int argc, const char *const *argv, Options *options, std::ostream &out,
                     std::ostream &err, bool withLifecycle = false);

} // namespace ctl
} // namespace pg
