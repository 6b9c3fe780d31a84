#!/usr/bin/env bash
# Windows integration suite under Wine: the real procguard.sys through the
# SCM and DeviceIoControl.
#   run_wine_tests.sh <dir with x64-test/ x64-release/ procguard.sys> <dir with pgwintest.exe>
#                     <dir with procguardctl.exe pg_windows_driver_tests.exe>
# The driver is installed, started, stopped and removed with
# procguardctl.exe (ScmLifecycle); pgwintest.exe drives raw IOCTL scenarios;
# pg_windows_driver_tests.exe (googletest) and procguardctl.exe's own
# commands drive the real KernelLink over DeviceTransport.
# Uses a fresh WINEPREFIX per run (removed afterwards) and WINEDEBUG=-all.
# Only the x64 driver runs: a 32-bit driver needs a 32-bit Wine, which
# this suite does not require; the x86 files are checked statically by
# pe_check.py.
set -uo pipefail

drivers=${1:?driver build dir}
bins=${2:?test binaries dir}
app=${3:?procguardctl.exe dir}
wine=${WINE:-wine}
if ! command -v "$wine" >/dev/null; then
  echo "run_wine_tests: wine not found (tools/deps.sh installs it)" >&2
  exit 77
fi

prefix=$(mktemp -d "${TMPDIR:-/tmp}/pgwine.XXXXXX")
export WINEPREFIX=$prefix WINEDEBUG=${PG_WINEDEBUG:--all} WINEARCH=win64
keeper=
cleanup() {
  [ -n "$keeper" ] && kill "$keeper" 2>/dev/null
  wineserver -k >/dev/null 2>&1 || true
  rm -rf "$prefix"
}
trap cleanup EXIT

winpath() { echo "Z:${1//\//\\}"; }
ctl() { "$wine" "$app/procguardctl.exe" "$@"; }

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
    [ "$(ctl state 2>/dev/null | tr -d '\r')" = "$1" ] && return 0
    sleep 0.2
  done
  echo "state is $(ctl state 2>&1 | tr -d '\r'), wanted $1" >&2
  return 1
}

# Right after a fresh prefix boots, Wine's service manager may still be
# loading its database and answer "does not exist" for a service it just
# created, or report the start of another service still pending; a start
# is retried for up to 90 s. (Windows does not need it.)
start_retry() {
  # Bounded by time, not attempts: on a busy or freshly booted machine one
  # attempt can itself wait for the service manager for several seconds.
  local deadline=$((SECONDS + 90))
  while [ $SECONDS -lt $deadline ]; do
    ctl start 2>/dev/null && return 0
    sleep 0.5
  done
  ctl start
}

# PG_WINE_LOG=FILE keeps the output of the prefix's system processes (the
# driver's DbgPrint with PG_WINEDEBUG=err+debugstr) for debugging.
"$wine" wineboot -i >/dev/null 2>>"${PG_WINE_LOG:-/dev/null}"
wineserver -p 30 >/dev/null 2>&1 &

echo "== test build: install, start, scenarios, uninstall"
step "install test driver" ctl install "$(winpath "$drivers/x64-test/procguard.sys")"
step "installed and stopped" wait_state stopped
step "start test driver" start_retry
# When the last user process of a prefix exits, Wine shuts its system
# processes down within a second or two - the device host that runs
# procguard.sys too (a started driver with no client is "stopped" 2 s
# later). Windows does nothing of the kind. A sleeping process keeps the
# prefix up from here on; started before the first StartService, it made
# that start time out, so it starts once the driver was started. On a
# loaded machine the host may go down before the keeper runs: the driver
# is started again then.
"$wine" "$bins/pgwintest.exe" keepalive 900 >"$prefix/keeper.out" 2>/dev/null &
keeper=$!
keeper_up() {
  for _ in $(seq 1 150); do
    grep -q 'keeping' "$prefix/keeper.out" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}
running_with_keeper() {
  [ "$(ctl state 2>/dev/null | tr -d '\r')" = running ] && return 0
  start_retry && wait_state running
}
step "keeper process up" keeper_up
step "running" running_with_keeper
"$wine" "$bins/pgwintest.exe" scenarios
rc=$?
[ $rc -eq 0 ] || failures=$((failures + 1))
if [ "$(ctl state | tr -d '\r')" != running ]; then
  step "start again for the client scenarios" start_retry
fi

echo "== KernelLink over DeviceTransport: googletest"
"$wine" "$app/pg_windows_driver_tests.exe"
rc=$?
[ $rc -eq 0 ] || { echo "[ FAIL ] pg_windows_driver_tests"; failures=$((failures + 1)); }

echo "== KernelLink over DeviceTransport: procguardctl.exe commands"
out=$prefix/out
inject() { "$wine" "$bins/pgwintest.exe" inject "$@" | tr -d '\r'; }
# expect_start PID NTPATH STATUS: an injected start ends with STATUS.
expect_start() {
  local got
  got=$(inject "$1" "$2")
  [ "$got" = "$3" ] || { echo "start of $2 ended with $got, wanted $3" >&2; return 1; }
}
# wait_for_cmd COMMAND...: the command succeeds within 20 s.
wait_for_cmd() {
  for _ in $(seq 1 100); do
    "$@" && return 0
    sleep 0.2
  done
  return 1
}
# wait_for FILE TEXT: the file shows the text within 20 s.
wait_for() {
  for _ in $(seq 1 100); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "no '$2' in $1:" >&2
  cat "$1" >&2
  return 1
}
controlled() { ctl status 2>/dev/null | tr -d '\r' | grep -q '^Controller pid: *[0-9]'; }
wait_controlled() {
  for _ in $(seq 1 100); do
    controlled && return 0
    sleep 0.2
  done
  return 1
}
status_names_driver() { ctl status | tr -d '\r' | grep -q '^State: *running (procguard'; }
rules_hold() { ctl rules list | tr -d '\r' | grep -q "$1"; }
step "status through the device" status_names_driver
step "mode prompt, default allow" ctl mode prompt --default allow --timeout 20000 --budget 60000
step "rule typed as a Windows path" ctl rules add --block --path 'C:\Apps\Tools\..\Evil.exe'
step "rule stored in the driver's form" rules_hold 'C:/APPS/EVIL.EXE'
step "typed rule blocks the start" expect_start 8101 '\??\C:\Apps\EVIL.exe' 0xC0000022

