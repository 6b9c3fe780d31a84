// EventLogTest.cpp - the ProcGuard event log (WindowsEventLog.h) and its
// message table in procguardctl.exe: an ECS object of a block goes through
// RegisterEventSourceW/ReportEventW as a warning, and the messages of
// events 1 and 2 show the insertion string as it is (what Event Viewer does
// with the installer's EventMessageFile). Under Wine the event log calls
// are stubs that succeed and trace the string on the "eventlog" debug
// channel: run_event_log_test.sh runs this with that channel on and finds
// the object there.
#include <windows.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "Format.h"
#include "WinText.h"
#include "WindowsEventLog.h"

using namespace pg;

namespace
{

// procguardctl.exe: $PG_CTL_EXE (a Unix path is taken as Wine's Z: drive),
// else beside this test (one bin folder in the native build's Windows part).
std::wstring ctlPath()
{
    if (const char *env = std::getenv("PG_CTL_EXE")) {
        std::string path = env;
        if (!path.empty() && path[0] == '/')
            path = "Z:" + path;
        for (char &c : path)
            if (c == '/')
                c = '\\';
        return toWide(path);
    }
    wchar_t self[MAX_PATH];
    const DWORD n = GetModuleFileNameW(nullptr, self, MAX_PATH);
    std::wstring path(self, n);
    return path.substr(0, path.find_last_of(L"\\/") + 1) + L"procguardctl.exe";
}

Event blockEvent()
{
    Event e;
    e.kind = EventKind::Verdict;
    e.seq = 7;
    e.timeNs = 1714564800000000000ull; // 2024-05-01T12:00:00Z
    e.pid = 4242;
    e.ppid = 4;
    e.uid = 0xFFFFFFFFu;
    e.sid = "S-1-5-21-1-2-3-1001";
    e.verdict = Verdict::Block;
    e.source = Source::Mode;
    e.mode = Mode::Lockdown;
    e.image = "C:\\Games\\sol.exe";
    return e;
}

} // namespace

TEST(WindowsEventLog, BlockGoesToTheLogAsAWarning)
{
    std::string error;
    auto log = WindowsEventLog::open(&error);
    ASSERT_NE(log, nullptr) << error;
    ctl::EcsContext host;
    host.hostName = "kiosk-7";
    host.windows = true;
    const std::string object = ctl::toEcs(blockEvent(), host, "pupil", nullptr);
    // The marker run_event_log_test.sh looks for in Wine's eventlog trace.
    ASSERT_EQ(0u, object.find("{\"@timestamp\":\"2024-05-01T12:00:00.000000Z\",\"ecs\":"))
        << object;
    EXPECT_TRUE(log->write(object, EventChannel::Level::Warning, &error)) << error;
    EXPECT_TRUE(log->write(object, EventChannel::Level::Information, &error)) << error;
}

TEST(WindowsEventLog, ConsoleToolMessagesShowTheObjectAsItIs)
{
    HMODULE ctl = LoadLibraryExW(ctlPath().c_str(), nullptr,
                                 LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
    ASSERT_NE(ctl, nullptr) << "cannot load " << toUtf8(ctlPath()) << ": "
                            << win32Message(GetLastError());
    for (DWORD id : {WindowsEventLog::kEventInformation, WindowsEventLog::kEventWarning}) {
        const wchar_t *insert = L"{\"event\":{\"action\":\"blocked\"}}";
        DWORD_PTR args[1] = {reinterpret_cast<DWORD_PTR>(insert)};
        wchar_t buf[256] = {};
        const DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ARGUMENT_ARRAY,
                                       ctl, id, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), buf,
                                       256, reinterpret_cast<va_list *>(args));
        ASSERT_NE(0u, n) << "message " << id << ": " << win32Message(GetLastError());
        std::wstring text(buf, n);
        while (!text.empty() && (text.back() == L'\n' || text.back() == L'\r'))
            text.pop_back();
        EXPECT_EQ(std::wstring(insert), text) << "message " << id;
    }
    FreeLibrary(ctl);
}
