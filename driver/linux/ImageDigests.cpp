// ImageDigests.cpp - see ImageDigests.h.
#include "ImageDigests.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "Log.h"

bool ImageDigests::start(const Config &config, std::string *error, std::string *warning)
{
    m_config = config;
    m_cache = DigestCache(config.cacheEntries);
    if (!config.savePath.empty()) {
        int fd = ::open(config.savePath.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            std::vector<uint8_t> bytes;
            uint8_t buf[64 * 1024];
            ssize_t n;
            while ((n = ::read(fd, buf, sizeof buf)) > 0)
                bytes.insert(bytes.end(), buf, buf + n);
            const bool readOk = n == 0;
            ::close(fd);
            std::string why;
            if (!readOk)
                *warning = config.savePath + ": read failed; starting with an empty digest cache";
            else if (!m_cache.parse(bytes, &why))
                *warning = config.savePath + ": " + why +
                           "; ignored, the digest cache is rebuilt as programs start";
        } else if (errno != ENOENT) {
            *warning = config.savePath + ": " + std::strerror(errno) +
                       "; starting with an empty digest cache";
        }
        m_savedChanges = m_cache.changes();
        m_writer = std::make_unique<PolicyWriter>(config.savePath, "digest cache", "pg-digests");
        m_writer->start();
    }
    m_pool = std::make_unique<DigestPool>(config.threads, config.queueCapacity);
    return m_pool->start(error);
}

void ImageDigests::stop()
{
    // A worker stuck in a read (a filesystem that never answers) is not
    // waited for: the pool is left to the exiting process.
    if (m_pool && !m_pool->stop()) {
        PG_LOG_WARN("a digest read did not finish; not waiting for it");
        (void)m_pool.release();
    }
    if (m_writer) {
        save(0, true);
        m_writer->stop();
        m_writer.reset();
    }
}

bool ImageDigests::versionOf(int fd, FileVersion *v)
{
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    v->dev = static_cast<uint64_t>(st.st_dev);
    v->ino = static_cast<uint64_t>(st.st_ino);
    v->size = static_cast<uint64_t>(st.st_size);
    v->mtimeNs = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000u +
                 static_cast<uint64_t>(st.st_mtim.tv_nsec);
    v->ctimeNs = static_cast<uint64_t>(st.st_ctim.tv_sec) * 1000000000u +
                 static_cast<uint64_t>(st.st_ctim.tv_nsec);
    return true;
}

bool ImageDigests::cached(const FileVersion &v, DigestAlgo algo, std::string *hex)
{
    if (!m_cache.lookup(v, algo, hex))
        return false;
    ++m_figures.hits;
    return true;
}

uint64_t ImageDigests::request(int fd, const FileVersion &v, uint32_t algos)
{
    for (const auto &kv : m_inFlight) {
        if (kv.second.v == v && (kv.second.algos & algos) == algos)
            return kv.first;
    }
    if (!m_pool)
        return 0;
    DigestPool::Job job;
    job.id = m_nextJob++;
    job.fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    job.algos = algos;
    job.maxBytes = m_config.maxBytes;
    job.size = v.size;
    if (job.fd < 0)
        return 0;
    if (!m_pool->submit(job)) {
        ::close(job.fd);
        return 0;
    }
    m_inFlight[job.id] = InFlight{v, algos};
    ++m_figures.misses;
    return job.id;
}

bool ImageDigests::hashNow(int fd, const FileVersion &v, uint32_t algos)
{
    DigestPool::Result r;
    const bool ok = DigestPool::hashFd(fd, algos, m_config.maxBytes, nullptr, &r);
    ++m_figures.misses;
    m_figures.bytes += r.bytes;
    if (!ok)
        return false;
    if (!r.sha256.empty())
        m_cache.insert(v, DigestAlgo::Sha256, r.sha256);
    if (!r.md5.empty())
        m_cache.insert(v, DigestAlgo::Md5, r.md5);
    return true;
}

std::vector<ImageDigests::Done> ImageDigests::collect()
{
    std::vector<Done> done;
    if (!m_pool)
        return done;
    for (DigestPool::Result &r : m_pool->takeResults()) {
        auto it = m_inFlight.find(r.id);
        if (it == m_inFlight.end())
            continue;
        m_figures.bytes += r.bytes;
        if (r.ok) {
            if (!r.sha256.empty())
                m_cache.insert(it->second.v, DigestAlgo::Sha256, r.sha256);
            if (!r.md5.empty())
                m_cache.insert(it->second.v, DigestAlgo::Md5, r.md5);
        }
        m_inFlight.erase(it);
        done.push_back(Done{r.id, r.ok, r.error});
    }
    return done;
}

void ImageDigests::noteWait(uint64_t ms)
{
    if (ms > m_figures.longestWaitMs)
        m_figures.longestWaitMs = ms > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(ms);
}

void ImageDigests::save(int64_t nowMs, bool now)
{
    if (!m_writer || m_cache.changes() == m_savedChanges)
        return;
    if (!now && nowMs - m_savedAtMs < kSaveEveryMs)
        return;
    m_writer->submit(m_cache.serialize());
    m_savedChanges = m_cache.changes();
    m_savedAtMs = nowMs;
}
