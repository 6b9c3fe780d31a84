// Harness.cpp - see Harness.h.
#include "Harness.h"

#include "UnixSocketTransport.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace pgtest
{

namespace
{

using Clock = std::chrono::steady_clock;

std::string makeTempDir(const char *prefix)
{
    std::string tmpl = std::string("/tmp/") + prefix + "XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data()))
        return {};
    return buf.data();
}

bool copyFile(const std::string &from, const std::string &to)
{
    std::ifstream in(from, std::ios::binary);
    std::ofstream out(to, std::ios::binary | std::ios::trunc);
    if (!in || !out)
        return false;
    out << in.rdbuf();
    out.close();
    return static_cast<bool>(out) && chmod(to.c_str(), 0755) == 0;
}

bool canConnect(const std::string &path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    bool ok = connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
}

std::optional<int> waitPidBounded(pid_t pid, Ms timeout)
{
    auto deadline = Clock::now() + timeout;
    for (;;) {
        int status = 0;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0 && errno != EINTR)
            return std::nullopt;
        if (Clock::now() >= deadline)
            return std::nullopt;
        usleep(5000);
    }
}

} // namespace

std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

namespace
{

// Digest of a file read in pieces (some test programs are 1 GB).
std::string digestOf(const std::string &path, const EVP_MD *md)
{
    std::ifstream in(path, std::ios::binary);
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX *)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestInit_ex(ctx.get(), md, nullptr);
    std::vector<char> buf(1 << 20);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
        EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount()));
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx.get(), d, &n);
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
        out += digits[d[i] >> 4];
        out += digits[d[i] & 15u];
    }
    return out;
}

} // namespace

std::string sha256Of(const std::string &path)
{
    return digestOf(path, EVP_sha256());
}

std::string md5Of(const std::string &path)
{
    return digestOf(path, EVP_md5());
}

pg::Rule rule(pg::RuleKind kind, const std::string &pattern, pg::Verdict action)
{
    pg::Rule r;
    r.kind = kind;
    r.action = action;
    r.pattern = pattern;
    return r;
}

pg::Rule exactRule(const std::string &path, pg::Verdict action)
{
    return rule(pg::RuleKind::Exact, path, action);
}

bool isVerdictFor(const pg::Event &e, const std::string &image)
{
    return e.kind == pg::EventKind::Verdict && e.image == image;
}

std::unique_ptr<pg::KernelLink> connectClient(const std::string &socket, bool control,
                                              pg::EventSink *sink, std::string *error,
                                              const std::string &name)
{
    auto link = std::make_unique<pg::KernelLink>(std::make_unique<pg::UnixSocketTransport>(socket));
    pg::ConnectOptions options;
    options.control = control;
    options.snapshot = false;
    options.clientName = name;
    pg::ConnectInfo info;
    if (pg::Error err = link->connect(options, &info)) {
        *error = err.message;
        return nullptr;
    }
    link->start(sink);
    return link;
}

std::unique_ptr<pg::KernelLink> controlWithPolicy(const std::string &socket,
                                                  const pg::Policy &policy, pg::EventSink *sink,
                                                  std::string *error, const std::string &name)
{
    std::unique_ptr<pg::KernelLink> link = connectClient(socket, true, sink, error, name);
    if (!link)
        return nullptr;
    if (pg::Error err = link->setPolicy(policy)) {
        *error = err.message;
        link->close();
        return nullptr;
    }
    return link;
}

pg::Status statusOf(const std::string &socket)
{
    EventCollector sink;
    std::string error;
    pg::Status st;
    if (std::unique_ptr<pg::KernelLink> link = connectClient(socket, false, &sink, &error)) {
        link->getStatus(&st);
        link->close();
    }
    return st;
}

std::string procguarddPath()
{
    return PG_PROCGUARDD_PATH;
}
std::string procguardctlPath()
{
    return PG_PROCGUARDCTL_PATH;
}
std::string launcherPath()
{
    return PG_LAUNCHER_PATH;
}

std::string sentryPath()
{
    return PG_SENTRY_PATH;
}

// ---------------------------------------------------------------- TmpfsMount

TmpfsMount::TmpfsMount(const std::string &size)
{
    m_path = makeTempDir("pg-gate-");
    if (m_path.empty())
        return;
    const std::string options = "size=" + size + ",mode=0755";
    m_mounted = mount("pg-test", m_path.c_str(), "tmpfs", 0, options.c_str()) == 0;
}

TmpfsMount::~TmpfsMount()
{
    if (m_mounted)
        umount2(m_path.c_str(), MNT_DETACH);
    if (!m_path.empty())
        rmdir(m_path.c_str());
}

std::string TmpfsMount::installProgram(const std::string &name, const std::string &source)
{
    std::string dest = m_path + "/" + name;
    return copyFile(source, dest) ? dest : std::string();
}

// ---------------------------------------------------------------- ScratchDir

