// FileIdentity.cpp - see FileIdentity.h.
#include "FileIdentity.h"

#include <algorithm>
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
    for (Table &t : m_tables) {
        if (t.fd >= 0)
            ::close(t.fd);
    }
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

bool FileIdentity::SystemFs::reload(Table *t)
{
    // Reading from the start; the change notification is consumed by poll.
    std::string text;
    char buf[8192];
    if (lseek(t->fd, 0, SEEK_SET) != 0)
        return false;
    for (;;) {
        ssize_t n = ::read(t->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0)
            break;
        text.append(buf, static_cast<size_t>(n));
    }
    t->ids = parseMountIds(text);
    return true;
}

bool FileIdentity::SystemFs::load(uint32_t parentPid)
{
    if (m_loaded)
        return !m_tables.empty();
    m_loaded = true;
    // One table per distinct mount namespace: ours, the parent's, PID 1's.
    std::vector<std::string> files;
    std::vector<std::string> namespaces;
    std::vector<std::string> procs{"self", "1"};
    if (parentPid > 1)
        procs.push_back(std::to_string(parentPid));
    for (const std::string &p : procs) {
        char ns[64] = {0};
        const ssize_t n = readlink(("/proc/" + p + "/ns/mnt").c_str(), ns, sizeof ns - 1);
        if (n <= 0) {
            if (p == "self")
                files.push_back("/proc/self/mountinfo");
            continue;
        }
        if (std::find(namespaces.begin(), namespaces.end(), ns) != namespaces.end())
            continue;
        namespaces.push_back(ns);
        files.push_back("/proc/" + p + "/mountinfo");
    }
    for (const std::string &f : files) {
        Table t;
        t.fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
        if (t.fd < 0)
            continue;
        if (!reload(&t)) {
            ::close(t.fd);
            continue;
        }
        m_tables.push_back(std::move(t));
    }
    return !m_tables.empty();
}

bool FileIdentity::SystemFs::mountIsOurs(uint64_t mountId)
{
    if (!m_loaded)
        load();
    if (m_tables.empty())
        return true; // cannot tell: fall back to the path comparison alone
    for (const Table &t : m_tables) {
        if (t.ids.count(mountId) != 0)
            return true;
    }
    // Unknown id: a mount made since the last read, or another namespace's.
    // Read a table again only when it changed (POLLPRI), so a stream of
    // foreign execs costs one poll per table each.
    bool found = false;
    for (Table &t : m_tables) {
        struct pollfd pfd;
        pfd.fd = t.fd;
        pfd.events = POLLPRI;
        pfd.revents = 0;
        if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLPRI | POLLERR)) != 0 && reload(&t))
            found = found || t.ids.count(mountId) != 0;
    }
    return found;
}
