// WindowsProcessControl.cpp - ProcessControl over TerminateProcess (see
// ProcessControl.h). Windows has no polite "please exit" for an arbitrary
// process (WM_CLOSE reaches only windowed ones), so the panel ends it with
// exit code 1, as Task Manager's "End task" does.
#include <windows.h>

#include "ProcessControl.h"
#include "WinText.h"

namespace pg
{

namespace
{

class WindowsProcessControl : public ProcessControl
{
public:
    std::string terminate(uint32_t pid) override
    {
        // PID 0 (idle) and 4 (System) are the kernel's; ourselves is never
        // what a person means by "this process".
        if (pid == 0 || pid == 4 || pid == GetCurrentProcessId())
            return "Process " + std::to_string(pid) + " cannot be ended from the panel.";
        const std::string p = "process " + std::to_string(pid);
        HANDLE process = OpenProcess(PROCESS_TERMINATE, FALSE, pid);
        if (process == nullptr) {
            const DWORD error = GetLastError();
            if (error == ERROR_INVALID_PARAMETER)
                return "Could not end " + p + ": it has already exited.";
            if (error == ERROR_ACCESS_DENIED)
                return "Not permitted to end " + p +
                       ": it is protected or belongs to another user; run the panel as an "
                       "Administrator.";
            return "Could not end " + p + ": " + win32Message(error);
        }
        const bool ended = TerminateProcess(process, 1) != 0;
        const DWORD error = GetLastError();
        CloseHandle(process);
        if (!ended)
            return "Could not end " + p + ": " + win32Message(error);
        return {};
    }
};

} // namespace

std::unique_ptr<ProcessControl> makePlatformProcessControl()
{
    return std::make_unique<WindowsProcessControl>();
}

} // namespace pg
