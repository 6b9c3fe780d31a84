// WindowsEventLog.h - the ProcGuard log of the Windows Event Log, written
// with ReportEventW through the event source "ProcGuard".
//
// The installer (installer/windows/procguard.nsi) registers a classic log
// of its own, HKLM\SYSTEM\CurrentControlSet\Services\EventLog\ProcGuard,
// with the source ProcGuard whose EventMessageFile is procguardctl.exe: its
// message table (resources/windows/procguard-events.mc) has event 1
// (information) and 2 (warning: a block or a loss), both "%1", so Event
// Viewer and wevtutil show the ECS JSON object itself. Unregistered, the
// records still go to the Application log with the raw text.
//
// Under Wine RegisterEventSourceW and ReportEventW are stubs that succeed
// and trace the strings on the "eventlog" debug channel; nothing is kept.
#pragma once

#include <memory>
#include <string>

#include "EventChannel.h"

namespace pg
{

class WindowsEventLog : public EventChannel
{
public:
    static constexpr const wchar_t *kSourceName = L"ProcGuard";
    static constexpr unsigned long kEventInformation = 1;
    static constexpr unsigned long kEventWarning = 2;

    ~WindowsEventLog() override;
    // Registers the event source; nullptr with *error when refused.
    static std::unique_ptr<WindowsEventLog> open(std::string *error);
    bool write(const std::string &utf8, Level level, std::string *error) override;

private:
    explicit WindowsEventLog(void *handle) : m_handle(handle) {}
    void *m_handle;
};

} // namespace pg