ctl approve --auto block --count 1 >"$out.approve1" 2>&1 &
approver=$!
step "approve session controls the driver" wait_controlled
step "held start answered block by approve" expect_start 8102 '\??\C:\Apps\asked.exe' 0xC0000022
wait "$approver"
step "approve --auto block --count 1 ends cleanly" test $? -eq 0
step "approve printed its answer" wait_for "$out.approve1" 'C:/APPS/ASKED.EXE: block (auto)'

ctl approve --auto allow --count 1 >"$out.approve2" 2>&1 &
approver=$!
step "second approve session controls the driver" wait_controlled
step "held start answered allow by approve" expect_start 8103 '\??\C:\Apps\asked2.exe' 0x00000000
wait "$approver"
step "approve --auto allow --count 1 ends cleanly" test $? -eq 0

# Signer rules with no controller: procguardctl.exe resolve answers the
# starts the driver holds only for the signer. A program signed here with
# a throwaway certificate that this prefix's Root store trusts, and the
# same program unsigned.
sign=$prefix/sign
make_signed() {
  mkdir -p "$sign" &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout "$sign/key.pem" \
      -out "$sign/cert.pem" -subj "/CN=ProcGuard Test Signer/O=ProcGuard Tests" \
      -addext "keyUsage=critical,digitalSignature,keyCertSign" \
      -addext "extendedKeyUsage=codeSigning" \
      -addext "basicConstraints=critical,CA:TRUE" >/dev/null 2>&1 &&
    openssl x509 -in "$sign/cert.pem" -outform der -out "$sign/root.der" &&
    cp "$bins/pgwintest.exe" "$sign/unsigned.exe" &&
    osslsigncode sign -certs "$sign/cert.pem" -key "$sign/key.pem" -h sha256 \
      -n "ProcGuard resolver test" -in "$sign/unsigned.exe" -out "$sign/signed.exe" >/dev/null &&
    rm -f "$sign/key.pem"
}
step "program signed with a test certificate" make_signed
step "test certificate trusted" "$wine" "$bins/pgwintest.exe" trust-root "$(winpath "$sign/root.der")"
step "mode lockdown" ctl mode lockdown --default block
step "signer rule added" ctl rules add --allow --signer 'ProcGuard Test Signer*'
signed_nt="\\??\\$(winpath "$sign/signed.exe")"
unsigned_nt="\\??\\$(winpath "$sign/unsigned.exe")"
step "signed start blocked with no resolver" expect_start 8201 "$signed_nt" 0xC0000022
ctl resolve >"$out.resolve" 2>&1 &
resolver=$!
step "resolver connected" wait_for "$out.resolve" 'as resolver'
step "signed start allowed through the resolver" expect_start 8202 "$signed_nt" 0x00000000
step "unsigned start blocked through the resolver" expect_start 8203 "$unsigned_nt" 0xC0000022
step "resolver printed its answers" wait_for "$out.resolve" 'allow by the policy'
kill "$resolver" 2>/dev/null
wait "$resolver" 2>/dev/null

step "mode monitor" ctl mode monitor
ctl monitor --json >"$out.monitor" 2>&1 &
monitor=$!
sleep 1
step "start allowed in monitor mode" expect_start 8104 '\??\C:\Apps\seen.exe' 0x00000000
step "monitor streams the start" wait_for "$out.monitor" '"C:/APPS/SEEN.EXE"'
kill "$monitor" 2>/dev/null
wait "$monitor" 2>/dev/null

# The ProcGuard event log: the same ECS object on stdout and through
# ReportEventW. Wine keeps no event log; its ReportEventW traces each string
# (cut after ~300 characters) on the eventlog channel, so the object's start
# up to its sequence number - unique to this event - is looked for there.
ctl monitor --format ecs >"$out.ecs" 2>&1 &
ecs=$!
WINEDEBUG=-all,trace+eventlog ctl monitor --format ecs --event-log >/dev/null 2>"$out.eventlog" &
eventlog=$!
sleep 1
step "ECS start in monitor mode" expect_start 8105 '\??\C:\Apps\ecs.exe' 0x00000000
step "monitor --format ecs prints it" wait_for "$out.ecs" '"C:/APPS/ECS.EXE"'
ecs_prefix() { # the first object naming ecs.exe, up to its sequence number, escaped as Wine shows it
  grep -a 'C:/APPS/ECS.EXE' "$out.ecs" | head -1 | tr -d '\r' |
    sed -E 's/("sequence":[0-9]+).*/\1/; s/"/\\"/g'
}
event_log_has_it() {
  local want
  want=$(ecs_prefix)
  [ -n "$want" ] && grep -a 'trace:eventlog:ReportEventW' "$out.eventlog" | grep -qF "$want"
}
step "--event-log wrote the same object through ReportEventW" wait_for_cmd event_log_has_it
kill "$ecs" "$eventlog" 2>/dev/null
wait "$ecs" "$eventlog" 2>/dev/null
step "rules remove" ctl rules remove 1

ctl stop
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
