// RuleDecisionBench.cpp - how long the core's rule cache takes to decide a
// start with 10,000 rules of mixed kinds. Prints figures; judges nothing.
//
// The policy: exact paths, globs, directory prefixes, conditional rules
// (user or parent), command-line globs and SHA-256 digests. The starts: a
// realistic mix of hits of each kind and misses, matched with every fact
// known (what procguardd's user-mode side has after the facts loop), and
// again with no command line or digest known (the first, provisional pass).
// Each decision is timed on its own with the steady clock; the clock's own
// cost is measured and printed so it can be taken off by eye.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "Messages.h"
#include "pg_rules.h"

namespace
{

using Clock = std::chrono::steady_clock;

std::string hex64(std::mt19937_64 &rng)
{
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < 64; ++i)
        s += digits[rng() & 15u];
    return s;
}

struct Start {
    const char *what;
    std::string image, parent, cmdline, sha;
    uint32_t uid = 1000;
};

struct Figures {
    double median, p99, mean;
};

Figures summarise(std::vector<double> ns)
{
    std::sort(ns.begin(), ns.end());
    double sum = 0;
    for (double v : ns)
        sum += v;
    return {ns[ns.size() / 2], ns[std::min(ns.size() - 1, ns.size() * 99 / 100)],
            sum / static_cast<double>(ns.size())};
}

} // namespace

