#!/usr/bin/env python3
"""Static checks of procguard.sys PE files.

usage: pe_check.py <objdump> (release|test) <procguard.sys> [...]

Every file: native subsystem, FORCE_INTEGRITY, NX_COMPAT and DYNAMIC_BASE
set, imports from ntoskrnl.exe and hal.dll only. Release files: neither
the test-build marker string nor the test control code's bytes anywhere
in the image. Test files: the marker is present (so the scan above would
notice it). Prints one line per check and "N passed, N failed".
"""
import re
import struct
import subprocess
import sys

PG_DEVICE_TYPE = 0x8A47
TEST_CODE = (PG_DEVICE_TYPE << 16) | (3 << 14) | (0x8F0 << 2) | 0
MARKER = b"PG-TEST-INJECTION-BUILD"
ALLOWED_DLLS = {"ntoskrnl.exe", "hal.dll"}

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    print(("[ PASS ] " if ok else "[ FAIL ] ") + what)
    if ok:
        passed += 1
    else:
        failed += 1


def main():
    if len(sys.argv) < 4 or sys.argv[2] not in ("release", "test"):
        print(__doc__)
        return 2
    objdump, flavor, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    for path in files:
        dump = subprocess.run([objdump, "-p", path], capture_output=True, text=True, check=True).stdout
        name = f"{path} ({flavor})"
        check(re.search(r"^Subsystem\s+00000001\s+\(NT native\)", dump, re.M) is not None,
              f"{name}: native subsystem")
        chars = re.search(r"^DllCharacteristics\s+([0-9a-fA-F]+)", dump, re.M)
        value = int(chars.group(1), 16) if chars else 0
        check(value & 0x0080 != 0, f"{name}: FORCE_INTEGRITY")
        check(value & 0x0100 != 0, f"{name}: NX_COMPAT")
        check(value & 0x0040 != 0, f"{name}: DYNAMIC_BASE")
        dlls = {d.lower() for d in re.findall(r"DLL Name: (\S+)", dump)}
        check(len(dlls) > 0 and dlls <= ALLOWED_DLLS,
              f"{name}: imports only ntoskrnl.exe/hal.dll (has {sorted(dlls)})")
        data = open(path, "rb").read()
        has_marker = MARKER in data
        has_code = struct.pack("<I", TEST_CODE) in data
        if flavor == "release":
            check(not has_marker, f"{name}: no test-build marker")
            check(not has_code, f"{name}: no test control code 0x{TEST_CODE:08X}")
        else:
            check(has_marker, f"{name}: test-build marker present")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
