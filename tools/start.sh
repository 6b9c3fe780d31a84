#!/usr/bin/env bash
# Builds ProcGuard and starts it (as root): procguardd in the background and
# the control panel (procguard-panel) connected to it as the controlling
# client. Without a display ($DISPLAY or $WAYLAND_DISPLAY unset) it falls back
# to an interactive approval session at this console (procguardctl approve)
# and says so. Closing the panel (or leaving the session) stops procguardd,
# which releases every held start.
#
#   PG_WATCH="/a /b"   gate only the filesystems holding these paths
#                      (default: every local filesystem)
#   PG_MODE=MODE       monitor | prompt | lockdown, set when the session starts
#   PG_SOCKET=PATH     socket path (default /run/procguard/procguard.sock)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "start: run as root: procguardd needs fanotify." >&2
  exit 1
fi
tools/deps.sh
cmake --preset linux -G Ninja >/dev/null
# Only what runs here: the tests and the Windows images are tools/test.sh's job.
cmake --build --preset linux -j "$(nproc)" --target procguardd procguardctl procguard-panel

bin=build/linux
socket=${PG_SOCKET:-/run/procguard/procguard.sock}
log=$bin/procguardd.log
args=(--socket "$socket")
for w in ${PG_WATCH:-}; do args+=(--watch "$w"); done

"$bin/driver/linux/procguardd" "${args[@]}" 2>"$log" &
daemon=$!
stop() {
  kill -TERM "$daemon" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
}
trap stop EXIT

for _ in $(seq 100); do
  [ -S "$socket" ] && break
  kill -0 "$daemon" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
echo "procguardd is running (pid $daemon, log $log)."

ctl=("$bin/app/ctl/procguardctl" --socket "$socket")
"${ctl[@]}" status

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  [ -n "${PG_MODE:-}" ] && "${ctl[@]}" mode "$PG_MODE"
  echo "start: opening the control panel; closing it stops procguardd."
  "$bin/ui/procguard-panel" --socket "$socket"
else
  echo "start: no display (DISPLAY and WAYLAND_DISPLAY are unset): starting the console" \
    "approval session instead of the panel; leave it with Ctrl+C."
  approve=(approve)
  [ -n "${PG_MODE:-}" ] && approve+=(--mode "$PG_MODE")
  "${ctl[@]}" "${approve[@]}"
fi
