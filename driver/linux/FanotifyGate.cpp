// FanotifyGate.cpp - see FanotifyGate.h.
#include "FanotifyGate.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <set>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "Log.h"
#include "MountInfo.h"

FanotifyGate::~FanotifyGate()
{
    close();
}

void FanotifyGate::watchPlainOpens(bool on)
{
    m_mask = FAN_OPEN_EXEC_PERM | (on ? FAN_OPEN_PERM : 0);
}

bool FanotifyGate::open(std::string *error)
{
    m_fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK | FAN_UNLIMITED_QUEUE,
                         O_RDONLY | O_LARGEFILE | O_CLOEXEC);
    if (m_fd < 0) {
        int e = errno;
        if (e == EPERM)
            *error = "fanotify needs root (CAP_SYS_ADMIN); run procguardd as root.";
        else if (e == ENOSYS)
            *error = "this kernel has no fanotify support.";
        else if (e == EINVAL)
            *error = "this kernel's fanotify lacks permission events "
                     "(CONFIG_FANOTIFY_ACCESS_PERMISSIONS).";
        else
            *error = std::string("fanotify is unavailable: ") + std::strerror(e) + ".";
        return false;
    }
    return true;
}

void FanotifyGate::close()
{
    // Closing the group makes the kernel allow every permission event
    // still waiting for it, so nothing stays blocked after we are gone.
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

int FanotifyGate::markFilesystems(const std::vector<std::string> &watch, std::string *error)
{
    std::set<dev_t> done; // one mark per superblock (bind mounts share one)
    int count = 0;
    auto markOne = [&](const std::string &path, bool fatal) -> bool {
        struct stat st;
        if (stat(path.c_str(), &st) != 0) {
            if (fatal)
                *error = "cannot watch " + path + ": " + std::strerror(errno) + ".";
            else
                PG_LOG_WARN("skipping %s: %s", path.c_str(), std::strerror(errno));
            return !fatal;
        }
        if (done.count(st.st_dev) != 0)
            return true;
        if (fanotify_mark(m_fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, m_mask, AT_FDCWD,
                          path.c_str()) != 0) {
            int e = errno;
            if (fatal) {
                *error = "cannot gate the filesystem of " + path + ": " + std::strerror(e) + ".";
                return false;
            }
            PG_LOG_WARN("cannot gate the filesystem at %s: %s (skipped)", path.c_str(),
                        std::strerror(e));
            return true;
        }
        done.insert(st.st_dev);
        noteMarked(st.st_dev);
        m_marked.push_back(path);
        ++count;
        PG_LOG_INFO("gating the filesystem at %s", path.c_str());
        return true;
    };

    if (!watch.empty()) {
        for (const std::string &path : watch) {
            if (!markOne(path, true))
                return -1;
        }
        return count;
    }
    MountInfo mounts;
    if (!mounts.load()) {
        *error = "cannot read /proc/self/mountinfo.";
        return -1;
    }
    for (const MountInfo::Mount &m : mounts.mounts()) {
        if (!MountInfo::isGateableType(m.fsType)) {
            PG_LOG_DEBUG("not gating %s (%s)", m.mountPoint.c_str(), m.fsType.c_str());
            continue;
        }
        markOne(m.mountPoint, false);
    }
    return count;
}

bool FanotifyGate::markFilesystemAt(const std::string &path, std::string *error)
{
    // FAN_MARK_DONT_FOLLOW: a mount point is never a symlink in the table;
    // a symlink there now is not the mount.
    if (fanotify_mark(m_fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM | FAN_MARK_DONT_FOLLOW, m_mask,
                      AT_FDCWD, path.c_str()) != 0) {
        *error = std::strerror(errno);
        return false;
    }
    struct stat st;
    if (lstat(path.c_str(), &st) == 0)
        noteMarked(st.st_dev);
    return true;
}

void FanotifyGate::noteMarked(dev_t dev)
{
    std::lock_guard<std::mutex> lock(m_devMutex);
    m_markedDevs.insert(dev);
}

bool FanotifyGate::marksDevice(dev_t dev) const
{
    std::lock_guard<std::mutex> lock(m_devMutex);
    return m_markedDevs.count(dev) != 0;
}

bool FanotifyGate::respond(int eventFd, bool allow)
{
    struct fanotify_response r;
    r.fd = eventFd;
    r.response = allow ? FAN_ALLOW : FAN_DENY;
    for (;;) {
        ssize_t n = ::write(m_fd, &r, sizeof r);
        if (n == static_cast<ssize_t>(sizeof r))
            return true;
        if (n < 0 && errno == EINTR)
            continue;
        return false;
    }
}

bool FanotifyGate::cacheAllow(int eventFd)
{
    return fanotify_mark(m_fd, FAN_MARK_ADD | FAN_MARK_IGNORED_MASK, m_mask, eventFd, nullptr) == 0;
}

void FanotifyGate::flushCache()
{
    // FAN_MARK_FLUSH without MOUNT/FILESYSTEM removes the inode marks only;
    // the filesystem marks that gate stay.
    if (fanotify_mark(m_fd, FAN_MARK_FLUSH, 0, AT_FDCWD, nullptr) != 0)
        PG_LOG_WARN("cannot flush the allow cache: %s", std::strerror(errno));
}
