// pgwintest.cpp - scenarios against the real procguard.sys (test build)
// through the SCM and DeviceIoControl, run under Wine (or on a Windows
// test machine). Self-checking: prints one line per scenario and
// "N passed, N failed"; exit status 0 only when all passed.
//
//   pgwintest.exe scenarios     the driver is installed and running
//   pgwintest.exe release-check a RELEASE build is running: the test
//                               control code must be rejected
//   pgwintest.exe inject PID NTPATH  one synthetic start; prints its
//                               CreationStatus (0x00000000 = allowed)
//   pgwintest.exe keepalive SECONDS  sleeps: keeps the Wine prefix's
//                               system processes (the driver host) up
//
// Starts are injected with PG_IOCTL_TEST_INJECT, which runs the driver's
// real create-process callback from a system thread with a synthetic
// PS_CREATE_NOTIFY_INFO and reports the CreationStatus it left.
#include <windows.h>

#include <bcrypt.h>
#include <wincrypt.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ScmLifecycle.h"
#include "pg_ioctl.h"
#include "pg_protocol.h"

namespace
{

constexpr uint32_t kAccessDenied = 0xC0000022u;

int g_failures = 0;
std::string g_where;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::printf("    check failed: %s (line %d)\n", #cond, __LINE__);                      \
            g_failures++;                                                                          \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        auto va_ = (a);                                                                            \
        auto vb_ = (b);                                                                            \
        if (!(va_ == vb_)) {                                                                       \
            std::printf("    check failed: %s == %s (%llu vs %llu, line %d)\n", #a, #b,            \
                        (unsigned long long)va_, (unsigned long long)vb_, __LINE__);               \
            g_failures++;                                                                          \
            return;                                                                                \
        }                                                                                          \
    } while (0)

// ---------------------------------------------------------------- device

void forgetBacklog(HANDLE h);

struct Device {
    HANDLE h = INVALID_HANDLE_VALUE;
    Device() = default;
    Device(const Device &) = delete;
    Device &operator=(const Device &) = delete;
    ~Device() { close(); }
    bool open()
    {
        h = CreateFileA(PG_WIN32_DEVICE_PATH, GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                        OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
        if (h == INVALID_HANDLE_VALUE) {
            std::printf("    cannot open the device: error %lu\n", GetLastError());
        }
        return h != INVALID_HANDLE_VALUE;
    }
    void close()
    {
        if (h != INVALID_HANDLE_VALUE) {
            forgetBacklog(h);
            CloseHandle(h);
            h = INVALID_HANDLE_VALUE;
        }
    }
};

// One overlapped DeviceIoControl, waited for. Returns the Win32 error (0 ok).
DWORD ioctl(HANDLE h, uint32_t code, const void *in, size_t inLen, void *out, size_t outLen,
            DWORD *bytes, DWORD waitMs = 10000)
{
    OVERLAPPED ov{};
    ov.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    DWORD err = 0;
    *bytes = 0;
    if (!DeviceIoControl(h, code, const_cast<void *>(in), static_cast<DWORD>(inLen), out,
                         static_cast<DWORD>(outLen), bytes, &ov)) {
        err = GetLastError();
        if (err == ERROR_IO_PENDING) {
            if (WaitForSingleObject(ov.hEvent, waitMs) != WAIT_OBJECT_0) {
                CancelIoEx(h, &ov);
            }
            err = GetOverlappedResult(h, &ov, bytes, TRUE) ? 0 : GetLastError();
        }
    }
    CloseHandle(ov.hEvent);
    return err;
}

uint64_t g_requestId = 100;

pg_msg_header header(uint16_t type, uint32_t size)
{
    pg_msg_header hdr{};
    hdr.size = size;
    hdr.version = PG_PROTOCOL_VERSION;
    hdr.type = type;
    hdr.request_id = ++g_requestId;
    return hdr;
}

// Sends one message; returns the reply bytes (empty on an NTSTATUS error).
std::vector<uint8_t> request(HANDLE h, const void *msg, size_t len, DWORD *errOut = nullptr,
                             size_t outLen = 65536)
{
    std::vector<uint8_t> out(outLen);
    DWORD bytes = 0;
    DWORD err = ioctl(h, PG_IOCTL_REQUEST, msg, len, out.data(), out.size(), &bytes);
    if (errOut != nullptr) {
        *errOut = err;
    }
    out.resize(err == 0 || err == ERROR_MORE_DATA ? bytes : 0);
    return out;
}

uint32_t resultStatus(const std::vector<uint8_t> &reply)
{
    pg_result r{};
    if (reply.size() != sizeof(r)) {
        return 0xFFFFFFFFu;
    }
    std::memcpy(&r, reply.data(), sizeof(r));
    return r.hdr.type == PG_MSG_RESULT ? r.status : 0xFFFFFFFEu;
}

bool hello(HANDLE h, uint32_t flags, pg_hello_reply *replyOut, uint32_t subs = 0)
{
    pg_hello msg{};
    msg.hdr = header(PG_MSG_HELLO, sizeof(msg));
    msg.min_version = 1;
    msg.max_version = 1;
    msg.flags = flags;
    msg.subscriptions = subs;
    std::strcpy(msg.name, "pgwintest");
    auto reply = request(h, &msg, sizeof(msg));
    if (reply.size() != sizeof(pg_hello_reply)) {
        return false;
    }
    std::memcpy(replyOut, reply.data(), sizeof(*replyOut));
    return replyOut->hdr.type == PG_MSG_HELLO_REPLY &&
           replyOut->hdr.request_id == msg.hdr.request_id;
}

struct RuleSpec {
    uint32_t id;
    uint8_t kind;
    uint8_t action;
    std::string pattern;
    bool timed = false;
    pg_rule_time time{};
};

std::vector<uint8_t> policyMessage(uint32_t mode, uint32_t defaultVerdict, uint32_t timeoutMs,
                                   uint32_t budgetMs, const std::vector<RuleSpec> &rules)
{
    std::vector<uint8_t> msg(sizeof(pg_policy));
    for (const auto &r : rules) {
        pg_rule rec{};
        uint32_t strBytes = static_cast<uint32_t>(r.pattern.size() + 1);
        const uint32_t timeAt = PG_ALIGN8(static_cast<uint32_t>(sizeof(pg_rule)) + strBytes);
        rec.size = timeAt + (r.timed ? static_cast<uint32_t>(sizeof(pg_rule_time)) : 0u);
        rec.id = r.id;
        rec.kind = r.kind;
        rec.action = r.action;
        rec.flags = r.timed ? PG_RULEF_TIME : 0;
        rec.pattern_len = static_cast<uint16_t>(strBytes);
        size_t at = msg.size();
        msg.resize(at + rec.size, 0);
        std::memcpy(msg.data() + at, &rec, sizeof(rec));
        std::memcpy(msg.data() + at + sizeof(rec), r.pattern.c_str(), strBytes);
        if (r.timed) {
            std::memcpy(msg.data() + at + timeAt, &r.time, sizeof(r.time));
        }
    }
    pg_policy pol{};
    pol.hdr = header(PG_MSG_SET_POLICY, static_cast<uint32_t>(msg.size()));
    pol.mode = mode;
    pol.default_verdict = defaultVerdict;
    pol.timeout_ms = timeoutMs;
    pol.hold_budget_ms = budgetMs;
    pol.rule_count = static_cast<uint32_t>(rules.size());
    std::memcpy(msg.data(), &pol, sizeof(pol));
    return msg;
}

uint32_t setPolicy(HANDLE h, uint32_t mode, uint32_t def, uint32_t timeoutMs, uint32_t budgetMs,
                   const std::vector<RuleSpec> &rules = {})
{
    auto msg = policyMessage(mode, def, timeoutMs, budgetMs, rules);
    return resultStatus(request(h, msg.data(), msg.size()));
}

bool getStatus(HANDLE h, pg_status_msg *out)
{
    pg_msg_header hdr = header(PG_MSG_GET_STATUS, sizeof(pg_msg_header));
    auto reply = request(h, &hdr, sizeof(hdr));
    if (reply.size() != sizeof(*out)) {
        return false;
    }
    std::memcpy(out, reply.data(), sizeof(*out));
    return out->hdr.type == PG_MSG_STATUS;
}

uint32_t sendVerdict(HANDLE h, uint64_t holdId, uint8_t verdict, uint32_t *unknown = nullptr)
{
    struct {
        pg_verdicts_msg m;
        pg_verdict v;
    } msg{};
    msg.m.hdr = header(PG_MSG_VERDICTS, sizeof(msg));
    msg.m.count = 1;
    msg.v.hold_id = holdId;
    msg.v.verdict = verdict;
    auto reply = request(h, &msg, sizeof(msg));
    if (unknown != nullptr && reply.size() == sizeof(pg_result)) {
        pg_result r;
        std::memcpy(&r, reply.data(), sizeof(r));
        *unknown = r.detail;
    }
    return resultStatus(reply);
}

// ---------------------------------------------------------------- events

struct Ev {
    pg_event e;
    std::string image;
    std::string cmdline;
    std::string sid;
};

// Reads one batch, waiting at most waitMs. Empty when none came.
std::vector<Ev> readEvents(HANDLE h, DWORD waitMs)
{
    std::vector<uint8_t> out(256 * 1024);
    DWORD bytes = 0;
    DWORD err = ioctl(h, PG_IOCTL_READ_EVENTS, nullptr, 0, out.data(), out.size(), &bytes, waitMs);
    std::vector<Ev> events;
    if (err != 0 || bytes < sizeof(pg_events_msg)) {
        return events;
    }
    pg_events_msg msg;
    std::memcpy(&msg, out.data(), sizeof(msg));
    size_t at = sizeof(msg);
    for (uint32_t i = 0; i < msg.count && at + sizeof(pg_event) <= bytes; i++) {
        Ev ev;
        std::memcpy(&ev.e, out.data() + at, sizeof(pg_event));
        const char *strs = reinterpret_cast<const char *>(out.data() + at + sizeof(pg_event));
        if (ev.e.image_len > 0) {
            ev.image.assign(strs, ev.e.image_len - 1);
        }
        if (ev.e.cmdline_len > 0) {
            ev.cmdline.assign(strs + ev.e.image_len, ev.e.cmdline_len - 1);
        }
        if (ev.e.sid_len > 0) {
            ev.sid.assign(strs + ev.e.image_len + ev.e.cmdline_len, ev.e.sid_len - 1);
        }
        events.push_back(ev);
        at += ev.e.size;
    }
    return events;
}

// Events read after the one a waitEvent matched, per handle: the next
// waitEvent looks at them first (one read often returns several).
std::map<HANDLE, std::deque<Ev>> g_backlog;

void forgetBacklog(HANDLE h)
{
    g_backlog.erase(h);
}

// Reads until pred matches an event or waitMs passes. Events before the
// match are consumed; those after it stay for the next call.
bool waitEvent(HANDLE h, DWORD waitMs, const std::function<bool(const Ev &)> &pred, Ev *found)
{
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(waitMs);
    std::deque<Ev> &backlog = g_backlog[h];
    for (;;) {
        while (!backlog.empty()) {
            Ev ev = backlog.front();
            backlog.pop_front();
            if (pred(ev)) {
                if (found != nullptr) {
                    *found = ev;
                }
                return true;
            }
        }
        if (std::chrono::steady_clock::now() >= until) {
            return false;
        }
        for (const auto &ev : readEvents(h, 200)) {
            backlog.push_back(ev);
        }
    }
}

void drain(HANDLE h)
{
    forgetBacklog(h);
    while (!readEvents(h, 100).empty()) {
    }
}

// ---------------------------------------------------------------- inject

std::wstring widen(const std::string &s)
{
    return std::wstring(s.begin(), s.end());
}

// One synthetic start in flight (the callback may hold it).
struct Inject {
    OVERLAPPED ov{};
    std::vector<uint8_t> in;
    pg_test_inject_result out{};
    HANDLE h = INVALID_HANDLE_VALUE;
    bool pending = false;
    DWORD err = 0;

