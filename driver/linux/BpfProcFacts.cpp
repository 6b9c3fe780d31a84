// BpfProcFacts.cpp - see BpfProcFacts.h.
#include "BpfProcFacts.h"

#include <algorithm>
#include <bpf/libbpf.h>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "Log.h"
#include "ProcFactDecode.h"
#include "ProcFacts.skel.h"
#include "pg_protocol.h"

namespace
{

// libbpf's own messages: warnings and worse go to our log at debug level
// (a refused load is reported once, by the caller, as one sentence).
int libbpfPrint(enum libbpf_print_level level, const char *format, va_list args)
{
    if (level == LIBBPF_DEBUG)
        return 0;
    char line[512];
    std::vsnprintf(line, sizeof line, format, args);
    size_t n = std::strlen(line);
    while (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    PG_LOG_DEBUG("libbpf: %s", line);
    return 0;
}

// Records handed over per readAll, so that a storm cannot keep the loop
// from the fanotify queue; the epoll fd stays readable while more wait.
constexpr uint32_t kMaxRecordsPerRead = 4096;
// Drain timer: soon after a drain that found records, backing off to the
// longest delay while the ring stays empty (see BpfProcFacts.h).
constexpr long kDrainMinMs = 10;
constexpr long kDrainMaxMs = 250;

} // namespace

struct BpfProcFacts::Impl {
    pg_proc_facts *skel = nullptr;
    ring_buffer *ring = nullptr;
    int epoll = -1;   // what fd() returns: the ring map and the timer
    int timerFd = -1; // drain timer
    long drainMs = kDrainMinMs;
    uint64_t nsPerTick = 10000000; // USER_HZ 100
    uint64_t undecodable = 0;
    const std::function<void(const ProcFact &)> *onFact = nullptr;
    uint32_t handed = 0;
    ProcFact fact; // reused: its strings keep their capacity

    static int onRecord(void *ctx, void *data, size_t size)
    {
        Impl *self = static_cast<Impl *>(ctx);
        // A negative return consumes this record and ends the pass.
        const int more = ++self->handed < kMaxRecordsPerRead ? 0 : -1;
        if (!decodeProcFact(data, size, self->nsPerTick, PG_MAX_CMDLINE_BYTES, &self->fact)) {
            ++self->undecodable;
            return more;
        }
        (*self->onFact)(self->fact);
        return more;
    }

