// Lifecycle.cpp - what app/Lifecycle.h defines for every platform. The
// factory makePlatformLifecycle() lives with each implementation
// (app/model/PlatformLifecycle.cpp on Linux, app/windows/WindowsPlatform.cpp
// on Windows).
#include "Lifecycle.h"

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

} // namespace pg
