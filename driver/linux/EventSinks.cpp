// EventSinks.cpp - see EventSinks.h.
#include "EventSinks.h"

#include <arpa/inet.h>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "Log.h"
#include "pg_ecs.h"

namespace
{

constexpr int kSendTimeoutMs = 2000;
constexpr int kConnectTimeoutMs = 2000;
constexpr int64_t kStopBudgetMs = 2000;
constexpr int kFacilityDaemon = 3;
constexpr int kSeverityWarning = 4;
constexpr int kSeverityInfo = 6;

int64_t monotonicMs()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

uint64_t realtimeNs()
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

void setSendTimeout(int fd)
{
    struct timeval tv;
    tv.tv_sec = kSendTimeoutMs / 1000;
    tv.tv_usec = (kSendTimeoutMs % 1000) * 1000;
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// "HOST:PORT" or "[V6]:PORT".
bool splitHostPort(const std::string &text, std::string *host, uint16_t *port)
{
    std::string portText;
    if (!text.empty() && text[0] == '[') {
        const size_t close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return false;
        *host = text.substr(1, close - 1);
        portText = text.substr(close + 2);
    } else {
        const size_t colon = text.rfind(':');
        if (colon == std::string::npos)
            return false;
        *host = text.substr(0, colon);
        portText = text.substr(colon + 1);
    }
    if (host->empty() || portText.empty() || portText.size() > 5 ||
        portText.find_first_not_of("0123456789") != std::string::npos)
        return false;
    const unsigned long n = std::stoul(portText);
    if (n == 0 || n > 65535)
        return false;
    *port = static_cast<uint16_t>(n);
    return true;
}

} // namespace

// ---------------------------------------------------------------------
// One target
// ---------------------------------------------------------------------

class EventSinks::Sink
{
public:
    Sink(Target t, int64_t retryMs) : m_target(std::move(t)), m_retryMs(retryMs) {}
    ~Sink() { closeFd(); }

    std::string describe() const
    {
        switch (m_target.kind) {
        case Target::Kind::Syslog:
            return "syslog socket " + m_target.path;
        case Target::Kind::Udp:
            return "syslog server udp:" + m_target.host + ":" + std::to_string(m_target.port);
        case Target::Kind::Tcp:
            return "syslog server tcp:" + m_target.host + ":" + std::to_string(m_target.port);
        case Target::Kind::File:
            return "file " + m_target.path;
        }
        return "?";
    }

    // Writes one object. false: lost (the reason is logged once per
    // failure streak).
    bool write(const std::string &json, int severity, uint64_t timeNs, const std::string &host)
    {
        // After a failure the target is left alone for retryMs: the
        // objects meanwhile are lost at once (counted), not each after its
        // own timeout, so a dead server does not stall the queue.
        const int64_t now = monotonicMs();
        if (m_failing && now - m_failedAtMs < m_retryMs)
            return false;
        std::string why;
        bool ok = false;
        if (ensureOpen(&why)) {
            ok = send(frame(json, severity, timeNs, host), &why);
            if (!ok)
                closeFd();
        }
        if (!ok && !m_failing)
            PG_LOG_WARN("events: %s: %s; events are lost until it works again", describe().c_str(),
                        why.c_str());
        if (ok && m_failing)
            PG_LOG_INFO("events: %s works again", describe().c_str());
        m_failing = !ok;
        if (!ok)
            m_failedAtMs = monotonicMs();
        return ok;
    }

private:
    std::string frame(const std::string &json, int severity, uint64_t timeNs,
                      const std::string &host) const
    {
        const int pri = kFacilityDaemon * 8 + severity;
        const time_t secs = static_cast<time_t>(timeNs / 1000000000u);
        struct tm tm;
        gmtime_r(&secs, &tm);
        char stamp[64];
        switch (m_target.kind) {
        case Target::Kind::File:
            return json + "\n";
        case Target::Kind::Syslog: {
            // What syslog(3) sends: "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG".
            std::strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
            return "<" + std::to_string(pri) + ">" + stamp + " procguardd[" +
                   std::to_string(getpid()) + "]: " + json;
        }
        case Target::Kind::Udp:
        case Target::Kind::Tcp: {
            // RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG
            const size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
            std::snprintf(stamp + n, sizeof stamp - n, ".%06uZ",
                          static_cast<unsigned>((timeNs / 1000u) % 1000000u));
            std::string line = "<" + std::to_string(pri) + ">1 " + stamp + " " +
                               (host.empty() ? std::string("-") : host) + " procguardd " +
                               std::to_string(getpid()) + " ecs - " + json;
            // TCP: RFC 6587 non-transparent framing (the JSON has no raw
            // newline: pg_ecs escapes them).
            if (m_target.kind == Target::Kind::Tcp)
                line += "\n";
            return line;
        }
        }
        return json;
    }