ScratchDir::ScratchDir()
{
    m_path = makeTempDir("pg-scratch-");
}

ScratchDir::~ScratchDir()
{
    if (m_path.empty())
        return;
    // Bounded, shallow clean-up: the tests create at most two levels.
    std::string cmd = "rm -rf '" + m_path + "'";
    if (std::system(cmd.c_str()) != 0) {
    }
}

// ---------------------------------------------------------------- Daemon

Daemon::~Daemon()
{
    if (m_pid > 0)
        stop(SIGTERM, Ms{5000});
}

bool Daemon::start(const std::vector<std::string> &args, const std::string &socketPath,
                   const std::string &logPath, std::string *error)
{
    m_logPath = logPath;
    std::vector<std::string> all = m_prefix;
    all.push_back(m_program.empty() ? procguarddPath() : m_program);
    all.insert(all.end(), args.begin(), args.end());
    // vm.memfd_noexec is machine-wide: a test daemon leaves it alone unless
    // the test asks for it (one that is killed could not restore it).
    // (Another binary - a benchmark's baseline build - may not know it.)
    if (m_program.empty() && std::find(args.begin(), args.end(), "--memfd-noexec") == args.end() &&
        std::find(args.begin(), args.end(), "--no-memfd-noexec") == args.end())
        all.push_back("--no-memfd-noexec");
    // Never the machine's own /etc/procguard/policy.d: a test that wants a
    // managed layer names its own directory.
    if (m_program.empty() && std::find(args.begin(), args.end(), "--policy-dir") == args.end()) {
        all.push_back("--policy-dir");
        all.push_back("none");
    }
    std::vector<char *> argv;
    for (auto &a : all)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    pid_t pid = fork();
    if (pid < 0) {
        *error = std::string("fork: ") + std::strerror(errno);
        return false;
    }
    if (pid == 0) {
        int fd = open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            dup2(fd, 1);
        }
        execv(argv[0], argv.data());
        _exit(127);
    }
    m_pid = pid;
    auto deadline = Clock::now() + Ms{10000};
    while (Clock::now() < deadline) {
        if (canConnect(socketPath))
            return true;
        int status = 0;
        if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            *error = "procguardd exited during start-up: " + log();
            return false;
        }
        usleep(10000);
    }
    *error = "procguardd did not accept connections within 10 s: " + log();
    return false;
}

int Daemon::stop(int sig, Ms timeout)
{
    if (m_pid <= 0)
        return -1;
    ::kill(m_pid, sig);
    auto status = waitPidBounded(m_pid, timeout);
    if (!status) {
        ::kill(m_pid, SIGKILL);
        waitPidBounded(m_pid, Ms{5000});
        m_pid = -1;
        return -1;
    }
    m_pid = -1;
    return WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

bool Daemon::running()
{
    if (m_pid <= 0)
        return false;
    int status = 0;
    if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
        m_pid = -1;
        return false;
    }
    return true;
}

std::string Daemon::log() const
{
    std::ifstream in(m_logPath);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// ---------------------------------------------------------------- Launcher

Launcher::Launcher() : Launcher(launcherPath()) {}

Launcher::Launcher(const std::string &program)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return;
    int pidPipe[2];
    if (pipe2(pidPipe, O_CLOEXEC) != 0) {
        close(sv[0]);
        close(sv[1]);
        return;
    }
    pid_t child = fork();
    if (child == 0) {
        // Intermediate: new session, fork the launcher, exit so that the
        // launcher is reparented away from the test's process tree.
        setsid();
        pid_t grandchild = fork();
        if (grandchild == 0) {
            dup2(sv[1], 3); // dup2 clears FD_CLOEXEC on the copy
            std::string path = program;
            char *argv[] = {path.data(), nullptr};
            execv(argv[0], argv);
            _exit(127);
        }
        if (write(pidPipe[1], &grandchild, sizeof grandchild) != sizeof grandchild) {
        }
        _exit(0);
    }
    close(sv[1]);
    close(pidPipe[1]);
    if (child > 0)
        waitPidBounded(child, Ms{5000});
    pid_t launcher = -1;
    if (read(pidPipe[0], &launcher, sizeof launcher) != sizeof launcher)
        launcher = -1;
    close(pidPipe[0]);
    if (child < 0 || launcher <= 0) {
        close(sv[0]);
        return;
    }
    m_pid = launcher;
    m_fd = sv[0];
    m_reader = std::thread([this] { readLoop(); });
}

Launcher::~Launcher()
{
    if (m_fd >= 0)
        ::shutdown(m_fd, SHUT_RDWR);
    if (m_reader.joinable())
        m_reader.join();
    if (m_fd >= 0)
        close(m_fd);
    // The launcher is not our child; make sure it is gone.
    if (m_pid > 0)
        ::kill(m_pid, SIGKILL);
}

