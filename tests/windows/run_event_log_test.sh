#!/usr/bin/env bash
# Runs the WindowsEventLog tests of pg_windows_unit_tests.exe under Wine with
# the "eventlog" debug channel on, and checks that the ECS object the test
# reported as a warning reached Wine's ReportEventW (Wine keeps no event log:
# its ReportEventW succeeds and traces each insertion string there, warnings
# as warn:eventlog). Fresh WINEPREFIX, removed afterwards.
#   run_event_log_test.sh <pg_windows_unit_tests.exe>
# Exit status: 0 good, 1 failed, 77 (skipped) when wine is missing.
set -uo pipefail
exe=${1:?pg_windows_unit_tests.exe}
wine=${WINE:-wine}
if ! command -v "$wine" >/dev/null; then
  echo "run_event_log_test: wine not found (tools/deps.sh installs it)" >&2
  exit 77
fi
prefix=$(mktemp -d "${TMPDIR:-/tmp}/pgwine.XXXXXX")
trace=$prefix.trace
export WINEPREFIX=$prefix WINEARCH=win64
cleanup() {
  wineserver -k >/dev/null 2>&1 || true
  rm -rf "$prefix" "$trace"
}
trap cleanup EXIT
WINEDEBUG=-all "$wine" wineboot -i >/dev/null 2>&1
WINEDEBUG=-all,warn+eventlog,trace+eventlog "$wine" "$exe" --gtest_filter='WindowsEventLog.*' \
  2>"$trace"
rc=$?
if [ $rc -ne 0 ]; then
  echo "run_event_log_test: the tests failed ($rc)"
  cat "$trace" >&2
  exit 1
fi
marker='{\"@timestamp\":\"2024-05-01T12:00:00.000000Z\",\"ecs\":{\"version\":\"'
failures=0
for level in warn trace; do
  if grep -F ":$level:eventlog:ReportEventW" "$trace" | grep -qF "$marker"; then
    echo "ok: the ECS object reached ReportEventW ($level:eventlog)"
  else
    echo "FAILED: no ECS object on $level:eventlog"
    failures=$((failures + 1))
  fi
done
if [ $failures -ne 0 ]; then
  echo "---- wine eventlog trace ----"
  cat "$trace"
  exit 1
fi
exit 0