    bool ensureOpen(std::string *why)
    {
        if (m_target.kind == Target::Kind::File && m_fd >= 0) {
            // Reopen when the file was moved away (logrotate) or removed;
            // looked at once a second, not for every object.
            const int64_t now = monotonicMs();
            struct stat st;
            if (now - m_lastStatMs >= 1000) {
                m_lastStatMs = now;
                if (::stat(m_target.path.c_str(), &st) != 0 || st.st_ino != m_ino ||
                    st.st_dev != m_dev)
                    closeFd();
            }
        }
        if (m_fd >= 0)
            return true;
        switch (m_target.kind) {
        case Target::Kind::File:
            return openFile(why);
        case Target::Kind::Syslog:
            return openUnix(why);
        case Target::Kind::Udp:
        case Target::Kind::Tcp:
            return openInet(why);
        }
        return false;
    }

    bool openFile(std::string *why)
    {
        // The folder too (the package makes /var/log/procguard; a path of
        // the operator's own choosing may not exist yet).
        const size_t slash = m_target.path.rfind('/');
        if (slash != std::string::npos && slash > 0)
            ::mkdir(m_target.path.substr(0, slash).c_str(), 0750);
        // 0640 less the daemon's umask (077 in procguardd: root only).
        // O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) and one
        // whose reader stalls fails the write (EAGAIN) instead of hanging
        // the thread and the stop; a regular file ignores it.
        m_fd = ::open(m_target.path.c_str(),
                      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0640);
        if (m_fd < 0) {
            *why = std::string("cannot open it: ") + std::strerror(errno);
            return false;
        }
        struct stat st;
        if (::fstat(m_fd, &st) == 0) {
            m_ino = st.st_ino;
            m_dev = st.st_dev;
        }
        m_lastStatMs = monotonicMs();
        return true;
    }

    bool openUnix(std::string *why)
    {
        struct sockaddr_un addr;
        std::memset(&addr, 0, sizeof addr);
        addr.sun_family = AF_UNIX;
        if (m_target.path.size() >= sizeof addr.sun_path) {
            *why = "the socket path is too long";
            return false;
        }
        std::memcpy(addr.sun_path, m_target.path.c_str(), m_target.path.size());
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0 ||
            ::connect(m_fd, reinterpret_cast<struct sockaddr *>(&addr), sizeof addr) != 0) {
            *why = std::string("cannot connect: ") + std::strerror(errno);
            closeFd();
            return false;
        }
        setSendTimeout(m_fd);
        return true;
    }

    bool openInet(std::string *why)
    {
        const bool tcp = m_target.kind == Target::Kind::Tcp;
        struct addrinfo hints;
        std::memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
        hints.ai_flags = AI_NUMERICSERV;
        struct addrinfo *res = nullptr;
        const std::string port = std::to_string(m_target.port);
        const int rc = ::getaddrinfo(m_target.host.c_str(), port.c_str(), &hints, &res);
        if (rc != 0) {
            *why = std::string("cannot resolve the host: ") + gai_strerror(rc);
            return false;
        }
        *why = "no address";
        for (struct addrinfo *ai = res; ai != nullptr && m_fd < 0; ai = ai->ai_next) {
            int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                              ai->ai_protocol);
            if (fd < 0)
                continue;
            int c = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
            if (c != 0 && errno == EINPROGRESS) {
                struct pollfd p = {fd, POLLOUT, 0};
                int err = ETIMEDOUT;
                socklen_t len = sizeof err;
                if (::poll(&p, 1, kConnectTimeoutMs) == 1 &&
                    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
                    c = 0;
                else
                    errno = err;
            }
            if (c != 0) {
                *why = std::string("cannot connect: ") + std::strerror(errno);
                ::close(fd);
                continue;
            }
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            setSendTimeout(fd);
            m_fd = fd;
        }
        ::freeaddrinfo(res);
        return m_fd >= 0;
    }

    bool send(const std::string &data, std::string *why)
    {
        if (m_target.kind == Target::Kind::Syslog || m_target.kind == Target::Kind::Udp) {
            // One datagram per object.
            if (::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL) !=
                static_cast<ssize_t>(data.size())) {
                *why = std::string("send failed: ") + std::strerror(errno);
                return false;
            }
            return true;
        }
        size_t done = 0;
        while (done < data.size()) {
            const ssize_t n =
                m_target.kind == Target::Kind::File
                    ? ::write(m_fd, data.data() + done, data.size() - done)
                    : ::send(m_fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                *why = std::string("write failed: ") +
                       (n < 0 ? std::strerror(errno) : "nothing written");
                return false;
            }
            done += static_cast<size_t>(n);
        }
        return true;
    }

    void closeFd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

    Target m_target;
    int m_fd = -1;
    ino_t m_ino = 0;
    dev_t m_dev = 0;
    int64_t m_retryMs;
    int64_t m_failedAtMs = 0;
    int64_t m_lastStatMs = 0;
    bool m_failing = false;
};