std::string Launcher::spawn(const std::string &path, const std::vector<std::string> &args)
{
    std::string tag = "t" + std::to_string(m_next++);
    std::string line = tag + "\t" + path;
    for (auto &a : args)
        line += "\t" + a;
    line += "\n";
    const char *p = line.data();
    size_t left = line.size();
    while (left > 0) {
        ssize_t n = write(m_fd, p, left);
        if (n <= 0)
            break;
        p += n;
        left -= static_cast<size_t>(n);
    }
    return tag;
}

void Launcher::readLoop()
{
    std::string pending;
    char buf[4096];
    for (;;) {
        ssize_t n = read(m_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        pending.append(buf, static_cast<size_t>(n));
        size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos) {
            std::string line = pending.substr(0, nl);
            pending.erase(0, nl + 1);
            std::vector<std::string> f;
            std::stringstream ss(line);
            std::string field;
            while (std::getline(ss, field, '\t'))
                f.push_back(field);
            std::lock_guard<std::mutex> lock(m_mutex);
            if (f.size() == 5 && f[0] == "S")
                m_spawned[f[1]] = SpawnResult{std::stoi(f[2]), std::stoi(f[3]), std::stol(f[4])};
            else if (f.size() == 3 && f[0] == "E")
                m_exited[f[1]] = std::stoi(f[2]);
            m_cv.notify_all();
        }
    }
}

std::optional<SpawnResult> Launcher::waitSpawn(const std::string &tag, Ms timeout)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    if (!m_cv.wait_for(lock, timeout, [&] { return m_spawned.count(tag) > 0; }))
        return std::nullopt;
    return m_spawned[tag];
}

std::optional<int> Launcher::waitExit(const std::string &tag, Ms timeout)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    if (!m_cv.wait_for(lock, timeout, [&] { return m_exited.count(tag) > 0; }))
        return std::nullopt;
    return m_exited[tag];
}

// ---------------------------------------------------------------- EventCollector

void EventCollector::onEvents(std::vector<pg::Event> &&batch)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto &e : batch)
        m_events.push_back(std::move(e));
    m_cv.notify_all();
}

void EventCollector::onDisconnected(const pg::Error &)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_disconnected = true;
    m_cv.notify_all();
}

std::optional<pg::Event> EventCollector::waitFor(const std::function<bool(const pg::Event &)> &pred,
                                                 Ms timeout)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    std::optional<pg::Event> found;
    m_cv.wait_for(lock, timeout, [&] {
        for (const auto &e : m_events) {
            if (pred(e)) {
                found = e;
                return true;
            }
        }
        return false;
    });
    return found;
}

std::vector<pg::Event> EventCollector::all()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_events;
}

bool EventCollector::disconnected()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_disconnected;
}

// ---------------------------------------------------------------- ChildProcess

ChildProcess::~ChildProcess()
{
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        waitPidBounded(m_pid, Ms{5000});
    }
    if (m_out >= 0)
        close(m_out);
    if (m_in >= 0)
        close(m_in);
}

bool ChildProcess::start(const std::vector<std::string> &args, bool pipeStdin, bool mergeStderr)
{
    int out[2];
    int in[2] = {-1, -1};
    if (pipe2(out, O_CLOEXEC) != 0)
        return false;
    if (pipeStdin && pipe2(in, O_CLOEXEC) != 0)
        return false;
    std::vector<std::string> copy = args;
    std::vector<char *> argv;
    for (auto &a : copy)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    m_pid = fork();
    if (m_pid == 0) {
        dup2(out[1], 1);
        if (mergeStderr)
            dup2(out[1], 2);
        if (pipeStdin)
            dup2(in[0], 0);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(out[1]);
    m_out = out[0];
    if (pipeStdin) {
        close(in[0]);
        m_in = in[1];
    }
    return m_pid > 0;
}

std::optional<std::string>
ChildProcess::waitLine(const std::function<bool(const std::string &)> &pred, Ms timeout)
{
    auto deadline = Clock::now() + timeout;
    for (;;) {
        size_t nl;
        while ((nl = m_buffer.find('\n')) != std::string::npos) {
            std::string line = m_buffer.substr(0, nl);
            m_buffer.erase(0, nl + 1);
            if (pred(line))
                return line;
        }
        auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now()).count();
        if (left <= 0)
            return std::nullopt;
        pollfd pfd{m_out, POLLIN, 0};
        int r = poll(&pfd, 1, static_cast<int>(left));
        if (r <= 0)
            continue;
        char buf[4096];
        ssize_t n = read(m_out, buf, sizeof buf);
        if (n <= 0)
            return std::nullopt;
        m_buffer.append(buf, static_cast<size_t>(n));
    }
}

void ChildProcess::kill(int sig)
{
    if (m_pid > 0)
        ::kill(m_pid, sig);
}

std::optional<int> ChildProcess::wait(Ms timeout)
{
    if (m_pid <= 0)
        return std::nullopt;
    auto status = waitPidBounded(m_pid, timeout);
    if (status)
        m_pid = -1;
    return status;
}

} // namespace pgtest
