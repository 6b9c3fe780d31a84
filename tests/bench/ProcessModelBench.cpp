// ProcessModelBench.cpp - cost of the live process tree in the panel.
//
// Feeds ProcessTreeModel (sorted by PID by the model itself, in a QTreeView
// with uniform row heights, alternating row colours and ProcessTreeDelegate,
// fully expanded, wired as the panel wires it when no search is active: no
// proxy) N processes, then 2,000 events per second in 50 ms refreshes
// (starts, execs, exits, purges), and prints: time to first paint,
// GUI-thread milliseconds per refresh (median, p95, max = longest stall)
// and RSS, then RSS with N live and 3N exited rows.
// Each time is given as wall clock and as the GUI thread's CPU time: on a
// shared, loaded machine the wall clock includes waiting for a CPU, the
// thread CPU time is the work itself.
// Prints figures; never fails. Usage: ProcessModelBench [N] [seconds] [stock]
// ("stock": the stock QStyledItemDelegate instead, for comparison). Runs
// offscreen unless QT_QPA_PLATFORM says otherwise. Under
// valgrind --tool=callgrind --collect-atstart=no only the refreshes are
// counted, which gives noise-free instructions per refresh.
#include <QApplication>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QTreeView>

#include <time.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_TOGGLE_COLLECT
#endif

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "ProcessTreeDelegate.h"
#include "ProcessTreeModel.h"

namespace
{

long rssKiB()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::atol(line.c_str() + 6);
    }
    return -1;
}

pg::Event ev(pg::EventKind kind, uint32_t pid, uint32_t ppid, uint64_t timeNs)
{
    pg::Event e;
    e.kind = kind;
    e.pid = pid;
    e.ppid = ppid;
    e.timeNs = timeNs;
    e.image = "/usr/lib/bench/worker-" + std::to_string(pid % 97);
    e.cmdline = e.image + " --id " + std::to_string(pid) + " --config /etc/bench.conf";
    e.uid = 1000;
    return e;
}