// ---------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------

bool EventSinks::parse(const std::string &value, std::vector<Target> *out, std::string *error)
{
    size_t start = 0;
    while (start <= value.size()) {
        const size_t comma = value.find(',', start);
        const std::string item =
            value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        start = comma == std::string::npos ? value.size() + 1 : comma + 1;
        // A file path holding a comma: what follows the comma is not a
        // target of its own, so it continues the path.
        const bool known = item.compare(0, 6, "syslog") == 0 || item.compare(0, 5, "file:") == 0;
        if (!known && !item.empty() && !out->empty() && out->back().kind == Target::Kind::File) {
            out->back().path += "," + item;
            continue;
        }
        Target t;
        if (item == "syslog") {
            t.kind = Target::Kind::Syslog;
            t.path = "/dev/log";
        } else if (item.compare(0, 12, "syslog:unix:") == 0 && item.size() > 12) {
            t.kind = Target::Kind::Syslog;
            t.path = item.substr(12);
        } else if (item.compare(0, 11, "syslog:udp:") == 0 ||
                   item.compare(0, 11, "syslog:tcp:") == 0) {
            t.kind = item[7] == 'u' ? Target::Kind::Udp : Target::Kind::Tcp;
            if (!splitHostPort(item.substr(11), &t.host, &t.port)) {
                *error = "--events: '" + item + "' needs HOST:PORT (a port from 1 to 65535).";
                return false;
            }
        } else if (item.compare(0, 5, "file:") == 0 && item.size() > 5 && item[5] == '/') {
            t.kind = Target::Kind::File;
            t.path = item.substr(5);
        } else {
            *error = "--events: unknown target '" + item +
                     "' (use syslog, syslog:unix:PATH, syslog:udp:HOST:PORT, "
                     "syslog:tcp:HOST:PORT or file:/ABSOLUTE/PATH).";
            return false;
        }
        out->push_back(std::move(t));
    }
    return true;
}

// ---------------------------------------------------------------------
// Queue and thread
// ---------------------------------------------------------------------

EventSinks::EventSinks(int64_t retryMs) : m_retryMs(retryMs) {}

EventSinks::~EventSinks()
{
    stop();
}

void EventSinks::start(std::vector<Target> targets)
{
    if (targets.empty() || m_active)
        return;
    for (Target &t : targets)
        m_sinks.push_back(std::make_unique<Sink>(std::move(t), m_retryMs));
    m_active = true;
    m_thread = std::thread([this] { run(); });
}

void EventSinks::policyChanged(const std::vector<uint8_t> &bytes)
{
    if (!m_active)
        return;
    // The bytes are a validated SET_POLICY message (PolicyStore); bounds
    // are checked anyway.
    m_rules.clear();
    if (bytes.size() < sizeof(pg_policy))
        return;
    pg_policy p;
    std::memcpy(&p, bytes.data(), sizeof p);
    size_t off = sizeof p;
    for (uint32_t i = 0; i < p.rule_count; ++i) {
        pg_rule r;
        if (off + sizeof r > bytes.size())
            return;
        std::memcpy(&r, bytes.data() + off, sizeof r);
        if (r.size < sizeof r || off + r.size > bytes.size() || sizeof r + r.pattern_len > r.size ||
            r.pattern_len < 2)
            return;
        RuleName n;
        n.action = r.action;
        n.kind = r.kind;
        n.pattern.assign(reinterpret_cast<const char *>(bytes.data()) + off + sizeof r,
                         r.pattern_len - 1u);
        m_rules[r.id] = std::move(n);
        off += r.size;
    }
}

void EventSinks::push(const pg_event &ev, const std::string &image, const std::string &cmdline,
                      const std::string &parentImage)
{
    if (!m_active)
        return;
    Record r;
    r.ev = ev;
    r.image = image;
    r.cmdline = cmdline;
    r.parentImage = parentImage;
    if (ev.kind == PG_EV_VERDICT && ev.source == PG_SRC_RULE && ev.rule_id != 0) {
        auto it = m_rules.find(ev.rule_id);
        if (it != m_rules.end()) {
            r.ruleAction = it->second.action;
            r.ruleKind = it->second.kind;
            r.rulePattern = it->second.pattern;
        }
    }
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_queue.size() >= kQueueCapacity) {
            ++m_lostQueue;
            ++m_lostTotal;
            return;
        }
        m_queue.push_back(std::move(r));
    }
    m_cv.notify_one();
}

