// DigestPool.cpp - see DigestPool.h.
#include "DigestPool.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

namespace
{

using MdCtx = std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX *)>;

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

bool finish(EVP_MD_CTX *ctx, std::string *hex)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx, d, &len) != 1)
        return false;
    *hex = toHex(d, len);
    return true;
}

} // namespace

bool DigestPool::hashFd(int fd, uint32_t algos, uint64_t maxBytes, const std::atomic<bool> *cancel,
                        Result *out)
{
    const auto started = std::chrono::steady_clock::now();
    MdCtx sha(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    MdCtx md5(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    const bool wantSha = (algos & kSha256) != 0;
    const bool wantMd5 = (algos & kMd5) != 0;
    if (!sha || !md5 || (wantSha && EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr) != 1) ||
        (wantMd5 && EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr) != 1)) {
        out->error = "the crypto library could not start a digest";
        return false;
    }
    // The page cache reads ahead further when told the access is linear.
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    std::vector<unsigned char> buf(1024 * 1024);
    uint64_t off = 0;
    for (;;) {
        if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
            out->error = "cancelled (the daemon is stopping)";
            return false;
        }
        ssize_t n = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(off));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            out->error = std::string("read failed: ") + std::strerror(errno);
            return false;
        }
        if (n == 0)
            break;
        if ((wantSha && EVP_DigestUpdate(sha.get(), buf.data(), static_cast<size_t>(n)) != 1) ||
            (wantMd5 && EVP_DigestUpdate(md5.get(), buf.data(), static_cast<size_t>(n)) != 1)) {
            out->error = "the crypto library failed while hashing";
            return false;
        }
        off += static_cast<uint64_t>(n);
        out->bytes = off;
        if (maxBytes != 0 && off > maxBytes) {
            out->error = "larger than the digest size bound";
            return false;
        }
    }
    if ((wantSha && !finish(sha.get(), &out->sha256)) ||
        (wantMd5 && !finish(md5.get(), &out->md5))) {
        out->error = "the crypto library could not finish a digest";
        return false;
    }
    out->micros = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                            std::chrono::steady_clock::now() - started)
                                            .count());
    out->ok = true;
    return true;
}

DigestPool::DigestPool(unsigned threads, size_t queueCapacity)
    : m_threadCount(threads == 0 ? 1 : threads), m_capacity(queueCapacity == 0 ? 1 : queueCapacity)
{
}

DigestPool::~DigestPool()
{
    stop(); // a pool whose stop() failed is never destroyed (see stop())
    if (m_eventFd >= 0)
        ::close(m_eventFd);
}

bool DigestPool::start(std::string *error)
{
    m_eventFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_eventFd < 0) {
        *error = std::string("cannot create the digest pool's eventfd: ") + std::strerror(errno);
        return false;
    }
    for (unsigned i = 0; i < m_threadCount; ++i)
        m_threads.emplace_back(&DigestPool::run, this, i);
    return true;
}

bool DigestPool::submit(const Job &job)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_stop.load() || m_threads.empty() || m_small.size() + m_bulk.size() >= m_capacity)
            return false;
        (job.size > kBulkBytes && m_threadCount > 1 ? m_bulk : m_small).push_back(job);
    }
    m_cv.notify_all(); // the right lane's thread must wake
    return true;
}

std::vector<DigestPool::Result> DigestPool::takeResults()
{
    uint64_t count;
    while (::read(m_eventFd, &count, sizeof count) > 0) {
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<Result> out;
    out.swap(m_results);
    return out;
}

size_t DigestPool::queued() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_small.size() + m_bulk.size();
}

bool DigestPool::stop(int waitMs)
{
    if (m_stopped)
        return true;
    m_stopped = true;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop.store(true);
        for (std::deque<Job> *lane : {&m_small, &m_bulk}) {
            for (const Job &j : *lane)
                ::close(j.fd);
            lane->clear();
        }
    }
    m_cv.notify_all();
    bool allExited;
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        allExited = m_exitCv.wait_for(lock, std::chrono::milliseconds(waitMs),
                                      [this] { return m_exited == m_threads.size(); });
    }
    for (std::thread &t : m_threads) {
        if (!t.joinable())
            continue;
        if (allExited)
            t.join();
        else
            t.detach(); // stuck in a read; it ends with the process
    }
    m_threads.clear();
    return allExited;
}

void DigestPool::run(unsigned index)
{
    // Counted on every way out, so that stop() knows when to join.
    struct ExitMark {
        DigestPool *pool;
        ~ExitMark()
        {
            std::lock_guard<std::mutex> lock(pool->m_mutex);
            ++pool->m_exited;
            pool->m_exitCv.notify_all();
        }
    } mark{this};
    const std::string name = "pg-digest-" + std::to_string(index);
    pthread_setname_np(pthread_self(), name.c_str());
    // Only lowering: no privilege needed (Linux: nice is per thread).
    if (!smallLane(index))
        setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kBulkNice);
    const bool small = smallLane(index);
    const bool bulk = bulkLane(index);
    for (;;) {
        Job job;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_cv.wait(lock, [&] {
                return m_stop.load() || (small && !m_small.empty()) || (bulk && !m_bulk.empty());
            });
            if (m_stop.load())
                return;
            std::deque<Job> &lane = small && !m_small.empty() ? m_small : m_bulk;
            job = lane.front();
            lane.pop_front();
        }
        Result r;
        r.id = job.id;
        hashFd(job.fd, job.algos, job.maxBytes, &m_stop, &r);
        ::close(job.fd);
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_results.push_back(std::move(r));
        }
        const uint64_t one = 1;
        ssize_t ignored = ::write(m_eventFd, &one, sizeof one);
        (void)ignored;
    }
}
