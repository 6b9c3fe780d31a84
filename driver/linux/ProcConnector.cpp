// ProcConnector.cpp - see ProcConnector.h.
#include "ProcConnector.h"

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include "Log.h"

namespace
{

// NLMSG_HDRLEN and NLMSG_ALIGN without their C casts.
constexpr size_t align4(size_t n)
{
    return (n + 3u) & ~static_cast<size_t>(3u);
}
constexpr size_t kNlHdrLen = align4(sizeof(struct nlmsghdr));

} // namespace

ProcConnector::~ProcConnector()
{
    close();
}

bool ProcConnector::open(std::string *error, int rcvbuf)
{
    m_fd = ::socket(PF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
    if (m_fd < 0) {
        *error = std::string("cannot open the netlink connector socket: ") + std::strerror(errno);
        return false;
    }
    // A large receive buffer makes ENOBUFS (lost notifications) rarer under
    // fork storms; FORCE needs CAP_NET_ADMIN, which the daemon has.
    if (setsockopt(m_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
        setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_nl addr;
    std::memset(&addr, 0, sizeof addr);
    addr.nl_family = AF_NETLINK;
    addr.nl_groups = CN_IDX_PROC;
    addr.nl_pid = 0; // let the kernel pick a unique port id
    if (bind(m_fd, reinterpret_cast<struct sockaddr *>(&addr), sizeof addr) != 0) {
        *error = std::string("cannot bind the proc connector: ") + std::strerror(errno);
        close();
        return false;
    }
    if (!subscribe(true)) {
        *error = std::string("cannot subscribe to process events: ") + std::strerror(errno);
        close();
        return false;
    }
    return true;
}

void ProcConnector::close()
{
    if (m_fd >= 0) {
        subscribe(false);
        ::close(m_fd);
        m_fd = -1;
    }
}

bool ProcConnector::subscribe(bool listen)
{
    // nlmsghdr | cn_msg | enum proc_cn_mcast_op, as the connector expects.
    alignas(8) unsigned char buf[kNlHdrLen + sizeof(struct cn_msg) + sizeof(uint32_t)];
    std::memset(buf, 0, sizeof buf);
    struct nlmsghdr nlh;
    std::memset(&nlh, 0, sizeof nlh);
    nlh.nlmsg_len = sizeof buf;
    nlh.nlmsg_type = NLMSG_DONE;
    nlh.nlmsg_pid = 0;
    std::memcpy(buf, &nlh, sizeof nlh);
    struct cn_msg cn;
    std::memset(&cn, 0, sizeof cn);
    cn.id.idx = CN_IDX_PROC;
    cn.id.val = CN_VAL_PROC;
    cn.len = sizeof(uint32_t);
    std::memcpy(buf + kNlHdrLen, &cn, sizeof cn);
    uint32_t op = listen ? PROC_CN_MCAST_LISTEN : PROC_CN_MCAST_IGNORE;
    std::memcpy(buf + kNlHdrLen + sizeof cn, &op, sizeof op);
    return ::send(m_fd, buf, sizeof buf, 0) == static_cast<ssize_t>(sizeof buf);
}

void ProcConnector::readAll(const Handlers &handlers)
{
    alignas(8) unsigned char buf[65536];
    for (int round = 0; round < 256; ++round) {
        ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOBUFS) {
                handlers.onLost();
                continue; // the socket stays usable; keep draining
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                PG_LOG_WARN("proc connector: recv failed: %s", std::strerror(errno));
            return;
        }
        size_t len = static_cast<size_t>(n);
        size_t off = 0;
        // Walk the netlink messages by hand (the NLMSG_* macros use C casts).
        while (off + sizeof(struct nlmsghdr) <= len) {
            struct nlmsghdr nlh;
            std::memcpy(&nlh, buf + off, sizeof nlh);
            if (nlh.nlmsg_len < sizeof nlh || off + nlh.nlmsg_len > len)
                break;
            size_t payload = nlh.nlmsg_len - kNlHdrLen;
            if (nlh.nlmsg_type == NLMSG_DONE && payload >= sizeof(struct cn_msg)) {
                struct cn_msg cn;
                std::memcpy(&cn, buf + off + kNlHdrLen, sizeof cn);
                size_t evOff = off + kNlHdrLen + sizeof cn;
                if (cn.id.idx == CN_IDX_PROC && cn.id.val == CN_VAL_PROC &&
                    cn.len >= offsetof(struct proc_event, event_data) &&
                    evOff + cn.len <= off + nlh.nlmsg_len) {
                    struct proc_event ev;
                    std::memset(&ev, 0, sizeof ev);
                    std::memcpy(&ev, buf + evOff,
                                cn.len < sizeof ev ? static_cast<size_t>(cn.len) : sizeof ev);
                    switch (ev.what) {
                    case proc_event::PROC_EVENT_FORK:
                        if (ev.event_data.fork.child_pid == ev.event_data.fork.child_tgid)
                            handlers.onFork(static_cast<uint32_t>(ev.event_data.fork.parent_tgid),
                                            static_cast<uint32_t>(ev.event_data.fork.child_tgid));
                        break;
                    case proc_event::PROC_EVENT_EXEC:
                        handlers.onExec(static_cast<uint32_t>(ev.event_data.exec.process_tgid));
                        break;
                    case proc_event::PROC_EVENT_EXIT:
                        if (ev.event_data.exit.process_pid == ev.event_data.exit.process_tgid)
                            handlers.onExit(static_cast<uint32_t>(ev.event_data.exit.process_tgid),
                                            ev.event_data.exit.exit_code);
                        break;
                    default:
                        break;
                    }
                }
            }
            off += align4(nlh.nlmsg_len);
        }
    }
}
