// IoctlCodes.h - the control codes of driver/protocol/pg_ioctl.h as C++
// constants. The header's macros are C (old-style casts), which the C++
// warning set refuses where they expand; they are expanded once, here.
#pragma once

#include <cstdint>

#include "pg_ioctl.h"

namespace pg
{

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
constexpr uint32_t kIoctlRequest = PG_IOCTL_REQUEST;
constexpr uint32_t kIoctlReadEvents = PG_IOCTL_READ_EVENTS;
constexpr uint32_t kIoctlTestInject = PG_IOCTL_TEST_INJECT; // test builds of the driver only
#pragma GCC diagnostic pop

} // namespace pg
