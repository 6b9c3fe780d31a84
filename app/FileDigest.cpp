// FileDigest.cpp - see FileDigest.h (OpenSSL EVP; Linux).
#include "FileDigest.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

namespace pg
{

bool sha256OfFile(const std::string &path, std::string *hex, std::string *error)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (error != nullptr)
            *error = "Cannot read " + path + ": " + std::strerror(errno) + ".";
        return false;
    }
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX *)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
        if (error != nullptr)
            *error = "The crypto library could not start a SHA-256 digest.";
        return false;
    }
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        if (in.gcount() > 0 &&
            EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount())) != 1) {
            if (error != nullptr)
                *error = "The crypto library failed while hashing " + path + ".";
            return false;
        }
    }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (in.bad() || EVP_DigestFinal_ex(ctx.get(), d, &n) != 1) {
        if (error != nullptr)
            *error = "Cannot read " + path + " to the end.";
        return false;
    }
    static const char digits[] = "0123456789abcdef";
    hex->assign(2 * n, '0');
    for (unsigned int i = 0; i < n; ++i) {
        (*hex)[2 * i] = digits[d[i] >> 4];
        (*hex)[2 * i + 1] = digits[d[i] & 15u];
    }
    return true;
}

} // namespace pg
