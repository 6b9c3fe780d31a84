// KernelLink.h - the client side of the ProcGuard protocol.
//
// Owns one connection to the kernel component (procguardd's Unix socket
// on Linux, procguard.sys's device on Windows) through a Transport, and
// one named worker thread ("pg-link") that reads everything the component
// sends. Events are handed, in batches, to the EventSink from that worker
// thread; the sink must not block (the panel pokes its GUI thread and
// returns; procguardctl pushes to a queue). Requests (verdicts, policy,
// status) may be called from any thread: each sends one message and waits
// for its reply, matched by request id, for at most the given timeout.
//
// Call order: connect() -> start(sink) -> requests ... -> close().
// start() is REQUIRED before any request: only the worker reads the
// transport, so a request made before start() fails at once (Code::Io)
// instead of waiting for a reply nobody would read. A client that wants
// no events passes a null sink (observers receive events regardless).
// A malformed message from the component ends the link (Code::Protocol)
// rather than being skipped, so no event is ever lost silently.
// connect() itself reads the handshake reply inline and is bounded by
// ConnectOptions::timeout. One KernelLink makes one connection: after a
// failed connect() or close(), make a new KernelLink to reconnect.
// close() (or the destructor) stops the worker and joins it; the sink's
// onDisconnected is called exactly once after start(): with the reason if
// the component went away first, with Code::None if close() ended it.
// When the connection ends, every waiting request fails with Disconnected.
// close() may be called from a sink callback (it then does not join; the
// worker ends by itself); the destructor must not run on the worker.
// Knows nothing of Qt.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "Transport.h"
#include "Types.h"

namespace pg
{

// What went wrong, in terms a user can act on.
struct Error {
    enum class Code {
        None,
        NotRunning,       // nothing listens on the socket / device missing
        PermissionDenied, // not root and not in group procguard / not Administrator
        VersionMismatch,  // no common protocol version
        Busy,             // another client controls the component
        Rejected,         // the component answered with an error status
        Protocol,         // malformed reply
        Timeout,          // no reply in time
        Disconnected,     // the connection closed
        Io,               // other system error
    };
    Code code = Code::None;
    int status = 0;      // pg_status for Rejected/VersionMismatch/Busy
    std::string message; // one sentence, ready for stderr or a message box

    explicit operator bool() const { return code != Code::None; }
};

struct ConnectOptions {
    bool control = true;          // ask to be the controlling client
    bool resolve = false;         // ask to be the resolver instead (overrides control)
    bool observerIfTaken = false; // accept observer role if another controls / resolves
    bool snapshot = true;         // receive the initial process snapshot
    uint32_t subscriptions = 0;   // PG_SUB_*
    std::string clientName = "procguard";
    std::chrono::milliseconds timeout{3000};
};

struct ConnectInfo {
    Role role = Role::None;
    uint16_t version = 0;
    uint32_t platform = 0;
    uint32_t serverPid = 0;
    uint64_t nextSeq = 0;
    std::string serverName;
};

class EventSink
{
public:
    virtual ~EventSink() = default;
    // Worker thread. Events in sequence order; batch is never empty.
    virtual void onEvents(std::vector<Event> &&batch) = 0;
    // Worker thread, once: the connection ended (error says why; Code::None
    // when close() ended it).
    virtual void onDisconnected(const Error &error) = 0;
};

class KernelLink
{
public:
    explicit KernelLink(std::unique_ptr<Transport> transport);
    ~KernelLink();
    KernelLink(const KernelLink &) = delete;
    KernelLink &operator=(const KernelLink &) = delete;

    // Opens the transport and negotiates the version and role.
    Error connect(const ConnectOptions &options, ConnectInfo *info = nullptr);
    // Starts the worker thread. sink must outlive close(); null drops events.
    void start(EventSink *sink);
    // Stops the worker and closes the transport. Idempotent.
    void close();
    bool isConnected() const;

    using Timeout = std::chrono::milliseconds;
    struct VerdictItem {
        uint64_t holdId;
        Verdict verdict;
    };
    // unknownHolds (optional) receives how many ids were already decided.
    Error sendVerdicts(const std::vector<VerdictItem> &verdicts, uint32_t *unknownHolds = nullptr,
                       Timeout timeout = Timeout{3000});
    Error setPolicy(const Policy &policy, Timeout timeout = Timeout{5000});
    // Runs before every setPolicy and may change the policy or refuse it
    // (Windows: the Group Policy layer, app/policy/ManagedPolicy.h, which
    // the driver cannot enforce against its clients itself). Set before
    // the first setPolicy; not thread-safe against a running setPolicy.
    using PolicyGuard = std::function<Error(Policy *)>;
    void setPolicyGuard(PolicyGuard guard);
    Error getPolicy(Policy *out, Timeout timeout = Timeout{5000});
    Error getStatus(Status *out, Timeout timeout = Timeout{3000});
    // The managed layer. A component without one (an older procguardd or
    // procguard.sys) answers PG_E_TYPE: no error then, out->supported is
    // false.
    Error getManaged(ManagedStatus *out, Timeout timeout = Timeout{3000});

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    PolicyGuard m_guard;
};

} // namespace pg
