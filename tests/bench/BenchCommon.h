// BenchCommon.h - small helpers shared by the Linux benchmarks: timing a
// start, summarising samples, reading a process's peak memory.
#pragma once

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

extern char **environ;

namespace pgbench {

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

} // namespace pgbench
