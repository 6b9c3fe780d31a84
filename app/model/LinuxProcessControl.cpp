// LinuxProcessControl.cpp - ProcessControl over kill(2) (see ProcessControl.h).
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ProcessControl.h"

namespace pg
{

namespace
{

class LinuxProcessControl : public ProcessControl
{
public:
    std::string terminate(uint32_t pid) override
    {
        // kill(0) and kill(-1) signal whole groups; PID 1 and ourselves are
        // never what a person means by "this process".
        if (pid <= 1 || static_cast<pid_t>(pid) == getpid())
            return "Process " + std::to_string(pid) + " cannot be ended from the panel.";
        if (::kill(static_cast<pid_t>(pid), SIGTERM) != 0)
            return describeTerminateError(errno, pid);
        return {};
    }
};

} // namespace

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

std::unique_ptr<ProcessControl> makePlatformProcessControl()
{
    return std::make_unique<LinuxProcessControl>();
}

} // namespace pg
