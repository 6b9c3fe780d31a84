// EventChannel.h - a system event log that procguardctl monitor --format ecs
// --event-log writes to: on Windows the ProcGuard log of the Windows Event
// Log (WindowsEventLog.h, registered by the installer); an in-memory fake in
// the tests. On Linux procguardd itself sends the same objects to syslog
// (procguardd --events), so there is no implementation there.
//
// Threads: one caller at a time. write() does not block for long (the
// Windows event log service takes the record or refuses it).
#pragma once

#include <string>

namespace pg
{

class EventChannel
{
public:
    // Information: an ordinary event; Warning: a block or a loss.
    enum class Level { Information, Warning };

    virtual ~EventChannel() = default;
    // Writes one record whose text is utf8 (one ECS JSON object). false:
    // *error is one sentence.
    virtual bool write(const std::string &utf8, Level level, std::string *error) = 0;
};

} // namespace pg
