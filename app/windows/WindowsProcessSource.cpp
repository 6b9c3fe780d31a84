// WindowsProcessSource.cpp - see WindowsProcessSource.h.
#include "WindowsProcessSource.h"

#include <windows.h>

#include <tlhelp32.h>

#include <algorithm>
#include <memory>

#include "WinText.h"

namespace pg
{

namespace
{

struct Handle {
    HANDLE h;
    explicit Handle(HANDLE handle) : h(handle) {}
    ~Handle()
    {
        if (h != nullptr && h != INVALID_HANDLE_VALUE)
            CloseHandle(h);
    }
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    bool valid() const { return h != nullptr && h != INVALID_HANDLE_VALUE; }
};

// FILETIME (100 ns since 1601) -> ns since 1970.
uint64_t unixNs(const FILETIME &ft)
{
    constexpr uint64_t kEpochDiff100ns = 116444736000000000ull;
    const uint64_t t = (uint64_t{ft.dwHighDateTime} << 32) | ft.dwLowDateTime;
    return t > kEpochDiff100ns ? (t - kEpochDiff100ns) * 100u : 0;
}

uint32_t ridOf(PSID sid)
{
    const UCHAR count = *GetSidSubAuthorityCount(sid);
    return count > 0 ? static_cast<uint32_t>(*GetSidSubAuthority(sid, count - 1u)) : 0u;
}

std::string accountName(PSID sid)
{
    wchar_t name[256], domain[256];
    DWORD nameLen = 256, domainLen = 256;
    SID_NAME_USE use;
    if (!LookupAccountSidW(nullptr, sid, name, &nameLen, domain, &domainLen, &use))
        return {};
    std::wstring full = domainLen > 0 ? std::wstring(domain) + L"\\" + name : std::wstring(name);
    return toUtf8(full);
}

// The token user of process, as (RID, DOMAIN\name); false if unreadable.
bool processUser(HANDLE process, uint32_t *rid, std::string *name)
{
    HANDLE raw = nullptr;
    if (!OpenProcessToken(process, TOKEN_QUERY, &raw))
        return false;
    Handle token(raw);
    DWORD size = 0;
    GetTokenInformation(token.h, TokenUser, nullptr, 0, &size);
    if (size == 0)
        return false;
    std::vector<uint8_t> buf(size);
    if (!GetTokenInformation(token.h, TokenUser, buf.data(), size, &size))
        return false;
    TOKEN_USER user;
    std::copy(buf.begin(), buf.begin() + sizeof(user), reinterpret_cast<uint8_t *>(&user));
    *rid = ridOf(user.User.Sid);
    *name = accountName(user.User.Sid);
    if (name->empty())
        *name = std::to_string(*rid);
    return true;
}

} // namespace

std::vector<ProcessInfo> WindowsProcessSource::snapshot()
{
    std::vector<ProcessInfo> out;
    Handle snap(CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
    if (!snap.valid())
        return out;
    PROCESSENTRY32W entry{};
    entry.dwSize = sizeof(entry);
    const DWORD self = GetCurrentProcessId();
    for (BOOL more = Process32FirstW(snap.h, &entry); more; more = Process32NextW(snap.h, &entry)) {
        ProcessInfo p;
        p.pid = entry.th32ProcessID;
        p.ppid = entry.th32ParentProcessID;
        p.name = toUtf8(entry.szExeFile);
        Handle proc(OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, p.pid));
        if (proc.valid()) {
            wchar_t image[32768];
            DWORD len = static_cast<DWORD>(sizeof(image) / sizeof(image[0]));
            if (QueryFullProcessImageNameW(proc.h, 0, image, &len))
                p.image = toUtf8(std::wstring(image, len));
            FILETIME created, exited, kernel, user;
            if (GetProcessTimes(proc.h, &created, &exited, &kernel, &user))
                p.startTimeNs = unixNs(created);
            if (processUser(proc.h, &p.uid, &p.user))
                m_names[p.uid] = p.user;
        }
        if (p.user.empty())
            p.user = std::to_string(p.uid);
        if (p.pid == self)
            p.cmdline = toUtf8(GetCommandLineW());
        out.push_back(std::move(p));
    }
    std::sort(out.begin(), out.end(),
              [](const ProcessInfo &a, const ProcessInfo &b) { return a.pid < b.pid; });
    return out;
}

std::string WindowsProcessSource::userName(uint32_t uid)
{
    auto it = m_names.find(uid);
    if (it != m_names.end())
        return it->second;
    return std::to_string(uid);
}

std::optional<uint32_t> WindowsProcessSource::userId(const std::string &name)
{
    for (const auto &entry : m_names) {
        const std::string &known = entry.second;
        const size_t slash = known.find('\\');
        if (known == name || (slash != std::string::npos && known.substr(slash + 1) == name))
            return entry.first;
    }
    uint8_t sid[SECURITY_MAX_SID_SIZE];
    DWORD sidSize = sizeof(sid);
    wchar_t domain[256];
    DWORD domainLen = 256;
    SID_NAME_USE use;
    if (!LookupAccountNameW(nullptr, toWide(name).c_str(), sid, &sidSize, domain, &domainLen, &use))
        return std::nullopt;
    return ridOf(sid);
}

} // namespace pg
