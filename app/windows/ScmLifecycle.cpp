// ScmLifecycle.cpp - see ScmLifecycle.h.
#include "ScmLifecycle.h"

#include <windows.h>

#include <chrono>
#include <thread>

// Not in every mingw-w64 winerror.h: "Windows cannot verify the digital
// signature for this file" (unsigned or test-signed driver, test signing off).
#ifndef ERROR_INVALID_IMAGE_HASH
#define ERROR_INVALID_IMAGE_HASH 577L
#endif

namespace pg
{

namespace
{

constexpr auto kWaitStep = std::chrono::milliseconds(50);
constexpr auto kStateTimeout = std::chrono::seconds(10);

// Closes an SC_HANDLE on scope exit.
struct ScHandle {
    SC_HANDLE h = nullptr;
    explicit ScHandle(SC_HANDLE handle) : h(handle) {}
    ~ScHandle()
    {
        if (h != nullptr) {
            CloseServiceHandle(h);
        }
    }
    ScHandle(const ScHandle &) = delete;
    ScHandle &operator=(const ScHandle &) = delete;
    explicit operator bool() const { return h != nullptr; }
};

LifecycleError make(LifecycleError::Code code, unsigned long sys, std::string message)
{
    LifecycleError e;
    e.code = code;
    e.systemError = static_cast<long>(sys);
    e.message = std::move(message);
    return e;
}

ComponentState fromScm(DWORD state)
{
    switch (state) {
    case SERVICE_STOPPED:
        return ComponentState::Stopped;
    case SERVICE_START_PENDING:
        return ComponentState::StartPending;
    case SERVICE_STOP_PENDING:
        return ComponentState::StopPending;
    case SERVICE_RUNNING:
        return ComponentState::Running;
    default:
        return ComponentState::Unknown;
    }
}

std::wstring widen(const std::string &s)
{
    if (s.empty()) {
        return {};
    }
    int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
    std::wstring w(static_cast<size_t>(n), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), w.data(), n);
    return w;
}

// Polls the service until it leaves a pending state or the bound passes.
bool waitForState(SC_HANDLE service, DWORD wanted, DWORD *last)
{
    auto until = std::chrono::steady_clock::now() + kStateTimeout;
    SERVICE_STATUS st{};
    while (QueryServiceStatus(service, &st)) {
        *last = st.dwCurrentState;
        if (st.dwCurrentState == wanted) {
            return true;
        }
        if (std::chrono::steady_clock::now() > until) {
            return false;
        }
        std::this_thread::sleep_for(kWaitStep);
    }
    return false;
}

} // namespace

ScmLifecycle::ScmLifecycle(LifecycleOptions options) : m_options(std::move(options)) {}

ScmLifecycle::ScmLifecycle(ScmServiceSpec service) : m_service(std::move(service))
{
    m_options.serviceName = m_service->serviceName;
}

std::string ScmLifecycle::describe() const
{
    return (m_service ? "service " : "kernel driver service ") + m_options.serviceName;
}

std::string ScmLifecycle::subject() const
{
    return m_service ? m_service->subject : std::string("the driver");
}

LifecycleError ScmLifecycle::fail(unsigned long code, const std::string &what) const
{
    return fromWin32(code, what, subject());
}

LifecycleError ScmLifecycle::fromWin32(unsigned long code, const std::string &what)
{
    return fromWin32(code, what, "the driver");
}

LifecycleError ScmLifecycle::fromWin32(unsigned long code, const std::string &what,
                                       const std::string &subject)
{
    using C = LifecycleError::Code;
    switch (code) {
    case ERROR_ACCESS_DENIED:
        return make(C::NotAdministrator, code, what + ": run as Administrator.");
    case ERROR_SERVICE_MARKED_FOR_DELETE:
        return make(C::MarkedForDeletion, code,
                    what + ": the service is marked for deletion; close every program using "
                           "it (the panel, Services, procguardctl) or restart Windows.");
    case ERROR_SERVICE_EXISTS:
        return make(C::AlreadyInstalled, code, what + ": " + subject + " is already installed.");
    case ERROR_SERVICE_ALREADY_RUNNING:
        return make(C::AlreadyRunning, code, what + ": " + subject + " is already running.");
    case ERROR_SERVICE_DOES_NOT_EXIST:
        return make(C::NotInstalled, code, what + ": " + subject + " is not installed.");
    case ERROR_SERVICE_NOT_ACTIVE:
        return make(C::NotRunning, code, what + ": " + subject + " is not running.");
    case ERROR_INVALID_IMAGE_HASH:
        return make(C::SignaturePolicy, code,
                    what + ": Windows refused the driver's signature; install a signed build, "
                           "or enable test signing for a test-signed one "
                           "(bcdedit /set testsigning on, then restart).");
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
        return make(C::Failed, code, what + ": " + subject + " file was not found.");
    case ERROR_SERVICE_REQUEST_TIMEOUT:
        return make(C::Timeout, code, what + ": " + subject + " did not answer in time.");
    default:
        return make(C::Failed, code, what + ": Windows error " + std::to_string(code) + ".");
    }
}

