// DigestCache.cpp - see DigestCache.h.
#include "DigestCache.h"

#include <openssl/evp.h>

#include <cstring>

namespace
{

constexpr char kMagic[8] = {'P', 'G', 'D', 'I', 'G', 'S', 'T', '1'};
constexpr size_t kHeaderBytes = 16;
constexpr size_t kRecordBytes = 5 * 8 + 8 + 32;
constexpr size_t kTrailerBytes = 32;

// Little-endian writers into a buffer sized in advance.
uint8_t *putU64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        *p++ = static_cast<uint8_t>(v >> (8 * i));
    return p;
}

uint8_t *putU32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        *p++ = static_cast<uint8_t>(v >> (8 * i));
    return p;
}

uint64_t getU64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

uint32_t getU32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

bool sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
    unsigned int n = 0;
    return EVP_Digest(data, len, out, &n, EVP_sha256(), nullptr) == 1 && n == 32;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

size_t digestBytes(DigestAlgo algo)
{
    return algo == DigestAlgo::Sha256 ? 32 : 16;
}

} // namespace

size_t FileVersionHash::operator()(const FileVersion &v) const
{
    // The inode and the change time differ between almost any two files.
    uint64_t h = v.ino * 0x9E3779B97F4A7C15ull;
    h ^= v.dev + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
    h ^= v.ctimeNs + (h << 6) + (h >> 2);
    h ^= v.mtimeNs + v.size + (h << 6) + (h >> 2);
    return static_cast<size_t>(h);
}

DigestCache::DigestCache(size_t capacity) : m_capacity(capacity == 0 ? 1 : capacity) {}

bool DigestCache::lookup(const FileVersion &v, DigestAlgo algo, std::string *hex)
{
    auto it = m_index.find(Key{v, algo});
    if (it == m_index.end())
        return false;
    m_order.splice(m_order.begin(), m_order, it->second);
    *hex = it->second->hex;
    return true;
}

void DigestCache::insert(const FileVersion &v, DigestAlgo algo, const std::string &hex)
{
    const Key key{v, algo};
    auto it = m_index.find(key);
    if (it != m_index.end()) {
        it->second->hex = hex;
        m_order.splice(m_order.begin(), m_order, it->second);
    } else {
        if (m_index.size() >= m_capacity) {
            m_index.erase(m_order.back().key);
            m_order.pop_back();
        }
        m_order.push_front(Entry{key, hex});
        m_index.emplace(key, m_order.begin());
    }
    ++m_changes;
}

void DigestCache::clear()
{
    m_order.clear();
    m_index.clear();
    ++m_changes;
}

std::vector<uint8_t> DigestCache::serialize() const
{
    std::vector<uint8_t> out(kHeaderBytes + m_order.size() * kRecordBytes + kTrailerBytes, 0);
    uint8_t *p = out.data();
    std::memcpy(p, kMagic, sizeof kMagic);
    p = putU32(p + sizeof kMagic, static_cast<uint32_t>(m_order.size()));
    p = putU32(p, 0);
    // Least recently used first, so that parse() can replay the order.
    for (auto it = m_order.rbegin(); it != m_order.rend(); ++it) {
        const FileVersion &v = it->key.v;
        for (uint64_t x : {v.dev, v.ino, v.size, v.mtimeNs, v.ctimeNs})
            p = putU64(p, x);
        const size_t n = digestBytes(it->key.algo);
        p[0] = static_cast<uint8_t>(it->key.algo);
        p[1] = static_cast<uint8_t>(n);
        p += 8;
        for (size_t i = 0; i < n && 2 * i + 1 < it->hex.size(); ++i)
            p[i] =
                static_cast<uint8_t>(hexValue(it->hex[2 * i]) << 4 | hexValue(it->hex[2 * i + 1]));
        p += 32;
    }
    // The trailer stays zero (parse() then refuses it) if hashing failed.
    sha256(out.data(), out.size() - kTrailerBytes, p);
    return out;
}

bool DigestCache::parse(const std::vector<uint8_t> &bytes, std::string *error)
{
    clear();
    if (bytes.size() < kHeaderBytes + kTrailerBytes) {
        *error = "too short to be a digest cache (" + std::to_string(bytes.size()) + " bytes)";
        return false;
    }
    if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
        *error = "not a digest cache of this version (bad magic)";
        return false;
    }
    const uint32_t count = getU32(bytes.data() + 8);
    const size_t body = bytes.size() - kHeaderBytes - kTrailerBytes;
    if (body % kRecordBytes != 0 || body / kRecordBytes != count) {
        *error = "truncated or padded: " + std::to_string(count) + " entries announced, " +
                 std::to_string(body) + " bytes of entries";
        return false;
    }
    uint8_t sum[32];
    if (!sha256(bytes.data(), bytes.size() - kTrailerBytes, sum) ||
        std::memcmp(sum, bytes.data() + bytes.size() - kTrailerBytes, sizeof sum) != 0) {
        *error = "checksum mismatch (the file was damaged)";
        return false;
    }
    static const char digits[] = "0123456789abcdef";
    for (uint32_t i = 0; i < count; ++i) {
        const uint8_t *p = bytes.data() + kHeaderBytes + i * kRecordBytes;
        FileVersion v;
        v.dev = getU64(p);
        v.ino = getU64(p + 8);
        v.size = getU64(p + 16);
        v.mtimeNs = getU64(p + 24);
        v.ctimeNs = getU64(p + 32);
        const uint8_t algoByte = p[40];
        const uint8_t len = p[41];
        if ((algoByte != static_cast<uint8_t>(DigestAlgo::Sha256) &&
             algoByte != static_cast<uint8_t>(DigestAlgo::Md5)) ||
            len != digestBytes(static_cast<DigestAlgo>(algoByte))) {
            clear();
            *error = "entry " + std::to_string(i) + " has an unknown algorithm or length";
            return false;
        }
        std::string hex(2u * len, '0');
        for (size_t k = 0; k < len; ++k) {
            hex[2 * k] = digits[p[48 + k] >> 4];
            hex[2 * k + 1] = digits[p[48 + k] & 15u];
        }
        insert(v, static_cast<DigestAlgo>(algoByte), hex);
    }
    return true;
}
