// Lifecycle.h - install, start, stop, uninstall and query the kernel
// component: one interface, one implementation per platform, a fake for
// tests.
//
//   Linux:   procguardd registered as a systemd unit where systemd runs
//            (/run/systemd/system exists), otherwise started directly as a
//            detached process with a pid file. (LinuxLifecycle)
//   Windows: procguard.sys through the Service Control Manager
//            (CreateService SERVICE_KERNEL_DRIVER, StartService,
//            ControlService STOP, DeleteService). (ScmLifecycle)
//
// Calls block for at most a few seconds (each implementation bounds its
// waits) and are made from a worker thread by the panel, never from its GUI
// thread. Every failure carries one actionable sentence for the user.
#pragma once

#include <memory>
#include <string>

namespace pg {

enum class ComponentState {
    Unknown,      // could not be determined (see the error)
    NotInstalled, // not registered
    Stopped,      // registered, not running
    StartPending,
    Running,
    StopPending,
};

struct LifecycleError {
    enum class Code {
        None,
        NotAdministrator,  // needs root / Administrator
        Unsupported,       // kernel lacks fanotify permission events, ...
        SignaturePolicy,   // Windows refused an unsigned / test-signed driver
        MarkedForDeletion, // Windows: service deleted, handles still open
        AlreadyInstalled,
        AlreadyRunning,
        NotInstalled,
        NotRunning,
        Timeout,
        Failed,
    };
    Code code = Code::None;
    long systemError = 0; // errno or Win32 error code
    std::string message;  // one actionable sentence
    explicit operator bool() const { return code != Code::None; }
};

struct LifecycleOptions {
    std::string componentPath; // procguardd / procguard.sys to install
    std::string socketPath;    // Linux: --socket for the daemon ("" = default)
    std::string serviceName = "procguard";
};

class Lifecycle {
public:
    virtual ~Lifecycle() = default;
    virtual ComponentState state(LifecycleError *error = nullptr) = 0;
    virtual LifecycleError install() = 0;
    virtual LifecycleError start() = 0;
    virtual LifecycleError stop() = 0;
    virtual LifecycleError uninstall() = 0;
    virtual std::string describe() const = 0; // "systemd unit procguardd.service"
};

const char *toString(ComponentState state);

// The implementation for the platform this was built for.
std::unique_ptr<Lifecycle> makePlatformLifecycle(const LifecycleOptions &options);

} // namespace pg
