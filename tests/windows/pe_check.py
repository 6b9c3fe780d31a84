#!/usr/bin/env python3
"""Static checks of ProcGuard's Windows PE files.

usage: pe_check.py <objdump> (release|test) [--machine=x64|x86] <procguard.sys> [...]
       pe_check.py <objdump> program --machine=x64|x86 --subsystem=console|gui
                   --version=a.b.c --product=NAME --level=LEVEL [--name=FILE] <exe> [...]

Drivers (release, test): native subsystem, FORCE_INTEGRITY, NX_COMPAT and
DYNAMIC_BASE set, imports from ntoskrnl.exe and hal.dll only, and with
--machine the architecture (x86: PE32 i386, x64: PE32+ amd64). Release
files: neither the test-build marker string nor the test control code's
bytes anywhere in the image. Test files: the marker is present (so the
scan above would notice it).

Programs and installers (program): architecture and subsystem; an
RT_VERSION resource whose fixed file and product versions are a.b.c.0 and
whose strings name the product, the version (ProductVersion, FileVersion),
a company and a description (and OriginalFilename with --name); an
RT_MANIFEST resource with id 1 whose requestedExecutionLevel is LEVEL (and
whose assemblyIdentity, if it has one, has a four-part version). The
resource directory is read here, not by objdump.

Prints one line per check and "N passed, N failed".
"""
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

PG_DEVICE_TYPE = 0x8A47
TEST_CODE = (PG_DEVICE_TYPE << 16) | (3 << 14) | (0x8F0 << 2) | 0
MARKER = b"PG-TEST-INJECTION-BUILD"
ALLOWED_DLLS = {"ntoskrnl.exe", "hal.dll"}

MACHINES = {"x86": (0x014C, 0x10B), "x64": (0x8664, 0x20B)}  # machine, optional header magic
SUBSYSTEMS = {"native": 1, "gui": 2, "console": 3}
RT_VERSION = 16
RT_MANIFEST = 24

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    print(("[ PASS ] " if ok else "[ FAIL ] ") + what)
    if ok:
        passed += 1
    else:
        failed += 1


class PeError(Exception):
    pass


class Pe:
    """The headers, sections and resources of one PE image."""

    def __init__(self, data):
        self.data = data
        if data[:2] != b"MZ":
            raise PeError("no MZ header")
        (pe,) = struct.unpack_from("<I", data, 0x3C)
        if data[pe:pe + 4] != b"PE\0\0":
            raise PeError("no PE signature")
        self.machine, nsections = struct.unpack_from("<HH", data, pe + 4)
        (opt_size,) = struct.unpack_from("<H", data, pe + 20)
        opt = pe + 24
        (self.magic,) = struct.unpack_from("<H", data, opt)
        if self.magic not in (0x10B, 0x20B):
            raise PeError(f"unknown optional header magic 0x{self.magic:X}")
        self.subsystem, self.dll_characteristics = struct.unpack_from("<HH", data, opt + 68)
        dirs = opt + (96 if self.magic == 0x10B else 112)
        (ndirs,) = struct.unpack_from("<I", data, dirs - 4)
        self.resource_rva, self.resource_size = (struct.unpack_from("<II", data, dirs + 16)
                                                 if ndirs > 2 else (0, 0))
        self.sections = []
        table = opt + opt_size
        for i in range(nsections):
            vsize, va, raw_size, raw_ptr = struct.unpack_from("<IIII", data, table + 40 * i + 8)
            self.sections.append((va, max(vsize, raw_size), raw_ptr, raw_size))

    def offset(self, rva):
        for va, size, raw_ptr, raw_size in self.sections:
            if va <= rva < va + size:
                if rva - va >= raw_size:
                    raise PeError(f"RVA 0x{rva:X} has no file data")
                return raw_ptr + rva - va
        raise PeError(f"RVA 0x{rva:X} outside every section")

    def resources(self):
        """{(type id, name id): data} of every resource with numeric ids
        (the first language of each)."""
        found = {}
        if not self.resource_rva:
            return found
        base = self.offset(self.resource_rva)

        def entries(dir_off):
            named, ids = struct.unpack_from("<HH", self.data, base + dir_off + 12)
            for i in range(named + ids):
                name, target = struct.unpack_from("<II", self.data, base + dir_off + 16 + 8 * i)
                yield name, target

        for type_id, type_target in entries(0):
            if type_id & 0x80000000 or not type_target & 0x80000000:
                continue  # named type, or malformed
            for name_id, name_target in entries(type_target & 0x7FFFFFFF):
                if name_id & 0x80000000 or not name_target & 0x80000000:
                    continue
                for _lang, leaf in entries(name_target & 0x7FFFFFFF):
                    if leaf & 0x80000000:
                        continue
                    rva, size = struct.unpack_from("<II", self.data, base + leaf)
                    off = self.offset(rva)
                    found.setdefault((type_id, name_id), self.data[off:off + size])
        return found


def version_node(buf, off):
    """One VS_VERSIONINFO-style node: (key, value bytes, is text, children)."""
    length, value_len, kind = struct.unpack_from("<HHH", buf, off)
    end = off + length
    p = off + 6
    key_end = p
    while buf[key_end:key_end + 2] != b"\0\0":
        key_end += 2
    key = buf[p:key_end].decode("utf-16-le")
    p = (key_end + 2 + 3) & ~3
    size = value_len * 2 if kind == 1 else value_len
    value = buf[p:p + size]
    p = (p + size + 3) & ~3
    children = []
    while p < end:
        child = version_node(buf, p)
        children.append(child)
        (child_len,) = struct.unpack_from("<H", buf, p)
        if child_len == 0:
            break
        p = (p + child_len + 3) & ~3
    return key, value, kind == 1, children


