// main.cpp - procguardd entry point: parse the command line, run the
// daemon. Exit status: 0 after a clean stop, 1 when the daemon cannot run
// (not root, no fanotify, ...), 2 for bad arguments.
#include <cstdio>

#include "Daemon.h"
#include "Log.h"
#include "Options.h"

int main(int argc, char **argv)
{
    Options options;
    std::string error;
    switch (options.parse(argc, argv, &error)) {
    case Options::Outcome::Exit0:
        return 0;
    case Options::Outcome::BadUsage:
        std::fprintf(stderr, "procguardd: %s\n", error.c_str());
        return 2;
    case Options::Outcome::Run:
        break;
    }
    Log::init();
    Log::setLevel(options.m_logLevel);
    Daemon daemon(options);
    return daemon.run();
}
