// pgwinctl.cpp - lifecycle commands for procguard.sys through the SCM:
//   pgwinctl install <procguard.sys> | start | stop | uninstall | status
// A stand-in until these commands join procguardctl.exe; it is a thin
// main over ScmLifecycle. Exit status 0 on success, 1 on failure (the
// message goes to stderr), 2 on bad usage.
#include <cstdio>
#include <cstring>
#include <string>

#include "ScmLifecycle.h"

namespace
{

const char *stateName(pg::ComponentState s)
{
    switch (s) {
    case pg::ComponentState::NotInstalled:
        return "not-installed";
    case pg::ComponentState::Stopped:
        return "stopped";
    case pg::ComponentState::StartPending:
        return "start-pending";
    case pg::ComponentState::Running:
        return "running";
    case pg::ComponentState::StopPending:
        return "stop-pending";
    default:
        return "unknown";
    }
}

int usage()
{
    std::fprintf(stderr, "usage: pgwinctl install <procguard.sys> | start | stop | uninstall | "
                         "status  [--service NAME]\n");
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    pg::LifecycleOptions options;
    std::string command;
    for (int i = 1; i < argc; i++) {
        if (std::strcmp(argv[i], "--service") == 0 && i + 1 < argc) {
            options.serviceName = argv[++i];
        } else if (command.empty()) {
            command = argv[i];
        } else if (command == "install" && options.componentPath.empty()) {
            options.componentPath = argv[i];
        } else {
            return usage();
        }
    }
    pg::ScmLifecycle lifecycle(options);
    pg::LifecycleError err;
    if (command == "install") {
        err = lifecycle.install();
    } else if (command == "start") {
        err = lifecycle.start();
    } else if (command == "stop") {
        err = lifecycle.stop();
    } else if (command == "uninstall") {
        err = lifecycle.uninstall();
    } else if (command == "status") {
        pg::ComponentState s = lifecycle.state(&err);
        if (!err) {
            std::printf("%s\n", stateName(s));
        }
    } else {
        return usage();
    }
    if (err) {
        std::fprintf(stderr, "pgwinctl: %s\n", err.message.c_str());
        return 1;
    }
    return 0;
}
