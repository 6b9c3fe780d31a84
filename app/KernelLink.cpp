// KernelLink.cpp - protocol client: handshake, reader thread, request matching.
//
// Threads and locks:
//   - The worker ("pg-link") is the only reader of the transport after
//     connect(). It hands EVENTS to the sink and completes waiting requests.
//   - m_sendMutex serialises writers (requests may come from any thread).
//   - m_mutex guards the table of waiting requests and the connection
//     state; it is never held while calling the sink or the transport, so a
//     sink that issues a request from its callback cannot deadlock us.
//   - A request is registered BEFORE its message is sent: the reply may
//     arrive before send() returns.
//   - Every wait has a deadline; when the connection ends, every waiting
//     request is woken with Disconnected, so nothing waits unbounded.
#include "KernelLink.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "Messages.h"
#include "ThreadName.h"
#include "pg_validate.h"

namespace pg
{

namespace
{

const char *componentName(uint32_t platform)
{
    return platform == PG_PLATFORM_WINDOWS ? "procguard.sys" : "procguardd";
}

Error makeError(Error::Code code, std::string message, int status = 0)
{
    Error e;
    e.code = code;
    e.status = status;
    e.message = std::move(message);
    return e;
}

Error fromTransport(const TransportError &t, const std::string &where)
{
    switch (t.code) {
    case TransportError::Code::None:
        return {};
    case TransportError::Code::NotFound:
        return makeError(Error::Code::NotRunning,
                         t.message.empty()
                             ? "The ProcGuard component is not running (nothing at " + where + ")."
                             : t.message);
    case TransportError::Code::PermissionDenied:
        return makeError(Error::Code::PermissionDenied,
                         t.message.empty()
                             ? "Permission denied: you may not connect to " + where + "."
                             : t.message);
    case TransportError::Code::Closed:
        return makeError(Error::Code::Disconnected,
                         t.message.empty() ? "The connection to the ProcGuard component closed."
                                           : t.message);
    case TransportError::Code::TooLarge:
        return makeError(Error::Code::Protocol,
                         t.message.empty() ? "The ProcGuard component sent an oversized message."
                                           : t.message);
    case TransportError::Code::Io:
        break;
    }
    return makeError(Error::Code::Io,
                     t.message.empty() ? "Input/output error on " + where + "." : t.message);
}

std::string busyText(const ConnectOptions &options, const char *component)
{
    return std::string(options.resolve ? "Another client already resolves facts for "
                                       : "Another client already controls ") +
           component + ".";
}

std::string malformed(uint32_t platform, int status)
{
    return std::string(componentName(platform)) + " sent a malformed message (" +
           pg_status_name(status) + ").";
}

} // namespace

struct KernelLink::Impl {
    struct Waiter {
        bool done = false;
        Error error;                // set when the connection ended first
        std::vector<uint8_t> reply; // the whole reply message
    };

    explicit Impl(std::unique_ptr<Transport> t) : transport(std::move(t)) {}

    Error request(std::vector<uint8_t> message, uint64_t requestId, Timeout timeout,
                  std::vector<uint8_t> *reply);
    Error expectResult(const std::vector<uint8_t> &reply, msg::Result *result);
    // A request answered by a record of its own (policy, status): decode
    // decodes it; a RESULT in its place carries the component's refusal.
    template <typename T>
    Error query(std::vector<uint8_t> (*encode)(uint64_t), Timeout timeout, T *out,
                int (*decode)(const std::vector<uint8_t> &, T *, uint32_t *), const char *what);
    void run();
    void finish(const Error &why);

