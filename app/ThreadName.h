// ThreadName.h - names the calling thread for debuggers, top and logs
// (at most 15 characters on Linux). A no-op where the platform cannot.
#pragma once

namespace pg
{

void setCurrentThreadName(const char *name);

} // namespace pg
