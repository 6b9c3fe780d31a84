// DriverLinkTest.cpp - the real client stack (KernelLink over
// DeviceTransport) against the TEST build of procguard.sys, installed and
// started by the Wine suite (tests/windows/run_wine_tests.sh). Starts are
// injected with PG_IOCTL_TEST_INJECT on a second handle, as a launcher.
//
// Proves: the handshake, requests and replies through PG_IOCTL_REQUEST;
// events through the pending PG_IOCTL_READ_EVENTS; a policy bigger than
// the first reply buffer (ERROR_MORE_DATA, retried bigger); close() waking
// the worker and the driver resolving holds when the handle goes; a rule
// typed as a Windows path matching what the driver reports.
#include <windows.h>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>

#include "FactResolver.h"
#include "IoctlCodes.h"
#include "KernelLink.h"
#include "ManagedRegistry.h"
#include "NtPath.h"
#include "TransportFactory.h"

using namespace pg;
using namespace std::chrono_literals;

namespace
{

constexpr uint32_t kAccessDenied = 0xC0000022u;

class Sink : public EventSink
{
public:
    void onEvents(std::vector<Event> &&batch) override
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (Event &e : batch)
            m_events.push_back(std::move(e));
        m_cv.notify_all();
    }
    void onDisconnected(const Error &) override
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_gone = true;
        m_cv.notify_all();
    }
    // The first event (after those already taken) that pred accepts.
    bool waitFor(const std::function<bool(const Event &)> &pred, Event *out,
                 std::chrono::milliseconds timeout = 5000ms)
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        return m_cv.wait_for(lock, timeout, [&] {
            for (const Event &e : m_events)
                if (pred(e)) {
                    *out = e;
                    return true;
                }
            return false;
        });
    }
    bool waitGone(std::chrono::milliseconds timeout)
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        return m_cv.wait_for(lock, timeout, [&] { return m_gone; });
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<Event> m_events;
    bool m_gone = false;
};

// A launcher: a plain handle (no HELLO) that injects synthetic starts.
class Launcher
{
public:
    Launcher()
    {
        m_h = CreateFileA(PG_WIN32_DEVICE_PATH, GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                          OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
        m_ov.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    }
    ~Launcher()
    {
        if (m_pending)
            wait(30000);
        CloseHandle(m_ov.hEvent);
        if (m_h != INVALID_HANDLE_VALUE)
            CloseHandle(m_h);
    }
    bool ok() const { return m_h != INVALID_HANDLE_VALUE; }
    bool start(uint32_t pid, const std::wstring &ntImage)
    {
        pg_test_inject req{};
        req.pid = pid;
        req.ppid = 4;
        req.creator_pid = 4;
        req.creator_tid = 1;
        req.image_len = static_cast<uint16_t>(ntImage.size() * 2);
        req.cmdline_len = PG_TEST_NULL_STRING;
        req.size = static_cast<uint32_t>(sizeof(req) + req.image_len);
        m_in.resize(req.size);
        std::memcpy(m_in.data(), &req, sizeof(req));
        std::memcpy(m_in.data() + sizeof(req), ntImage.data(), req.image_len);
        ResetEvent(m_ov.hEvent);
        DWORD bytes = 0;
        if (!DeviceIoControl(m_h, kIoctlTestInject, m_in.data(), req.size, &m_out, sizeof(m_out),
                             &bytes, &m_ov) &&
            GetLastError() != ERROR_IO_PENDING)
            return false;
        m_pending = true;
        return true;
    }
    // The CreationStatus the callback left, or 0xFFFFFFFF.
    uint32_t wait(DWORD ms)
    {
        if (!m_pending || WaitForSingleObject(m_ov.hEvent, ms) != WAIT_OBJECT_0)
            return 0xFFFFFFFFu;
        m_pending = false;
        DWORD bytes = 0;
        if (!GetOverlappedResult(m_h, &m_ov, &bytes, TRUE) || bytes != sizeof(m_out))
            return 0xFFFFFFFFu;
        return m_out.creation_status;
    }
    uint32_t run(uint32_t pid, const std::wstring &ntImage)
    {
        return start(pid, ntImage) ? wait(20000) : 0xFFFFFFFFu;
    }

private:
    HANDLE m_h = INVALID_HANDLE_VALUE;
    OVERLAPPED m_ov{};
    std::vector<uint8_t> m_in;
    pg_test_inject_result m_out{};
    bool m_pending = false;
};

Policy promptPolicy(Verdict def, uint32_t timeoutMs)
{
    Policy p;
    p.mode = Mode::Prompt;
    p.defaultVerdict = def;
    p.timeoutMs = timeoutMs;
    p.holdBudgetMs = 60000;
    return p;
}

class DriverLinkTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        link = std::make_unique<KernelLink>(createPlatformTransport(""));
        ConnectOptions o;
        o.clientName = "pg_windows_driver_tests";
        Error e = link->connect(o, &info);
        ASSERT_FALSE(e) << e.message;
        link->start(&sink);
    }
    void TearDown() override
    {
        if (link) {
            link->setPolicy(promptPolicy(Verdict::Allow, 5000));
            link->close();
        }
    }
    Sink sink;
    std::unique_ptr<KernelLink> link;
    ConnectInfo info;
};

} // namespace

