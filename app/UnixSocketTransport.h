// UnixSocketTransport.h - Transport over procguardd's Unix stream socket.
//
// Framing: every message starts with pg_msg_header whose size field covers
// the whole message, so receive() reads a header, checks the size
// (sizeof(pg_msg_header)..PG_MAX_MESSAGE_SIZE, else TooLarge/Io) and reads
// the rest. Bytes are read in large chunks and kept between calls, so a
// batch of messages costs one read.
//
// Errors: ENOENT/ECONNREFUSED on connect -> NotFound ("procguardd is not
// running ..."), EACCES/EPERM -> PermissionDenied, a peer that closed ->
// Closed; anything else -> Io. Each error carries one user-facing sentence.
//
// Threads: one thread may send() while another is in receive().
// shutdown() may be called from any thread: it shuts the socket down
// (shutdown(2)), which wakes a blocked receive() with Closed; the
// descriptor itself is closed only by the destructor, so it can never be
// reused under a thread still using it.
#pragma once

#include <atomic>
#include <string>

#include "Transport.h"

namespace pg
{

class UnixSocketTransport : public Transport
{
public:
    explicit UnixSocketTransport(std::string path);
    ~UnixSocketTransport() override;
    UnixSocketTransport(const UnixSocketTransport &) = delete;
    UnixSocketTransport &operator=(const UnixSocketTransport &) = delete;

    TransportError open() override;
    TransportError send(const std::vector<uint8_t> &message) override;
    TransportError receive(std::vector<uint8_t> &message) override;
    void shutdown() override;
    std::string describe() const override;

    const std::string &path() const { return m_path; }

private:
    TransportError closedError() const;

    std::string m_path;
    int m_fd = -1;
    std::atomic<bool> m_shutdown{false};
    std::vector<uint8_t> m_buffer; // received, not yet returned (receive() thread only)
    size_t m_start = 0;            // first unconsumed byte in m_buffer
};

} // namespace pg
