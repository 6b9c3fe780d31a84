// DeviceTransport.cpp - see DeviceTransport.h.
//
// Why replies go through a queue: KernelLink's worker is the only reader
// of the transport, and a request's reply must reach it in order with the
// events. The reply of a PG_IOCTL_REQUEST comes back in that request's own
// output buffer, on the sending thread, so send() hands it over.
//
// Why the read is reissued before a batch is returned: the driver can only
// complete a pended read; while none is pending, events wait in the
// handle's ring, and a burst can overflow it while the sink is busy.
#include "DeviceTransport.h"

#include <windows.h>

#include <cstring>

#include "IoctlCodes.h"
#include "WinText.h"

namespace pg
{

namespace
{

// First answer: enough for everything but a big policy (ERROR_MORE_DATA
// then says how much is needed).
constexpr size_t kReplyBuffer = 64 * 1024;
// Event batches: as large as the driver accepts is wasteful; 256 KiB holds
// dozens of records with maximal strings and hundreds of typical ones.
constexpr size_t kReadBuffer = 256 * 1024;

static_assert(kReadBuffer >= PG_MIN_EVENTS_BUFFER, "read buffer below the driver's minimum");
static_assert(kReadBuffer <= PG_MAX_MESSAGE_SIZE, "read buffer above the driver's maximum");

HANDLE asHandle(void *h)
{
    return static_cast<HANDLE>(h);
}

TransportError makeError(TransportError::Code code, unsigned long sys, std::string message)
{
    TransportError e;
    e.code = code;
    e.sysError = static_cast<int>(sys);
    e.message = std::move(message);
    return e;
}

// The size a message's header claims, or 0 when it has no whole header.
uint32_t claimedSize(const uint8_t *bytes, size_t length)
{
    pg_msg_header hdr;
    if (length < sizeof(hdr))
        return 0;
    std::memcpy(&hdr, bytes, sizeof(hdr));
    return hdr.size;
}

} // namespace

struct DeviceTransport::Read {
    OVERLAPPED ov{};
    std::vector<uint8_t> buffer;
    bool pending = false;
    TransportError deferred; // a reissue failed after a batch was returned
};

DeviceTransport::DeviceTransport(std::string devicePath)
    : m_path(std::move(devicePath)), m_handle(INVALID_HANDLE_VALUE),
      m_stopEvent(CreateEventW(nullptr, TRUE, FALSE, nullptr)),
      m_repliesEvent(CreateEventW(nullptr, TRUE, FALSE, nullptr)), m_read(new Read)
{
    if (m_path.empty())
        m_path = PG_WIN32_DEVICE_PATH;
    m_read->ov.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    m_read->buffer.resize(kReadBuffer);
}

DeviceTransport::~DeviceTransport()
{
    shutdown();
    if (m_read->pending) {
        // Cancelled by shutdown(); the buffer must outlive the I/O.
        DWORD bytes = 0;
        GetOverlappedResult(asHandle(m_handle), &m_read->ov, &bytes, TRUE);
    }
    if (m_handle != INVALID_HANDLE_VALUE)
        CloseHandle(asHandle(m_handle));
    CloseHandle(m_read->ov.hEvent);
    CloseHandle(asHandle(m_stopEvent));
    CloseHandle(asHandle(m_repliesEvent));
    delete m_read;
}

std::string DeviceTransport::describe() const
{
    return "the device " + m_path;
}

TransportError DeviceTransport::closedError() const
{
    return makeError(TransportError::Code::Closed, 0,
                     "The connection to procguard.sys (" + m_path + ") was closed.");
}

TransportError DeviceTransport::fromWin32(unsigned long code, const std::string &what) const
{
    switch (code) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
        return makeError(TransportError::Code::NotFound, code,
                         "procguard.sys is not running (no device " + m_path +
                             "); start it with procguardctl start.");
    case ERROR_ACCESS_DENIED:
        return makeError(TransportError::Code::PermissionDenied, code,
                         "Permission denied: only Administrators may open " + m_path +
                             "; run as Administrator.");
    case ERROR_OPERATION_ABORTED:
    case ERROR_DELETE_PENDING:
    case ERROR_DEVICE_NOT_CONNECTED:
    case ERROR_INVALID_HANDLE:
        return makeError(TransportError::Code::Closed, code,
                         "procguard.sys ended the connection (" + what + ": it is stopping).");
    default:
        return makeError(TransportError::Code::Io, code,
                         what + " on " + m_path + " failed: " + win32Message(code));
    }
}

