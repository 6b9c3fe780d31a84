// Options.h - procguardd's command line.
//
// Owns: parsing argv into settings and the usage text. Must not: touch
// the system (no checks of paths or groups here; Daemon does those).
#pragma once

#include <string>
#include <vector>

#include "EventSinks.h"
#include "Log.h"

class Options
{
public:
    enum class Outcome { Run, Exit0, BadUsage };

    // Parses argv. Exit0: --help or --version was printed on stdout.
    // BadUsage: *error holds one sentence for stderr (exit status 2).
    Outcome parse(int argc, char **argv, std::string *error);

    std::vector<std::string> m_watch; // empty: every local filesystem
    std::string m_socketPath = "/run/procguard/procguard.sock";
    std::string m_stateDir = "/var/lib/procguard";
    std::string m_group = "procguard";
    // Policy to start with when <state-dir>/policy.bin does not exist yet
    // (same format; empty: the built-in monitor/allow policy).
    std::string m_defaultPolicy;
    // The managed layer: every *.json policy file in this directory
    // (DaemonManaged.cpp). Empty ("--policy-dir none"): no managed layer.
    std::string m_policyDir = "/etc/procguard/policy.d";
    // dpkg's database of installed files, for trusted-source (PACKAGE) rules.
    std::string m_dpkgInfoDir = "/var/lib/dpkg/info";
    LogLevel m_logLevel = LogLevel::Info;
    // vm.memfd_noexec = 2 while prompt or lockdown is in force (MemfdNoexec.h).
    bool m_memfdNoexec = true;
    // Where process start/exec/exit facts come from. Auto: BPF tracepoint
    // programs when the kernel accepts them, else the proc connector, else
    // polling /proc. Bpf and Connector insist (Bpf: no start without it;
    // Connector: never BPF, polling when the connector is missing). Poll:
    // /proc every 500 ms (--no-proc-connector).
    enum class ProcessFacts { Auto, Bpf, Connector, Poll };
    ProcessFacts m_processFacts = ProcessFacts::Auto;
    // Size of the BPF ring buffer (a power of two, at least a page).
    // Smaller rings lose records sooner (then the daemon resyncs from
    // /proc); tests use a tiny one to force that path.
    unsigned long long m_bpfRingBytes = 8ull * 1024 * 1024;
    // Receive buffer of the proc connector socket. Smaller buffers lose
    // notifications sooner (then the daemon resyncs from /proc); tests use
    // a tiny one to force that path.
    int m_connectorBuffer = 8 * 1024 * 1024;
    // Programs larger than this are never hashed: for SHA-256 and package
    // rules their digest is unknown (the event says so). 1 GiB.
    unsigned long long m_digestMaxBytes = 1024ull * 1024 * 1024;
    // Where procguard-sentry connects (root only); empty: no sentry. The
    // default is sentry.sock beside --socket (set by parse()).
    std::string m_sentrySocket;

    // How "ld-linux.so PROGRAM" is caught (ExecOrigin.h). Auto: Stack when
    // the kernel shows task stacks, else Opens. Stack insists (refuses to
    // start without it); Opens watches every plain open, as before.
    enum class LoaderGuard { Auto, Stack, Opens };
    LoaderGuard m_loaderGuard = LoaderGuard::Auto;
    // Prompt and lockdown end a user's program whose exec the gate did not
    // see (DaemonUnseen.cpp); false: they only report it.
    bool m_endUnseen = true;
    // More ELF interpreters than the system's own (InterpreterSet.h).
    std::vector<std::string> m_loaders;
    // Where events also go as ECS JSON (--events; EventSinks.h). Empty: nowhere.
    std::vector<EventSinks::Target> m_events;

    static const char *usage();
};
