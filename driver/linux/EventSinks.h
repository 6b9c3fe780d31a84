// EventSinks.h - procguardd's events for a SIEM: every event the clients
// see, as one Elastic Common Schema object (driver/core/pg_ecs.h), sent to
// the local syslog (journald reads it too), a remote syslog server over
// UDP or TCP, and/or appended to a file (--events; docs/ecs.md).
//
// Owns: a bounded queue of event copies, one named thread ("pg-events")
// that encodes and writes them, the sinks' sockets and file, the rule
// names by id (for rule.name) and the uid -> user name cache.
//
// Threads and deadlocks (see the notes at the top of Daemon.cpp):
//   - push() and policyChanged() are called by the main thread only. push
//     copies the event under a mutex held for a queue append, never waits
//     for the thread, never opens a file: the decision path is not slowed
//     by a slow disk or a dead syslog server.
//   - Only the thread opens the file, reads /etc/passwd (getpwuid_r) and
//     connects. Its opens on a gated filesystem carry the daemon's pid and
//     are allowed at once by the main thread.
//   - Every write is bounded: sockets have a 2 s send timeout, TCP
//     connects give up after 2 s, files and FIFOs are written
//     non-blocking; a target that fails is left alone for 5 s (its objects
//     meanwhile lost at once), and every loss is counted and reported.
//   - A file is checked for a rotation (renamed or removed: reopened) at
//     most once a second.
//   - stop() is called after the fanotify group is closed: it writes what
//     is queued (at most 2 s more), then joins.
//
// Losses are never silent: when the queue is full (kQueueCapacity) or a
// sink fails, the events are counted, and the next record written is an
// OVERFLOW object (event.action "events-lost", procguard.lost) on every sink.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "pg_protocol.h"

class EventSinks
{
public:
    // One --events target.
    struct Target {
        enum class Kind { Syslog, Udp, Tcp, File };
        Kind kind = Kind::Syslog;
        std::string path; // Syslog: the socket (/dev/log); File: the file
        std::string host; // Udp, Tcp
        uint16_t port = 0;
    };

    // Parses one comma-separated --events value into targets:
    //   syslog                 the local syslog socket /dev/log
    //   syslog:unix:PATH       another local datagram socket
    //   syslog:udp:HOST:PORT   RFC 5424 datagrams to a syslog server
    //   syslog:tcp:HOST:PORT   RFC 5424 lines (RFC 6587 framing) over TCP
    //   file:PATH              one object per line appended to PATH
    // HOST is an IPv4/IPv6 address or a name; [v6]:PORT is accepted. A
    // comma in a file path is kept when what follows it is no target.
    // false: *error is one sentence naming the bad part.
    static bool parse(const std::string &value, std::vector<Target> *out, std::string *error);

    static constexpr size_t kQueueCapacity = 16384;

    // retryMs: how long a failed target is left alone (its objects lost
    // at once, counted) before the next try; tests shorten it.
    explicit EventSinks(int64_t retryMs = 5000);
    ~EventSinks();
    EventSinks(const EventSinks &) = delete;
    EventSinks &operator=(const EventSinks &) = delete;

    // Starts the thread (no targets: does nothing, push is a no-op).
    void start(std::vector<Target> targets);
    bool active() const { return m_active; }

    // The policy in force changed (a SET_POLICY message as PolicyStore
    // keeps it): rule names for later verdicts. Main thread.
    void policyChanged(const std::vector<uint8_t> &policyBytes);
    // Queues one event with its strings (after emit() clipped them).
    // Main thread; never blocks on I/O.
    void push(const pg_event &ev, const std::string &image, const std::string &cmdline,
              const std::string &parentImage);
    // Writes what is queued (bounded), ends the thread and joins it.
    void stop();

    // Events lost so far (queue full or a sink failed).
    uint64_t lost() const;

private:
    struct Record {
        pg_event ev;
        std::string image, cmdline, parentImage;
        uint8_t ruleAction = 0, ruleKind = 0;
        std::string rulePattern; // empty: unknown
    };
    struct RuleName {
        uint8_t action = 0, kind = 0;
        std::string pattern;
    };
    class Sink;

    void run();
    // Encodes r and writes it to every sink; false when some sink lost it.
    bool writeRecord(const Record &r);
    std::string userName(uint32_t uid);

    const int64_t m_retryMs;
    bool m_active = false;
    std::vector<std::unique_ptr<Sink>> m_sinks; // the thread's alone
    std::string m_hostName, m_hostId;           // the thread's alone
    std::unordered_map<uint32_t, std::string> m_userNames;
    std::map<uint32_t, RuleName> m_rules; // the main thread's alone

    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Record> m_queue;
    uint64_t m_lostQueue = 0; // dropped for a full queue, not yet reported
    uint64_t m_lostTotal = 0;
    uint64_t m_lostSinks = 0; // the thread's: failed writes not yet reported
    bool m_stop = false;
};
