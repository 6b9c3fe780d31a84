// OpenOverheadBench - what procguardd adds to an open() of a data file.
//
// Three tmpfs mounts side by side in one run, interleaved in rounds so
// that machine noise hits all alike:
//   none    nobody gates it
//   stack   procguardd as it runs by default (--loader-guard stack): only
//           execs are marked, a plain open never reaches user space
//   opens   procguardd --loader-guard opens (kernels that hide task
//           stacks): every open is answered by procguardd
// Each sample is open(O_RDONLY) + close() of a small file, timed over a
// batch. Prints the median and p99 nanoseconds per open and the added
// time over none. Usage: OpenOverheadBench [rounds] [batch]. Needs root.
// Not a pass/fail test.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>

#include "BenchCommon.h"
#include "Harness.h"

using namespace pgtest;
using namespace pgbench;

namespace
{

// Nanoseconds per open+close over one batch; negative on failure.
double timedOpens(const std::string &path, int batch)
{
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < batch; ++i) {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return -1;
        ::close(fd);
    }
    auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / batch;
}

} // namespace

int main(int argc, char **argv)
{
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 30;
    const int batch = argc > 2 ? std::atoi(argv[2]) : 2000;
    if (geteuid() != 0) {
        std::fprintf(stderr, "OpenOverheadBench: run as root (fanotify, tmpfs mounts).\n");
        return 1;
    }
    TmpfsMount plain, stack, opens;
    ScratchDir scratch;
    if (!plain.ok() || !stack.ok() || !opens.ok()) {
        std::fprintf(stderr, "OpenOverheadBench: could not mount tmpfs: %s\n",
                     std::strerror(errno));
        return 1;
    }
    std::map<std::string, std::string> file;
    for (auto *m : {&plain, &stack, &opens}) {
        const std::string path = m->path() + "/data.txt";
        std::ofstream(path) << "some data\n";
        file[m == &plain ? "none" : m == &stack ? "stack" : "opens"] = path;
    }
    Daemon stackDaemon, opensDaemon;
    std::string error;
    const std::string stackSocket = scratch.path() + "/stack.sock";
    const std::string opensSocket = scratch.path() + "/opens.sock";
    if (!stackDaemon.start({"--watch", stack.path(), "--socket", stackSocket, "--state-dir",
                            scratch.path() + "/state-stack", "--log-level", "warn",
                            "--loader-guard", "stack"},
                           stackSocket, scratch.path() + "/stack.log", &error) ||
        !opensDaemon.start({"--watch", opens.path(), "--socket", opensSocket, "--state-dir",
                            scratch.path() + "/state-opens", "--log-level", "warn",
                            "--loader-guard", "opens"},
                           opensSocket, scratch.path() + "/opens.log", &error)) {
        std::fprintf(stderr, "OpenOverheadBench: %s\n", error.c_str());
        return 1;
    }
    const char *order[] = {"none", "stack", "opens"};
    for (const char *name : order) { // warm-up, and proof each open works
        if (timedOpens(file[name], 200) < 0) {
            std::fprintf(stderr, "OpenOverheadBench: opening the %s file failed\n", name);
            return 1;
        }
    }
    std::map<std::string, std::vector<double>> samples;
    for (int r = 0; r < rounds; ++r) {
        for (const char *name : order) {
            const double ns = timedOpens(file[name], batch);
            if (ns < 0) {
                std::fprintf(stderr, "OpenOverheadBench: an open of the %s file failed\n", name);
                return 1;
            }
            samples[name].push_back(ns);
        }
    }
    std::map<std::string, Summary> s;
    for (const char *name : order)
        s[name] = summarise(samples[name]);
    std::printf("OpenOverheadBench: open + close of a data file, %d rounds x %d\n", rounds, batch);
    std::printf("%-8s %12s %12s %20s\n", "gate", "median_ns", "p99_ns", "median_over_none_ns");
    for (const char *name : order)
        std::printf("%-8s %12.0f %12.0f %20.0f\n", name, s[name].median, s[name].p99,
                    s[name].median - s["none"].median);
    std::printf("an open on a gated filesystem adds %.3f us at the median (target <= 1); "
                "watching every open added %.3f us\n",
                (s["stack"].median - s["none"].median) / 1000.0,
                (s["opens"].median - s["none"].median) / 1000.0);
    return 0;
}