    void armDrain(long ms) const
    {
        struct itimerspec its;
        std::memset(&its, 0, sizeof its);
        its.it_value.tv_sec = ms / 1000;
        its.it_value.tv_nsec = (ms % 1000) * 1000000L;
        timerfd_settime(timerFd, 0, &its, nullptr);
    }
};

BpfProcFacts::BpfProcFacts() : m_impl(std::make_unique<Impl>()) {}

BpfProcFacts::~BpfProcFacts()
{
    close();
}

bool BpfProcFacts::open(std::string *error, size_t ringBytes)
{
    close();
    libbpf_set_print(libbpfPrint);
    const long ticks = sysconf(_SC_CLK_TCK);
    if (ticks > 0)
        m_impl->nsPerTick = 1000000000ull / static_cast<uint64_t>(ticks);
    int rc = 0;
    m_impl->skel = pg_proc_facts__open();
    if (m_impl->skel == nullptr) {
        rc = -errno;
        *error = std::string("cannot open the BPF process-facts object: ") + std::strerror(-rc);
        goto Fail;
    }
    rc = bpf_map__set_max_entries(m_impl->skel->maps.pg_events, static_cast<uint32_t>(ringBytes));
    if (rc != 0) {
        *error = "cannot size the BPF ring buffer: " + std::string(std::strerror(-rc));
        goto Fail;
    }
    rc = pg_proc_facts__load(m_impl->skel);
    if (rc != 0) {
        *error =
            std::string("the kernel refused the BPF process-facts programs: ") + std::strerror(-rc);
        goto Fail;
    }
    rc = pg_proc_facts__attach(m_impl->skel);
    if (rc != 0) {
        *error = std::string("cannot attach the BPF tracepoint programs: ") + std::strerror(-rc);
        goto Fail;
    }
    m_impl->ring = ring_buffer__new(bpf_map__fd(m_impl->skel->maps.pg_events), &Impl::onRecord,
                                    m_impl.get(), nullptr);
    if (m_impl->ring == nullptr) {
        rc = -errno;
        *error = std::string("cannot map the BPF ring buffer: ") + std::strerror(-rc);
        goto Fail;
    }
    // Our own epoll set: the ring map itself (readable after a forced
    // wake-up) and the drain timer. ring_buffer__epoll_fd is not used: a
    // record written without a wake-up never makes it readable anyway.
    m_impl->epoll = epoll_create1(EPOLL_CLOEXEC);
    m_impl->timerFd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_impl->epoll < 0 || m_impl->timerFd < 0) {
        *error = std::string("cannot set up the BPF ring's drain timer: ") + std::strerror(errno);
        goto Fail;
    }
    for (int fd : {bpf_map__fd(m_impl->skel->maps.pg_events), m_impl->timerFd}) {
        struct epoll_event ev;
        std::memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        if (epoll_ctl(m_impl->epoll, EPOLL_CTL_ADD, fd, &ev) != 0) {
            *error = std::string("cannot watch the BPF ring buffer: ") + std::strerror(errno);
            goto Fail;
        }
    }
    m_impl->drainMs = kDrainMinMs;
    m_impl->armDrain(m_impl->drainMs);
    return true;

Fail:
    close();
    return false;
}

void BpfProcFacts::close()
{
    // Links first (destroy detaches them), so nothing writes into a ring
    // that is being unmapped; nothing was pinned, so this is all there is.
    for (int *fd : {&m_impl->epoll, &m_impl->timerFd}) {
        if (*fd >= 0)
            ::close(*fd);
        *fd = -1;
    }
    if (m_impl->ring != nullptr) {
        ring_buffer__free(m_impl->ring);
        m_impl->ring = nullptr;
    }
    if (m_impl->skel != nullptr) {
        pg_proc_facts__destroy(m_impl->skel);
        m_impl->skel = nullptr;
    }
}

bool BpfProcFacts::isOpen() const
{
    return m_impl->ring != nullptr;
}

int BpfProcFacts::fd() const
{
    return m_impl->ring != nullptr ? m_impl->epoll : -1;
}

uint64_t BpfProcFacts::readAll(const std::function<void(const ProcFact &)> &onFact, bool fromTimer)
{
    if (m_impl->ring == nullptr)
        return 0;
    const uint64_t before = m_impl->undecodable;
    m_impl->onFact = &onFact;
    m_impl->handed = 0;
    ring_buffer__consume(m_impl->ring);
    m_impl->onFact = nullptr;
    if (!fromTimer)
        return m_impl->undecodable - before;
    uint64_t expirations = 0;
    while (::read(m_impl->timerFd, &expirations, sizeof expirations) > 0) {
    }
    // Next drain: at once when the pass was cut short, soon when records
    // came, later and later while none do.
    if (m_impl->handed >= kMaxRecordsPerRead)
        m_impl->drainMs = 0;
    else if (m_impl->handed > 0)
        m_impl->drainMs = kDrainMinMs;
    else
        m_impl->drainMs = std::min(kDrainMaxMs, std::max(kDrainMinMs, m_impl->drainMs * 2));
    // A zero it_value would disarm the timer.
    m_impl->armDrain(m_impl->drainMs > 0 ? m_impl->drainMs : 1);
    return m_impl->undecodable - before;
}

uint64_t BpfProcFacts::dropped() const
{
    if (m_impl->skel == nullptr || m_impl->skel->bss == nullptr)
        return 0;
    return __atomic_load_n(&m_impl->skel->bss->pg_dropped, __ATOMIC_RELAXED);
}
