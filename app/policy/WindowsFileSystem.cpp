// WindowsFileSystem.cpp - FileSystem over CreateFileW/WriteFile/
// FlushFileBuffers/MoveFileExW. Directories need no sync on NTFS: a
// MoveFileEx with MOVEFILE_WRITE_THROUGH returns once the rename is on disk.
#include <windows.h>

#include <cerrno>
#include <vector>

#include "FileSystem.h"
#include "WinText.h"

namespace pg
{
namespace policy
{

namespace
{

int toErrno(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
        return ENOENT;
    case ERROR_ACCESS_DENIED:
        return EACCES;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
        return EEXIST;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
        return ENOSPC;
    default:
        return EIO;
    }
}

class WindowsFileSystem : public FileSystem
{
public:
    int readFile(const std::string &path, std::string *data) override
    {
        HANDLE h = CreateFileW(toWide(path).c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr,
                               OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
        if (h == INVALID_HANDLE_VALUE)
            return toErrno(GetLastError());
        std::string out;
        char buf[16384];
        for (;;) {
            DWORD n = 0;
            if (!ReadFile(h, buf, sizeof buf, &n, nullptr)) {
                const int e = toErrno(GetLastError());
                CloseHandle(h);
                return e;
            }
            if (n == 0)
                break;
            out.append(buf, n);
        }
        CloseHandle(h);
        *data = std::move(out);
        return 0;
    }

    int createNew(const std::string &path, int *handle) override
    {
        HANDLE h = CreateFileW(toWide(path).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                               FILE_ATTRIBUTE_NORMAL, nullptr);
        if (h == INVALID_HANDLE_VALUE)
            return toErrno(GetLastError());
        m_open.push_back(h);
        *handle = static_cast<int>(m_open.size() - 1);
        return 0;
    }

    int writeAll(int handle, const char *data, size_t size) override
    {
        HANDLE h = get(handle);
        while (size > 0) {
            DWORD n = 0;
            const DWORD chunk = size > 0x10000000u ? 0x10000000u : static_cast<DWORD>(size);
            if (!WriteFile(h, data, chunk, &n, nullptr))
                return toErrno(GetLastError());
            if (n == 0)
                return ENOSPC;
            data += n;
            size -= n;
        }
        return 0;
    }

    int sync(int handle) override
    {
        return FlushFileBuffers(get(handle)) ? 0 : toErrno(GetLastError());
    }

    int close(int handle) override
    {
        HANDLE h = get(handle);
        m_open[static_cast<size_t>(handle)] = INVALID_HANDLE_VALUE;
        return CloseHandle(h) ? 0 : toErrno(GetLastError());
    }

    int rename(const std::string &from, const std::string &to) override
    {
        return MoveFileExW(toWide(from).c_str(), toWide(to).c_str(),
                           MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)
                   ? 0
                   : toErrno(GetLastError());
    }

    int remove(const std::string &path) override
    {
        return DeleteFileW(toWide(path).c_str()) ? 0 : toErrno(GetLastError());
    }

    int syncDirectory(const std::string &) override { return 0; }

private:
    HANDLE get(int handle) const
    {
        return handle >= 0 && static_cast<size_t>(handle) < m_open.size()
                   ? m_open[static_cast<size_t>(handle)]
                   : INVALID_HANDLE_VALUE;
    }
    std::vector<HANDLE> m_open;
};

} // namespace

FileSystem &systemFileSystem()
{
    static WindowsFileSystem fs;
    return fs;
}

} // namespace policy
} // namespace pg