    std::unique_ptr<Transport> transport;
    std::mutex sendMutex;
    std::mutex mutex;
    std::condition_variable cv;
    std::map<uint64_t, Waiter *> waiters;
    std::atomic<uint64_t> nextRequestId{1};
    std::atomic<bool> connected{false};
    bool running = false;  // worker started and not finished (m_mutex)
    bool closing = false;  // close() asked the worker to stop (m_mutex)
    bool notified = false; // onDisconnected was called (worker only)
    uint32_t platform = PG_PLATFORM_LINUX;
    EventSink *sink = nullptr;
    std::thread worker;
};

KernelLink::KernelLink(std::unique_ptr<Transport> transport)
    : m_impl(std::make_unique<Impl>(std::move(transport)))
{
}

KernelLink::~KernelLink()
{
    close();
}

bool KernelLink::isConnected() const
{
    return m_impl->connected;
}

Error KernelLink::connect(const ConnectOptions &options, ConnectInfo *info)
{
    Impl &d = *m_impl;
    const std::string where = d.transport->describe();
    if (d.connected)
        return makeError(Error::Code::Io, "Already connected to " + where + ".");

    if (TransportError t = d.transport->open())
        return fromTransport(t, where);

    msg::Hello hello;
    // RESOLVE never goes with CONTROL (the component refuses the pair).
    const bool wantControl = options.control && !options.resolve;
    hello.flags =
        (wantControl ? PG_HELLO_CONTROL : 0u) | (options.resolve ? PG_HELLO_RESOLVE : 0u) |
        ((wantControl || options.resolve) && options.observerIfTaken ? PG_HELLO_OBSERVE_OK : 0u) |
        (options.snapshot ? 0u : PG_HELLO_NO_SNAPSHOT);
    hello.subscriptions = options.subscriptions & PG_SUB_ALL;
    hello.name = options.clientName;
    const uint64_t id = d.nextRequestId++;
    if (TransportError t = d.transport->send(msg::encodeHello(id, hello))) {
        d.transport->shutdown();
        return fromTransport(t, where);
    }

    // The transport's receive() has no timeout of its own: a watchdog shuts
    // the transport down if the reply does not come in time, which wakes the
    // receive below. A component that accepts but never answers must not
    // hang the caller.
    std::mutex wdMutex;
    std::condition_variable wdCv;
    bool answered = false;
    bool fired = false;
    std::thread watchdog([&] {
        setCurrentThreadName("pg-link-hello");
        std::unique_lock<std::mutex> lock(wdMutex);
        if (!wdCv.wait_for(lock, options.timeout, [&] { return answered; })) {
            fired = true;
            d.transport->shutdown();
        }
    });
    std::vector<uint8_t> bytes;
    const TransportError rt = d.transport->receive(bytes);
    {
        std::lock_guard<std::mutex> lock(wdMutex);
        answered = true;
    }
    wdCv.notify_all();
    watchdog.join();

    auto fail = [&](Error e) {
        d.transport->shutdown();
        return e;
    };
    if (fired)
        return fail(makeError(Error::Code::Timeout, "No answer from " + where + " within " +
                                                        std::to_string(options.timeout.count()) +
                                                        " ms."));
    if (rt)
        return fail(fromTransport(rt, where));

    msg::HelloReply reply;
    const int rc = msg::decodeHelloReply(bytes, &reply);
    if (rc == PG_E_VERSION && bytes.size() == sizeof(pg_hello_reply)) {
        // The validator refuses a grant in a version we do not speak.
        uint16_t version = 0;
        std::memcpy(&version, bytes.data() + offsetof(pg_hello_reply, version), sizeof(version));
        return fail(makeError(Error::Code::VersionMismatch,
                              "Protocol version mismatch: component speaks " +
                                  std::to_string(version) + ", this client " +
                                  std::to_string(PG_PROTOCOL_MIN_VERSION) + ".." +
                                  std::to_string(PG_PROTOCOL_VERSION) + ".",
                              PG_E_VERSION));
    }
    if (rc != PG_OK)
        return fail(makeError(
            Error::Code::Protocol,
            "Unexpected handshake reply from " + where + " (" + pg_status_name(rc) + ").", rc));
    const char *component = componentName(reply.platform);
    msg::Header hdr;
    msg::peekHeader(bytes, &hdr);
    // A component may refuse a peer (PG_E_ACCESS) as soon as it accepts the
    // connection, before it has read our HELLO: that refusal carries id 0.
    const bool earlyRefusal = hdr.requestId == 0 && reply.status != PG_OK;
    if (hdr.requestId != id && !earlyRefusal)
        return fail(makeError(Error::Code::Protocol,
                              std::string(component) + " answered a handshake it was not sent."));

    switch (reply.status) {
    case PG_OK:
        break;
    case PG_E_VERSION:
        return fail(makeError(Error::Code::VersionMismatch,
                              "Protocol version mismatch: component speaks " +
                                  std::to_string(reply.version) + ", this client " +
                                  std::to_string(PG_PROTOCOL_MIN_VERSION) + ".." +
                                  std::to_string(PG_PROTOCOL_VERSION) + ".",
                              PG_E_VERSION));
    case PG_E_BUSY:
        return fail(makeError(Error::Code::Busy, busyText(options, component), PG_E_BUSY));
    case PG_E_ACCESS:
        return fail(makeError(Error::Code::PermissionDenied,
                              reply.platform == PG_PLATFORM_WINDOWS
                                  ? "Permission denied: run as Administrator."
                                  : "Permission denied: run as root or join the group procguard.",
                              PG_E_ACCESS));
    default:
        return fail(makeError(Error::Code::Rejected,
                              std::string(component) + " refused the connection (" +
                                  pg_status_name(static_cast<int>(reply.status)) + ").",
                              static_cast<int>(reply.status)));
    }

    if (reply.version < PG_PROTOCOL_MIN_VERSION || reply.version > PG_PROTOCOL_VERSION)
        return fail(makeError(Error::Code::VersionMismatch,
                              "Protocol version mismatch: component speaks " +
                                  std::to_string(reply.version) + ", this client " +
                                  std::to_string(PG_PROTOCOL_MIN_VERSION) + ".." +
                                  std::to_string(PG_PROTOCOL_VERSION) + ".",
                              PG_E_VERSION));
    const Role wanted = wantControl       ? Role::Controller
                        : options.resolve ? Role::Resolver
                                          : Role::Observer;
    if (wanted != Role::Observer && reply.role != wanted &&
        !(options.observerIfTaken && reply.role == Role::Observer))
        return fail(makeError(Error::Code::Busy, busyText(options, component), PG_E_BUSY));
    if (wanted == Role::Observer && reply.role != Role::Observer)
        return fail(makeError(Error::Code::Protocol,
                              std::string(component) + " granted a role that was not asked for."));

    d.platform = reply.platform;
    {
        std::lock_guard<std::mutex> lock(d.mutex);
        d.closing = false;
        d.notified = false;
    }
    d.connected = true;
    if (info) {
        info->role = reply.role;
        info->version = reply.version;
        info->platform = reply.platform;
        info->serverPid = reply.serverPid;
        info->nextSeq = reply.nextSeq;
        info->serverName = reply.name;
    }
    return {};
}

void KernelLink::start(EventSink *sink)
{
    Impl &d = *m_impl;
    std::lock_guard<std::mutex> lock(d.mutex);
    if (d.running || d.worker.joinable() || !d.connected)
        return;
    d.sink = sink;
    d.running = true;
    d.worker = std::thread([&d] { d.run(); });
}

void KernelLink::close()
{
    Impl &d = *m_impl;
    {
        std::lock_guard<std::mutex> lock(d.mutex);
        d.closing = true;
    }
    d.transport->shutdown();
    if (d.worker.joinable()) {
        if (d.worker.get_id() == std::this_thread::get_id())
            return; // called from a sink callback: the worker ends by itself
        d.worker.join();
    }
    // No worker ran (connect only): nobody else will fail the waiters.
    d.finish(Error{});
}

void KernelLink::Impl::run()
{
    setCurrentThreadName("pg-link");
    Error why;
    for (;;) {
        std::vector<uint8_t> bytes;
        if (TransportError t = transport->receive(bytes)) {
            why = fromTransport(t, transport->describe());
            break;
        }
        uint32_t detail = 0;
        const int rc = pg_validate_server_message(bytes.data(), bytes.size(), &detail);
        if (rc != PG_OK) {
            // A component that sends garbage cannot be trusted with the rest
            // of the stream either: end the link loudly rather than skip
            // messages (skipped EVENTS would be a silent loss).
            why = makeError(Error::Code::Protocol, malformed(platform, rc), rc);
            break;
        }
        msg::Header hdr;
        msg::peekHeader(bytes, &hdr);
        if (hdr.type == PG_MSG_EVENTS) {
            std::vector<Event> batch;
            if (msg::decodeEvents(bytes, &batch) == PG_OK && !batch.empty() && sink)
                sink->onEvents(std::move(batch));
            continue;
        }
        if (hdr.type == PG_MSG_RESULT || hdr.type == PG_MSG_POLICY || hdr.type == PG_MSG_STATUS ||
            hdr.type == PG_MSG_MANAGED) {
            std::lock_guard<std::mutex> lock(mutex);
            auto it = waiters.find(hdr.requestId);
            if (it != waiters.end()) {
                it->second->reply = std::move(bytes);
                it->second->done = true;
                waiters.erase(it);
                cv.notify_all();
            }
            // else: the reply to a request that timed out; nobody wants it.
            continue;
        }
        // A second HELLO_REPLY or any other type: ignore (validated, harmless).
    }
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (closing)
            why = Error{};
    }
    finish(why);
}

