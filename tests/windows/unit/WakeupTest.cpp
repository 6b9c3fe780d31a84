// WakeupTest.cpp - procguardctl's Windows waiting (app/ctl/Wakeup.h):
// events wake a waiter, timeouts are bounded, absent handles are ignored.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "Wakeup.h"

using namespace pg::ctl;
using namespace std::chrono_literals;

TEST(WakeupTest, NotifyFromAnotherThreadWakesTheWaiter)
{
    Wakeup a, b;
    std::thread t([&] {
        std::this_thread::sleep_for(50ms);
        b.notify();
    });
    std::vector<bool> ready;
    EXPECT_TRUE(waitReadable({a.fd(), b.fd()}, 5000, &ready));
    t.join();
    ASSERT_EQ(ready.size(), 2u);
    EXPECT_FALSE(ready[0]);
    EXPECT_TRUE(ready[1]);
}

TEST(WakeupTest, DrainEndsTheReadyState)
{
    Wakeup w;
    w.notify();
    std::vector<bool> ready;
    EXPECT_TRUE(waitReadable({w.fd()}, 0, &ready));
    w.drain();
    EXPECT_FALSE(waitReadable({w.fd()}, 20, &ready));
    EXPECT_FALSE(ready[0]);
}

TEST(WakeupTest, NoWaitHandleIsIgnoredAndTimeoutIsBounded)
{
    Wakeup w;
    std::vector<bool> ready;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(waitReadable({kNoWaitHandle, w.fd()}, 100, &ready));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    ASSERT_EQ(ready.size(), 2u);
    EXPECT_FALSE(ready[0]);
    EXPECT_FALSE(ready[1]);
}
