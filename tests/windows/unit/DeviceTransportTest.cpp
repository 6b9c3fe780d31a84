// DeviceTransportTest.cpp - DeviceTransport (app/windows/DeviceTransport.h)
// without a driver: the errors a user meets when procguard.sys is not
// running, and shutdown() semantics. The same class against the real test
// driver is DriverLinkTest.cpp (run by the Wine suite with the driver up).
#include <windows.h>

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "DeviceTransport.h"
#include "KernelLink.h"
#include "TransportFactory.h"

using namespace pg;
using namespace std::chrono_literals;

TEST(DeviceTransportTest, OpenWithoutDriverSaysNotRunning)
{
    DeviceTransport t("\\\\.\\ProcGuardAbsent");
    TransportError e = t.open();
    EXPECT_EQ(e.code, TransportError::Code::NotFound);
    EXPECT_NE(e.message.find("not running"), std::string::npos) << e.message;
}

TEST(DeviceTransportTest, KernelLinkWithoutDriverFailsNotRunning)
{
    KernelLink link(createPlatformTransport("\\\\.\\ProcGuardAbsent"));
    Error e = link.connect(ConnectOptions{});
    EXPECT_EQ(e.code, Error::Code::NotRunning) << e.message;
}

TEST(DeviceTransportTest, EmptyEndpointMeansTheDriversDevice)
{
    DeviceTransport t("");
    EXPECT_EQ(t.describe(), "the device \\\\.\\ProcGuard");
}

TEST(DeviceTransportTest, SendAndReceiveBeforeOpenAreClosed)
{
    DeviceTransport t("\\\\.\\ProcGuardAbsent");
    std::vector<uint8_t> msg(24, 0);
    EXPECT_EQ(t.send(msg).code, TransportError::Code::Closed);
    EXPECT_EQ(t.receive(msg).code, TransportError::Code::Closed);
}

TEST(DeviceTransportTest, ShutdownMakesReceiveReturnClosedAtOnce)
{
    DeviceTransport t("\\\\.\\ProcGuardAbsent");
    t.shutdown();
    auto f = std::async(std::launch::async, [&] {
        std::vector<uint8_t> msg;
        return t.receive(msg).code;
    });
    ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(f.get(), TransportError::Code::Closed);
}