void KernelLink::Impl::finish(const Error &why)
{
    connected = false;
    transport->shutdown();
    bool callSink = false;
    {
        std::lock_guard<std::mutex> lock(mutex);
        const Error failed = makeError(
            Error::Code::Disconnected,
            why ? why.message
                : "The connection to " + std::string(componentName(platform)) + " was closed.");
        for (auto &entry : waiters) {
            entry.second->error = failed;
            entry.second->done = true;
        }
        waiters.clear();
        cv.notify_all();
        if (running && !notified) {
            notified = true;
            callSink = sink != nullptr;
        }
        running = false;
    }
    if (callSink)
        sink->onDisconnected(why);
}

Error KernelLink::Impl::request(std::vector<uint8_t> message, uint64_t requestId, Timeout timeout,
                                std::vector<uint8_t> *reply)
{
    Waiter waiter;
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (!connected)
            return makeError(Error::Code::Disconnected,
                             std::string("Not connected to ") + componentName(platform) + ".");
        if (!running)
            return makeError(Error::Code::Io,
                             "KernelLink::start() must be called before sending requests.");
        waiters[requestId] = &waiter;
    }
    TransportError sent;
    {
        std::lock_guard<std::mutex> lock(sendMutex);
        sent = transport->send(message);
    }
    std::unique_lock<std::mutex> lock(mutex);
    if (sent) {
        if (!waiter.done)
            waiters.erase(requestId);
        return fromTransport(sent, transport->describe());
    }
    if (!cv.wait_for(lock, timeout, [&] { return waiter.done; })) {
        waiters.erase(requestId);
        return makeError(Error::Code::Timeout, std::string(componentName(platform)) +
                                                   " did not answer within " +
                                                   std::to_string(timeout.count()) + " ms.");
    }
    if (waiter.error)
        return waiter.error;
    *reply = std::move(waiter.reply);
    return {};
}

