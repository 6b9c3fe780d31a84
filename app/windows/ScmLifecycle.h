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
#include <string>

#include "Lifecycle.h"

namespace pg
{

class ScmLifecycle : public Lifecycle
{
public:
    explicit ScmLifecycle(LifecycleOptions options);
    ComponentState state(LifecycleError *error = nullptr) override;
    LifecycleError install() override;
    LifecycleError start() override;
    LifecycleError stop() override;
    LifecycleError uninstall() override;
    std::string describe() const override;

    // The message for a Win32 error from the SCM, for tests and the CLI.
    static LifecycleError fromWin32(unsigned long code, const std::string &what);

private:
    LifecycleOptions m_options;
};

std::unique_ptr<Lifecycle> makeScmLifecycle(const LifecycleOptions &options);

} // namespace pg