def parse_version(blob):
    """(fixed file version, fixed product version, {string name: value})."""
    key, value, _text, children = version_node(blob, 0)
    if key != "VS_VERSION_INFO" or len(value) < 52:
        raise PeError("not a VS_VERSIONINFO resource")
    sig, _struc, fms, fls, pms, pls = struct.unpack_from("<IIIIII", value, 0)
    if sig != 0xFEEF04BD:
        raise PeError("VS_FIXEDFILEINFO signature missing")

    def four(ms, ls):
        return f"{ms >> 16}.{ms & 0xFFFF}.{ls >> 16}.{ls & 0xFFFF}"

    strings = {}
    for ckey, _cvalue, _ctext, tables in children:
        if ckey != "StringFileInfo":
            continue
        for _lang, _v, _t, entries in tables:
            for name, text, _is_text, _c in entries:
                strings.setdefault(name, text.decode("utf-16-le").rstrip("\0"))
    return four(fms, fls), four(pms, pls), strings


def manifest_values(manifest):
    """(requestedExecutionLevel, assemblyIdentity version or None if the
    manifest has no assemblyIdentity)."""
    root = ET.fromstring(manifest.lstrip(b"\xef\xbb\xbf"))
    level = None
    identity = None
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "requestedExecutionLevel" and level is None:
            level = element.get("level")
        elif tag == "assemblyIdentity" and identity is None:
            identity = element.get("version", "")
    return level, identity


def check_machine(pe, name, machine):
    want_machine, want_magic = MACHINES[machine]
    kind = "PE32" if want_magic == 0x10B else "PE32+"
    check(pe.machine == want_machine and pe.magic == want_magic,
          f"{name}: {kind} for {machine} (machine 0x{pe.machine:04X}, magic 0x{pe.magic:X})")


def check_driver(objdump, flavor, machine, path):
    dump = subprocess.run([objdump, "-p", path], capture_output=True, text=True, check=True).stdout
    name = f"{path} ({flavor})"
    if machine:
        check_machine(Pe(open(path, "rb").read()), name, machine)
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


def check_program(opts, path):
    try:
        pe = Pe(open(path, "rb").read())
        resources = pe.resources()
    except (OSError, PeError, struct.error) as e:
        check(False, f"{path}: readable PE image ({e})")
        return
    check_machine(pe, path, opts["machine"])
    check(pe.subsystem == SUBSYSTEMS[opts["subsystem"]],
          f"{path}: {opts['subsystem']} subsystem (has {pe.subsystem})")

    version4 = opts["version"] + ".0"
    blob = resources.get((RT_VERSION, 1))
    check(blob is not None, f"{path}: RT_VERSION resource 1")
    if blob is not None:
        try:
            file_version, product_version, strings = parse_version(blob)
        except (PeError, struct.error, UnicodeDecodeError) as e:
            check(False, f"{path}: VS_VERSIONINFO parses ({e})")
        else:
            check(product_version == version4,
                  f"{path}: fixed product version {product_version} == {version4}")
            check(file_version == version4, f"{path}: fixed file version {file_version} == {version4}")
            expected = {"ProductName": opts["product"], "ProductVersion": opts["version"],
                        "FileVersion": opts["version"]}
            if "name" in opts:
                expected["OriginalFilename"] = opts["name"]
            for key, want in expected.items():
                check(strings.get(key) == want, f"{path}: {key} '{strings.get(key)}' == '{want}'")
            for key in ("CompanyName", "FileDescription", "LegalCopyright"):
                check(bool(strings.get(key)), f"{path}: {key} '{strings.get(key, '')}'")

    manifest = resources.get((RT_MANIFEST, 1))
    check(manifest is not None, f"{path}: RT_MANIFEST resource 1")
    if manifest is not None:
        try:
            level, identity = manifest_values(manifest)
        except ET.ParseError as e:
            check(False, f"{path}: manifest is XML ({e})")
        else:
            check(level == opts["level"], f"{path}: requestedExecutionLevel {level} == {opts['level']}")
            # Windows refuses to start a program whose manifest identity has
            # a malformed version (a side-by-side error); Wine does not.
            if identity is not None:
                check(re.fullmatch(r"\d+\.\d+\.\d+\.\d+", identity) is not None,
                      f"{path}: manifest assemblyIdentity version '{identity}' has four parts")


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[1] not in ("release", "test", "program"):
        print(__doc__)
        return 2
    objdump, mode = args[0], args[1]
    opts = {}
    files = []
    for a in args[2:]:
        m = re.fullmatch(r"--(\w+)=(.*)", a)
        if m:
            opts[m.group(1)] = m.group(2)
        else:
            files.append(a)
    if "machine" in opts and opts["machine"] not in MACHINES:
        print(f"unknown --machine {opts['machine']}")
        return 2
    if mode == "program":
        missing = [k for k in ("machine", "subsystem", "version", "product", "level") if k not in opts]
        if missing or opts["subsystem"] not in SUBSYSTEMS:
            print(__doc__)
            return 2
    if not files:
        print(__doc__)
        return 2
    for path in files:
        if mode == "program":
            check_program(opts, path)
        else:
            check_driver(objdump, mode, opts.get("machine"), path)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
