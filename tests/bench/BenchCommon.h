// BenchCommon.h - small helpers shared by the Linux benchmarks: timing a
// start, summarising samples, reading a process's peak memory and CPU time.
#pragma once

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern char **environ;

namespace pgbench
{

// posix_spawn + waitpid of path; returns microseconds, or -1 when the start
// failed or the program did not exit 0 (so a figure is never of a failure).
inline double timedStart(const std::string &path)
{
    char *argv[] = {const_cast<char *>(path.c_str()), nullptr};
    auto begin = std::chrono::steady_clock::now();
    pid_t pid;
    if (posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv, environ) != 0)
        return -1;
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - begin)
        .count();
}

struct Summary {
    size_t n = 0;
    double median = 0;
    double p99 = 0;
    double mean = 0;
};

inline Summary summarise(std::vector<double> v)
{
    Summary s;
    s.n = v.size();
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    s.median = v[v.size() / 2];
    s.p99 = v[std::min(v.size() - 1, (v.size() * 99) / 100)];
    double sum = 0;
    for (double x : v)
        sum += x;
    s.mean = sum / static_cast<double>(v.size());
    return s;
}

// VmHWM (peak resident set) of pid in KiB, or 0.
inline long peakRssKiB(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmHWM:", 0) == 0)
            return std::stol(line.substr(6));
    }
    return 0;
}

// CPU time pid has used, utime + stime from /proc/PID/stat (every thread),
// in microseconds; clock-tick resolution (10 ms at USER_HZ 100). -1 when
// unreadable.
inline double cpuMicros(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t close = text.rfind(')');
    if (close == std::string::npos)
        return -1;
    // Fields after comm start at 3 (state); utime is 14, stime 15.
    const char *p = text.c_str() + close + 1;
    unsigned long long utime = 0, stime = 0;
    for (int field = 3; field <= 15 && *p != '\0'; ++field) {
        while (*p == ' ')
            ++p;
        if (field == 14)
            utime = std::strtoull(p, nullptr, 10);
        else if (field == 15)
            stime = std::strtoull(p, nullptr, 10);
        while (*p != '\0' && *p != ' ')
            ++p;
    }
    const long hz = sysconf(_SC_CLK_TCK);
    return static_cast<double>(utime + stime) * 1e6 / static_cast<double>(hz > 0 ? hz : 100);
}

// Time pid's main thread spent on a CPU (/proc/PID/schedstat, first field),
// in microseconds: nanosecond resolution. -1 when unreadable.
inline double mainThreadRunMicros(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/schedstat");
    unsigned long long ns = 0;
    if (!(in >> ns))
        return -1;
    return static_cast<double>(ns) / 1000.0;
}

} // namespace pgbench
