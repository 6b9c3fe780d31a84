// MemfdNoexecTest.cpp - when procguardd refuses exec of in-memory files,
// and which value it restores (also after a crash).
#include <gtest/gtest.h>

#include "MemfdNoexec.h"
#include "pg_protocol.h"

TEST(MemfdNoexec, WantedInPromptAndLockdownOnly)
{
    EXPECT_FALSE(MemfdNoexec::wanted(true, PG_MODE_MONITOR));
    EXPECT_TRUE(MemfdNoexec::wanted(true, PG_MODE_PROMPT));
    EXPECT_TRUE(MemfdNoexec::wanted(true, PG_MODE_LOCKDOWN));
}

TEST(MemfdNoexec, OptOutIsNeverWanted)
{
    EXPECT_FALSE(MemfdNoexec::wanted(false, PG_MODE_LOCKDOWN));
    EXPECT_FALSE(MemfdNoexec::wanted(false, PG_MODE_PROMPT));
}

TEST(MemfdNoexec, WithoutARecordTheValueFoundIsRestored)
{
    EXPECT_EQ(MemfdNoexec::originalValue(false, 0, 0), 0);
    EXPECT_EQ(MemfdNoexec::originalValue(false, 0, 1), 1);
    // The administrator's own 2 stays 2.
    EXPECT_EQ(MemfdNoexec::originalValue(false, 0, 2), 2);
}

TEST(MemfdNoexec, AfterACrashTheRecordedValueIsRestored)
{
    // The crashed run set 2 over 0 (or 1) and never restored it.
    EXPECT_EQ(MemfdNoexec::originalValue(true, 0, 2), 0);
    EXPECT_EQ(MemfdNoexec::originalValue(true, 1, 2), 1);
}

TEST(MemfdNoexec, ARecordDoesNotOverrideAValueChangedSince)
{
    // The sysctl is no longer ours (someone lowered it): what is there now.
    EXPECT_EQ(MemfdNoexec::originalValue(true, 0, 1), 1);
    // A record of 2 is the administrator's own: nothing to undo.
    EXPECT_EQ(MemfdNoexec::originalValue(true, 2, 2), 2);
}
