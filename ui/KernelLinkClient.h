// KernelLinkClient.h - KernelClient over pg::KernelLink and the platform's
// transport (app/TransportFactory.h).
#pragma once

#include <memory>
#include <string>

#include "KernelClient.h"

class KernelLinkClient : public KernelClient
{
public:
    explicit KernelLinkClient(const std::string &endpoint);

    pg::Error connect(const pg::ConnectOptions &options, pg::ConnectInfo *info) override;
    void start(pg::EventSink *sink) override;
    void close() override;
    pg::Error sendVerdicts(const std::vector<pg::KernelLink::VerdictItem> &verdicts) override;
    pg::Error setPolicy(const pg::Policy &policy) override;
    pg::Error getPolicy(pg::Policy *policy) override;
    pg::Error getStatus(pg::Status *status) override;

    static std::unique_ptr<KernelClient> create(const std::string &endpoint);

private:
    pg::KernelLink m_link;
};
