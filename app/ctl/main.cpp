// main.cpp - procguardctl: wires the real transport, /proc and signals into
// the commands (Commands.h) and runs one.
#include <climits>
#include <csignal>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include "Commands.h"
#include "LinuxProcessSource.h"
#include "TransportFactory.h"

namespace
{

pg::ctl::Wakeup *g_stop = nullptr;

// host.name and host.id of monitor --format ecs: the host name and
// /etc/machine-id (what journald and Elastic's agents report as host.id).
void hostIdentity(std::string *name, std::string *id)
{
    char host[HOST_NAME_MAX + 1] = {};
    if (gethostname(host, sizeof host - 1) == 0)
        *name = host;
    std::ifstream machineId("/etc/machine-id");
    std::getline(machineId, *id);
}

extern "C" void onStopSignal(int)
{
    if (g_stop)
        g_stop->notify();
}

} // namespace

int main(int argc, char **argv)
{
    pg::ctl::Wakeup stop;
    g_stop = &stop;
    struct sigaction sa {
    };
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    pg::LinuxProcessSource processes;
    pg::ctl::Context ctx;
    ctx.makeTransport = [](const std::string &endpoint) {
        return pg::createPlatformTransport(endpoint);
    };
    ctx.processes = &processes;
    ctx.out = &std::cout;
    ctx.err = &std::cerr;
    ctx.inputFd = 0;
    ctx.stopFd = stop.fd();
    ctx.hostIdentity = hostIdentity;
    const int rc = pg::ctl::run(argc, argv, ctx);
    std::cout.flush();
    g_stop = nullptr;
    return rc;
}
