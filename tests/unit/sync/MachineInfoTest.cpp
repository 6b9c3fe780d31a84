// MachineInfoTest.cpp - the machine's facts for the preflight (MachineInfo.h).
#include <gtest/gtest.h>

#include <fstream>

#include "MachineInfo.h"

using namespace pg::sync;

TEST(MachineInfo, MachineIdBecomesAnUpperCaseUuid)
{
    EXPECT_EQ(uuidFromMachineId("3d1219c7c4c5404aaa1f6d2a48adfda4\n"),
              std::string("3D1219C7-C4C5-404A-AA1F-6D2A48ADFDA4"));
    EXPECT_FALSE(uuidFromMachineId("3d1219c7c4c5404aaa1f6d2a48adfda"));
    EXPECT_FALSE(uuidFromMachineId("uninitialized\n"));
    EXPECT_FALSE(uuidFromMachineId(""));
}

TEST(MachineInfo, ThisMachinesIdIsReadFromEtcMachineId)
{
    std::string error;
    const std::optional<std::string> id = readMachineId("/etc/machine-id", &error);
    ASSERT_TRUE(id) << error;
    EXPECT_EQ(id->size(), 36u);
    EXPECT_FALSE(readMachineId("/nonexistent/machine-id", &error));
    EXPECT_NE(error.find("--machine-id"), std::string::npos);
}

TEST(MachineInfo, OsVersionIsDottedIntegers)
{
    EXPECT_EQ(osVersionFrom("VERSION_ID=\"12\"\n", "12.8\n"), "12.8");
    EXPECT_EQ(osVersionFrom("NAME=x\nVERSION_ID=\"22.04\"\n", "bookworm/sid\n"), "22.04");
    EXPECT_EQ(osVersionFrom("VERSION_ID=2024.1-rolling\n", ""), "2024.1");
    EXPECT_EQ(osVersionFrom("", ""), "0");
}

TEST(MachineInfo, FactsOfThisMachineAreFilled)
{
    const MachineFacts f = collectMachineFacts();
    EXPECT_FALSE(f.hostname.empty());
    EXPECT_FALSE(f.osBuild.empty());
    EXPECT_NE(f.osVersion.find_first_of("0123456789"), std::string::npos);
}
