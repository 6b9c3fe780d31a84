// SentryChannel.h - the link between procguardd and procguard-sentry, the
// process that keeps the gate closed while procguardd is down.
//
// Why: fanotify releases a group's waiting and future events when its
// last holder closes it, so when procguardd dies the gate is gone. The
// sentry holds a second reference to procguardd's fanotify group (passed
// here with SCM_RIGHTS); while procguardd lives it only listens. When the
// link breaks without a RELEASE (a crash, kill -9, an OOM kill), the
// sentry answers the group's events itself (Sentry.h) until a procguardd
// is back and hands it a new group.
//
// The socket (--sentry-socket, default /run/procguard/sentry.sock) is
// root's alone: mode 0600, and the daemon checks SO_PEERCRED uid 0.
//
// Frames, both directions little-endian: u32 type, u32 payload length,
// payload. Daemon to sentry:
//   HELLO    u32 daemon pid; the fanotify descriptor rides along
//   POLICY   the rules in force now (PolicyStore::inForceBytes), after
//            every change, so the sentry never opens a file to learn it
//   RELEASE  a clean stop: hand the machine back (close the group)
// Nothing flows from the sentry to the daemon.
//
// Threads: the daemon's main thread (nonblocking; a sentry that does not
// read is dropped, never waited for); the sentry's only thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sentry
{

enum FrameType : uint32_t { kHello = 1, kPolicy = 2, kRelease = 3 };
constexpr uint32_t kMaxPayload = 8u * 1024u * 1024u;

struct Frame {
    uint32_t type = 0;
    std::vector<uint8_t> payload;
    int fd = -1; // the descriptor passed with it (HELLO), owned by the receiver
};

// Appends one frame to out.
void encode(uint32_t type, const std::vector<uint8_t> &payload, std::vector<uint8_t> *out);

// Splits whole frames off the front of buf (partial ones stay). False
// when the stream is malformed (unknown type, oversized payload).
bool decode(std::vector<uint8_t> *buf, std::vector<Frame> *frames);

// Sends bytes with fd attached (SCM_RIGHTS) on a connected socket, in one
// sendmsg; a short write is reported as false (the channel is then
// dropped: the first frame is small and the socket buffer empty).
bool sendWithFd(int sock, const std::vector<uint8_t> &bytes, int fd);

// Reads what is available (and a descriptor, if one came) into buf.
// Returns bytes read, 0 on end of stream, -1 on error (errno set; EAGAIN
// when nothing is there). *fd receives a passed descriptor or stays -1.
long receive(int sock, std::vector<uint8_t> *buf, int *fd);

} // namespace sentry

// The daemon's end: one listening socket, at most one sentry at a time
// (a newer connection replaces an older one).
class SentryServer
{
public:
    ~SentryServer();
    // Creates the socket (root only). False with *error.
    bool listen(const std::string &path, std::string *error);
    int listenFd() const { return m_listen; }
    int connectionFd() const { return m_conn; }
    // Accepts a sentry; sends HELLO with gateFd, then the policy. Returns
    // a phrase for the log ("" when nothing was accepted).
    std::string accept(int gateFd, const std::vector<uint8_t> &policy);
    // The rules in force changed.
    void sendPolicy(const std::vector<uint8_t> &policy);
    // Clean stop: RELEASE, best effort, then close.
    void release();
    // The sentry closed its end (or wrote, which it never should).
    void dropConnection();
    bool connected() const { return m_conn >= 0; }
    void close();

private:
    bool sendAll(const std::vector<uint8_t> &bytes);

    int m_listen = -1;
    int m_conn = -1;
    std::string m_path;
};
