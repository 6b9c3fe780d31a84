// Commands.cpp - dispatch and what every command shares.
#include "Commands.h"

#include <chrono>

#include "DefaultPaths.h"
#include "ExitCodes.h"

namespace pg
{
namespace ctl
{

void EventQueue::onEvents(std::vector<Event> &&batch)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_events.insert(m_events.end(), std::make_move_iterator(batch.begin()),
                        std::make_move_iterator(batch.end()));
    }
    m_wakeup.notify();
}

void EventQueue::onDisconnected(const Error &error)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_gone = error;
    }
    m_wakeup.notify();
}

std::vector<Event> EventQueue::take(std::optional<Error> *gone)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<Event> out;
    out.swap(m_events);
    if (gone)
        *gone = m_gone;
    return out;
}

int fail(Context &ctx, const Error &error)
{
    *ctx.err << error.message << '\n';
    return exitCodeFor(error);
}

int exitCodeFor(const LifecycleError &e)
{
    switch (e.code) {
    case LifecycleError::Code::None:
        return kExitOk;
    case LifecycleError::Code::NotAdministrator:
        return kExitPermissionDenied;
    case LifecycleError::Code::NotInstalled:
    case LifecycleError::Code::NotRunning:
        return kExitNotRunning;
    case LifecycleError::Code::Timeout:
        return kExitDisconnected;
    default:
        break;
    }
    return kExitFailed;
}

int openSession(const Options &o, Context &ctx, bool control, bool snapshot, EventSink *sink,
                Session *session)
{
    const std::string endpoint = o.socket.empty() ? defaultSocketPath() : o.socket;
    session->link = std::make_unique<KernelLink>(ctx.makeTransport(endpoint));
    ConnectOptions options;
    options.control = control;
    options.observerIfTaken = false;
    options.snapshot = snapshot;
    options.clientName = "procguardctl";
    options.timeout = ctx.connectTimeout;
    if (Error e = session->link->connect(options, &session->info))
        return fail(ctx, e);
    if (ctx.policyGuard)
        session->link->setPolicyGuard(ctx.policyGuard);
    session->link->start(sink);
    return kExitOk;
}

int run(int argc, const char *const *argv, Context &ctx)
{
    if (!ctx.nowNs)
        ctx.nowNs = [] {
            return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
        };
    Options o;
    const int parsed =
        parseCommandLine(argc, argv, &o, *ctx.out, *ctx.err, static_cast<bool>(ctx.makeLifecycle));
    if (parsed >= 0)
        return parsed;
    switch (o.command) {
    case Command::Status:
        return runStatus(o, ctx);
    case Command::Monitor:
        return runMonitor(o, ctx);
    case Command::Approve:
        return runApprove(o, ctx);
    case Command::RulesList:
        return runRulesList(o, ctx);
    case Command::RulesAdd:
        return runRulesAdd(o, ctx);
    case Command::RulesRemove:
        return runRulesRemove(o, ctx);
    case Command::RulesImport:
        return runRulesImport(o, ctx);
    case Command::RulesExport:
        return runRulesExport(o, ctx);
    case Command::Explain:
        return runExplain(o, ctx);
    case Command::Learn:
        return runLearn(o, ctx);
    case Command::Mode:
        return runMode(o, ctx);
    case Command::Sync:
        return runSync(o, ctx);
    case Command::Ps:
        return runPs(o, ctx);
    case Command::ManagedApply:
        return runManagedApply(o, ctx);
    case Command::Resolve:
        return runResolve(o, ctx);
    case Command::ResolverInstall:
    case Command::ResolverUninstall:
    case Command::ResolverStart:
    case Command::ResolverStop:
        return runResolver(o, ctx);
    case Command::Install:
    case Command::Start:
    case Command::Stop:
    case Command::Uninstall:
    case Command::State:
        return runLifecycle(o, ctx);
    case Command::None:
        break;
    }
    *ctx.err << "No command given; see procguardctl --help.\n";
    return kExitUsage;
}

} // namespace ctl
} // namespace pg
