// MountWatch.cpp - see MountWatch.h.
#include "MountWatch.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sstream>
#include <unistd.h>

#include "Log.h"
#include "MountInfo.h"

namespace
{

uint64_t monotonicMs()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}

// path at or below dir, by whole components ("/media" covers "/media/usb",
// not "/mediathek").
bool atOrBelow(const std::string &path, const std::string &dir)
{
    if (dir == "/")
        return !path.empty() && path[0] == '/';
    if (path.compare(0, dir.size(), dir) != 0)
        return false;
    return path.size() == dir.size() || path[dir.size()] == '/';
}

} // namespace

MountWatch::~MountWatch()
{
    stop();
    if (m_fd >= 0)
        ::close(m_fd);
}

std::vector<MountWatch::Mount> MountWatch::parse(const std::string &text)
{
    std::vector<Mount> out;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::vector<std::string> f;
        size_t dash = 0;
        if (!MountInfo::splitLine(line, &f, &dash))
            continue;
        char *end = nullptr;
        const unsigned long long id = std::strtoull(f[0].c_str(), &end, 10);
        if (end == f[0].c_str() || *end != '\0')
            continue;
        Mount m;
        m.id = id;
        m.mountPoint = MountInfo::unescape(f[4]);
        m.fsType = f[dash + 1];
        out.push_back(std::move(m));
    }
    return out;
}

bool MountWatch::inScope(const std::vector<std::string> &watch, const Mount &m)
{
    if (!MountInfo::isGateableType(m.fsType))
        return false;
    if (watch.empty())
        return true;
    for (const std::string &dir : watch) {
        if (atOrBelow(m.mountPoint, dir))
            return true;
    }
    return false;
}

std::vector<MountWatch::Mount> MountWatch::diff(const std::vector<std::string> &watch,
                                                const std::string &text)
{
    std::vector<Mount> fresh;
    std::unordered_set<uint64_t> now;
    for (Mount &m : parse(text)) {
        now.insert(m.id);
        if (m_seen.count(m.id) == 0 && inScope(watch, m))
            fresh.push_back(std::move(m));
    }
    m_seen.swap(now);
    return fresh;
}

bool MountWatch::readTable(std::string *text)
{
    text->clear();
    if (lseek(m_fd, 0, SEEK_SET) != 0)
        return false;
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(m_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0)
            return true;
        text->append(buf, static_cast<size_t>(n));
    }
}

bool MountWatch::open(const std::vector<std::string> &watch, std::vector<Mount> *initial,
                      std::string *error)
{
    m_watch.clear();
    for (const std::string &p : watch) {
        char buf[PATH_MAX];
        m_watch.push_back(realpath(p.c_str(), buf) != nullptr ? std::string(buf) : p);
    }
    m_fd = ::open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) {
        *error = std::string("cannot open /proc/self/mountinfo: ") + std::strerror(errno);
        return false;
    }
    std::string text;
    if (!readTable(&text)) {
        *error = std::string("cannot read /proc/self/mountinfo: ") + std::strerror(errno);
        return false;
    }
    std::vector<Mount> now = diff(m_watch, text);
    initial->clear();
    // The default scope marked every gateable filesystem at start, and
    // each watch path's own filesystem is marked at start too.
    for (Mount &m : now) {
        if (!m_watch.empty() &&
            std::find(m_watch.begin(), m_watch.end(), m.mountPoint) == m_watch.end())
            initial->push_back(std::move(m));
    }
    return true;
}

void MountWatch::start(MarkFn mark)
{
    m_mark = std::move(mark);
    m_thread = std::thread([this] { markerLoop(); });
}

std::vector<MountWatch::Mount> MountWatch::onChange()
{
    std::string text;
    if (!readTable(&text)) {
        PG_LOG_WARN("cannot read /proc/self/mountinfo: %s", std::strerror(errno));
        return {};
    }
    std::vector<Mount> fresh = diff(m_watch, text);
    queue(fresh);
    return fresh;
}

void MountWatch::queue(const std::vector<Mount> &mounts)
{
    if (mounts.empty() || !m_thread.joinable())
        return;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_queue.insert(m_queue.end(), mounts.begin(), mounts.end());
    }
    m_cv.notify_one();
}

void MountWatch::checkStuck(uint64_t nowMs)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_busySinceMs != 0 && nowMs - m_busySinceMs > kStuckMs && !m_stuckLogged) {
        m_stuckLogged = true;
        PG_LOG_ERROR("gating the filesystem mounted at %s has not finished after %llu s (its "
                     "server does not answer?); filesystems mounted after it wait",
                     m_busyWith.c_str(), static_cast<unsigned long long>(kStuckMs / 1000));
    }
}

void MountWatch::markerLoop()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_cv.wait(lock, [this] { return m_stop || !m_queue.empty(); });
        if (m_stop)
            break;
        Mount m = std::move(m_queue.front());
        m_queue.pop_front();
        m_busyWith = m.mountPoint;
        m_busySinceMs = monotonicMs();
        lock.unlock();
        std::string error;
        const bool ok = m_mark(m.mountPoint, &error);
        if (ok)
            PG_LOG_INFO("gating the filesystem mounted at %s (%s)", m.mountPoint.c_str(),
                        m.fsType.c_str());
        else
            PG_LOG_WARN("cannot gate the filesystem mounted at %s (%s): %s", m.mountPoint.c_str(),
                        m.fsType.c_str(), error.c_str());
        lock.lock();
        m_busySinceMs = 0;
        m_busyWith.clear();
        m_stuckLogged = false;
    }
    m_done = true;
    m_cv.notify_all();
}

void MountWatch::stop()
{
    if (!m_thread.joinable())
        return;
    std::unique_lock<std::mutex> lock(m_mutex);
    m_stop = true;
    m_cv.notify_all();
    // A marker stuck in the kernel (a FUSE server that never answers)
    // cannot be joined: leave it, the process exits next.
    const bool done = m_cv.wait_for(lock, std::chrono::seconds(1), [this] { return m_done; });
    lock.unlock();
    if (done)
        m_thread.join();
    else
        m_thread.detach();
}