    bool start(HANDLE dev, uint32_t pid, uint32_t ppid, const std::string &ntImage,
               const std::string &cmdline = "cmd /c x", uint32_t flags = 0,
               bool nullCmdline = false)
    {
        std::wstring img = widen(ntImage);
        std::wstring cmd = widen(cmdline);
        pg_test_inject req{};
        req.pid = pid;
        req.ppid = ppid;
        req.creator_pid = ppid;
        req.creator_tid = 1;
        req.flags = flags;
        req.image_len = static_cast<uint16_t>(img.size() * 2);
        const uint16_t cmdBytes = nullCmdline ? 0 : static_cast<uint16_t>(cmd.size() * 2);
        req.cmdline_len = nullCmdline ? PG_TEST_NULL_STRING : cmdBytes;
        req.size = static_cast<uint32_t>(sizeof(req) + req.image_len + cmdBytes);
        in.resize(req.size);
        std::memcpy(in.data(), &req, sizeof(req));
        std::memcpy(in.data() + sizeof(req), img.data(), req.image_len);
        std::memcpy(in.data() + sizeof(req) + req.image_len, cmd.data(), cmdBytes);
        h = dev;
        ov.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
        DWORD bytes = 0;
        if (DeviceIoControl(dev, PG_IOCTL_TEST_INJECT, in.data(), static_cast<DWORD>(in.size()),
                            &out, sizeof(out), &bytes, &ov)) {
            return true;
        }
        err = GetLastError();
        pending = err == ERROR_IO_PENDING;
        return pending;
    }
    // Waits for the callback to finish; false on timeout.
    bool wait(DWORD waitMs)
    {
        if (WaitForSingleObject(ov.hEvent, waitMs) != WAIT_OBJECT_0) {
            return false;
        }
        DWORD bytes = 0;
        err = GetOverlappedResult(h, &ov, &bytes, TRUE) ? 0 : GetLastError();
        return err == 0 && bytes == sizeof(out);
    }
    ~Inject()
    {
        if (ov.hEvent != nullptr) {
            CloseHandle(ov.hEvent);
        }
    }
};

// Injects and waits: the CreationStatus, or 0xFFFFFFFF on failure.
uint32_t injectSync(HANDLE dev, uint32_t pid, const std::string &ntImage,
                    const std::string &cmdline = "cmd /c x")
{
    Inject inj;
    if (!inj.start(dev, pid, 4, ntImage, cmdline) || !inj.wait(20000)) {
        return 0xFFFFFFFFu;
    }
    return inj.out.creation_status;
}

// ---------------------------------------------------------------- scenarios

struct Fixture {
    Device ctl;     // the controlling client
    Device starter; // issues injections (no HELLO): the "launcher"
    bool ok = false;
    Fixture()
    {
        pg_hello_reply r{};
        ok = ctl.open() && starter.open() && hello(ctl.h, PG_HELLO_CONTROL, &r) &&
             r.status == PG_OK && r.role == PG_ROLE_CONTROLLER;
    }
};

const std::vector<RuleSpec> kRules = {
    {1, PG_RULE_EXACT, PG_VERDICT_ALLOW, "C:/APPS/GOOD.EXE"},
    {2, PG_RULE_EXACT, PG_VERDICT_BLOCK, "C:/APPS/BAD.EXE"},
    {3, PG_RULE_PREFIX, PG_VERDICT_BLOCK, "C:/BLOCKED/"},
};

void ControllerHandshakeGrantsControl()
{
    Device d;
    CHECK(d.open());
    pg_hello_reply r{};
    CHECK(hello(d.h, PG_HELLO_CONTROL, &r));
    CHECK_EQ(r.status, (uint32_t)PG_OK);
    CHECK_EQ(r.role, (uint16_t)PG_ROLE_CONTROLLER);
    CHECK_EQ(r.platform, (uint32_t)PG_PLATFORM_WINDOWS);
    pg_status_msg s{};
    CHECK(getStatus(d.h, &s));
    CHECK_EQ(s.controller_pid, (uint32_t)GetCurrentProcessId());
}

void AllowByRuleLetsTheStartProceed()
{
    Fixture f;
    CHECK(f.ok);
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_PROMPT, PG_VERDICT_BLOCK, 5000, 60000, kRules), 0u);
    drain(f.ctl.h);
    CHECK_EQ(injectSync(f.starter.h, 5001, "\\??\\C:\\Apps\\good.exe"), 0u);
    Ev v;
    CHECK(waitEvent(
        f.ctl.h, 3000, [](const Ev &e) { return e.e.kind == PG_EV_VERDICT; }, &v));
    CHECK_EQ(v.e.verdict, (uint8_t)PG_VERDICT_ALLOW);
    CHECK_EQ(v.e.source, (uint8_t)PG_SRC_RULE);
    CHECK_EQ(v.e.rule_id, 1u);
    CHECK(v.image == "C:/APPS/GOOD.EXE");
}

void BlockByRuleReportsAccessDenied()
{
    Fixture f;
    CHECK(f.ok);
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_PROMPT, PG_VERDICT_ALLOW, 5000, 60000, kRules), 0u);
    CHECK_EQ(injectSync(f.starter.h, 5002, "\\??\\C:\\Apps\\BAD.exe"), kAccessDenied);
    CHECK_EQ(injectSync(f.starter.h, 5003, "\\??\\c:\\blocked\\deep\\x.exe"), kAccessDenied);
}

void PromptAnsweredAllowAndBlock()
{
    Fixture f;
    CHECK(f.ok);
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_PROMPT, PG_VERDICT_BLOCK, 10000, 60000, kRules), 0u);
    drain(f.ctl.h);
    for (uint8_t answer : {(uint8_t)PG_VERDICT_ALLOW, (uint8_t)PG_VERDICT_BLOCK}) {
        Inject inj;
        CHECK(
            inj.start(f.starter.h, 5010 + answer, 4, "\\??\\C:\\Apps\\other.exe", "other.exe -x"));
        Ev req;
        CHECK(waitEvent(
            f.ctl.h, 5000, [](const Ev &e) { return e.e.kind == PG_EV_REQUEST; }, &req));
        CHECK(req.e.hold_id != 0);
        CHECK(req.image == "C:/APPS/OTHER.EXE");
        CHECK(req.cmdline == "other.exe -x");
        CHECK_EQ(req.e.default_verdict, (uint8_t)PG_VERDICT_BLOCK);
        CHECK(!inj.wait(200)); // still held
        uint32_t unknown = 99;
        CHECK_EQ(sendVerdict(f.ctl.h, req.e.hold_id, answer, &unknown), 0u);
        CHECK_EQ(unknown, 0u);
        CHECK(inj.wait(5000));
        CHECK_EQ(inj.out.creation_status, answer == PG_VERDICT_ALLOW ? 0u : kAccessDenied);
        // A second answer for the same hold is counted as unknown.
        CHECK_EQ(sendVerdict(f.ctl.h, req.e.hold_id, answer, &unknown), 0u);
        CHECK_EQ(unknown, 1u);
    }
}

void AskRuleHoldsTheStartForAPersonInLockdown()
{
    // Before this was fixed, an ASK rule returned "ask" without a hold and
    // the create callback let every non-BLOCK answer through: the start ran.
    Fixture f;
    CHECK(f.ok);
    const std::vector<RuleSpec> rules = {{7, PG_RULE_EXACT, PG_VERDICT_ASK, "C:/APPS/ASKME.EXE"}};
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_LOCKDOWN, PG_VERDICT_ALLOW, 10000, 60000, rules), 0u);
    drain(f.ctl.h);
    Inject inj;
    CHECK(inj.start(f.starter.h, 5030, 4, "\\??\\C:\\Apps\\askme.exe"));
    Ev req;
    CHECK(waitEvent(
        f.ctl.h, 5000, [](const Ev &e) { return e.e.kind == PG_EV_REQUEST; }, &req));
    CHECK(req.e.hold_id != 0);
    CHECK_EQ(req.e.rule_id, 7u);
    CHECK(!inj.wait(200)); // held for the person
    uint32_t unknown = 99;
    CHECK_EQ(sendVerdict(f.ctl.h, req.e.hold_id, PG_VERDICT_BLOCK, &unknown), 0u);
    CHECK(inj.wait(5000));
    CHECK_EQ(inj.out.creation_status, kAccessDenied);
}

