// FileDigest.cpp - see FileDigest.h (Windows CNG, BCrypt).
//
// bcrypt.dll is loaded on first use rather than imported, as Signer.cpp
// does for wintrust and crypt32: procguardctl.exe keeps importing only
// what every Windows program has.
#include "FileDigest.h"

#include <windows.h>

#include <bcrypt.h>

#include <fstream>
#include <type_traits>
#include <vector>

namespace pg
{
namespace
{

struct CngApi {
    bool ok = false;
    decltype(&::BCryptOpenAlgorithmProvider) Open = nullptr;
    decltype(&::BCryptCloseAlgorithmProvider) Close = nullptr;
    decltype(&::BCryptCreateHash) CreateHash = nullptr;
    decltype(&::BCryptHashData) HashData = nullptr;
    decltype(&::BCryptFinishHash) FinishHash = nullptr;
    decltype(&::BCryptDestroyHash) DestroyHash = nullptr;
};

const CngApi &api()
{
    static const CngApi loaded = [] {
        CngApi a;
        HMODULE m = LoadLibraryW(L"bcrypt.dll");
        if (m == nullptr)
            return a;
        bool all = true;
        auto bind = [&all, m](const char *name, auto *slot) {
            *slot = reinterpret_cast<std::remove_pointer_t<decltype(slot)>>(
                reinterpret_cast<void *>(GetProcAddress(m, name)));
            all = all && *slot != nullptr;
        };
        bind("BCryptOpenAlgorithmProvider", &a.Open);
        bind("BCryptCloseAlgorithmProvider", &a.Close);
        bind("BCryptCreateHash", &a.CreateHash);
        bind("BCryptHashData", &a.HashData);
        bind("BCryptFinishHash", &a.FinishHash);
        bind("BCryptDestroyHash", &a.DestroyHash);
        a.ok = all;
        return a;
    }();
    return loaded;
}

} // namespace

bool sha256OfFile(const std::string &path, std::string *hex, std::string *error)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (error != nullptr)
            *error = "Cannot read " + path + ".";
        return false;
    }
    const CngApi &cng = api();
    BCRYPT_ALG_HANDLE alg = nullptr;
    BCRYPT_HASH_HANDLE hash = nullptr;
    if (!cng.ok || cng.Open(&alg, BCRYPT_SHA256_ALGORITHM, nullptr, 0) != 0 ||
        cng.CreateHash(alg, &hash, nullptr, 0, nullptr, 0, 0) != 0) {
        if (alg != nullptr)
            cng.Close(alg, 0);
        if (error != nullptr)
            *error = "Windows' crypto library (bcrypt.dll) could not start a SHA-256 digest.";
        return false;
    }
    bool ok = true;
    std::vector<char> buf(1 << 20);
    while (ok && in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        if (in.gcount() > 0)
            ok = cng.HashData(hash, reinterpret_cast<PUCHAR>(buf.data()),
                              static_cast<ULONG>(in.gcount()), 0) == 0;
    }
    unsigned char d[32];
    ok = ok && !in.bad() && cng.FinishHash(hash, d, sizeof d, 0) == 0;
    cng.DestroyHash(hash);
    cng.Close(alg, 0);
    if (!ok) {
        if (error != nullptr)
            *error = "Cannot read " + path + " to the end.";
        return false;
    }
    static const char digits[] = "0123456789abcdef";
    hex->assign(64, '0');
    for (int i = 0; i < 32; ++i) {
        (*hex)[2 * i] = digits[d[i] >> 4];
        (*hex)[2 * i + 1] = digits[d[i] & 15u];
    }
    return true;
}

} // namespace pg
