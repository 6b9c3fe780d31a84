// FreezeCgroup.cpp - see FreezeCgroup.h.
#include "FreezeCgroup.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "Log.h"
#include "MountInfo.h"
#include "ProcFs.h"

bool FreezeCgroup::writeFile(const std::string &path, const std::string &value, std::string *error)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        if (error != nullptr)
            *error = "open " + path + ": " + std::strerror(errno);
        return false;
    }
    ssize_t n = ::write(fd, value.data(), value.size());
    int e = errno;
    ::close(fd);
    if (n != static_cast<ssize_t>(value.size())) {
        if (error != nullptr)
            *error = "write " + path + ": " + std::strerror(n < 0 ? e : EIO);
        return false;
    }
    return true;
}

std::string FreezeCgroup::cgroupOf(uint32_t pid)
{
    std::string text;
    if (!ProcFs::readFile("/proc/" + std::to_string(pid) + "/cgroup", &text, 65536))
        return std::string();
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("0::", 0) == 0) {
            std::string path = line.substr(3);
            // " (deleted)" or paths outside our namespace ("/..") cannot be
            // written back; the caller falls back to the mount root.
            if (path.empty() || path[0] != '/' || path.find("/..") != std::string::npos)
                return std::string();
            return path;
        }
    }
    return std::string();
}

bool FreezeCgroup::init(bool defaultAllow)
{
    MountInfo mounts;
    if (!mounts.load())
        return false;
    m_mount = mounts.cgroup2MountPoint();
    if (m_mount.empty())
        return false;
    m_base = m_mount + "/procguard";
    if (mkdir(m_base.c_str(), 0700) != 0 && errno != EEXIST) {
        PG_LOG_WARN("cannot create %s: %s", m_base.c_str(), std::strerror(errno));
        return false;
    }
    struct stat st;
    if (stat((m_base + "/cgroup.procs").c_str(), &st) != 0)
        return false;
    // Leftovers of a run that died with processes frozen: give each the
    // default verdict now, since nobody else ever will.
    if (DIR *d = opendir(m_base.c_str())) {
        std::vector<std::string> stale;
        while (struct dirent *e = readdir(d)) {
            if (std::strncmp(e->d_name, "hold-", 5) == 0)
                stale.push_back(m_base + "/" + e->d_name);
        }
        closedir(d);
        for (const std::string &dir : stale) {
            std::string procs;
            ProcFs::readFile(dir + "/cgroup.procs", &procs);
            std::istringstream in(procs);
            std::string pid;
            while (in >> pid) {
                if (defaultAllow)
                    writeFile(m_mount + "/cgroup.procs", pid);
            }
            if (!defaultAllow)
                writeFile(dir + "/cgroup.kill", "1");
            PG_LOG_WARN("released a frozen cgroup left by a previous run (%s, default %s)",
                        dir.c_str(), defaultAllow ? "allow" : "block");
            if (rmdir(dir.c_str()) != 0)
                m_reap.push_back(dir);
        }
    }
    m_available = true;
    return true;
}

bool FreezeCgroup::freeze(uint64_t holdId, uint32_t pid, Hold *hold, std::string *error)
{
    hold->dir = m_base + "/hold-" + std::to_string(holdId);
    std::string orig = cgroupOf(pid);
    hold->original = m_mount + (orig.empty() || orig == "/" ? std::string() : orig);
    if (mkdir(hold->dir.c_str(), 0700) != 0 && errno != EEXIST) {
        *error = "mkdir " + hold->dir + ": " + std::strerror(errno);
        return false;
    }
    // Freeze the empty cgroup first, then move the process in: a task
    // entering a frozen cgroup is frozen on its way back to user space, so
    // it never runs an instruction of the new program.
    if (!writeFile(hold->dir + "/cgroup.freeze", "1", error) ||
        !writeFile(hold->dir + "/cgroup.procs", std::to_string(pid), error)) {
        rmdir(hold->dir.c_str());
        return false;
    }
    return true;
}

void FreezeCgroup::release(const Hold &hold, uint32_t pid)
{
    std::string error;
    // Moving the task out of the frozen cgroup thaws it. If the original
    // cgroup vanished (or refuses tasks), fall back to the root cgroup.
    if (!writeFile(hold.original + "/cgroup.procs", std::to_string(pid), &error) &&
        !writeFile(m_mount + "/cgroup.procs", std::to_string(pid), nullptr)) {
        // The process may be gone already (ESRCH): nothing to thaw. If it
        // is not, unfreeze in place so it cannot stay stopped forever.
        writeFile(hold.dir + "/cgroup.freeze", "0", nullptr);
        PG_LOG_DEBUG("thaw of pid %u: %s", pid, error.c_str());
    }
    if (rmdir(hold.dir.c_str()) != 0 && errno != ENOENT)
        m_reap.push_back(hold.dir);
}

void FreezeCgroup::kill(const Hold &hold, uint32_t pid)
{
    if (!writeFile(hold.dir + "/cgroup.kill", "1", nullptr)) {
        // Kernels before 5.14 have no cgroup.kill; SIGKILL reaches a task
        // in a frozen cgroup v2 as well.
        ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
    if (rmdir(hold.dir.c_str()) != 0 && errno != ENOENT)
        m_reap.push_back(hold.dir);
}

bool FreezeCgroup::reap()
{
    std::vector<std::string> left;
    for (const std::string &dir : m_reap) {
        if (rmdir(dir.c_str()) != 0 && errno != ENOENT)
            left.push_back(dir);
    }
    m_reap.swap(left);
    return !m_reap.empty();
}