void MonitorReportsWhatLockdownWouldBlock()
{
    // Before this was fixed, a start no rule matched was never flagged, so
    // learning found nothing on Windows; a block rule's start was reported
    // as decided by the rule.
    Fixture f;
    CHECK(f.ok);
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_MONITOR, PG_VERDICT_ALLOW, 5000, 60000, kRules), 0u);
    drain(f.ctl.h);
    const struct {
        uint32_t pid;
        const char *image;
        uint8_t source;
        bool wouldBlock;
        uint32_t ruleId;
    } cases[] = {
        {5040, "\\??\\C:\\Apps\\unknown.exe", PG_SRC_MODE, true, 0},
        {5041, "\\??\\C:\\Apps\\BAD.exe", PG_SRC_MODE, true, 2},
        {5042, "\\??\\C:\\Apps\\good.exe", PG_SRC_RULE, false, 1},
    };
    for (const auto &c : cases) {
        CHECK_EQ(injectSync(f.starter.h, c.pid, c.image), 0u); // monitor never blocks
        Ev v;
        const uint32_t pid = c.pid;
        CHECK(waitEvent(
            f.ctl.h, 3000,
            [pid](const Ev &e) { return e.e.kind == PG_EV_VERDICT && e.e.pid == pid; }, &v));
        CHECK_EQ(v.e.verdict, (uint8_t)PG_VERDICT_ALLOW);
        CHECK_EQ(v.e.source, c.source);
        CHECK_EQ((v.e.flags & PG_EVF_WOULD_BLOCK) != 0, c.wouldBlock);
        CHECK_EQ(v.e.rule_id, c.ruleId);
    }
}

void NoAnswerGetsDefaultVerdictAfterTimeout()
{
    Fixture f;
    CHECK(f.ok);
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_PROMPT, PG_VERDICT_BLOCK, 600, 60000, kRules), 0u);
    drain(f.ctl.h);
    Inject inj;
    CHECK(inj.start(f.starter.h, 5020, 4, "\\??\\C:\\Apps\\slow.exe"));
    CHECK(inj.wait(10000));
    CHECK_EQ(inj.out.creation_status, kAccessDenied);
    CHECK(inj.out.elapsed_ms >= 500);
    Ev v;
    CHECK(waitEvent(
        f.ctl.h, 3000, [](const Ev &e) { return e.e.kind == PG_EV_VERDICT; }, &v));
    CHECK_EQ(v.e.source, (uint8_t)PG_SRC_TIMEOUT);
}

void ClosingControllerResolvesEveryHold()
{
    Fixture f;
    CHECK(f.ok);
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_PROMPT, PG_VERDICT_BLOCK, 0, 60000, kRules), 0u);
    drain(f.ctl.h);
    Inject a, b, c;
    CHECK(a.start(f.starter.h, 5031, 4, "\\??\\C:\\Apps\\a.exe"));
    CHECK(b.start(f.starter.h, 5032, 4, "\\??\\C:\\Apps\\b.exe"));
    CHECK(c.start(f.starter.h, 5033, 4, "\\??\\C:\\Apps\\c.exe"));
    int requests = 0;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (requests < 3 && std::chrono::steady_clock::now() < until) {
        for (const auto &e : readEvents(f.ctl.h, 200)) {
            requests += e.e.kind == PG_EV_REQUEST;
        }
    }
    CHECK_EQ(requests, 3);
    pg_status_msg s{};
    CHECK(getStatus(f.starter.h, &s) || true); // the starter never said HELLO
    f.ctl.close();
    CHECK(a.wait(5000));
    CHECK(b.wait(5000));
    CHECK(c.wait(5000));
    CHECK_EQ(a.out.creation_status, kAccessDenied);
    CHECK_EQ(b.out.creation_status, kAccessDenied);
    CHECK_EQ(c.out.creation_status, kAccessDenied);
    // A new controller may connect at once and sees no holds left.
    Device again;
    pg_hello_reply r{};
    CHECK(again.open() && hello(again.h, PG_HELLO_CONTROL, &r));
    CHECK_EQ(r.role, (uint16_t)PG_ROLE_CONTROLLER);
    CHECK(getStatus(again.h, &s));
    CHECK_EQ(s.held_now, 0u);
}

// The resolver role: with no controller connected, a start that only a
// SIGNER rule could decide is held for the resolver, which may answer
// such holds and no other.
void ResolverAnswersHoldsKeptForFactsOnly()
{
    Device ctl, resolver, second, starter;
    CHECK(ctl.open() && resolver.open() && second.open() && starter.open());
    pg_hello_reply r{};
    CHECK(hello(ctl.h, PG_HELLO_CONTROL, &r) && r.status == PG_OK);
    const std::vector<RuleSpec> rules = {
        {1, PG_RULE_SIGNER, PG_VERDICT_ALLOW, "Contoso*"},
        {2, PG_RULE_EXACT, PG_VERDICT_ALLOW, "C:/APPS/GOOD.EXE"},
    };
    CHECK_EQ(setPolicy(ctl.h, PG_MODE_LOCKDOWN, PG_VERDICT_BLOCK, 20000, 60000, rules), 0u);
    ctl.close();
    // Without a resolver (or a controller) the mode decides at once.
    CHECK_EQ(injectSync(starter.h, 5701, "\\??\\C:\\Apps\\tool.exe"), kAccessDenied);

    CHECK(hello(resolver.h, PG_HELLO_RESOLVE, &r));
    CHECK_EQ(r.status, (uint32_t)PG_OK);
    CHECK_EQ(r.role, (uint16_t)PG_ROLE_RESOLVER);
    // One resolver: a second one is refused, or observes if it accepts that.
    CHECK(hello(second.h, PG_HELLO_RESOLVE, &r));
    CHECK_EQ(r.status, (uint32_t)PG_E_BUSY);
    Device third;
    CHECK(third.open() && hello(third.h, PG_HELLO_RESOLVE | PG_HELLO_OBSERVE_OK, &r));
    CHECK_EQ(r.role, (uint16_t)PG_ROLE_OBSERVER);
    // An observer and the resolver may not set the policy.
    CHECK_EQ(setPolicy(resolver.h, PG_MODE_MONITOR, PG_VERDICT_ALLOW, 1000, 250),
             (uint32_t)PG_E_NOT_CONTROLLER);

    // Held for the resolver: the request is marked FACTS; its Allow lets
    // the start proceed.
    Inject signedStart;
    CHECK(signedStart.start(starter.h, 5702, 4, "\\??\\C:\\Apps\\tool.exe"));
    Ev req;
    CHECK(waitEvent(
        resolver.h, 5000, [](const Ev &e) { return e.e.kind == PG_EV_REQUEST; }, &req));
    CHECK((req.e.flags & PG_EVF_FACTS) != 0);
    CHECK(!signedStart.wait(300));
    uint32_t unknown = 99;
    CHECK_EQ(sendVerdict(resolver.h, req.e.hold_id, PG_VERDICT_ALLOW, &unknown), 0u);
    CHECK_EQ(unknown, 0u);
    CHECK(signedStart.wait(5000));
    CHECK_EQ(signedStart.out.creation_status, 0u);
    // A rule that needs no facts decides without the resolver.
    CHECK_EQ(injectSync(starter.h, 5703, "\\??\\C:\\Apps\\good.exe"), 0u);

    // With a controller in prompt mode, a hold for a person is not the
    // resolver's to answer.
    Device ctl2;
    CHECK(ctl2.open() && hello(ctl2.h, PG_HELLO_CONTROL, &r) && r.status == PG_OK);
    CHECK_EQ(setPolicy(ctl2.h, PG_MODE_PROMPT, PG_VERDICT_ALLOW, 20000, 60000,
                       {{2, PG_RULE_EXACT, PG_VERDICT_ALLOW, "C:/APPS/GOOD.EXE"}}),
             0u);
    drain(resolver.h);
    Inject personStart;
    CHECK(personStart.start(starter.h, 5704, 4, "\\??\\C:\\Apps\\other.exe"));
    CHECK(waitEvent(
        resolver.h, 5000, [](const Ev &e) { return e.e.kind == PG_EV_REQUEST; }, &req));
    CHECK((req.e.flags & PG_EVF_FACTS) == 0);
    CHECK_EQ(sendVerdict(resolver.h, req.e.hold_id, PG_VERDICT_BLOCK, &unknown), 0u);
    CHECK_EQ(unknown, 1u);
    CHECK(!personStart.wait(300));
    CHECK_EQ(sendVerdict(ctl2.h, req.e.hold_id, PG_VERDICT_ALLOW, &unknown), 0u);
    CHECK(personStart.wait(5000));
    CHECK_EQ(personStart.out.creation_status, 0u);

    // The resolver goes away with a hold kept for facts and no controller:
    // the hold gets the default verdict at once, not at its deadline.
    CHECK_EQ(setPolicy(ctl2.h, PG_MODE_LOCKDOWN, PG_VERDICT_BLOCK, 20000, 60000, rules), 0u);
    ctl2.close();
    drain(resolver.h);
    Inject orphan;
    CHECK(orphan.start(starter.h, 5705, 4, "\\??\\C:\\Apps\\tool.exe"));
    CHECK(waitEvent(
        resolver.h, 5000, [](const Ev &e) { return e.e.kind == PG_EV_REQUEST; }, &req));
    const auto t0 = std::chrono::steady_clock::now();
    resolver.close();
    CHECK(orphan.wait(5000));
    CHECK_EQ(orphan.out.creation_status, kAccessDenied);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
}

void SecondControllerIsRefused()
{
    Fixture f;
    CHECK(f.ok);
    Device second;
    CHECK(second.open());
    pg_hello_reply r{};
    CHECK(hello(second.h, PG_HELLO_CONTROL, &r));
    CHECK_EQ(r.status, (uint32_t)PG_E_BUSY);
    Device observer;
    CHECK(observer.open());
    CHECK(hello(observer.h, PG_HELLO_CONTROL | PG_HELLO_OBSERVE_OK, &r));
    CHECK_EQ(r.status, (uint32_t)PG_OK);
    CHECK_EQ(r.role, (uint16_t)PG_ROLE_OBSERVER);
    // An observer may not decide or change policy.
    CHECK_EQ(setPolicy(observer.h, PG_MODE_LOCKDOWN, PG_VERDICT_BLOCK, 0, 0),
             (uint32_t)PG_E_NOT_CONTROLLER);
    CHECK_EQ(sendVerdict(observer.h, 1, PG_VERDICT_ALLOW), (uint32_t)PG_E_NOT_CONTROLLER);
}

