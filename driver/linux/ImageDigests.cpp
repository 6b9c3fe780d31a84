// ImageDigests.cpp - see ImageDigests.h.
#include "ImageDigests.h"

#include <cerrno>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "pg_sha256.h"

namespace
{

std::string toHex(const unsigned char *d, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    std::string out(n * 2, '0');
    for (size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15u];
    }
    return out;
}

} // namespace

bool ImageDigests::hashFd(int fd, Algorithm algo, std::string *hex)
{
    std::vector<unsigned char> buf(256 * 1024);
    pg_sha256_ctx sha;
    pg_sha256_init(&sha);
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX *)> md5(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (algo == Algorithm::Md5 && (!md5 || EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr) != 1))
        return false;
    off_t off = 0;
    for (;;) {
        ssize_t n = ::pread(fd, buf.data(), buf.size(), off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        if (n == 0)
            break;
        if (algo == Algorithm::Sha256)
            pg_sha256_update(&sha, buf.data(), static_cast<size_t>(n));
        else if (EVP_DigestUpdate(md5.get(), buf.data(), static_cast<size_t>(n)) != 1)
            return false;
        off += n;
    }
    if (algo == Algorithm::Sha256) {
        uint8_t d[32];
        pg_sha256_final(&sha, d);
        *hex = toHex(d, sizeof d);
    } else {
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        if (EVP_DigestFinal_ex(md5.get(), d, &len) != 1)
            return false;
        *hex = toHex(d, len);
    }
    return true;
}

bool ImageDigests::digest(int fd, Algorithm algo, std::string *hex)
{
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    const Key key{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                  static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000u +
                      static_cast<uint64_t>(st.st_mtim.tv_nsec),
                  static_cast<uint64_t>(st.st_size), static_cast<int>(algo)};
    auto it = m_cache.find(key);
    if (it != m_cache.end()) {
        *hex = it->second;
        return true;
    }
    if (!hashFd(fd, algo, hex))
        return false;
    ++m_computed;
    // Bounded: when full, start over (simple, and a program set that
    // large re-hashes only once per round).
    if (m_cache.size() >= kMaxEntries)
        m_cache.clear();
    m_cache.emplace(key, *hex);
    return true;
}
