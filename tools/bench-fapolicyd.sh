#!/usr/bin/env bash
# Runs ExecOverheadBench with fapolicyd (Debian's package, permissive) beside
# procguardd in the same run. fapolicyd watches filesystems by type and reads
# only /etc/fapolicyd, so for the duration of the run this script:
#   - mounts a ramfs that fapolicyd watches (and a second, ungated one as its
#     baseline); procguardd's scenarios stay on tmpfs, outside fapolicyd;
#   - writes a configuration that watches ramfs only, permissive, file trust,
#     running as root; the distribution's rules (deny_audit execute);
#   - puts every file back and unmounts, also when interrupted or failing.
# Usage (root): tools/bench-fapolicyd.sh [rounds] [batch] [cpu-starts]
# Expects the benchmarks built (tools/bench.sh builds them) and fapolicyd
# installed (tools/bench.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${PG_BENCH_DIR:-build/linux/tests/bench}
bench=$dir/ExecOverheadBench
nop=$dir/pg_bench_nop
[ -x "$bench" ] && [ -x "$nop" ] || { echo "bench-fapolicyd: build the benchmarks first (tools/bench.sh)" >&2; exit 1; }
command -v fapolicyd >/dev/null || { echo "bench-fapolicyd: fapolicyd is not installed (apt-get install fapolicyd)" >&2; exit 1; }
if pgrep -x fapolicyd >/dev/null; then
    echo "bench-fapolicyd: a fapolicyd already runs; stop it first" >&2
    exit 1
fi

conf=/etc/fapolicyd/fapolicyd.conf
rules=/etc/fapolicyd/compiled.rules
work=$(mktemp -d /tmp/pg-fapolicyd-XXXXXX)
mkdir -p "$work/watched" "$work/plain" "$work/saved"
cp -p "$conf" "$work/saved/fapolicyd.conf"
had_rules=0
[ -e "$rules" ] && { had_rules=1; cp -p "$rules" "$work/saved/compiled.rules"; }
fapolicyd_pid=
cleanup() {
    [ -n "$fapolicyd_pid" ] && kill "$fapolicyd_pid" 2>/dev/null && sleep 0.5
    pkill -x fapolicyd 2>/dev/null || true
    umount "$work/watched" 2>/dev/null || true
    umount "$work/plain" 2>/dev/null || true
    cp -p "$work/saved/fapolicyd.conf" "$conf"
    if [ "$had_rules" = 1 ]; then cp -p "$work/saved/compiled.rules" "$rules"; else rm -f "$rules"; fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

mount -t ramfs pg-fapolicyd "$work/watched"
mount -t ramfs pg-plain "$work/plain"
cp "$nop" "$work/watched/nop"
cp "$nop" "$work/plain/nop"
sed -e 's/^permissive = .*/permissive = 1/' -e 's/^watch_fs = .*/watch_fs = ramfs/' \
    -e 's/^trust = .*/trust = file/' -e 's/^uid = .*/uid = root/' -e 's/^gid = .*/gid = root/' \
    -e 's/^do_stat_report = .*/do_stat_report = 0/' "$work/saved/fapolicyd.conf" > "$conf"
[ -e "$rules" ] || fagenrules >/dev/null
fapolicyd --permissive --debug-deny 2> "$work/fapolicyd.log" &
fapolicyd_pid=$!
for _ in $(seq 100); do
    grep -q "Starting to listen for events" "$work/fapolicyd.log" && break
    sleep 0.1
done
grep -q "Starting to listen for events" "$work/fapolicyd.log" || { cat "$work/fapolicyd.log" >&2; echo "bench-fapolicyd: fapolicyd did not start" >&2; exit 1; }
echo "fapolicyd $(dpkg-query -W -f='${Version}' fapolicyd 2>/dev/null) (permissive) watches $work/watched"
PG_BENCH_FAPOLICYD_DIR="$work/watched" PG_BENCH_RAMFS_DIR="$work/plain" \
    "$bench" "${1:-20}" "${2:-250}" "${3:-5000}"
