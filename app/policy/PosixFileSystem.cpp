// PosixFileSystem.cpp - FileSystem over open/write/fsync/rename (Linux).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "FileSystem.h"

namespace pg
{
namespace policy
{

namespace
{

class PosixFileSystem : public FileSystem
{
public:
    int readFile(const std::string &path, std::string *data) override
    {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return errno;
        std::string out;
        char buf[16384];
        for (;;) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                const int e = errno;
                ::close(fd);
                return e;
            }
            if (n == 0)
                break;
            out.append(buf, static_cast<size_t>(n));
        }
        ::close(fd);
        *data = std::move(out);
        return 0;
    }

    int createNew(const std::string &path, int *handle) override
    {
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
            return errno;
        *handle = fd;
        return 0;
    }

    int writeAll(int handle, const char *data, size_t size) override
    {
        while (size > 0) {
            const ssize_t n = ::write(handle, data, size);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return errno;
            }
            if (n == 0)
                return ENOSPC;
            data += n;
            size -= static_cast<size_t>(n);
        }
        return 0;
    }

    int sync(int handle) override { return ::fsync(handle) == 0 ? 0 : errno; }

    int close(int handle) override { return ::close(handle) == 0 ? 0 : errno; }

    int rename(const std::string &from, const std::string &to) override
    {
        return std::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
    }

    int remove(const std::string &path) override { return ::unlink(path.c_str()) == 0 ? 0 : errno; }

    int syncDirectory(const std::string &directory) override
    {
        const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return errno;
        const int rc = ::fsync(fd) == 0 ? 0 : errno;
        ::close(fd);
        return rc;
    }
};

} // namespace

FileSystem &systemFileSystem()
{
    static PosixFileSystem fs;
    return fs;
}

} // namespace policy
} // namespace pg
