// ClientConnection.cpp - see ClientConnection.h.
#include "ClientConnection.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace
{
constexpr size_t kReadChunk = 65536;
constexpr size_t kMaxReadPerCall = 1024 * 1024;
constexpr uint32_t kEventBatchBytes = 256u * 1024u;
constexpr size_t kPauseInputAbove = 8u * 1024u * 1024u;
} // namespace

ClientConnection::ClientConnection(int fd, uint64_t id, const struct ucred &cred)
    : m_fd(fd), m_id(id), m_pid(static_cast<uint32_t>(cred.pid)),
      m_uid(static_cast<uint32_t>(cred.uid)), m_ringBuf(kRingBytes / 8)
{
    pg_ring_init(&m_ring, m_ringBuf.data(), kRingBytes, kRingReserve);
}

ClientConnection::~ClientConnection()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

ClientConnection::ReadResult ClientConnection::readAvailable()
{
    size_t total = 0;
    while (total < kMaxReadPerCall) {
        if (m_inOff > 0 && m_inOff == m_in.size()) {
            m_in.clear();
            m_inOff = 0;
        }
        size_t old = m_in.size();
        m_in.resize(old + kReadChunk);
        ssize_t n = ::recv(m_fd, m_in.data() + old, kReadChunk, MSG_DONTWAIT);
        if (n <= 0) {
            m_in.resize(old);
            if (n == 0)
                return ReadResult::Closed;
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return ReadResult::Ok;
            return ReadResult::Closed;
        }
        m_in.resize(old + static_cast<size_t>(n));
        total += static_cast<size_t>(n);
    }
    return ReadResult::Ok;
}

ClientConnection::Frame ClientConnection::nextFrame(const uint8_t **msg, uint32_t *size,
                                                    uint32_t *badSize)
{
    size_t avail = m_in.size() - m_inOff;
    if (avail < sizeof(pg_msg_header))
        return Frame::None;
    pg_msg_header hdr;
    std::memcpy(&hdr, m_in.data() + m_inOff, sizeof hdr);
    if (hdr.size < sizeof(pg_msg_header) || hdr.size > PG_MAX_MESSAGE_SIZE) {
        *badSize = hdr.size;
        return Frame::Bad;
    }
    if (avail < hdr.size)
        return Frame::None;
    // Messages are handed out in place; the vector's data is 8-byte aligned
    // at its start but m_inOff may not be, so callers memcpy fixed parts.
    *msg = m_in.data() + m_inOff;
    *size = hdr.size;
    return Frame::Message;
}

void ClientConnection::consume(uint32_t size)
{
    m_inOff += size;
    if (m_inOff == m_in.size()) {
        m_in.clear();
        m_inOff = 0;
    } else if (m_inOff > kMaxReadPerCall) {
        m_in.erase(m_in.begin(), m_in.begin() + static_cast<std::ptrdiff_t>(m_inOff));
        m_inOff = 0;
    }
}

void ClientConnection::queue(const void *bytes, size_t len)
{
    const uint8_t *p = static_cast<const uint8_t *>(bytes);
    m_out.insert(m_out.end(), p, p + len);
}

bool ClientConnection::pushEvent(const pg_event &ev, const char *image, const char *cmdline,
                                 const char *parentImage, bool priority)
{
    return pg_ring_push(&m_ring, &ev, image, cmdline, nullptr, parentImage, priority ? 1 : 0) ==
           PG_OK;
}

bool ClientConnection::flush()
{
    for (;;) {
        if (m_outOff == m_out.size()) {
            m_out.clear();
            m_outOff = 0;
            if (!m_helloDone || pg_ring_used(&m_ring) == 0)
                return true;
            // One PG_MSG_EVENTS per batch of whole records.
            m_out.resize(sizeof(pg_events_msg) + kEventBatchBytes);
            uint32_t count = 0;
            uint32_t bytes = pg_ring_pop(&m_ring, m_out.data() + sizeof(pg_events_msg),
                                         kEventBatchBytes, &count);
            if (bytes == 0 || count == 0) {
                m_out.clear();
                return true;
            }
            pg_events_msg hdr;
            std::memset(&hdr, 0, sizeof hdr);
            hdr.hdr.size = static_cast<uint32_t>(sizeof hdr + bytes);
            hdr.hdr.version = m_version;
            hdr.hdr.type = PG_MSG_EVENTS;
            hdr.count = count;
            std::memcpy(m_out.data(), &hdr, sizeof hdr);
            m_out.resize(sizeof hdr + bytes);
        }
        ssize_t n = ::send(m_fd, m_out.data() + m_outOff, m_out.size() - m_outOff,
                           MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK;
        }
        m_outOff += static_cast<size_t>(n);
    }
}

bool ClientConnection::wantsWrite() const
{
    return m_outOff < m_out.size() || (m_helloDone && pg_ring_used(&m_ring) > 0);
}

bool ClientConnection::inputPaused() const
{
    return m_out.size() - m_outOff > kPauseInputAbove;
}

void ClientConnection::sendFinal(const void *bytes, size_t len)
{
    // Whatever was half sent must be completed first or the final message
    // would land inside another one; if that fails, the peer just sees EOF.
    m_helloDone = false; // stop popping events
    queue(bytes, len);
    flush();
}