double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const uint32_t n = argc > 1 ? static_cast<uint32_t>(std::atoi(argv[1])) : 10000;
    const int seconds = argc > 2 ? std::atoi(argv[2]) : 5;
    const bool stockDelegate = argc > 3 && std::string(argv[3]) == "stock";
    constexpr int kRefreshMs = 50;
    constexpr int kEventsPerRefresh = 2000 * kRefreshMs / 1000;

    qint64 nowMs = 1700000000000;
    const auto nowNs = [&] { return static_cast<uint64_t>(nowMs) * 1000000ull; };
    ProcessTreeModel model;
    model.setClock([&] { return nowMs; });
    QTreeView view;
    view.setUniformRowHeights(true);
    view.setAlternatingRowColors(true);
    if (!stockDelegate)
        view.setItemDelegate(new ProcessTreeDelegate(&view));
    view.setModel(&model);
    view.setSortingEnabled(true);
    view.sortByColumn(ProcessTreeModel::Pid, Qt::AscendingOrder);
    view.resize(1400, 900);
    view.show();
    app.processEvents();

    // N processes: init, 100 session leaders, the rest spread under them.
    const long rssBefore = rssKiB();
    // The snapshot arrives as the bridge drains it: batches of 2,000 events.
    std::vector<std::vector<pg::Event>> snapshot(1);
    snapshot.back().push_back(ev(pg::EventKind::Start, 1, 0, nowNs()));
    for (uint32_t pid = 2; pid <= n; ++pid) {
        const uint32_t parent = pid <= 101 ? 1 : 2 + (pid % 100);
        if (snapshot.back().size() == 2000)
            snapshot.emplace_back();
        snapshot.back().push_back(ev(pg::EventKind::Start, pid, parent, nowNs()));
        snapshot.back().back().flags = PG_EVF_SNAPSHOT;
    }
    QElapsedTimer t;
    t.start();
    double cpu0 = threadCpuMs();
    for (std::vector<pg::Event> &batch : snapshot) {
        model.applyEvents(batch);
        std::vector<pg::Event>().swap(batch); // drained batches are freed
    }
    view.expandAll();
    view.viewport()->repaint();
    app.processEvents();
    const double firstPaintMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    const double firstPaintCpuMs = threadCpuMs() - cpu0;
    std::vector<std::vector<pg::Event>>().swap(snapshot);

    // 2,000 events/s: each refresh starts 40 children under random parents,
    // execs 20 and ends 40; exited rows go after the linger time.
    std::vector<double> refresh;
    std::vector<double> refreshCpu;
    std::vector<uint32_t> live;
    uint32_t nextPid = n + 1;
    srand(7);
    const int rounds = seconds * 1000 / kRefreshMs;
    for (int r = 0; r < rounds; ++r) {
        nowMs += kRefreshMs;
        std::vector<pg::Event> batch;
        for (int i = 0; i < kEventsPerRefresh * 2 / 5; ++i) {
            const uint32_t parent =
                2 + static_cast<uint32_t>(rand()) % std::min<uint32_t>(n - 1, 1000);
            batch.push_back(ev(pg::EventKind::Start, nextPid, parent, nowNs()));
            live.push_back(nextPid++);
        }
        for (int i = 0; i < kEventsPerRefresh / 5 && !live.empty(); ++i) {
            pg::Event e = ev(pg::EventKind::Exec, live[static_cast<size_t>(rand()) % live.size()],
                             0, nowNs());
            e.image += "-exec";
            batch.push_back(e);
        }
        for (int i = 0; i < kEventsPerRefresh * 2 / 5 && live.size() > 200; ++i) {
            const size_t k = static_cast<size_t>(rand()) % live.size();
            batch.push_back(ev(pg::EventKind::Exit, live[k], 0, nowNs()));
            live[k] = live.back();
            live.pop_back();
        }
        t.restart();
        cpu0 = threadCpuMs();
        CALLGRIND_TOGGLE_COLLECT;
        model.applyEvents(batch);
        model.tick();
        view.viewport()->repaint();
        app.processEvents();
        CALLGRIND_TOGGLE_COLLECT;
        refresh.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        refreshCpu.push_back(threadCpuMs() - cpu0);
    }
    const long rssLive = rssKiB();

    // N live plus 3N exited rows kept, arriving in batches of 2,000 events.
    model.setKeepExited(true);
    std::vector<pg::Event> churn;
    for (uint32_t i = 0; i < 3 * n; ++i) {
        const uint32_t pid = nextPid++;
        churn.push_back(ev(pg::EventKind::Start, pid, 2 + i % 100, nowNs()));
        churn.push_back(ev(pg::EventKind::Exit, pid, 0, nowNs()));
        if (churn.size() == 2000 || i + 1 == 3 * n) {
            model.applyEvents(churn);
            churn.clear();
        }
    }
    app.processEvents();
    const long rssExited = rssKiB();

    std::printf("ProcessModelBench: %u processes, %d s at 2000 events/s, %d ms refresh, %s\n", n,
                seconds, kRefreshMs,
                stockDelegate ? "stock QStyledItemDelegate" : "ProcessTreeDelegate");
    std::printf("  first paint (apply snapshot + expand all + paint): %.1f ms wall, %.1f ms CPU\n",
                firstPaintMs, firstPaintCpuMs);
    std::printf("  GUI ms per refresh (wall): median %.2f, p95 %.2f, longest stall %.2f (%zu "
                "refreshes)\n",
                percentile(refresh, 0.5), percentile(refresh, 0.95), percentile(refresh, 1.0),
                refresh.size());
    std::printf("  GUI ms per refresh (CPU):  median %.2f, p95 %.2f, max %.2f\n",
                percentile(refreshCpu, 0.5), percentile(refreshCpu, 0.95),
                percentile(refreshCpu, 1.0));
    std::printf("  rows now: %zu entries in the table\n", model.table().size());
    std::printf("  RSS: %ld MiB before, %ld MiB with %u live, %ld MiB with +%u exited kept "
                "(%zu rows)\n",
                rssBefore / 1024, rssLive / 1024, n, rssExited / 1024, 3 * n, model.table().size());
    return 0;
}
