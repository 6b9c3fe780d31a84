// Options.cpp - see Options.h.
#include "Options.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "pg_protocol.h"

const char *Options::usage()
{
    return "Usage: procguardd [--watch PATH]... [--socket PATH] [--state-dir DIR]\n"
           "                  [--default-policy FILE] [--policy-dir DIR|none]\n"
           "                  [--group NAME]\n"
           "                  [--dpkg-info DIR] [--log-level debug|info|warn|error]\n"
           "                  [--process-facts auto|bpf|connector|poll]\n"
           "                  [--bpf-ring-buffer BYTES] [--no-proc-connector]\n"
           "                  [--connector-buffer BYTES]\n"
           "                  [--digest-max-bytes BYTES] [--no-memfd-noexec]\n"
           "                  [--sentry-socket PATH|none] [--events TARGET[,TARGET]...]\n"
           "                  [--loader-guard auto|stack|opens] [--loader PATH]...\n"
           "                  [--unseen-execs end|report]\n"
           "                  [--version] [--help]\n"
           "\n"
           "Holds every program start on the gated filesystems until a rule or the\n"
           "controlling client decides it.\n"
           "\n"
           "  --watch PATH          gate only the filesystem holding PATH and those\n"
           "                        mounted below PATH, now or later (repeatable);\n"
           "                        default: every local filesystem, now or later\n"
           "  --socket PATH         client socket (default /run/procguard/procguard.sock)\n"
           "  --state-dir DIR       where the policy is kept (default /var/lib/procguard)\n"
           "  --default-policy FILE policy to start with while DIR/policy.bin does not\n"
           "                        exist (same format; default: monitor, allow)\n"
           "  --policy-dir DIR      managed policy files: every *.json in DIR, in the\n"
           "                        format of 'procguardctl rules export', read at start\n"
           "                        and within seconds of a change; no client can remove\n"
           "                        or override them (default /etc/procguard/policy.d;\n"
           "                        none: no managed layer)\n"
           "  --group NAME          group allowed to connect besides root (default procguard)\n"
           "  --dpkg-info DIR       dpkg's file lists and checksums, for package rules\n"
           "                        (default /var/lib/dpkg/info)\n"
           "  --log-level LEVEL     debug, info, warn or error (default info)\n"
           "  --process-facts SOURCE\n"
           "                        where process start, exec and exit facts come from:\n"
           "                        bpf (tracepoint programs into a ring buffer, no\n"
           "                        /proc read per start), connector (the netlink proc\n"
           "                        connector plus /proc reads), poll (/proc every\n"
           "                        500 ms), or auto (default: bpf, else connector,\n"
           "                        else poll); bpf refuses to start without BPF\n"
           "  --bpf-ring-buffer BYTES\n"
           "                        size of the BPF ring buffer (a power of two from\n"
           "                        4096 to 1073741824, default 8388608); when it\n"
           "                        overflows the daemon rebuilds its table from /proc\n"
           "  --no-proc-connector   same as --process-facts=poll\n"
           "  --connector-buffer BYTES\n"
           "                        receive buffer of the proc connector (4096 to\n"
           "                        268435456, default 8388608); when it overflows the\n"
           "                        daemon rebuilds its process table from /proc\n"
           "  --digest-max-bytes BYTES\n"
           "                        programs larger than this are not hashed for\n"
           "                        SHA-256 and package rules: their digest counts as\n"
           "                        unknown (default 1073741824, at least 4096)\n"
           "  --no-memfd-noexec     do not set vm.memfd_noexec=2 (exec of in-memory\n"
           "                        files refused) while prompt or lockdown is in force;\n"
           "                        such programs then run without a verdict\n"
           "  --memfd-noexec        the default: set it (undoes an earlier --no-memfd-noexec)\n"
           "  --sentry-socket PATH  where procguard-sentry connects to keep the gate\n"
           "                        closed while procguardd is down (root only;\n"
           "                        default: sentry.sock beside --socket; none: off)\n"
           "  --loader-guard HOW    how a program run through its ELF interpreter\n"
           "                        (ld-linux.so PROGRAM) is caught: stack (the\n"
           "                        kernel stack at the loader's exec tells a loader\n"
           "                        run from a loader load; no plain open is\n"
           "                        looked at), opens (every open on a gated\n"
           "                        filesystem goes through procguardd), or auto\n"
           "                        (default: stack where /proc/PID/stack is readable)\n"
           "  --loader PATH         treat PATH as an ELF interpreter too, besides\n"
           "                        those found in /lib* and /usr/lib* (repeatable)\n"
           "  --unseen-execs WHAT   a user's program whose exec the gate could not see\n"
           "                        (its filesystem carries no mark: private to another\n"
           "                        mount or user namespace, a network filesystem, one\n"
           "                        mounted a moment ago) is ended at once in prompt\n"
           "                        and lockdown (end, the default) or only reported\n"
           "                        (report); monitor always reports it\n"
           "  --events TARGETS      also send every event as an Elastic Common Schema\n"
           "                        JSON object (repeatable; comma-separated): syslog\n"
           "                        (/dev/log, so journald too), syslog:unix:PATH,\n"
           "                        syslog:udp:HOST:PORT, syslog:tcp:HOST:PORT (RFC 5424)\n"
           "                        or file:/PATH (one object per line; reopened after\n"
           "                        a rotation)\n"
           "  --version             print the version and exit\n"
           "  --help                print this help and exit\n";
}

