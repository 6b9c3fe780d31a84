// ClientConnection.h - one connected client of the Unix socket.
//
// Owns: the client's descriptor, its input buffer and framing (by
// pg_msg_header.size), its output buffer, its event ring (pg_ring with a
// reserve for REQUEST events) and its protocol state (hello done, role,
// version). Main thread only.
//
// Must not: block. The socket is nonblocking; output that does not fit
// waits for EPOLLOUT. A client that stops reading loses events (counted by
// its ring and reported to it as PG_EV_OVERFLOW), never the daemon's
// attention: the ring is bounded, and reading its requests pauses while
// its replies pile up, so it cannot make the daemon allocate without end.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "pg_core.h"

class ClientConnection
{
public:
    static constexpr uint32_t kRingBytes = 4u * 1024u * 1024u;
    static constexpr uint32_t kRingReserve = 1u * 1024u * 1024u; // REQUEST events only

    ClientConnection(int fd, uint64_t id, const struct ucred &cred);
    ~ClientConnection();
    ClientConnection(const ClientConnection &) = delete;
    ClientConnection &operator=(const ClientConnection &) = delete;

    enum class ReadResult { Ok, Closed };
    // Reads what the socket has (bounded). Closed: EOF or a hard error.
    ReadResult readAvailable();

    enum class Frame { None, Message, Bad };
    // The next complete message, if any. Bad: the size field is outside
    // 16..PG_MAX_MESSAGE_SIZE, so framing is lost (*badSize gets it).
    Frame nextFrame(const uint8_t **msg, uint32_t *size, uint32_t *badSize);
    void consume(uint32_t size);

    void queue(const void *bytes, size_t len);
    // Queues an event record on the ring; false when it was dropped.
    bool pushEvent(const pg_event &ev, const char *image, const char *cmdline,
                   const char *parentImage, bool priority);
    // Writes as much as the socket takes. False on a hard error.
    bool flush();
    bool wantsWrite() const;
    // True while queued replies exceed the limit: stop reading requests.
    bool inputPaused() const;
    // Best effort for a client about to be dropped: discard queued events,
    // write the given bytes once, never wait.
    void sendFinal(const void *bytes, size_t len);

    int fd() const { return m_fd; }
    uint64_t id() const { return m_id; }
    uint32_t pid() const { return m_pid; }
    uint32_t uid() const { return m_uid; }
    uint64_t lostTotal() const { return m_ring.lost_total; }

    // Protocol state (set by Daemon).
    bool m_helloDone = false;
    uint16_t m_role = PG_ROLE_NONE;
    uint16_t m_version = PG_PROTOCOL_VERSION;
    uint32_t m_flags = 0;
    std::string m_name;
    bool m_closeRequested = false; // drop after this read/flush round
    bool m_denied = false;         // refused at accept; drop after its first read
    uint32_t m_epollMask = 0;      // events registered with epoll

private:
    int m_fd;
    uint64_t m_id;
    uint32_t m_pid;
    uint32_t m_uid;
    std::vector<uint8_t> m_in;
    size_t m_inOff = 0;
    std::vector<uint8_t> m_out;
    size_t m_outOff = 0;
    std::vector<uint64_t> m_ringBuf; // 8-byte aligned storage for m_ring
    pg_ring m_ring;
};