void SequenceNumbersContinuousAndOverflowCounted()
{
    Fixture f;
    CHECK(f.ok);
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_MONITOR, PG_VERDICT_ALLOW, 1000, 250), 0u);
    drain(f.ctl.h);
    pg_status_msg before{};
    CHECK(getStatus(f.ctl.h, &before));
    // A burst that does not fit the 64 KiB ring: ~2 records of ~700 bytes each per start.
    std::string longCmd(600, 'x');
    const int kBurst = 200;
    for (int i = 0; i < kBurst; i++) {
        CHECK_EQ(injectSync(f.starter.h, 6000 + i, "\\??\\C:\\Apps\\burst.exe", longCmd), 0u);
    }
    uint64_t expected = 0;
    uint64_t overflowLost = 0;
    int overflows = 0;
    int records = 0;
    uint64_t firstSeq = 0;
    bool gap = false;
    auto readAll = [&]() {
        for (;;) {
            auto batch = readEvents(f.ctl.h, 300);
            if (batch.empty()) {
                return;
            }
            for (const auto &e : batch) {
                if (expected != 0 && e.e.seq != expected) {
                    std::printf("    gap: seq %llu, expected %llu\n", (unsigned long long)e.e.seq,
                                (unsigned long long)expected);
                    gap = true;
                }
                records++;
                if (firstSeq == 0) {
                    firstSeq = e.e.seq;
                }
                if (e.e.kind == PG_EV_OVERFLOW) {
                    overflows++;
                    overflowLost += e.e.lost;
                    expected = e.e.seq + e.e.lost;
                } else {
                    expected = e.e.seq + 1;
                }
            }
        }
    };
    readAll();
    // Losses still pending are reported before the next event queued:
    // one more start makes the ring emit its OVERFLOW record.
    CHECK_EQ(injectSync(f.starter.h, 6999, "\\??\\C:\\Apps\\last.exe"), 0u);
    readAll();
    CHECK(!gap);
    CHECK(overflows >= 1);
    CHECK(overflowLost > 0);
    pg_status_msg after{};
    CHECK(getStatus(f.ctl.h, &after));
    CHECK(after.lost_events > before.lost_events);
    CHECK_EQ(after.starts - before.starts, (uint64_t)kBurst + 1);
    std::printf("    %d records read, %d overflow records, %llu events lost, seq %llu..%llu\n",
                records, overflows, (unsigned long long)overflowLost, (unsigned long long)firstSeq,
                (unsigned long long)(expected - 1));
    // Every number the driver handed out in the burst is accounted for:
    // read, or reported lost.
    CHECK_EQ(firstSeq, before.next_seq);
    CHECK_EQ(expected, after.next_seq);
}

void MalformedRequestsGetErrorsAndDriverKeepsServing()
{
    Fixture f;
    CHECK(f.ok);
    DWORD err = 0;
    // Short: less than a header.
    uint8_t shortMsg[8] = {8, 0, 0, 0, 1, 0, 9, 0};
    CHECK_EQ(resultStatus(request(f.ctl.h, shortMsg, sizeof(shortMsg))), (uint32_t)PG_E_SIZE);
    // Header size disagrees with the bytes sent.
    pg_msg_header hdr = header(PG_MSG_GET_STATUS, 64);
    CHECK_EQ(resultStatus(request(f.ctl.h, &hdr, sizeof(hdr))), (uint32_t)PG_E_SIZE);
    // Unknown type and a server-to-client type.
    hdr = header(77, sizeof(hdr));
    CHECK(resultStatus(request(f.ctl.h, &hdr, sizeof(hdr))) == (uint32_t)PG_E_TYPE);
    hdr = header(PG_MSG_EVENTS, sizeof(hdr));
    CHECK(resultStatus(request(f.ctl.h, &hdr, sizeof(hdr))) == (uint32_t)PG_E_TYPE);
    // Bad lengths inside: a verdict batch claiming more entries than sent.
    struct {
        pg_verdicts_msg m;
        pg_verdict v;
    } vm{};
    vm.m.hdr = header(PG_MSG_VERDICTS, sizeof(vm));
    vm.m.count = 5;
    vm.v.hold_id = 1;
    vm.v.verdict = PG_VERDICT_ALLOW;
    uint32_t st = resultStatus(request(f.ctl.h, &vm, sizeof(vm)));
    CHECK(st == (uint32_t)PG_E_LENGTH || st == (uint32_t)PG_E_SIZE);
    // A rule whose pattern runs past the message end.
    auto pol = policyMessage(PG_MODE_PROMPT, PG_VERDICT_ALLOW, 1000, 250, kRules);
    pg_rule rule;
    std::memcpy(&rule, pol.data() + sizeof(pg_policy), sizeof(rule));
    rule.pattern_len = 4000;
    std::memcpy(pol.data() + sizeof(pg_policy), &rule, sizeof(rule));
    st = resultStatus(request(f.ctl.h, pol.data(), pol.size()));
    CHECK(st == (uint32_t)PG_E_LENGTH || st == (uint32_t)PG_E_SIZE || st == (uint32_t)PG_E_STRING);
    // Out-of-range field.
    CHECK_EQ(setPolicy(f.ctl.h, 9, PG_VERDICT_ALLOW, 1000, 250), (uint32_t)PG_E_RANGE);
    // Oversized input: refused without a reply.
    std::vector<uint8_t> huge(PG_MAX_MESSAGE_SIZE + 16, 0);
    pg_msg_header hh = header(PG_MSG_GET_STATUS, static_cast<uint32_t>(huge.size()));
    std::memcpy(huge.data(), &hh, sizeof(hh));
    request(f.ctl.h, huge.data(), huge.size(), &err);
    CHECK_EQ(err, (DWORD)ERROR_INVALID_PARAMETER);
    // Output too small for any reply.
    hdr = header(PG_MSG_GET_STATUS, sizeof(hdr));
    request(f.ctl.h, &hdr, sizeof(hdr), &err, 16);
    CHECK(err != 0);
    // Wrong control code.
    DWORD bytes = 0;
    uint8_t buf[256];
    err = ioctl(f.ctl.h, PG_CTL_CODE(0x8AA, PG_FILE_READ_DATA | PG_FILE_WRITE_DATA), &hdr,
                sizeof(hdr), buf, sizeof(buf), &bytes);
    CHECK_EQ(err, (DWORD)ERROR_INVALID_FUNCTION);
    // Event read with a buffer too small.
    err = ioctl(f.ctl.h, PG_IOCTL_READ_EVENTS, nullptr, 0, buf, sizeof(buf), &bytes);
    CHECK(err != 0);
    // A malformed injection.
    pg_test_inject bad{};
    bad.size = 999;
    err = ioctl(f.starter.h, PG_IOCTL_TEST_INJECT, &bad, sizeof(bad), buf, sizeof(buf), &bytes);
    CHECK_EQ(err, (DWORD)ERROR_INVALID_PARAMETER);
    // Requests before HELLO on a fresh handle are refused with STATE.
    Device fresh;
    CHECK(fresh.open());
    CHECK_EQ(setPolicy(fresh.h, PG_MODE_MONITOR, PG_VERDICT_ALLOW, 1000, 250),
             (uint32_t)PG_E_STATE);
    // Still serving.
    pg_status_msg s{};
    CHECK(getStatus(f.ctl.h, &s));
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_MONITOR, PG_VERDICT_ALLOW, 1000, 250), 0u);
    CHECK_EQ(injectSync(f.starter.h, 7001, "\\??\\C:\\Apps\\after.exe"), 0u);
}

// ---------------------------------------------------------------- real processes

// A real process of this test (this executable sleeping): the injected
// start names its PID, so that the driver's process object is real and a
// termination can be observed from here.
struct Child {
    PROCESS_INFORMATION pi{};
    bool ok = false;
    Child()
    {
        char self[MAX_PATH];
        GetModuleFileNameA(nullptr, self, MAX_PATH);
        std::string cmd = std::string("\"") + self + "\" keepalive 60";
        STARTUPINFOA si{};
        si.cb = sizeof(si);
        ok = CreateProcessA(nullptr, &cmd[0], nullptr, nullptr, FALSE, 0, nullptr, nullptr, &si,
                            &pi) != 0;
    }
    Child(const Child &) = delete;
    Child &operator=(const Child &) = delete;
    ~Child()
    {
        if (ok) {
            TerminateProcess(pi.hProcess, 0);
            CloseHandle(pi.hThread);
            CloseHandle(pi.hProcess);
        }
    }
    uint32_t pid() const { return pi.dwProcessId; }
    bool running() const { return WaitForSingleObject(pi.hProcess, 0) == WAIT_TIMEOUT; }
    // The exit code once it ended within waitMs; STILL_ACTIVE otherwise.
    DWORD exitCode(DWORD waitMs) const
    {
        DWORD code = STILL_ACTIVE;
        if (WaitForSingleObject(pi.hProcess, waitMs) == WAIT_OBJECT_0) {
            GetExitCodeProcess(pi.hProcess, &code);
        }
        return code;
    }
};

