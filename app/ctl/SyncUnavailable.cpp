// SyncUnavailable.cpp - `procguardctl sync` where the Santa sync client is
// not built (the mingw-w64 build has no libcurl yet): one clear sentence.
#include "Commands.h"
#include "ExitCodes.h"

namespace pg
{
namespace ctl
{

int runSync(const Options &, Context &ctx)
{
    *ctx.err << "procguardctl sync is not available in this Windows build yet (it needs "
                "libcurl); run the sync on Linux, or manage this machine through its policy.\n";
    return kExitFailed;
}

} // namespace ctl
} // namespace pg
