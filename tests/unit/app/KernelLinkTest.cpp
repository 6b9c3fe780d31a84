// KernelLinkTest.cpp - the protocol client over a scripted fake component.
#include <atomic>
#include <cstddef>
#include <cstring>
#include <gtest/gtest.h>
#include <pthread.h>
#include <thread>

#include "FakeTransport.h"
#include "KernelLink.h"
#include "Messages.h"

using namespace pg;
using namespace std::chrono_literals;
using pg::test::FakePeer;
using pg::test::FakeTransport;

namespace
{

class RecordingSink : public EventSink
{
public:
    void onEvents(std::vector<Event> &&batch) override
    {
        char name[32] = {};
        pthread_getname_np(pthread_self(), name, sizeof(name));
        std::lock_guard<std::mutex> lock(mutex);
        threadName = name;
        threadId = std::this_thread::get_id();
        for (Event &e : batch)
            events.push_back(std::move(e));
        cv.notify_all();
    }
    void onDisconnected(const Error &error) override
    {
        std::lock_guard<std::mutex> lock(mutex);
        ++disconnects;
        lastError = error;
        cv.notify_all();
    }
    bool waitEvents(size_t n)
    {
        std::unique_lock<std::mutex> lock(mutex);
        return cv.wait_for(lock, 5s, [&] { return events.size() >= n; });
    }
    bool waitDisconnect()
    {
        std::unique_lock<std::mutex> lock(mutex);
        return cv.wait_for(lock, 5s, [&] { return disconnects > 0; });
    }

    std::mutex mutex;
    std::condition_variable cv;
    std::vector<Event> events;
    std::string threadName;
    std::thread::id threadId;
    int disconnects = 0;
    Error lastError;
};

uint64_t requestIdOf(const std::vector<uint8_t> &bytes)
{
    msg::Header h;
    msg::peekHeader(bytes, &h);
    return h.requestId;
}

class KernelLinkTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        peer = std::make_shared<FakePeer>();
        link = std::make_unique<KernelLink>(std::make_unique<FakeTransport>(peer));
    }
    // The link reports to the sink until it is closed: close it first.
    void TearDown() override { link->close(); }

    // Answers the HELLO with this reply; everything after goes to the test.
    void answerHello(uint32_t status, Role role, uint16_t version = PG_PROTOCOL_VERSION)
    {
        peer->setResponder([this, status, role, version](const std::vector<uint8_t> &m) {
            msg::HelloReply r;
            r.status = status;
            r.version = version;
            r.role = role;
            r.platform = PG_PLATFORM_LINUX;
            r.serverPid = 321;
            r.nextSeq = 100;
            r.name = "procguardd test";
            peer->setResponder(nullptr);
            peer->push(msg::encodeHelloReply(requestIdOf(m), r));
        });
    }

    void connectAndStart(bool control = true)
    {
        answerHello(PG_OK, control ? Role::Controller : Role::Observer);
        ConnectOptions o;
        o.control = control;
        ASSERT_FALSE(link->connect(o));
        link->start(&sink);
    }

    std::shared_ptr<FakePeer> peer;
    std::unique_ptr<KernelLink> link;
    RecordingSink sink;
};

Event event(uint64_t seq)
{
    Event e;
    e.kind = EventKind::Exec;
    e.seq = seq;
    e.pid = static_cast<uint32_t>(seq + 1000);
    e.image = "/bin/true";
    return e;
}

} // namespace

TEST_F(KernelLinkTest, ConnectNegotiatesVersionAndControllerRole)
{
    std::vector<uint8_t> hello;
    peer->setResponder([&](const std::vector<uint8_t> &m) {
        hello = m;
        msg::HelloReply r;
        r.version = PG_PROTOCOL_VERSION;
        r.role = Role::Controller;
        r.platform = PG_PLATFORM_LINUX;
        r.serverPid = 321;
        r.nextSeq = 100;
        r.name = "procguardd test";
        peer->push(msg::encodeHelloReply(requestIdOf(m), r));
    });
    ConnectOptions o;
    o.clientName = "unit";
    ConnectInfo info;
    const Error e = link->connect(o, &info);
    ASSERT_FALSE(e) << e.message;
    EXPECT_TRUE(link->isConnected());
    EXPECT_EQ(info.role, Role::Controller);
    EXPECT_EQ(info.version, PG_PROTOCOL_VERSION);
    EXPECT_EQ(info.serverPid, 321u);
    EXPECT_EQ(info.nextSeq, 100u);
    EXPECT_EQ(info.serverName, "procguardd test");
    msg::Hello sent;
    ASSERT_EQ(msg::decodeHello(hello, &sent), PG_OK);
    EXPECT_TRUE(sent.flags & PG_HELLO_CONTROL);
    EXPECT_EQ(sent.name, "unit");
}

