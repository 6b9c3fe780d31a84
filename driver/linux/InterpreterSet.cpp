// InterpreterSet.cpp - see InterpreterSet.h.
#include "InterpreterSet.h"

#include <climits>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ElfProbe.h"
#include "Log.h"

bool InterpreterSet::add(const std::string &path)
{
    char resolved[PATH_MAX];
    if (realpath(path.c_str(), resolved) == nullptr)
        return false;
    struct stat st;
    if (stat(resolved, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    if (m_ids.insert({st.st_dev, st.st_ino}).second) {
        m_paths.push_back(resolved);
        PG_LOG_DEBUG("ELF interpreter: %s", resolved);
    }
    return true;
}

void InterpreterSet::collect()
{
    int self = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (self >= 0) {
        ElfProbe::Info info = ElfProbe::probe(self);
        ::close(self);
        if (!info.interpreter.empty())
            add(info.interpreter);
    }
    static const char *const dirs[] = {"/lib",       "/lib64",      "/lib32",
                                       "/libx32",    "/usr/lib",    "/usr/lib64",
                                       "/usr/lib32", "/usr/libx32", "/usr/local/lib"};
    auto scanDir = [this](const std::string &dir, bool descend) {
        DIR *d = opendir(dir.c_str());
        if (d == nullptr)
            return std::vector<std::string>();
        std::vector<std::string> subdirs;
        while (struct dirent *e = readdir(d)) {
            std::string name = e->d_name;
            if (fnmatch("ld-linux*.so*", name.c_str(), 0) == 0 ||
                fnmatch("ld-*.so*", name.c_str(), 0) == 0 ||
                fnmatch("ld64.so*", name.c_str(), 0) == 0 ||
                fnmatch("ld-musl-*.so*", name.c_str(), 0) == 0) {
                add(dir + "/" + name);
            } else if (descend && name.find("-linux-") != std::string::npos) {
                subdirs.push_back(dir + "/" + name); // multiarch, e.g. x86_64-linux-gnu
            }
        }
        closedir(d);
        return subdirs;
    };
    for (const char *dir : dirs) {
        for (const std::string &sub : scanDir(dir, true))
            scanDir(sub, false);
    }
    PG_LOG_INFO("%zu ELF interpreter(s) known", m_ids.size());
}

bool InterpreterSet::containsFile(int fd) const
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return false;
    return m_ids.count({st.st_dev, st.st_ino}) != 0;
}

bool InterpreterSet::isInterpreterProcess(uint32_t pid) const
{
    std::string link = "/proc/" + std::to_string(pid) + "/exe";
    struct stat st;
    if (stat(link.c_str(), &st) != 0)
        return false;
    return m_ids.count({st.st_dev, st.st_ino}) != 0;
}