// Sets a prompt-mode policy with a 300 ms hold budget (the default
// verdict, deadline and rules given), then holds a start of the child
// past the budget: the launcher is released with no answer (the start
// proceeds), then the child's "initial thread" reaches its first image
// load in its own context and is held there. Fills the hold id and leaves
// img pending.
void holdPastBudget(Fixture &f, uint32_t defaultVerdict, uint32_t timeoutMs,
                    const std::vector<RuleSpec> &rules, const Child &child, Inject &launcher,
                    Inject &img, uint64_t *holdId)
{
    *holdId = 0;
    CHECK(child.ok);
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_PROMPT, defaultVerdict, timeoutMs, 300, rules), 0u);
    drain(f.ctl.h);
    CHECK(launcher.start(f.starter.h, child.pid(), 4, "\\??\\C:\\Apps\\late.exe"));
    Ev req;
    CHECK(waitEvent(
        f.ctl.h, 5000, [](const Ev &e) { return e.e.kind == PG_EV_REQUEST; }, &req));
    // The process object is real: its user is read through it.
    CHECK(req.sid.rfind("S-1-5-", 0) == 0);
    CHECK(launcher.wait(5000)); // released by the budget, not by a verdict
    CHECK_EQ(launcher.out.creation_status, 0u);
    CHECK(launcher.out.elapsed_ms >= 250);
    CHECK(launcher.out.elapsed_ms < 3000);
    CHECK(child.running());
    CHECK(img.start(f.starter.h, child.pid(), 4, "\\??\\C:\\windows\\system32\\kernel32.dll", "",
                    PG_TEST_INJECT_IMAGE));
    CHECK(!img.wait(700)); // held in its own context
    pg_status_msg s{};
    CHECK(getStatus(f.ctl.h, &s));
    CHECK_EQ(s.held_now, 1u); // the hold outlived the launcher's wait
    CHECK_EQ(s.frozen_now, 1u);
    *holdId = req.e.hold_id;
}

void BlockPastBudgetTerminatesTheHeldProcess()
{
    Fixture f;
    CHECK(f.ok);
    Child child;
    Inject launcher, img;
    uint64_t holdId = 0;
    holdPastBudget(f, PG_VERDICT_ALLOW, 20000, kRules, child, launcher, img, &holdId);
    CHECK(holdId != 0);
    CHECK(child.running());
    CHECK_EQ(sendVerdict(f.ctl.h, holdId, PG_VERDICT_BLOCK), 0u);
    Ev v;
    CHECK(waitEvent(
        f.ctl.h, 5000, [](const Ev &e) { return e.e.kind == PG_EV_VERDICT; }, &v));
    CHECK_EQ(v.e.verdict, (uint8_t)PG_VERDICT_BLOCK);
    CHECK_EQ(v.e.hold_id, holdId);
    CHECK((v.e.flags & PG_EVF_FROZEN) != 0);
    CHECK((v.e.flags & PG_EVF_KILLED) != 0);
    // The held thread is let go only once the driver terminated the
    // process, with its distinctive status.
    CHECK(img.wait(5000));
    CHECK_EQ(child.exitCode(5000), (DWORD)PG_STATUS_BLOCKED_AFTER_RELEASE);
}

void AllowPastBudgetReleasesTheHeldProcess()
{
    Fixture f;
    CHECK(f.ok);
    Child child;
    Inject launcher, img;
    uint64_t holdId = 0;
    holdPastBudget(f, PG_VERDICT_BLOCK, 20000, kRules, child, launcher, img, &holdId);
    CHECK(holdId != 0);
    CHECK_EQ(sendVerdict(f.ctl.h, holdId, PG_VERDICT_ALLOW), 0u);
    CHECK(img.wait(5000)); // the initial thread goes on
    Ev v;
    CHECK(waitEvent(
        f.ctl.h, 5000, [](const Ev &e) { return e.e.kind == PG_EV_VERDICT; }, &v));
    CHECK_EQ(v.e.verdict, (uint8_t)PG_VERDICT_ALLOW);
    CHECK((v.e.flags & PG_EVF_FROZEN) != 0);
    CHECK((v.e.flags & PG_EVF_KILLED) == 0);
    CHECK_EQ(child.exitCode(1000), (DWORD)STILL_ACTIVE);
    // A later image load of the allowed process is not held.
    Inject again;
    CHECK(again.start(f.starter.h, child.pid(), 4, "\\??\\C:\\windows\\system32\\user32.dll", "",
                      PG_TEST_INJECT_IMAGE));
    CHECK(again.wait(3000));
}

void NoAnswerPastBudgetEndsAtTheDeadline()
{
    Fixture f;
    CHECK(f.ok);
    // Default Block at a 2 s deadline: the timer thread's expiry kills it.
    Child child;
    Inject launcher, img;
    uint64_t holdId = 0;
    holdPastBudget(f, PG_VERDICT_BLOCK, 2000, kRules, child, launcher, img, &holdId);
    CHECK(holdId != 0);
    Ev v;
    CHECK(waitEvent(
        f.ctl.h, 8000, [](const Ev &e) { return e.e.kind == PG_EV_VERDICT; }, &v));
    CHECK_EQ(v.e.source, (uint8_t)PG_SRC_TIMEOUT);
    CHECK_EQ(v.e.verdict, (uint8_t)PG_VERDICT_BLOCK);
    CHECK((v.e.flags & PG_EVF_KILLED) != 0);
    CHECK_EQ(child.exitCode(5000), (DWORD)PG_STATUS_BLOCKED_AFTER_RELEASE);
    CHECK(img.wait(5000));
}

void ExitEventCarriesTheExitStatus()
{
    Fixture f;
    CHECK(f.ok);
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_MONITOR, PG_VERDICT_ALLOW, 1000, 250), 0u);
    Child child;
    CHECK(child.ok);
    CHECK(TerminateProcess(child.pi.hProcess, 0x2A));
    CHECK_EQ(child.exitCode(5000), (DWORD)0x2A);
    drain(f.ctl.h);
    // The exit callback of the (ended, still referenced) child.
    Inject exitInj;
    CHECK(exitInj.start(f.starter.h, child.pid(), 4, "", "", PG_TEST_INJECT_EXIT));
    CHECK(exitInj.wait(5000));
    const uint32_t pid = child.pid();
    Ev e;
    CHECK(waitEvent(
        f.ctl.h, 3000, [pid](const Ev &x) { return x.e.kind == PG_EV_EXIT && x.e.pid == pid; },
        &e));
    CHECK_EQ(e.e.status, 0x2Au);
}

void CommandLineRuleDecidesAtCreation()
{
    Fixture f;
    CHECK(f.ok);
    const std::vector<RuleSpec> rules = {
        {1, PG_RULE_CMDLINE, PG_VERDICT_BLOCK, "* --evil*"},
        {2, PG_RULE_EXACT, PG_VERDICT_ALLOW, "C:/APPS/TOOL.EXE"},
    };
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_PROMPT, PG_VERDICT_ALLOW, 5000, 60000, rules), 0u);
    drain(f.ctl.h);
    CHECK_EQ(injectSync(f.starter.h, 5101, "\\??\\C:\\Apps\\tool.exe", "tool.exe --evil-mode"),
             kAccessDenied);
    Ev v;
    CHECK(waitEvent(
        f.ctl.h, 3000, [](const Ev &e) { return e.e.kind == PG_EV_VERDICT; }, &v));
    CHECK_EQ(v.e.source, (uint8_t)PG_SRC_RULE);
    CHECK_EQ(v.e.rule_id, 1u);
    // Another command line of the same program: the path rule decides.
    CHECK_EQ(injectSync(f.starter.h, 5102, "\\??\\C:\\Apps\\tool.exe", "tool.exe --fine"), 0u);
    CHECK(waitEvent(
        f.ctl.h, 3000, [](const Ev &e) { return e.e.kind == PG_EV_VERDICT; }, &v));
    CHECK_EQ(v.e.rule_id, 2u);
    // No command line given (CommandLine NULL): a command-line rule
    // cannot match, the path rule decides.
    Inject nullCmd;
    CHECK(nullCmd.start(f.starter.h, 5103, 4, "\\??\\C:\\Apps\\tool.exe", "", 0, true));
    CHECK(nullCmd.wait(5000));
    CHECK_EQ(nullCmd.out.creation_status, 0u);
    CHECK(waitEvent(
        f.ctl.h, 3000, [](const Ev &e) { return e.e.kind == PG_EV_VERDICT; }, &v));
    CHECK_EQ(v.e.rule_id, 2u);
}

// ---------------------------------------------------------------- time conditions

// A block rule for an exact path with one local time window [start, end)
// in seconds after midnight (wrapped into the day), or an expiry.
RuleSpec windowRule(uint32_t id, const std::string &path, int64_t start, int64_t end)
{
    RuleSpec r{id, PG_RULE_EXACT, PG_VERDICT_BLOCK, path};
    r.timed = true;
    r.time.window_count = 1;
    r.time.win_start[0] = static_cast<uint32_t>((start % 86400 + 86400) % 86400);
    r.time.win_end[0] = static_cast<uint32_t>((end % 86400 + 86400) % 86400);
    return r;
}

int64_t utcNowSeconds()
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    const int64_t ticks = (static_cast<int64_t>(ft.dwHighDateTime) << 32) | ft.dwLowDateTime;
    return (ticks - 116444736000000000ll) / 10000000ll;
}

void TimedRulesFollowTheClock()
{
    Fixture f;
    CHECK(f.ok);
    SYSTEMTIME lt;
    GetLocalTime(&lt);
    const int64_t sod = lt.wHour * 3600 + lt.wMinute * 60 + lt.wSecond;
    RuleSpec brief{4, PG_RULE_EXACT, PG_VERDICT_BLOCK, "C:/APPS/BRIEF.EXE"};
    brief.timed = true;
    brief.time.expiry = PG_EXPIRY_AT;
    brief.time.expires_at = utcNowSeconds() + 4;
    const std::vector<RuleSpec> rules = {
        windowRule(1, "C:/APPS/NOW.EXE", sod - 600, sod + 600),     // open now
        windowRule(2, "C:/APPS/LATER.EXE", sod + 3600, sod + 7200), // closed now
        windowRule(3, "C:/APPS/SOON.EXE", sod + 5, sod + 1200),     // opens in 5 s
        brief,                                                      // ends in 4 s
        {9, PG_RULE_GLOB, PG_VERDICT_ALLOW, "C:/APPS/**"},
    };
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_PROMPT, PG_VERDICT_ALLOW, 5000, 60000, rules), 0u);
    CHECK_EQ(injectSync(f.starter.h, 5201, "\\??\\C:\\Apps\\now.exe"), kAccessDenied);
    CHECK_EQ(injectSync(f.starter.h, 5202, "\\??\\C:\\Apps\\later.exe"), 0u);
    CHECK_EQ(injectSync(f.starter.h, 5203, "\\??\\C:\\Apps\\soon.exe"), 0u);
    CHECK_EQ(injectSync(f.starter.h, 5204, "\\??\\C:\\Apps\\brief.exe"), kAccessDenied);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
    // Past the window's opening and the expiry (the timer thread compiles
    // the rules again at the next change, at most a second late).
    std::this_thread::sleep_until(t0 + std::chrono::milliseconds(7500));
    CHECK_EQ(injectSync(f.starter.h, 5205, "\\??\\C:\\Apps\\soon.exe"), kAccessDenied);
    CHECK_EQ(injectSync(f.starter.h, 5206, "\\??\\C:\\Apps\\brief.exe"), 0u);
    CHECK_EQ(injectSync(f.starter.h, 5207, "\\??\\C:\\Apps\\now.exe"), kAccessDenied);
    CHECK_EQ(injectSync(f.starter.h, 5208, "\\??\\C:\\Apps\\later.exe"), 0u);
    CHECK_EQ(injectSync(f.starter.h, 5209, "\\??\\C:\\Apps\\now.exe"), kAccessDenied);
}

