#include "FakeKernelClient.h"

#include <chrono>
#include <thread>

KernelClientFactory FakeKernel::factory()
{
    std::shared_ptr<FakeKernel> self = shared_from_this();
    return [self](const std::string &) { return std::make_unique<FakeKernelClient>(self); };
}

void FakeKernel::emitEvents(std::vector<pg::Event> batch)
{
    std::thread reader([this, &batch] {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_sink != nullptr)
            m_sink->onEvents(std::move(batch));
    });
    reader.join();
}

void FakeKernel::disconnect(const std::string &reason)
{
    std::thread reader([this, reason] {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_sink != nullptr) {
            pg::Error e;
            e.code = pg::Error::Code::Disconnected;
            e.message = reason;
            m_sink->onDisconnected(e);
            m_sink = nullptr;
        }
    });
    reader.join();
}

std::vector<pg::KernelLink::VerdictItem> FakeKernel::verdicts()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_verdicts;
}

bool FakeKernel::waitForVerdicts(size_t count, int timeoutMs)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    return m_cv.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                         [&] { return m_verdicts.size() >= count; });
}

pg::Policy FakeKernel::lastPolicy()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_lastPolicy;
}

int FakeKernel::policiesSet()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_policiesSet;
}

bool FakeKernel::connected()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_sink != nullptr;
}

pg::Error FakeKernelClient::connect(const pg::ConnectOptions &, pg::ConnectInfo *info)
{
    if (m_kernel->failConnect) {
        pg::Error e;
        e.code = pg::Error::Code::NotRunning;
        e.message = "procguardd is not running (fake).";
        return e;
    }
    if (info != nullptr) {
        info->role = pg::Role::Controller;
        info->serverName = "fake";
        info->serverPid = 1;
    }
    return {};
}

void FakeKernelClient::start(pg::EventSink *sink)
{
    std::lock_guard<std::mutex> lock(m_kernel->m_mutex);
    m_kernel->m_sink = sink;
    m_started = true;
}

void FakeKernelClient::close()
{
    pg::EventSink *sink = nullptr;
    {
        std::lock_guard<std::mutex> lock(m_kernel->m_mutex);
        if (m_started)
            sink = m_kernel->m_sink;
        m_kernel->m_sink = nullptr;
        m_started = false;
    }
    if (sink != nullptr)
        sink->onDisconnected(pg::Error{});
}

pg::Error FakeKernelClient::sendVerdicts(const std::vector<pg::KernelLink::VerdictItem> &verdicts)
{
    std::lock_guard<std::mutex> lock(m_kernel->m_mutex);
    m_kernel->m_verdicts.insert(m_kernel->m_verdicts.end(), verdicts.begin(), verdicts.end());
    m_kernel->m_cv.notify_all();
    return {};
}

pg::Error FakeKernelClient::setPolicy(const pg::Policy &policy)
{
    std::lock_guard<std::mutex> lock(m_kernel->m_mutex);
    m_kernel->m_lastPolicy = policy;
    ++m_kernel->m_policiesSet;
    return {};
}

pg::Error FakeKernelClient::getPolicy(pg::Policy *policy)
{
    std::lock_guard<std::mutex> lock(m_kernel->m_mutex);
    *policy = m_kernel->policy;
    return {};
}

pg::Error FakeKernelClient::getStatus(pg::Status *status)
{
    *status = pg::Status{};
    return {};
}
