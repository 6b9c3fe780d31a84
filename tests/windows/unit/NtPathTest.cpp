// NtPathTest.cpp - NT-to-DOS conversion and the driver's normalised form
// (app/windows/NtPath.h): with a drive map the test gives, and against
// the live system under Wine.
#include <windows.h>

#include <gtest/gtest.h>

#include "NtPath.h"

using namespace pg;

namespace
{

const DriveMap kDrives = {
    {L"C:", L"\\Device\\HarddiskVolume3"},
    {L"D:", L"\\Device\\HarddiskVolume10"},
    {L"E:", L"\\Device\\HarddiskVolume1"},
};

std::wstring dos(const std::wstring &nt)
{
    return ntToDosPath(nt, kDrives, L"C:\\Windows");
}

} // namespace

TEST(NtPathTest, VolumeDeviceBecomesItsDriveLetter)
{
    EXPECT_EQ(dos(L"\\Device\\HarddiskVolume3\\Windows\\notepad.exe"), L"C:\\Windows\\notepad.exe");
}

TEST(NtPathTest, VolumeNumberMatchesWholeComponentOnly)
{
    EXPECT_EQ(dos(L"\\Device\\HarddiskVolume10\\Tools\\x.exe"), L"D:\\Tools\\x.exe");
    EXPECT_EQ(dos(L"\\Device\\HarddiskVolume1\\x.exe"), L"E:\\x.exe");
}

TEST(NtPathTest, DeviceMatchIgnoresCase)
{
    EXPECT_EQ(dos(L"\\device\\harddiskvolume3\\a.exe"), L"C:\\a.exe");
}

TEST(NtPathTest, ObjectManagerPrefixesAreStripped)
{
    EXPECT_EQ(dos(L"\\??\\C:\\Apps\\x.exe"), L"C:\\Apps\\x.exe");
    EXPECT_EQ(dos(L"\\\\?\\C:\\Apps\\x.exe"), L"C:\\Apps\\x.exe");
}

TEST(NtPathTest, SystemRootExpandsToTheWindowsFolder)
{
    EXPECT_EQ(dos(L"\\SystemRoot\\System32\\smss.exe"), L"C:\\Windows\\System32\\smss.exe");
}

TEST(NtPathTest, DeviceWithoutDriveLetterStaysInNtForm)
{
    EXPECT_EQ(dos(L"\\Device\\Mup\\server\\share\\x.exe"), L"\\Device\\Mup\\server\\share\\x.exe");
    EXPECT_EQ(dos(L"\\Device\\HarddiskVolume7\\x.exe"), L"\\Device\\HarddiskVolume7\\x.exe");
}

TEST(NtPathTest, DosPathComesBackUnchanged)
{
    EXPECT_EQ(dos(L"C:\\Apps\\x.exe"), L"C:\\Apps\\x.exe");
}

TEST(NtPathTest, LiveDriveMapConvertsTheSystemDrive)
{
    const DriveMap live = queryDriveMap();
    const DosDevice *c = nullptr;
    for (const DosDevice &d : live)
        if (d.drive == L"C:")
            c = &d;
    ASSERT_NE(c, nullptr) << "no C: in the live drive map";
    ASSERT_FALSE(c->target.empty());
    std::string target(c->target.begin(), c->target.end());
    EXPECT_EQ(ntToDosPath(target + "\\windows\\notepad.exe"), "C:\\windows\\notepad.exe");
}

TEST(NtPathTest, DriverFormUsesSlashesAndUpperCase)
{
    EXPECT_EQ(toDriverForm(L"C:\\Windows\\System32\\notepad.exe"),
              "C:/WINDOWS/SYSTEM32/NOTEPAD.EXE");
    EXPECT_EQ(toDriverForm(L"\\??\\c:\\apps\\x.exe"), "C:/APPS/X.EXE");
}

TEST(NtPathTest, DriverFormUpcasesBeyondAscii)
{
    EXPECT_EQ(toDriverForm(L"C:\\Programme\\\u00e4pfel\\\u00fc.exe"),
              "C:/PROGRAMME/\xc3\x84PFEL/\xc3\x9c.EXE");
}

TEST(NtPathTest, DriverFormIsIdempotent)
{
    EXPECT_EQ(toDriverForm(L"C:/APPS/X.EXE"), "C:/APPS/X.EXE");
}

TEST(NtPathTest, UncPathTakesTheMupForm)
{
    EXPECT_EQ(toDriverForm(L"\\\\server\\share\\x.exe"), "/DEVICE/MUP/SERVER/SHARE/X.EXE");
    EXPECT_EQ(toDriverForm(L"\\\\?\\UNC\\server\\share\\x.exe"), "/DEVICE/MUP/SERVER/SHARE/X.EXE");
}

TEST(NtPathTest, PrefixPatternEndsWithSlash)
{
    EXPECT_EQ(normaliseRulePattern("C:\\Apps", RuleKind::Prefix), "C:/APPS/");
    EXPECT_EQ(normaliseRulePattern("c:/apps/", RuleKind::Prefix), "C:/APPS/");
}

TEST(NtPathTest, ExactPatternIsMadeAbsolute)
{
    EXPECT_EQ(normaliseRulePattern("C:\\Apps\\..\\Tools\\.\\x.exe", RuleKind::Exact),
              "C:/TOOLS/X.EXE");
    ASSERT_TRUE(SetCurrentDirectoryW(L"C:\\windows"));
    EXPECT_EQ(normaliseRulePattern("notepad.exe", RuleKind::Exact), "C:/WINDOWS/NOTEPAD.EXE");
}

TEST(NtPathTest, GlobPatternIsOnlyConverted)
{
    EXPECT_EQ(normaliseRulePattern("**\\notepad.exe", RuleKind::Glob), "**/NOTEPAD.EXE");
    EXPECT_EQ(normaliseRulePattern("C:\\Apps\\*.exe", RuleKind::Glob), "C:/APPS/*.EXE");
}
