// NtPath.h - image paths between the forms Windows uses and the form
// procguard.sys matches rules against.
//
//   NT form      \Device\HarddiskVolume3\Windows\notepad.exe   (kernel, events)
//                \??\C:\Windows\notepad.exe, \SystemRoot\System32\...
//   DOS form     C:\Windows\notepad.exe, \\server\share\x.exe
//   driver form  C:/WINDOWS/NOTEPAD.EXE   (what rules hold: see below)
//
// The driver form is exactly what driver/windows/pg_notify.c produces for
// an image: the DOS form (\??\ and \\?\ stripped, \SystemRoot expanded,
// a \Device\... prefix replaced by its drive letter), '/' as the separator
// (the core's globs and prefixes split on '/'), upcased with the Unicode
// tables, UTF-8. A device without a drive letter stays in NT form there,
// so a UNC path \\server\share\x becomes /DEVICE/MUP/SERVER/SHARE/X, the
// form the driver sees for it through the multiple UNC provider.
//
// The pure functions take the drive map and the Windows folder as
// arguments (unit tests give their own); the others read the live
// system (QueryDosDevice, GetFullPathName, GetWindowsDirectory). Windows
// only; thread-safe (no state).
#pragma once

#include <string>
#include <vector>

#include "Types.h"

namespace pg
{

struct DosDevice {
    std::wstring drive;  // "C:"
    std::wstring target; // "\Device\HarddiskVolume3" (what QueryDosDevice says)
};
using DriveMap = std::vector<DosDevice>;

// Every drive letter in use and its device, from QueryDosDevice.
DriveMap queryDriveMap();

// NT -> DOS. Unknown devices and paths already in DOS form come back
// unchanged (apart from a stripped \??\ or \\?\ prefix).
std::wstring ntToDosPath(const std::wstring &nt, const DriveMap &drives,
                         const std::wstring &windowsDir);
// The same on UTF-8, with the live drive map and Windows folder.
std::string ntToDosPath(const std::string &ntUtf8);

// DOS (or NT) form -> driver form, without touching the file system:
// separators, UNC mapping, upcasing. Pure apart from the Unicode tables.
std::string toDriverForm(const std::wstring &path);

// What a user typed as a rule pattern -> the driver form. Exact paths and
// prefixes are made absolute first (GetFullPathName: relative paths, '.'
// and '..', '/' typed as separator); a prefix ends with '/'. Globs are
// only converted (a glob such as **/NOTEPAD.EXE is not a path).
std::string normaliseRulePattern(const std::string &typed, RuleKind kind);

} // namespace pg
