// ImageDigests.h - the digests of exec'd programs that SHA-256 rules
// (PG_RULE_SHA256) and the dpkg check of package rules (PG_RULE_PACKAGE,
// MD5) need: remembered, computed off the answering thread, and kept
// across restarts.
//
// Owns: the DigestCache (keyed by file identity and version, see
// DigestCache.h), the DigestPool that computes misses, the in-flight jobs
// (one per file version, however many starts wait for it), the saved copy
// of the cache (<state-dir>/digests, written by its own PolicyWriter
// thread at most every kSaveEveryMs while it changes, and at stop), and
// the figures `status` reports.
//
// Bounds: a file larger than maxBytes is never read; its digest is
// unknown for that start (the caller decides by the other rules and says
// so in the event). The pool's queue is bounded; a refused job is an
// unknown digest too. The time a start may wait is the caller's bound.
//
// Threads: main thread only (the pool and the writer have their own).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "DigestCache.h"
#include "DigestPool.h"
#include "PolicyWriter.h"

class ImageDigests
{
public:
    static constexpr uint64_t kDefaultMaxBytes = 1024ull * 1024 * 1024;
    static constexpr int64_t kSaveEveryMs = 30000;

    struct Config {
        std::string savePath; // empty: nothing is loaded or saved
        uint64_t maxBytes = kDefaultMaxBytes;
        unsigned threads = 2;
        size_t queueCapacity = 256;
        size_t cacheEntries = DigestCache::kDefaultCapacity;
    };
    struct Figures {
        uint64_t hits = 0;          // digests served from the cache
        uint64_t misses = 0;        // digests that had to be computed
        uint64_t bytes = 0;         // bytes hashed
        uint64_t unknown = 0;       // too large, unreadable, refused, too slow
        uint32_t longestWaitMs = 0; // longest a start waited for a digest
    };
    struct Done {
        uint64_t job = 0;
        bool ok = false;
        std::string error;
    };

    // Loads the saved cache (main thread, BEFORE the fanotify marks: it
    // opens a file in the state directory) and starts the pool and the
    // writer. *warning is set when a saved cache was unusable and ignored.
    bool start(const Config &config, std::string *error, std::string *warning);
    // Writes the cache one last time and stops every thread. Call after
    // the fanotify group is closed (the writer's open cannot wait then).
    void stop();

    // The identity and version of the regular file behind fd.
    static bool versionOf(int fd, FileVersion *v);
    uint64_t maxBytes() const { return m_config.maxBytes; }
    // A cached digest (counted as a hit).
    bool cached(const FileVersion &v, DigestAlgo algo, std::string *hex);
    // Asks for the digests in algos (DigestPool::kSha256 | kMd5) of fd's
    // file. Returns the job to wait for (shared with any start already
    // waiting for the same version), or 0 when the pool refused it (the
    // digest is then unknown for this start). fd stays the caller's.
    uint64_t request(int fd, const FileVersion &v, uint32_t algos);
    // Computes and caches them on the calling thread (at start-up, before
    // the fanotify marks: nothing waits then). False when reading failed.
    bool hashNow(int fd, const FileVersion &v, uint32_t algos);
    int notifyFd() const { return m_pool ? m_pool->notifyFd() : -1; }
    // Jobs that finished since the last call; their digests are cached.
    std::vector<Done> collect();

    void countUnknown() { ++m_figures.unknown; }
    void noteWait(uint64_t ms);
    const Figures &figures() const { return m_figures; }
    size_t cacheSize() const { return m_cache.size(); }
    // Hands the cache to the writer when it changed: at once when now,
    // else at most every kSaveEveryMs.
    void save(int64_t nowMs, bool now);

private:
    struct InFlight {
        FileVersion v;
        uint32_t algos = 0;
    };
    Config m_config;
    DigestCache m_cache;
    std::unique_ptr<DigestPool> m_pool;
    std::unique_ptr<PolicyWriter> m_writer;
    std::unordered_map<uint64_t, InFlight> m_inFlight;
    uint64_t m_nextJob = 1;
    uint64_t m_savedChanges = 0;
    int64_t m_savedAtMs = 0;
    Figures m_figures;
};
