// ExitCodes.h - procguardctl's exit codes (also in --help and README.md).
#pragma once

#include "KernelLink.h"

namespace pg
{
namespace ctl
{

enum ExitCode : int {
    kExitOk = 0,               // done
    kExitFailed = 1,           // the component answered an error, or the operation failed
    kExitUsage = 2,            // bad command line
    kExitNotRunning = 3,       // the component is not running
    kExitPermissionDenied = 4, // not allowed to connect
    kExitProtocol = 5,         // protocol or version error
    kExitDisconnected = 6,     // timeout or the connection closed
};

// The exit code that reports error.
inline int exitCodeFor(const Error &error)
{
    switch (error.code) {
    case Error::Code::None:
        return kExitOk;
    case Error::Code::NotRunning:
        return kExitNotRunning;
    case Error::Code::PermissionDenied:
        return kExitPermissionDenied;
    case Error::Code::VersionMismatch:
    case Error::Code::Protocol:
        return kExitProtocol;
    case Error::Code::Timeout:
    case Error::Code::Disconnected:
        return kExitDisconnected;
    case Error::Code::Busy:
    case Error::Code::Rejected:
    case Error::Code::Io:
        break;
    }
    return kExitFailed;
}

constexpr const char *kExitCodeHelp =
    "Exit codes:\n"
    "  0  success\n"
    "  1  the operation failed (the component answered an error)\n"
    "  2  usage error\n"
    "  3  the component is not running\n"
    "  4  permission denied\n"
    "  5  protocol or version error\n"
    "  6  timeout, or the connection closed";

} // namespace ctl
} // namespace pg
