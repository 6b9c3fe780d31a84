// DigestCacheTest.cpp - the digest cache's keys, eviction and saved form,
// and the pool that fills it (OpenSSL EVP over pread of a file).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>

#include "DigestCache.h"
#include "DigestPool.h"

namespace
{

FileVersion version(uint64_t ino, uint64_t mtime = 100, uint64_t ctime = 100, uint64_t size = 10)
{
    FileVersion v;
    v.dev = 2049;
    v.ino = ino;
    v.size = size;
    v.mtimeNs = mtime;
    v.ctimeNs = ctime;
    return v;
}

const std::string kShaA(64, 'a');
const std::string kShaB(64, 'b');
const std::string kMd5(32, 'c');

// A temporary file with the given content; removed on destruction.
class TempFile
{
public:
    explicit TempFile(const std::string &content)
    {
        char name[] = "/tmp/pg-digest-test-XXXXXX";
        m_fd = mkstemp(name);
        m_path = name;
        if (m_fd >= 0 && !content.empty()) {
            EXPECT_EQ(static_cast<ssize_t>(content.size()),
                      ::write(m_fd, content.data(), content.size()));
        }
    }
    ~TempFile()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        ::unlink(m_path.c_str());
    }
    int fd() const { return m_fd; }

private:
    int m_fd = -1;
    std::string m_path;
};

} // namespace

TEST(DigestCacheTest, ServesADigestOnlyForTheSameVersionOfTheSameFile)
{
    DigestCache cache;
    cache.insert(version(7), DigestAlgo::Sha256, kShaA);
    std::string hex;
    EXPECT_TRUE(cache.lookup(version(7), DigestAlgo::Sha256, &hex));
    EXPECT_EQ(kShaA, hex);
    EXPECT_FALSE(cache.lookup(version(7), DigestAlgo::Md5, &hex)) << "another algorithm";
    EXPECT_FALSE(cache.lookup(version(8), DigestAlgo::Sha256, &hex)) << "another inode";
    EXPECT_FALSE(cache.lookup(version(7, 101), DigestAlgo::Sha256, &hex)) << "written since";
    EXPECT_FALSE(cache.lookup(version(7, 100, 101), DigestAlgo::Sha256, &hex))
        << "mtime set back, but the change time moved";
    EXPECT_FALSE(cache.lookup(version(7, 100, 100, 11), DigestAlgo::Sha256, &hex)) << "grown";
    FileVersion otherDevice = version(7);
    otherDevice.dev = 2050;
    EXPECT_FALSE(cache.lookup(otherDevice, DigestAlgo::Sha256, &hex)) << "another filesystem";
}

TEST(DigestCacheTest, EvictsTheLeastRecentlyUsedEntryWhenFull)
{
    DigestCache cache(3);
    cache.insert(version(1), DigestAlgo::Sha256, kShaA);
    cache.insert(version(2), DigestAlgo::Sha256, kShaA);
    cache.insert(version(3), DigestAlgo::Sha256, kShaA);
    std::string hex;
    ASSERT_TRUE(cache.lookup(version(1), DigestAlgo::Sha256, &hex)); // 2 is now the oldest
    cache.insert(version(4), DigestAlgo::Sha256, kShaB);
    EXPECT_EQ(3u, cache.size());
    EXPECT_FALSE(cache.lookup(version(2), DigestAlgo::Sha256, &hex));
    EXPECT_TRUE(cache.lookup(version(1), DigestAlgo::Sha256, &hex));
    EXPECT_TRUE(cache.lookup(version(3), DigestAlgo::Sha256, &hex));
    EXPECT_TRUE(cache.lookup(version(4), DigestAlgo::Sha256, &hex));
    EXPECT_EQ(kShaB, hex);
}

TEST(DigestCacheTest, SavedFormRestoresEveryEntryAndItsOrder)
{
    DigestCache cache(3);
    cache.insert(version(1), DigestAlgo::Sha256, kShaA);
    cache.insert(version(2), DigestAlgo::Md5, kMd5);
    cache.insert(version(3), DigestAlgo::Sha256, kShaB);
    std::string hex;
    ASSERT_TRUE(cache.lookup(version(1), DigestAlgo::Sha256, &hex)); // most recent now

    DigestCache restored(3);
    std::string error;
    ASSERT_TRUE(restored.parse(cache.serialize(), &error)) << error;
    EXPECT_EQ(3u, restored.size());
    EXPECT_TRUE(restored.lookup(version(2), DigestAlgo::Md5, &hex));
    EXPECT_EQ(kMd5, hex);
    EXPECT_TRUE(restored.lookup(version(3), DigestAlgo::Sha256, &hex));
    EXPECT_EQ(kShaB, hex);
    // 1 was the most recently used before saving and 2, 3 since: a new
    // entry evicts 1 only if the order was kept.
    restored.insert(version(4), DigestAlgo::Sha256, kShaA);
    EXPECT_FALSE(restored.lookup(version(1), DigestAlgo::Sha256, &hex));
}

