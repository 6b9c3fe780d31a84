// EcsBench.cpp - what the SIEM output costs: pg_ecs_encode per event (the
// one encoder of procguardctl --format ecs and procguardd --events), and
// procguardd's side of --events - EventSinks::push on the main thread - next
// to the writer thread's throughput into a file. Prints figures; judges
// nothing. No daemon, no root.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

#include "EventSinks.h"
#include "pg_ecs.h"

namespace
{

using Clock = std::chrono::steady_clock;

double nsSince(Clock::time_point t0)
{
    return static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
}

pg_event makeEvent(uint16_t kind, uint64_t seq)
{
    pg_event ev;
    std::memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.seq = seq;
    ev.time_ns = 1714564800123456789ull + seq * 1000;
    ev.pid = static_cast<uint32_t>(1000 + seq % 30000);
    ev.ppid = 1;
    ev.uid = 1000;
    ev.mode = PG_MODE_LOCKDOWN;
    ev.verdict = PG_VERDICT_BLOCK;
    ev.source = PG_SRC_RULE;
    ev.rule_id = 3;
    return ev;
}

} // namespace

int main()
{
    const std::string image = "/usr/lib/x86_64-linux-gnu/libexec/some-helper";
    const std::string cmdline = image + " --config /etc/some-helper.conf --verbose --jobs 4 "
                                        "/home/user/Documents/report-2024.odt";
    const pg_ecs_host host{"kiosk-7", "0123456789abcdef0123456789abcdef", PG_ECS_OS_LINUX};

    // 1. Encoding, one exec (with command line) and one verdict, timed in
    //    batches of 1000 (the clock costs more than one small encode).
    std::vector<double> execNs, verdictNs;
    std::vector<char> buf(16384);
    size_t bytesExec = 0, bytesVerdict = 0;
    for (int round = 0; round < 200; ++round) {
        pg_event ev = makeEvent(PG_EV_EXEC, static_cast<uint64_t>(round));
        pg_ecs_event in{};
        in.ev = &ev;
        in.image = image.c_str();
        in.cmdline = cmdline.c_str();
        in.user_name = "user";
        auto t0 = Clock::now();
        for (int i = 0; i < 1000; ++i)
            bytesExec = pg_ecs_encode(&host, &in, buf.data(), buf.size());
        execNs.push_back(nsSince(t0) / 1000);
        pg_event v = makeEvent(PG_EV_VERDICT, static_cast<uint64_t>(round));
        pg_ecs_event vin{};
        vin.ev = &v;
        vin.image = image.c_str();
        vin.parent_image = "/usr/bin/bash";
        vin.user_name = "user";
        vin.rule_action = PG_VERDICT_BLOCK;
        vin.rule_kind = PG_RULE_GLOB;
        vin.rule_pattern = "/usr/lib/**/some-*";
        t0 = Clock::now();
        for (int i = 0; i < 1000; ++i)
            bytesVerdict = pg_ecs_encode(&host, &vin, buf.data(), buf.size());
        verdictNs.push_back(nsSince(t0) / 1000);
    }
    std::sort(execNs.begin(), execNs.end());
    std::sort(verdictNs.begin(), verdictNs.end());
    std::printf("EcsBench\n\npg_ecs_encode (median of 200 batches of 1000)\n");
    std::printf("  exec with a %zu-byte command line: %6.0f ns, %zu bytes\n", cmdline.size(),
                execNs[execNs.size() / 2], bytesExec);
    std::printf("  blocked verdict with rule name:    %6.0f ns, %zu bytes\n\n",
                verdictNs[verdictNs.size() / 2], bytesVerdict);

    // 2. procguardd's side: push() as emit() calls it, into a file sink,
    //    and how long the writer thread takes to drain the same events.
    char dir[] = "/tmp/pg-ecsbench-XXXXXX";
    if (mkdtemp(dir) == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    const std::string path = std::string(dir) + "/events.json";
    const int n = 10000;
    std::vector<double> pushNs;
    pushNs.reserve(n);
    EventSinks sinks;
    EventSinks::Target file;
    file.kind = EventSinks::Target::Kind::File;
    file.path = path;
    sinks.start({file});
    const auto all0 = Clock::now();
    for (int i = 0; i < n; ++i) {
        const pg_event ev = makeEvent(i % 2 ? PG_EV_EXEC : PG_EV_VERDICT, static_cast<uint64_t>(i));
        const auto t0 = Clock::now();
        sinks.push(ev, image, i % 2 ? cmdline : std::string(), "/usr/bin/bash");
        pushNs.push_back(nsSince(t0));
    }
    const double pushedMs = nsSince(all0) / 1e6;
    sinks.stop();
    const double drainedMs = nsSince(all0) / 1e6;
    std::sort(pushNs.begin(), pushNs.end());
    std::printf("EventSinks, %d events (half execs, half verdicts) into a file\n", n);
    std::printf("  push() on the calling thread: median %.0f ns, p99 %.0f ns, max %.0f ns\n",
                pushNs[n / 2], pushNs[n * 99 / 100], pushNs.back());
    std::printf(
        "  all pushed after %.1f ms; all written after %.1f ms (%.0f events/s); lost %llu\n",
        pushedMs, drainedMs, n / (drainedMs / 1000), static_cast<unsigned long long>(sinks.lost()));
    std::system((std::string("rm -rf '") + dir + "'").c_str());
    return 0;
}
