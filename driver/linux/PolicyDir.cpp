// PolicyDir.cpp - see PolicyDir.h.
#include "PolicyDir.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

namespace
{

int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool isPolicyName(const char *name)
{
    const size_t n = std::strlen(name);
    return n > 5 && name[0] != '.' && std::strcmp(name + n - 5, ".json") == 0;
}

// Reads a whole regular file, at most max bytes. False with *why.
bool readWhole(const std::string &path, size_t max, std::string *out, std::string *why)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        *why = path + ": cannot be read (" + std::strerror(errno) + ")";
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        *why = path + ": not a regular file";
        return false;
    }
    if (static_cast<uint64_t>(st.st_size) > max) {
        ::close(fd);
        *why = path + ": larger than " + std::to_string(max / (1024 * 1024)) + " MiB";
        return false;
    }
    std::string text;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *why = path + ": cannot be read (" + std::strerror(errno) + ")";
            ::close(fd);
            return false;
        }
        if (n == 0)
            break;
        text.append(buf, static_cast<size_t>(n));
        if (text.size() > max) {
            *why = path + ": larger than " + std::to_string(max / (1024 * 1024)) + " MiB";
            ::close(fd);
            return false;
        }
    }
    ::close(fd);
    *out = std::move(text);
    return true;
}

void poke(int fd)
{
    const uint64_t one = 1;
    ssize_t rc;
    do {
        rc = ::write(fd, &one, sizeof one);
    } while (rc < 0 && errno == EINTR);
}

void drain(int fd)
{
    uint64_t v;
    while (::read(fd, &v, sizeof v) > 0) {
    }
}

} // namespace

PolicyDir::PolicyDir(std::string dir) : m_dir(std::move(dir))
{
    while (m_dir.size() > 1 && m_dir.back() == '/')
        m_dir.pop_back();
}

PolicyDir::~PolicyDir()
{
    stop();
    for (int fd : {m_inotifyFd, m_wakeFd, m_notifyFd})
        if (fd >= 0)
            ::close(fd);
}

PolicyDir::Snapshot PolicyDir::readNow() const
{
    Snapshot snap;
    DIR *d = opendir(m_dir.c_str());
    if (d == nullptr)
        return snap;
    snap.dirExists = true;
    std::vector<std::string> names;
    while (struct dirent *e = readdir(d)) {
        if (isPolicyName(e->d_name))
            names.emplace_back(e->d_name);
    }
    closedir(d);
    std::sort(names.begin(), names.end()); // byte order: the C locale's
    for (const std::string &name : names) {
        File f;
        f.name = name;
        f.path = m_dir + "/" + name;
        struct stat st;
        // A name that is not a regular file (a directory called x.json) is
        // no policy; a dangling symlink is reported.
        if (stat(f.path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
            continue;
        f.readOk = readWhole(f.path, kMaxFileBytes, &f.text, &f.error);
        snap.files.push_back(std::move(f));
    }
    return snap;
}

bool PolicyDir::start(std::string *error)
{
    m_inotifyFd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    m_wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    m_notifyFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_inotifyFd < 0 || m_wakeFd < 0 || m_notifyFd < 0) {
        *error = std::string("cannot watch the policy directory: ") + std::strerror(errno);
        return false;
    }
    watch();
    m_thread = std::thread([this] { run(); });
    return true;
}

bool PolicyDir::watch()
{
    if (m_watch >= 0)
        return true;
    m_watch = inotify_add_watch(m_inotifyFd, m_dir.c_str(),
                                IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO |
                                    IN_MOVED_FROM | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF |
                                    IN_ONLYDIR);
    return m_watch >= 0;
}

void PolicyDir::requestReload()
{
    m_reloadRequested = true;
    if (m_wakeFd >= 0)
        poke(m_wakeFd);
}

std::optional<PolicyDir::Snapshot> PolicyDir::take()
{
    if (m_notifyFd >= 0)
        drain(m_notifyFd);
    std::lock_guard<std::mutex> lock(m_mutex);
    std::optional<Snapshot> out = std::move(m_latest);
    m_latest.reset();
    return out;
}

void PolicyDir::stop()
{
    if (!m_thread.joinable())
        return;
    m_stop = true;
    poke(m_wakeFd);
    m_thread.join();
}

void PolicyDir::run()
{
    pthread_setname_np(pthread_self(), "pg-policy-dir");
    int64_t firstChange = 0; // 0: nothing pending
    int64_t lastChange = 0;
    bool wasMissing = m_watch < 0;
    while (!m_stop) {
        int timeout = -1;
        if (firstChange != 0) {
            const int64_t due =
                std::min(lastChange + kDebounceMs, firstChange + kBurstMaxMs) - nowMs();
            timeout = static_cast<int>(std::max<int64_t>(0, due));
        } else if (m_watch < 0) {
            timeout = kMissingRetryMs;
        } else {
            timeout = kMissingRetryMs; // bounded anyway: stop() is seen within this
        }
        struct pollfd fds[2];
        fds[0].fd = m_inotifyFd;
        fds[0].events = POLLIN;
        fds[0].revents = 0;
        fds[1].fd = m_wakeFd;
        fds[1].events = POLLIN;
        fds[1].revents = 0;
        const int n = ::poll(fds, 2, timeout);
        if (m_stop)
            break;
        if (n < 0 && errno != EINTR)
            break;
        bool changed = false;
        if (n > 0 && (fds[0].revents & POLLIN) != 0) {
            alignas(struct inotify_event) char buf[8192];
            ssize_t len;
            while ((len = ::read(m_inotifyFd, buf, sizeof buf)) > 0) {
                for (ssize_t off = 0; off < len;) {
                    const auto *ev = reinterpret_cast<const struct inotify_event *>(buf + off);
                    if ((ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) != 0) {
                        // The directory itself went away: look for it again.
                        if (m_watch >= 0 && (ev->mask & IN_IGNORED) == 0)
                            inotify_rm_watch(m_inotifyFd, m_watch);
                        m_watch = -1;
                    }
                    changed = true;
                    off += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
                }
            }
        }
        if (n > 0 && (fds[1].revents & POLLIN) != 0)
            drain(m_wakeFd);
        if (m_watch < 0 && watch()) {
            changed = true; // it appeared (again)
            wasMissing = false;
        } else if (m_watch < 0 && !wasMissing) {
            wasMissing = true;
            changed = true; // it went away: no files now
        }
        const int64_t now = nowMs();
        if (changed) {
            if (firstChange == 0)
                firstChange = now;
            lastChange = now;
        }
        const bool reloadNow = m_reloadRequested.exchange(false);
        const bool due = firstChange != 0 &&
                         (now >= lastChange + kDebounceMs || now >= firstChange + kBurstMaxMs);
        if (!reloadNow && !due)
            continue;
        firstChange = 0;
        Snapshot snap = readNow();
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_latest = std::move(snap);
        }
        poke(m_notifyFd);
    }
}
