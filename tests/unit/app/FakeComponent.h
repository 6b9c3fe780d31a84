// FakeComponent.h - a scripted kernel component on a FakePeer: answers
// HELLO, GET_STATUS, GET_POLICY, SET_POLICY and VERDICTS the way procguardd
// does, and records what it was sent. Tests push events through peer().
#pragma once

#include <memory>
#include <mutex>

#include "FakeTransport.h"
#include "Messages.h"

namespace pg
{
namespace test
{

class FakeComponent
{
public:
    FakeComponent() : m_peer(std::make_shared<FakePeer>())
    {
        status.platform = PG_PLATFORM_LINUX;
        status.version = PG_PROTOCOL_VERSION;
        status.serverPid = 4242;
        m_peer->setResponder([this](const std::vector<uint8_t> &m) { answer(m); });
    }

    std::shared_ptr<FakePeer> peer() const { return m_peer; }

    // Scripted state (set before the client connects).
    bool busy = false;             // another client controls it
    bool closeAfterEvents = false; // hang up once the queued events are out
    uint32_t platform = PG_PLATFORM_LINUX;
    Role resolveRole = Role::Observer; // granted to a RESOLVE hello (procguardd: observer)
    Status status;
    ManagedStatus managed; // supported = false: GET_MANAGED gets PG_E_TYPE
    Policy policy;

    // Sends events now if a client completed HELLO, else right after it
    // does (events never overtake the handshake reply).
    void pushEvents(const std::vector<Event> &events)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_helloDone)
            m_peer->push(msg::encodeEvents(events));
        else
            m_afterHello.push_back(msg::encodeEvents(events));
    }

    // Recorded.
    std::vector<msg::VerdictEntry> verdicts()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_verdicts;
    }
    int setPolicyCount()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_setPolicies;
    }
    bool lastHelloAskedControl()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_control;
    }

private:
    void answer(const std::vector<uint8_t> &m)
    {
        msg::Header h;
        msg::peekHeader(m, &h);
        std::lock_guard<std::mutex> lock(m_mutex);
        switch (h.type) {
        case PG_MSG_HELLO: {
            msg::Hello hello;
            msg::decodeHello(m, &hello);
            m_control = (hello.flags & PG_HELLO_CONTROL) != 0;
            const bool resolve = (hello.flags & PG_HELLO_RESOLVE) != 0;
            msg::HelloReply r;
            r.platform = platform;
            r.version = PG_PROTOCOL_VERSION;
            r.serverPid = status.serverPid;
            r.name = "procguardd fake";
            if (m_control && busy)
                r.status = PG_E_BUSY;
            else
                r.role = m_control ? Role::Controller : resolve ? resolveRole : Role::Observer;
            m_peer->push(msg::encodeHelloReply(h.requestId, r));
            m_helloDone = r.status == PG_OK;
            if (m_helloDone) {
                for (auto &bytes : m_afterHello)
                    m_peer->push(std::move(bytes));
                m_afterHello.clear();
                if (closeAfterEvents)
                    m_peer->closeFromServer(); // queued messages are still delivered
            }
            break;
        }
        case PG_MSG_GET_STATUS:
            m_peer->push(msg::encodeStatus(h.requestId, status));
            break;
        case PG_MSG_GET_MANAGED:
            if (managed.supported) {
                m_peer->push(msg::encodeManaged(h.requestId, managed));
            } else {
                // As a component without a managed layer answers.
                msg::Result r;
                r.status = PG_E_TYPE;
                m_peer->push(msg::encodeResult(h.requestId, r));
            }
            break;
        case PG_MSG_GET_POLICY: {
            std::string error;
            m_peer->push(msg::encodePolicy(h.requestId, policy, &error));
            break;
        }
        case PG_MSG_SET_POLICY: {
            msg::Result r;
            r.status = static_cast<uint32_t>(msg::decodeSetPolicy(m, &policy));
            ++m_setPolicies;
            m_peer->push(msg::encodeResult(h.requestId, r));
            break;
        }
        case PG_MSG_VERDICTS: {
            std::vector<msg::VerdictEntry> v;
            msg::Result r;
            r.status = static_cast<uint32_t>(msg::decodeVerdicts(m, &v));
            m_verdicts.insert(m_verdicts.end(), v.begin(), v.end());
            m_peer->push(msg::encodeResult(h.requestId, r));
            break;
        }
        default:
            break;
        }
    }

    std::shared_ptr<FakePeer> m_peer;
    std::mutex m_mutex;
    std::vector<msg::VerdictEntry> m_verdicts;
    int m_setPolicies = 0;
    bool m_control = false;
    bool m_helloDone = false;
    std::vector<std::vector<uint8_t>> m_afterHello;
};

} // namespace test
} // namespace pg
