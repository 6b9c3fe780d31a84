// KernelClient.h - the seam between the panel and the kernel component.
//
// The panel's bridge talks to this interface instead of pg::KernelLink, so
// tests can put an in-memory fake in its place. The production
// implementation (KernelLinkClient) forwards to pg::KernelLink one to one,
// with KernelLink's contract: connect() -> start(sink) -> requests ->
// close(); requests block for at most their timeout and are called only
// from the bridge's worker thread; the sink is called from the link's own
// thread and must not block.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "KernelLink.h"

class KernelClient
{
public:
    virtual ~KernelClient() = default;
    virtual pg::Error connect(const pg::ConnectOptions &options, pg::ConnectInfo *info) = 0;
    virtual void start(pg::EventSink *sink) = 0;
    virtual void close() = 0;
    virtual pg::Error sendVerdicts(const std::vector<pg::KernelLink::VerdictItem> &verdicts) = 0;
    virtual pg::Error setPolicy(const pg::Policy &policy) = 0;
    virtual pg::Error getPolicy(pg::Policy *policy) = 0;
    virtual pg::Error getStatus(pg::Status *status) = 0;
};

// Makes a client for an endpoint (a socket path on Linux; empty: default).
using KernelClientFactory = std::function<std::unique_ptr<KernelClient>(const std::string &)>;
