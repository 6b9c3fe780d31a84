#!/usr/bin/env bash
# Runs one Windows program (a googletest executable) under Wine in a fresh
# WINEPREFIX that is removed afterwards, with WINEDEBUG=-all.
#   run_under_wine.sh <program.exe> [arguments...]
# Exit status: the program's; 77 (skipped) when wine is missing.
set -uo pipefail
exe=${1:?program}
shift
wine=${WINE:-wine}
if ! command -v "$wine" >/dev/null; then
  echo "run_under_wine: wine not found (tools/deps.sh installs it)" >&2
  exit 77
fi
prefix=$(mktemp -d "${TMPDIR:-/tmp}/pgwine.XXXXXX")
export WINEPREFIX=$prefix WINEDEBUG=-all WINEARCH=win64
cleanup() {
  wineserver -k >/dev/null 2>&1 || true
  rm -rf "$prefix"
}
trap cleanup EXIT
"$wine" wineboot -i >/dev/null 2>&1
"$wine" "$exe" "$@"
rc=$?
wineserver -w >/dev/null 2>&1 &
exit $rc
