// LifecycleCommand.cpp - `procguardctl install DRIVER | start | stop |
// uninstall | state` where the platform has a Lifecycle for them
// (Windows: procguard.sys through the Service Control Manager).
//
// Each command is one Lifecycle call (bounded by the implementation) and
// one line of output; a failure is the Lifecycle's own sentence. `state`
// prints one word, for people and for scripts.
#include "Commands.h"
#include "ExitCodes.h"

namespace pg
{
namespace ctl
{

namespace
{

const char *stateWord(ComponentState s)
{
    switch (s) {
    case ComponentState::NotInstalled:
        return "not-installed";
    case ComponentState::Stopped:
        return "stopped";
    case ComponentState::StartPending:
        return "starting";
    case ComponentState::Running:
        return "running";
    case ComponentState::StopPending:
        return "stopping";
    case ComponentState::Unknown:
        break;
    }
    return "unknown";
}

} // namespace

int runLifecycle(const Options &o, Context &ctx)
{
    LifecycleOptions options;
    options.componentPath = o.componentPath;
    if (!o.serviceName.empty())
        options.serviceName = o.serviceName;
    std::unique_ptr<Lifecycle> lifecycle = ctx.makeLifecycle(options);
    LifecycleError error;
    std::string done;
    switch (o.command) {
    case Command::Install:
        error = lifecycle->install();
        done =
            "Installed " + lifecycle->describe() + " from " + o.componentPath + " (not started).";
        break;
    case Command::Start:
        error = lifecycle->start();
        done = "Started " + lifecycle->describe() + ".";
        break;
    case Command::Stop:
        error = lifecycle->stop();
        done = "Stopped " + lifecycle->describe() + "; held starts got the default verdict.";
        break;
    case Command::Uninstall:
        error = lifecycle->uninstall();
        done = "Removed " + lifecycle->describe() + ".";
        break;
    case Command::State: {
        const ComponentState s = lifecycle->state(&error);
        if (!error) {
            *ctx.out << stateWord(s) << '\n';
            return kExitOk;
        }
        break;
    }
    default:
        *ctx.err << "Not a lifecycle command.\n";
        return kExitUsage;
    }
    if (error) {
        *ctx.err << error.message << '\n';
        return exitCodeFor(error);
    }
    *ctx.out << done << '\n';
    return kExitOk;
}

} // namespace ctl
} // namespace pg