TEST(DigestCacheTest, DamagedOrTruncatedSavedFormIsRefusedWhole)
{
    DigestCache cache;
    cache.insert(version(1), DigestAlgo::Sha256, kShaA);
    cache.insert(version(2), DigestAlgo::Sha256, kShaB);
    const std::vector<uint8_t> good = cache.serialize();
    std::string error;

    std::vector<uint8_t> truncated(good.begin(), good.end() - 10);
    DigestCache a;
    EXPECT_FALSE(a.parse(truncated, &error));
    EXPECT_EQ(0u, a.size());
    EXPECT_NE(std::string::npos, error.find("truncated")) << error;

    std::vector<uint8_t> flipped = good;
    flipped[40] ^= 0x01; // an inode number
    DigestCache b;
    EXPECT_FALSE(b.parse(flipped, &error));
    EXPECT_EQ(0u, b.size());
    EXPECT_NE(std::string::npos, error.find("checksum")) << error;

    DigestCache c;
    EXPECT_FALSE(c.parse(std::vector<uint8_t>(100, 'x'), &error));
    EXPECT_FALSE(c.parse({}, &error));
    EXPECT_EQ(0u, c.size());
}

TEST(DigestPoolTest, HashesSha256AndMd5InOnePass)
{
    TempFile f("abc");
    DigestPool::Result r;
    ASSERT_TRUE(DigestPool::hashFd(f.fd(), DigestPool::kSha256 | DigestPool::kMd5, 0, nullptr, &r))
        << r.error;
    EXPECT_EQ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", r.sha256);
    EXPECT_EQ("900150983cd24fb0d6963f7d28e17f72", r.md5);
    EXPECT_EQ(3u, r.bytes);
}

TEST(DigestPoolTest, StopsAtTheSizeBound)
{
    TempFile f(std::string(10000, 'z'));
    DigestPool::Result r;
    EXPECT_FALSE(DigestPool::hashFd(f.fd(), DigestPool::kSha256, 4096, nullptr, &r));
    EXPECT_NE(std::string::npos, r.error.find("bound")) << r.error;
}

TEST(DigestPoolTest, AnswersEveryJobThroughItsNotifyFd)
{
    TempFile f("abc");
    DigestPool pool(2, 8);
    std::string error;
    ASSERT_TRUE(pool.start(&error)) << error;
    for (uint64_t id = 1; id <= 5; ++id) {
        DigestPool::Job job;
        job.id = id;
        job.fd = dup(f.fd());
        job.algos = DigestPool::kSha256;
        ASSERT_TRUE(pool.submit(job));
    }
    std::vector<DigestPool::Result> all;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (all.size() < 5 && std::chrono::steady_clock::now() < deadline) {
        for (auto &r : pool.takeResults())
            all.push_back(r);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(5u, all.size());
    for (const auto &r : all) {
        EXPECT_TRUE(r.ok) << r.error;
        EXPECT_EQ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", r.sha256);
    }
    pool.stop();
}

TEST(DigestPoolTest, LargeAndSmallFilesGoToTheirOwnLanesAndBothAreAnswered)
{
    TempFile f("abc");
    DigestPool pool(2, 8);
    std::string error;
    ASSERT_TRUE(pool.start(&error)) << error;
    DigestPool::Job big;
    big.id = 1;
    big.fd = dup(f.fd());
    big.algos = DigestPool::kSha256;
    big.size = DigestPool::kBulkBytes + 1; // the bulk lane, at a lower priority
    DigestPool::Job small = big;
    small.id = 2;
    small.fd = dup(f.fd());
    small.size = 3;
    ASSERT_TRUE(pool.submit(big));
    ASSERT_TRUE(pool.submit(small));
    std::set<uint64_t> answered;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (answered.size() < 2 && std::chrono::steady_clock::now() < deadline) {
        for (const auto &r : pool.takeResults()) {
            EXPECT_TRUE(r.ok) << r.error;
            answered.insert(r.id);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ((std::set<uint64_t>{1, 2}), answered);
}

TEST(DigestPoolTest, StopNeverWaitsLongerThanItsBound)
{
    // A 4 GB file (sparse) keeps a worker reading; stop() must return
    // within its bound whatever the worker does.
    char name[] = "/tmp/pg-digest-test-XXXXXX";
    const int fd = mkstemp(name);
    ASSERT_GE(fd, 0);
    unlink(name);
    ASSERT_EQ(0, ftruncate(fd, 4ll << 30));
    auto *pool = new DigestPool(2, 8);
    std::string error;
    ASSERT_TRUE(pool->start(&error)) << error;
    DigestPool::Job job;
    job.id = 1;
    job.fd = dup(fd);
    job.algos = DigestPool::kSha256;
    job.size = 4ull << 30;
    ASSERT_TRUE(pool->submit(job));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto before = std::chrono::steady_clock::now();
    const bool joined = pool->stop(50);
    const auto took = std::chrono::steady_clock::now() - before;
    EXPECT_LT(took, std::chrono::seconds(2));
    if (joined)
        delete pool; // the cancel flag ended the read in time
    // else: a detached worker still uses it; left to the process, as the
    // daemon does.
    close(fd);
}

TEST(DigestPoolTest, RefusesJobsPastItsQueueAndAfterStop)
{
    DigestPool pool(1, 1);
    // Not started: no worker takes the job, so the second one finds the
    // queue full.
    std::string error;
    DigestPool::Job job;
    job.id = 1;
    job.fd = -1;
    job.algos = DigestPool::kSha256;
    EXPECT_FALSE(pool.submit(job)) << "accepted before start";
    ASSERT_TRUE(pool.start(&error)) << error;
    pool.stop();
    EXPECT_FALSE(pool.submit(job)) << "accepted after stop";
}
