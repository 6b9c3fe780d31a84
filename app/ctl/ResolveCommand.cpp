// ResolveCommand.cpp - `procguardctl resolve [--service]` and
// `procguardctl resolver install|uninstall|start|stop`.
//
// procguard.sys cannot verify a signature: a start that a SIGNER rule
// could decide is held, marked PG_EVF_FACTS, for a client that can. The
// resolver role answers exactly those, so lockdown enforces SIGNER rules
// with nobody at the panel. `resolve` connects as the resolver, answers
// each such hold with the policy (FactsAnswerer.h, shared with `approve`)
// and leaves what needs a person to the controlling client, if any, else
// to the component's timeout and default verdict. It reconnects, with a
// bounded backoff, when the component goes away or restarts, and ends on
// Ctrl-C / SIGTERM (ctx.stopFd) with exit code 0.
//
// procguardd (Linux) finds every fact itself and grants a RESOLVE hello
// the observer role: `resolve` then says so once and just stays connected.
//
// Windows: `--service` runs the same loop under the Service Control
// Manager (service procguard-resolver, which `resolver install` creates,
// depending on the driver's service procguard); its lines go to
// OutputDebugString, a service having no console.
#include <algorithm>

#include "Commands.h"
#include "DefaultPaths.h"
#include "ExitCodes.h"
#include "FactsAnswerer.h"
#include "pg_protocol.h"

#if defined(_WIN32)
#include <windows.h>

#include <streambuf>

#include "ScmLifecycle.h"
#endif

