// ScmLifecycle.h - pg::Lifecycle for procguard.sys through the Service
// Control Manager: install = CreateService(SERVICE_KERNEL_DRIVER,
// SERVICE_DEMAND_START), start = StartService, stop = ControlService(STOP)
// (the driver's DriverUnload releases every held start first), uninstall =
// DeleteService. Every wait is bounded (a few seconds); the usual failures
// map to LifecycleError codes with one sentence a user can act on
// (signature policy, marked for deletion, already running, access denied).
// Windows only; thread-agnostic; no state kept between calls.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "Lifecycle.h"

namespace pg
{

// A user-mode service of ours in its own process (the fact resolver,
// `procguardctl resolve --service`): install = CreateService(
// SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START) after its dependency;
// start, stop, uninstall and state as for the driver.
struct ScmServiceSpec {
    std::string serviceName;
    std::string displayName;
    std::string commandLine; // the program, quoted, and its arguments
    std::string dependency;  // a service that must run first; "" = none
    std::string subject;     // what it is, in messages: "the fact resolver"
};

class ScmLifecycle : public Lifecycle
{
public:
    explicit ScmLifecycle(LifecycleOptions options);
    explicit ScmLifecycle(ScmServiceSpec service);
    ComponentState state(LifecycleError *error = nullptr) override;
    LifecycleError install() override;
    LifecycleError start() override;
    LifecycleError stop() override;
    LifecycleError uninstall() override;
    std::string describe() const override;

    // The message for a Win32 error from the SCM, for tests and the CLI.
    static LifecycleError fromWin32(unsigned long code, const std::string &what);
    // The same, for a service that is not the driver (subject: "the fact resolver").
    static LifecycleError fromWin32(unsigned long code, const std::string &what,
                                    const std::string &subject);

private:
    LifecycleError installService() const;
    LifecycleError fail(unsigned long code, const std::string &what) const;
    std::string subject() const;

    LifecycleOptions m_options;
    std::optional<ScmServiceSpec> m_service; // set: a user-mode service, not the driver
};

std::unique_ptr<Lifecycle> makeScmLifecycle(const LifecycleOptions &options);

} // namespace pg
