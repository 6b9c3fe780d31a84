// ClientServer.cpp - see ClientServer.h.
#include "ClientServer.h"

#include <cerrno>
#include <cstring>
#include <grp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "Log.h"
#include "ProcFs.h"

ClientServer::~ClientServer()
{
    close();
}

void ClientServer::init(const std::string &groupName)
{
    m_groupName = groupName;
    struct group *gr = getgrnam(groupName.c_str());
    if (gr != nullptr) {
        m_haveGroup = true;
        m_gid = gr->gr_gid;
    } else {
        PG_LOG_WARN("group '%s' does not exist: only root may connect", groupName.c_str());
    }
}

bool ClientServer::listen(const std::string &path, std::string *error)
{
    size_t slash = path.find_last_of('/');
    std::string dir =
        slash == std::string::npos || slash == 0 ? std::string() : path.substr(0, slash);
    const gid_t gid = m_haveGroup ? m_gid : 0;
    const mode_t dirMode = m_haveGroup ? 0750 : 0700;
    if (!dir.empty()) {
        struct stat st;
        if (stat(dir.c_str(), &st) != 0) {
            // Create missing parents; only the last one gets our mode.
            for (size_t pos = 1; pos != std::string::npos;) {
                pos = dir.find('/', pos + 1);
                std::string part = dir.substr(0, pos);
                if (mkdir(part.c_str(), pos == std::string::npos ? dirMode : 0755) != 0 &&
                    errno != EEXIST) {
                    *error = "cannot create " + part + ": " + std::strerror(errno) + ".";
                    return false;
                }
            }
            if (chown(dir.c_str(), 0, gid) != 0 || chmod(dir.c_str(), dirMode) != 0) {
                *error = "cannot set the owner of " + dir + ": " + std::strerror(errno) + ".";
                return false;
            }
        }
    }
    // A socket file left by a run that crashed: remove it, but never
    // remove anything that is not a socket.
    struct stat st;
    if (lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            *error = path + " exists and is not a socket.";
            return false;
        }
        unlink(path.c_str());
    }
    m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
        *error = std::string("cannot create a Unix socket: ") + std::strerror(errno) + ".";
        return false;
    }
    struct sockaddr_un addr;
    std::memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) {
        *error = "the socket path is too long.";
        return false;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size());
    // umask(077) is set at start, so the socket exists as 0600 root:root
    // until chown/chmod widen it: never briefly open to everyone.
    if (bind(m_fd, reinterpret_cast<struct sockaddr *>(&addr), sizeof addr) != 0) {
        *error = "cannot bind " + path + ": " + std::strerror(errno) + ".";
        ::close(m_fd);
        m_fd = -1;
        return false;
    }
    m_path = path;
    const mode_t sockMode = m_haveGroup ? 0660 : 0600;
    if (chown(path.c_str(), 0, gid) != 0 || chmod(path.c_str(), sockMode) != 0) {
        *error = "cannot set the permissions of " + path + ": " + std::strerror(errno) + ".";
        close();
        return false;
    }
    if (::listen(m_fd, 16) != 0) {
        *error = "cannot listen on " + path + ": " + std::strerror(errno) + ".";
        close();
        return false;
    }
    return true;
}

void ClientServer::close()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (!m_path.empty()) {
        unlink(m_path.c_str());
        m_path.clear();
    }
}

int ClientServer::accept(struct ucred *cred)
{
    int fd = ::accept4(m_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return -1;
    socklen_t len = sizeof *cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) != 0) {
        // Unknown peer: treat as the least privileged.
        cred->pid = 0;
        cred->uid = static_cast<uid_t>(-1);
        cred->gid = static_cast<gid_t>(-1);
    }
    return fd;
}

bool ClientServer::peerAllowed(const struct ucred &cred) const
{
    if (cred.uid == 0)
        return true;
    if (!m_haveGroup)
        return false;
    if (cred.gid == m_gid)
        return true;
    // Supplementary groups are not in SO_PEERCRED. The peer may have exited
    // (or its pid been reused) by now; then the check fails closed unless
    // the process we read still runs as the same uid with the group.
    ProcFs::Status st;
    if (cred.pid <= 0 || !ProcFs::readStatus(static_cast<uint32_t>(cred.pid), &st))
        return false;
    if (st.uid != cred.uid)
        return false;
    if (st.gid == m_gid)
        return true;
    for (uint32_t g : st.groups) {
        if (g == m_gid)
            return true;
    }
    return false;
}
