// FileSystem.h - the few file operations the policy store needs, behind one
// interface so that tests inject faults (a full disk, a failed rename, a
// truncated file) at exactly the step they mean.
//
// Errors are errno values (0 = success; the Windows implementation maps
// its errors to the nearest errno). Paths are UTF-8. A handle is whatever
// the implementation hands out from createNew(); it is only passed back to
// the same object. Calls may block on the disk: never call them from a GUI
// thread in a loop. Implementations are not required to be thread-safe;
// one PolicyFile at a time uses one.
#pragma once

#include <cstddef>
#include <string>

namespace pg
{
namespace policy
{

class FileSystem
{
public:
    virtual ~FileSystem() = default;

    // The whole content of path. ENOENT when it does not exist.
    virtual int readFile(const std::string &path, std::string *data) = 0;
    // Creates path, which must not exist yet, for writing (owner read/write
    // only). *handle receives the handle on success.
    virtual int createNew(const std::string &path, int *handle) = 0;
    // Writes all of data, or fails (a short write is an error: ENOSPC).
    virtual int writeAll(int handle, const char *data, size_t size) = 0;
    // Flushes the file's data and metadata to the disk.
    virtual int sync(int handle) = 0;
    virtual int close(int handle) = 0;
    // Replaces to with from in one step (POSIX rename semantics).
    virtual int rename(const std::string &from, const std::string &to) = 0;
    virtual int remove(const std::string &path) = 0;
    // Makes a rename inside directory durable (fsync of the directory;
    // a no-op where the platform has no such thing).
    virtual int syncDirectory(const std::string &directory) = 0;
};

// The platform's real file system (POSIX calls, or Win32 on Windows).
FileSystem &systemFileSystem();

} // namespace policy
} // namespace pg