namespace pg
{
namespace ctl
{

namespace
{

constexpr int kFirstRetryMs = 1000;
constexpr int kMaxRetryMs = 10000;
constexpr const char *kResolverService = "procguard-resolver";

// Worth waiting for: the component may start (again), or the other
// resolver may leave. Anything else will not mend by itself.
bool retryable(const Error &e)
{
    switch (e.code) {
    case Error::Code::NotRunning:
    case Error::Code::Disconnected:
    case Error::Code::Timeout:
    case Error::Code::Busy:
    case Error::Code::Io:
        return true;
    default:
        return false;
    }
}

// Waits up to ms; true when asked to stop meanwhile.
bool stopRequested(Context &ctx, int ms)
{
    std::vector<bool> ready;
    waitReadable({ctx.stopFd}, ms, &ready);
    return ready[0];
}

// Answers held starts on one connection until it ends (returns the reason)
// or stop is asked (returns nullopt).
std::optional<Error> serve(Context &ctx, KernelLink &link, EventQueue &queue, bool resolver)
{
    FactsAnswerer answerer(link, ctx.facts, *ctx.out, *ctx.err, ctx.requestTimeout);
    std::vector<bool> ready;
    for (;;) {
        waitReadable({queue.fd(), ctx.stopFd}, -1, &ready);
        if (ready[1])
            return std::nullopt;
        queue.drainWakeup();
        std::optional<Error> gone;
        for (const Event &e : queue.take(&gone)) {
            if (!resolver || e.kind != EventKind::Request || e.holdId == 0 ||
                (e.flags & PG_EVF_FACTS) == 0)
                continue;
            FactsAnswer a = answerer.answer(e);
            if (a.fatal)
                return a.fatal;
            if (!a.answered) {
                *ctx.out << holdLabel(e)
                         << ": needs a person; left to the controlling client, else the default "
                            "verdict when its time runs out.\n";
                ctx.out->flush();
            }
        }
        if (gone)
            return *gone ? *gone
                         : Error{Error::Code::Disconnected, 0,
                                 "The connection to the component closed."};
    }
}

int resolveLoop(const Options &o, Context &ctx)
{
    const std::string endpoint = o.socket.empty() ? defaultSocketPath() : o.socket;
    int delayMs = kFirstRetryMs;
    std::string lastProblem;
    bool noted = false;
    for (;;) {
        EventQueue queue;
        KernelLink link(ctx.makeTransport(endpoint));
        ConnectOptions options;
        options.control = false;
        options.resolve = true;
        options.observerIfTaken = true; // procguardd's answer; or another resolver runs
        options.snapshot = false;
        options.clientName = "procguardctl resolve";
        options.timeout = ctx.connectTimeout;
        ConnectInfo info;
        Error e = link.connect(options, &info);
        if (!e && info.role != Role::Resolver && info.platform == PG_PLATFORM_WINDOWS) {
            // Observer from procguard.sys: another resolver answers; take
            // over once it leaves.
            e = Error{Error::Code::Busy, PG_E_BUSY,
                      "Another client already resolves facts for " + info.serverName + "."};
            link.close();
        }
        if (e) {
            if (!retryable(e))
                return fail(ctx, e);
            if (e.message != lastProblem) {
                *ctx.err << e.message << " Retrying.\n";
                ctx.err->flush();
                lastProblem = e.message;
            }
            if (stopRequested(ctx, delayMs))
                return kExitOk;
            delayMs = std::min(delayMs * 2, kMaxRetryMs);
            continue;
        }
        delayMs = kFirstRetryMs;
        lastProblem.clear();
        link.start(&queue);
        const bool resolver = info.role == Role::Resolver;
        if (resolver) {
            *ctx.out << "Resolving facts for " << info.serverName << " as resolver.\n";
        } else if (!noted) {
            *ctx.out << "Connected to " << info.serverName
                     << " as observer: it finds every fact itself, so no start waits for a "
                        "resolver.\n";
            noted = true;
        }
        ctx.out->flush();
        const std::optional<Error> gone = serve(ctx, link, queue, resolver);
        link.close();
        if (!gone)
            return kExitOk;
        *ctx.err << gone->message << " Reconnecting.\n";
        ctx.err->flush();
        lastProblem = gone->message;
        if (stopRequested(ctx, delayMs))
            return kExitOk;
    }
}

#if defined(_WIN32)

// Each line written to it goes to OutputDebugString (a service has no console).
class DebugLineBuf : public std::streambuf
{
protected:
    int overflow(int c) override
    {
        if (c == traits_type::eof())
            return 0;
        if (c == '\n')
            flushLine();
        else
            m_line.push_back(static_cast<char>(c));
        return c;
    }
    int sync() override
    {
        if (!m_line.empty())
            flushLine();
        return 0;
    }

private:
    void flushLine()
    {
        OutputDebugStringA(("procguard-resolver: " + m_line + "\n").c_str());
        m_line.clear();
    }
    std::string m_line;
};

struct ServiceRun {
    const Options *options = nullptr;
    Context *ctx = nullptr;
    Wakeup stop;
    SERVICE_STATUS_HANDLE handle = nullptr;
    bool started = false; // serviceMain ran
    int rc = kExitOk;
};
ServiceRun *g_service = nullptr; // the dispatcher's callbacks take no context

void report(DWORD state, int rc = kExitOk)
{
    SERVICE_STATUS st{};
    st.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    st.dwCurrentState = state;
    st.dwControlsAccepted =
        state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
    st.dwWin32ExitCode = rc == kExitOk ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
    st.dwServiceSpecificExitCode = static_cast<DWORD>(rc);
    st.dwWaitHint = state == SERVICE_STOP_PENDING ? 10000 : 0;
    SetServiceStatus(g_service->handle, &st);
}

DWORD WINAPI onServiceControl(DWORD control, DWORD, void *, void *)
{
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        report(SERVICE_STOP_PENDING);
        g_service->stop.notify();
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

void WINAPI serviceMain(DWORD, LPWSTR *)
{
    g_service->handle =
        RegisterServiceCtrlHandlerExW(L"procguard-resolver", onServiceControl, nullptr);
    if (g_service->handle == nullptr)
        return;
    g_service->started = true;
    report(SERVICE_RUNNING);
    DebugLineBuf buf;
    std::ostream debug(&buf);
    Context ctx = *g_service->ctx;
    ctx.out = &debug;
    ctx.err = &debug;
    ctx.stopFd = g_service->stop.fd();
    g_service->rc = resolveLoop(*g_service->options, ctx);
    debug.flush();
    report(SERVICE_STOPPED, g_service->rc);
}

int runService(const Options &o, Context &ctx)
{
    ServiceRun run;
    run.options = &o;
    run.ctx = &ctx;
    g_service = &run;
    wchar_t name[] = L"procguard-resolver";
    SERVICE_TABLE_ENTRYW table[] = {{name, serviceMain}, {nullptr, nullptr}};
    const BOOL ok = StartServiceCtrlDispatcherW(table); // returns once the service stopped
    const DWORD code = ok ? 0 : GetLastError();
    g_service = nullptr;
    if (ok && run.started)
        return run.rc;
    // Wine's dispatcher may also return at once, without a service to run.
    if (ok || code == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
        *ctx.err << "--service: only the Service Control Manager starts this; use "
                    "`procguardctl resolver start`.\n";
        return kExitUsage;
    }
    *ctx.err << "--service: the Service Control Manager refused (Windows error " << code << ").\n";
    return kExitFailed;
}

// `"C:\...\procguardctl.exe" resolve --service`: this very program.
std::string serviceCommandLine()
{
    wchar_t path[MAX_PATH * 2];
    const DWORD n = GetModuleFileNameW(nullptr, path, MAX_PATH * 2);
    const int bytes =
        WideCharToMultiByte(CP_UTF8, 0, path, static_cast<int>(n), nullptr, 0, nullptr, nullptr);
    std::string utf8(static_cast<size_t>(bytes), '\0');
    WideCharToMultiByte(CP_UTF8, 0, path, static_cast<int>(n), &utf8[0], bytes, nullptr, nullptr);
    return "\"" + utf8 + "\" resolve --service";
}

#endif

} // namespace

int runResolve(const Options &o, Context &ctx)
{
    if (o.service) {
#if defined(_WIN32)
        return runService(o, ctx);
#else
        *ctx.err << "--service: runs only on Windows, under the Service Control Manager.\n";
        return kExitUsage;
#endif
    }
    return resolveLoop(o, ctx);
}

int runResolver(const Options &o, Context &ctx)
{
#if defined(_WIN32)
    ScmServiceSpec spec;
    spec.serviceName = kResolverService;
    spec.displayName = "ProcGuard fact resolver";
    spec.commandLine = serviceCommandLine();
    spec.dependency = "procguard";
    spec.subject = "the fact resolver";
    ScmLifecycle service(spec);
    LifecycleError e;
    const char *done = "";
    switch (o.command) {
    case Command::ResolverInstall:
        e = service.install();
        done = "Installed the service procguard-resolver (starts with Windows; start it now with "
               "procguardctl resolver start).";
        break;
    case Command::ResolverUninstall:
        e = service.uninstall();
        done = "Removed the service procguard-resolver.";
        break;
    case Command::ResolverStart:
        e = service.start();
        done = "Started the service procguard-resolver.";
        break;
    default:
        e = service.stop();
        done = "Stopped the service procguard-resolver.";
        break;
    }
    if (e) {
        *ctx.err << e.message << '\n';
        return exitCodeFor(e);
    }
    *ctx.out << done << '\n';
    return kExitOk;
#else
    (void)o;
    (void)kResolverService;
    *ctx.err << "procguardd finds every fact itself; there is no resolver service on this "
                "platform.\n";
    return kExitFailed;
#endif
}

} // namespace ctl
} // namespace pg
