// PinPlatformWindows.cpp - PinPlatform.h over CNG (bcrypt) and Win32 files.
#include "PinPlatform.h"

#include <windows.h>

#include <bcrypt.h>

#include "WinText.h"

namespace pg::pinplatform
{

namespace
{

bool ok(NTSTATUS status)
{
    return status >= 0;
}

} // namespace

bool pbkdf2Sha256(const std::string &pin, const std::vector<unsigned char> &salt,
                  uint32_t iterations, unsigned char *out, size_t outLen)
{
    BCRYPT_ALG_HANDLE alg = nullptr;
    if (!ok(BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, nullptr,
                                        BCRYPT_ALG_HANDLE_HMAC_FLAG)))
        return false;
    // CNG takes non-const buffers it does not write.
    std::string key = pin;
    std::vector<unsigned char> saltCopy = salt;
    const bool derived = ok(BCryptDeriveKeyPBKDF2(
        alg, reinterpret_cast<PUCHAR>(key.data()), static_cast<ULONG>(key.size()), saltCopy.data(),
        static_cast<ULONG>(saltCopy.size()), iterations, out, static_cast<ULONG>(outLen), 0));
    BCryptCloseAlgorithmProvider(alg, 0);
    return derived;
}

bool randomBytes(unsigned char *out, size_t len)
{
    return ok(
        BCryptGenRandom(nullptr, out, static_cast<ULONG>(len), BCRYPT_USE_SYSTEM_PREFERRED_RNG));
}

std::string writePrivateFile(const std::string &path, const std::string &data)
{
    const std::string tmp = path + ".tmp";
    // No sharing while it is written; the folder (the panel user's
    // profile) already keeps other users out.
    HANDLE file = CreateFileW(toWide(tmp).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                              FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE)
        return "Cannot write " + tmp + ": " + win32Message(GetLastError());
    DWORD done = 0;
    const bool written =
        WriteFile(file, data.data(), static_cast<DWORD>(data.size()), &done, nullptr) &&
        done == data.size() && FlushFileBuffers(file);
    DWORD error = GetLastError();
    CloseHandle(file);
    if (written && MoveFileExW(toWide(tmp).c_str(), toWide(path).c_str(),
                               MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        return {};
    if (written)
        error = GetLastError();
    DeleteFileW(toWide(tmp).c_str());
    return "Cannot save the panel lock " + path + ": " + win32Message(error);
}

std::string removeFile(const std::string &path)
{
    if (DeleteFileW(toWide(path).c_str()))
        return {};
    const DWORD error = GetLastError();
    if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND)
        return {};
    return "Cannot remove " + path + ": " + win32Message(error);
}

} // namespace pg::pinplatform
