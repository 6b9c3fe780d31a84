// SentryChannel.cpp - see SentryChannel.h.
#include "SentryChannel.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sentry
{
namespace
{

void putU32(std::vector<uint8_t> *out, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint32_t getU32(const uint8_t *p)
{
    return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
           static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

} // namespace

void encode(uint32_t type, const std::vector<uint8_t> &payload, std::vector<uint8_t> *out)
{
    putU32(out, type);
    putU32(out, static_cast<uint32_t>(payload.size()));
    out->insert(out->end(), payload.begin(), payload.end());
}

bool decode(std::vector<uint8_t> *buf, std::vector<Frame> *frames)
{
    size_t off = 0;
    while (buf->size() - off >= 8) {
        const uint32_t type = getU32(buf->data() + off);
        const uint32_t len = getU32(buf->data() + off + 4);
        if (type < kHello || type > kRelease || len > kMaxPayload)
            return false;
        if (buf->size() - off - 8 < len)
            break;
        Frame f;
        f.type = type;
        f.payload.assign(buf->begin() + static_cast<std::ptrdiff_t>(off + 8),
                         buf->begin() + static_cast<std::ptrdiff_t>(off + 8 + len));
        frames->push_back(std::move(f));
        off += 8 + len;
    }
    buf->erase(buf->begin(), buf->begin() + static_cast<std::ptrdiff_t>(off));
    return true;
}

bool sendWithFd(int sock, const std::vector<uint8_t> &bytes, int fd)
{
    struct iovec iov;
    iov.iov_base = const_cast<uint8_t *>(bytes.data());
    iov.iov_len = bytes.size();
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    std::memset(control, 0, sizeof control);
    struct msghdr msg;
    std::memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    ssize_t n;
    do {
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(bytes.size());
}

long receive(int sock, std::vector<uint8_t> *buf, int *fd)
{
    uint8_t data[64 * 1024];
    struct iovec iov;
    iov.iov_base = data;
    iov.iov_len = sizeof data;
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    struct msghdr msg;
    std::memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len >= CMSG_LEN(sizeof(int))) {
            int passed;
            std::memcpy(&passed, CMSG_DATA(c), sizeof passed);
            if (*fd >= 0)
                ::close(*fd); // never more than one per frame; keep the newest
            *fd = passed;
        }
    }
    buf->insert(buf->end(), data, data + n);
    return static_cast<long>(n);
}

} // namespace sentry

SentryServer::~SentryServer()
{
    close();
}

bool SentryServer::listen(const std::string &path, std::string *error)
{
    struct sockaddr_un addr;
    std::memset(&addr, 0, sizeof addr);
    if (path.size() >= sizeof addr.sun_path) {
        *error = "the sentry socket path is too long: " + path + ".";
        return false;
    }
    // A socket left by a run that crashed: remove it (a socket only).
    struct stat st;
    if (lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            *error = path + " exists and is not a socket.";
            return false;
        }
        ::unlink(path.c_str());
    }
    m_listen = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_listen < 0) {
        *error = std::string("cannot create the sentry socket: ") + std::strerror(errno) + ".";
        return false;
    }
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size());
    const mode_t old = umask(077);
    const bool bound = bind(m_listen, reinterpret_cast<struct sockaddr *>(&addr), sizeof addr) == 0;
    umask(old);
    if (!bound || ::listen(m_listen, 4) != 0) {
        *error = "cannot listen on " + path + ": " + std::strerror(errno) + ".";
        ::close(m_listen);
        m_listen = -1;
        return false;
    }
    m_path = path;
    return true;
}

std::string SentryServer::accept(int gateFd, const std::vector<uint8_t> &policy)
{
    int fd = accept4(m_listen, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return std::string();
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != 0) {
        ::close(fd);
        return "refused a sentry connection that is not root's";
    }
    // Big enough for any policy, so that a frame is never half written.
    int size = static_cast<int>(sentry::kMaxPayload + 64);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);
    std::vector<uint8_t> hello;
    std::vector<uint8_t> pid(4);
    const uint32_t self = static_cast<uint32_t>(getpid());
    for (int i = 0; i < 4; ++i)
        pid[static_cast<size_t>(i)] = static_cast<uint8_t>(self >> (8 * i));
    sentry::encode(sentry::kHello, pid, &hello);
    if (!sentry::sendWithFd(fd, hello, gateFd)) {
        ::close(fd);
        return "could not hand the gate to the sentry";
    }
    dropConnection(); // a newer sentry replaces an older one
    m_conn = fd;
    sendPolicy(policy);
    return "sentry (pid " + std::to_string(cred.pid) + ") connected";
}

void SentryServer::sendPolicy(const std::vector<uint8_t> &policy)
{
    if (m_conn < 0)
        return;
    std::vector<uint8_t> frame;
    sentry::encode(sentry::kPolicy, policy, &frame);
    if (!sendAll(frame))
        dropConnection();
}

void SentryServer::release()
{
    if (m_conn < 0)
        return;
    std::vector<uint8_t> frame;
    sentry::encode(sentry::kRelease, {}, &frame);
    sendAll(frame);
    dropConnection();
}

void SentryServer::dropConnection()
{
    if (m_conn >= 0)
        ::close(m_conn);
    m_conn = -1;
}

void SentryServer::close()
{
    dropConnection();
    if (m_listen >= 0) {
        ::close(m_listen);
        m_listen = -1;
        ::unlink(m_path.c_str());
    }
}

bool SentryServer::sendAll(const std::vector<uint8_t> &bytes)
{
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::send(m_conn, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false; // full (a sentry that does not read) or gone
        off += static_cast<size_t>(n);
    }
    return true;
}
