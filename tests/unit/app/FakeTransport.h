// FakeTransport.h - an in-memory Transport whose far end a test scripts.
//
// The test plays the kernel component through a FakePeer shared with the
// transport: it reads what the client sent (nextSent(), with a timeout so
// a broken test fails instead of hanging), pushes server messages
// (push()), can make open() fail, or close the connection from the server
// side (closeFromServer()). An optional responder answers each client
// message automatically, on the client's sending thread, so request/reply
// tests need no second test thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "Transport.h"

namespace pg
{
namespace test
{

class FakePeer
{
public:
    using Bytes = std::vector<uint8_t>;
    // Called with every message the client sends; may call push().
    using Responder = std::function<void(const Bytes &)>;

    // ---- scripting (test thread) ----
    void failOpen(TransportError::Code code, std::string message = std::string())
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_openError.code = code;
        m_openError.message = std::move(message);
    }
    void setResponder(Responder r)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_responder = std::move(r);
    }
    void push(Bytes message)
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_toClient.push_back(std::move(message));
        }
        m_cv.notify_all();
    }
    void closeFromServer()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_serverClosed = true;
        }
        m_cv.notify_all();
    }
    // The next message the client sent, or nullopt after timeout.
    std::optional<Bytes> nextSent(std::chrono::milliseconds timeout = std::chrono::seconds(5))
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        if (!m_cv.wait_for(lock, timeout, [&] { return !m_fromClient.empty(); }))
            return std::nullopt;
        Bytes b = std::move(m_fromClient.front());
        m_fromClient.pop_front();
        return b;
    }
    size_t sentCount()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_fromClient.size() + m_taken;
    }
    bool shutdownCalled()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_shutdown;
    }

    // ---- transport side ----
    TransportError open()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_openError)
            return m_openError;
        m_open = true;
        return {};
    }
    TransportError send(const Bytes &message)
    {
        Responder responder;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!m_open || m_shutdown || m_serverClosed)
                return closed();
            responder = m_responder;
            if (!responder)
                m_fromClient.push_back(message);
            else
                ++m_taken;
        }
        m_cv.notify_all();
        if (responder)
            responder(message);
        return {};
    }
    TransportError receive(Bytes &message)
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_cv.wait(lock, [&] { return m_shutdown || !m_toClient.empty() || m_serverClosed; });
        if (m_shutdown)
            return closed();
        if (!m_toClient.empty()) {
            message = std::move(m_toClient.front());
            m_toClient.pop_front();
            return {};
        }
        return closed();
    }
    void shutdown()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_shutdown = true;
        }
        m_cv.notify_all();
    }

private:
    static TransportError closed()
    {
        TransportError e;
        e.code = TransportError::Code::Closed;
        e.message = "The fake component closed the connection.";
        return e;
    }

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Bytes> m_toClient;
    std::deque<Bytes> m_fromClient;
    size_t m_taken = 0;
    Responder m_responder;
    TransportError m_openError;
    bool m_open = false;
    bool m_shutdown = false;
    bool m_serverClosed = false;
};

class FakeTransport : public Transport
{
public:
    explicit FakeTransport(std::shared_ptr<FakePeer> peer) : m_peer(std::move(peer)) {}
    TransportError open() override { return m_peer->open(); }
    TransportError send(const std::vector<uint8_t> &message) override
    {
        return m_peer->send(message);
    }
    TransportError receive(std::vector<uint8_t> &message) override
    {
        return m_peer->receive(message);
    }
    void shutdown() override { m_peer->shutdown(); }
    std::string describe() const override { return "the fake component"; }

private:
    std::shared_ptr<FakePeer> m_peer;
};

} // namespace test
} // namespace pg
