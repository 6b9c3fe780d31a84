// LinuxProcessSource.h - ProcessSource over /proc and the passwd database.
//
// The root of /proc can be changed for tests (a directory laid out like
// /proc). Start times come from /proc/PID/stat's starttime (clock ticks
// after boot) plus btime from /proc/stat.
#pragma once

#include <map>
#include <mutex>

#include "ProcessSource.h"

namespace pg
{

class LinuxProcessSource : public ProcessSource
{
public:
    explicit LinuxProcessSource(std::string procRoot = "/proc");

    std::vector<ProcessInfo> snapshot() override;
    std::string userName(uint32_t uid) override;
    std::optional<uint32_t> userId(const std::string &name) override;

private:
    std::string m_root;
    std::mutex m_mutex;
    std::map<uint32_t, std::string> m_names; // uid -> name cache
};

} // namespace pg
