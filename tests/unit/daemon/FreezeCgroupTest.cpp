// FreezeCgroupTest.cpp - which procguardd instance owns a hold directory:
// the "run-<pid>-<start ticks>" name and the liveness check, with a fake
// /proc (a pid -> start ticks table).
#include <gtest/gtest.h>

#include <map>

#include "FreezeCgroup.h"

namespace
{

FreezeCgroup::StartTicksOf fakeProc(const std::map<uint32_t, uint64_t> &table)
{
    return [table](uint32_t pid, uint64_t *ticks) {
        auto it = table.find(pid);
        if (it == table.end())
            return false;
        *ticks = it->second;
        return true;
    };
}

} // namespace

TEST(FreezeCgroup, InstanceNameRoundTrips)
{
    const std::string name = FreezeCgroup::instanceName(4242, 987654321012ull);
    EXPECT_EQ(name, "run-4242-987654321012");
    uint32_t pid = 0;
    uint64_t ticks = 0;
    ASSERT_TRUE(FreezeCgroup::parseInstanceName(name, &pid, &ticks));
    EXPECT_EQ(pid, 4242u);
    EXPECT_EQ(ticks, 987654321012ull);
}

TEST(FreezeCgroup, MalformedInstanceNamesDoNotParse)
{
    uint32_t pid = 0;
    uint64_t ticks = 0;
    for (const char *bad : {"run-", "run-12", "run-12-", "run--5", "run-0-5", "run-12-5x",
                            "run-x-5", "hold-12", "run-99999999999-1", "run-12-5-6"})
        EXPECT_FALSE(FreezeCgroup::parseInstanceName(bad, &pid, &ticks)) << bad;
}

TEST(FreezeCgroup, RunningInstanceWithTheRecordedStartTimeIsAlive)
{
    auto proc = fakeProc({{100, 5000}});
    EXPECT_TRUE(FreezeCgroup::ownerAlive("run-100-5000", proc));
}

TEST(FreezeCgroup, GoneInstanceIsNotAlive)
{
    auto proc = fakeProc({{100, 5000}});
    EXPECT_FALSE(FreezeCgroup::ownerAlive("run-101-5000", proc));
}

TEST(FreezeCgroup, ReusedPidWithAnotherStartTimeIsNotTheOwner)
{
    // The daemon crashed and an unrelated process got its pid later.
    auto proc = fakeProc({{100, 9000}});
    EXPECT_FALSE(FreezeCgroup::ownerAlive("run-100-5000", proc));
}

TEST(FreezeCgroup, UnparsableNameHasNoLiveOwner)
{
    auto proc = fakeProc({{100, 5000}});
    EXPECT_FALSE(FreezeCgroup::ownerAlive("run-100", proc));
}
