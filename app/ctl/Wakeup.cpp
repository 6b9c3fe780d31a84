// Wakeup.cpp - Wakeup.h on POSIX: self-pipe and poll(2).
#include "Wakeup.h"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace pg
{
namespace ctl
{

Wakeup::Wakeup()
{
    int fds[2] = {-1, -1};
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0) {
        m_wait = fds[0];
        m_notify = fds[1];
    }
}

Wakeup::~Wakeup()
{
    for (int fd : {m_wait, m_notify})
        if (fd >= 0)
            close(fd);
}

void Wakeup::notify()
{
    const char c = 1;
    // A full pipe already wakes the reader; nothing else can go wrong here.
    ssize_t n = write(m_notify, &c, 1);
    (void)n;
}

void Wakeup::drain()
{
    char buf[64];
    while (read(m_wait, buf, sizeof(buf)) > 0) {
    }
}

bool waitReadable(const std::vector<int> &fds, int timeoutMs, std::vector<bool> *ready)
{
    std::vector<pollfd> p;
    for (int fd : fds)
        p.push_back(pollfd{fd, POLLIN, 0}); // poll ignores negative fds
    int rc;
    do {
        rc = poll(p.data(), p.size(), timeoutMs);
    } while (rc < 0 && errno == EINTR);
    ready->assign(fds.size(), false);
    for (size_t i = 0; i < p.size(); ++i)
        (*ready)[i] = fds[i] >= 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
    return rc > 0;
}

WaitHandle standardInput()
{
    return 0;
}

long readInput(WaitHandle input, char *buf, size_t size)
{
    const ssize_t n = read(input, buf, size);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return -1;
    return n < 0 ? 0 : static_cast<long>(n);
}

} // namespace ctl
} // namespace pg
