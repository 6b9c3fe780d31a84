// Wakeup.h - lets another thread (the pg-link worker, a signal handler)
// wake a thread that waits in poll(), and the poll wrapper itself.
//
// notify() is async-signal-safe (one write(2) on a non-blocking pipe), so a
// SIGINT handler may call it. POSIX only; procguardctl's Windows build will
// bring its own.
#pragma once

#include <vector>

namespace pg
{
namespace ctl
{

class Wakeup
{
public:
    Wakeup();
    ~Wakeup();
    Wakeup(const Wakeup &) = delete;
    Wakeup &operator=(const Wakeup &) = delete;

    void notify();                      // any thread, signal handlers included
    void drain();                       // the waiting thread, after it woke
    int fd() const { return m_fds[0]; } // readable after notify()

private:
    int m_fds[2] = {-1, -1};
};

// Waits until one of fds is readable (or at EOF/error) or timeoutMs passed
// (-1: no limit). Negative fds are ignored. ready[i] tells which ones.
// Returns false on timeout.
bool waitReadable(const std::vector<int> &fds, int timeoutMs, std::vector<bool> *ready);

} // namespace ctl
} // namespace pg
