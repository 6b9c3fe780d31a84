#!/usr/bin/env bash
# Builds procguard.sys with a mingw-w64 cross compiler.
#   build_driver.sh <x64|x86> <release|test> <output.sys> [source root]
# Invoked by driver/windows/CMakeLists.txt; also usable by hand.
#
# The portable core (driver/core/*.c) is compiled unchanged, as C99 with
# PG_KERNEL_MODE and pg_core_kernel.h force-included; the WDM glue is GNU
# C99 (the ddk headers use anonymous unions). The link flags are those a
# kernel driver needs: native subsystem, DriverEntry as entry point,
# FORCE_INTEGRITY (without it PsSetCreateProcessNotifyRoutineEx fails
# with STATUS_ACCESS_DENIED), NX-compatible, relocatable, and imports from
# ntoskrnl.exe and hal.dll only (libgcc supplies 64-bit division helpers
# on x86 and imports nothing).
set -euo pipefail

arch=${1:?arch}
flavor=${2:?flavor}
out=${3:?output}
root=${4:-$(cd "$(dirname "$0")/../.." && pwd)}

case "$arch" in
x64) triple=x86_64-w64-mingw32 entry=DriverEntry ;;
x86) triple=i686-w64-mingw32 entry=_DriverEntry@8 ;;
*) echo "build_driver: arch must be x64 or x86" >&2; exit 2 ;;
esac
case "$flavor" in
release) defs=() ;;
test) defs=(-DPG_TEST_BUILD) ;;
*) echo "build_driver: flavor must be release or test" >&2; exit 2 ;;
esac

cc=${triple}-gcc
# The ddk/ headers sit in one of the compiler's own include folders.
ddk=
for dir in $(echo | $cc -E -Wp,-v - 2>&1 >/dev/null | sed -n 's/^ \(\/.*\)$/\1/p'); do
  if [ -d "$dir/ddk" ]; then
    ddk=$dir/ddk
    break
  fi
done
if [ -z "$ddk" ]; then
  echo "build_driver: no ddk/ include folder found for $cc" >&2
  exit 1
fi
objdir="${out%.sys}.obj"
mkdir -p "$objdir"

common=(-O2 -Wall -Wextra -Wno-unused-parameter -Wno-multichar -Werror=implicit-function-declaration
        -fno-stack-protector -fno-strict-aliasing -DPG_KERNEL_MODE "${defs[@]}"
        -I"$root/driver/protocol" -I"$root/driver/core" -I"$root/driver/windows"
        -I"$ddk")

objs=()
for f in pg_validate pg_rules pg_schedule pg_pending pg_ring pg_budget pg_sha256; do
  $cc -std=c99 "${common[@]}" -include pg_core_kernel.h -c "$root/driver/core/$f.c" -o "$objdir/$f.o"
  objs+=("$objdir/$f.o")
done
glue=(pg_driver pg_ioctl pg_notify pg_policy pg_account pg_hash)
if [ "$flavor" = test ]; then
  glue+=(pg_test)
fi
for f in "${glue[@]}"; do
  $cc -std=gnu99 "${common[@]}" -c "$root/driver/windows/$f.c" -o "$objdir/$f.o"
  objs+=("$objdir/$f.o")
done

$cc -nostdlib -shared -o "$out" "${objs[@]}" \
  -Wl,--subsystem,native -Wl,--entry,"$entry" -Wl,--forceinteg -Wl,--nxcompat \
  -Wl,--dynamicbase -Wl,--file-alignment,0x200 -Wl,--section-alignment,0x1000 \
  -lntoskrnl -lhal -lgcc
