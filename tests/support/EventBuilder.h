// EventBuilder.h - short constructors for pg::Event in model and panel tests.
#pragma once

#include <string>

#include "Types.h"

namespace pgtest
{

inline pg::Event startEvent(uint32_t pid, uint32_t ppid, const std::string &image,
                            uint64_t timeNs = 1000)
{
    pg::Event e;
    e.kind = pg::EventKind::Start;
    e.pid = pid;
    e.ppid = ppid;
    e.image = image;
    e.cmdline = image;
    e.timeNs = timeNs;
    return e;
}

inline pg::Event execEvent(uint32_t pid, const std::string &image, const std::string &cmdline,
                           uint64_t timeNs = 1000)
{
    pg::Event e;
    e.kind = pg::EventKind::Exec;
    e.pid = pid;
    e.image = image;
    e.cmdline = cmdline;
    e.timeNs = timeNs;
    return e;
}

inline pg::Event exitEvent(uint32_t pid, uint64_t timeNs, uint32_t status = 0)
{
    pg::Event e;
    e.kind = pg::EventKind::Exit;
    e.pid = pid;
    e.timeNs = timeNs;
    e.status = status;
    return e;
}

inline pg::Event requestEvent(uint64_t holdId, uint32_t pid, uint32_t ppid,
                              const std::string &image, uint64_t timeNs = 1000)
{
    pg::Event e;
    e.kind = pg::EventKind::Request;
    e.holdId = holdId;
    e.pid = pid;
    e.ppid = ppid;
    e.image = image;
    e.timeNs = timeNs;
    e.timeoutMs = 30000;
    e.defaultVerdict = pg::Verdict::Block;
    return e;
}

inline pg::Event verdictEvent(uint64_t holdId, uint32_t pid, uint32_t ppid,
                              const std::string &image, pg::Verdict verdict,
                              pg::Source source = pg::Source::Client, uint64_t timeNs = 2000)
{
    pg::Event e;
    e.kind = pg::EventKind::Verdict;
    e.holdId = holdId;
    e.pid = pid;
    e.ppid = ppid;
    e.image = image;
    e.verdict = verdict;
    e.source = source;
    e.timeNs = timeNs;
    return e;
}

} // namespace pgtest
