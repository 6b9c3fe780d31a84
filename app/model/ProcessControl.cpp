// ProcessControl.cpp - describeTerminateError (see ProcessControl.h): kill(2)'s
// errors as sentences. Portable: the Linux implementation uses it, and the
// fake in tests/ui reports errno values through it on every platform.
#include "ProcessControl.h"

#include <cerrno>
#include <cstring>

namespace pg
{

std::string describeTerminateError(int error, uint32_t pid)
{
    const std::string p = "process " + std::to_string(pid);
    switch (error) {
    case EPERM:
        return "Not permitted to end " + p +
               ": it belongs to another user; run the panel as root or as its owner.";
    case ESRCH:
        return "Could not end " + p + ": it has already exited.";
    default:
        return "Could not end " + p + ": " + std::strerror(error) + ".";
    }
}

} // namespace pg