void EventSinks::stop()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_one();
    m_thread.join();
    m_active = false;
    if (const uint64_t n = lost())
        PG_LOG_WARN("events: %llu event(s) were lost on the way to the --events targets",
                    static_cast<unsigned long long>(n));
}

uint64_t EventSinks::lost() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_lostTotal;
}

std::string EventSinks::userName(uint32_t uid)
{
    auto it = m_userNames.find(uid);
    if (it != m_userNames.end())
        return it->second;
    std::string name;
    struct passwd pw, *found = nullptr;
    std::vector<char> buf(16384);
    if (getpwuid_r(static_cast<uid_t>(uid), &pw, buf.data(), buf.size(), &found) == 0 && found)
        name = pw.pw_name;
    if (m_userNames.size() > 4096)
        m_userNames.clear();
    m_userNames.emplace(uid, name);
    return name;
}

bool EventSinks::writeRecord(const Record &r)
{
    const pg_event &ev = r.ev;
    std::string user;
    if (ev.kind == PG_EV_START || ev.kind == PG_EV_EXEC || ev.kind == PG_EV_REQUEST ||
        ev.kind == PG_EV_VERDICT || ev.kind == PG_EV_WAIT)
        user = userName(ev.uid);
    pg_ecs_event in{};
    in.ev = &ev;
    in.image = r.image.c_str();
    in.cmdline = r.cmdline.c_str();
    in.parent_image = r.parentImage.c_str();
    in.user_name = user.c_str();
    if (!r.rulePattern.empty()) {
        in.rule_action = r.ruleAction;
        in.rule_kind = r.ruleKind;
        in.rule_pattern = r.rulePattern.c_str();
    }
    const pg_ecs_host host{m_hostName.c_str(), m_hostId.c_str(), PG_ECS_OS_LINUX};
    std::string json(2048, '\0');
    size_t n = pg_ecs_encode(&host, &in, &json[0], json.size() + 1);
    if (n > json.size()) {
        json.assign(n, '\0');
        n = pg_ecs_encode(&host, &in, &json[0], json.size() + 1);
    }
    json.resize(n);
    const bool warn = (ev.kind == PG_EV_VERDICT && ev.verdict == PG_VERDICT_BLOCK) ||
                      ev.kind == PG_EV_OVERFLOW || ev.kind == PG_EV_RESYNC;
    bool ok = true;
    for (auto &sink : m_sinks) {
        if (!sink->write(json, warn ? kSeverityWarning : kSeverityInfo, ev.time_ns, m_hostName))
            ok = false;
    }
    return ok;
}

void EventSinks::run()
{
    prctl(PR_SET_NAME, "pg-events", 0, 0, 0);
    char host[HOST_NAME_MAX + 1] = {};
    if (gethostname(host, sizeof host - 1) == 0)
        m_hostName = host;
    std::ifstream machineId("/etc/machine-id");
    std::getline(machineId, m_hostId);

    int64_t stopDeadline = 0;
    for (;;) {
        std::deque<Record> batch;
        uint64_t lostQueue = 0;
        bool stopping = false;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stop || !m_queue.empty(); });
            batch.swap(m_queue);
            lostQueue = m_lostQueue;
            m_lostQueue = 0;
            stopping = m_stop;
        }
        if (stopping && stopDeadline == 0)
            stopDeadline = monotonicMs() + kStopBudgetMs;
        // A loss is reported before the next record, on every sink; a
        // sink's own failures are reported once it writes again.
        const uint64_t lost = lostQueue + m_lostSinks;
        if (lost != 0) {
            Record overflow;
            std::memset(&overflow.ev, 0, sizeof overflow.ev);
            overflow.ev.kind = PG_EV_OVERFLOW;
            overflow.ev.time_ns = realtimeNs();
            overflow.ev.lost = lost;
            overflow.ev.mode = batch.empty() ? 0 : batch.front().ev.mode;
            // Still failing: the same loss is reported with the next one.
            m_lostSinks = writeRecord(overflow) ? 0 : lost;
        }
        for (size_t i = 0; i < batch.size(); ++i) {
            if (stopDeadline != 0 && monotonicMs() > stopDeadline) {
                const size_t dropped = batch.size() - i;
                PG_LOG_WARN("events: %zu event(s) not written at stop (the sinks were too slow)",
                            dropped);
                std::lock_guard<std::mutex> lock(m_mutex);
                m_lostTotal += dropped;
                break;
            }
            if (!writeRecord(batch[i])) {
                ++m_lostSinks;
                std::lock_guard<std::mutex> lock(m_mutex);
                ++m_lostTotal;
            }
        }
        if (stopping) {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (m_queue.empty())
                return;
        }
    }
}