// A budget rule for an exact path: budgetS seconds a day, graceS after the warning.
RuleSpec budgetRule(uint32_t id, const std::string &path, uint32_t budgetS, uint32_t graceS)
{
    RuleSpec r{id, PG_RULE_EXACT, PG_VERDICT_ALLOW, path};
    r.timed = true;
    r.time.budget_s = budgetS;
    r.time.grace_s = graceS;
    return r;
}

bool isBudgetVerdict(const Ev &e, uint32_t pid, uint16_t flags)
{
    return e.e.kind == PG_EV_VERDICT && e.e.pid == pid && (e.e.flags & PG_EVF_BUDGET) != 0 &&
           (e.e.flags & PG_EVF_KILLED) == (flags & PG_EVF_KILLED);
}

void BudgetUsedUpWarnsBlocksAndEnds()
{
    Fixture f;
    CHECK(f.ok);
    const std::vector<RuleSpec> rules = {
        budgetRule(1, "C:/APPS/GAME.EXE", 2, 2),
        {9, PG_RULE_GLOB, PG_VERDICT_ALLOW, "C:/APPS/**"},
    };
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_LOCKDOWN, PG_VERDICT_BLOCK, 5000, 60000, rules), 0u);
    drain(f.ctl.h);
    Child child;
    CHECK(child.ok);
    const uint32_t pid = child.pid();
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_EQ(injectSync(f.starter.h, pid, "\\??\\C:\\Apps\\game.exe"), 0u);
    // Within the budget another start of the game is allowed by its rule.
    CHECK_EQ(injectSync(f.starter.h, 5301, "\\??\\C:\\Apps\\game.exe"), 0u);
    Inject end5301;
    CHECK(end5301.start(f.starter.h, 5301, 4, "", "", PG_TEST_INJECT_EXIT));
    CHECK(end5301.wait(5000));
    // Two seconds of running time: the running game is warned.
    Ev warn;
    CHECK(waitEvent(
        f.ctl.h, 6000, [pid](const Ev &e) { return isBudgetVerdict(e, pid, 0); }, &warn));
    const auto warnedAfter = std::chrono::steady_clock::now() - t0;
    CHECK(warnedAfter >= std::chrono::milliseconds(1900));
    CHECK_EQ(warn.e.rule_id, 1u);
    CHECK_EQ(warn.e.verdict, (uint8_t)PG_VERDICT_BLOCK);
    CHECK_EQ(warn.e.timeout_ms, 2000u);
    CHECK(child.running());
    // New starts of the game are blocked by its rule; other programs run.
    CHECK_EQ(injectSync(f.starter.h, 5302, "\\??\\C:\\Apps\\game.exe"), kAccessDenied);
    Ev v;
    CHECK(waitEvent(
        f.ctl.h, 3000, [](const Ev &e) { return e.e.kind == PG_EV_VERDICT && e.e.pid == 5302; },
        &v));
    CHECK_EQ(v.e.rule_id, 1u);
    CHECK_EQ(injectSync(f.starter.h, 5303, "\\??\\C:\\Apps\\editor.exe"), 0u);
    // After the grace time the driver ends the game, with its own status.
    Ev ended;
    CHECK(waitEvent(
        f.ctl.h, 6000, [pid](const Ev &e) { return isBudgetVerdict(e, pid, PG_EVF_KILLED); },
        &ended));
    CHECK_EQ(ended.e.rule_id, 1u);
    CHECK_EQ(child.exitCode(5000), (DWORD)PG_STATUS_BUDGET_USED);
}

void BudgetInMonitorModeOnlyWarns()
{
    Fixture f;
    CHECK(f.ok);
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_MONITOR, PG_VERDICT_ALLOW, 5000, 60000,
                       {budgetRule(1, "C:/APPS/GAME.EXE", 1, 1)}),
             0u);
    drain(f.ctl.h);
    Child child;
    CHECK(child.ok);
    const uint32_t pid = child.pid();
    CHECK_EQ(injectSync(f.starter.h, pid, "\\??\\C:\\Apps\\game.exe"), 0u);
    Ev warn;
    CHECK(waitEvent(
        f.ctl.h, 5000, [pid](const Ev &e) { return isBudgetVerdict(e, pid, 0); }, &warn));
    CHECK((warn.e.flags & PG_EVF_WOULD_BLOCK) != 0);
    // Past the grace time it still runs, and a new start is let through
    // with "would have been blocked".
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    CHECK(child.running());
    CHECK_EQ(injectSync(f.starter.h, 5311, "\\??\\C:\\Apps\\game.exe"), 0u);
    Ev v;
    CHECK(waitEvent(
        f.ctl.h, 3000, [](const Ev &e) { return e.e.kind == PG_EV_VERDICT && e.e.pid == 5311; },
        &v));
    CHECK((v.e.flags & PG_EVF_WOULD_BLOCK) != 0);
    CHECK_EQ(v.e.rule_id, 1u);
}

// The rule records of a POLICY reply, by id: present, and its time block.
bool policyRule(const std::vector<uint8_t> &reply, uint32_t id, pg_rule_time *time)
{
    pg_policy pol;
    if (reply.size() < sizeof(pol)) {
        return false;
    }
    std::memcpy(&pol, reply.data(), sizeof(pol));
    size_t off = sizeof(pol);
    for (uint32_t i = 0; i < pol.rule_count && off + sizeof(pg_rule) <= reply.size(); i++) {
        pg_rule r;
        std::memcpy(&r, reply.data() + off, sizeof(r));
        if (r.id == id) {
            if (time != nullptr && (r.flags & PG_RULEF_TIME) != 0) {
                std::memcpy(time, reply.data() + off + r.size - sizeof(pg_rule_time),
                            sizeof(*time));
            }
            return true;
        }
        off += r.size;
    }
    return false;
}

std::vector<uint8_t> getPolicy(HANDLE h)
{
    pg_msg_header get = header(PG_MSG_GET_POLICY, sizeof(pg_msg_header));
    return request(h, &get, sizeof(get));
}

void OnceRuleIsUsedByItsFirstStart()
{
    Fixture f;
    CHECK(f.ok);
    RuleSpec once{5, PG_RULE_EXACT, PG_VERDICT_ALLOW, "C:/APPS/SETUP.EXE"};
    once.timed = true;
    once.time.expiry = PG_EXPIRY_ONCE;
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_LOCKDOWN, PG_VERDICT_BLOCK, 5000, 60000,
                       {once, {2, PG_RULE_EXACT, PG_VERDICT_ALLOW, "C:/APPS/GOOD.EXE"}}),
             0u);
    drain(f.ctl.h);
    CHECK_EQ(injectSync(f.starter.h, 5401, "\\??\\C:\\Apps\\setup.exe"), 0u);
    Ev v;
    CHECK(waitEvent(
        f.ctl.h, 3000, [](const Ev &e) { return e.e.kind == PG_EV_VERDICT && e.e.pid == 5401; },
        &v));
    CHECK_EQ(v.e.rule_id, 5u);
    // Used: the policy in force (and stored) no longer has it, and clients
    // are told the policy changed.
    CHECK(waitEvent(
        f.ctl.h, 3000, [](const Ev &e) { return e.e.kind == PG_EV_POLICY; }, &v));
    auto reply = getPolicy(f.ctl.h);
    CHECK(!policyRule(reply, 5, nullptr));
    CHECK(policyRule(reply, 2, nullptr));
    CHECK_EQ(injectSync(f.starter.h, 5402, "\\??\\C:\\Apps\\setup.exe"), kAccessDenied);
    CHECK_EQ(injectSync(f.starter.h, 5403, "\\??\\C:\\Apps\\good.exe"), 0u);
}

const wchar_t kBootKey[] = L"SYSTEM\\CurrentControlSet\\Services\\procguard\\Parameters\\Boot";

