// Sentry.h - procguard-sentry: keeps the gate closed while procguardd is
// down. See SentryChannel.h for why and how it gets the gate.
//
// Three states, one thread:
//   waiting    no procguardd: try to connect every kRetryMs, hold nothing
//   listening  connected: keep procguardd's fanotify group open, take the
//              rules in force, answer nothing (procguardd does)
//   holding    the link broke without RELEASE: procguardd died. Answer the
//              group's events with the rules in force until a procguardd
//              is back (it hands over a new group: the old one is drained
//              and closed) or until this process is stopped (SIGTERM: the
//              group is closed and the machine handed back)
//
// What it decides while holding (the documented fail mode):
//   - root and system accounts (uid < kFirstUserUid) start anything: the
//     service manager must be able to restart procguardd;
//   - monitor: everything runs;
//   - prompt and lockdown: a rule decides (path, glob, prefix, hash - the
//     digest is read through the event's fd - user, group and parent
//     conditions); package rules never match (no dpkg index here), and a
//     start a command-line rule could decide is refused (the command line
//     does not exist yet and nothing can be frozen); what no rule allows
//     is refused in lockdown and gets the default verdict in prompt
//     (nobody can be asked);
//   - starts procguardd had read but not answered when it died are
//     answered once, at the takeover, as the mode's default says
//     (refused in prompt and lockdown, allowed in monitor).
//
// Must not: exec anything, or open a file while it holds the gate (its
// own open would wait for itself). It reads /proc only, which is never
// gated, and learns the rules from procguardd, not from a file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "InterpreterSet.h"
#include "PolicyStore.h"

struct fanotify_event_metadata;

class Sentry
{
public:
    static constexpr uint32_t kFirstUserUid = 1000;
    static constexpr int kRetryMs = 200;

    struct Options {
        std::string socketPath = "/run/procguard/sentry.sock";
        uint64_t digestMaxBytes = 1024ull * 1024 * 1024;
    };

    explicit Sentry(const Options &options);
    ~Sentry();
    // Until SIGTERM/SIGINT. Returns the exit status.
    int run();

private:
    // Connects and reads HELLO (the gate) and the first frames. False when
    // no procguardd answers.
    bool connect();
    // Reads what procguardd sent; false when the link is gone (*released
    // tells a clean stop from a crash).
    bool readLink(bool *released);
    void takeOver();
    // Answers every waiting event of the gate it holds.
    void serve(int gate);
    bool decide(const fanotify_event_metadata &meta, const char **why);
    bool decideStart(int fd, uint32_t pid, const char **why);
    bool decideLoaderRun(uint32_t pid, const char **why);
    void applyPolicy(const std::vector<uint8_t> &bytes);
    void closeGate();

    Options m_options;
    uint32_t m_self;
    int m_signalFd = -1;
    int m_link = -1;
    int m_gate = -1;
    bool m_holding = false;
    std::vector<uint8_t> m_buffer;
    PolicyStore m_policy;
    bool m_havePolicy = false;
    InterpreterSet m_interpreters;
    bool m_stacks = false; // ExecOrigin can tell a loader run from a loader load
    uint64_t m_answered = 0;
};