TEST_F(DriverLinkTest, HandshakeGrantsControlOfTheWindowsDriver)
{
    EXPECT_EQ(info.role, Role::Controller);
    EXPECT_EQ(info.platform, static_cast<uint32_t>(PG_PLATFORM_WINDOWS));
    Status s;
    ASSERT_FALSE(link->getStatus(&s));
    EXPECT_EQ(s.controllerPid, GetCurrentProcessId());
}

TEST_F(DriverLinkTest, SecondControllerIsRefusedBusy)
{
    KernelLink second(createPlatformTransport(""));
    Error e = second.connect(ConnectOptions{});
    EXPECT_EQ(e.code, Error::Code::Busy) << e.message;
}

TEST_F(DriverLinkTest, PolicyLargerThanTheFirstReplyBufferRoundTrips)
{
    Policy p = promptPolicy(Verdict::Block, 5000);
    for (uint32_t i = 0; i < 400; ++i) {
        Rule r;
        r.kind = RuleKind::Exact;
        r.action = Verdict::Allow;
        r.pattern = "C:/PROGRAM FILES/VENDOR/" + std::string(180, 'A') + "/TOOL" +
                    std::to_string(i) + ".EXE";
        p.rules.push_back(r);
    }
    Error e = link->setPolicy(p);
    ASSERT_FALSE(e) << e.message;
    Policy back;
    e = link->getPolicy(&back); // over 64 KiB: ERROR_MORE_DATA, then retried
    ASSERT_FALSE(e) << e.message;
    ASSERT_EQ(back.rules.size(), p.rules.size());
    EXPECT_EQ(back.rules.back().pattern, p.rules.back().pattern);
}

TEST_F(DriverLinkTest, HeldStartArrivesAsEventAndAnAllowLetsItProceed)
{
    ASSERT_FALSE(link->setPolicy(promptPolicy(Verdict::Block, 20000)));
    Launcher launcher;
    ASSERT_TRUE(launcher.ok());
    ASSERT_TRUE(launcher.start(7101, L"\\??\\C:\\Apps\\asked.exe"));
    Event req;
    ASSERT_TRUE(sink.waitFor(
        [](const Event &e) { return e.kind == EventKind::Request && e.pid == 7101; }, &req));
    EXPECT_EQ(req.image, "C:/APPS/ASKED.EXE");
    ASSERT_FALSE(link->sendVerdicts({{req.holdId, Verdict::Allow}}));
    EXPECT_EQ(launcher.wait(10000), 0u);
}

TEST_F(DriverLinkTest, HeldStartAnsweredBlockIsDenied)
{
    ASSERT_FALSE(link->setPolicy(promptPolicy(Verdict::Allow, 20000)));
    Launcher launcher;
    ASSERT_TRUE(launcher.start(7102, L"\\??\\C:\\Apps\\refused.exe"));
    Event req;
    ASSERT_TRUE(sink.waitFor(
        [](const Event &e) { return e.kind == EventKind::Request && e.pid == 7102; }, &req));
    ASSERT_FALSE(link->sendVerdicts({{req.holdId, Verdict::Block}}));
    EXPECT_EQ(launcher.wait(10000), kAccessDenied);
}