TEST_F(KernelLinkTest, ObserverConnectDoesNotAskForControl)
{
    std::vector<uint8_t> hello;
    peer->setResponder([&](const std::vector<uint8_t> &m) {
        hello = m;
        msg::HelloReply r;
        r.version = PG_PROTOCOL_VERSION;
        r.role = Role::Observer;
        r.platform = PG_PLATFORM_LINUX;
        peer->push(msg::encodeHelloReply(requestIdOf(m), r));
    });
    ConnectOptions o;
    o.control = false;
    o.snapshot = false;
    ConnectInfo info;
    ASSERT_FALSE(link->connect(o, &info));
    EXPECT_EQ(info.role, Role::Observer);
    msg::Hello sent;
    ASSERT_EQ(msg::decodeHello(hello, &sent), PG_OK);
    EXPECT_FALSE(sent.flags & PG_HELLO_CONTROL);
    EXPECT_TRUE(sent.flags & PG_HELLO_NO_SNAPSHOT);
}

TEST_F(KernelLinkTest, VersionMismatchNamesBothVersions)
{
    answerHello(PG_E_VERSION, Role::None, 7);
    const Error e = link->connect(ConnectOptions{});
    EXPECT_EQ(e.code, Error::Code::VersionMismatch);
    EXPECT_EQ(e.message, "Protocol version mismatch: component speaks 7, this client " +
                             std::to_string(PG_PROTOCOL_MIN_VERSION) + ".." +
                             std::to_string(PG_PROTOCOL_VERSION) + ".");
    EXPECT_FALSE(link->isConnected());
}

TEST_F(KernelLinkTest, BusyComponentSaysAnotherClientControlsIt)
{
    answerHello(PG_E_BUSY, Role::None);
    const Error e = link->connect(ConnectOptions{});
    EXPECT_EQ(e.code, Error::Code::Busy);
    EXPECT_EQ(e.message, "Another client already controls procguardd.");
    EXPECT_FALSE(link->isConnected());
}

TEST_F(KernelLinkTest, AccessDeniedByComponentExplainsWhoMayConnect)
{
    answerHello(PG_E_ACCESS, Role::None);
    const Error e = link->connect(ConnectOptions{});
    EXPECT_EQ(e.code, Error::Code::PermissionDenied);
    EXPECT_EQ(e.message, "Permission denied: run as root or join the group procguard.");
}

TEST_F(KernelLinkTest, MissingComponentIsReportedAsNotRunning)
{
    peer->failOpen(TransportError::Code::NotFound, "procguardd is not running (no socket at /x).");
    const Error e = link->connect(ConnectOptions{});
    EXPECT_EQ(e.code, Error::Code::NotRunning);
    EXPECT_EQ(e.message, "procguardd is not running (no socket at /x).");
}

TEST_F(KernelLinkTest, SocketPermissionErrorIsReportedAsPermissionDenied)
{
    peer->failOpen(TransportError::Code::PermissionDenied);
    const Error e = link->connect(ConnectOptions{});
    EXPECT_EQ(e.code, Error::Code::PermissionDenied);
    EXPECT_FALSE(e.message.empty());
}

