// ProcFs.cpp - see ProcFs.h.
#include "ProcFs.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

bool ProcFs::readFile(const std::string &path, std::string *out, size_t max)
{
    out->clear();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char buf[4096];
    bool ok = true;
    while (out->size() < max) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ok = false;
            break;
        }
        if (n == 0)
            break;
        out->append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    if (out->size() > max)
        out->resize(max);
    return ok;
}

std::string ProcFs::readLink(const std::string &path)
{
    char buf[PATH_MAX];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
    if (n <= 0)
        return std::string();
    return std::string(buf, static_cast<size_t>(n));
}

bool ProcFs::readStat(uint32_t pid, Stat *out)
{
    std::string text;
    if (!readFile("/proc/" + std::to_string(pid) + "/stat", &text, 4096))
        return false;
    // "pid (comm) S ppid ..." - comm may hold spaces and parentheses, so
    // parse from the last ')'.
    size_t open = text.find('(');
    size_t close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open)
        return false;
    out->comm = text.substr(open + 1, close - open - 1);
    const char *p = text.c_str() + close + 1;
    // Fields after comm: 3 state, 4 ppid, ..., 22 starttime.
    int field = 3;
    char *end = nullptr;
    while (*p != '\0' && field <= 22) {
        while (*p == ' ')
            ++p;
        if (field == 4)
            out->ppid = static_cast<uint32_t>(std::strtoul(p, &end, 10));
        else if (field == 22)
            out->startTicks = std::strtoull(p, &end, 10);
        while (*p != '\0' && *p != ' ')
            ++p;
        ++field;
    }
    return field > 22;
}

static std::vector<uint32_t> parseNumbers(const char *p)
{
    std::vector<uint32_t> values;
    while (*p != '\0' && *p != '\n') {
        while (*p == ' ' || *p == '\t')
            ++p;
        if (*p < '0' || *p > '9')
            break;
        char *end = nullptr;
        values.push_back(static_cast<uint32_t>(std::strtoul(p, &end, 10)));
        p = end;
    }
    return values;
}

bool ProcFs::readStatus(uint32_t pid, Status *out)
{
    std::string text;
    if (!readFile("/proc/" + std::to_string(pid) + "/status", &text, 16384))
        return false;
    bool haveUid = false;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string::npos)
            eol = text.size();
        const char *line = text.c_str() + pos;
        if (std::strncmp(line, "Uid:", 4) == 0) {
            std::vector<uint32_t> v = parseNumbers(line + 4);
            if (!v.empty()) {
                out->uid = v[0];
                haveUid = true;
            }
        } else if (std::strncmp(line, "Gid:", 4) == 0) {
            std::vector<uint32_t> v = parseNumbers(line + 4);
            if (!v.empty())
                out->gid = v[0];
        } else if (std::strncmp(line, "Groups:", 7) == 0) {
            out->groups = parseNumbers(line + 7);
        }
        pos = eol + 1;
    }
    return haveUid;
}

std::string ProcFs::exePath(uint32_t pid)
{
    return readLink("/proc/" + std::to_string(pid) + "/exe");
}

bool ProcFs::cmdline(uint32_t pid, size_t maxBytes, std::string *out, bool *truncated)
{
    *truncated = false;
    std::string raw;
    // Read one byte more than fits so that a cut is detected.
    if (!readFile("/proc/" + std::to_string(pid) + "/cmdline", &raw, maxBytes + 1))
        return false;
    while (!raw.empty() && raw.back() == '\0')
        raw.pop_back();
    for (char &c : raw) {
        if (c == '\0')
            c = ' ';
    }
    if (maxBytes > 0 && raw.size() > maxBytes - 1) {
        raw.resize(maxBytes - 1);
        *truncated = true;
    }
    *out = raw;
    return true;
}

bool ProcFs::argv(uint32_t pid, size_t maxBytes, std::vector<std::string> *out)
{
    out->clear();
    std::string raw;
    if (!readFile("/proc/" + std::to_string(pid) + "/cmdline", &raw, maxBytes))
        return false;
    size_t start = 0;
    while (start < raw.size()) {
        size_t end = raw.find('\0', start);
        if (end == std::string::npos)
            end = raw.size();
        out->push_back(raw.substr(start, end - start));
        start = end + 1;
    }
    return true;
}

std::string ProcFs::fdPath(int fd)
{
    return readLink("/proc/self/fd/" + std::to_string(fd));
}
