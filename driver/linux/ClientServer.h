// ClientServer.h - the listening Unix socket and who may use it.
//
// Owns: the socket file and its directory (0750 root:group, socket 0660
// root:group; root only when the group does not exist), accept(), and the
// SO_PEERCRED check (uid 0, or the group among the peer's gid and
// supplementary groups from /proc/PID/status).
//
// Must not: speak the protocol (Daemon does) or open files on a gated
// filesystem after the marks exist: mkdir, bind, chmod and chown are not
// opens, so creating the socket after the marks (which readiness requires)
// raises no permission event. The group is looked up in init(), before the
// marks, because NSS may open files and load libraries.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <string>

class ClientServer
{
public:
    ~ClientServer();
    // Looks the group up. Must run before any fanotify mark exists.
    void init(const std::string &groupName);
    // Creates the directory and the socket and listens.
    bool listen(const std::string &path, std::string *error);
    // Removes the socket file and closes it.
    void close();
    int fd() const { return m_fd; }
    // Accepts one connection; -1 when none is waiting.
    int accept(struct ucred *cred);
    // True when the peer may connect.
    bool peerAllowed(const struct ucred &cred) const;

private:
    int m_fd = -1;
    std::string m_path;
    std::string m_groupName;
    bool m_haveGroup = false;
    gid_t m_gid = 0;
};
