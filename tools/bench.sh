#!/usr/bin/env bash
# Builds and runs the benchmarks (as root); prints figures, judges nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake --preset linux -G Ninja >/dev/null
cmake --build --preset linux -j "$(nproc)"
b=build/linux/tests/bench
# Exec overhead, then procguardd's CPU per cached start: BPF process facts
# beside the proc connector, in one run.
# With fapolicyd (permissive) beside it in the same run, when it can be
# installed; otherwise without that column.
if command -v fapolicyd >/dev/null || apt-get install -y -q fapolicyd >/dev/null 2>&1; then
    tools/bench-fapolicyd.sh "${PG_BENCH_ROUNDS:-20}" "${PG_BENCH_BATCH:-250}" "${PG_BENCH_CPU_STARTS:-5000}"
else
    "$b/ExecOverheadBench" "${PG_BENCH_ROUNDS:-20}" "${PG_BENCH_BATCH:-250}" "${PG_BENCH_CPU_STARTS:-5000}"
fi
# An open() of a data file on a gated filesystem, with and without every
# open going through procguardd.
"$b/OpenOverheadBench" "${PG_OPEN_ROUNDS:-30}" "${PG_OPEN_BATCH:-2000}"
# The storm with each process-facts source (auto is BPF where it loads).
"$b/StormBench" "${PG_STORM_STARTS:-10000}" auto
"$b/StormBench" "${PG_STORM_STARTS:-10000}" connector
"$b/DigestBench" "${PG_DIGEST_ROUNDS:-7}" "${PG_DIGEST_MIB:-400}"
# The SIEM output: encoding and procguardd's event-sink queue.
"$b/EcsBench"
