// Sha256Test.cpp - pg_sha256 against the FIPS 180-4 example vectors.
#include <gtest/gtest.h>

#include <string>

#include "pg_sha256.h"

namespace
{

std::string hexOf(const std::string &data, size_t chunk = 0)
{
    pg_sha256_ctx c;
    pg_sha256_init(&c);
    if (chunk == 0) {
        pg_sha256_update(&c, data.data(), data.size());
    } else {
        for (size_t i = 0; i < data.size(); i += chunk)
            pg_sha256_update(&c, data.data() + i, std::min(chunk, data.size() - i));
    }
    uint8_t d[32];
    pg_sha256_final(&c, d);
    char hex[65];
    pg_sha256_hex(d, hex);
    return hex;
}

} // namespace

TEST(Sha256, EmptyInputGivesKnownDigest)
{
    EXPECT_EQ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hexOf(""));
}

TEST(Sha256, AbcGivesKnownDigest)
{
    EXPECT_EQ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hexOf("abc"));
}

TEST(Sha256, TwoBlockMessageGivesKnownDigest)
{
    EXPECT_EQ("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
              hexOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
}

TEST(Sha256, MillionAsGivesKnownDigestInAnyChunking)
{
    const std::string a(1000000, 'a');
    const std::string want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    EXPECT_EQ(want, hexOf(a));
    EXPECT_EQ(want, hexOf(a, 1));
    EXPECT_EQ(want, hexOf(a, 63));
    EXPECT_EQ(want, hexOf(a, 4097));
}
