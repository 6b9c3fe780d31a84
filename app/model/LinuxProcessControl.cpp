// LinuxProcessControl.cpp - ProcessControl over kill(2) (see ProcessControl.h).
#include <signal.h>
#include <unistd.h>

#include <cerrno>

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

std::unique_ptr<ProcessControl> makePlatformProcessControl()
{
    return std::make_unique<LinuxProcessControl>();
}

} // namespace pg
