// DigestBench - what a program's digest costs the other starts.
//
// 1. Throughput: procguardd's hashing (DigestPool::hashFd, OpenSSL EVP)
//    against `openssl dgst -sha256` on the same 400 MB file, side by side.
// 2. Head of line: lockdown with one hash rule and a folder allow (every
//    start needs its digest). The start of a small program nobody ran
//    before, alone, and while a 400 MB program's first start is being
//    hashed; interleaved in rounds. Added = during - alone (medians). With
//    a third argument (another procguardd binary, e.g. a build of an older
//    commit) the same runs against it, alternating round by round.
// 3. Restart: the same 400 MB program started again after a daemon
//    restart: digests computed (should be 0) and the start's time.
// Prints figures, judges nothing. Needs root.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include "BenchCommon.h"
#include "DigestPool.h"
#include "Harness.h"
#include "UnixSocketTransport.h"

using namespace pgtest;
using namespace pgbench;

namespace
{

double secondsOf(const std::function<bool()> &f)
{
    const auto begin = std::chrono::steady_clock::now();
    if (!f())
        return -1;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

bool writeRandom(const std::string &path, size_t bytes)
{
    std::ifstream rnd("/dev/urandom", std::ios::binary);
    std::ofstream out(path, std::ios::binary | std::ios::app);
    std::vector<char> buf(1 << 20);
    for (size_t done = 0; done < bytes; done += buf.size()) {
        rnd.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    }
    return static_cast<bool>(out);
}

// One gated tmpfs with its own procguardd in lockdown: one hash rule (so
// every start needs its digest) and a folder allow, no client.
struct Setup {
    Setup(std::string name, const std::string &program, size_t bigBytes, const ScratchDir &scratch)
        : label(std::move(name)), gate(std::to_string((bigBytes >> 20) + 64) + "m")
    {
        big = gate.installProgram("big", PG_NOP_PATH);
        if (!gate.ok() || !writeRandom(big, bigBytes)) {
            error = "could not write " + big;
            return;
        }
        socket = scratch.path() + "/" + label + ".sock";
        args = {"--watch",     gate.path(),   "--socket",
                socket,        "--state-dir", scratch.path() + "/" + label + "-state",
                "--log-level", "warn"};
        if (!program.empty())
            daemon.setProgram(program);
        if (!daemon.start(args, socket, scratch.path() + "/" + label + ".log", &error))
            return;
        pg::Policy p;
        p.mode = pg::Mode::Lockdown;
        p.defaultVerdict = pg::Verdict::Block;
        p.holdBudgetMs = 1000;
        p.rules = {rule(pg::RuleKind::Sha256, std::string(64, '0'), pg::Verdict::Block),
                   rule(pg::RuleKind::Prefix, gate.path() + "/", pg::Verdict::Allow)};
        EventCollector sink;
        std::unique_ptr<pg::KernelLink> link = controlWithPolicy(socket, p, &sink, &error);
        if (!link)
            return;
        link->close(); // lockdown holds with no client
        ok = true;
    }

    std::string freshSmall()
    {
        const std::string path =
            gate.installProgram("small-" + std::to_string(serial), PG_NOP_PATH);
        std::ofstream(path, std::ios::app | std::ios::binary) << serial++;
        return path;
    }

    // A small start alone; then a new version of the big program (its
    // digest is not cached) started, and a small one 30 ms later.
    void round()
    {
        alone.push_back(timedStart(freshSmall()));
        std::ofstream(big, std::ios::app | std::ios::binary) << 'x';
        const std::string small = freshSmall();
        std::atomic<double> bigTime{0};
        std::thread bigStart([&] { bigTime = timedStart(big); });
        usleep(30 * 1000);
        during.push_back(timedStart(small));
        bigStart.join();
        bigStarts.push_back(bigTime);
    }

    std::string label;
    TmpfsMount gate;
    Daemon daemon;
    std::string big, socket, error;
    std::vector<std::string> args;
    bool ok = false;
    int serial = 0;
    std::vector<double> alone, during, bigStarts;
};

} // namespace

int main(int argc, char **argv)
{
    // DigestBench [ROUNDS [MIB [BASELINE_PROCGUARDD]]]
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 7;
    const size_t bigBytes = (argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 400) << 20;
    if (geteuid() != 0) {
        std::fprintf(stderr, "DigestBench: run as root (fanotify, tmpfs mounts).\n");
        return 1;
    }
    ScratchDir scratch;
    // The throughput file, on a tmpfs nobody gates.
    TmpfsMount plain(std::to_string((bigBytes >> 20) + 16) + "m");
    const std::string file = plain.path() + "/data";
    if (!plain.ok() || !writeRandom(file, bigBytes)) {
        std::fprintf(stderr, "DigestBench: could not write %s\n", file.c_str());
        return 1;
    }

    // 1. Throughput, interleaved.
    std::vector<double> ours, theirs;
    for (int i = 0; i < 5; ++i) {
        ours.push_back(secondsOf([&] {
            int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
            DigestPool::Result r;
            const bool ok = DigestPool::hashFd(fd, DigestPool::kSha256, 0, nullptr, &r);
            ::close(fd);
            return ok;
        }));
        theirs.push_back(secondsOf([&] {
            const std::string cmd = "openssl dgst -sha256 " + file + " >/dev/null";
            return std::system(cmd.c_str()) == 0;
        }));
    }
    const double mb = static_cast<double>(bigBytes) / (1 << 20);
    const double oursMbs = mb / summarise(ours).median, theirsMbs = mb / summarise(theirs).median;
    std::printf("hashing %.0f MiB: procguardd %.0f MB/s, openssl dgst -sha256 %.0f MB/s "
                "(ratio %.2f; medians of 5)\n",
                mb, oursMbs, theirsMbs, oursMbs / theirsMbs);

    // 2. Head of line, side by side: this build's procguardd, and the
    //    baseline's when one is given, each on its own gated tmpfs,
    //    alternating round by round.
    std::vector<std::unique_ptr<Setup>> setups;
    setups.push_back(std::make_unique<Setup>("procguardd", "", bigBytes, scratch));
    if (argc > 3)
        setups.push_back(std::make_unique<Setup>("baseline", argv[3], bigBytes, scratch));
    for (auto &s : setups) {
        if (!s->ok) {
            std::fprintf(stderr, "DigestBench: %s: %s\n", s->label.c_str(), s->error.c_str());
            return 1;
        }
    }
    for (int round = 0; round < rounds; ++round) {
        for (auto &s : setups)
            s->round();
    }
    for (auto &s : setups) {
        const Summary a = summarise(s->alone), d = summarise(s->during),
                      b = summarise(s->bigStarts);
        std::printf("%-10s unrelated uncached start: alone median %.0f us, while a %.0f MiB "
                    "program is hashed median %.0f us (added %.0f us; %zu rounds); the big "
                    "start itself median %.0f us\n",
                    s->label.c_str(), a.median, mb, d.median, d.median - a.median, a.n, b.median);
    }
    Daemon &daemon = setups.front()->daemon;
    const std::string &socket = setups.front()->socket;
    const std::vector<std::string> &args = setups.front()->args;
    const std::string big = setups.front()->big;
    std::string error;

    // 3. Restart: nothing is hashed again.
    const uint64_t before = statusOf(socket).digestMisses;
    daemon.stop(SIGTERM);
    if (!daemon.start(args, socket, scratch.path() + "/daemon-2.log", &error)) {
        std::fprintf(stderr, "DigestBench: %s\n", error.c_str());
        return 1;
    }
    const double again = timedStart(big);
    const pg::Status st = statusOf(socket);
    std::printf("after a restart: the %.0f MiB program started in %.0f us; digests computed %llu "
                "(before the restart: %llu), from the cache %llu\n",
                mb, again, static_cast<unsigned long long>(st.digestMisses),
                static_cast<unsigned long long>(before),
                static_cast<unsigned long long>(st.digestHits));
    daemon.stop(SIGTERM);
    return 0;
}
