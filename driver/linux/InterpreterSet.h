// InterpreterSet.h - the ELF interpreters (dynamic loaders) of this system.
//
// Why: running "ld-linux-x86-64.so.2 /gated/prog" maps prog without an
// exec of prog, so no FAN_OPEN_EXEC_PERM event names it. The daemon
// closes that bypass at the loader's own exec (ExecOrigin.h,
// DaemonLoader.cpp), or where that cannot be done by looking at plain
// opens (FAN_OPEN_PERM) whose opener's executable is a loader. This class
// answers "is this file, or this process's executable, a loader?" by
// device and inode, which is stable across symlinks and bind mounts.
//
// Owns: the set, collected once at start (before any mark exists, since
// it opens files). Must not: open files after collect(); the lookups use
// stat/fstat only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

class InterpreterSet
{
public:
    // PT_INTERP of /proc/self/exe plus ld-linux* / ld-*.so* under /lib*,
    // /usr/lib* (and their multiarch subdirectories).
    void collect();
    // One more loader (--loader PATH). False when PATH is not a file.
    bool add(const std::string &path);
    bool containsFile(int fd) const;
    // True when /proc/PID/exe is a loader (stat follows the magic link).
    bool isInterpreterProcess(uint32_t pid) const;
    size_t size() const { return m_ids.size(); }
    const std::vector<std::string> &paths() const { return m_paths; }

private:
    std::set<std::pair<dev_t, ino_t>> m_ids;
    std::vector<std::string> m_paths;
};
