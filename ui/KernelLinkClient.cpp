#include "KernelLinkClient.h"

#include "TransportFactory.h"

KernelLinkClient::KernelLinkClient(const std::string &endpoint)
    : m_link(pg::createPlatformTransport(endpoint))
{
}

pg::Error KernelLinkClient::connect(const pg::ConnectOptions &options, pg::ConnectInfo *info)
{
    return m_link.connect(options, info);
}

void KernelLinkClient::start(pg::EventSink *sink)
{
    m_link.start(sink);
}

void KernelLinkClient::close()
{
    m_link.close();
}

pg::Error KernelLinkClient::sendVerdicts(const std::vector<pg::KernelLink::VerdictItem> &verdicts)
{
    return m_link.sendVerdicts(verdicts);
}

pg::Error KernelLinkClient::setPolicy(const pg::Policy &policy)
{
    return m_link.setPolicy(policy);
}

pg::Error KernelLinkClient::getPolicy(pg::Policy *policy)
{
    return m_link.getPolicy(policy);
}

pg::Error KernelLinkClient::getStatus(pg::Status *status)
{
    return m_link.getStatus(status);
}

std::unique_ptr<KernelClient> KernelLinkClient::create(const std::string &endpoint)
{
    return std::make_unique<KernelLinkClient>(endpoint);
}