TransportError DeviceTransport::open()
{
    if (m_handle != INVALID_HANDLE_VALUE)
        return makeError(TransportError::Code::Io, 0, "The device " + m_path + " is already open.");
    ResetEvent(asHandle(m_stopEvent));
    m_shutdown = false;
    // No sharing: one handle is one client; the driver tells clients apart
    // by their file object.
    HANDLE h = CreateFileW(toWide(m_path).c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                           OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
    if (h == INVALID_HANDLE_VALUE)
        return fromWin32(GetLastError(), "opening");
    m_handle = h;
    return {};
}

DeviceTransport::Wait DeviceTransport::waitIo(void *overlapped, unsigned long timeoutMs)
{
    OVERLAPPED *ov = static_cast<OVERLAPPED *>(overlapped);
    HANDLE handles[2] = {ov->hEvent, asHandle(m_stopEvent)};
    const DWORD rc = WaitForMultipleObjects(2, handles, FALSE, timeoutMs);
    if (rc == WAIT_OBJECT_0)
        return Wait::Done;
    // Stopped or timed out: take the request back, and wait for it to
    // finish so that its buffers may be freed.
    CancelIoEx(asHandle(m_handle), ov);
    DWORD bytes = 0;
    GetOverlappedResult(asHandle(m_handle), ov, &bytes, TRUE);
    return rc == WAIT_OBJECT_0 + 1 ? Wait::Stopped : Wait::TimedOut;
}

TransportError DeviceTransport::request(const std::vector<uint8_t> &message,
                                        std::vector<uint8_t> *reply)
{
    size_t capacity = kReplyBuffer;
    // Normally two rounds at most: the second has the size the driver
    // asked for. Where the byte count of an overflow does not come back
    // (Wine reports 0 for it), the buffer grows fourfold per round instead.
    for (;;) {
        reply->assign(capacity, 0);
        OVERLAPPED ov{};
        ov.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
        if (ov.hEvent == nullptr)
            return fromWin32(GetLastError(), "a request");
        DWORD bytes = 0;
        DWORD err = 0;
        // METHOD_BUFFERED copies the input; the API is not const-correct.
        if (!DeviceIoControl(asHandle(m_handle), kIoctlRequest,
                             const_cast<uint8_t *>(message.data()),
                             static_cast<DWORD>(message.size()), reply->data(),
                             static_cast<DWORD>(reply->size()), nullptr, &ov))
            err = GetLastError();
        if (err == 0 || err == ERROR_IO_PENDING) {
            const Wait w = waitIo(&ov, kRequestTimeoutMs);
            if (w == Wait::Done)
                err = GetOverlappedResult(asHandle(m_handle), &ov, &bytes, FALSE) ? 0
                                                                                  : GetLastError();
            CloseHandle(ov.hEvent);
            if (w == Wait::Stopped)
                return closedError();
            if (w == Wait::TimedOut)
                return makeError(TransportError::Code::Io, ERROR_TIMEOUT,
                                 "procguard.sys did not answer a request within " +
                                     std::to_string(kRequestTimeoutMs / 1000) + " s.");
        } else {
            CloseHandle(ov.hEvent);
        }
        if (err == ERROR_MORE_DATA) {
            // A bare header whose size is the bytes the reply needs.
            uint32_t needed = claimedSize(reply->data(), reply->size());
            if (needed <= capacity)
                needed = static_cast<uint32_t>(capacity * 4);
            if (capacity >= PG_MAX_MESSAGE_SIZE)
                return makeError(TransportError::Code::TooLarge, err,
                                 "procguard.sys's reply does not fit the largest message (" +
                                     std::to_string(PG_MAX_MESSAGE_SIZE) + " bytes).");
            capacity = needed < PG_MAX_MESSAGE_SIZE ? needed : PG_MAX_MESSAGE_SIZE;
            continue;
        }
        if (err != 0)
            return fromWin32(err, "a request");
        reply->resize(bytes);
        if (bytes < sizeof(pg_msg_header) || claimedSize(reply->data(), bytes) != bytes)
            return makeError(TransportError::Code::Io, 0,
                             "procguard.sys sent a reply whose size disagrees with its header.");
        return {};
    }
}

TransportError DeviceTransport::send(const std::vector<uint8_t> &message)
{
    if (m_handle == INVALID_HANDLE_VALUE || m_shutdown)
        return closedError();
    std::vector<uint8_t> reply;
    if (TransportError e = request(message, &reply))
        return e;
    // The inverted call may start once a role is granted (the driver
    // refuses reads before HELLO).
    pg_hello_reply hello;
    if (reply.size() == sizeof(hello)) {
        std::memcpy(&hello, reply.data(), sizeof(hello));
        if (hello.hdr.type == PG_MSG_HELLO_REPLY && hello.status == PG_OK)
            m_reading = true;
    }
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_replies.push_back(std::move(reply));
        SetEvent(asHandle(m_repliesEvent));
    }
    return {};
}

