// ProcessSourceTest.cpp - WindowsProcessSource (Toolhelp32): this process
// and a child it starts are in the snapshot with the fields a person needs.
#include <windows.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "WindowsProcessSource.h"

using namespace pg;

namespace
{

const ProcessInfo *find(const std::vector<ProcessInfo> &all, uint32_t pid)
{
    auto it =
        std::find_if(all.begin(), all.end(), [&](const ProcessInfo &p) { return p.pid == pid; });
    return it == all.end() ? nullptr : &*it;
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return s;
}

} // namespace

TEST(ProcessSourceTest, SnapshotHoldsThisProcessWithImageTimeAndUser)
{
    WindowsProcessSource source;
    const auto all = source.snapshot();
    const ProcessInfo *self = find(all, GetCurrentProcessId());
    ASSERT_NE(self, nullptr);
    EXPECT_EQ(lower(self->name), "pg_windows_unit_tests.exe");
    EXPECT_NE(lower(self->image).find("pg_windows_unit_tests.exe"), std::string::npos)
        << self->image;
    EXPECT_FALSE(self->cmdline.empty());
    const uint64_t now =
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
    EXPECT_GT(self->startTimeNs, now - 3600ull * 1000000000ull);
    EXPECT_LE(self->startTimeNs, now + 5ull * 1000000000ull);
    EXPECT_FALSE(self->user.empty());
    EXPECT_EQ(source.userName(self->uid), self->user);
}

TEST(ProcessSourceTest, SnapshotIsOrderedByPid)
{
    WindowsProcessSource source;
    const auto all = source.snapshot();
    ASSERT_GT(all.size(), 1u);
    EXPECT_TRUE(
        std::is_sorted(all.begin(), all.end(),
                       [](const ProcessInfo &a, const ProcessInfo &b) { return a.pid < b.pid; }));
}

TEST(ProcessSourceTest, ChildAppearsWithThisProcessAsParent)
{
    wchar_t exe[MAX_PATH];
    ASSERT_GT(GetModuleFileNameW(nullptr, exe, MAX_PATH), 0u);
    std::wstring cmd = L"\"" + std::wstring(exe) + L"\" --gtest_list_tests";
    STARTUPINFOW si{};
    si.cb = sizeof(si);
    PROCESS_INFORMATION pi{};
    ASSERT_TRUE(CreateProcessW(exe, cmd.data(), nullptr, nullptr, FALSE, CREATE_SUSPENDED, nullptr,
                               nullptr, &si, &pi));
    WindowsProcessSource source;
    const auto all = source.snapshot();
    TerminateProcess(pi.hProcess, 0);
    WaitForSingleObject(pi.hProcess, 5000);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    const ProcessInfo *child = find(all, pi.dwProcessId);
    ASSERT_NE(child, nullptr);
    EXPECT_EQ(child->ppid, GetCurrentProcessId());
}

TEST(ProcessSourceTest, UnknownUserIdIsItsNumber)
{
    WindowsProcessSource source;
    EXPECT_EQ(source.userName(987654), "987654");
    EXPECT_FALSE(source.userId("no-such-user-pg"));
}
