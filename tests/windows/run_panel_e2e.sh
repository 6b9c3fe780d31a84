#!/usr/bin/env bash
# The Windows panel end to end under Wine on a private X server (run it
# through tests/ui/run-under-xvfb.sh): the x64 TEST driver installed and
# started through the SCM (procguardctl.exe), prompt mode with block as the
# default verdict, procguard-panel.exe started from its folder as installed
# (it connects as the controlling client), starts injected with
# pgwintest.exe inject (the driver's real create-callback code):
#   1. the approval window appears naming the program; a key press on
#      Block ends the start with the driver's block status;
#   2. a second start, Allow: it runs (status 0);
#   3. a third start, then the panel is killed: the hold is released with
#      the default verdict (block).
#   run_panel_e2e.sh <driver dir> <pgwintest dir> <mingw bin dir> <panel dir> [screenshot dir]
# Exit 77 (skipped) when wine, xdotool or a display is missing.
set -uo pipefail
drivers=${1:?driver dir}
bins=${2:?pgwintest dir}
app=${3:?mingw bin dir}
panel=${4:?panel dir}
shots=${5:-}
wine=${WINE:-wine}
for tool in "$wine" xdotool; do
  command -v "$tool" >/dev/null || { echo "panel e2e: SKIPPED: $tool not found" >&2; exit 77; }
done
[ -n "${DISPLAY:-}" ] || { echo "panel e2e: SKIPPED: no DISPLAY (run-under-xvfb.sh)" >&2; exit 77; }

prefix=$(mktemp -d "${TMPDIR:-/tmp}/pgwinpanel.XXXXXX")
export WINEPREFIX=$prefix/prefix WINEDEBUG=-all WINEARCH=win64
wm=
cleanup() {
  [ -n "$wm" ] && kill "$wm" 2>/dev/null
  wineserver -k >/dev/null 2>&1 || true
  rm -rf "$prefix"
}
trap cleanup EXIT

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
winpath() { echo "Z:${1//\//\\}"; }
ctl() { "$wine" "$app/procguardctl.exe" "$@" 2>/dev/null | tr -d '\r'; }
state_is() { [ "$(ctl state)" = "$1" ]; }
wait_until() { # seconds, command...: true once command is, within the time
  local deadline=$((SECONDS + $1))
  shift
  while [ $SECONDS -lt $deadline ]; do
    "$@" && return 0
    sleep 0.3
  done
  return 1
}
start_driver() {
  local deadline=$((SECONDS + 90))
  while [ $SECONDS -lt $deadline ]; do
    "$wine" "$app/procguardctl.exe" start >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}
shot() { # name
  [ -n "$shots" ] || return 0
  mkdir -p "$shots"
  import -window root "$shots/$1.png" 2>/dev/null || true
}

command -v openbox >/dev/null && { openbox >/dev/null 2>&1 & wm=$!; }
"$wine" wineboot -i >/dev/null 2>&1
wineserver -p 30 >/dev/null 2>&1 &

step "install the test driver" bash -c "$(declare -f ctl); wine=$wine; app=$app; ctl install '$(winpath "$drivers/x64-test/procguard.sys")' >/dev/null"
step "installed" wait_until 30 state_is stopped
step "start the test driver" start_driver
# Keeps the prefix (and the driver's device host) up; see run_wine_tests.sh.
"$wine" "$bins/pgwintest.exe" keepalive 900 >"$prefix/keeper.out" 2>/dev/null &
step "keeper up" wait_until 30 grep -q keeping "$prefix/keeper.out"
state_is running || start_driver
step "running" wait_until 30 state_is running
# The launcher may wait for the person (a 60 s hold budget), so a verdict
# is the injected start's own status; nobody answering would take 60 s, so
# a verdict within 30 s is the panel's.
step "prompt mode, default block" bash -c "$(declare -f ctl); wine=$wine; app=$app; ctl mode prompt --default block --timeout 60s --budget 60s >/dev/null"

echo "== the panel connects as the controlling client"
export WINEPATH
"$wine" "$panel/procguard-panel.exe" --journal 'C:\journal.db' >"$prefix/panel.out" 2>&1 &
panel_pid=$!
controller() { ctl status | grep -q '^Controller pid: *[1-9]'; }
step "panel is the controller" wait_until 60 controller

inject() { # pid ntpath outfile
  "$wine" "$bins/pgwintest.exe" inject "$1" "$2" 2>/dev/null | tr -d '\r' >"$3" &
}
dialog_for() { xdotool search --name "allow $1" 2>/dev/null | head -n1; }
answer() { # program key
  local w
  w=$(dialog_for "$1")
  [ -n "$w" ] || return 1
  sleep 1.5 # the buttons ignore input right after the dialog appears
  xdotool windowactivate --sync "$w" >/dev/null 2>&1
  xdotool key --window "$w" "$2"
}
has() { [ -s "$1" ] && [ "$(cat "$1")" = "$2" ]; }

echo "== Block"
inject 7101 '\??\C:\Apps\hello.exe' "$prefix/hello.out"
step "approval window names hello.exe" wait_until 60 bash -c "xdotool search --name 'allow hello.exe' >/dev/null 2>&1"
shot windows-approval
step "Block pressed" answer hello.exe alt+b
step "the start ends with the driver's block status" wait_until 30 has "$prefix/hello.out" 0xC0000022
echo "  hello.exe: $(cat "$prefix/hello.out")"

echo "== Allow"
inject 7102 '\??\C:\Apps\editor.exe' "$prefix/editor.out"
step "approval window names editor.exe" wait_until 60 bash -c "xdotool search --name 'allow editor.exe' >/dev/null 2>&1"
step "Allow pressed" answer editor.exe alt+a
step "the start runs (status 0)" wait_until 30 has "$prefix/editor.out" 0x00000000
echo "  editor.exe: $(cat "$prefix/editor.out")"

echo "== the panel is killed while a start is held"
inject 7103 '\??\C:\Apps\late.exe' "$prefix/late.out"
step "approval window names late.exe" wait_until 60 bash -c "xdotool search --name 'allow late.exe' >/dev/null 2>&1"
shot windows-main-window-held
kill -9 "$panel_pid" 2>/dev/null
"$wine" taskkill /F /IM procguard-panel.exe >/dev/null 2>&1
step "the hold is released with the default verdict (block)" wait_until 30 has "$prefix/late.out" 0xC0000022
echo "  late.exe: $(cat "$prefix/late.out")"

step "no start timed out" bash -c "$(declare -f ctl); wine=$wine; app=$app; ctl status | grep -q '^Timeouts: *0$'"
ctl stop >/dev/null
echo "panel e2e: $failures failed check(s)"
[ $failures -eq 0 ]