void RebootRulesLastForThisBoot()
{
    Fixture f;
    CHECK(f.ok);
    RuleSpec tonight{6, PG_RULE_EXACT, PG_VERDICT_BLOCK, "C:/APPS/TONIGHT.EXE"};
    tonight.timed = true;
    tonight.time.expiry = PG_EXPIRY_REBOOT; // boot id 0: stamped by the driver
    RuleSpec earlier{7, PG_RULE_EXACT, PG_VERDICT_BLOCK, "C:/APPS/EARLIER.EXE"};
    earlier.timed = true;
    earlier.time.expiry = PG_EXPIRY_REBOOT;
    std::memset(earlier.time.boot_id, 0x11, sizeof(earlier.time.boot_id)); // another boot
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_PROMPT, PG_VERDICT_ALLOW, 5000, 60000,
                       {tonight, earlier, {9, PG_RULE_GLOB, PG_VERDICT_ALLOW, "C:/APPS/**"}}),
             0u);
    CHECK_EQ(injectSync(f.starter.h, 5501, "\\??\\C:\\Apps\\tonight.exe"), kAccessDenied);
    CHECK_EQ(injectSync(f.starter.h, 5502, "\\??\\C:\\Apps\\earlier.exe"), 0u);
    // The stored rule carries this boot's id; the other boot's rule stays,
    // ignored.
    auto reply = getPolicy(f.ctl.h);
    pg_rule_time t{}, other{};
    CHECK(policyRule(reply, 6, &t));
    CHECK(policyRule(reply, 7, &other));
    const uint8_t zero[PG_BOOT_ID_BYTES] = {};
    CHECK(std::memcmp(t.boot_id, zero, sizeof(zero)) != 0);
    CHECK(std::memcmp(t.boot_id, other.boot_id, sizeof(zero)) != 0);
    // The id lives in a volatile key, which Windows does not keep past a
    // restart: a non-volatile key cannot be made under it.
    HKEY boot = nullptr;
    CHECK_EQ(RegOpenKeyExW(HKEY_LOCAL_MACHINE, kBootKey, 0, KEY_ALL_ACCESS, &boot),
             (LONG)ERROR_SUCCESS);
    uint8_t id[PG_BOOT_ID_BYTES] = {};
    DWORD type = 0, size = sizeof(id);
    CHECK_EQ(RegQueryValueExW(boot, L"Id", nullptr, &type, id, &size), (LONG)ERROR_SUCCESS);
    CHECK_EQ(type, (DWORD)REG_BINARY);
    CHECK(std::memcmp(id, t.boot_id, sizeof(id)) == 0);
    HKEY child = nullptr;
    CHECK_EQ(RegCreateKeyExW(boot, L"probe", 0, nullptr, REG_OPTION_NON_VOLATILE, KEY_ALL_ACCESS,
                             nullptr, &child, nullptr),
             (LONG)ERROR_CHILD_MUST_BE_VOLATILE);
    if (child != nullptr) {
        RegCloseKey(child);
        RegDeleteKeyW(boot, L"probe");
    }
    RegCloseKey(boot);
}

// SHA-256 through the system's own provider (an oracle independent of
// the driver's implementation), as lower-case hex.
std::string sha256Hex(const std::string &data)
{
    BCRYPT_ALG_HANDLE alg = nullptr;
    uint8_t digest[32] = {};
    if (BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, nullptr, 0) != 0) {
        return std::string();
    }
    const NTSTATUS st = BCryptHash(alg, nullptr, 0, (PUCHAR)data.data(), (ULONG)data.size(), digest,
                                   sizeof(digest));
    BCryptCloseAlgorithmProvider(alg, 0);
    if (st != 0) {
        return std::string();
    }
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    for (uint8_t b : digest) {
        hex += digits[b >> 4];
        hex += digits[b & 15];
    }
    return hex;
}

bool writeFile(const std::string &path, const std::string &data)
{
    HANDLE f = CreateFileA(path.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
    if (f == INVALID_HANDLE_VALUE) {
        return false;
    }
    DWORD written = 0;
    const bool ok =
        WriteFile(f, data.data(), (DWORD)data.size(), &written, nullptr) && written == data.size();
    CloseHandle(f);
    return ok;
}

void HashRulesFollowTheContentWithNoClient()
{
    const std::string dir = "C:\\pghash";
    CreateDirectoryA(dir.c_str(), nullptr);
    // Over three 64 KiB pieces, so the driver's reads are chunked.
    std::string content(200 * 1024 + 17, '\0');
    for (size_t i = 0; i < content.size(); i++) {
        content[i] = static_cast<char>((i * 131 + i / 977) & 0xFF);
    }
    const std::string first = dir + "\\tool one.exe";
    CHECK(writeFile(first, content));
    const std::string hex = sha256Hex(content);
    CHECK_EQ(hex.size(), (size_t)64);
    const auto nt = [](const std::string &p) { return "\\??\\" + p; };
    Fixture f;
    CHECK(f.ok);
    const std::vector<RuleSpec> rules = {
        {1, PG_RULE_SHA256, PG_VERDICT_BLOCK, hex},
        {9, PG_RULE_PREFIX, PG_VERDICT_ALLOW, "C:/PGHASH/"},
    };
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_PROMPT, PG_VERDICT_ALLOW, 5000, 60000, rules), 0u);
    drain(f.ctl.h);
    const auto ruleOf = [&f](uint32_t pid) {
        Ev v;
        return waitEvent(
                   f.ctl.h, 3000,
                   [pid](const Ev &e) { return e.e.kind == PG_EV_VERDICT && e.e.pid == pid; }, &v)
                   ? v.e.rule_id
                   : 0xFFFFFFFFu;
    };
    CHECK_EQ(injectSync(f.starter.h, 5601, nt(first)), kAccessDenied);
    CHECK_EQ(ruleOf(5601), 1u);
    // Renamed, and copied: the same content, the same rule.
    const std::string renamed = dir + "\\renamed.exe";
    DeleteFileA(renamed.c_str());
    CHECK(MoveFileA(first.c_str(), renamed.c_str()));
    CHECK_EQ(injectSync(f.starter.h, 5602, nt(renamed)), kAccessDenied);
    CHECK_EQ(ruleOf(5602), 1u);
    const std::string copy = dir + "\\copy.exe";
    CHECK(CopyFileA(renamed.c_str(), copy.c_str(), FALSE));
    CHECK_EQ(injectSync(f.starter.h, 5603, nt(copy)), kAccessDenied);
    CHECK_EQ(ruleOf(5603), 1u);
    // Modified (one byte more): hashed again, no longer the rule's.
    CHECK(writeFile(renamed, content + "x"));
    CHECK_EQ(injectSync(f.starter.h, 5604, nt(renamed)), 0u);
    CHECK_EQ(ruleOf(5604), 9u);
    // A file that cannot be read has no digest: the other rules decide.
    CHECK_EQ(injectSync(f.starter.h, 5605, nt(dir + "\\missing.exe")), 0u);
    CHECK_EQ(ruleOf(5605), 9u);

    // Lockdown with no client connected: an allow by digest still holds,
    // everything else is blocked.
    CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_LOCKDOWN, PG_VERDICT_BLOCK, 5000, 60000,
                       {{2, PG_RULE_SHA256, PG_VERDICT_ALLOW, hex}}),
             0u);
    f.ctl.close();
    CHECK_EQ(injectSync(f.starter.h, 5606, nt(copy)), 0u);
    CHECK_EQ(injectSync(f.starter.h, 5607, nt(renamed)), kAccessDenied);
    DeleteFileA(copy.c_str());
    DeleteFileA(renamed.c_str());
    RemoveDirectoryA(dir.c_str());
}

pg::ScmLifecycle lifecycle()
{
    pg::LifecycleOptions o;
    return pg::ScmLifecycle(o);
}

// Wine's service manager sometimes reports a just-stopped driver service
// as still busy; a restart is retried a few times (never needed on
// Windows, harmless there).
pg::LifecycleError restart(pg::ScmLifecycle &lc)
{
    pg::LifecycleError e;
    for (int attempt = 0; attempt < 5; attempt++) {
        if (lc.state() == pg::ComponentState::Running) {
            return {};
        }
        e = lc.start();
        if (!e) {
            return e;
        }
        std::printf("    start attempt %d: %s\n", attempt + 1, e.message.c_str());
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return e;
}

// Today's use of a budget is stored: a driver restart (or a reboot) does
// not refill it.
void BudgetUseSurvivesADriverRestart()
{
    const std::vector<RuleSpec> rules = {
        budgetRule(1, "C:/APPS/GAME.EXE", 4, 30),
        {9, PG_RULE_GLOB, PG_VERDICT_ALLOW, "C:/APPS/**"},
    };
    {
        Fixture f;
        CHECK(f.ok);
        CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_LOCKDOWN, PG_VERDICT_BLOCK, 5000, 60000, rules), 0u);
        Child child;
        CHECK(child.ok);
        CHECK_EQ(injectSync(f.starter.h, child.pid(), "\\??\\C:\\Apps\\game.exe"), 0u);
        // 2.5 of the 4 seconds used, then the driver stops (and stores it).
        std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    }
    auto lc = lifecycle();
    CHECK(!lc.stop());
    CHECK(!restart(lc));
    Fixture f;
    CHECK(f.ok);
    drain(f.ctl.h);
    Child child;
    CHECK(child.ok);
    const uint32_t pid = child.pid();
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_EQ(injectSync(f.starter.h, pid, "\\??\\C:\\Apps\\game.exe"), 0u);
    // At most 1.5 s were left (the timer looks every second); a refilled
    // budget would warn after 4 s.
    Ev warn;
    CHECK(waitEvent(
        f.ctl.h, 8000, [pid](const Ev &e) { return isBudgetVerdict(e, pid, 0); }, &warn));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(3500));
}

void PolicyPersistsAcrossStopAndStart()
{
    {
        Fixture f;
        CHECK(f.ok);
        // With an allow for this boot only: it outlives a driver restart.
        std::vector<RuleSpec> rules = kRules;
        RuleSpec tonight{4, PG_RULE_EXACT, PG_VERDICT_ALLOW, "C:/APPS/TONIGHT.EXE"};
        tonight.timed = true;
        tonight.time.expiry = PG_EXPIRY_REBOOT;
        rules.push_back(tonight);
        CHECK_EQ(setPolicy(f.ctl.h, PG_MODE_LOCKDOWN, PG_VERDICT_BLOCK, 4321, 123, rules), 0u);
    }
    auto lc = lifecycle();
    pg::LifecycleError e = lc.stop();
    CHECK(!e);
    CHECK(lc.state() == pg::ComponentState::Stopped);
    e = restart(lc);
    CHECK(!e);
    Device d, starter;
    CHECK(d.open() && starter.open());
    pg_hello_reply r{};
    CHECK(hello(d.h, PG_HELLO_CONTROL | PG_HELLO_OBSERVE_OK, &r));
    pg_msg_header get = header(PG_MSG_GET_POLICY, sizeof(pg_msg_header));
    auto reply = request(d.h, &get, sizeof(get));
    CHECK(reply.size() >= sizeof(pg_policy));
    pg_policy pol;
    std::memcpy(&pol, reply.data(), sizeof(pol));
    CHECK_EQ(pol.hdr.type, (uint16_t)PG_MSG_POLICY);
    CHECK_EQ(pol.mode, (uint32_t)PG_MODE_LOCKDOWN);
    CHECK_EQ(pol.timeout_ms, 4321u);
    CHECK_EQ(pol.hold_budget_ms, 123u);
    CHECK_EQ(pol.rule_count, 4u);
    d.close();
    // Lockdown from load, with no client connected: rules, then block.
    CHECK_EQ(injectSync(starter.h, 7101, "\\??\\C:\\Apps\\good.exe"), 0u);
    CHECK_EQ(injectSync(starter.h, 7103, "\\??\\C:\\Apps\\tonight.exe"), 0u); // same boot
    CHECK_EQ(injectSync(starter.h, 7102, "\\??\\C:\\Apps\\unknown.exe"), kAccessDenied);
}

