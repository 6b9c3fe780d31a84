// LinuxLifecycle.cpp - systemd unit or detached daemon (see LinuxLifecycle.h).
#include "LinuxLifecycle.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "DefaultPaths.h"

namespace pg
{

namespace
{

using Clock = std::chrono::steady_clock;

LifecycleError makeError(LifecycleError::Code code, std::string message, long sys = 0)
{
    LifecycleError e;
    e.code = code;
    e.systemError = sys;
    e.message = std::move(message);
    return e;
}

bool exists(const std::string &path)
{
    struct stat st {
    };
    return ::stat(path.c_str(), &st) == 0;
}

// Runs argv (PATH lookup) with stdout captured; returns the wait status, or
// -1 when it could not start or was killed after timeoutMs.
int runCommand(const std::vector<std::string> &argv, int timeoutMs, std::string *out, int *err)
{
    int pipeFd[2];
    if (pipe2(pipeFd, O_CLOEXEC) != 0) {
        *err = errno;
        return -1;
    }
    const pid_t pid = fork();
    if (pid < 0) {
        *err = errno;
        close(pipeFd[0]);
        close(pipeFd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(pipeFd[1], STDOUT_FILENO);
        const int devnull = ::open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDERR_FILENO);
        }
        std::vector<char *> args;
        for (const std::string &a : argv)
            args.push_back(const_cast<char *>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    close(pipeFd[1]);
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    std::string data;
    bool open = true;
    while (open) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0)
            break;
        pollfd p{pipeFd[0], POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left)) <= 0)
            continue;
        char buf[512];
        const ssize_t n = read(pipeFd[0], buf, sizeof buf);
        if (n <= 0)
            open = false;
        else
            data.append(buf, static_cast<size_t>(n));
    }
    close(pipeFd[0]);
    int status = 0;
    while (true) {
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (Clock::now() >= deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            *err = ETIMEDOUT;
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (out != nullptr)
        *out = data;
    return status;
}

bool processAlive(int pid)
{
    if (pid <= 0)
        return false;
    if (kill(pid, 0) != 0 && errno == ESRCH)
        return false;
    // A zombie is not running.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const size_t paren = line.rfind(')');
    return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

} // namespace

LinuxLifecycle::LinuxLifecycle(LifecycleOptions options, LinuxLifecyclePaths paths)
    : m_options(std::move(options)), m_paths(std::move(paths))
{
}

bool LinuxLifecycle::usesSystemd() const
{
    return exists(m_paths.systemdRunDir);
}

std::string LinuxLifecycle::unitPath() const
{
    return m_paths.unitDir + "/" + m_options.serviceName + ".service";
}

std::string LinuxLifecycle::packagedUnitPath() const
{
    for (const std::string &dir : m_paths.packagedUnitDirs) {
        const std::string path = dir + "/" + m_options.serviceName + ".service";
        if (exists(path))
            return path;
    }
    return {};
}

std::string LinuxLifecycle::installedUnitPath() const
{
    return exists(unitPath()) ? unitPath() : packagedUnitPath();
}

std::string LinuxLifecycle::pidFilePath() const
{
    return m_paths.runDir + "/" + m_options.serviceName + ".pid";
}

std::string LinuxLifecycle::recordPath() const
{
    return m_paths.configDir + "/" + m_options.serviceName + ".install";
}

std::string LinuxLifecycle::describe() const
{
    if (usesSystemd()) {
        if (!exists(unitPath()) && !packagedUnitPath().empty())
            return "systemd unit " + m_options.serviceName + ".service (from the package)";
        return "systemd unit " + m_options.serviceName + ".service";
    }
    return "procguardd process (pid file " + pidFilePath() + ")";
}

LifecycleError LinuxLifecycle::checkRoot(const char *what) const
{
    if (m_paths.requireRoot && geteuid() != 0)
        return makeError(LifecycleError::Code::NotAdministrator,
                         std::string(what) +
                             " the kernel component needs root: start the panel with sudo.");
    return {};
}

std::vector<std::string> LinuxLifecycle::daemonArgs() const
{
    std::vector<std::string> args{m_options.componentPath};
    if (!m_options.socketPath.empty()) {
        args.push_back("--socket");
        args.push_back(m_options.socketPath);
    }
    return args;
}

LifecycleError LinuxLifecycle::systemctl(const std::vector<std::string> &args, std::string *out,
                                         int timeoutMs) const
{
    std::vector<std::string> argv{m_paths.systemctl};
    argv.insert(argv.end(), args.begin(), args.end());
    int err = 0;
    const int status = runCommand(argv, timeoutMs, out, &err);
    if (status < 0) {
        if (err == ETIMEDOUT)
            return makeError(LifecycleError::Code::Timeout, "systemctl " + args.front() +
                                                                " did not finish in time; see "
                                                                "`journalctl -u " +
                                                                m_options.serviceName + "`.");
        return makeError(LifecycleError::Code::Failed,
                         "Cannot run systemctl: " + std::string(strerror(err)) + ".", err);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 127)
        return makeError(LifecycleError::Code::Failed,
                         "systemctl is missing or crashed although systemd seems to run.");
    if (WEXITSTATUS(status) != 0)
        return makeError(LifecycleError::Code::Failed,
                         "systemctl " + args.front() + " failed (status " +
                             std::to_string(WEXITSTATUS(status)) + "); see `journalctl -u " +
                             m_options.serviceName + "`.");
    return {};
}

int LinuxLifecycle::runningPid() const
{
    std::ifstream in(pidFilePath());
    int pid = 0;
    if (!(in >> pid) || !processAlive(pid))
        return 0;
    return pid;
}

ComponentState LinuxLifecycle::state(LifecycleError *error)
{
    if (usesSystemd()) {
        if (installedUnitPath().empty())
            return ComponentState::NotInstalled;
        std::string out;
        std::vector<std::string> argv{m_paths.systemctl, "is-active", m_options.serviceName};
        int err = 0;
        const int status = runCommand(argv, 5000, &out, &err);
        if (status < 0) {
            if (error != nullptr)
                *error = makeError(LifecycleError::Code::Failed,
                                   "Cannot ask systemd for the state of the kernel component.");
            return ComponentState::Unknown;
        }
        if (out.rfind("active", 0) == 0 || out.rfind("reloading", 0) == 0)
            return ComponentState::Running;
        if (out.rfind("activating", 0) == 0)
            return ComponentState::StartPending;
        if (out.rfind("deactivating", 0) == 0)
            return ComponentState::StopPending;
        return ComponentState::Stopped;
    }
    if (!exists(recordPath()))
        return runningPid() != 0 ? ComponentState::Running : ComponentState::NotInstalled;
    return runningPid() != 0 ? ComponentState::Running : ComponentState::Stopped;
}

LifecycleError LinuxLifecycle::install()
{
    if (LifecycleError e = checkRoot("Installing"))
        return e;
    if (usesSystemd() && !exists(unitPath()) && !packagedUnitPath().empty()) {
        // The package installed the unit disabled (it runs the packaged
        // procguardd); installing means enabling it. Never write
        // /etc/systemd/system/<name>.service over it.
        return systemctl({"enable", m_options.serviceName});
    }
    if (access(m_options.componentPath.c_str(), X_OK) != 0)
        return makeError(LifecycleError::Code::Failed,
                         "The kernel component " + m_options.componentPath +
                             " is missing or not executable: build or reinstall ProcGuard.",
                         errno);
    const bool systemd = usesSystemd();
    const std::string target = systemd ? unitPath() : recordPath();
    if (exists(target))
        return makeError(LifecycleError::Code::AlreadyInstalled,
                         "The kernel component is already installed (" + target + ").");
    mkdir(systemd ? m_paths.unitDir.c_str() : m_paths.configDir.c_str(), 0755);
    std::ofstream out(target, std::ios::trunc);
    std::string cmd;
    for (const std::string &a : daemonArgs())
        cmd += (cmd.empty() ? "" : " ") + a;
    if (systemd) {
        out << "[Unit]\nDescription=ProcGuard launch control (procguardd)\n"
               "After=local-fs.target\n\n[Service]\nType=simple\nExecStart="
            << cmd << "\nRestart=on-failure\n\n[Install]\nWantedBy=multi-user.target\n";
    } else {
        out << cmd << "\n";
    }
    out.close();
    if (!out)
        return makeError(LifecycleError::Code::Failed,
                         "Cannot write " + target + ": check that the disk is writable.");
    if (systemd) {
        if (LifecycleError e = systemctl({"daemon-reload"}))
            return e;
        if (LifecycleError e = systemctl({"enable", m_options.serviceName}))
            return e;
    }
    return {};
}

LifecycleError LinuxLifecycle::start()
{
    if (LifecycleError e = checkRoot("Starting"))
        return e;
    const ComponentState now = state();
    if (now == ComponentState::NotInstalled)
        return makeError(LifecycleError::Code::NotInstalled,
                         "The kernel component is not installed: install it first.");
    if (now == ComponentState::Running)
        return makeError(LifecycleError::Code::AlreadyRunning,
                         "The kernel component is already running.");
    if (usesSystemd())
        return systemctl({"start", m_options.serviceName}, nullptr, m_paths.startWaitMs + 10000);

    mkdir(m_paths.runDir.c_str(), 0755);
    const std::string logPath = m_paths.runDir + "/" + m_options.serviceName + ".log";
    const std::vector<std::string> argv = daemonArgs();
    int pidPipe[2];
    if (pipe2(pidPipe, O_CLOEXEC) != 0)
        return makeError(LifecycleError::Code::Failed,
                         "Cannot start the kernel component: " + std::string(strerror(errno)) + ".",
                         errno);
    const pid_t child = fork();
    if (child == 0) {
        // Detach: new session, second fork so init adopts the daemon.
        setsid();
        const pid_t daemon = fork();
        if (daemon != 0) {
            if (daemon > 0) {
                const int32_t p = daemon;
                (void)!write(pidPipe[1], &p, sizeof p);
            }
            _exit(daemon > 0 ? 0 : 1);
        }
        const int devnull = ::open("/dev/null", O_RDWR);
        const int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0640);
        dup2(devnull, STDIN_FILENO);
        dup2(log >= 0 ? log : devnull, STDOUT_FILENO);
        dup2(log >= 0 ? log : devnull, STDERR_FILENO);
        std::vector<char *> args;
        for (const std::string &a : argv)
            args.push_back(const_cast<char *>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(pidPipe[1]);
    int32_t daemonPid = 0;
    const bool gotPid = child > 0 && read(pidPipe[0], &daemonPid, sizeof daemonPid) ==
                                         static_cast<ssize_t>(sizeof daemonPid);
    close(pidPipe[0]);
    if (child > 0)
        waitpid(child, nullptr, 0);
    if (!gotPid)
        return makeError(LifecycleError::Code::Failed,
                         "Cannot start the kernel component: the system refused a new process.");
    {
        std::ofstream pidFile(pidFilePath(), std::ios::trunc);
        pidFile << daemonPid << "\n";
    }
    // Up once its socket exists; failed if it exits first.
    const std::string socket =
        m_options.socketPath.empty() ? defaultSocketPath() : m_options.socketPath;
    const auto deadline = Clock::now() + std::chrono::milliseconds(m_paths.startWaitMs);
    while (Clock::now() < deadline) {
        if (!processAlive(daemonPid)) {
            unlink(pidFilePath().c_str());
            return makeError(LifecycleError::Code::Failed,
                             "The kernel component exited at once; its reason is in " + logPath +
                                 ".");
        }
        if (exists(socket))
            return {};
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return makeError(LifecycleError::Code::Timeout,
                     "The kernel component started but did not open its socket in time; see " +
                         logPath + ".");
}

LifecycleError LinuxLifecycle::stop()
{
    if (LifecycleError e = checkRoot("Stopping"))
        return e;
    if (usesSystemd()) {
        if (state() != ComponentState::Running)
            return makeError(LifecycleError::Code::NotRunning,
                             "The kernel component is not running.");
        return systemctl({"stop", m_options.serviceName}, nullptr, m_paths.stopWaitMs + 5000);
    }
    const int pid = runningPid();
    if (pid == 0)
        return makeError(LifecycleError::Code::NotRunning, "The kernel component is not running.");
    if (kill(pid, SIGTERM) != 0)
        return makeError(LifecycleError::Code::Failed,
                         "Cannot stop the kernel component: " + std::string(strerror(errno)) + ".",
                         errno);
    const auto deadline = Clock::now() + std::chrono::milliseconds(m_paths.stopWaitMs);
    while (Clock::now() < deadline) {
        if (!processAlive(pid)) {
            unlink(pidFilePath().c_str());
            return {};
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return makeError(LifecycleError::Code::Timeout, "The kernel component did not stop within " +
                                                        std::to_string(m_paths.stopWaitMs / 1000) +
                                                        " s; it is still releasing "
                                                        "held starts, try again.");
}

LifecycleError LinuxLifecycle::uninstall()
{
    if (LifecycleError e = checkRoot("Uninstalling"))
        return e;
    const ComponentState now = state();
    if (now == ComponentState::NotInstalled)
        return makeError(LifecycleError::Code::NotInstalled,
                         "The kernel component is not installed.");
    if (now == ComponentState::Running) {
        if (LifecycleError e = stop())
            return e;
    }
    if (usesSystemd()) {
        if (LifecycleError e = systemctl({"disable", m_options.serviceName}))
            return e;
    }
    // Only the unit or record install wrote; a packaged unit stays (its
    // package removes it), disabled.
    const std::string target = usesSystemd() ? unitPath() : recordPath();
    if (unlink(target.c_str()) != 0 && errno != ENOENT)
        return makeError(LifecycleError::Code::Failed,
                         "Cannot remove " + target + ": " + strerror(errno) + ".", errno);
    if (usesSystemd())
        return systemctl({"daemon-reload"});
    return {};
}

} // namespace pg
