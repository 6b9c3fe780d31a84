#!/usr/bin/env bash
# procguard-panel.exe --version and --help under Wine with no display: the
# panel prints to standard output and exits 0 without a window (a windowed
# program that would otherwise show a message box).
#   check_panel_version.sh <panel folder> <expected version>
# The panel runs from its folder as installed (its Qt and runtime DLLs
# beside it). Exit status 77 (skipped) when wine is missing.
set -uo pipefail
folder=${1:?panel folder}
version=${2:?version}
here=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT

env -u DISPLAY -u WAYLAND_DISPLAY "$here/run_under_wine.sh" "$folder/procguard-panel.exe" \
  --version >"$out" 2>/dev/null
rc=$?
[ $rc -eq 77 ] && exit 77
if [ $rc -ne 0 ]; then
  echo "FAIL: --version exited $rc"
  exit 1
fi
got=$(tr -d '\r' <"$out")
if [ "$got" != "procguard-panel $version" ]; then
  echo "FAIL: --version printed '$got', expected 'procguard-panel $version'"
  exit 1
fi
echo "ok: --version printed '$got'"

env -u DISPLAY -u WAYLAND_DISPLAY "$here/run_under_wine.sh" "$folder/procguard-panel.exe" \
  --help >"$out" 2>/dev/null
rc=$?
if [ $rc -ne 0 ] || ! grep -q -- '--socket <PATH>' "$out" || ! grep -q -- '--no-connect' "$out"; then
  echo "FAIL: --help exited $rc or printed no option list:"
  cat "$out"
  exit 1
fi
echo "ok: --help printed the options"