TEST_F(KernelLinkTest, SilentComponentMakesConnectTimeOut)
{
    ConnectOptions o;
    o.timeout = 100ms;
    const auto t0 = std::chrono::steady_clock::now();
    const Error e = link->connect(o);
    EXPECT_EQ(e.code, Error::Code::Timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
    EXPECT_TRUE(peer->shutdownCalled());
}

TEST_F(KernelLinkTest, EventsReachTheSinkInOrderFromTheWorkerThread)
{
    connectAndStart(false);
    peer->push(msg::encodeEvents({event(100), event(101)}));
    peer->push(msg::encodeEvents({event(102)}));
    peer->push(msg::encodeEvents({event(103), event(104), event(105)}));
    ASSERT_TRUE(sink.waitEvents(6));
    std::lock_guard<std::mutex> lock(sink.mutex);
    for (size_t i = 0; i < sink.events.size(); ++i)
        EXPECT_EQ(sink.events[i].seq, 100 + i);
    EXPECT_EQ(sink.events[5].image, "/bin/true");
    EXPECT_NE(sink.threadId, std::this_thread::get_id());
    EXPECT_EQ(sink.threadName, "pg-link");
}

TEST_F(KernelLinkTest, ConcurrentRequestsGetTheirOwnRepliesWhenAnsweredOutOfOrder)
{
    connectAndStart();
    constexpr int kThreads = 8;
    // The fake component collects all requests, then answers them in
    // reverse order; each RESULT's detail echoes the request's hold id, so
    // a thread that got someone else's reply would see the wrong number.
    std::thread server([&] {
        std::vector<std::vector<uint8_t>> requests;
        for (int i = 0; i < kThreads; ++i) {
            auto m = peer->nextSent();
            ASSERT_TRUE(m.has_value());
            requests.push_back(*m);
        }
        for (auto it = requests.rbegin(); it != requests.rend(); ++it) {
            std::vector<msg::VerdictEntry> v;
            ASSERT_EQ(msg::decodeVerdicts(*it, &v), PG_OK);
            msg::Result r;
            r.detail = static_cast<uint32_t>(v[0].holdId);
            peer->push(msg::encodeResult(requestIdOf(*it), r));
        }
    });
    std::vector<std::thread> clients;
    std::atomic<int> matched{0};
    for (int i = 0; i < kThreads; ++i) {
        clients.emplace_back([&, i] {
            uint32_t echoed = 0;
            const uint64_t hold = 500 + static_cast<uint64_t>(i);
            const Error e = link->sendVerdicts({{hold, Verdict::Allow}}, &echoed, 5000ms);
            if (!e && echoed == hold)
                ++matched;
        });
    }
    for (auto &t : clients)
        t.join();
    server.join();
    EXPECT_EQ(matched.load(), kThreads);
}

TEST_F(KernelLinkTest, RequestWithoutReplyTimesOutAndLateReplyIsIgnored)
{
    connectAndStart();
    const auto t0 = std::chrono::steady_clock::now();
    Status st;
    const Error e = link->getStatus(&st, 100ms);
    EXPECT_EQ(e.code, Error::Code::Timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
    auto first = peer->nextSent(1s);
    ASSERT_TRUE(first.has_value());
    Status late;
    late.platform = PG_PLATFORM_LINUX;
    late.heldNow = 1;
    peer->push(msg::encodeStatus(requestIdOf(*first), late));

    // The link still works and the late reply does not answer the next request.
    std::thread server([&] {
        auto m = peer->nextSent();
        ASSERT_TRUE(m.has_value());
        Status s;
        s.platform = PG_PLATFORM_LINUX;
        s.heldNow = 2;
        peer->push(msg::encodeStatus(requestIdOf(*m), s));
    });
    const Error e2 = link->getStatus(&st, 5000ms);
    server.join();
    ASSERT_FALSE(e2) << e2.message;
    EXPECT_EQ(st.heldNow, 2u);
}

TEST_F(KernelLinkTest, DisconnectFailsWaitingRequestsAndNotifiesOnce)
{
    connectAndStart();
    Error result;
    std::thread waiter([&] {
        Policy p;
        result = link->getPolicy(&p, 30000ms);
    });
    ASSERT_TRUE(peer->nextSent().has_value()); // the request is out, waiting
    peer->closeFromServer();
    waiter.join();
    EXPECT_EQ(result.code, Error::Code::Disconnected);
    ASSERT_TRUE(sink.waitDisconnect());
    EXPECT_FALSE(link->isConnected());
    link->close();
    std::lock_guard<std::mutex> lock(sink.mutex);
    EXPECT_EQ(sink.disconnects, 1);
    EXPECT_EQ(sink.lastError.code, Error::Code::Disconnected);
}

TEST_F(KernelLinkTest, CloseReportsDisconnectOnceWithoutError)
{
    connectAndStart();
    link->close();
    link->close();
    std::lock_guard<std::mutex> lock(sink.mutex);
    EXPECT_EQ(sink.disconnects, 1);
    EXPECT_FALSE(sink.lastError);
}

TEST_F(KernelLinkTest, RequestAfterDisconnectFailsAtOnce)
{
    connectAndStart();
    peer->closeFromServer();
    ASSERT_TRUE(sink.waitDisconnect());
    Status st;
    EXPECT_EQ(link->getStatus(&st, 30000ms).code, Error::Code::Disconnected);
}

TEST_F(KernelLinkTest, RequestBeforeStartFailsInsteadOfWaiting)
{
    answerHello(PG_OK, Role::Controller);
    ASSERT_FALSE(link->connect(ConnectOptions{}));
    Status st;
    const Error e = link->getStatus(&st, 30000ms);
    EXPECT_EQ(e.code, Error::Code::Io);
    EXPECT_NE(e.message.find("start()"), std::string::npos);
}

TEST_F(KernelLinkTest, RejectedPolicyCarriesTheComponentsSentence)
{
    connectAndStart();
    peer->setResponder([&](const std::vector<uint8_t> &m) {
        msg::Result r;
        r.status = PG_E_RANGE;
        r.text = "Rule 1 has an unknown kind.";
        peer->push(msg::encodeResult(requestIdOf(m), r));
    });
    Policy p;
    Rule r;
    r.pattern = "/bin/x";
    p.rules.push_back(r);
    const Error e = link->setPolicy(p);
    EXPECT_EQ(e.code, Error::Code::Rejected);
    EXPECT_EQ(e.status, PG_E_RANGE);
    EXPECT_EQ(e.message, "Rule 1 has an unknown kind.");
}

TEST_F(KernelLinkTest, PolicyAndStatusRepliesAreDecoded)
{
    connectAndStart();
    peer->setResponder([&](const std::vector<uint8_t> &m) {
        msg::Header h;
        msg::peekHeader(m, &h);
        if (h.type == PG_MSG_GET_POLICY) {
            Policy p;
            p.mode = Mode::Prompt;
            Rule r;
            r.id = 9;
            r.pattern = "/usr/bin/ls";
            p.rules.push_back(r);
            std::string error;
            peer->push(msg::encodePolicy(h.requestId, p, &error));
        } else {
            Status s;
            s.platform = PG_PLATFORM_LINUX;
            s.controllerPid = 77;
            peer->push(msg::encodeStatus(h.requestId, s));
        }
    });
    Policy p;
    ASSERT_FALSE(link->getPolicy(&p));
    EXPECT_EQ(p.mode, Mode::Prompt);
    ASSERT_EQ(p.rules.size(), 1u);
    EXPECT_EQ(p.rules[0].id, 9u);
    Status s;
    ASSERT_FALSE(link->getStatus(&s));
    EXPECT_EQ(s.controllerPid, 77u);
}

TEST_F(KernelLinkTest, MalformedMessageEndsTheLinkWithAProtocolError)
{
    connectAndStart();
    auto bytes = msg::encodeEvents({event(1)});
    const uint32_t badCount = 5; // a count that runs past the end
    std::memcpy(bytes.data() + offsetof(pg_events_msg, count), &badCount, sizeof(badCount));
    peer->push(bytes);
    ASSERT_TRUE(sink.waitDisconnect());
    std::lock_guard<std::mutex> lock(sink.mutex);
    EXPECT_EQ(sink.lastError.code, Error::Code::Protocol);
    EXPECT_TRUE(sink.events.empty());
}

TEST_F(KernelLinkTest, LargeVerdictListIsSentInBatchesWithinTheLimit)
{
    connectAndStart();
    std::vector<size_t> batchSizes;
    peer->setResponder([&](const std::vector<uint8_t> &m) {
        std::vector<msg::VerdictEntry> v;
        if (msg::decodeVerdicts(m, &v) == PG_OK)
            batchSizes.push_back(v.size());
        peer->push(msg::encodeResult(requestIdOf(m), msg::Result{}));
    });
    std::vector<KernelLink::VerdictItem> items;
    for (uint64_t i = 1; i <= PG_MAX_VERDICTS + 10; ++i)
        items.push_back({i, Verdict::Block});
    ASSERT_FALSE(link->sendVerdicts(items));
    ASSERT_EQ(batchSizes.size(), 2u);
    EXPECT_EQ(batchSizes[0], PG_MAX_VERDICTS);
    EXPECT_EQ(batchSizes[1], 10u);
}

namespace
{

// Connects with options against a component that grants role; returns the
// HELLO flags sent (decoded) and the connect result.
struct HelloOutcome {
    uint32_t flags = 0;
    Error error;
    ConnectInfo info;
};

HelloOutcome helloWith(FakePeer &peer, KernelLink &link, const ConnectOptions &o, Role role,
                       uint32_t status = PG_OK)
{
    std::vector<uint8_t> hello;
    peer.setResponder([&](const std::vector<uint8_t> &m) {
        hello = m;
        msg::HelloReply r;
        r.status = status;
        r.version = PG_PROTOCOL_VERSION;
        r.role = role;
        r.platform = PG_PLATFORM_WINDOWS;
        r.name = "procguard.sys test";
        peer.setResponder(nullptr);
        peer.push(msg::encodeHelloReply(requestIdOf(m), r));
    });
    HelloOutcome out;
    out.error = link.connect(o, &out.info);
    msg::Hello sent;
    EXPECT_EQ(msg::decodeHello(hello, &sent), PG_OK);
    out.flags = sent.flags;
    return out;
}

ConnectOptions resolverOptions(bool observerIfTaken)
{
    ConnectOptions o;
    o.resolve = true; // control stays at its default (true): resolve wins
    o.observerIfTaken = observerIfTaken;
    return o;
}

} // namespace

TEST_F(KernelLinkTest, ResolverHelloAsksForResolveNeverControlAndGetsTheResolverRole)
{
    const HelloOutcome h = helloWith(*peer, *link, resolverOptions(false), Role::Resolver);
    ASSERT_FALSE(h.error) << h.error.message;
    EXPECT_EQ(h.flags & (PG_HELLO_RESOLVE | PG_HELLO_CONTROL | PG_HELLO_OBSERVE_OK),
              PG_HELLO_RESOLVE);
    EXPECT_EQ(h.info.role, Role::Resolver);
    EXPECT_STREQ(toString(h.info.role), "resolver");
}

TEST_F(KernelLinkTest, ResolverWithObserverIfTakenAddsObserveOkAndAcceptsObserver)
{
    const HelloOutcome h = helloWith(*peer, *link, resolverOptions(true), Role::Observer);
    ASSERT_FALSE(h.error) << h.error.message;
    EXPECT_EQ(h.flags & (PG_HELLO_RESOLVE | PG_HELLO_CONTROL | PG_HELLO_OBSERVE_OK),
              PG_HELLO_RESOLVE | PG_HELLO_OBSERVE_OK);
    EXPECT_EQ(h.info.role, Role::Observer);
}

TEST_F(KernelLinkTest, ResolverGrantedObserverWithoutObserverIfTakenIsBusy)
{
    const HelloOutcome h = helloWith(*peer, *link, resolverOptions(false), Role::Observer);
    EXPECT_EQ(h.error.code, Error::Code::Busy);
    EXPECT_EQ(h.error.message, "Another client already resolves facts for procguard.sys.");
    EXPECT_FALSE(link->isConnected());
}

TEST_F(KernelLinkTest, ResolverRefusedBusySaysAnotherResolverIsThere)
{
    const HelloOutcome h = helloWith(*peer, *link, resolverOptions(false), Role::None, PG_E_BUSY);
    EXPECT_EQ(h.error.code, Error::Code::Busy);
    EXPECT_EQ(h.error.message, "Another client already resolves facts for procguard.sys.");
}

TEST_F(KernelLinkTest,
       ControllerGrantedResolverRoleIsBusyAndObserverGrantedResolverIsAProtocolError)
{
    ConnectOptions control;
    control.observerIfTaken = true;
    const HelloOutcome c = helloWith(*peer, *link, control, Role::Resolver);
    EXPECT_EQ(c.flags & (PG_HELLO_RESOLVE | PG_HELLO_CONTROL | PG_HELLO_OBSERVE_OK),
              PG_HELLO_CONTROL | PG_HELLO_OBSERVE_OK);
    EXPECT_EQ(c.error.code, Error::Code::Busy);

    auto peer2 = std::make_shared<FakePeer>();
    KernelLink observerLink(std::make_unique<FakeTransport>(peer2));
    ConnectOptions observe;
    observe.control = false;
    const HelloOutcome o = helloWith(*peer2, observerLink, observe, Role::Resolver);
    EXPECT_EQ(o.flags & (PG_HELLO_RESOLVE | PG_HELLO_CONTROL | PG_HELLO_OBSERVE_OK), 0u);
    EXPECT_EQ(o.error.code, Error::Code::Protocol);
}
