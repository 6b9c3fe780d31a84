// StormBench - 10,000 starts as fast as the machine allows with a client
// attached: does every event arrive, in sequence, and what does procguardd
// cost in memory? Prints events received per kind, sequence gaps, the
// overflow count the daemon reports, the daemon's peak RSS and its CPU per
// start. Usage: StormBench [starts] [auto|bpf|connector|poll] (procguardd's
// --process-facts). Needs root. Not a pass/fail test.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "BenchCommon.h"
#include "Harness.h"
#include "UnixSocketTransport.h"

using namespace pgtest;
using namespace pgbench;

namespace
{

// Counts events and checks sequence continuity as pg_ring.h defines it.
class CountingSink : public pg::EventSink
{
public:
    void onEvents(std::vector<pg::Event> &&batch) override
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (const auto &e : batch) {
            if (m_expected != 0 && e.seq != m_expected)
                m_gaps += e.seq > m_expected ? e.seq - m_expected : 1;
            if (e.kind == pg::EventKind::Overflow) {
                m_lost += e.lost;
                m_expected = e.seq + e.lost;
            } else {
                m_expected = e.seq + 1;
            }
            ++m_byKind[static_cast<int>(e.kind)];
            ++m_total;
        }
        m_last = std::chrono::steady_clock::now();
    }
    void onDisconnected(const pg::Error &) override {}

    std::mutex m_mutex;
    uint64_t m_expected = 0;
    uint64_t m_gaps = 0;
    uint64_t m_lost = 0;
    uint64_t m_total = 0;
    uint64_t m_byKind[PG_EV_KIND_MAX + 1] = {};
    std::chrono::steady_clock::time_point m_last = std::chrono::steady_clock::now();
};

} // namespace

int main(int argc, char **argv)
{
    int total = argc > 1 ? std::atoi(argv[1]) : 10000;
    // auto (default), bpf, connector or poll: procguardd's --process-facts.
    std::string facts = argc > 2 ? argv[2] : "auto";
    if (geteuid() != 0) {
        std::fprintf(stderr, "StormBench: run as root (fanotify, tmpfs mounts).\n");
        return 1;
    }
    TmpfsMount guarded;
    ScratchDir scratch;
    if (!guarded.ok()) {
        std::fprintf(stderr, "StormBench: could not mount tmpfs\n");
        return 1;
    }
    std::string prog = guarded.installProgram("nop", PG_NOP_PATH);
    Daemon daemon;
    std::string socket = scratch.path() + "/pg.sock";
    std::string error;
    if (!daemon.start({"--watch", guarded.path(), "--socket", socket, "--state-dir",
                       scratch.path() + "/state", "--log-level", "warn", "--process-facts", facts},
                      socket, scratch.path() + "/daemon.log", &error)) {
        std::fprintf(stderr, "StormBench: %s\n", error.c_str());
        return 1;
    }
    // An observer: it sees everything, and the starts below are not its
    // descendants' exempt starts (only a controller's are).
    pg::KernelLink link(std::make_unique<pg::UnixSocketTransport>(socket));
    pg::ConnectOptions options;
    options.control = false;
    options.snapshot = false;
    pg::ConnectInfo info;
    if (pg::Error err = link.connect(options, &info)) {
        std::fprintf(stderr, "StormBench: %s\n", err.message.c_str());
        return 1;
    }
    CountingSink sink;
    link.start(&sink);

    const double cpu0 = cpuMicros(daemon.pid());
    std::atomic<int> next{0};
    std::atomic<int> failed{0};
    auto begin = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    unsigned cores = std::max(2u, std::thread::hardware_concurrency());
    for (unsigned t = 0; t < cores; ++t) {
        workers.emplace_back([&] {
            while (next.fetch_add(1) < total) {
                if (timedStart(prog) < 0)
                    ++failed;
            }
        });
    }
    for (auto &w : workers)
        w.join();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    // Drain: wait until no event arrived for one second (at most 30 s).
    auto drainDeadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        std::lock_guard<std::mutex> lock(sink.m_mutex);
        auto now = std::chrono::steady_clock::now();
        if (now - sink.m_last > std::chrono::seconds(1) || now > drainDeadline)
            break;
    }
    const double cpuUs = cpuMicros(daemon.pid()) - cpu0;
    pg::Status st;
    pg::Error statusErr = link.getStatus(&st);
    long rss = peakRssKiB(daemon.pid());
    link.close();
    daemon.stop();

    std::lock_guard<std::mutex> lock(sink.m_mutex);
    std::printf("StormBench: %s, %d starts in %.2f s (%.0f/s) on %u threads, %d failed\n",
                info.serverName.c_str(), total, seconds, total / seconds, cores, failed.load());
    std::printf("events received %llu: start %llu exec %llu exit %llu verdict %llu overflow %llu\n",
                static_cast<unsigned long long>(sink.m_total),
                static_cast<unsigned long long>(sink.m_byKind[PG_EV_START]),
                static_cast<unsigned long long>(sink.m_byKind[PG_EV_EXEC]),
                static_cast<unsigned long long>(sink.m_byKind[PG_EV_EXIT]),
                static_cast<unsigned long long>(sink.m_byKind[PG_EV_VERDICT]),
                static_cast<unsigned long long>(sink.m_byKind[PG_EV_OVERFLOW]));
    std::printf(
        "sequence gaps (unexplained) %llu, lost by overflow (reported) %llu, daemon "
        "lost_events %llu%s\n",
        static_cast<unsigned long long>(sink.m_gaps), static_cast<unsigned long long>(sink.m_lost),
        static_cast<unsigned long long>(st.lostEvents), statusErr ? " (status unavailable)" : "");
    std::printf("procguardd peak RSS %ld KiB, CPU %.2f us per start (utime+stime, with a "
                "client attached)\n",
                rss, cpuUs / total);
    return 0;
}
