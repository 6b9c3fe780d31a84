#!/usr/bin/env bash
# Installs dependencies, builds everything and runs every test (as root).
#
#   1. Debian packages, Qt for mingw-w64 and SQLite (tools/deps.sh, tools/mingw-deps.sh)
#   2. native build with warnings as errors (preset "ci"); it cross-builds
#      procguard.sys and, in its tests/windows sub-build, procguard-panel.exe
#   3. Windows cross builds of core, app, procguardctl.exe and units (presets "mingw-x64", "mingw-x86")
#   4. libFuzzer targets, each run briefly (preset "fuzz")
#   5. every unit and integration test (ctest, preset "ci") - its summary ends the output
#
# Integration tests run real procguardd instances, each gating only a private
# tmpfs it mounted itself, so this needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "test: run as root: the integration tests mount private tmpfs gates and start procguardd." >&2
  exit 1
fi

jobs=$(nproc)
tools/deps.sh

echo "== build (ci) =="
cmake --preset ci -G Ninja >/dev/null
cmake --build --preset ci -j "$jobs"

echo "== cross build of the Windows user-mode code (mingw-w64 x64, x86) =="
# pg_core, pg_app, procguardctl.exe and the Windows unit tests, for both
# architectures, warnings as errors. The native build above cross-builds the
# x64 set once more (tests/windows) and its ctest runs the units and the
# driver suite under Wine; x86 is compiled only (no 32-bit Wine here).
for p in mingw-x64 mingw-x86; do
  cmake --preset "$p" -G Ninja >/dev/null
  cmake --build --preset "$p" -j "$jobs"
done

echo "== fuzz (clang, libFuzzer) =="
cmake --preset fuzz -G Ninja >/dev/null
cmake --build --preset fuzz -j "$jobs"
ctest --preset fuzz -L fuzz

echo "== tests =="
ctest --preset ci -j 1 --timeout 300
