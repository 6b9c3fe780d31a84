// WindowsPlatform.cpp - the factories that app/TransportFactory.h and
// app/Lifecycle.h declare, for Windows builds: procguard.sys's device and
// the Service Control Manager. (Linux: UnixSocketTransport.cpp and
// app/model/PlatformLifecycle.cpp.) Exactly one definition per platform.
#include <memory>

#include "DeviceTransport.h"
#include "Lifecycle.h"
#include "ScmLifecycle.h"
#include "TransportFactory.h"

namespace pg
{

std::unique_ptr<Transport> createPlatformTransport(const std::string &endpoint)
{
    return std::make_unique<DeviceTransport>(endpoint);
}

std::unique_ptr<Lifecycle> makePlatformLifecycle(const LifecycleOptions &options)
{
    return makeScmLifecycle(options);
}

} // namespace pg