namespace
{

// A byte count in [min, max] (decimal, no sign, no suffix).
bool parseBytes(const std::string &text, unsigned long long min, unsigned long long max,
                unsigned long long *out)
{
    char *end = nullptr;
    errno = 0;
    const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || text[0] == '-' || n < min || n > max)
        return false;
    *out = n;
    return true;
}

} // namespace

Options::Outcome Options::parse(int argc, char **argv, std::string *error)
{
    bool sentryGiven = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::string value;
        bool hasInline = false;
        size_t eq = arg.find('=');
        if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            hasInline = true;
        }
        auto takeValue = [&](std::string *out) -> bool {
            if (hasInline) {
                *out = value;
            } else if (i + 1 < argc) {
                *out = argv[++i];
            } else {
                *error = "option " + arg + " needs a value.";
                return false;
            }
            if (out->empty()) {
                *error = "option " + arg + " needs a non-empty value.";
                return false;
            }
            return true;
        };
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage(), stdout);
            return Outcome::Exit0;
        } else if (arg == "--version") {
            std::printf("procguardd %s (protocol %u)\n", PG_DAEMON_VERSION, PG_PROTOCOL_VERSION);
            return Outcome::Exit0;
        } else if (arg == "--watch") {
            std::string path;
            if (!takeValue(&path))
                return Outcome::BadUsage;
            m_watch.push_back(path);
        } else if (arg == "--socket") {
            if (!takeValue(&m_socketPath))
                return Outcome::BadUsage;
            if (m_socketPath.size() >= 108) {
                *error = "the socket path is too long for a Unix socket (107 bytes at most).";
                return Outcome::BadUsage;
            }
        } else if (arg == "--state-dir") {
            if (!takeValue(&m_stateDir))
                return Outcome::BadUsage;
        } else if (arg == "--default-policy") {
            if (!takeValue(&m_defaultPolicy))
                return Outcome::BadUsage;
        } else if (arg == "--policy-dir") {
            if (!takeValue(&m_policyDir))
                return Outcome::BadUsage;
            if (m_policyDir == "none")
                m_policyDir.clear();
            else if (m_policyDir.empty()) {
                *error = "--policy-dir needs a directory (or none).";
                return Outcome::BadUsage;
            }
        } else if (arg == "--dpkg-info") {
            if (!takeValue(&m_dpkgInfoDir))
                return Outcome::BadUsage;
        } else if (arg == "--group") {
            if (!takeValue(&m_group))
                return Outcome::BadUsage;
        } else if (arg == "--log-level") {
            std::string level;
            if (!takeValue(&level))
                return Outcome::BadUsage;
            if (!Log::parseLevel(level, &m_logLevel)) {
                *error = "unknown log level '" + level + "' (use debug, info, warn or error).";
                return Outcome::BadUsage;
            }
        } else if (arg == "--connector-buffer") {
            std::string bytes;
            if (!takeValue(&bytes))
                return Outcome::BadUsage;
            unsigned long long n = 0;
            if (!parseBytes(bytes, 4096, 268435456ULL, &n)) {
                *error = "--connector-buffer takes a byte count from 4096 to 268435456, not '" +
                         bytes + "'.";
                return Outcome::BadUsage;
            }
            m_connectorBuffer = static_cast<int>(n);
        } else if (arg == "--digest-max-bytes") {
            std::string bytes;
            if (!takeValue(&bytes))
                return Outcome::BadUsage;
            unsigned long long n = 0;
            if (!parseBytes(bytes, 4096, ~0ULL, &n)) {
                *error =
                    "--digest-max-bytes takes a byte count of at least 4096, not '" + bytes + "'.";
                return Outcome::BadUsage;
            }
            m_digestMaxBytes = n;
        } else if (arg == "--process-facts") {
            std::string source;
            if (!takeValue(&source))
                return Outcome::BadUsage;
            if (source == "auto") {
                m_processFacts = ProcessFacts::Auto;
            } else if (source == "bpf") {
                m_processFacts = ProcessFacts::Bpf;
            } else if (source == "connector") {
                m_processFacts = ProcessFacts::Connector;
            } else if (source == "poll") {
                m_processFacts = ProcessFacts::Poll;
            } else {
                *error = "unknown process-facts source '" + source +
                         "' (use auto, bpf, connector or poll).";
                return Outcome::BadUsage;
            }
        } else if (arg == "--bpf-ring-buffer") {
            std::string bytes;
            if (!takeValue(&bytes))
                return Outcome::BadUsage;
            unsigned long long n = 0;
            if (!parseBytes(bytes, 4096, 1073741824ULL, &n) || (n & (n - 1)) != 0) {
                *error = "--bpf-ring-buffer takes a power of two from 4096 to 1073741824, not '" +
                         bytes + "'.";
                return Outcome::BadUsage;
            }
            m_bpfRingBytes = n;
        } else if (arg == "--no-proc-connector" && !hasInline) {
            m_processFacts = ProcessFacts::Poll;
        } else if (arg == "--events") {
            std::string targets;
            if (!takeValue(&targets))
                return Outcome::BadUsage;
            if (!EventSinks::parse(targets, &m_events, error))
                return Outcome::BadUsage;
        } else if (arg == "--sentry-socket") {
            if (!takeValue(&m_sentrySocket))
                return Outcome::BadUsage;
            sentryGiven = true;
            if (m_sentrySocket == "none")
                m_sentrySocket.clear();
            else if (m_sentrySocket.size() >= 108) {
                *error =
                    "the sentry socket path is too long for a Unix socket (107 bytes at most).";
                return Outcome::BadUsage;
            }
        } else if (arg == "--loader-guard") {
            std::string how;
            if (!takeValue(&how))
                return Outcome::BadUsage;
            if (how == "auto") {
                m_loaderGuard = LoaderGuard::Auto;
            } else if (how == "stack") {
                m_loaderGuard = LoaderGuard::Stack;
            } else if (how == "opens") {
                m_loaderGuard = LoaderGuard::Opens;
            } else {
                *error = "unknown loader guard '" + how + "' (use auto, stack or opens).";
                return Outcome::BadUsage;
            }
        } else if (arg == "--unseen-execs") {
            std::string what;
            if (!takeValue(&what))
                return Outcome::BadUsage;
            if (what == "end" || what == "report") {
                m_endUnseen = what == "end";
            } else {
                *error = "unknown --unseen-execs '" + what + "' (use end or report).";
                return Outcome::BadUsage;
            }
        } else if (arg == "--loader") {
            std::string path;
            if (!takeValue(&path))
                return Outcome::BadUsage;
            m_loaders.push_back(path);
        } else if (arg == "--no-memfd-noexec" && !hasInline) {
            m_memfdNoexec = false;
        } else if (arg == "--memfd-noexec" && !hasInline) {
            m_memfdNoexec = true;
        } else {
            *error = "unknown argument '" + std::string(argv[i]) + "' (see --help).";
            return Outcome::BadUsage;
        }
    }
    if (!sentryGiven) {
        const size_t slash = m_socketPath.find_last_of('/');
        m_sentrySocket =
            (slash == std::string::npos ? std::string(".") : m_socketPath.substr(0, slash)) +
            "/sentry.sock";
        if (m_sentrySocket.size() >= 108)
            m_sentrySocket.clear(); // no room for it; said at start-up
    }
    return Outcome::Run;
}