TEST_F(DriverLinkTest, RuleTypedAsWindowsPathMatchesTheDriversForm)
{
    Policy p = promptPolicy(Verdict::Allow, 5000);
    Rule r;
    r.kind = RuleKind::Exact;
    r.action = Verdict::Block;
    r.pattern = normaliseRulePattern("c:\\apps\\tools\\..\\Evil.exe", RuleKind::Exact);
    p.rules.push_back(r);
    Rule prefix;
    prefix.kind = RuleKind::Prefix;
    prefix.action = Verdict::Block;
    prefix.pattern = normaliseRulePattern("C:/Quarantine", RuleKind::Prefix);
    p.rules.push_back(prefix);
    ASSERT_FALSE(link->setPolicy(p));
    Launcher launcher;
    EXPECT_EQ(launcher.run(7103, L"\\??\\C:\\Apps\\EVIL.EXE"), kAccessDenied);
    EXPECT_EQ(launcher.run(7104, L"\\??\\C:\\quarantine\\deep\\x.exe"), kAccessDenied);
}

TEST_F(DriverLinkTest, ClosingTheLinkResolvesHeldStartsWithTheDefault)
{
    ASSERT_FALSE(link->setPolicy(promptPolicy(Verdict::Block, 0))); // no timeout
    Launcher launcher;
    ASSERT_TRUE(launcher.start(7105, L"\\??\\C:\\Apps\\waiting.exe"));
    Event req;
    ASSERT_TRUE(sink.waitFor(
        [](const Event &e) { return e.kind == EventKind::Request && e.pid == 7105; }, &req));
    link->close(); // wakes the worker (CancelIoEx), which ends the link
    EXPECT_TRUE(sink.waitGone(5000ms));
    link.reset(); // the handle closes: the driver resolves the hold
    EXPECT_EQ(launcher.wait(10000), kAccessDenied);
    // Restore a harmless policy for what runs next.
    KernelLink again(createPlatformTransport(""));
    ASSERT_FALSE(again.connect(ConnectOptions{}));
    again.start(nullptr);
    EXPECT_FALSE(again.setPolicy(promptPolicy(Verdict::Allow, 5000)));
}

namespace
{

// Signers by driver-form path (the injected images do not exist).
class ListedSigners : public FactSource
{
public:
    uint32_t facts() const override { return PG_FACT_SIGNER; }
    SignerInfo signer(const std::string &image) override
    {
        if (image == "C:/APPS/SIGNED.EXE")
            return {true, "Contoso Software Ltd", "Signed by \"Contoso Software Ltd\" (trusted)."};
        return {false, {}, "No trusted signer: the file is not signed."};
    }
};

Policy lockdownWithSignerRule()
{
    Policy p = promptPolicy(Verdict::Allow, 20000);
    p.mode = Mode::Lockdown;
    Rule r;
    r.kind = RuleKind::Signer;
    r.action = Verdict::Allow;
    r.pattern = "Contoso*";
    p.rules.push_back(r);
    return p;
}

} // namespace

// Lockdown with a SIGNER rule: the driver cannot check signatures, so it
// holds the start for the controlling client (PG_EVF_FACTS) instead of
// blocking it, and the client's answer from the re-matched policy decides.
TEST_F(DriverLinkTest, SignerRuleHoldsTheStartForTheClientWhichDecidesByThePolicy)
{
    const Policy p = lockdownWithSignerRule();
    ASSERT_FALSE(link->setPolicy(p));
    ListedSigners signers;
    FactResolver resolver(signers);
    std::string why;
    ASSERT_TRUE(resolver.setPolicy(p, &why)) << why;

    const struct {
        uint32_t pid;
        const wchar_t *image;
        uint32_t status;
    } starts[] = {{7111, L"\\??\\C:\\Apps\\signed.exe", 0u},
                  {7112, L"\\??\\C:\\Apps\\unsigned.exe", kAccessDenied}};
    for (const auto &s : starts) {
        Launcher launcher;
        ASSERT_TRUE(launcher.start(s.pid, s.image));
        Event req;
        ASSERT_TRUE(sink.waitFor(
            [&](const Event &e) { return e.kind == EventKind::Request && e.pid == s.pid; }, &req));
        EXPECT_NE(req.flags & PG_EVF_FACTS, 0u);
        const std::optional<Verdict> v = verdictForFacts(resolver.resolve(req), p.mode);
        ASSERT_TRUE(v.has_value());
        ASSERT_FALSE(link->sendVerdicts({{req.holdId, *v}}));
        EXPECT_EQ(launcher.wait(10000), s.status) << req.image;
    }
}

