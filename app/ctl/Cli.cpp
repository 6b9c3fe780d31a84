// Cli.cpp - procguardctl's grammar, in CLI11.
#include "Cli.h"

#include <CLI/CLI.hpp>
#include <cctype>
#include <ostream>
#include <string>

#include "DefaultPaths.h"
#include "ExitCodes.h"
#include "RuleTimeText.h"

#ifndef PG_VERSION_STRING
#define PG_VERSION_STRING "0.0.0"
#endif

namespace pg
{
namespace ctl
{
namespace
{

// A path rule names a file as the kernel component sees it: from the root
// (/usr/bin/app; on Windows C:\Games\app.exe or \\server\share). A glob
// may also start with a wildcard (**/game).
bool absolutePattern(const std::string &p, bool glob)
{
    if (p.empty())
        return false;
    if (p[0] == '/' || p[0] == '\\' || (glob && p[0] == '*'))
        return true;
    return p.size() >= 3 && std::isalpha(static_cast<unsigned char>(p[0])) && p[1] == ':' &&
           (p[2] == '\\' || p[2] == '/');
}

// A time in milliseconds: a plain number is milliseconds (as before);
// with a unit: 500ms, 60s, 2m, 1h, 1m30s.
bool parseMilliseconds(const std::string &text, uint64_t maxMs, uint32_t *ms, std::string *why)
{
    uint64_t value = 0;
    std::string digits = text;
    const bool plain = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    const bool millis = text.size() > 2 && text.compare(text.size() - 2, 2, "ms") == 0 &&
                        text.find_first_not_of("0123456789") == text.size() - 2;
    if (plain || millis) {
        digits = plain ? text : text.substr(0, text.size() - 2);
        if (digits.size() > 12) {
            *why = "'" + text + "' is too long a time.";
            return false;
        }
        value = std::stoull(digits);
    } else {
        uint64_t seconds = 0;
        if (!policy::parseDuration(text, maxMs / 1000 + 1, &seconds, why))
            return false;
        value = seconds * 1000;
    }
    if (value > maxMs) {
        *why = "'" + text + "' is more than the limit of " + policy::formatDuration(maxMs / 1000) +
               ".";
        return false;
    }
    *ms = static_cast<uint32_t>(value);
    return true;
}

} // namespace

int parseCommandLine(int argc, const char *const *argv, Options *o, std::ostream &out,
                     std::ostream &err, bool withLifecycle)
{
    *o = Options();
    CLI::App app("Control and observe ProcGuard, the launch-control component.", "procguardctl");
    app.set_version_flag("--version", std::string("procguardctl " PG_VERSION_STRING " (protocol ") +
                                          std::to_string(PG_PROTOCOL_VERSION) + ")");
    app.footer(kExitCodeHelp);
    app.require_subcommand(1);

    const std::string socketHelp = "Socket of procguardd (default: $" + std::string(kSocketEnvVar) +
                                   " or " + kDefaultSocketPath + ")";
    auto addSocket = [&](CLI::App *cmd) { cmd->add_option("--socket", o->socket, socketHelp); };
    addSocket(&app);

    std::string autoVerdict, approveMode, modeName, defaultVerdict;

    CLI::App *status = app.add_subcommand("status", "Show the component's state and counters");
    addSocket(status);
    status->add_flag("--json", o->json, "Print JSON");
    status->add_option("--sync-state", o->syncStateDir,
                       "State folder of the Santa sync (default /var/lib/procguard/sync)");

    CLI::App *monitor =
        app.add_subcommand("monitor", "Print process events as they happen (read-only)");
    addSocket(monitor);
    std::string monitorFormat;
    monitor->add_flag("--json", o->json, "Print one JSON object per line (--format json)");
    monitor
        ->add_option("--format", monitorFormat,
                     "text (default), json (ProcGuard's fields) or ecs (Elastic Common Schema)")
        ->check(CLI::IsMember({"text", "json", "ecs"}, CLI::ignore_case));
    monitor->add_flag("--snapshot", o->snapshot, "Print the processes running at start too");
    monitor->add_flag("--event-log", o->eventLog,
                      "With --format ecs: write to the ProcGuard event log (Windows), not stdout");

    CLI::App *approve =
        app.add_subcommand("approve", "Answer held starts (becomes the controlling client)");
    addSocket(approve);
    approve->add_option("--auto", autoVerdict, "Answer every held start with this verdict, unasked")
        ->check(CLI::IsMember({"allow", "block"}, CLI::ignore_case));
    approve->add_option("--mode", approveMode, "Switch to this mode once controlling")
        ->check(CLI::IsMember({"monitor", "prompt", "lockdown"}, CLI::ignore_case));
    CLI::Option *countOpt =
        approve->add_option("--count", o->count, "With --auto: exit after N answers")
            ->check(CLI::Range(1u, 0xFFFFFFFFu));

    CLI::App *rules = app.add_subcommand("rules", "List, add or remove rules");
    addSocket(rules);
    rules->require_subcommand(1);
    CLI::App *rulesList = rules->add_subcommand("list", "List the rules in force");
    addSocket(rulesList);
    rulesList->add_flag("--json", o->json, "Print JSON");

    CLI::App *rulesAdd = rules->add_subcommand("add", "Add a rule");
    addSocket(rulesAdd);
    bool allow = false, block = false, ask = false;
    std::string path, glob, prefix, sha256, cmdline, package, signer;
    CLI::Option_group *action = rulesAdd->add_option_group("action", "What the rule decides");
    action->add_flag("--allow", allow, "Allow matching starts");
    action->add_flag("--block", block, "Block matching starts");
    action->add_flag("--ask", ask, "Ask the controlling client (prompt and lockdown)");
    action->require_option(1);
    CLI::Option_group *match = rulesAdd->add_option_group("match", "What the rule matches");
    match->add_option("--path", path, "Exact image path");
    match->add_option("--glob", glob, "Glob on the image path ('*', '?', '**')");
    match->add_option("--prefix", prefix, "Every image under this directory");
    match->add_option("--sha256", sha256, "The image's SHA-256 (64 hex digits), wherever it is");
    match->add_option("--cmdline", cmdline,
                      "Glob on the command line (arguments joined by spaces)");
    match->add_option("--package", package,
                      "Trusted source: installed unmodified by a package matching this glob");
    match->add_option("--signer", signer,
                      "Trusted source (Windows): signed by a trusted publisher whose name "
                      "matches this glob");
    match->require_option(1);
    rulesAdd->add_option("--parent", o->parent, "Only when the parent's image matches this glob");
    CLI::Option_group *who = rulesAdd->add_option_group("who", "Whose starts the rule is for");
    who->add_option("--user", o->user, "Only for this user (name or uid)");
    who->add_option("--group", o->group, "Only for members of this group (name or gid)");
    who->require_option(0, 1);
    rulesAdd->add_flag("--case-fold", o->caseFold, "Match case-insensitively");
    rulesAdd->add_option("--message", o->message, "Shown to the person when the rule blocks");
    rulesAdd->add_option("--link", o->link, "A link (URL) shown with the message");
    // Time conditions (RuleTimeText.h has the forms); checked after parsing.
    std::string days, budget, grace, forDuration;
    std::vector<std::string> between;
    uint32_t budgetGroup = 0;
    bool once = false, untilReboot = false;
    rulesAdd->add_option("--days", days,
                         "Only on these days: mon-fri, sat,sun, weekdays, weekend (local time)");
    rulesAdd->add_option("--between", between,
                         "Only between these times, e.g. 16:00-18:00 (repeatable, at most " +
                             std::to_string(PG_MAX_WINDOWS) + "; 22:00-02:00 crosses midnight)");
    CLI::Option *dailyBudgetOpt = rulesAdd->add_option(
        "--budget", budget, "Daily running time of what the rule matches, e.g. 1h30m");
    rulesAdd
        ->add_option("--budget-group", budgetGroup,
                     "Rules with the same nonzero group share one budget")
        ->needs(dailyBudgetOpt);
    rulesAdd
        ->add_option("--grace", grace,
                     "With --budget: running programs end this long after the warning")
        ->needs(dailyBudgetOpt);
    CLI::Option_group *expiry = rulesAdd->add_option_group("expiry", "How long the rule lasts");
    expiry->add_option("--for", forDuration, "Only for this long from now, e.g. 30m or 2h");
    expiry->add_flag("--until-reboot", untilReboot, "Only until the machine restarts");
    expiry->add_flag("--once", once, "Only for the first start it decides");
    expiry->require_option(0, 1);

    CLI::App *rulesImport =
        rules->add_subcommand("import", "Load rules from a policy file (JSON) into the component");
    addSocket(rulesImport);
    rulesImport->add_option("file", o->policyPath, "The policy file")->required();
    bool merge = false;
    CLI::Option_group *how = rulesImport->add_option_group("how", "Replace or merge");
    how->add_flag("--replace", o->replace,
                  "The file's policy (mode, settings and rules) replaces the one in force");
    how->add_flag("--merge", merge,
                  "Add the file's rules to those in force (default; mode unchanged)");
    how->require_option(0, 1);

    CLI::App *rulesExport =
        rules->add_subcommand("export", "Save the policy in force to a file (JSON)");
    addSocket(rulesExport);
    rulesExport->add_option("file", o->policyPath, "The policy file; - for standard output")
        ->required();

    CLI::App *rulesRemove = rules->add_subcommand("remove", "Remove a rule by id");
    addSocket(rulesRemove);
    rulesRemove->add_option("id", o->ruleId, "Rule id (see rules list)")
        ->required()
        ->check(CLI::Range(1u, 0xFFFFFFFFu));

    CLI::App *explain = app.add_subcommand(
        "explain", "Say which rule would decide a start of PATH, and why (read-only)");
    addSocket(explain);
    std::string explainParent, explainCmdline, explainPackage;
    explain->add_option("path", o->explainPath, "The program's path")->required();
    explain->add_option("--user", o->user, "Started by this user (name or uid; default: you)");
    CLI::Option *explainParentOpt =
        explain->add_option("--parent", explainParent, "Started by this program (its path)");
    CLI::Option *explainCmdlineOpt = explain->add_option(
        "--cmdline", explainCmdline, "With this command line (arguments joined by spaces)");
    CLI::Option *explainPackageOpt =
        explain->add_option("--package", explainPackage, "Installed unmodified by this package");
    explain->add_option("--policy", o->policyPath,
                        "Explain against this policy file instead of the one in force");
    explain->add_option("--at", o->explainAt,
                        "At this local time, \"YYYY-MM-DD HH:MM\" (default: now)");
    explain->add_option("--dpkg-info", o->explainDpkgInfo,
                        "dpkg's info folder, for package rules (default /var/lib/dpkg/info)");
    explain->add_flag("--json", o->json, "Print JSON");

    CLI::App *mode = app.add_subcommand("mode", "Set the mode and the default verdict");
    addSocket(mode);
    mode->add_option("mode", modeName, "monitor, prompt or lockdown")
        ->required()
        ->check(CLI::IsMember({"monitor", "prompt", "lockdown"}, CLI::ignore_case));
    mode->add_option("--default", defaultVerdict, "Verdict when nobody answers in time")
        ->check(CLI::IsMember({"allow", "block"}, CLI::ignore_case));
    CLI::Option *timeoutOpt = nullptr;
    CLI::Option *budgetOpt = nullptr;
    std::string timeoutText, budgetText;
    timeoutOpt = mode->add_option("--timeout", timeoutText,
                                  "How long a person has to answer: 30s, 2m, 500ms or plain "
                                  "milliseconds; 0 = no limit");
    budgetOpt = mode->add_option("--budget", budgetText,
                                 "How long the launcher itself may be held: 1s, 250ms or plain "
                                 "milliseconds");

    CLI::App *learn = app.add_subcommand(
        "learn", "Watch what starts in monitor mode, then propose allow rules for it");
    addSocket(learn);
    learn->add_option("--seconds", o->learnSeconds, "How long to watch (default 60)")
        ->check(CLI::Range(1u, 86400u));
    learn->add_flag("--apply", o->learnApply, "Add the proposed rules and switch to lockdown");
    bool noPackages = false;
    learn->add_flag("--no-packages", noPackages, "Group by folder only, not by package");
    learn->add_option("--dpkg-info", o->learnDpkgInfo, "dpkg's info folder (package lists)");

    CLI::App *managed = app.add_subcommand(
        "managed", "The managed layer (policy files, Group Policy): 'managed apply' sends it to "
                   "the component again (Windows: after a Group Policy refresh)");
    addSocket(managed);
    std::string managedAction;
    managed->add_option("action", managedAction, "apply")
        ->required()
        ->check(CLI::IsMember({"apply"}));

    CLI::App *ps = app.add_subcommand("ps", "List running processes (no component needed)");
    ps->add_flag("--tree", o->tree, "Show parents above their children");
    ps->add_flag("--json", o->json, "Print JSON");

    CLI::App *resolve = app.add_subcommand(
        "resolve", "Answer the starts held for facts the component cannot find (the signer)");
    addSocket(resolve);
    resolve->add_flag("--service", o->service,
                      "Run as the Windows service procguard-resolver (see resolver install)");
    CLI::App *resolver = app.add_subcommand(
        "resolver", "Install, uninstall, start or stop the resolver's service (Windows)");
    std::string resolverAction;
    resolver->add_option("action", resolverAction, "install, uninstall, start or stop")
        ->required()
        ->check(CLI::IsMember({"install", "uninstall", "start", "stop"}));

    CLI::App *sync = app.add_subcommand(
        "sync",
        "Sync rules and mode with a Santa sync server, upload blocks (see procguardctl(1))");
    addSocket(sync);
    sync->add_option("--url", o->syncUrl, "The sync server's base URL (https://host/santa)");
    sync->add_option("--machine-id", o->syncMachineId,
                     "This machine's id (default: /etc/machine-id as a UUID)");
    sync->add_option("--config", o->syncConfig,
                     "Sync config file (JSON; default /etc/procguard/sync.json if present)");
    sync->add_flag("--once", o->syncOnce,
                   "Sync once and exit (default: keep syncing, collecting events between)");
    sync->add_flag("--clean", o->syncClean, "Ask the server for a clean sync (all rules anew)");
    sync->add_option("--header", o->syncHeaders,
                     "Extra request header \"Name: value\" (repeatable; e.g. a bearer token)");
    sync->add_option(
        "--policy-file", o->syncPolicyFile,
        "Managed policy file to write (default /etc/procguard/policy.d/50-santa.json)");
    sync->add_option("--state-dir", o->syncStateDir,
                     "State folder: status, event spool (default /var/lib/procguard/sync)");
    sync->add_flag("--no-compression", o->syncNoCompression,
                   "Send request bodies uncompressed (default: Content-Encoding: deflate)");
    sync->add_option("--ca-file", o->syncCaFile, "CA certificates for the server (PEM)");
    sync->add_option("--client-cert", o->syncClientCert, "Client certificate (PEM, mutual TLS)");
    sync->add_option("--client-key", o->syncClientKey, "Its key (PEM; default: in the cert file)");

    // Lifecycle of the component, where the platform manages it here.
    CLI::App *install = nullptr, *start = nullptr, *stop = nullptr, *uninstall = nullptr,
             *state = nullptr;
    if (withLifecycle) {
        const std::string serviceHelp = "Service name (default procguard)";
        install = app.add_subcommand("install", "Install the driver as a service (not started)");
        install->add_option("driver", o->componentPath, "The driver file (procguard.sys)")
            ->required();
        start = app.add_subcommand("start", "Start the installed driver");
        stop = app.add_subcommand("stop", "Stop the driver (held starts get the default verdict)");
        uninstall = app.add_subcommand("uninstall", "Remove the stopped driver's service");
        state = app.add_subcommand(
            "state",
            "Print the service state: not-installed, stopped, starting, running, stopping");
        for (CLI::App *cmd : {install, start, stop, uninstall, state})
            cmd->add_option("--service", o->serviceName, serviceHelp);
    }

    try {
        app.parse(argc, argv);
        if (countOpt->count() > 0 && autoVerdict.empty())
            throw CLI::ValidationError("--count", "--count needs --auto");
    } catch (const CLI::ParseError &e) {
        app.exit(e, out, err);
        return e.get_exit_code() == 0 ? kExitOk : kExitUsage;
    }

    if (status->parsed()) {
        o->command = Command::Status;
    } else if (monitor->parsed()) {
        o->command = Command::Monitor;
        const std::string &format = monitorFormat; // IsMember gives the listed spelling
        if (format == "ecs" && o->json) {
            err << "--json and --format ecs: choose one\n";
            return kExitUsage;
        }
        o->json = o->json || format == "json";
        o->ecs = format == "ecs";
        if (o->eventLog && !o->ecs) {
            err << "--event-log needs --format ecs\n";
            return kExitUsage;
        }
    } else if (approve->parsed()) {
        o->command = Command::Approve;
        if (!autoVerdict.empty())
            o->autoVerdict = verdictFromString(autoVerdict);
        if (!approveMode.empty())
            o->approveMode = modeFromString(approveMode);
    } else if (rulesList->parsed()) {
        o->command = Command::RulesList;
    } else if (rulesAdd->parsed()) {
        o->command = Command::RulesAdd;
        o->ruleAction = allow ? Verdict::Allow : block ? Verdict::Block : Verdict::Ask;
        if (!path.empty()) {
            o->ruleKind = RuleKind::Exact;
            o->pattern = path;
        } else if (!glob.empty()) {
            o->ruleKind = RuleKind::Glob;
            o->pattern = glob;
        } else if (!prefix.empty()) {
            o->ruleKind = RuleKind::Prefix;
            o->pattern = prefix;
            if (o->pattern.back() != '/')
                o->pattern += '/';
        } else if (!sha256.empty()) {
            o->ruleKind = RuleKind::Sha256;
            o->pattern = sha256;
            bool hex = o->pattern.size() == PG_SHA256_HEX_CHARS;
            for (char &c : o->pattern) {
                if (c >= 'A' && c <= 'F')
                    c = static_cast<char>(c - 'A' + 'a');
                hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
            }
            if (!hex) {
                err << "--sha256 takes exactly " << PG_SHA256_HEX_CHARS << " hex digits.\n";
                return kExitUsage;
            }
        } else if (!cmdline.empty()) {
            o->ruleKind = RuleKind::Cmdline;
            o->pattern = cmdline;
        } else if (!package.empty()) {
            o->ruleKind = RuleKind::Package;
            o->pattern = package;
        } else {
            o->ruleKind = RuleKind::Signer;
            o->pattern = signer;
        }
        if (o->pattern.empty()) {
            err << "The rule's pattern is empty.\n";
            return kExitUsage;
        }
        const bool pathKind = o->ruleKind == RuleKind::Exact || o->ruleKind == RuleKind::Glob ||
                              o->ruleKind == RuleKind::Prefix;
        if (pathKind && !absolutePattern(o->pattern, o->ruleKind == RuleKind::Glob)) {
            const char *option = o->ruleKind == RuleKind::Exact  ? "--path"
                                 : o->ruleKind == RuleKind::Glob ? "--glob"
                                                                 : "--prefix";
            err << option << " takes a path from the root (such as /usr/bin/app), not '"
                << o->pattern << "': a start is matched by its full path.\n";
            return kExitUsage;
        }
        if (o->pattern.size() + 1 > PG_MAX_PATTERN_BYTES) {
            err << "The rule's pattern is longer than " << PG_MAX_PATTERN_BYTES - 1 << " bytes.\n";
            return kExitUsage;
        }
        if (o->message.size() + 1 > PG_MAX_RULE_MESSAGE_BYTES) {
            err << "The message is longer than " << PG_MAX_RULE_MESSAGE_BYTES - 1 << " bytes.\n";
            return kExitUsage;
        }
        if (o->link.size() + 1 > PG_MAX_RULE_LINK_BYTES) {
            err << "The link is longer than " << PG_MAX_RULE_LINK_BYTES - 1 << " bytes.\n";
            return kExitUsage;
        }
        std::string why;
        RuleTime &t = o->ruleTime;
        if (!days.empty() && !policy::parseDays(days, &t.days, &why)) {
            err << "--days: " << why << '\n';
            return kExitUsage;
        }
        if (t.days == PG_DAYS_ALL)
            t.days = 0; // every day is no day condition
        if (between.size() > PG_MAX_WINDOWS) {
            err << "--between: a rule has at most " << PG_MAX_WINDOWS << " time windows.\n";
            return kExitUsage;
        }
        for (const std::string &b : between) {
            TimeWindow w;
            if (!policy::parseWindow(b, &w, &why)) {
                err << "--between: " << why << '\n';
                return kExitUsage;
            }
            t.windows.push_back(w);
        }
        uint64_t secs = 0;
        if (!budget.empty()) {
            if (!policy::parseDuration(budget, PG_DAY_SECONDS, &secs, &why)) {
                err << "--budget: " << why << '\n';
                return kExitUsage;
            }
            if (secs == 0) {
                err << "--budget: a daily budget of 0 would block all day; use --block.\n";
                return kExitUsage;
            }
            t.budgetSeconds = static_cast<uint32_t>(secs);
            t.budgetGroup = budgetGroup;
        }
        if (!grace.empty()) {
            if (!policy::parseDuration(grace, PG_MAX_BUDGET_GRACE_S, &secs, &why)) {
                err << "--grace: " << why << '\n';
                return kExitUsage;
            }
            t.graceSeconds = static_cast<uint32_t>(secs);
        }
        if (!forDuration.empty()) {
            // Up to ten years: anything longer is a mistake, not an approval.
            if (!policy::parseDuration(forDuration, 3650ull * 86400ull, &secs, &why)) {
                err << "--for: " << why << '\n';
                return kExitUsage;
            }
            if (secs == 0) {
                err << "--for: the rule would expire at once.\n";
                return kExitUsage;
            }
            t.expiry = Expiry::At;
            o->expireAfter = secs;
        }
        if (once)
            t.expiry = Expiry::Once;
        if (untilReboot)
            t.expiry = Expiry::Reboot;
    } else if (rulesImport->parsed()) {
        o->command = Command::RulesImport;
    } else if (rulesExport->parsed()) {
        o->command = Command::RulesExport;
    } else if (learn->parsed()) {
        o->command = Command::Learn;
        o->learnPackages = !noPackages;
    } else if (explain->parsed()) {
        o->command = Command::Explain;
        if (explainParentOpt->count() > 0)
            o->explainParent = explainParent;
        if (explainCmdlineOpt->count() > 0)
            o->explainCmdline = explainCmdline;
        if (explainPackageOpt->count() > 0)
            o->explainPackage = explainPackage;
    } else if (rulesRemove->parsed()) {
        o->command = Command::RulesRemove;
    } else if (mode->parsed()) {
        o->command = Command::Mode;
        o->mode = *modeFromString(modeName);
        if (!defaultVerdict.empty())
            o->defaultVerdict = verdictFromString(defaultVerdict);
        std::string why;
        uint32_t ms = 0;
        if (timeoutOpt->count() > 0) {
            if (!parseMilliseconds(timeoutText, PG_MAX_TIMEOUT_MS, &ms, &why)) {
                err << "--timeout: " << why << '\n';
                return kExitUsage;
            }
            o->timeoutMs = ms;
        }
        if (budgetOpt->count() > 0) {
            if (!parseMilliseconds(budgetText, PG_MAX_HOLD_BUDGET_MS, &ms, &why)) {
                err << "--budget: " << why << '\n';
                return kExitUsage;
            }
            o->budgetMs = ms;
        }
    } else if (ps->parsed()) {
        o->command = Command::Ps;
    } else if (managed->parsed()) {
        o->command = Command::ManagedApply;
    } else if (resolve->parsed()) {
        o->command = Command::Resolve;
    } else if (resolver->parsed()) {
        o->command = resolverAction == "install"     ? Command::ResolverInstall
                     : resolverAction == "uninstall" ? Command::ResolverUninstall
                     : resolverAction == "start"     ? Command::ResolverStart
                                                     : Command::ResolverStop;
    } else if (sync->parsed()) {
        o->command = Command::Sync;
        for (const std::string &h : o->syncHeaders) {
            const size_t colon = h.find(':');
            if (colon == std::string::npos || colon == 0 ||
                h.find_first_of("\r\n") != std::string::npos) {
                err << "--header: \"" << h << "\" is not \"Name: value\".\n";
                return kExitUsage;
            }
        }
    } else if (install != nullptr && install->parsed()) {
        o->command = Command::Install;
    } else if (start != nullptr && start->parsed()) {
        o->command = Command::Start;
    } else if (stop != nullptr && stop->parsed()) {
        o->command = Command::Stop;
    } else if (uninstall != nullptr && uninstall->parsed()) {
        o->command = Command::Uninstall;
    } else if (state != nullptr && state->parsed()) {
        o->command = Command::State;
    }
    return -1;
}

} // namespace ctl
} // namespace pg
