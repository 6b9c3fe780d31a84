// Unprivileged.h - run a check as an ordinary user, even when the tests run
// as root (as CI does): root bypasses file permissions, so a check of what a
// non-root user is told must drop privileges first.
#pragma once

#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

namespace pgtest {

// Runs check in a child process as uid/gid 65534 (nobody) when we are root,
// directly otherwise. Returns check's result (0..125), or 126 when the
// privileges could not be dropped, 127 when the child died abnormally.
inline int runUnprivileged(const std::function<int()> &check)
{
    if (geteuid() != 0)
        return check();
    pid_t pid = fork();
    if (pid == 0) {
        if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
            _exit(126);
        _exit(check());
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return 127;
    return WEXITSTATUS(status);
}

} // namespace pgtest
