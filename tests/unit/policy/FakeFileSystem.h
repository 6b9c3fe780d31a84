// FakeFileSystem.h - an in-memory FileSystem whose steps fail on request:
// a full disk after N bytes, a failed rename, a failed directory sync.
// Files are whole strings keyed by path; open handles buffer their writes.
#pragma once

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "FileSystem.h"

namespace pg
{
namespace test
{

class FakeFileSystem : public policy::FileSystem
{
public:
    std::map<std::string, std::string> files;

    // Faults.
    long diskSpace = -1;          // bytes left for writes; -1 = unlimited
    int failRenameTo = 0;         // errno for any rename; 0 = none
    std::string failRenameTarget; // only renames onto this path (empty: any)
    int failSyncDir = 0;
    int failSync = 0;

    // Recorded.
    std::vector<std::string> log; // "create p", "write p", "sync p", "rename a b", "syncdir d"

    int readFile(const std::string &path, std::string *data) override
    {
        auto it = files.find(path);
        if (it == files.end())
            return ENOENT;
        *data = it->second;
        return 0;
    }
    int createNew(const std::string &path, int *handle) override
    {
        if (files.count(path))
            return EEXIST;
        files[path] = "";
        m_open.push_back(path);
        *handle = static_cast<int>(m_open.size() - 1);
        log.push_back("create " + path);
        return 0;
    }
    int writeAll(int handle, const char *data, size_t size) override
    {
        const std::string &path = m_open.at(static_cast<size_t>(handle));
        log.push_back("write " + path);
        if (diskSpace >= 0 && static_cast<long>(size) > diskSpace) {
            files[path].append(data, static_cast<size_t>(diskSpace));
            diskSpace = 0;
            return ENOSPC;
        }
        if (diskSpace >= 0)
            diskSpace -= static_cast<long>(size);
        files[path].append(data, size);
        return 0;
    }
    int sync(int handle) override
    {
        log.push_back("sync " + m_open.at(static_cast<size_t>(handle)));
        return failSync;
    }
    int close(int) override { return 0; }
    int rename(const std::string &from, const std::string &to) override
    {
        log.push_back("rename " + from + " " + to);
        if (failRenameTo != 0 && (failRenameTarget.empty() || failRenameTarget == to))
            return failRenameTo;
        auto it = files.find(from);
        if (it == files.end())
            return ENOENT;
        files[to] = it->second;
        files.erase(from);
        return 0;
    }
    int remove(const std::string &path) override { return files.erase(path) ? 0 : ENOENT; }
    int syncDirectory(const std::string &directory) override
    {
        log.push_back("syncdir " + directory);
        return failSyncDir;
    }

private:
    std::vector<std::string> m_open;
};

} // namespace test
} // namespace pg
