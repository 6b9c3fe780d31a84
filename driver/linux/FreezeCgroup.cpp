// FreezeCgroup.cpp - see FreezeCgroup.h.
#include "FreezeCgroup.h"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdint>
#include <cstdlib>
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

std::string FreezeCgroup::instanceName(uint32_t pid, uint64_t startTicks)
{
    return "run-" + std::to_string(pid) + "-" + std::to_string(startTicks);
}

bool FreezeCgroup::parseInstanceName(const std::string &name, uint32_t *pid, uint64_t *startTicks)
{
    if (name.rfind("run-", 0) != 0)
        return false;
    const char *p = name.c_str() + 4;
    if (*p < '0' || *p > '9')
        return false;
    char *end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(p, &end, 10);
    if (errno != 0 || *end != '-' || v == 0 || v > UINT32_MAX)
        return false;
    p = end + 1;
    if (*p < '0' || *p > '9')
        return false;
    const unsigned long long t = std::strtoull(p, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *pid = static_cast<uint32_t>(v);
    *startTicks = t;
    return true;
}

bool FreezeCgroup::ownerAlive(const std::string &name, const StartTicksOf &startTicksOf)
{
    uint32_t pid = 0;
    uint64_t ticks = 0;
    if (!parseInstanceName(name, &pid, &ticks))
        return false;
    uint64_t now = 0;
    // Same pid and same start time: the very process that made the
    // directory (a reused pid starts later).
    return startTicksOf(pid, &now) && now == ticks;
}

bool FreezeCgroup::otherDaemonRunning(uint32_t selfPid)
{
    DIR *d = opendir("/proc");
    if (d == nullptr)
        return true; // cannot tell: assume the worst, touch nothing
    bool found = false;
    while (struct dirent *e = readdir(d)) {
        char *end = nullptr;
        const unsigned long pid = std::strtoul(e->d_name, &end, 10);
        if (end == e->d_name || *end != '\0' || pid == selfPid)
            continue;
        ProcFs::Stat st;
        if (ProcFs::readStat(static_cast<uint32_t>(pid), &st) && st.comm == "procguardd") {
            found = true;
            break;
        }
    }
    closedir(d);
    return found;
}

void FreezeCgroup::collectOrphans(const std::string &dir, const std::string &owner)
{
    DIR *d = opendir(dir.c_str());
    if (d == nullptr)
        return;
    while (struct dirent *e = readdir(d)) {
        if (std::strncmp(e->d_name, "hold-", 5) != 0)
            continue;
        Orphan o;
        o.dir = dir + "/" + e->d_name;
        o.owner = owner;
        std::string procs;
        ProcFs::readFile(o.dir + "/cgroup.procs", &procs);
        std::istringstream in(procs);
        uint32_t pid = 0;
        while (in >> pid)
            o.pids.push_back(pid);
        m_orphans.push_back(std::move(o));
    }
    closedir(d);
}

bool FreezeCgroup::init(uint32_t selfPid)
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
    ProcFs::Stat self;
    if (!ProcFs::readStat(selfPid, &self)) {
        PG_LOG_WARN("cannot read our own start time from /proc: %s", std::strerror(errno));
        return false;
    }
    const std::string selfName = instanceName(selfPid, self.startTicks);
    m_instance = m_base + "/" + selfName;
    if (mkdir(m_instance.c_str(), 0700) != 0 && errno != EEXIST) {
        PG_LOG_WARN("cannot create %s: %s", m_instance.c_str(), std::strerror(errno));
        return false;
    }

    // What other instances left: a running instance's holds are its own
    // business; a gone one's frozen processes wait for a verdict that only
    // we can still give (the caller decides them with the policy).
    const StartTicksOf startTicksOf = [](uint32_t pid, uint64_t *ticks) {
        ProcFs::Stat s;
        if (!ProcFs::readStat(pid, &s))
            return false;
        *ticks = s.startTicks;
        return true;
    };
    std::vector<std::string> legacy;
    if (DIR *d = opendir(m_base.c_str())) {
        while (struct dirent *e = readdir(d)) {
            const std::string name = e->d_name;
            if (name.rfind("hold-", 0) == 0) {
                legacy.push_back(m_base + "/" + name);
            } else if (name.rfind("run-", 0) == 0 && name != selfName) {
                if (ownerAlive(name, startTicksOf)) {
                    PG_LOG_DEBUG("%s/%s belongs to a running procguardd; left alone",
                                 m_base.c_str(), name.c_str());
                    continue;
                }
                collectOrphans(m_base + "/" + name, name);
                m_deadInstances.push_back(m_base + "/" + name);
            }
        }
        closedir(d);
    }
    // Holds of the layout before instance directories (procguard/hold-<id>)
    // name no owner: they are only ours to decide when no other procguardd
    // runs (an upgrade stops the old daemon before the new one starts).
    if (!legacy.empty()) {
        if (otherDaemonRunning(selfPid)) {
            PG_LOG_WARN("%zu hold cgroup(s) of an older procguardd under %s left alone: another "
                        "procguardd runs and may own them",
                        legacy.size(), m_base.c_str());
        } else {
            collectOrphans(m_base, std::string()); // the hold-* directly below the base
        }
    }
    m_available = true;
    return true;
}

void FreezeCgroup::releaseOrphan(uint32_t pid, uint32_t ppid)
{
    const std::string parent = ppid != 0 ? cgroupOf(ppid) : std::string();
    const std::string target = m_mount + (parent.empty() || parent == "/" ? std::string() : parent);
    std::string error;
    if (!writeFile(target + "/cgroup.procs", std::to_string(pid), &error) &&
        !writeFile(m_mount + "/cgroup.procs", std::to_string(pid), nullptr))
        PG_LOG_WARN("cannot thaw pid %u left frozen by a previous run: %s", pid, error.c_str());
}

void FreezeCgroup::killOrphan(uint32_t pid)
{
    ::kill(static_cast<pid_t>(pid), SIGKILL);
}

void FreezeCgroup::dropOrphans()
{
    for (const Orphan &o : m_orphans) {
        if (rmdir(o.dir.c_str()) != 0 && errno != ENOENT)
            m_reap.push_back(o.dir);
    }
    // Instance directories after their holds: reap() retries in order.
    for (const std::string &dir : m_deadInstances) {
        if (rmdir(dir.c_str()) != 0 && errno != ENOENT)
            m_reap.push_back(dir);
    }
    m_orphans.clear();
    m_deadInstances.clear();
}

void FreezeCgroup::stop()
{
    if (!m_available)
        return;
    // Killed holds empty within milliseconds; wait for them a bounded
    // moment so that a clean stop leaves nothing behind.
    for (int i = 0; i < 50 && reap(); ++i)
        usleep(10 * 1000);
    if (rmdir(m_instance.c_str()) != 0 && errno != ENOENT)
        PG_LOG_WARN("cannot remove %s: %s (the next start removes it)", m_instance.c_str(),
                    std::strerror(errno));
}

bool FreezeCgroup::freeze(uint64_t holdId, uint32_t pid, Hold *hold, std::string *error)
{
    hold->dir = m_instance + "/hold-" + std::to_string(holdId);
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
