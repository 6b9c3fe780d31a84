// FakeKernelClient.h - an in-memory kernel component for panel tests.
//
// FakeKernel is the shared state a test keeps; each FakeKernelClient made
// by its factory() connects to it. emit() delivers a batch to the sink from
// a separate std::thread, as KernelLink's reader would.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "KernelClient.h"

class FakeKernel : public std::enable_shared_from_this<FakeKernel>
{
public:
    KernelClientFactory factory();

    // Delivers batch from another thread and waits until the sink returned.
    void emitEvents(std::vector<pg::Event> batch);
    void disconnect(const std::string &reason);

    std::vector<pg::KernelLink::VerdictItem> verdicts();
    bool waitForVerdicts(size_t count, int timeoutMs = 5000);
    pg::Policy lastPolicy();
    int policiesSet();
    bool connected();

    // Test knobs.
    bool failConnect = false;
    pg::Policy policy;

private:
    friend class FakeKernelClient;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    pg::EventSink *m_sink = nullptr;
    std::vector<pg::KernelLink::VerdictItem> m_verdicts;
    pg::Policy m_lastPolicy;
    int m_policiesSet = 0;
};

class FakeKernelClient : public KernelClient
{
public:
    explicit FakeKernelClient(std::shared_ptr<FakeKernel> kernel) : m_kernel(std::move(kernel)) {}
    ~FakeKernelClient() override { close(); }

    pg::Error connect(const pg::ConnectOptions &options, pg::ConnectInfo *info) override;
    void start(pg::EventSink *sink) override;
    void close() override;
    pg::Error sendVerdicts(const std::vector<pg::KernelLink::VerdictItem> &verdicts) override;
    pg::Error setPolicy(const pg::Policy &policy) override;
    pg::Error getPolicy(pg::Policy *policy) override;
    pg::Error getStatus(pg::Status *status) override;

private:
    std::shared_ptr<FakeKernel> m_kernel;
    bool m_started = false;
};