int main(int argc, char **argv)
{
    const size_t rounds = argc > 1 ? static_cast<size_t>(std::atol(argv[1])) : 200000;
    std::mt19937_64 rng(42);

    // ---- 10,000 rules ----------------------------------------------------
    pg::Policy policy;
    std::vector<std::string> shas;
    auto add = [&](pg::RuleKind k, pg::Verdict a, const std::string &pattern) -> pg::Rule & {
        pg::Rule r;
        r.kind = k;
        r.action = a;
        r.pattern = pattern;
        policy.rules.push_back(r);
        return policy.rules.back();
    };
    for (int i = 0; i < 3000; ++i)
        add(pg::RuleKind::Exact, i % 3 ? pg::Verdict::Allow : pg::Verdict::Block,
            "/opt/app" + std::to_string(i) + "/bin/app" + std::to_string(i));
    for (int i = 0; i < 2000; ++i)
        add(pg::RuleKind::Glob, pg::Verdict::Allow,
            "/home/*/games" + std::to_string(i) + "/**/*.bin");
    for (int i = 0; i < 2000; ++i)
        add(pg::RuleKind::Prefix, pg::Verdict::Allow,
            "/srv/tree" + std::to_string(i % 200) + "/leaf" + std::to_string(i) + "/");
    for (int i = 0; i < 1000; ++i) {
        pg::Rule &r =
            add(pg::RuleKind::Exact, pg::Verdict::Block, "/usr/games/game" + std::to_string(i));
        if (i % 2)
            r.uid = 1000;
        else
            r.parent = "/usr/bin/*sh";
    }
    for (int i = 0; i < 1000; ++i)
        add(pg::RuleKind::Cmdline, pg::Verdict::Block,
            "browser" + std::to_string(i) + " *--private*");
    for (int i = 0; i < 1000; ++i) {
        shas.push_back(hex64(rng));
        add(pg::RuleKind::Sha256, pg::Verdict::Block, shas.back());
    }
    std::string error;
    const std::vector<uint8_t> bytes = pg::msg::encodeSetPolicy(1, policy, &error);
    if (bytes.empty()) {
        std::fprintf(stderr, "encode failed: %s\n", error.c_str());
        return 1;
    }
    const uint8_t *records = bytes.data() + sizeof(pg_policy);
    const size_t len = bytes.size() - sizeof(pg_policy);
    const uint32_t count = static_cast<uint32_t>(policy.rules.size());
    std::vector<uint8_t> arena(pg_rule_cache_arena_size(records, len, count));
    pg_rule_cache cache;
    const auto b0 = Clock::now();
    if (pg_rule_cache_build(&cache, arena.data(), arena.size(), records, len, count, 0) != PG_OK) {
        std::fprintf(stderr, "build failed\n");
        return 1;
    }
    const double buildMs = std::chrono::duration<double, std::milli>(Clock::now() - b0).count();

    // ---- the start mix ---------------------------------------------------
    std::vector<Start> mix;
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
    const std::string noSha(64, '0');
    for (int i = 0; i < 4096; ++i) {
        Start s;
        s.sha = noSha;
        s.parent = "/usr/bin/bash";
        switch (i % 8) {
        case 0: {
            const int k = pick(3000);
            s.what = "exact hit";
            s.image = "/opt/app" + std::to_string(k) + "/bin/app" + std::to_string(k);
            break;
        }
        case 1: {
            s.what = "glob hit";
            s.image = "/home/kid/games" + std::to_string(pick(2000)) + "/lvl/x/run.bin";
            break;
        }
        case 2: {
            const int k = pick(2000);
            s.what = "prefix hit";
            s.image =
                "/srv/tree" + std::to_string(k % 200) + "/leaf" + std::to_string(k) + "/bin/tool";
            break;
        }
        case 3: {
            s.what = "conditional hit";
            s.image = "/usr/games/game" + std::to_string(pick(1000));
            break;
        }
        case 4: {
            const int k = pick(1000);
            s.what = "cmdline hit";
            s.image = "/usr/bin/browser" + std::to_string(k);
            s.cmdline = "browser" + std::to_string(k) + " --private-window https://x";
            break;
        }
        case 5: {
            s.what = "sha256 hit";
            s.image = "/tmp/downloaded" + std::to_string(i);
            s.sha = shas[static_cast<size_t>(pick(1000))];
            break;
        }
        default: {
            s.what = "miss";
            s.image = "/usr/lib/x86_64-linux-gnu/libexec/helper" + std::to_string(i);
            break;
        }
        }
        if (s.cmdline.empty())
            s.cmdline = s.image.substr(s.image.rfind('/') + 1) + " --flag value";
        mix.push_back(s);
    }

    const uint32_t gids[] = {1000, 100};
    auto input = [&](const Start &s, bool allFacts) {
        pg_match_input in;
        std::memset(&in, 0, sizeof in);
        in.image = s.image.data();
        in.image_len = s.image.size();
        in.parent_image = s.parent.data();
        in.parent_len = s.parent.size();
        in.uid = s.uid;
        in.gids = gids;
        in.gid_count = 2;
        if (allFacts) {
            in.known = PG_FACT_CMDLINE | PG_FACT_SHA256 | PG_FACT_PACKAGE;
            in.cmdline = s.cmdline.data();
            in.cmdline_len = s.cmdline.size();
            in.sha256_hex = s.sha.c_str();
        }
        return in;
    };

    // Clock cost: two reads back to back.
    std::vector<double> clockNs;
    for (int i = 0; i < 100000; ++i) {
        const auto t0 = Clock::now();
        const auto t1 = Clock::now();
        clockNs.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
    }
    const Figures clockF = summarise(clockNs);

    std::printf("RuleDecisionBench: %u rules (3000 exact, 2000 glob, 2000 prefix, 1000 "
                "conditional, 1000 cmdline, 1000 sha256), arena %zu bytes, built in %.2f ms\n",
                count, arena.size(), buildMs);
    std::printf("%zu decisions per run; clock read pair: median %.0f ns (included below)\n\n",
                rounds, clockF.median);
    std::printf("%-34s %10s %10s %10s %8s\n", "pass / start kind", "median ns", "p99 ns", "mean ns",
                "matched");

    for (int pass = 0; pass < 2; ++pass) {
        const bool allFacts = pass == 0;
        const char *passName = allFacts ? "all facts" : "first pass (no cmdline/sha)";
        std::vector<std::string> kinds{"exact hit",   "glob hit",   "prefix hit", "conditional hit",
                                       "cmdline hit", "sha256 hit", "miss"};
        std::vector<std::vector<double>> per(kinds.size());
        std::vector<double> all;
        std::vector<size_t> matched(kinds.size(), 0);
        volatile uint32_t sink = 0;
        for (size_t i = 0; i < rounds; ++i) {
            const Start &s = mix[i % mix.size()];
            const pg_match_input in = input(s, allFacts);
            pg_match_result r;
            const auto t0 = Clock::now();
            const int hit = pg_rule_cache_match(&cache, &in, &r);
            const auto t1 = Clock::now();
            sink = sink + r.rule_id;
            const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
            const size_t k =
                static_cast<size_t>(std::find(kinds.begin(), kinds.end(), s.what) - kinds.begin());
            per[k].push_back(ns);
            matched[k] += hit ? 1 : 0;
            all.push_back(ns);
        }
        for (size_t k = 0; k < kinds.size(); ++k) {
            const Figures f = summarise(per[k]);
            std::printf(
                "%-12s %-21s %10.0f %10.0f %10.0f %7.0f%%\n", allFacts ? "all facts" : "first pass",
                kinds[k].c_str(), f.median, f.p99, f.mean,
                100.0 * static_cast<double>(matched[k]) / static_cast<double>(per[k].size()));
        }
        const Figures f = summarise(all);
        std::printf("%-34s %10.0f %10.0f %10.0f\n\n", (std::string(passName) + ": all").c_str(),
                    f.median, f.p99, f.mean);
    }
    return 0;
}
