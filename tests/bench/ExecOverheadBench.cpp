// ExecOverheadBench - what procguardd adds to every program start.
//
// Four ways to start the same static program, measured side by side in
// one run, interleaved in rounds so that machine noise hits all alike:
//   none      from a tmpfs nobody gates
//   bare      from a tmpfs gated by bare_responder (fanotify's floor)
//   cached    from procguardd's tmpfs, lockdown, allowed by an exact rule:
//             after the first start the kernel's ignore mark answers
//   uncached  same daemon, allowed by a rule with a user condition, which
//             the kernel cannot cache: procguardd decides every start
//   fapolicyd from a ramfs that fapolicyd (permissive) watches, beside
//   ramfs     an ungated ramfs: only when tools/bench-fapolicyd.sh runs the
//             bench and names both (PG_BENCH_FAPOLICYD_DIR, PG_BENCH_RAMFS_DIR;
//             fapolicyd watches by filesystem type, so it gets a type of its
//             own and the other scenarios stay outside it)
// Prints median and p99 microseconds per posix_spawn + waitpid, and the
// figures the targets are stated in.
//
// Then procguardd's own CPU per cached start, for each process-facts
// source side by side: a second daemon (--process-facts=connector) joins
// the first (BPF when the kernel accepts it), and both daemons' utime +
// stime (/proc/PID/stat) and main-thread run time (/proc/PID/schedstat)
// are read before and after N cached starts, which each daemon sees and
// books (process facts are system-wide; neither gate is asked). Rounds
// alternate so that noise hits both alike.
// Usage: ExecOverheadBench [rounds] [batch] [cpu-starts]. Needs root. Not a
// pass/fail test.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "BenchCommon.h"
#include "Harness.h"
#include "UnixSocketTransport.h"

