#!/usr/bin/env bash
# Installs dependencies, builds everything and runs every test (as root).
#
#   1. Debian packages (tools/deps.sh)
#   2. native build with warnings as errors (preset "ci")
#   3. Windows cross builds of the portable core (presets "mingw-x64", "mingw-x86")
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

echo "== cross build of the portable core (mingw-w64 x64, x86) =="
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
