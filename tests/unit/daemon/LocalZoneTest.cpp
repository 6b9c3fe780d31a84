// LocalZoneTest.cpp - the zone table built from an offset function, and
// the boot id.
#include <gtest/gtest.h>

#include "LocalZone.h"

TEST(LocalZone, TableFindsEachChangeToTheSecond)
{
    const int64_t spring = 1711846800, autumn = 1729990800;
    auto offsetAt = [&](int64_t utc) -> int32_t {
        return utc >= spring && utc < autumn ? 7200 : 3600;
    };
    int32_t initial = 0;
    std::vector<pg_tz_transition> table;
    LocalZone::buildTable(offsetAt, spring - 86400, autumn + 86400, 3600, &initial, &table);
    EXPECT_EQ(initial, 3600);
    ASSERT_EQ(table.size(), 2u);
    EXPECT_EQ(table[0].at, spring);
    EXPECT_EQ(table[0].offset_s, 7200);
    EXPECT_EQ(table[1].at, autumn);
    EXPECT_EQ(table[1].offset_s, 3600);
    const pg_tz tz{initial, 2, table.data()};
    EXPECT_EQ(pg_tz_offset_at(&tz, autumn - 1), 7200);
    EXPECT_EQ(pg_tz_offset_at(&tz, autumn), 3600);
}

TEST(LocalZone, ChangeOffTheHourIsFoundToo)
{
    const int64_t change = 1700000123; // not on an hour
    auto offsetAt = [&](int64_t utc) -> int32_t { return utc >= change ? -18000 : -14400; };
    int32_t initial = 0;
    std::vector<pg_tz_transition> table;
    LocalZone::buildTable(offsetAt, change - 10000, change + 10000, 3600, &initial, &table);
    ASSERT_EQ(table.size(), 1u);
    EXPECT_EQ(table[0].at, change);
}

TEST(LocalZone, FixedOffsetHasNoTransitions)
{
    LocalZone zone;
    zone.setFixed(19800); // UTC+5:30
    EXPECT_EQ(pg_tz_offset_at(zone.tz(), 0), 19800);
    EXPECT_EQ(pg_tz_next_transition(zone.tz(), 0), PG_TIME_NEVER);
    EXPECT_FALSE(zone.needsRebuild(4000000000));
}

TEST(LocalZone, SystemZoneTableCoversTheComingYear)
{
    LocalZone zone;
    zone.load();
    const int64_t now = 1767225600; // 2026-01-01
    zone.rebuild(now);
    EXPECT_FALSE(zone.needsRebuild(now));
    EXPECT_GE(zone.validUntil(), now + 300 * 86400);
    EXPECT_TRUE(zone.needsRebuild(zone.validUntil()));
}

TEST(LocalZone, BootIdParsesTheUuidForm)
{
    uint8_t id[PG_BOOT_ID_BYTES];
    ASSERT_TRUE(LocalZone::parseBootId("0123abcd-4567-89ef-0123-456789ABCDEF\n", id));
    EXPECT_EQ(id[0], 0x01);
    EXPECT_EQ(id[3], 0xcd);
    EXPECT_EQ(id[15], 0xef);
    EXPECT_FALSE(LocalZone::parseBootId("0123", id));
    EXPECT_FALSE(LocalZone::parseBootId("zz23abcd-4567-89ef-0123-456789abcdef", id));
    EXPECT_TRUE(LocalZone::readBootId(id)); // this machine has one
}
