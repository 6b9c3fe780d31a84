// EventSpool.cpp - the bounded event spool (EventSpool.h).
#include "EventSpool.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace pg
{
namespace sync
{

namespace
{

// Holds flock(LOCK_EX) on "<spool>.lock" for its lifetime.
class SpoolLock
{
public:
    explicit SpoolLock(const std::string &spool)
    {
        m_fd = ::open((spool + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (m_fd >= 0 && ::flock(m_fd, LOCK_EX) != 0) {
            ::close(m_fd);
            m_fd = -1;
        }
        m_errno = m_fd < 0 ? errno : 0;
    }
    ~SpoolLock()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    int error() const { return m_errno; }

private:
    int m_fd = -1;
    int m_errno = 0;
};

bool writeAllFd(int fd, const std::string &data)
{
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

std::string ioError(const std::string &what, const std::string &path, int err)
{
    return "Cannot " + what + " the event spool " + path + " (" + std::strerror(err) + ").";
}

} // namespace

EventSpool::EventSpool(std::string path, uint32_t limit) : m_path(std::move(path)), m_limit(limit)
{
}

bool EventSpool::readLines(std::vector<std::string> *lines, std::string *error)
{
    lines->clear();
    m_tornTail = false;
    const int fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return true;
        *error = ioError("read", m_path, errno);
        return false;
    }
    std::string data;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            *error = ioError("read", m_path, err);
            return false;
        }
        if (n == 0)
            break;
        data.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    m_tornTail = !data.empty() && data.back() != '\n';
    size_t at = 0;
    while (at < data.size()) {
        size_t end = data.find('\n', at);
        if (end == std::string::npos)
            end = data.size(); // a torn last line: kept, it fails to parse
        if (end > at)
            lines->push_back(data.substr(at, end - at));
        at = end + 1;
    }
    return true;
}

bool EventSpool::append(const std::vector<UploadEvent> &events, std::string *error)
{
    if (events.empty())
        return true;
    SpoolLock lock(m_path);
    if (lock.error()) {
        *error = ioError("lock", m_path, lock.error());
        return false;
    }
    std::vector<std::string> lines;
    if (!readLines(&lines, error))
        return false;
    // After a torn last line, start on a line of our own.
    std::string data = m_tornTail ? "\n" : "";
    size_t room = lines.size() >= m_limit ? 0 : m_limit - lines.size();
    for (const UploadEvent &e : events) {
        if (room == 0) {
            ++m_dropped;
            continue;
        }
        data += toJson(e).dump() + "\n";
        --room;
    }
    if (data.empty() || data == "\n")
        return true;
    const int fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = ioError("open", m_path, errno);
        return false;
    }
    const bool ok = writeAllFd(fd, data) && ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!ok) {
        *error = ioError("append to", m_path, err);
        return false;
    }
    return true;
}

bool EventSpool::peek(size_t max, std::vector<UploadEvent> *events, std::string *error)
{
    events->clear();
    SpoolLock lock(m_path);
    if (lock.error()) {
        *error = ioError("lock", m_path, lock.error());
        return false;
    }
    std::vector<std::string> lines;
    if (!readLines(&lines, error))
        return false;
    for (size_t i = 0; i < lines.size() && events->size() < max; ++i) {
        UploadEvent e;
        bool ok = false;
        try {
            ok = fromJson(nlohmann::json::parse(lines[i]), &e);
        } catch (const nlohmann::json::exception &) {
            ok = false;
        }
        if (!ok) {
            // Kept in place as a marker so that dropFirst() counts lines,
            // not parsed events; uploaded as nothing.
            ++m_damaged;
            e = UploadEvent();
        }
        events->push_back(std::move(e));
    }
    return true;
}

bool EventSpool::dropFirst(size_t count, std::string *error)
{
    SpoolLock lock(m_path);
    if (lock.error()) {
        *error = ioError("lock", m_path, lock.error());
        return false;
    }
    std::vector<std::string> lines;
    if (!readLines(&lines, error))
        return false;
    std::string rest;
    for (size_t i = count; i < lines.size(); ++i)
        rest += lines[i] + "\n";
    const std::string temp = m_path + ".tmp";
    ::unlink(temp.c_str());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = ioError("rewrite", m_path, errno);
        return false;
    }
    const bool ok = writeAllFd(fd, rest) && ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!ok || ::rename(temp.c_str(), m_path.c_str()) != 0) {
        const int e2 = ok ? errno : err;
        ::unlink(temp.c_str());
        *error = ioError("rewrite", m_path, e2);
        return false;
    }
    return true;
}

size_t EventSpool::size()
{
    SpoolLock lock(m_path);
    std::vector<std::string> lines;
    std::string error;
    if (lock.error() || !readLines(&lines, &error))
        return 0;
    return lines.size();
}

} // namespace sync
} // namespace pg
