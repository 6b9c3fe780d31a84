// PlatformLifecycle.cpp - the factory declared in app/Lifecycle.h, for
// builds on Linux (LinuxLifecycle). Windows builds define it in
// app/windows/WindowsPlatform.cpp (ScmLifecycle); toString(ComponentState)
// is shared, in app/Lifecycle.cpp.
#include <memory>

#include "Lifecycle.h"
#include "LinuxLifecycle.h"

namespace pg
{

std::unique_ptr<Lifecycle> makePlatformLifecycle(const LifecycleOptions &options)
{
    return std::make_unique<LinuxLifecycle>(options);
}

} // namespace pg