using namespace pgtest;
using namespace pgbench;

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? std::atoi(argv[1]) : 20;
    int batch = argc > 2 ? std::atoi(argv[2]) : 250;
    int cpuStarts = argc > 3 ? std::atoi(argv[3]) : 5000;
    if (geteuid() != 0) {
        std::fprintf(stderr, "ExecOverheadBench: run as root (fanotify, tmpfs mounts).\n");
        return 1;
    }
    TmpfsMount plain, bare, guarded, guardedConnector;
    ScratchDir scratch;
    if (!plain.ok() || !bare.ok() || !guarded.ok() || !guardedConnector.ok()) {
        std::fprintf(stderr, "ExecOverheadBench: could not mount tmpfs: %s\n",
                     std::strerror(errno));
        return 1;
    }
    std::map<std::string, std::string> program{
        {"none", plain.installProgram("nop", PG_NOP_PATH)},
        {"bare", bare.installProgram("nop", PG_NOP_PATH)},
        {"cached", guarded.installProgram("cached", PG_NOP_PATH)},
        {"uncached", guarded.installProgram("uncached", PG_NOP_PATH)},
    };

    ChildProcess responder;
    if (!responder.start({PG_BARE_RESPONDER_PATH, bare.path()}) ||
        !responder.waitLine([](const std::string &l) { return l == "ready"; })) {
        std::fprintf(stderr, "ExecOverheadBench: bare_responder did not start\n");
        return 1;
    }

    Daemon daemon;
    std::string socket = scratch.path() + "/pg.sock";
    std::string error;
    if (!daemon.start({"--watch", guarded.path(), "--socket", socket, "--state-dir",
                       scratch.path() + "/state", "--log-level", "warn"},
                      socket, scratch.path() + "/daemon.log", &error)) {
        std::fprintf(stderr, "ExecOverheadBench: %s\n", error.c_str());
        return 1;
    }
    // Lockdown, the cached program allowed by an exact rule, the uncached
    // one by a rule with a user condition.
    auto setPolicy = [](const std::string &sock, const std::string &cachedPath,
                        const std::string &uncachedPath, std::string *serverName) {
        pg::KernelLink link(std::make_unique<pg::UnixSocketTransport>(sock));
        pg::ConnectOptions options;
        options.snapshot = false;
        pg::ConnectInfo info;
        if (pg::Error err = link.connect(options, &info)) {
            std::fprintf(stderr, "ExecOverheadBench: %s\n", err.message.c_str());
            return false;
        }
        *serverName = info.serverName;
        EventCollector sink;
        link.start(&sink);
        pg::Policy p;
        p.mode = pg::Mode::Lockdown;
        p.defaultVerdict = pg::Verdict::Block;
        pg::Rule cached;
        cached.kind = pg::RuleKind::Exact;
        cached.action = pg::Verdict::Allow;
        cached.pattern = cachedPath;
        pg::Rule uncached = cached;
        uncached.pattern = uncachedPath;
        uncached.uid = 0; // a condition: the daemon must decide each start
        p.rules = {cached, uncached};
        if (pg::Error err = link.setPolicy(p)) {
            std::fprintf(stderr, "ExecOverheadBench: %s\n", err.message.c_str());
            return false;
        }
        link.close(); // no client: lockdown applies the rules, nobody is exempt
        return true;
    };
    std::string daemonName;
    if (!setPolicy(socket, program["cached"], program["uncached"], &daemonName))
        return 1;

    std::vector<const char *> order = {"none", "bare", "cached", "uncached"};
    const char *fapolicydDir = std::getenv("PG_BENCH_FAPOLICYD_DIR");
    const char *ramfsDir = std::getenv("PG_BENCH_RAMFS_DIR");
    const bool withFapolicyd = fapolicydDir != nullptr && ramfsDir != nullptr;
    if (withFapolicyd) {
        program["fapolicyd"] = std::string(fapolicydDir) + "/nop";
        program["ramfs"] = std::string(ramfsDir) + "/nop";
        order.push_back("ramfs");
        order.push_back("fapolicyd");
    }
    std::map<std::string, std::vector<double>> samples;
    for (const char *name : order) { // warm-up, and proof each start works
        for (int i = 0; i < 50; ++i) {
            if (timedStart(program[name]) < 0) {
                std::fprintf(stderr, "ExecOverheadBench: starting the %s program failed\n", name);
                return 1;
            }
        }
    }
    for (int r = 0; r < rounds; ++r) {
        for (const char *name : order) {
            for (int i = 0; i < batch; ++i) {
                double us = timedStart(program[name]);
                if (us < 0) {
                    std::fprintf(stderr, "ExecOverheadBench: a %s start failed\n", name);
                    return 1;
                }
                samples[name].push_back(us);
            }
        }
    }

    std::map<std::string, Summary> s;
    for (const char *name : order)
        s[name] = summarise(samples[name]);
    std::printf("ExecOverheadBench: posix_spawn + waitpid of a static program, %d rounds x %d\n",
                rounds, batch);
    std::printf("%-10s %8s %12s %12s %14s\n", "scenario", "starts", "median_us", "p99_us",
                "median_over_none_us");
    for (const char *name : order)
        std::printf("%-10s %8zu %12.1f %12.1f %14.1f\n", name, s[name].n, s[name].median,
                    s[name].p99, s[name].median - s["none"].median);
    double bareOver = s["bare"].median - s["none"].median;
    double uncachedOver = s["uncached"].median - s["none"].median;
    std::printf("cached allow adds %.1f us at the median over no daemon (target <= 20)\n",
                s["cached"].median - s["none"].median);
    std::printf("uncached decision: median %.1f us vs bare responder %.1f us: ratio %.3f "
                "(target <= 1.10); overhead ratio %.3f\n",
                s["uncached"].median, s["bare"].median, s["uncached"].median / s["bare"].median,
                bareOver > 0 ? uncachedOver / bareOver : 0.0);
    if (withFapolicyd) {
        const double fapOver = s["fapolicyd"].median - s["ramfs"].median;
        const double cachedOver = s["cached"].median - s["none"].median;
        std::printf("fapolicyd (permissive) adds %.1f us over its ramfs; procguardd's cached "
                    "allow adds %.1f us: ratio %.3f (target <= 0.5)\n",
                    fapOver, cachedOver, fapOver > 0 ? cachedOver / fapOver : 0.0);
    }
    responder.kill(SIGTERM);
    responder.wait();

    // Daemon CPU per cached start: the first daemon beside one on the
    // proc connector.
    Daemon connectorDaemon;
    std::string connectorSocket = scratch.path() + "/pg-connector.sock";
    if (!connectorDaemon.start({"--watch", guardedConnector.path(), "--socket", connectorSocket,
                                "--state-dir", scratch.path() + "/state-connector", "--log-level",
                                "warn", "--process-facts=connector"},
                               connectorSocket, scratch.path() + "/daemon-connector.log", &error)) {
        std::fprintf(stderr, "ExecOverheadBench: %s\n", error.c_str());
        return 1;
    }
    std::string connectorName;
    std::string cachedConnector = guardedConnector.installProgram("cached", PG_NOP_PATH);
    std::string uncachedConnector = guardedConnector.installProgram("uncached", PG_NOP_PATH);
    if (!setPolicy(connectorSocket, cachedConnector, uncachedConnector, &connectorName))
        return 1;
    struct Cpu {
        const char *label;
        pid_t pid;
        std::string name;
        std::string program;
        double statUs = 0;
        double runUs = 0;
        long starts = 0;
    };
    Cpu cpu[] = {{"first", daemon.pid(), daemonName, program["cached"]},
                 {"connector", connectorDaemon.pid(), connectorName, cachedConnector}};
    for (int i = 0; i < 50; ++i) { // the kernel caches both allows
        timedStart(cpu[0].program);
        timedStart(cpu[1].program);
    }
    const int cpuRounds = 10;
    for (int r = 0; r < cpuRounds; ++r) {
        for (Cpu &c : cpu) {
            // Both daemons book every start; each is charged for the starts
            // of its own cached program (and the other's, in its own turn).
            double stat0[2], run0[2];
            for (int k = 0; k < 2; ++k) {
                stat0[k] = cpuMicros(cpu[k].pid);
                run0[k] = mainThreadRunMicros(cpu[k].pid);
            }
            const int n = cpuStarts / cpuRounds;
            for (int i = 0; i < n; ++i) {
                if (timedStart(c.program) < 0) {
                    std::fprintf(stderr, "ExecOverheadBench: a cached start failed\n");
                    return 1;
                }
            }
            usleep(200 * 1000); // the daemons drain what the last starts left
            for (int k = 0; k < 2; ++k) {
                cpu[k].statUs += cpuMicros(cpu[k].pid) - stat0[k];
                cpu[k].runUs += mainThreadRunMicros(cpu[k].pid) - run0[k];
                cpu[k].starts += n;
            }
        }
    }
    std::printf("procguardd CPU per cached start, %ld starts each, both daemons booking every "
                "start:\n",
                cpu[0].starts);
    std::printf("%-34s %18s %22s\n", "daemon", "utime+stime_us", "main_thread_run_us");
    for (const Cpu &c : cpu)
        std::printf("%-34s %18.2f %22.2f\n", c.name.c_str(), c.statUs / c.starts,
                    c.runUs / c.starts);
    std::printf("daemon CPU per cached start: %s %.2f us vs %s %.2f us (target <= 10); ratio "
                "%.3f\n",
                cpu[0].name.c_str(), cpu[0].statUs / cpu[0].starts, cpu[1].name.c_str(),
                cpu[1].statUs / cpu[1].starts,
                cpu[1].statUs > 0 ? cpu[0].statUs / cpu[1].statUs : 0.0);
    connectorDaemon.stop();
    daemon.stop();
    return 0;
}
