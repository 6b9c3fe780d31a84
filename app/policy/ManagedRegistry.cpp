// ManagedRegistry.cpp - see ManagedRegistry.h.
#include "ManagedRegistry.h"

#include <windows.h>

#include <vector>

#include "WinText.h"

namespace pg
{
namespace policy
{

namespace
{

const wchar_t *const kSubKey = L"SOFTWARE\\Policies\\ProcGuard";

std::optional<std::string> readValue(HKEY key, const wchar_t *name)
{
    DWORD type = 0;
    DWORD bytes = 0;
    if (RegQueryValueExW(key, name, nullptr, &type, nullptr, &bytes) != ERROR_SUCCESS)
        return std::nullopt;
    std::vector<wchar_t> buf(bytes / sizeof(wchar_t) + 2, L'\0');
    DWORD size = static_cast<DWORD>(buf.size() * sizeof(wchar_t));
    if (RegQueryValueExW(key, name, nullptr, &type, reinterpret_cast<BYTE *>(buf.data()), &size) !=
        ERROR_SUCCESS)
        return std::nullopt;
    const size_t chars = size / sizeof(wchar_t);
    if (type == REG_SZ || type == REG_EXPAND_SZ) {
        return toUtf8(std::wstring(buf.data(), wcsnlen(buf.data(), chars)));
    }
    if (type == REG_MULTI_SZ) {
        // One line per string (the ADMX multiText element): joined by '\n'.
        std::string text;
        size_t at = 0;
        while (at < chars && buf[at] != L'\0') {
            const size_t len = wcsnlen(buf.data() + at, chars - at);
            if (!text.empty())
                text += '\n';
            text += toUtf8(std::wstring(buf.data() + at, len));
            at += len + 1;
        }
        return text;
    }
    return std::string("(registry value of type ") + std::to_string(type) + ")";
}

} // namespace

GroupPolicyValues readGroupPolicyValues()
{
    GroupPolicyValues v;
    HKEY key = nullptr;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, kSubKey, 0, KEY_READ | KEY_WOW64_64KEY, &key) !=
        ERROR_SUCCESS)
        return v;
    v.policy = readValue(key, L"Policy");
    v.mode = readValue(key, L"Mode");
    v.defaultVerdict = readValue(key, L"DefaultVerdict");
    v.localRules = readValue(key, L"LocalRules");
    RegCloseKey(key);
    return v;
}

KernelLink::PolicyGuard groupPolicyGuard()
{
    return [](Policy *policy) -> Error {
        ManagedStatus status;
        const ManagedLayer layer = managedFromGroupPolicy(readGroupPolicyValues(), &status);
        std::string why;
        if (imposeManaged(layer, policy, &why))
            return {};
        Error e;
        e.code = Error::Code::Rejected;
        e.status = PG_E_MANAGED;
        e.message = "Group Policy manages this: " + why + ".";
        return e;
    };
}

} // namespace policy
} // namespace pg
