// LinuxProcessSource.cpp - processes from /proc, users from getpwuid_r.
#include "LinuxProcessSource.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <pwd.h>
#include <sstream>
#include <unistd.h>

namespace pg
{

namespace
{

bool readFile(const std::string &path, std::string *out)
{
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return false;
    out->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return true;
}

bool isNumber(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; ++s)
        if (!std::isdigit(static_cast<unsigned char>(*s)))
            return false;
    return true;
}

uint64_t bootTimeSeconds(const std::string &root)
{
    std::string stat;
    if (!readFile(root + "/stat", &stat))
        return 0;
    std::istringstream in(stat);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("btime ", 0) == 0)
            return std::strtoull(line.c_str() + 6, nullptr, 10);
    return 0;
}

} // namespace

LinuxProcessSource::LinuxProcessSource(std::string procRoot) : m_root(std::move(procRoot)) {}

std::vector<ProcessInfo> LinuxProcessSource::snapshot()
{
    std::vector<ProcessInfo> out;
    const uint64_t btime = bootTimeSeconds(m_root);
    const long ticks = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
    DIR *dir = opendir(m_root.c_str());
    if (!dir)
        return out;
    while (dirent *entry = readdir(dir)) {
        if (!isNumber(entry->d_name))
            continue;
        const std::string base = m_root + "/" + entry->d_name;
        ProcessInfo p;
        p.pid = static_cast<uint32_t>(std::strtoul(entry->d_name, nullptr, 10));

        // stat: "pid (comm) state ppid ...": comm may hold spaces and ')',
        // so split after the LAST ')'.
        std::string stat;
        if (!readFile(base + "/stat", &stat))
            continue; // exited meanwhile
        const size_t open = stat.find('(');
        const size_t close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos || close < open)
            continue;
        p.name = stat.substr(open + 1, close - open - 1);
        std::istringstream fields(stat.substr(close + 1));
        std::vector<std::string> f{std::istream_iterator<std::string>(fields),
                                   std::istream_iterator<std::string>()};
        // f[0] = state (field 3), f[1] = ppid (4), f[19] = starttime (22).
        if (f.size() < 20)
            continue;
        p.ppid = static_cast<uint32_t>(std::strtoul(f[1].c_str(), nullptr, 10));
        const uint64_t startTicks = std::strtoull(f[19].c_str(), nullptr, 10);
        p.startTimeNs =
            btime * 1000000000ull + startTicks * 1000000000ull / static_cast<uint64_t>(ticks);

        std::string status;
        if (readFile(base + "/status", &status)) {
            const size_t at = status.find("\nUid:");
            if (at != std::string::npos)
                p.uid = static_cast<uint32_t>(std::strtoul(status.c_str() + at + 5, nullptr, 10));
        }
        p.user = userName(p.uid);

        char link[4096];
        const ssize_t n = readlink((base + "/exe").c_str(), link, sizeof(link) - 1);
        if (n > 0)
            p.image.assign(link, static_cast<size_t>(n));

        std::string cmdline;
        if (readFile(base + "/cmdline", &cmdline)) {
            while (!cmdline.empty() && cmdline.back() == '\0')
                cmdline.pop_back();
            std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
            p.cmdline = cmdline;
        }
        out.push_back(std::move(p));
    }
    closedir(dir);
    std::sort(out.begin(), out.end(),
              [](const ProcessInfo &a, const ProcessInfo &b) { return a.pid < b.pid; });
    return out;
}

std::string LinuxProcessSource::userName(uint32_t uid)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_names.find(uid);
    if (it != m_names.end())
        return it->second;
    std::string name = std::to_string(uid);
    passwd pw{};
    passwd *result = nullptr;
    std::vector<char> buf(16384);
    if (getpwuid_r(static_cast<uid_t>(uid), &pw, buf.data(), buf.size(), &result) == 0 &&
        result != nullptr && result->pw_name != nullptr)
        name = result->pw_name;
    m_names.emplace(uid, name);
    return name;
}

std::optional<uint32_t> LinuxProcessSource::userId(const std::string &name)
{
    passwd pw{};
    passwd *result = nullptr;
    std::vector<char> buf(16384);
    if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &result) == 0 && result != nullptr)
        return static_cast<uint32_t>(result->pw_uid);
    return std::nullopt;
}

} // namespace pg
