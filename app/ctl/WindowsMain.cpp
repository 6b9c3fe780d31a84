// WindowsMain.cpp - procguardctl.exe: wires procguard.sys's device, the
// Service Control Manager, Toolhelp32 and the console control handler
// into the commands (Commands.h) and runs one. The Windows counterpart of
// main.cpp; the commands themselves are the same code.
#include <windows.h>

#include <sddl.h>

#include <cstring>
#include <iostream>

#include "Commands.h"
#include "ManagedRegistry.h"
#include "NtPath.h"
#include "Signer.h"
#include "TransportFactory.h"
#include "WinText.h"
#include "WindowsEventLog.h"
#include "WindowsProcessSource.h"

namespace
{

pg::ctl::Wakeup *g_stop = nullptr;

// Runs on a thread the system creates for Ctrl-C, Ctrl-Break and closing
// the console: wake the command, which ends cleanly (an approve session
// closes its link, so held starts get the default verdict at once).
BOOL WINAPI onConsoleControl(DWORD type)
{
    switch (type) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
    case CTRL_CLOSE_EVENT:
        if (g_stop != nullptr)
            g_stop->notify();
        return TRUE;
    default:
        return FALSE;
    }
}

// host.name and host.id of monitor --format ecs: the computer's DNS host
// name and MachineGuid (what Elastic's agents report as host.id).
void hostIdentity(std::string *name, std::string *id)
{
    wchar_t host[256];
    DWORD hostLen = sizeof host / sizeof host[0];
    if (GetComputerNameExW(ComputerNameDnsHostname, host, &hostLen))
        *name = pg::toUtf8(std::wstring(host, hostLen));
    wchar_t guid[64];
    DWORD guidBytes = sizeof guid;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Cryptography", L"MachineGuid",
                     RRF_RT_REG_SZ | RRF_SUBKEY_WOW6464KEY, nullptr, guid,
                     &guidBytes) == ERROR_SUCCESS)
        *id = pg::toUtf8(guid);
}

// user.name and user.domain of monitor --format ecs, from an event's SID.
bool accountOfSid(const std::string &sidText, std::string *name, std::string *domain)
{
    PSID sid = nullptr;
    if (!ConvertStringSidToSidW(pg::toWide(sidText).c_str(), &sid))
        return false;
    wchar_t account[256], dom[256];
    DWORD accountLen = 256, domLen = 256;
    SID_NAME_USE use;
    const bool ok = LookupAccountSidW(nullptr, sid, account, &accountLen, dom, &domLen, &use);
    LocalFree(sid);
    if (!ok)
        return false;
    *name = pg::toUtf8(account);
    *domain = pg::toUtf8(dom);
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    // Output is UTF-8 (paths, user names); the console shows it as such.
    SetConsoleOutputCP(CP_UTF8);
    pg::ctl::Wakeup stop;
    g_stop = &stop;
    SetConsoleCtrlHandler(onConsoleControl, TRUE);

    pg::WindowsProcessSource processes;
    pg::SignerFactSource signers;
    pg::ctl::Context ctx;
    ctx.makeTransport = [](const std::string &endpoint) {
        return pg::createPlatformTransport(endpoint);
    };
    ctx.makeLifecycle = [](const pg::LifecycleOptions &options) {
        return pg::makePlatformLifecycle(options);
    };
    ctx.normalisePattern = [](const std::string &pattern, pg::RuleKind kind) {
        return pg::normaliseRulePattern(pattern, kind);
    };
    // procguard.sys cannot tell Group Policy from a client: the managed
    // layer is imposed here, on every policy procguardctl.exe sends.
    ctx.policyGuard = pg::policy::groupPolicyGuard();
    ctx.localManagedStatus = [] {
        pg::ManagedStatus status;
        pg::policy::managedFromGroupPolicy(pg::policy::readGroupPolicyValues(), &status);
        return status;
    };
    ctx.processes = &processes;
    ctx.facts = &signers;
    ctx.out = &std::cout;
    ctx.err = &std::cerr;
    // Only `approve` reads the person's input; the pump thread that reads
    // standard input is started for it alone, so that no other command
    // consumes input meant for whatever runs after it.
    bool approve = false;
    for (int i = 1; i < argc; ++i)
        approve = approve || std::strcmp(argv[i], "approve") == 0;
    ctx.inputFd = approve ? pg::ctl::standardInput() : pg::ctl::kNoWaitHandle;
    ctx.stopFd = stop.fd();
    ctx.hostIdentity = hostIdentity;
    ctx.accountOfSid = accountOfSid;
    ctx.openEventChannel = [](std::string *error) -> std::unique_ptr<pg::EventChannel> {
        return pg::WindowsEventLog::open(error);
    };
    const int rc = pg::ctl::run(argc, argv, ctx);
    std::cout.flush();
    SetConsoleCtrlHandler(onConsoleControl, FALSE);
    g_stop = nullptr;
    return rc;
}
