// UnixSocketTransport.cpp - Linux transport: one AF_UNIX stream socket.
#include "UnixSocketTransport.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "DefaultPaths.h"
#include "TransportFactory.h"
#include "pg_protocol.h"

namespace pg
{

namespace
{

constexpr size_t kReadChunk = 64 * 1024;

TransportError makeError(TransportError::Code code, int err, std::string message)
{
    TransportError e;
    e.code = code;
    e.sysError = err;
    e.message = std::move(message);
    return e;
}

} // namespace

UnixSocketTransport::UnixSocketTransport(std::string path) : m_path(std::move(path)) {}

UnixSocketTransport::~UnixSocketTransport()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

std::string UnixSocketTransport::describe() const
{
    return "the socket " + m_path;
}

TransportError UnixSocketTransport::closedError() const
{
    return makeError(TransportError::Code::Closed, 0, "The connection to procguardd was closed.");
}

TransportError UnixSocketTransport::open()
{
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (m_path.empty() || m_path.size() >= sizeof(addr.sun_path))
        return makeError(TransportError::Code::Io, ENAMETOOLONG,
                         "The socket path \"" + m_path + "\" is empty or too long.");
    if (m_fd >= 0)
        return makeError(TransportError::Code::Io, EISCONN, "The socket is already open.");
    std::memcpy(addr.sun_path, m_path.data(), m_path.size());

    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        const int err = errno;
        return makeError(TransportError::Code::Io, err,
                         std::string("Cannot create a socket: ") + std::strerror(err) + ".");
    }
    int rc;
    do {
        rc = ::connect(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof(addr));
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        const int err = errno;
        ::close(fd);
        switch (err) {
        case ENOENT:
        case ECONNREFUSED:
        case ENOTDIR:
            return makeError(TransportError::Code::NotFound, err,
                             "procguardd is not running (no socket at " + m_path + ").");
        case EACCES:
        case EPERM:
            return makeError(TransportError::Code::PermissionDenied, err,
                             "Permission denied: run as root or join the group procguard.");
        default:
            return makeError(TransportError::Code::Io, err,
                             "Cannot connect to " + m_path + ": " + std::strerror(err) + ".");
        }
    }
    m_fd = fd;
    m_shutdown = false;
    m_buffer.clear();
    m_start = 0;
    return {};
}

TransportError UnixSocketTransport::send(const std::vector<uint8_t> &message)
{
    if (m_fd < 0 || m_shutdown)
        return closedError();
    size_t done = 0;
    while (done < message.size()) {
        // MSG_NOSIGNAL: a daemon that went away must give EPIPE, not kill us.
        const ssize_t n = ::send(m_fd, message.data() + done, message.size() - done, MSG_NOSIGNAL);
        if (n < 0) {
            const int err = errno;
            if (err == EINTR)
                continue;
            if (err == EPIPE || err == ECONNRESET || err == ENOTCONN)
                return closedError();
            return makeError(TransportError::Code::Io, err,
                             std::string("Cannot write to procguardd: ") + std::strerror(err) +
                                 ".");
        }
        done += static_cast<size_t>(n);
    }
    return {};
}

TransportError UnixSocketTransport::receive(std::vector<uint8_t> &message)
{
    if (m_fd < 0)
        return closedError();
    for (;;) {
        if (m_shutdown)
            return closedError();
        const size_t avail = m_buffer.size() - m_start;
        if (avail >= sizeof(pg_msg_header)) {
            uint32_t size;
            std::memcpy(&size, m_buffer.data() + m_start, sizeof(size));
            if (size < sizeof(pg_msg_header))
                return makeError(TransportError::Code::Io, EPROTO,
                                 "procguardd sent a message with an impossible size.");
            if (size > PG_MAX_MESSAGE_SIZE)
                return makeError(TransportError::Code::TooLarge, EMSGSIZE,
                                 "procguardd sent a message larger than the protocol allows.");
            if (avail >= size) {
                message.assign(m_buffer.begin() + static_cast<std::ptrdiff_t>(m_start),
                               m_buffer.begin() + static_cast<std::ptrdiff_t>(m_start + size));
                m_start += size;
                return {};
            }
        }
        // Compact before reading more so the buffer never grows without bound.
        if (m_start > 0) {
            m_buffer.erase(m_buffer.begin(),
                           m_buffer.begin() + static_cast<std::ptrdiff_t>(m_start));
            m_start = 0;
        }
        const size_t at = m_buffer.size();
        m_buffer.resize(at + kReadChunk);
        const ssize_t n = ::recv(m_fd, m_buffer.data() + at, kReadChunk, 0);
        const int err = errno;
        m_buffer.resize(at + (n > 0 ? static_cast<size_t>(n) : 0));
        if (n == 0)
            return closedError();
        if (n < 0) {
            if (err == EINTR)
                continue;
            if (err == ECONNRESET || err == ENOTCONN || err == EPIPE)
                return closedError();
            return makeError(TransportError::Code::Io, err,
                             std::string("Cannot read from procguardd: ") + std::strerror(err) +
                                 ".");
        }
    }
}

void UnixSocketTransport::shutdown()
{
    m_shutdown = true;
    if (m_fd >= 0)
        ::shutdown(m_fd, SHUT_RDWR);
}

std::unique_ptr<Transport> createPlatformTransport(const std::string &endpoint)
{
    return std::make_unique<UnixSocketTransport>(endpoint.empty() ? defaultSocketPath() : endpoint);
}

} // namespace pg