TransportError DeviceTransport::issueRead()
{
    Read &r = *m_read;
    ResetEvent(r.ov.hEvent);
    r.ov.Internal = 0;
    r.ov.InternalHigh = 0;
    // Completed at once or pending, the event is signalled on completion
    // and GetOverlappedResult reports it: both go through receive()'s wait.
    if (!DeviceIoControl(asHandle(m_handle), kIoctlReadEvents, nullptr, 0, r.buffer.data(),
                         static_cast<DWORD>(r.buffer.size()), nullptr, &r.ov)) {
        const DWORD err = GetLastError();
        if (err != ERROR_IO_PENDING)
            return m_shutdown ? closedError() : fromWin32(err, "reading events");
    }
    r.pending = true;
    return {};
}

TransportError DeviceTransport::receive(std::vector<uint8_t> &message)
{
    Read &r = *m_read;
    for (;;) {
        if (m_handle == INVALID_HANDLE_VALUE || m_shutdown)
            return closedError();
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!m_replies.empty()) {
                message = std::move(m_replies.front());
                m_replies.pop_front();
                if (m_replies.empty())
                    ResetEvent(asHandle(m_repliesEvent));
                return {};
            }
        }
        if (r.deferred) {
            TransportError e = r.deferred;
            r.deferred = TransportError{};
            return e;
        }
        if (m_reading && !r.pending)
            if (TransportError e = issueRead())
                return e;

        HANDLE handles[3] = {asHandle(m_stopEvent), asHandle(m_repliesEvent), r.ov.hEvent};
        const DWORD count = r.pending ? 3 : 2;
        const DWORD rc = WaitForMultipleObjects(count, handles, FALSE, INFINITE);
        if (rc == WAIT_FAILED)
            return fromWin32(GetLastError(), "waiting");
        if (!r.pending || WaitForSingleObject(r.ov.hEvent, 0) != WAIT_OBJECT_0)
            continue; // a reply, or the stop event: the top of the loop decides

        DWORD bytes = 0;
        const bool ok = GetOverlappedResult(asHandle(m_handle), &r.ov, &bytes, FALSE) != FALSE;
        const DWORD err = ok ? 0 : GetLastError();
        r.pending = false;
        if (m_shutdown)
            return closedError();
        if (!ok)
            return fromWin32(err, "reading events");
        if (bytes == 0)
            continue; // completed with nothing: ask again
        if (claimedSize(r.buffer.data(), bytes) != bytes)
            return makeError(TransportError::Code::Io, 0,
                             "procguard.sys sent an event batch whose size disagrees with its "
                             "header.");
        message.assign(r.buffer.begin(), r.buffer.begin() + bytes);
        // Keep a read pending while the caller handles this batch.
        r.deferred = issueRead();
        return {};
    }
}

void DeviceTransport::shutdown()
{
    m_shutdown = true;
    SetEvent(asHandle(m_stopEvent));
    if (m_handle != INVALID_HANDLE_VALUE)
        CancelIoEx(asHandle(m_handle), nullptr); // every request of this handle, any thread
}

} // namespace pg
