// ProcessControl.h - acting on a running process from the panel.
//
// One interface per OS concern: the panel asks this to end a process and
// shows the answer; it never calls the OS itself. The Linux implementation
// (LinuxProcessControl.cpp) uses kill(2); tests use an in-memory fake
// (tests/ui/FakeProcessControl.h). Knows nothing of Qt.
//
// Errors are one sentence a person can act on ("not permitted: it belongs
// to another user; run the panel as root"), empty on success.
// Threads: none; calls return at once (the signal is sent, not awaited).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace pg
{

class ProcessControl
{
public:
    virtual ~ProcessControl() = default;
    // Asks process pid to end (SIGTERM on Linux, so it may clean up).
    // Returns "" when the request was delivered, otherwise why not.
    // PID 0, PID 1 and the panel's own PID are always refused.
    virtual std::string terminate(uint32_t pid) = 0;
};

// The implementation for this platform.
std::unique_ptr<ProcessControl> makePlatformProcessControl();

// The sentence terminate() returns for an errno from kill(2) (Linux; the
// tests' fake uses it on every platform).
std::string describeTerminateError(int error, uint32_t pid);

} // namespace pg
