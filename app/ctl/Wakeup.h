// Wakeup.h - lets another thread (the pg-link worker, a signal or console
// control handler) wake a thread that waits, the wait itself, and reading
// the person's input. One implementation per platform:
//
//   POSIX (Wakeup.cpp):          a WaitHandle is a file descriptor; a
//                                self-pipe and poll(2).
//   Windows (WakeupWindows.cpp): a WaitHandle is a manual-reset event
//                                HANDLE; WaitForMultipleObjects. Standard
//                                input is pumped by a thread into a buffer
//                                whose event is set while data (or the end
//                                of input) is there, because console and
//                                pipe handles cannot be waited on alike.
//
// notify() is safe from a signal handler (POSIX: one write(2) on a
// non-blocking pipe) or a console control handler (Windows: SetEvent).
#pragma once

#include <cstddef>
#include <vector>

namespace pg
{
namespace ctl
{

#if defined(_WIN32)
using WaitHandle = void *; // an event HANDLE
#define PG_NO_WAIT_HANDLE nullptr
#else
using WaitHandle = int; // a file descriptor
#define PG_NO_WAIT_HANDLE (-1)
#endif
// A WaitHandle that is never ready (waitReadable() ignores it).
constexpr WaitHandle kNoWaitHandle = PG_NO_WAIT_HANDLE;
#undef PG_NO_WAIT_HANDLE

class Wakeup
{
public:
    Wakeup();
    ~Wakeup();
    Wakeup(const Wakeup &) = delete;
    Wakeup &operator=(const Wakeup &) = delete;

    void notify();                           // any thread, signal handlers included
    void drain();                            // the waiting thread, after it woke
    WaitHandle fd() const { return m_wait; } // ready after notify()

private:
    WaitHandle m_wait = kNoWaitHandle;   // what waiters wait on
    WaitHandle m_notify = kNoWaitHandle; // POSIX: the pipe's write end; Windows: the event
};

// Waits until one of handles is ready (readable, at EOF or in error; an
// event set) or timeoutMs passed (-1: no limit). kNoWaitHandle entries are
// ignored. ready[i] tells which ones. Returns false on timeout.
bool waitReadable(const std::vector<WaitHandle> &handles, int timeoutMs, std::vector<bool> *ready);

// The person's input (standard input) as a WaitHandle for waitReadable().
// Windows: starts the pump thread on first use.
WaitHandle standardInput();

// Reads what input has: > 0 bytes read, 0 at the end of input (or an
// error), -1 nothing now (interrupted; wait again).
long readInput(WaitHandle input, char *buf, size_t size);

} // namespace ctl
} // namespace pg