// A RESULT reply: PG_OK -> success, anything else -> Rejected with the
// component's own sentence.
Error KernelLink::Impl::expectResult(const std::vector<uint8_t> &reply, msg::Result *result)
{
    const int rc = msg::decodeResult(reply, result);
    if (rc != PG_OK)
        return makeError(Error::Code::Protocol, malformed(platform, rc), rc);
    if (result->status == PG_OK)
        return {};
    std::string text = result->text;
    if (text.empty())
        text = std::string(componentName(platform)) + " refused the request (" +
               pg_status_name(static_cast<int>(result->status)) + ").";
    const Error::Code code = result->status == PG_E_BUSY || result->status == PG_E_NOT_CONTROLLER
                                 ? Error::Code::Busy
                             : result->status == PG_E_ACCESS ? Error::Code::PermissionDenied
                                                             : Error::Code::Rejected;
    return makeError(code, text, static_cast<int>(result->status));
}

Error KernelLink::sendVerdicts(const std::vector<VerdictItem> &verdicts, uint32_t *unknownHolds,
                               Timeout timeout)
{
    Impl &d = *m_impl;
    uint32_t unknown = 0;
    // Batches of at most PG_MAX_VERDICTS; each batch is answered by one RESULT.
    for (size_t first = 0; first < verdicts.size(); first += PG_MAX_VERDICTS) {
        const size_t last = std::min(verdicts.size(), first + size_t{PG_MAX_VERDICTS});
        std::vector<msg::VerdictEntry> batch;
        batch.reserve(last - first);
        for (size_t i = first; i < last; ++i)
            batch.push_back(msg::VerdictEntry{verdicts[i].holdId, verdicts[i].verdict});
        const uint64_t id = d.nextRequestId++;
        std::string why;
        std::vector<uint8_t> bytes = msg::encodeVerdicts(id, batch, &why);
        if (bytes.empty())
            return makeError(Error::Code::Rejected, why, PG_E_RANGE);
        std::vector<uint8_t> reply;
        if (Error e = d.request(std::move(bytes), id, timeout, &reply))
            return e;
        msg::Result result;
        if (Error e = d.expectResult(reply, &result))
            return e;
        unknown += result.detail;
    }
    if (unknownHolds)
        *unknownHolds = unknown;
    return {};
}

