// PolicyWriter.cpp - see PolicyWriter.h.
#include "PolicyWriter.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "Log.h"

PolicyWriter::PolicyWriter(std::string path, std::string what, std::string threadName)
    : m_path(std::move(path)), m_what(std::move(what)), m_threadName(std::move(threadName))
{
}

PolicyWriter::~PolicyWriter()
{
    stop();
}

void PolicyWriter::start()
{
    m_thread = std::thread([this] { run(); });
}

void PolicyWriter::submit(std::vector<uint8_t> bytes)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_pending = std::move(bytes);
        m_hasPending = true;
        m_removePending = false;
    }
    m_cv.notify_one();
}

void PolicyWriter::submitRemove()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_pending.clear();
        m_hasPending = true;
        m_removePending = true;
    }
    m_cv.notify_one();
}

void PolicyWriter::stop()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_one();
    if (m_thread.joinable())
        m_thread.join();
}

void PolicyWriter::run()
{
    prctl(PR_SET_NAME, m_threadName.c_str(), 0, 0, 0);
    for (;;) {
        std::vector<uint8_t> bytes;
        bool remove = false;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_cv.wait(lock, [this] { return m_hasPending || m_stop; });
            if (!m_hasPending)
                return; // stop with nothing left to write
            bytes.swap(m_pending);
            remove = m_removePending;
            m_hasPending = false;
            m_removePending = false;
        }
        // No lock held while writing: the main thread may submit again.
        std::string error;
        if (remove) {
            if (unlink(m_path.c_str()) == 0)
                PG_LOG_DEBUG("%s removed: %s", m_what.c_str(), m_path.c_str());
            else if (errno != ENOENT)
                PG_LOG_ERROR("cannot remove the %s file %s: %s", m_what.c_str(), m_path.c_str(),
                             std::strerror(errno));
        } else if (writeAtomically(m_path, bytes, &error)) {
            PG_LOG_DEBUG("%s saved to %s (%zu bytes)", m_what.c_str(), m_path.c_str(),
                         bytes.size());
        } else {
            PG_LOG_ERROR("cannot save the %s: %s", m_what.c_str(), error.c_str());
        }
    }
}

bool PolicyWriter::writeAtomically(const std::string &path, const std::vector<uint8_t> &bytes,
                                   std::string *error)
{
    std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = tmp + ": " + std::strerror(errno);
        return false;
    }
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *error = tmp + ": " + std::strerror(errno);
            ::close(fd);
            unlink(tmp.c_str());
            return false;
        }
        off += static_cast<size_t>(n);
    }
    if (fsync(fd) != 0) {
        *error = tmp + ": fsync: " + std::strerror(errno);
        ::close(fd);
        unlink(tmp.c_str());
        return false;
    }
    ::close(fd);
    if (rename(tmp.c_str(), path.c_str()) != 0) {
        *error = path + ": rename: " + std::strerror(errno);
        unlink(tmp.c_str());
        return false;
    }
    size_t slash = path.find_last_of('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    if (dir.empty())
        dir = "/";
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        ::close(dfd);
    }
    return true;
}