void StopWithHoldsReleasesThemAndUnloads()
{
    Device ctl, starter;
    CHECK(ctl.open() && starter.open());
    pg_hello_reply r{};
    CHECK(hello(ctl.h, PG_HELLO_CONTROL, &r));
    CHECK_EQ(r.role, (uint16_t)PG_ROLE_CONTROLLER);
    // No timeout at all: only the stop can end these holds.
    CHECK_EQ(setPolicy(ctl.h, PG_MODE_PROMPT, PG_VERDICT_ALLOW, 0, 60000), 0u);
    drain(ctl.h);
    Inject a, b;
    CHECK(a.start(starter.h, 8001, 4, "\\??\\C:\\Apps\\held1.exe"));
    CHECK(b.start(starter.h, 8002, 4, "\\??\\C:\\Apps\\held2.exe"));
    int requests = 0;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (requests < 2 && std::chrono::steady_clock::now() < until) {
        for (const auto &e : readEvents(ctl.h, 200)) {
            requests += e.e.kind == PG_EV_REQUEST;
        }
    }
    CHECK_EQ(requests, 2);
    // Restore the default policy for later runs before stopping.
    auto lc = lifecycle();
    pg::LifecycleError e = lc.stop();
    if (e) {
        std::printf("    stop: %s\n", e.message.c_str());
    }
    CHECK(a.wait(10000));
    CHECK(b.wait(10000));
    CHECK_EQ(a.out.creation_status, 0u);
    CHECK_EQ(b.out.creation_status, 0u);
    CHECK(!e);
    CHECK(lc.state() == pg::ComponentState::Stopped);
}

void StopWithAFrozenProcessEndsItAndUnloads()
{
    auto lc = lifecycle();
    {
        Fixture f;
        CHECK(f.ok);
        // No timeout: only the stop ends this hold, with the default Block.
        Child child;
        Inject launcher, img;
        uint64_t holdId = 0;
        holdPastBudget(f, PG_VERDICT_BLOCK, 0, {}, child, launcher, img, &holdId);
        CHECK(holdId != 0);
        pg::LifecycleError e = lc.stop();
        if (e) {
            std::printf("    stop: %s\n", e.message.c_str());
        }
        CHECK(img.wait(10000));
        CHECK_EQ(child.exitCode(5000), (DWORD)PG_STATUS_BLOCKED_AFTER_RELEASE);
        CHECK(!e);
        CHECK(lc.state() == pg::ComponentState::Stopped);
    }
    CHECK(!restart(lc));
}

void ReleaseBuildRejectsTheTestRequest()
{
    Device d;
    CHECK(d.open());
    pg_hello_reply r{};
    CHECK(hello(d.h, PG_HELLO_CONTROL, &r));
    CHECK_EQ(r.status, (uint32_t)PG_OK);
    pg_test_inject req{};
    req.size = sizeof(req);
    req.pid = 9001;
    pg_test_inject_result out{};
    DWORD bytes = 0;
    DWORD err = ioctl(d.h, PG_IOCTL_TEST_INJECT, &req, sizeof(req), &out, sizeof(out), &bytes);
    CHECK_EQ(err, (DWORD)ERROR_INVALID_FUNCTION);
    pg_status_msg s{};
    CHECK(getStatus(d.h, &s));
}

struct Scenario {
    const char *name;
    void (*fn)();
};

int run(const std::vector<Scenario> &list)
{
    int passed = 0, failed = 0;
    // PGWINTEST_ONLY=Name1,Name2 runs only those (when debugging one).
    const char *only = std::getenv("PGWINTEST_ONLY");
    for (const auto &s : list) {
        if (only != nullptr && *only != '\0' &&
            ("," + std::string(only) + ",").find("," + std::string(s.name) + ",") ==
                std::string::npos) {
            continue;
        }
        int before = g_failures;
        auto t0 = std::chrono::steady_clock::now();
        s.fn();
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - t0)
                      .count();
        bool ok = g_failures == before;
        std::printf("[%s] %s (%lld ms)\n", ok ? " PASS " : " FAIL ", s.name, (long long)ms);
        std::fflush(stdout);
        (ok ? passed : failed)++;
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    std::string mode = argc > 1 ? argv[1] : "scenarios";
    if (mode == "release-check") {
        return run({{"ReleaseBuildRejectsTheTestRequest", ReleaseBuildRejectsTheTestRequest}});
    }
    if (mode == "keepalive" && argc == 3) {
        // Keeps one user process in the prefix: when the last one exits,
        // Wine shuts its system processes down, the driver host included.
        std::printf("keeping the prefix up\n");
        std::fflush(stdout);
        Sleep(static_cast<DWORD>(std::atoi(argv[2])) * 1000u);
        return 0;
    }
    if (mode == "inject" && argc == 4) {
        // One synthetic start, for the procguardctl.exe scenarios of
        // run_wine_tests.sh: prints the CreationStatus it got.
        Device launcher;
        if (!launcher.open()) {
            std::fprintf(stderr, "pgwintest: cannot open the device\n");
            return 1;
        }
        const uint32_t status =
            injectSync(launcher.h, static_cast<uint32_t>(std::atoi(argv[2])), argv[3]);
        std::printf("0x%08X\n", status);
        return status == 0xFFFFFFFFu ? 1 : 0;
    }
    if (mode == "trust-root" && argc == 3) {
        // Adds a test certificate (DER) to the machine's Root store, for the
        // signer scenarios of run_wine_tests.sh (a throwaway prefix).
        std::ifstream in(argv[2], std::ios::binary);
        const std::vector<char> der((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
        HCERTSTORE root =
            CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_LOCAL_MACHINE, L"Root");
        const bool ok = !der.empty() && root != nullptr &&
                        CertAddEncodedCertificateToStore(root, X509_ASN_ENCODING,
                                                         reinterpret_cast<const BYTE *>(der.data()),
                                                         static_cast<DWORD>(der.size()),
                                                         CERT_STORE_ADD_REPLACE_EXISTING, nullptr);
        if (root != nullptr) {
            CertCloseStore(root, 0);
        }
        if (!ok) {
            std::fprintf(stderr, "pgwintest: cannot trust %s (error %lu)\n", argv[2],
                         GetLastError());
        }
        return ok ? 0 : 1;
    }
    if (mode != "scenarios") {
        std::fprintf(stderr, "usage: pgwintest scenarios | release-check | inject PID NTPATH | "
                             "trust-root FILE.der\n");
        return 2;
    }
    return run({
        {"ControllerHandshakeGrantsControl", ControllerHandshakeGrantsControl},
        {"AllowByRuleLetsTheStartProceed", AllowByRuleLetsTheStartProceed},
        {"BlockByRuleReportsAccessDenied", BlockByRuleReportsAccessDenied},
        {"PromptAnsweredAllowAndBlock", PromptAnsweredAllowAndBlock},
        {"AskRuleHoldsTheStartForAPersonInLockdown", AskRuleHoldsTheStartForAPersonInLockdown},
        {"MonitorReportsWhatLockdownWouldBlock", MonitorReportsWhatLockdownWouldBlock},
        {"NoAnswerGetsDefaultVerdictAfterTimeout", NoAnswerGetsDefaultVerdictAfterTimeout},
        {"ClosingControllerResolvesEveryHold", ClosingControllerResolvesEveryHold},
        {"BlockPastBudgetTerminatesTheHeldProcess", BlockPastBudgetTerminatesTheHeldProcess},
        {"AllowPastBudgetReleasesTheHeldProcess", AllowPastBudgetReleasesTheHeldProcess},
        {"NoAnswerPastBudgetEndsAtTheDeadline", NoAnswerPastBudgetEndsAtTheDeadline},
        {"ExitEventCarriesTheExitStatus", ExitEventCarriesTheExitStatus},
        {"CommandLineRuleDecidesAtCreation", CommandLineRuleDecidesAtCreation},
        {"TimedRulesFollowTheClock", TimedRulesFollowTheClock},
        {"BudgetUsedUpWarnsBlocksAndEnds", BudgetUsedUpWarnsBlocksAndEnds},
        {"BudgetInMonitorModeOnlyWarns", BudgetInMonitorModeOnlyWarns},
        {"OnceRuleIsUsedByItsFirstStart", OnceRuleIsUsedByItsFirstStart},
        {"RebootRulesLastForThisBoot", RebootRulesLastForThisBoot},
        {"HashRulesFollowTheContentWithNoClient", HashRulesFollowTheContentWithNoClient},
        {"SecondControllerIsRefused", SecondControllerIsRefused},
        {"ResolverAnswersHoldsKeptForFactsOnly", ResolverAnswersHoldsKeptForFactsOnly},
        {"SequenceNumbersContinuousAndOverflowCounted",
         SequenceNumbersContinuousAndOverflowCounted},
        {"MalformedRequestsGetErrorsAndDriverKeepsServing",
         MalformedRequestsGetErrorsAndDriverKeepsServing},
        {"BudgetUseSurvivesADriverRestart", BudgetUseSurvivesADriverRestart},
        {"PolicyPersistsAcrossStopAndStart", PolicyPersistsAcrossStopAndStart},
        {"StopWithAFrozenProcessEndsItAndUnloads", StopWithAFrozenProcessEndsItAndUnloads},
        {"StopWithHoldsReleasesThemAndUnloads", StopWithHoldsReleasesThemAndUnloads},
    });
}
