// WindowsPlatform.cpp - the factories that app/TransportFactory.h,
// app/Lifecycle.h and app/FactResolver.h declare, for Windows builds:
// procguard.sys's device, the Service Control Manager and the signer. (Linux:
// UnixSocketTransport.cpp and app/model/PlatformLifecycle.cpp.) Exactly one definition per
// platform.
#include <memory>

#include "DeviceTransport.h"
#include "FactResolver.h"
#include "Lifecycle.h"
#include "ScmLifecycle.h"
#include "Signer.h"
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

std::unique_ptr<FactSource> makePlatformFactSource()
{
    return std::make_unique<SignerFactSource>();
}

} // namespace pg
