// ProcConnector.h - the netlink proc connector (fork, exec, exit).
//
// Owns: the NETLINK_CONNECTOR socket subscribed to CN_IDX_PROC and the
// decoding of proc_event records. Reports processes only: a fork that
// creates a thread (child pid != child tgid) and the exit of a thread
// that is not a group leader are dropped here.
//
// Must not: block (the socket is nonblocking and read from the main
// epoll loop) or read /proc (Daemon does that when it handles a report).
//
// Loss: when the kernel cannot queue a message on our socket, the next
// recv fails with ENOBUFS. Notifications are then gone for good; the
// owner is told through onLost and resynchronises from /proc.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

class ProcConnector
{
public:
    struct Handlers {
        std::function<void(uint32_t parentTgid, uint32_t childTgid)> onFork;
        std::function<void(uint32_t tgid)> onExec;
        std::function<void(uint32_t tgid, uint32_t exitCode)> onExit;
        std::function<void()> onLost;
    };

    ~ProcConnector();
    // Opens, binds and subscribes. False (with *error) when the connector
    // is unavailable (no CONFIG_PROC_EVENTS, no CAP_NET_ADMIN, ...).
    // rcvbuf: receive buffer in bytes (forced past the system limit).
    bool open(std::string *error, int rcvbuf = 8 * 1024 * 1024);
    void close();
    int fd() const { return m_fd; }
    // Reads until the socket is drained (bounded per call).
    void readAll(const Handlers &handlers);

private:
    bool subscribe(bool listen);

    int m_fd = -1;
};
