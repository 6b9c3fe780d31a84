// WindowsEventLog.cpp - see WindowsEventLog.h.
#include "WindowsEventLog.h"

#include <windows.h>

#include "WinText.h"

namespace pg
{

WindowsEventLog::~WindowsEventLog()
{
    DeregisterEventSource(static_cast<HANDLE>(m_handle));
}

std::unique_ptr<WindowsEventLog> WindowsEventLog::open(std::string *error)
{
    HANDLE h = RegisterEventSourceW(nullptr, kSourceName);
    if (h == nullptr) {
        *error = "Cannot open the ProcGuard event log: " + win32Message(GetLastError());
        return nullptr;
    }
    return std::unique_ptr<WindowsEventLog>(new WindowsEventLog(h));
}

bool WindowsEventLog::write(const std::string &utf8, Level level, std::string *error)
{
    // One insertion string, the object itself (message "%1"). An event
    // log record holds at most 31839 characters per string: a longer
    // object (a very long command line) is cut there; its JSON then ends
    // early, and the record says so by its length.
    std::wstring text = toWide(utf8);
    constexpr size_t kMaxChars = 31839;
    if (text.size() > kMaxChars)
        text.resize(kMaxChars);
    const wchar_t *strings[1] = {text.c_str()};
    const bool warning = level == Level::Warning;
    if (!ReportEventW(static_cast<HANDLE>(m_handle),
                      warning ? EVENTLOG_WARNING_TYPE : EVENTLOG_INFORMATION_TYPE, 0,
                      warning ? kEventWarning : kEventInformation, nullptr, 1, 0, strings,
                      nullptr)) {
        *error = "Cannot write to the ProcGuard event log: " + win32Message(GetLastError());
        return false;
    }
    return true;
}

} // namespace pg
