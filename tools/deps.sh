#!/usr/bin/env bash
# Installs what ProcGuard needs to build and test on Debian 12 (as root),
# then what the Windows panel's cross build needs and Debian does not
# package for mingw-w64 (tools/mingw-deps.sh: Qt and SQLite in a cache
# folder). Idempotent: does nothing when everything is already there.
set -euo pipefail
here=$(dirname "$0")

packages=(
  build-essential cmake ninja-build pkg-config git clang-format
  clang libclang-rt-14-dev
  libbpf-dev bpftool llvm
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libsqlite3-dev libssl-dev
  libcurl4-openssl-dev zlib1g-dev openssl
  qtbase5-dev qttools5-dev-tools libqt5svg5-dev xvfb xauth
  mingw-w64 wine wine64 osslsigncode tcl xz-utils xdotool openbox imagemagick
  nsis p7zip-full lintian appstream desktop-file-utils dpkg-dev man-db
  python3 ansible-core
  rsyslog nodejs  # the ECS tests: their own rsyslogd (private config), @elastic/ecs via npm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm: Debian's package, unless the installed nodejs brings its own.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
elif [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing packages (${missing[*]}); run this as root to install them." >&2
  exit 1
else
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

"$here/mingw-deps.sh"
