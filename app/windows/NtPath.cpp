// NtPath.cpp - see NtPath.h. Mirrors PgpToDosPath/PgpNormalizePath in
// driver/windows/pg_notify.c: keep the two in step, or rules typed here
// stop matching what the driver reports.
#include "NtPath.h"

#include <windows.h>

#include "WinText.h"

namespace pg
{

namespace
{

bool hasPrefixNoCase(const std::wstring &s, const std::wstring &prefix)
{
    return s.size() >= prefix.size() &&
           CompareStringOrdinal(s.data(), static_cast<int>(prefix.size()), prefix.data(),
                                static_cast<int>(prefix.size()), TRUE) == CSTR_EQUAL;
}

std::wstring stripWin32Prefix(std::wstring path)
{
    if (hasPrefixNoCase(path, L"\\??\\") || hasPrefixNoCase(path, L"\\\\?\\"))
        path.erase(0, 4);
    return path;
}

std::wstring upcase(const std::wstring &s)
{
    if (s.empty())
        return s;
    std::wstring out(s.size(), L'\0');
    const int n =
        LCMapStringEx(LOCALE_NAME_INVARIANT, LCMAP_UPPERCASE, s.data(), static_cast<int>(s.size()),
                      out.data(), static_cast<int>(out.size()), nullptr, nullptr, 0);
    if (n != static_cast<int>(s.size())) {
        // Cannot happen for simple case mapping; stay usable for ASCII.
        out = s;
        for (wchar_t &c : out)
            if (c >= L'a' && c <= L'z')
                c = static_cast<wchar_t>(c - L'a' + L'A');
    }
    return out;
}

std::wstring windowsFolder()
{
    wchar_t buf[MAX_PATH + 1];
    const UINT n = GetWindowsDirectoryW(buf, MAX_PATH + 1);
    return n > 0 && n <= MAX_PATH ? std::wstring(buf, n) : std::wstring(L"C:\\Windows");
}

} // namespace

DriveMap queryDriveMap()
{
    DriveMap map;
    const DWORD drives = GetLogicalDrives();
    for (int i = 0; i < 26; ++i) {
        if ((drives & (1u << i)) == 0)
            continue;
        const wchar_t name[3] = {static_cast<wchar_t>(L'A' + i), L':', L'\0'};
        wchar_t target[1024];
        // The first string of the list is the link in force.
        if (QueryDosDeviceW(name, target, static_cast<DWORD>(sizeof(target) / sizeof(target[0]))))
            map.push_back(DosDevice{name, target});
    }
    return map;
}

std::wstring ntToDosPath(const std::wstring &nt, const DriveMap &drives,
                         const std::wstring &windowsDir)
{
    std::wstring path = stripWin32Prefix(nt);
    if (hasPrefixNoCase(path, L"\\SystemRoot\\"))
        path = stripWin32Prefix(windowsDir) + path.substr(11);
    if (!hasPrefixNoCase(path, L"\\Device\\"))
        return path;
    for (const DosDevice &d : drives) {
        const std::wstring target = stripWin32Prefix(d.target);
        // A whole component must match: HarddiskVolume1 is not a prefix of
        // HarddiskVolume10.
        if (target.empty() || !hasPrefixNoCase(path, target) || path.size() <= target.size() ||
            path[target.size()] != L'\\')
            continue;
        return d.drive + path.substr(target.size());
    }
    return path;
}

std::string ntToDosPath(const std::string &ntUtf8)
{
    return toUtf8(ntToDosPath(toWide(ntUtf8), queryDriveMap(), windowsFolder()));
}

std::string toDriverForm(const std::wstring &typed)
{
    std::wstring path = typed;
    for (wchar_t &c : path)
        if (c == L'/')
            c = L'\\';
    path = stripWin32Prefix(path);
    if (hasPrefixNoCase(path, L"UNC\\")) // \\?\UNC\server\share
        path = L"\\Device\\Mup" + path.substr(3);
    else if (path.size() > 2 && path[0] == L'\\' && path[1] == L'\\')
        path = L"\\Device\\Mup" + path.substr(1);
    path = upcase(path);
    for (wchar_t &c : path)
        if (c == L'\\')
            c = L'/';
    return toUtf8(path);
}

std::string normaliseRulePattern(const std::string &typed, RuleKind kind)
{
    std::wstring path = toWide(typed);
    if (kind != RuleKind::Glob && !path.empty()) {
        std::wstring full(32768, L'\0');
        const DWORD n =
            GetFullPathNameW(path.c_str(), static_cast<DWORD>(full.size()), full.data(), nullptr);
        if (n > 0 && n < full.size())
            path.assign(full.data(), n);
    }
    std::string out = toDriverForm(path);
    if (kind == RuleKind::Prefix && (out.empty() || out.back() != '/'))
        out += '/';
    return out;
}

} // namespace pg
