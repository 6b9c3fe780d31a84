// Commands.h - procguardctl's commands, runnable against any Transport.
//
// main.cpp fills a Context with the real transport, /proc and signals;
// unit tests fill it with a FakeTransport, a FakeProcessSource and string
// streams. Every command returns an exit code (ExitCodes.h) and writes
// errors to ctx.err as one sentence.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>

#include "Cli.h"
#include "EventChannel.h"
#include "KernelLink.h"
#include "Lifecycle.h"
#include "ProcessSource.h"
#include "Wakeup.h"

namespace pg
{
class FactSource;

namespace policy
{
class Accounts;
class FileSystem;
} // namespace policy

namespace ctl
{

struct Context {
    // Makes the transport for an endpoint (the --socket value, resolved).
    std::function<std::unique_ptr<Transport>(const std::string &endpoint)> makeTransport;
    ProcessSource *processes = nullptr;
    std::ostream *out = nullptr;
    std::ostream *err = nullptr;
    WaitHandle inputFd = 0;            // approve reads answers from here (readInput)
    WaitHandle stopFd = kNoWaitHandle; // ready once SIGINT/SIGTERM (Ctrl-C) arrived
    std::function<uint64_t()> nowNs;   // UTC ns; default: the system clock
    // Local time = UTC + utcOffset(utc) seconds (rules list, explain); unset: the system zone.
    std::function<int32_t(int64_t utc)> utcOffset;
    std::chrono::milliseconds connectTimeout{3000};
    std::chrono::milliseconds requestTimeout{5000};
    // Where the platform has lifecycle commands (Windows: install, start,
    // stop, uninstall, state through the SCM): makes the Lifecycle. Unset:
    // those commands do not exist.
    std::function<std::unique_ptr<Lifecycle>(const LifecycleOptions &)> makeLifecycle;
    // Turns a rule pattern as typed into the form the component matches
    // (Windows: NtPath.h's driver form). Unset: used as typed.
    std::function<std::string(const std::string &pattern, RuleKind kind)> normalisePattern;
    // Runs before every policy a command sends (KernelLink::setPolicyGuard):
    // Windows imposes the Group Policy layer (app/policy/ManagedRegistry.h).
    // Unset: the component enforces its managed layer itself (procguardd).
    KernelLink::PolicyGuard policyGuard;
    // The managed layer as this side reads it, for a component that has
    // none of its own (Windows: the registry key). Unset: none.
    std::function<ManagedStatus()> localManagedStatus;
    // Group names and memberships (rules add --group, explain --user) and
    // policy files (rules import/export, explain --policy). Unset: the
    // system's (app/policy).
    policy::Accounts *accounts = nullptr;
    policy::FileSystem *files = nullptr;
    // Facts about a start that only user mode finds (Windows: the image's
    // trusted signer), for requests marked PG_EVF_FACTS (approve, resolve). Unset:
    // none, so SIGNER rules never match.
    FactSource *facts = nullptr;
    // This machine's name and stable id (monitor --format ecs: host.name,
    // host.id; Linux: the host name and /etc/machine-id, Windows: the
    // computer name and MachineGuid). Unset or empty: left out.
    std::function<void(std::string *name, std::string *id)> hostIdentity;
    // The system event log of monitor --event-log (Windows: the ProcGuard
    // log, WindowsEventLog.h); nullptr with *error when it cannot be
    // opened. Unset: the platform has none (Linux: procguardd --events).
    std::function<std::unique_ptr<EventChannel>(std::string *error)> openEventChannel;
    // The account of a SID ("S-1-5-21-..."), for monitor --format ecs on
    // Windows (user.name, user.domain). Unset or false: left out.
    std::function<bool(const std::string &sid, std::string *name, std::string *domain)>
        accountOfSid;
};

// Parses argv and runs the command. The whole of procguardctl.
int run(int argc, const char *const *argv, Context &ctx);

int runStatus(const Options &o, Context &ctx);
int runMonitor(const Options &o, Context &ctx);
int runApprove(const Options &o, Context &ctx);
int runRulesList(const Options &o, Context &ctx);
int runRulesAdd(const Options &o, Context &ctx);
int runRulesRemove(const Options &o, Context &ctx);
int runRulesImport(const Options &o, Context &ctx);
int runRulesExport(const Options &o, Context &ctx);
int runExplain(const Options &o, Context &ctx);
int runMode(const Options &o, Context &ctx);
int runLearn(const Options &o, Context &ctx);
int runPs(const Options &o, Context &ctx);
// managed apply: sends the policy in force again, so that the policy guard
// (Windows: Group Policy) puts the managed layer into the component.
int runManagedApply(const Options &o, Context &ctx);
int runResolve(const Options &o, Context &ctx);   // resolve [--service]
int runResolver(const Options &o, Context &ctx);  // resolver install|uninstall|start|stop
int runLifecycle(const Options &o, Context &ctx); // install, start, stop, uninstall, state
int runSync(const Options &o, Context &ctx);      // sync (Santa sync protocol)

// An EventSink that queues events for the command's own thread and wakes it.
class EventQueue : public EventSink
{
public:
    void onEvents(std::vector<Event> &&batch) override;
    void onDisconnected(const Error &error) override;
    // Takes everything queued so far. *gone receives the disconnect reason
    // once the link has ended (code None if close() ended it).
    std::vector<Event> take(std::optional<Error> *gone);
    WaitHandle fd() const { return m_wakeup.fd(); }
    void drainWakeup() { m_wakeup.drain(); }

private:
    std::mutex m_mutex;
    std::vector<Event> m_events;
    std::optional<Error> m_gone;
    Wakeup m_wakeup;
};

// A connected, started link, or the exit code to return.
struct Session {
    std::unique_ptr<KernelLink> link;
    ConnectInfo info;
};
int openSession(const Options &o, Context &ctx, bool control, bool snapshot, EventSink *sink,
                Session *session);
// Prints error's sentence on ctx.err and returns its exit code.
int fail(Context &ctx, const Error &error);
// The exit code that reports a Lifecycle failure.
int exitCodeFor(const LifecycleError &error);

} // namespace ctl
} // namespace pg
