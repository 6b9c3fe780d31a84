// FileIdentity.cpp - see FileIdentity.h.
#include "FileIdentity.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const char *FileIdentity::name(Trust t)
{
    switch (t) {
    case Trust::Trusted:
        return "trusted";
    case Trust::ForeignMount:
        return "mount-of-another-namespace";
    case Trust::Mismatch:
        return "another-file-at-path";
    case Trust::Unresolvable:
        return "path-unresolvable";
    }
    return "?";
}

FileIdentity::Trust FileIdentity::decide(Fs &fs, int fd, const std::string &path)
{
    Id file;
    if (!fs.statFd(fd, &file))
        return Trust::Unresolvable;
    return decideFile(fs, file, path);
}

FileIdentity::Trust FileIdentity::decideProcess(Fs &fs, uint32_t pid, const std::string &path)
{
    Id file;
    if (!fs.statExe(pid, &file))
        return Trust::Unresolvable;
    return decideFile(fs, file, path);
}

FileIdentity::Trust FileIdentity::decideFile(Fs &fs, const Id &file, const std::string &path)
{
    if (file.mountIdKnown && !fs.mountIsOurs(file.mountId))
        return Trust::ForeignMount;
    // readlink of a deleted file's fd ends in " (deleted)"; an unreachable
    // one (outside our root) does not start with '/'.
    static const char kDeleted[] = " (deleted)";
    const size_t dl = sizeof kDeleted - 1;
    if (path.empty() || path[0] != '/' ||
        (path.size() >= dl && path.compare(path.size() - dl, dl, kDeleted) == 0))
        return Trust::Unresolvable;
    Id named;
    if (!fs.statPath(path, &named))
        return Trust::Unresolvable;
    if (named.dev != file.dev || named.ino != file.ino)
        return Trust::Mismatch;
    return Trust::Trusted;
}

FileIdentity::SystemFs::~SystemFs()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

bool FileIdentity::SystemFs::statxToId(int dirFd, const char *path, int flags, Id *out)
{
    struct statx stx;
    std::memset(&stx, 0, sizeof stx);
    if (statx(dirFd, path, flags | AT_STATX_DONT_SYNC, STATX_INO | STATX_MNT_ID, &stx) != 0)
        return false;
    out->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
    out->ino = stx.stx_ino;
    out->mountIdKnown = (stx.stx_mask & STATX_MNT_ID) != 0;
    out->mountId = stx.stx_mnt_id;
    return true;
}

bool FileIdentity::SystemFs::statFd(int fd, Id *out)
{
    return statxToId(fd, "", AT_EMPTY_PATH, out);
}

bool FileIdentity::SystemFs::statExe(uint32_t pid, Id *out)
{
    const std::string link = "/proc/" + std::to_string(pid) + "/exe";
    return statxToId(AT_FDCWD, link.c_str(), 0, out);
}

bool FileIdentity::SystemFs::statPath(const std::string &path, Id *out)
{
    struct stat st;
    if (fstatat(AT_FDCWD, path.c_str(), &st, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT) != 0)
        return false;
    out->dev = st.st_dev;
    out->ino = st.st_ino;
    return true;
}

std::unordered_set<uint64_t> FileIdentity::SystemFs::parseMountIds(const std::string &text)
{
    std::unordered_set<uint64_t> ids;
    const char *p = text.c_str();
    while (*p != '\0') {
        char *end = nullptr;
        const unsigned long long id = std::strtoull(p, &end, 10);
        if (end != p && (*end == ' ' || *end == '\t'))
            ids.insert(id);
        const char *nl = std::strchr(p, '\n');
        if (nl == nullptr)
            break;
        p = nl + 1;
    }
    return ids;
}

bool FileIdentity::SystemFs::reload()
{
    if (m_fd < 0) {
        m_fd = ::open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
        if (m_fd < 0)
            return false;
    }
    // Reading from the start re-arms the change notification (POLLPRI).
    std::string text;
    char buf[8192];
    if (lseek(m_fd, 0, SEEK_SET) != 0)
        return false;
    for (;;) {
        ssize_t n = ::read(m_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0)
            break;
        text.append(buf, static_cast<size_t>(n));
    }
    m_ids = parseMountIds(text);
    m_loaded = true;
    return true;
}

bool FileIdentity::SystemFs::mountIsOurs(uint64_t mountId)
{
    if (!m_loaded && !reload())
        return true; // cannot tell: fall back to the path comparison alone
    if (m_ids.count(mountId) != 0)
        return true;
    // Unknown id: a mount made since the last read, or another namespace's.
    // Read again only when the table changed (POLLPRI), so a stream of
    // foreign execs costs one poll each.
    struct pollfd pfd;
    pfd.fd = m_fd;
    pfd.events = POLLPRI;
    pfd.revents = 0;
    if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLPRI | POLLERR)) != 0 && reload())
        return m_ids.count(mountId) != 0;
    return false;
}
