#!/usr/bin/env bash
# Windows integration suite under Wine: the real procguard.sys through the
# SCM and DeviceIoControl.
#   run_wine_tests.sh <dir with x64-test/ x64-release/ procguard.sys> <dir with pgwinctl.exe pgwintest.exe>
# Uses a fresh WINEPREFIX per run (removed afterwards) and WINEDEBUG=-all.
# Only the x64 driver runs: a 32-bit driver needs a 32-bit Wine, which
# this suite does not require; the x86 files are checked statically by
# pe_check.py.
set -uo pipefail

drivers=${1:?driver build dir}
bins=${2:?test binaries dir}
wine=${WINE:-wine}
if ! command -v "$wine" >/dev/null; then
  echo "run_wine_tests: wine not found (tools/deps.sh installs it)" >&2
  exit 77
fi

prefix=$(mktemp -d "${TMPDIR:-/tmp}/pgwine.XXXXXX")
export WINEPREFIX=$prefix WINEDEBUG=-all WINEARCH=win64
cleanup() {
  wineserver -k >/dev/null 2>&1 || true
  rm -rf "$prefix"
}
trap cleanup EXIT

winpath() { echo "Z:${1//\//\\}"; }
ctl() { "$wine" "$bins/pgwinctl.exe" "$@"; }

failures=0
step() { # name, command...
  local name=$1
  shift
  if "$@"; then
    echo "[ PASS ] $name"
  else
    echo "[ FAIL ] $name"
    failures=$((failures + 1))
  fi
}
# Wine's service manager may take a moment to list a service it just created.
wait_state() { # wanted state
  for _ in $(seq 1 100); do
    [ "$(ctl status 2>/dev/null | tr -d '\r')" = "$1" ] && return 0
    sleep 0.2
  done
  echo "state is $(ctl status 2>&1 | tr -d '\r'), wanted $1" >&2
  return 1
}

# Right after a fresh prefix boots, Wine's service manager may still be
# loading its database and answer "does not exist" for a service it just
# created; a start is retried for a few seconds. (Windows does not need it.)
start_retry() {
  for _ in $(seq 1 20); do
    ctl start 2>/dev/null && return 0
    sleep 0.5
  done
  ctl start
}

"$wine" wineboot -i >/dev/null 2>&1
wineserver -p 30 >/dev/null 2>&1 &

echo "== test build: install, start, scenarios, uninstall"
step "install test driver" ctl install "$(winpath "$drivers/x64-test/procguard.sys")"
step "installed and stopped" wait_state stopped
step "start test driver" start_retry
step "running" wait_state running
"$wine" "$bins/pgwintest.exe" scenarios
rc=$?
[ $rc -eq 0 ] || failures=$((failures + 1))
if [ "$(ctl status | tr -d '\r')" = running ]; then
  ctl stop
fi
step "stopped after scenarios" wait_state stopped
step "uninstall" ctl uninstall
step "uninstall removes the service" wait_state not-installed

echo "== release build: the test request is not there"
step "install release driver" ctl install "$(winpath "$drivers/x64-release/procguard.sys")"
step "release installed" wait_state stopped
step "start release driver" start_retry
"$wine" "$bins/pgwintest.exe" release-check
[ $? -eq 0 ] || failures=$((failures + 1))
step "stop release driver" ctl stop
step "uninstall release driver" ctl uninstall

echo "wine suite: $failures failed step(s)"
[ $failures -eq 0 ]
