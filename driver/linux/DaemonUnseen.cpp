// DaemonUnseen.cpp - execs the gate could not see.
//
// The gate marks filesystems: every local one in procguardd's own mount
// namespace (and those mounted later, MountWatch), or those at and below
// each --watch path. A filesystem private to another mount or user
// namespace (a tmpfs an unprivileged user mounted after unshare -Urm, a
// container's overlay) cannot be marked before its first exec, nor can a
// network filesystem fanotify does not support; an in-memory file is on
// no filesystem at all. Such an exec produces no permission event: it
// runs. The process facts (BPF tracepoint, proc connector) still report
// it, right after the exec, and that is where it is caught:
//   prompt, lockdown: a program of a user (uid != 0) in scope is ended at
//     once (SIGKILL through a pidfd, so a recycled pid is never hit) and
//     reported as blocked with PG_EVF_UNSEEN | PG_EVF_KILLED; the event's
//     status says how long it ran on a CPU (microseconds): the window the
//     gate could not close. --unseen-execs report only reports it.
//   monitor: reported as allowed, would-block, PG_EVF_UNSEEN.
// Root's programs are reported, never ended: root can remove the gate
// anyway, and container runtimes and the service manager run as root.
// In-memory programs are refused by the kernel while prompt or lockdown
// is in force (vm.memfd_noexec, MemfdNoexec.h); with --no-memfd-noexec the
// operator chose to let them run, so they are not ended here either.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "Daemon.h"
#include "Log.h"
#include "ProcFs.h"

namespace
{

bool isMemfd(const std::string &image)
{
    return image.compare(0, 7, "/memfd:") == 0;
}

// Microseconds pid has run on a CPU (/proc/PID/schedstat), 0 if unknown.
uint32_t cpuMicros(uint32_t pid)
{
    std::string text;
    if (!ProcFs::readFile("/proc/" + std::to_string(pid) + "/schedstat", &text, 256))
        return 0;
    const unsigned long long ns = std::strtoull(text.c_str(), nullptr, 10);
    const unsigned long long us = ns / 1000u;
    return us > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(us);
}

} // namespace

bool Daemon::inScope(const std::string &image) const
{
    if (m_scopeRoots.empty() || isMemfd(image))
        return true;
    // The path as the process sees it (/proc/PID/exe): a filesystem it
    // mounted below a watched path is in scope, as one we mount there.
    for (const std::string &root : m_scopeRoots) {
        if (image.compare(0, root.size(), root) == 0 &&
            (image.size() == root.size() || image[root.size()] == '/' || root == "/"))
            return true;
    }
    return false;
}

void Daemon::checkSeenExec(uint32_t pid, uint32_t ppid, uint32_t uid, const std::string &image,
                           uint64_t imageDev, bool pathless)
{
    // In scope: by its path, or - a file with no path, an in-memory one
    // that ended before its name could be read - always.
    if (image.empty() ? !pathless : !inScope(image))
        return;
    // The common case costs no system call: the BPF exec record names the
    // file's device, and the gate marks it.
    if (imageDev != 0 && m_gate.marksDevice(static_cast<dev_t>(imageDev)))
        return;
    if (isExempt(pid))
        return;
    const std::string exe = "/proc/" + std::to_string(pid) + "/exe";
    struct stat st;
    bool alive = stat(exe.c_str(), &st) == 0;
    if (alive && m_gate.marksDevice(st.st_dev))
        return; // the gate saw it
    if (!alive && imageDev == 0)
        return; // gone, and nothing says where its file was
    // A pidfd, then a second look: from here on pid cannot be another
    // process (a recycled pid would show another file, or none).
    const int pidfd = alive ? static_cast<int>(syscall(SYS_pidfd_open, pid, 0)) : -1;
    struct stat again;
    if (pidfd < 0 || stat(exe.c_str(), &again) != 0 || again.st_dev != st.st_dev ||
        again.st_ino != st.st_ino) {
        if (pidfd >= 0)
            ::close(pidfd);
        if (imageDev == 0)
            return;
        alive = false; // it ran and ended before it could be looked at
    }
    const uint32_t mode = m_policy.policy().mode;
    const bool memfdLeftOpen = isMemfd(image) && !m_options.m_memfdNoexec;
    const bool end = alive && mode != PG_MODE_MONITOR && uid != 0 && m_options.m_endUnseen &&
                     !memfdLeftOpen && !m_stopping;
    uint16_t flags = PG_EVF_UNSEEN;
    uint8_t verdict = PG_VERDICT_ALLOW;
    if (end) {
        syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
        flags |= PG_EVF_KILLED;
        verdict = PG_VERDICT_BLOCK;
    } else if (mode == PG_MODE_MONITOR) {
        flags |= PG_EVF_WOULD_BLOCK;
    }
    if (pidfd >= 0)
        ::close(pidfd);
    const std::string parentImage = ppid != 0 ? m_table.imageOf(ppid) : std::string();
    const uint32_t ranUs = cpuMicros(pid);
    emitVerdict(0, pid, ppid, uid, image, parentImage, verdict, PG_SRC_MODE, 0, flags, ranUs);
    if (end)
        PG_LOG_WARN("pid %u (uid %u) ran %s, on a filesystem the gate cannot see; ended after "
                    "%u us on a CPU",
                    pid, uid, image.c_str(), ranUs);
    else
        PG_LOG_INFO("pid %u (uid %u) runs %s, on a filesystem the gate cannot see (%s)", pid, uid,
                    image.empty() ? "a program with no path" : image.c_str(),
                    !alive                    ? "it had ended already"
                    : mode == PG_MODE_MONITOR ? "monitor"
                    : uid == 0                ? "root"
                    : memfdLeftOpen           ? "--no-memfd-noexec"
                                              : "--unseen-execs report");
}
