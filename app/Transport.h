// Transport.h - how bytes reach the kernel component: one interface, one
// implementation per platform, and an in-memory fake under tests/.
//
// A transport carries whole protocol messages. open() connects; send()
// writes one complete message; receive() blocks until one complete message
// arrived (returned whole, already length-checked against its header but
// not validated), the transport was shut down, or it failed. shutdown()
// may be called from another thread to wake a blocked receive(). send()
// and receive() may run on different threads at once; two concurrent
// send() calls are serialised by the caller (KernelLink).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pg {

struct TransportError {
    enum class Code { None, NotFound, PermissionDenied, Closed, TooLarge, Io };
    Code code = Code::None;
    int sysError = 0;
    std::string message;
    explicit operator bool() const { return code != Code::None; }
};

class Transport {
public:
    virtual ~Transport() = default;
    virtual TransportError open() = 0;
    virtual TransportError send(const std::vector<uint8_t> &message) = 0;
    virtual TransportError receive(std::vector<uint8_t> &message) = 0;
    virtual void shutdown() = 0;
    // For messages: "the socket /run/procguard/procguard.sock".
    virtual std::string describe() const = 0;
};

} // namespace pg
