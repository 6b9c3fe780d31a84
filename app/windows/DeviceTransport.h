// DeviceTransport.h - pg::Transport over procguard.sys's device with
// overlapped DeviceIoControl (driver/protocol/pg_ioctl.h).
//
// The device is not a byte stream: every client message is one
// PG_IOCTL_REQUEST whose output buffer receives its reply, and events
// arrive by the inverted call, a PG_IOCTL_READ_EVENTS request that the
// driver keeps pending until it has events for this handle. This class
// maps that onto the Transport contract:
//
//   send()    issues PG_IOCTL_REQUEST, waits for it (bounded, and woken by
//             shutdown()), and queues the reply for receive(). A reply that
//             does not fit (ERROR_MORE_DATA: a bare header whose size is
//             what is needed, e.g. a big policy) is retried with a buffer
//             of that size (or four times bigger where the header did not
//             come back, as under Wine), up to PG_MAX_MESSAGE_SIZE.
//   receive() returns queued replies first; once a HELLO was granted it
//             keeps one PG_IOCTL_READ_EVENTS pending at all times (a new
//             one is issued as soon as the previous one completes, before
//             the batch is returned) and returns each completed batch.
//   shutdown() sets the stop event and cancels every request of this
//             handle with CancelIoEx; a blocked receive() or send() returns
//             Closed. The handle itself is closed only by the destructor,
//             so it is never reused under a thread still using it; the
//             driver sees the client leave (and resolves its holds) then.
//
// Errors: a missing device (driver not running) -> NotFound, ERROR_ACCESS_DENIED
// -> PermissionDenied, a read cancelled or failed while not shut down (the
// driver is stopping) -> Closed, anything else -> Io; one sentence each.
//
// Threads: as Transport.h: one thread in receive() while others send()
// (serialised by KernelLink). Windows only.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "Transport.h"

namespace pg
{

class DeviceTransport : public Transport
{
public:
    // devicePath: the Win32 path CreateFile opens (default \\.\ProcGuard).
    explicit DeviceTransport(std::string devicePath);
    ~DeviceTransport() override;
    DeviceTransport(const DeviceTransport &) = delete;
    DeviceTransport &operator=(const DeviceTransport &) = delete;

    TransportError open() override;
    TransportError send(const std::vector<uint8_t> &message) override;
    TransportError receive(std::vector<uint8_t> &message) override;
    void shutdown() override;
    std::string describe() const override;

    // Bound on one PG_IOCTL_REQUEST (the driver answers at once; this only
    // guards against a wedged driver).
    static constexpr unsigned long kRequestTimeoutMs = 30000;

private:
    enum class Wait { Done, Stopped, TimedOut };
    TransportError request(const std::vector<uint8_t> &message, std::vector<uint8_t> *reply);
    Wait waitIo(void *overlapped, unsigned long timeoutMs);
    TransportError issueRead();
    TransportError closedError() const;
    TransportError fromWin32(unsigned long code, const std::string &what) const;

    std::string m_path;
    void *m_handle;       // HANDLE; INVALID_HANDLE_VALUE until open()
    void *m_stopEvent;    // manual-reset; set by shutdown()
    void *m_repliesEvent; // manual-reset; set while m_replies is not empty
    std::atomic<bool> m_shutdown{false};
    std::atomic<bool> m_reading{false}; // a HELLO was granted: keep a read pending

    std::mutex m_mutex;                         // guards m_replies
    std::deque<std::vector<uint8_t>> m_replies; // request replies not yet received

    // The pending event read (receive() thread only).
    struct Read;
    Read *m_read;
};

} // namespace pg
