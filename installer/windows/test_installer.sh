#!/usr/bin/env bash
# wine.InstallerInstallUpgradeUninstall: the NSIS installer under Wine, in a
# fresh WINEPREFIX (removed afterwards), WINEDEBUG=-all.
#   test_installer.sh <makensis> <procguard.nsi> <installer.exe> <console tool name>
#                     <policy blob> -- <makensis defines of installer.exe>...
# 1. an older build (made here from the same script, version 0.0.1) installs
#    silently: files, the service (system start) running the driver, the
#    console tool's `status`;
# 2. a policy is stored under the service's Parameters key, the current
#    installer upgrades in place: the policy is byte for byte the same, the
#    version is the new one, the driver runs again;
# 3. the silent uninstaller leaves no service, no registry key and no file.
# When the installer ships the panel (a -DPANEL_DIR define): the panel
# folder with its Qt DLLs and plugins and the runtime DLLs, its Start menu
# entry and autostart task, `procguard-panel.exe --version` run from the
# install folder with no display; all of it gone after the uninstall.
# Exit 77 (skipped, with the reason) when wine is missing.
set -uo pipefail

makensis=${1:?makensis}
nsi=${2:?nsi}
installer=${3:?installer}
ctl_name=${4:?console tool name}
policy=${5:?policy blob}
shift 5
[ "${1:-}" = "--" ] && shift
defines=("$@")
wine=${WINE:-wine}
command -v "$wine" >/dev/null || { echo "test_installer: SKIPPED: wine not found" >&2; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pginst.XXXXXX")
export WINEPREFIX=$work/prefix WINEDEBUG=-all WINEARCH=win64
cleanup() {
  wineserver -k >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

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
c=$WINEPREFIX/drive_c
instdir="$c/Program Files/ProcGuard"
driver=$c/windows/system32/drivers/procguard.sys
svckey='HKLM\SYSTEM\CurrentControlSet\Services\procguard'
w() { "$wine" "$@" 2>/dev/null | tr -d '\r'; }
ctl() { w "C:\\Program Files\\ProcGuard\\$ctl_name" "$@"; }
# Wine's service manager may answer a moment late after a change.
wait_for() { # description, command...: retried for at most 60 s (Wine starts services slowly)
  local what=$1
  shift
  for _ in $(seq 1 300); do
    "$@" && return 0
    sleep 0.2
  done
  echo "  timed out waiting for: $what" >&2
  return 1
}
# The service state as one word: `pgwinctl status`, or `procguardctl.exe
# state` (where `status` reports the driver's own counters instead).
state_cmd=state
[ "$ctl_name" = pgwinctl.exe ] && state_cmd=status
state_is() { [ "$(ctl $state_cmd)" = "$1" ]; }
policy_hex() { w reg query "$svckey\\Parameters" /v Policy | awk '/Policy/ {print $3}'; }

echo "== makensis: an older version from the same script"
old=$work/ProcGuard-0.0.1-x64.exe
old_defines=()
x64_driver=
panel_dir=
for d in "${defines[@]}"; do
  case $d in
  -DVERSION=* | -DOUTFILE=*) ;;
  *) old_defines+=("$d") ;;
  esac
  case $d in -DDRIVER=*) x64_driver=${d#-DDRIVER=} ;; esac
  case $d in -DPANEL_DIR=*) panel_dir=${d#-DPANEL_DIR=} ;; esac
done
"$makensis" -V1 -DVERSION=0.0.1 "-DOUTFILE=$old" "${old_defines[@]}" "$nsi" || exit 1

w wineboot -i >/dev/null
wineserver -p 60 >/dev/null 2>&1 &

echo "== silent install (0.0.1)"
"$wine" "$old" /S >/dev/null 2>&1
check "installer exits 0" test $? -eq 0
check "console tool installed" test -f "$instdir/$ctl_name"
check "uninstaller installed" test -f "$instdir/uninstall.exe"
check "driver installed in System32\\drivers" cmp -s "$driver" "$x64_driver"
check "service is a system-start kernel driver" \
  bash -c "w() { \"$wine\" \"\$@\" 2>/dev/null | tr -d '\r'; }; w reg query '$svckey' /v Start | grep -q '0x1' && w reg query '$svckey' /v Type | grep -q '0x1'"
check "service runs the driver" wait_for "running" state_is running
status=$("$wine" "C:\\Program Files\\ProcGuard\\$ctl_name" status 2>&1 | tr -d '\r')
rc=$?
echo "$status" | sed "s/^/  $ctl_name status: /"
check "$ctl_name status works" test $rc -eq 0 -a -n "$status"
check "Start menu entries" test -f "$c/ProgramData/Microsoft/Windows/Start Menu/Programs/ProcGuard/Uninstall ProcGuard.lnk"
check "version 0.0.1 registered" bash -c "\"$wine\" reg query 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\ProcGuard' /v DisplayVersion 2>/dev/null | grep -q 0.0.1"
check "architecture x64 registered" bash -c "\"$wine\" reg query 'HKLM\\Software\\ProcGuard' /v Architecture 2>/dev/null | grep -q x64"
evkey='HKLM\SYSTEM\CurrentControlSet\Services\EventLog\ProcGuard'
check "event log source registered with the console tool's messages" \
  bash -c "\"$wine\" reg query '$evkey\\ProcGuard' /v EventMessageFile 2>/dev/null | grep -qi '$ctl_name' && \"$wine\" reg query '$evkey\\ProcGuard' /v TypesSupported 2>/dev/null | grep -q 0x7"

startmenu="$c/ProgramData/Microsoft/Windows/Start Menu/Programs/ProcGuard"
task="$c/windows/system32/tasks/ProcGuard panel"
if [ -n "$panel_dir" ]; then
  echo "== the control panel"
  for f in procguard-panel.exe Qt5Core.dll Qt5Gui.dll Qt5Widgets.dll Qt5Svg.dll \
    platforms/qwindows.dll styles/qwindowsvistastyle.dll imageformats/qsvg.dll \
    iconengines/qsvgicon.dll libgcc_s_seh-1.dll libstdc++-6.dll libwinpthread-1.dll; do
    check "panel\\$f installed as built" cmp -s "$instdir/panel/$f" "$panel_dir/$f"
  done
  check "Start menu entry of the panel" test -f "$startmenu/ProcGuard.lnk"
  # The definition the installer registered (UTF-16, beside the panel), and
  # the task itself. Wine's task scheduler keeps a task's name and settings
  # but drops its triggers, principal and action, so those are read from
  # the definition.
  xml="$instdir/panel/autostart-task.xml"
  task_text() { tr -d '\0\r' <"$xml"; }
  task_ok() {
    [ -f "$task" ] && [ -f "$xml" ] &&
      task_text | grep -q 'Program Files\\ProcGuard\\panel\\procguard-panel.exe</Command>' &&
      task_text | grep -q '<Arguments>--tray</Arguments>' &&
      task_text | grep -q '<LogonTrigger><Enabled>true</Enabled></LogonTrigger>' &&
      task_text | grep -q '<GroupId>S-1-5-32-544</GroupId><RunLevel>HighestAvailable</RunLevel>'
  }
  check "autostart task (at logon) starts the panel in the tray" task_ok
  version=$(env -u DISPLAY -u WAYLAND_DISPLAY "$wine" "C:\\Program Files\\ProcGuard\\panel\\procguard-panel.exe" --version 2>/dev/null | tr -d '\r')
  echo "  procguard-panel.exe --version: $version"
  version_ok() { [[ $version =~ ^procguard-panel\ [0-9]+\.[0-9]+\.[0-9]+$ ]]; }
  check "procguard-panel.exe --version runs from the install folder" version_ok
fi

echo "== upgrade in place keeps the policy"
hex=$(od -An -v -tx1 "$policy" | tr -d ' \n')
w reg add "$svckey\\Parameters" /v Policy /t REG_BINARY /d "$hex" /f >/dev/null
before=$(policy_hex)
check "policy stored under the service key" test -n "$before"
"$wine" "$installer" /S >/dev/null 2>&1
check "upgrade exits 0" test $? -eq 0
check "the new version is registered" \
  bash -c "\"$wine\" reg query 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\ProcGuard' /v DisplayVersion 2>/dev/null | grep -vq 0.0.1"
after=$(policy_hex)
check "policy unchanged by the upgrade" test -n "$after" -a "$before" = "$after"
check "driver runs after the upgrade" wait_for "running" state_is running

echo "== silent uninstall"
# The uninstaller copies itself to %TEMP% and returns at once: wait until
# its work is visible.
"$wine" "$instdir/uninstall.exe" /S >/dev/null 2>&1
check "uninstall finishes" wait_for "install folder removed" test ! -e "$instdir"
check "no service left" wait_for "not-installed" bash -c "! \"$wine\" sc query procguard >/dev/null 2>&1"
check "no service key left" wait_for "service key removed" bash -c "! \"$wine\" reg query '$svckey' >/dev/null 2>&1"
check "driver file removed" test ! -e "$driver"
if [ -n "$panel_dir" ]; then
  check "panel folder removed" test ! -e "$instdir/panel"
  check "autostart task removed" test ! -e "$task"
fi
check "Start menu entries removed" test ! -e "$c/ProgramData/Microsoft/Windows/Start Menu/Programs/ProcGuard"
check "event log source removed" bash -c "! \"$wine\" reg query '$evkey' >/dev/null 2>&1"
check "product keys removed" bash -c "! \"$wine\" reg query 'HKLM\\Software\\ProcGuard' >/dev/null 2>&1 && ! \"$wine\" reg query 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\ProcGuard' >/dev/null 2>&1"

echo "installer test: $failures failed check(s)"
[ $failures -eq 0 ]
