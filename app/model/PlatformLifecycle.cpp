// PlatformLifecycle.cpp - the factory and names declared in app/Lifecycle.h,
// for builds on Linux (LinuxLifecycle). A Windows build provides its own
// (ScmLifecycle).
#include <memory>

#include "Lifecycle.h"
#include "LinuxLifecycle.h"

namespace pg
{

const char *toString(ComponentState state)
{
    switch (state) {
    case ComponentState::NotInstalled:
        return "not installed";
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

std::unique_ptr<Lifecycle> makePlatformLifecycle(const LifecycleOptions &options)
{
    return std::make_unique<LinuxLifecycle>(options);
}

} // namespace pg
