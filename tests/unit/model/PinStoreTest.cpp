// PinStoreTest.cpp - the panel lock's PIN record: a salted PBKDF2 hash in a
// private file, constant-time verification, and a persisted delay after
// wrong attempts, driven by an injected clock.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "PinStore.h"

namespace
{

class PinStoreTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/pg-pin-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        path = dir + "/panel.pin";
    }
    void TearDown() override { std::system(("rm -rf " + dir).c_str()); }

    // Few iterations keep the tests fast; the format is the same.
    pg::PinStore store()
    {
        return pg::PinStore(
            path, [this] { return nowMs; }, 1000);
    }
    std::string file() const
    {
        std::ifstream in(path);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

    std::string dir;
    std::string path;
    int64_t nowMs = 1700000000000;
};

} // namespace

TEST_F(PinStoreTest, NoFileMeansNoPin)
{
    pg::PinStore s = store();
    ASSERT_TRUE(s.load());
    EXPECT_FALSE(s.hasPin());
    EXPECT_EQ(s.verify("anything"), pg::PinStore::Check::Ok);
}

TEST_F(PinStoreTest, RecordIsSaltedPbkdf2InAnOwnerOnlyFile)
{
    pg::PinStore s = store();
    ASSERT_TRUE(s.setPin("2468"));
    struct stat st {
    };
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    const std::string text = file();
    EXPECT_EQ(text.find("2468"), std::string::npos);
    std::istringstream in(text);
    std::string magic, scheme, salt, hash;
    int version = 0;
    uint32_t iterations = 0;
    in >> magic >> version >> scheme >> iterations >> salt >> hash;
    EXPECT_EQ(magic, "procguard-pin");
    EXPECT_EQ(version, 1);
    EXPECT_EQ(scheme, "pbkdf2-sha256");
    EXPECT_EQ(iterations, 1000u);
    EXPECT_EQ(salt.size(), 32u);
    EXPECT_EQ(hash.size(), 64u);
    EXPECT_EQ(hash, pg::PinStore::hashHex("2468", salt, iterations));
}

TEST_F(PinStoreTest, SamePinGetsADifferentSaltEachTime)
{
    pg::PinStore s = store();
    ASSERT_TRUE(s.setPin("2468"));
    const std::string first = file();
    ASSERT_TRUE(s.setPin("2468"));
    EXPECT_NE(file(), first);
}

TEST_F(PinStoreTest, HashMatchesKnownPbkdf2Vector)
{
    // RFC 7914 section 11: PBKDF2-HMAC-SHA-256, P="passwd", S="salt", c=1.
    const std::string saltHex = "73616c74";
    EXPECT_EQ(pg::PinStore::hashHex("passwd", saltHex, 1),
              "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
}

TEST_F(PinStoreTest, DefaultIsSlow)
{
    EXPECT_GE(pg::PinStore::kDefaultIterations, 600000u);
    pg::PinStore s(path);
    EXPECT_EQ(s.iterations(), 0u); // no record yet
}

TEST_F(PinStoreTest, RightPinVerifiesAfterReload)
{
    ASSERT_TRUE(store().setPin("correct horse"));
    pg::PinStore s = store();
    ASSERT_TRUE(s.load());
    EXPECT_TRUE(s.hasPin());
    EXPECT_EQ(s.verify("correct horse"), pg::PinStore::Check::Ok);
    EXPECT_EQ(s.verify("correct hors"), pg::PinStore::Check::Wrong);
}

TEST_F(PinStoreTest, TooShortPinIsRefused)
{
    pg::PinStore s = store();
    std::string error;
    EXPECT_FALSE(s.setPin("12", &error));
    EXPECT_NE(error.find("at least"), std::string::npos);
    EXPECT_FALSE(s.hasPin());
}

TEST_F(PinStoreTest, WrongAttemptsAreDelayedIncreasingly)
{
    pg::PinStore s = store();
    ASSERT_TRUE(s.setPin("2468"));
    for (uint32_t i = 0; i < pg::PinStore::kFreeAttempts; ++i)
        EXPECT_EQ(s.verify("0000"), pg::PinStore::Check::Wrong);
    EXPECT_EQ(s.msUntilNextAttempt(), 1000);
    // Even the right PIN is not checked while waiting.
    EXPECT_EQ(s.verify("2468"), pg::PinStore::Check::TooSoon);
    nowMs += 1000;
    EXPECT_EQ(s.verify("1111"), pg::PinStore::Check::Wrong);
    EXPECT_EQ(s.msUntilNextAttempt(), 2000);
    nowMs += 1999;
    EXPECT_EQ(s.verify("2468"), pg::PinStore::Check::TooSoon);
    nowMs += 1;
    EXPECT_EQ(s.verify("2222"), pg::PinStore::Check::Wrong);
    EXPECT_EQ(s.msUntilNextAttempt(), 4000);
    EXPECT_EQ(pg::PinStore::delayAfter(100), pg::PinStore::kMaxDelayMs);
}

TEST_F(PinStoreTest, DelaySurvivesARestartOfThePanel)
{
    {
        pg::PinStore s = store();
        ASSERT_TRUE(s.setPin("2468"));
        for (int i = 0; i < 5; ++i) {
            s.verify("0000");
            nowMs += 60000;
        }
        nowMs -= 60000;
    }
    pg::PinStore again = store();
    ASSERT_TRUE(again.load());
    EXPECT_EQ(again.failures(), 5u);
    EXPECT_EQ(again.msUntilNextAttempt(), 4000);
    EXPECT_EQ(again.verify("2468"), pg::PinStore::Check::TooSoon);
}

TEST_F(PinStoreTest, ClockGoingBackwardsDoesNotShortenTheDelay)
{
    pg::PinStore s = store();
    ASSERT_TRUE(s.setPin("2468"));
    for (int i = 0; i < 4; ++i) {
        s.verify("0000");
        nowMs += 10000;
    }
    nowMs -= 10000;
    nowMs -= 3600 * 1000; // someone set the clock back an hour
    EXPECT_EQ(s.msUntilNextAttempt(), 2000);
}

TEST_F(PinStoreTest, RightPinResetsTheFailureCount)
{
    pg::PinStore s = store();
    ASSERT_TRUE(s.setPin("2468"));
    for (int i = 0; i < 3; ++i)
        s.verify("0000");
    nowMs += 1000;
    EXPECT_EQ(s.verify("2468"), pg::PinStore::Check::Ok);
    EXPECT_EQ(s.failures(), 0u);
    pg::PinStore again = store();
    ASSERT_TRUE(again.load());
    EXPECT_EQ(again.failures(), 0u);
}

TEST_F(PinStoreTest, DamagedRecordStaysLocked)
{
    std::ofstream(path) << "procguard-pin 1\npbkdf2-sha256 1000 zz 00\n";
    pg::PinStore s = store();
    std::string error;
    EXPECT_FALSE(s.load(&error));
    EXPECT_TRUE(s.hasPin());
    EXPECT_NE(error.find("damaged"), std::string::npos);
    EXPECT_EQ(s.verify("anything"), pg::PinStore::Check::Error);
}

TEST_F(PinStoreTest, RemovingThePinUnlocks)
{
    pg::PinStore s = store();
    ASSERT_TRUE(s.setPin("2468"));
    ASSERT_TRUE(s.removePin());
    EXPECT_FALSE(s.hasPin());
    pg::PinStore again = store();
    ASSERT_TRUE(again.load());
    EXPECT_FALSE(again.hasPin());
}