ComponentState ScmLifecycle::state(LifecycleError *error)
{
    ScHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
    if (!scm) {
        if (error != nullptr) {
            *error = fail(GetLastError(), "cannot open the service manager");
        }
        return ComponentState::Unknown;
    }
    ScHandle svc(OpenServiceW(scm.h, widen(m_options.serviceName).c_str(), SERVICE_QUERY_STATUS));
    if (!svc) {
        DWORD err = GetLastError();
        if (err == ERROR_SERVICE_DOES_NOT_EXIST) {
            return ComponentState::NotInstalled;
        }
        if (error != nullptr) {
            *error = fail(err, "cannot query " + subject());
        }
        return ComponentState::Unknown;
    }
    SERVICE_STATUS st{};
    if (!QueryServiceStatus(svc.h, &st)) {
        if (error != nullptr) {
            *error = fail(GetLastError(), "cannot query " + subject());
        }
        return ComponentState::Unknown;
    }
    return fromScm(st.dwCurrentState);
}

LifecycleError ScmLifecycle::install()
{
    if (m_service) {
        return installService();
    }
    if (m_options.componentPath.empty()) {
        return make(LifecycleError::Code::Failed, 0, "install: no driver file given.");
    }
    std::wstring path = widen(m_options.componentPath);
    wchar_t full[MAX_PATH * 2];
    DWORD n = GetFullPathNameW(path.c_str(), MAX_PATH * 2, full, nullptr);
    if (n == 0 || n >= MAX_PATH * 2) {
        return fail(GetLastError(), "install");
    }
    if (GetFileAttributesW(full) == INVALID_FILE_ATTRIBUTES) {
        return fail(ERROR_FILE_NOT_FOUND, "install");
    }
    ScHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CREATE_SERVICE));
    if (!scm) {
        return fail(GetLastError(), "install");
    }
    std::wstring name = widen(m_options.serviceName);
    ScHandle svc(CreateServiceW(scm.h, name.c_str(), L"ProcGuard launch control",
                                SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START,
                                SERVICE_ERROR_NORMAL, full, nullptr, nullptr, nullptr, nullptr,
                                nullptr));
    if (!svc) {
        return fail(GetLastError(), "install");
    }
    return {};
}

LifecycleError ScmLifecycle::installService() const
{
    ScHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CREATE_SERVICE));
    if (!scm) {
        return fail(GetLastError(), "install");
    }
    // Dependencies are a list of names, each ended by a NUL, the list by another.
    std::wstring deps = widen(m_service->dependency);
    deps.push_back(L'\0');
    deps.push_back(L'\0');
    ScHandle svc(CreateServiceW(
        scm.h, widen(m_service->serviceName).c_str(), widen(m_service->displayName).c_str(),
        SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL,
        widen(m_service->commandLine).c_str(), nullptr, nullptr,
        m_service->dependency.empty() ? nullptr : deps.c_str(), nullptr, nullptr));
    if (!svc) {
        return fail(GetLastError(), "install");
    }
    return {};
}

LifecycleError ScmLifecycle::start()
{
    ScHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
    if (!scm) {
        return fail(GetLastError(), "start");
    }
    ScHandle svc(OpenServiceW(scm.h, widen(m_options.serviceName).c_str(),
                              SERVICE_START | SERVICE_QUERY_STATUS));
    if (!svc) {
        return fail(GetLastError(), "start");
    }
    if (!StartServiceW(svc.h, 0, nullptr)) {
        return fail(GetLastError(), "start");
    }
    DWORD last = 0;
    if (!waitForState(svc.h, SERVICE_RUNNING, &last)) {
        return fail(ERROR_SERVICE_REQUEST_TIMEOUT, "start");
    }
    return {};
}

LifecycleError ScmLifecycle::stop()
{
    ScHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
    if (!scm) {
        return fail(GetLastError(), "stop");
    }
    ScHandle svc(OpenServiceW(scm.h, widen(m_options.serviceName).c_str(),
                              SERVICE_STOP | SERVICE_QUERY_STATUS));
    if (!svc) {
        return fail(GetLastError(), "stop");
    }
    SERVICE_STATUS st{};
    if (!ControlService(svc.h, SERVICE_CONTROL_STOP, &st)) {
        return fail(GetLastError(), "stop");
    }
    DWORD last = st.dwCurrentState;
    if (last != SERVICE_STOPPED && !waitForState(svc.h, SERVICE_STOPPED, &last)) {
        return fail(ERROR_SERVICE_REQUEST_TIMEOUT, "stop");
    }
    return {};
}

LifecycleError ScmLifecycle::uninstall()
{
    ScHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
    if (!scm) {
        return fail(GetLastError(), "uninstall");
    }
    ScHandle svc(
        OpenServiceW(scm.h, widen(m_options.serviceName).c_str(), DELETE | SERVICE_QUERY_STATUS));
    if (!svc) {
        return fail(GetLastError(), "uninstall");
    }
    SERVICE_STATUS st{};
    if (QueryServiceStatus(svc.h, &st) && st.dwCurrentState != SERVICE_STOPPED) {
        return make(LifecycleError::Code::AlreadyRunning, 0,
                    "uninstall: stop " + subject() + " first.");
    }
    if (!DeleteService(svc.h)) {
        return fail(GetLastError(), "uninstall");
    }
    return {};
}

std::unique_ptr<Lifecycle> makeScmLifecycle(const LifecycleOptions &options)
{
    return std::make_unique<ScmLifecycle>(options);
}

} // namespace pg
