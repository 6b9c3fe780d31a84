// DigestPool.h - hashes program files off the thread that answers
// permission events.
//
// Why: the main thread answers every fanotify permission event of the
// machine. Reading a 400 MB program there would make every other start
// (and, with the default scope, every open) wait behind it. Here a small,
// fixed set of named threads ("pg-digest-N") reads and hashes; only the
// start that needs the digest waits for it (Daemon's digest waits).
//
// How it reads: pread() on a dup of the fanotify event fd, so no open()
// happens at all (an open by the daemon on a gated filesystem would raise
// a permission event that only the main thread answers), and the bytes
// hashed are those of the very file being exec'd, whatever happens to its
// path meanwhile. Hashing is OpenSSL EVP (SHA-256 with the CPU's SHA
// instructions where present; MD5 for dpkg's checksums), both in one pass
// when both are asked for.
//
// Threads and ownership: submit(), takeResults() and stop() are called
// by the main thread only. A job's fd belongs to the pool once submit()
// accepted it; the pool closes it. Results are handed back through a
// mutex-guarded list and an eventfd the main thread polls (notifyFd()).
// The main thread never waits for a worker: submit() refuses when the
// queue is full, and stop() cancels running jobs between two reads and
// waits a bounded time for them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

class DigestPool
{
public:
    enum : uint32_t { kSha256 = 1u, kMd5 = 2u };
    // Two lanes, so that a large file never delays a small one: files up
    // to kBulkBytes go to the first thread (the daemon's own priority),
    // larger ones to the others, which run at kBulkNice - below the
    // answering thread and the programs being started, so that on a
    // machine with few cores a 400 MB hash does not slow the other starts.
    // With one thread, both lanes share it.
    static constexpr uint64_t kBulkBytes = 16ull * 1024 * 1024;
    static constexpr int kBulkNice = 19;

    struct Job {
        uint64_t id = 0;
        int fd = -1;           // owned by the pool once accepted
        uint32_t algos = 0;    // kSha256 | kMd5
        uint64_t maxBytes = 0; // stop (and fail) past this many bytes; 0 = no bound
        uint64_t size = 0;     // the file's size (picks the lane)
    };
    struct Result {
        uint64_t id = 0;
        bool ok = false;
        std::string sha256; // lower-case hex, when asked for and ok
        std::string md5;
        uint64_t bytes = 0;  // bytes read
        uint64_t micros = 0; // time from the first read to the digest
        std::string error;   // one phrase when !ok
    };

    DigestPool(unsigned threads, size_t queueCapacity);
    ~DigestPool();
    DigestPool(const DigestPool &) = delete;
    DigestPool &operator=(const DigestPool &) = delete;

    bool start(std::string *error);
    // Readable (EPOLLIN) when results are waiting.
    int notifyFd() const { return m_eventFd; }
    // False when the queue is full or the pool is stopped; the caller
    // still owns job.fd then.
    bool submit(const Job &job);
    std::vector<Result> takeResults();
    size_t queued() const;
    // Drops queued jobs, cancels running ones (between two reads) and
    // joins, waiting at most waitMs. False when a worker is still stuck in
    // a read (a filesystem that never answers): its thread is detached and
    // the caller must not destroy the pool (it leaks it; the process is
    // about to exit). Idempotent.
    bool stop(int waitMs = 2000);

    // Hashes fd from offset 0 (no caching). cancel may be null.
    static bool hashFd(int fd, uint32_t algos, uint64_t maxBytes, const std::atomic<bool> *cancel,
                       Result *out);

private:
    void run(unsigned index);
    bool bulkLane(unsigned index) const { return index > 0 || m_threadCount == 1; }
    bool smallLane(unsigned index) const { return index == 0; }

    unsigned m_threadCount;
    size_t m_capacity;
    std::vector<std::thread> m_threads;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Job> m_small; // lane 0
    std::deque<Job> m_bulk;  // the other threads (lane 0 too when alone)
    std::vector<Result> m_results;
    std::atomic<bool> m_stop{false};
    bool m_stopped = false;
    unsigned m_exited = 0; // workers that left run() (under m_mutex)
    std::condition_variable m_exitCv;
    int m_eventFd = -1;
};
