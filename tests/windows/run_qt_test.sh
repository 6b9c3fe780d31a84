#!/usr/bin/env bash
# Runs one Qt Test program of the Windows panel (tests/ui, cross-built with
# mingw-w64) under Wine with the minimal platform (no display), through
# run_under_wine.sh (fresh WINEPREFIX, WINEDEBUG=-all).
#   run_qt_test.sh <Qt folder> <panel folder> <test.exe> [Qt Test arguments...]
# The Qt and runtime DLLs come from the panel folder as installed
# (Qt5Test.dll from the Qt folder), the plugins from the panel folder too.
# Wine drops variables that start with QT_: the WINE-prefixed names reach the
# program as QT_*. Exit status: the test's; 77 when wine is missing.
set -uo pipefail
qt=${1:?Qt folder}
panel=${2:?panel folder}
exe=${3:?test program}
shift 3
winpath() { echo "Z:${1//\//\\}"; }
export WINEPATH="$(winpath "$panel");$(winpath "$qt/bin")"
export WINEQT_PLUGIN_PATH=$(winpath "$panel")
export WINEQT_QPA_PLATFORM=minimal
# Qt Test's output vanishes when standard output is a pipe under Wine.
export WINEQT_LOGGING_TO_CONSOLE=1
exec env -u DISPLAY -u WAYLAND_DISPLAY "$(dirname "$0")/run_under_wine.sh" "$exe" -o -,txt "$@"
