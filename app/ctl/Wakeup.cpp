// Wakeup.cpp - self-pipe and poll(2).
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
    if (pipe2(m_fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        m_fds[0] = -1;
        m_fds[1] = -1;
    }
}

Wakeup::~Wakeup()
{
    for (int fd : m_fds)
        if (fd >= 0)
            close(fd);
}

void Wakeup::notify()
{
    const char c = 1;
    // A full pipe already wakes the reader; nothing else can go wrong here.
    ssize_t n = write(m_fds[1], &c, 1);
    (void)n;
}

void Wakeup::drain()
{
    char buf[64];
    while (read(m_fds[0], buf, sizeof(buf)) > 0) {
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

} // namespace ctl
} // namespace pg
