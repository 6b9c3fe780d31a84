// UnixSocketTransportTest.cpp - framing and errors over a real Unix socket
// served by the test itself in a private temporary directory.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

#include "../Unprivileged.h"
#include "Messages.h"
#include "UnixSocketTransport.h"

using namespace pg;

namespace
{

class UnixSocketTransportTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/pg-app-test-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        path = dir + "/pg.sock";
    }
    void TearDown() override
    {
        if (server >= 0)
            close(server);
        if (peer >= 0)
            close(peer);
        unlink(path.c_str());
        rmdir(dir.c_str());
    }
    void listenHere()
    {
        server = socket(AF_UNIX, SOCK_STREAM, 0);
        ASSERT_GE(server, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
        ASSERT_EQ(bind(server, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
        ASSERT_EQ(listen(server, 1), 0);
    }
    void connectClient(UnixSocketTransport &t)
    {
        listenHere();
        ASSERT_FALSE(t.open());
        peer = accept(server, nullptr, nullptr);
        ASSERT_GE(peer, 0);
    }
    void writeAll(const std::vector<uint8_t> &b, size_t from, size_t n)
    {
        ASSERT_EQ(write(peer, b.data() + from, n), static_cast<ssize_t>(n));
    }

    std::string dir, path;
    int server = -1;
    int peer = -1;
};

} // namespace

TEST_F(UnixSocketTransportTest, MissingSocketMeansNotRunning)
{
    UnixSocketTransport t(path);
    const TransportError e = t.open();
    EXPECT_EQ(e.code, TransportError::Code::NotFound);
    EXPECT_EQ(e.message, "procguardd is not running (no socket at " + path + ").");
}

TEST_F(UnixSocketTransportTest, SocketWithoutListenerMeansNotRunning)
{
    listenHere();
    close(server);
    server = -1; // the file stays, nobody listens: ECONNREFUSED
    UnixSocketTransport t(path);
    EXPECT_EQ(t.open().code, TransportError::Code::NotFound);
}

TEST_F(UnixSocketTransportTest, UnreadableSocketMeansPermissionDenied)
{
    listenHere();
    chmod(path.c_str(), 0);
    // 0: as expected, 1: wrong code, 2: wrong message.
    const int outcome = pgtest::runUnprivileged([&] {
        UnixSocketTransport t(path);
        const TransportError e = t.open();
        if (e.code != TransportError::Code::PermissionDenied)
            return 1;
        return e.message == "Permission denied: run as root or join the group procguard." ? 0 : 2;
    });
    EXPECT_EQ(outcome, 0);
}

TEST_F(UnixSocketTransportTest, MessagesAreReturnedWholeWhateverTheReadBoundaries)
{
    UnixSocketTransport t(path);
    connectClient(t);
    Status s;
    s.platform = PG_PLATFORM_LINUX;
    const auto a = msg::encodeStatus(1, s);
    const auto b = msg::encodeResult(2, msg::Result{});
    // a and b in one write, then a split across three writes.
    std::vector<uint8_t> both = a;
    both.insert(both.end(), b.begin(), b.end());
    writeAll(both, 0, both.size());
    std::thread slow([&] {
        writeAll(a, 0, 5);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        writeAll(a, 5, 20);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        writeAll(a, 25, a.size() - 25);
    });
    std::vector<uint8_t> m;
    ASSERT_FALSE(t.receive(m));
    EXPECT_EQ(m, a);
    ASSERT_FALSE(t.receive(m));
    EXPECT_EQ(m, b);
    ASSERT_FALSE(t.receive(m));
    EXPECT_EQ(m, a);
    slow.join();
}

TEST_F(UnixSocketTransportTest, SentBytesArriveUnchanged)
{
    UnixSocketTransport t(path);
    connectClient(t);
    const auto hello = msg::encodeHello(5, msg::Hello{});
    ASSERT_FALSE(t.send(hello));
    std::vector<uint8_t> got(hello.size());
    ASSERT_EQ(read(peer, got.data(), got.size()), static_cast<ssize_t>(got.size()));
    EXPECT_EQ(got, hello);
}

TEST_F(UnixSocketTransportTest, OversizedMessageIsRefused)
{
    UnixSocketTransport t(path);
    connectClient(t);
    pg_msg_header h{};
    h.size = PG_MAX_MESSAGE_SIZE + 1;
    std::vector<uint8_t> b(sizeof(h));
    std::memcpy(b.data(), &h, sizeof(h));
    writeAll(b, 0, b.size());
    std::vector<uint8_t> m;
    EXPECT_EQ(t.receive(m).code, TransportError::Code::TooLarge);
}

TEST_F(UnixSocketTransportTest, PeerClosingEndsReceiveWithClosed)
{
    UnixSocketTransport t(path);
    connectClient(t);
    close(peer);
    peer = -1;
    std::vector<uint8_t> m;
    EXPECT_EQ(t.receive(m).code, TransportError::Code::Closed);
    EXPECT_EQ(t.send(msg::encodeGetStatus(1)).code, TransportError::Code::Closed);
}

TEST_F(UnixSocketTransportTest, ShutdownWakesABlockedReceive)
{
    UnixSocketTransport t(path);
    connectClient(t);
    TransportError e;
    std::thread reader([&] {
        std::vector<uint8_t> m;
        e = t.receive(m);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    t.shutdown();
    reader.join();
    EXPECT_EQ(e.code, TransportError::Code::Closed);
}
