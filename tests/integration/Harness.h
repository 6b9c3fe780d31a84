// Harness.h - what every Linux integration test stands on.
//
// Each test gets its own private tmpfs (the only filesystem its procguardd
// gates; DESIGN.md §6), its own procguardd on its own socket and state
// directory, and a launcher that starts programs from outside the test's
// process tree (see pg_launcher.cpp for why). Every wait here is bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "KernelLink.h"

namespace pgtest
{

using Ms = std::chrono::milliseconds;

// A tmpfs mounted on a fresh directory; unmounted (lazily) on destruction.
class TmpfsMount
{
public:
    // size: tmpfs's size option (a benchmark may need more than 64 MiB).
    explicit TmpfsMount(const std::string &size = "64m");
    ~TmpfsMount();
    TmpfsMount(const TmpfsMount &) = delete;
    TmpfsMount &operator=(const TmpfsMount &) = delete;

    bool ok() const { return m_mounted; }
    const std::string &path() const { return m_path; }
    // Copies source into the tmpfs as name (mode 0755); returns the full path.
    std::string installProgram(const std::string &name, const std::string &source = "/bin/true");

private:
    std::string m_path;
    bool m_mounted = false;
};

// A scratch directory (not gated) for sockets, state and logs; removed on destruction.
class ScratchDir
{
public:
    ScratchDir();
    ~ScratchDir();
    const std::string &path() const { return m_path; }

private:
    std::string m_path;
};

// One procguardd process.
class Daemon
{
public:
    ~Daemon();
    // Starts procguardd and waits (bounded) until its socket accepts. Adds
    // --no-memfd-noexec unless args name --memfd-noexec or
    // --no-memfd-noexec (the sysctl is machine-wide), and --policy-dir none
    // unless args name a --policy-dir.
    bool start(const std::vector<std::string> &args, const std::string &socketPath,
               const std::string &logPath, std::string *error);
    // Sends sig and waits up to timeout; returns the exit code, or -1 when it
    // had to be killed or died from a signal.
    int stop(int sig = 15, Ms timeout = Ms{10000});
    // Another procguardd binary (a benchmark's baseline build); before start().
    void setProgram(const std::string &path) { m_program = path; }
    // Runs procguardd through a program that execs it in place (e.g.
    // "unshare --mount --propagation slave", as systemd's ProtectSystem=
    // gives the daemon a mount namespace of its own); set before start().
    void setCommandPrefix(std::vector<std::string> prefix) { m_prefix = std::move(prefix); }
    pid_t pid() const { return m_pid; }
    bool running();
    std::string log() const;

private:
    pid_t m_pid = -1;
    std::string m_logPath;
    std::string m_program;
    std::vector<std::string> m_prefix;
};

// Results of one start through the launcher.
struct SpawnResult {
    int error = -1; // errno from posix_spawn (0 = started)
    pid_t pid = -1;
    long micros = 0; // time spent inside posix_spawn
};

// pg_launcher, double-forked away from the test's process tree.
class Launcher
{
public:
    Launcher();
    // The launcher program at path (a copy of pg_launcher, e.g. for a
    // screenshot that should not show the build tree).
    explicit Launcher(const std::string &path);
    ~Launcher();
    bool ok() const { return m_fd >= 0; }

    // Starts path with args; returns a tag to wait on.
    std::string spawn(const std::string &path, const std::vector<std::string> &args = {});
    std::optional<SpawnResult> waitSpawn(const std::string &tag, Ms timeout = Ms{10000});
    // Wait status of a started program.
    std::optional<int> waitExit(const std::string &tag, Ms timeout = Ms{10000});

private:
    void readLoop();

    int m_fd = -1;
    pid_t m_pid = -1;
    int m_next = 0;
    std::thread m_reader;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::map<std::string, SpawnResult> m_spawned;
    std::map<std::string, int> m_exited;
};

// An EventSink that keeps everything and lets tests wait for an event.
class EventCollector : public pg::EventSink
{
public:
    void onEvents(std::vector<pg::Event> &&batch) override;
    void onDisconnected(const pg::Error &error) override;

    std::optional<pg::Event> waitFor(const std::function<bool(const pg::Event &)> &pred,
                                     Ms timeout = Ms{10000});
    std::vector<pg::Event> all();
    bool disconnected();

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<pg::Event> m_events;
    bool m_disconnected = false;
};

// Small helpers the tests share.
// The whole file (binary), or "" when it cannot be read.
std::string readFile(const std::string &path);
// Lower-case hex digests from OpenSSL (not from the daemon's code).
std::string sha256Of(const std::string &path);
std::string md5Of(const std::string &path);
// A rule with no conditions.
pg::Rule rule(pg::RuleKind kind, const std::string &pattern, pg::Verdict action);
pg::Rule exactRule(const std::string &path, pg::Verdict action);
bool isVerdictFor(const pg::Event &e, const std::string &image);

// A client of the procguardd at socket: connected (as the controlling
// client when control; observer otherwise; no snapshot), its events going
// to sink. nullptr with *error when it could not connect.
std::unique_ptr<pg::KernelLink> connectClient(const std::string &socket, bool control,
                                              pg::EventSink *sink, std::string *error,
                                              const std::string &name = "procguard-test");
// The same, as the controlling client, with policy installed.
std::unique_ptr<pg::KernelLink> controlWithPolicy(const std::string &socket,
                                                  const pg::Policy &policy, pg::EventSink *sink,
                                                  std::string *error,
                                                  const std::string &name = "procguard-test");
// The status, asked by a short-lived observer ({} when unreachable).
pg::Status statusOf(const std::string &socket);

// Paths of the programs under test, from the build.
std::string procguarddPath();
std::string procguardctlPath();
std::string launcherPath();
std::string sentryPath();

// A child process with its stdout captured, e.g. `procguardctl monitor --json`.
class ChildProcess
{
public:
    ~ChildProcess();
    // mergeStderr: standard error goes to the same pipe (a daemon's log).
    bool start(const std::vector<std::string> &argv, bool pipeStdin = false,
               bool mergeStderr = false);
    // Reads lines until pred matches one (bounded).
    std::optional<std::string> waitLine(const std::function<bool(const std::string &)> &pred,
                                        Ms timeout = Ms{10000});
    void kill(int sig);
    // Wait status, or nullopt after timeout.
    std::optional<int> wait(Ms timeout = Ms{10000});
    pid_t pid() const { return m_pid; }

private:
    pid_t m_pid = -1;
    int m_out = -1;
    int m_in = -1;
    std::string m_buffer;
};

} // namespace pgtest
