// TransportFactory.h - the platform's Transport, so that callers (the
// panel, procguardctl) need no platform code of their own.
//
// Linux: a UnixSocketTransport on the given socket path (empty: the
// default from DefaultPaths.h). Other platforms add their own
// implementation file.
#pragma once

#include <memory>
#include <string>

#include "Transport.h"

namespace pg
{

std::unique_ptr<Transport> createPlatformTransport(const std::string &endpoint);

} // namespace pg
