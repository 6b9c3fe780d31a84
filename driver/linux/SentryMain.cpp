// SentryMain.cpp - procguard-sentry entry point: keeps procguardd's gate
// closed while procguardd is down (Sentry.h). Exit status: 0 after a
// clean stop, 1 when it cannot run, 2 for bad arguments.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "Log.h"
#include "Sentry.h"
#include "pg_protocol.h"

namespace
{

const char *usage()
{
    return "Usage: procguard-sentry [--sentry-socket PATH] [--digest-max-bytes BYTES]\n"
           "                        [--log-level debug|info|warn|error] [--version] [--help]\n"
           "\n"
           "Holds procguardd's gate while procguardd is down (killed, crashed, being\n"
           "restarted): non-root starts the rules in force do not allow are refused\n"
           "until procguardd is back. A clean stop of procguardd hands the machine back.\n"
           "\n"
           "  --sentry-socket PATH  procguardd's sentry socket\n"
           "                        (default /run/procguard/sentry.sock)\n"
           "  --digest-max-bytes BYTES\n"
           "                        largest program hashed for SHA-256 rules\n"
           "                        (default 1073741824)\n"
           "  --log-level LEVEL     debug, info, warn or error (default info)\n";
}

} // namespace

int main(int argc, char **argv)
{
    Sentry::Options options;
    LogLevel level = LogLevel::Info;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool hasValue = i + 1 < argc;
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage(), stdout);
            return 0;
        } else if (arg == "--version") {
            std::printf("procguard-sentry %s (protocol %u)\n", PG_DAEMON_VERSION,
                        PG_PROTOCOL_VERSION);
            return 0;
        } else if (arg == "--sentry-socket" && hasValue && argv[i + 1][0] != '\0') {
            options.socketPath = argv[++i];
        } else if (arg == "--digest-max-bytes" && hasValue) {
            char *end = nullptr;
            const unsigned long long n = std::strtoull(argv[++i], &end, 10);
            if (*end != '\0' || argv[i][0] == '-' || n < 4096) {
                std::fprintf(stderr,
                             "procguard-sentry: --digest-max-bytes takes a byte count of "
                             "at least 4096, not '%s'.\n",
                             argv[i]);
                return 2;
            }
            options.digestMaxBytes = n;
        } else if (arg == "--log-level" && hasValue) {
            if (!Log::parseLevel(argv[++i], &level)) {
                std::fprintf(stderr,
                             "procguard-sentry: unknown log level '%s' (use debug, info, warn "
                             "or error).\n",
                             argv[i]);
                return 2;
            }
        } else {
            std::fprintf(stderr,
                         "procguard-sentry: unknown or incomplete argument '%s' (see "
                         "--help).\n",
                         argv[i]);
            return 2;
        }
    }
    Log::init();
    Log::setLevel(level);
    Sentry sentry(options);
    return sentry.run();
}