Error KernelLink::setPolicy(const Policy &policy, Timeout timeout)
{
    Impl &d = *m_impl;
    Policy guarded = policy;
    if (m_guard) {
        if (Error e = m_guard(&guarded))
            return e;
    }
    const uint64_t id = d.nextRequestId++;
    std::string why;
    std::vector<uint8_t> bytes = msg::encodeSetPolicy(id, guarded, &why);
    if (bytes.empty())
        return makeError(Error::Code::Rejected, why, PG_E_RANGE);
    std::vector<uint8_t> reply;
    if (Error e = d.request(std::move(bytes), id, timeout, &reply))
        return e;
    msg::Result result;
    return d.expectResult(reply, &result);
}

template <typename T>
Error KernelLink::Impl::query(std::vector<uint8_t> (*encode)(uint64_t), Timeout timeout, T *out,
                              int (*decode)(const std::vector<uint8_t> &, T *, uint32_t *),
                              const char *what)
{
    const uint64_t id = nextRequestId++;
    std::vector<uint8_t> reply;
    if (Error e = request(encode(id), id, timeout, &reply))
        return e;
    msg::Header hdr;
    msg::peekHeader(reply, &hdr);
    if (hdr.type == PG_MSG_RESULT) {
        msg::Result result;
        if (Error e = expectResult(reply, &result))
            return e;
        return makeError(Error::Code::Protocol,
                         std::string("The ") + what + " reply held no " + what + ".");
    }
    const int rc = decode(reply, out, nullptr);
    if (rc != PG_OK)
        return makeError(Error::Code::Protocol, malformed(platform, rc), rc);
    return {};
}

Error KernelLink::getPolicy(Policy *out, Timeout timeout)
{
    return m_impl->query(&msg::encodeGetPolicy, timeout, out, &msg::decodePolicy, "policy");
}

Error KernelLink::getStatus(Status *out, Timeout timeout)
{
    return m_impl->query(&msg::encodeGetStatus, timeout, out, &msg::decodeStatus, "status");
}

void KernelLink::setPolicyGuard(PolicyGuard guard)
{
    m_guard = std::move(guard);
}

Error KernelLink::getManaged(ManagedStatus *out, Timeout timeout)
{
    ManagedStatus m;
    Error e =
        m_impl->query(&msg::encodeGetManaged, timeout, &m, &msg::decodeManaged, "managed policy");
    if (e && e.status == PG_E_TYPE) {
        *out = ManagedStatus{};
        return {};
    }
    if (!e)
        *out = std::move(m);
    return e;
}

} // namespace pg