TEST_F(DriverLinkTest, LockdownWithoutSignerRulesStillBlocksWithoutAsking)
{
    Policy p = lockdownWithSignerRule();
    p.rules.clear();
    ASSERT_FALSE(link->setPolicy(p));
    Launcher launcher;
    EXPECT_EQ(launcher.run(7113, L"\\??\\C:\\Apps\\unsigned.exe"), kAccessDenied);
    Event req;
    EXPECT_FALSE(sink.waitFor(
        [](const Event &e) { return e.kind == EventKind::Request && e.pid == 7113; }, &req, 200ms));
}

namespace
{

// HKLM\SOFTWARE\Policies\ProcGuard as Group Policy writes it; removed again
// by the destructor.
class GroupPolicyKey
{
public:
    GroupPolicyKey()
    {
        m_ok = RegCreateKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Policies\\ProcGuard", 0, nullptr, 0,
                               KEY_ALL_ACCESS | KEY_WOW64_64KEY, nullptr, &m_key,
                               nullptr) == ERROR_SUCCESS;
    }
    ~GroupPolicyKey()
    {
        if (m_ok) {
            RegCloseKey(m_key);
            RegDeleteKeyW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Policies\\ProcGuard");
        }
    }
    bool ok() const { return m_ok; }
    bool setString(const wchar_t *name, const std::wstring &value)
    {
        return RegSetValueExW(m_key, name, 0, REG_SZ, reinterpret_cast<const BYTE *>(value.c_str()),
                              static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t))) ==
               ERROR_SUCCESS;
    }
    // REG_MULTI_SZ, one string per line (the ADMX multiText element).
    bool setLines(const wchar_t *name, const std::vector<std::wstring> &lines)
    {
        std::wstring data;
        for (const std::wstring &l : lines)
            data += l + L'\0';
        data += L'\0';
        return RegSetValueExW(m_key, name, 0, REG_MULTI_SZ,
                              reinterpret_cast<const BYTE *>(data.data()),
                              static_cast<DWORD>(data.size() * sizeof(wchar_t))) == ERROR_SUCCESS;
    }

private:
    HKEY m_key = nullptr;
    bool m_ok = false;
};

} // namespace

TEST_F(DriverLinkTest, GroupPolicyLayerReachesTheDriverAndDecidesBeforeLocalRules)
{
    GroupPolicyKey key;
    ASSERT_TRUE(key.ok());
    ASSERT_TRUE(key.setLines(L"Policy", {L"{ \"schema\": 3, \"rules\": [",
                                         L"  {\"kind\": \"prefix\", \"action\": \"block\",",
                                         L"   \"pattern\": \"C:/GAMES/\"} ] }"}));
    ASSERT_TRUE(key.setString(L"Mode", L"prompt"));
    ASSERT_TRUE(key.setString(L"LocalRules", L"any"));
    const policy::GroupPolicyValues values = policy::readGroupPolicyValues();
    ASSERT_TRUE(values.policy.has_value());
    EXPECT_NE(values.policy->find("\n"), std::string::npos) << "lines joined";
    EXPECT_EQ(values.mode.value_or(""), "prompt");

    // What procguardctl.exe and the panel do: the guard imposes the layer.
    link->setPolicyGuard(policy::groupPolicyGuard());
    Policy p = promptPolicy(Verdict::Allow, 5000);
    Rule allow;
    allow.kind = RuleKind::Exact;
    allow.action = Verdict::Allow;
    allow.pattern = "C:/GAMES/DOOM.EXE";
    p.rules.push_back(allow);
    Error e = link->setPolicy(p);
    ASSERT_FALSE(e) << e.message;

    // The driver holds the managed rule, marked, before the local one.
    Policy back;
    ASSERT_FALSE(link->getPolicy(&back));
    ASSERT_EQ(back.rules.size(), 2u);
    EXPECT_TRUE(back.rules[0].managed);
    EXPECT_EQ(back.rules[0].pattern, "C:/GAMES/");
    EXPECT_FALSE(back.rules[1].managed);

    // The core in procguard.sys matches the managed prefix block before the
    // local exact allow.
    Launcher launcher;
    EXPECT_EQ(launcher.run(7120, L"\\??\\C:\\Games\\doom.exe"), kAccessDenied);

    // A client cannot switch the managed mode.
    Policy monitor = back;
    monitor.mode = Mode::Monitor;
    e = link->setPolicy(monitor);
    EXPECT_EQ(e.status, PG_E_MANAGED) << e.message;
    EXPECT_NE(e.message.find("mode is managed"), std::string::npos) << e.message;
}
