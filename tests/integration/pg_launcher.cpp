// pg_launcher - starts programs for the integration tests from a process
// that is NOT a descendant of the test.
//
// Why it exists: procguardd never holds starts by its controlling client or
// the client's descendants (that would deadlock a panel on its own helpers).
// The tests are the controlling client, so anything they fork is exempt.
// The test double-forks this launcher, which is then reparented away from
// the test, and asks it over a socketpair (fd 3) to start programs.
//
// Requests, one line each, fields separated by TAB:
//   <tag> TAB <path> [TAB <arg>]...
// Replies, one line each:
//   S TAB <tag> TAB <posix_spawn result (errno)> TAB <pid> TAB <microseconds in posix_spawn>
//   E TAB <tag> TAB <wait status>          (only when the spawn succeeded)
// Each request runs on its own thread, so many starts can be held at once.
// The launcher exits when fd 3 reaches end of file.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

extern char **environ;

namespace {

constexpr int kChannel = 3;
std::mutex g_writeMutex;

void reply(const std::string &line)
{
    std::lock_guard<std::mutex> lock(g_writeMutex);
    std::string out = line + "\n";
    const char *p = out.data();
    size_t left = out.size();
    while (left > 0) {
        ssize_t n = write(kChannel, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        left -= static_cast<size_t>(n);
    }
}

std::vector<std::string> split(const std::string &line)
{
    std::vector<std::string> fields;
    size_t start = 0;
    for (;;) {
        size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab - start));
        if (tab == std::string::npos)
            break;
        start = tab + 1;
    }
    return fields;
}

void runOne(std::vector<std::string> fields)
{
    const std::string tag = fields[0];
    std::vector<char *> argv;
    for (size_t i = 1; i < fields.size(); ++i)
        argv.push_back(fields[i].data());
    argv.push_back(nullptr);

    pid_t pid = -1;
    auto begin = std::chrono::steady_clock::now();
    int rc = posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - begin)
                  .count();
    reply("S\t" + tag + "\t" + std::to_string(rc) + "\t" + std::to_string(rc == 0 ? pid : -1) +
          "\t" + std::to_string(us));
    if (rc != 0)
        return;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    reply("E\t" + tag + "\t" + std::to_string(status));
}

} // namespace

int main()
{
    std::string pending;
    std::vector<std::thread> threads;
    char buf[4096];
    for (;;) {
        ssize_t n = read(kChannel, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        pending.append(buf, static_cast<size_t>(n));
        size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos) {
            std::string line = pending.substr(0, nl);
            pending.erase(0, nl + 1);
            std::vector<std::string> fields = split(line);
            if (fields.size() < 2) {
                reply("S\t" + (fields.empty() ? std::string("?") : fields[0]) + "\t" +
                      std::to_string(EINVAL) + "\t-1\t0");
                continue;
            }
            threads.emplace_back(runOne, std::move(fields));
        }
    }
    for (auto &t : threads)
        t.join();
    return 0;
}
