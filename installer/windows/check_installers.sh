#!/usr/bin/env bash
# installer.Contents: the NSIS installers read without running them (this
# machine's Wine runs 64-bit programs only, so the x86 installer cannot run
# here). For each architecture:
#   - the installer itself: PE32 (x86) or PE32+ (x64), version information
#     from resources/windows, a manifest asking for administrator rights;
#   - its payload, listed and extracted with 7-Zip: exactly one driver,
#     byte for byte the release procguard.sys of that architecture, which
#     passes the release driver checks (pe_check.py) for that architecture;
#     the console tool, byte for byte the build of that architecture, with
#     its version information and asInvoker manifest.
# usage: check_installers.sh <7z> <python3> <pe_check.py> <objdump> <product>
#            <version> <console tool name>
#            (<x64|x86> <installer.exe> <procguard.sys> <console tool>)...
# Exit 77 (skipped, with the reason) when 7z is missing.
set -uo pipefail

sevenzip=${1:?7z}
python=${2:?python3}
pe_check=${3:?pe_check.py}
objdump=${4:?objdump}
product=${5:?product}
version=${6:?version}
ctl_name=${7:?console tool name}
shift 7
command -v "$sevenzip" >/dev/null || {
  echo "check_installers: SKIPPED: 7z not found (tools/deps.sh installs p7zip-full)" >&2
  exit 77
}

work=$(mktemp -d "${TMPDIR:-/tmp}/pginstc.XXXXXX")
trap 'rm -rf "$work"' EXIT
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
pe() { # pe_check.py arguments...: its output indented, its status
  "$python" "$pe_check" "$objdump" "$@" | sed 's/^/    /'
  return "${PIPESTATUS[0]}"
}
program_checks=("--product=$product" "--version=$version")

while [ $# -ge 4 ]; do
  arch=$1 installer=$2 driver=$3 tool=$4
  shift 4
  echo "== $arch: $installer"
  if ! check "$arch installer exists" test -f "$installer"; then
    continue
  fi
  check "$arch installer: architecture, version information, requireAdministrator" \
    pe program "${program_checks[@]}" --machine="$arch" --subsystem=gui \
    --level=requireAdministrator "$installer"

  listing=$("$sevenzip" l -slt "$installer" | tr -d '\r' | sed -n 's/^Path = //p' | tail -n +2)
  echo "$listing" | sed 's/^/  payload: /'
  drivers=$(echo "$listing" | grep -c 'procguard\.sys$')
  check "$arch installer has one procguard.sys (has $drivers)" test "$drivers" -eq 1
  check "$arch installer writes the driver to System32\\drivers" \
    grep -qx '\$SYSDIR/drivers/procguard.sys' <<<"$listing"
  check "$arch installer has $ctl_name" grep -qx "$ctl_name" <<<"$listing"
  check "$arch installer has the uninstaller" grep -qx 'uninstall.exe' <<<"$listing"

  out=$work/$arch
  "$sevenzip" x -y "-o$out" "$installer" >/dev/null
  check "$arch payload extracts" test $? -eq 0
  x_driver=$out/\$SYSDIR/drivers/procguard.sys
  x_tool=$out/$ctl_name
  check "$arch driver is the $arch release image" cmp -s "$x_driver" "$driver"
  check "$arch driver: release checks for $arch" pe release --machine="$arch" "$x_driver"
  check "$arch console tool is the $arch build" cmp -s "$x_tool" "$tool"
  check "$arch console tool: architecture, version information, asInvoker" \
    pe program "${program_checks[@]}" --machine="$arch" --subsystem=console \
    --level=asInvoker --name="$(basename "$tool")" "$x_tool"
done

echo "installer contents: $failures failed check(s)"
[ $failures -eq 0 ]
