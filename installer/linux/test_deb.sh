#!/usr/bin/env bash
# package.DebInstallRemovePurge: builds the Debian package from a build
# tree, installs it with apt (dependencies resolved), checks what it
# installed, then removes and purges it and checks that nothing is left.
#   test_deb.sh <build dir> <scratch dir>
# Needs root, dpkg and apt-get (exit 77, with the reason, otherwise). Never
# starts the packaged service: the one procguardd this test runs gates only
# a private tmpfs it mounts itself (and unmounts).
set -uo pipefail

build=${1:?build dir}
scratch=${2:?scratch dir}
pkg=procguard
export DEBIAN_FRONTEND=noninteractive

skip() {
  echo "test_deb: SKIPPED: $*" >&2
  exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root (it installs a package)"
command -v dpkg >/dev/null && command -v apt-get >/dev/null || skip "not a Debian system"
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
  skip "package $pkg is installed on this machine; this test will not replace it"
fi

failures=0
check() { # name, command...
  local name=$1
  shift
  if "$@"; then
    echo "[ PASS ] $name"
  else
    echo "[ FAIL ] $name"
    failures=$((failures + 1))
  fi
}

mnt=
cleanup() {
  if [ -n "$mnt" ]; then
    umount "$mnt" 2>/dev/null
    rmdir "$mnt" 2>/dev/null
  fi
  # Never leave the package behind, whatever failed.
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "installed\|config-files"; then
    dpkg --purge "$pkg" >/dev/null 2>&1
  fi
}
trap cleanup EXIT

rm -rf "$scratch"
mkdir -p "$scratch"
echo "== build the package"
if ! (cd "$scratch" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/out" >cpack.log 2>&1); then
  cat "$scratch/cpack.log" >&2
  echo "test_deb: cpack failed" >&2
  exit 1
fi
deb=$(ls "$scratch"/out/${pkg}_*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || { echo "test_deb: no .deb produced" >&2; exit 1; }
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"
dpkg-deb -f "$deb" Package Version Architecture Depends

contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
for f in /usr/sbin/procguardd /usr/sbin/procguard-sentry /usr/bin/procguardctl \
  /usr/bin/procguard-panel /lib/systemd/system/procguard.service \
  /lib/systemd/system/procguard-sentry.service /lib/systemd/system/procguard-sync.service \
  /usr/share/man/man8/procguard-sentry.8.gz \
  /etc/default/procguard \
  /etc/procguard/default-policy.bin /etc/procguard/policy.d/ /usr/share/man/man8/procguardd.8.gz \
  /usr/share/man/man1/procguardctl.1.gz /usr/share/man/man1/procguard-panel.1.gz \
  /usr/share/bash-completion/completions/procguardctl \
  /usr/share/applications/procguard-panel.desktop \
  /usr/share/icons/hicolor/scalable/apps/procguard.svg \
  /usr/share/metainfo/org.procguard.panel.metainfo.xml \
  /usr/share/doc/procguard/copyright /usr/share/doc/procguard/changelog.gz; do
  check "package contains $f" grep -qx "$f" <<<"$contents"
done
check "conffiles are the files under /etc" \
  test "$(dpkg-deb -I "$deb" conffiles | sort | tr '\n' ' ')" = \
  "/etc/default/procguard /etc/procguard/default-policy.bin "

if command -v lintian >/dev/null; then
  echo "== lintian (explained in installer/linux/README.md)"
  lintian --tag-display-limit 0 "$deb" | tee "$scratch/lintian.txt"
  check "lintian reports no errors" bash -c "! grep -q '^E:' '$scratch/lintian.txt'"
else
  echo "lintian not installed: not run (tools/deps.sh installs it)"
fi

echo "== install with apt"
apt-get install -y -q --no-install-recommends "$deb" >"$scratch/apt-install.log" 2>&1
check "apt-get install ./$(basename "$deb")" \
  bash -c "dpkg-query -W -f='\${Status}' $pkg | grep -q 'install ok installed'"
tail -n 3 "$scratch/apt-install.log"
files=$(dpkg -L "$pkg")

version=$(procguardctl --version 2>&1)
echo "procguardctl --version: $version"
check "procguardctl --version" grep -q "^procguardctl [0-9]" <<<"$version"
check "procguardd --version" bash -c "/usr/sbin/procguardd --version | grep -q '^procguardd [0-9]'"
check "procguardd knows --default-policy" bash -c "/usr/sbin/procguardd --help | grep -q -- --default-policy"
check "procguard-sentry --version" bash -c "/usr/sbin/procguard-sentry --version | grep -q '^procguard-sentry [0-9]'"
check "procguard.service brings the sentry" grep -qx 'Wants=procguard-sentry.service' /lib/systemd/system/procguard.service
check "group procguard created" getent group procguard
check "policy directory for managed policy files created" test -d /etc/procguard/policy.d
check "service installed disabled, not started" test ! -e /etc/systemd/system/sysinit.target.wants/procguard.service
check "sync service installed disabled" test ! -e /etc/systemd/system/multi-user.target.wants/procguard-sync.service
check "sync service needs its config" grep -qx 'ConditionPathExists=/etc/procguard/sync.json' /lib/systemd/system/procguard-sync.service
check "bash completion parses" bash -n /usr/share/bash-completion/completions/procguardctl
if command -v man >/dev/null; then
  for page in procguardd procguard-sentry procguardctl procguard-panel; do
    check "man $page renders without warnings" \
      bash -c "test -z \"\$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l \$(man -w $page) 2>&1 >/dev/null)\""
  done
fi
if command -v systemd-analyze >/dev/null; then
  echo "== systemd-analyze verify"
  out=$(systemd-analyze verify /lib/systemd/system/procguard.service \
    /lib/systemd/system/procguard-sentry.service /lib/systemd/system/procguard-sync.service 2>&1)
  echo "${out:-(no output)}"
  check "systemd-analyze verify: nothing about procguard.service" \
    bash -c "! grep -q 'procguard' <<<\"\$1\"" _ "$out"
else
  echo "systemd-analyze not installed: unit not verified"
fi

# The installed daemon starts from the packaged default policy when it has
# no saved one. It gates only a private tmpfs (never /), and SIGTERM stops it.
check "unit restarts on failure within a second" \
  bash -c "grep -qx 'Restart=on-failure' /lib/systemd/system/procguard.service && grep -qx 'RestartSec=1' /lib/systemd/system/procguard.service"

echo "== the installed procguardd reads /etc/procguard/default-policy.bin"
mnt=$(mktemp -d /tmp/pgdeb-gate.XXXXXX)
state=$(mktemp -d /tmp/pgdeb-state.XXXXXX)
if mount -t tmpfs -o size=8m none "$mnt"; then
  /usr/sbin/procguardd --watch "$mnt" --socket "$state/s.sock" --state-dir "$state/lib" \
    --default-policy /etc/procguard/default-policy.bin 2>"$state/log" &
  daemon=$!
  for _ in $(seq 100); do
    [ -S "$state/s.sock" ] && break
    kill -0 "$daemon" 2>/dev/null || break
    sleep 0.1
  done
  check "procguardctl status against the installed daemon" \
    bash -c "procguardctl --socket '$state/s.sock' status | grep -qi monitor"
  check "daemon watches the packaged policy directory" \
    bash -c "procguardctl --socket '$state/s.sock' status | grep -q 'Managed policy:   /etc/procguard/policy.d: 0 file'"
  kill -TERM "$daemon" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$daemon" 2>/dev/null
  wait "$daemon" 2>/dev/null
  check "daemon logged the default policy" grep -q "default policy loaded from /etc/procguard/default-policy.bin" "$state/log"
  umount "$mnt"
  rmdir "$mnt"
  mnt=
else
  echo "[ FAIL ] mount a private tmpfs"
  failures=$((failures + 1))
fi
rm -rf "$state"

echo "== remove"
apt-get remove -y -q "$pkg" >"$scratch/apt-remove.log" 2>&1
check "removed" bash -c "dpkg-query -W -f='\${Status}' $pkg | grep -q 'deinstall ok config-files'"
check "binaries gone after remove" test ! -e /usr/sbin/procguardd -a ! -e /usr/bin/procguardctl
check "conffiles kept after remove" test -e /etc/default/procguard

echo "== purge"
mkdir -p /var/lib/procguard && : >/var/lib/procguard/policy.bin # as a run would leave it
apt-get purge -y -q "$pkg" >"$scratch/apt-purge.log" 2>&1
check "purged" bash -c "! dpkg-query -W -f='\${Status}' $pkg 2>/dev/null | grep -q ."
left=()
while IFS= read -r f; do
  [ -z "$f" ] && continue
  # Files and symbolic links to files; directories (and /lib, a link to
  # /usr/lib on merged-/usr systems) may be shared with other packages.
  if [ -f "$f" ] || { [ -L "$f" ] && [ ! -d "$f" ]; }; then
    left+=("$f")
  fi
done <<<"$files"
for d in /etc/procguard /var/lib/procguard /usr/share/doc/procguard /run/procguard; do
  [ -e "$d" ] && left+=("$d")
done
if [ ${#left[@]} -ne 0 ]; then
  printf 'left behind: %s\n' "${left[@]}"
fi
check "purge leaves no file of the package" test ${#left[@]} -eq 0
check "purge removes the group procguard" bash -c "! getent group procguard"

echo "package test: $failures failed check(s)"
[ $failures -eq 0 ]
