// LinuxLifecycle.h - pg::Lifecycle for procguardd (see app/Lifecycle.h).
//
// Where systemd runs (its run directory exists) the daemon is a systemd unit:
// install writes the unit file and enables it, start/stop/uninstall go through
// systemctl. A unit the Debian package installed (/lib/systemd/system, shipped
// disabled) counts as installed: install only enables it, start and stop go
// through systemctl, uninstall disables it, and none of them ever writes or
// removes a unit file over the packaged one (the package manager owns it; an
// /etc unit would silently shadow the packaged unit's hardening and updates). Elsewhere install
// records the daemon's command in a small file, start runs it detached (double fork, new session:
// it is not a descendant of the panel, so its starts are not exempt because of the panel) and
// writes a pid file, stop sends SIGTERM (procguardd then releases every held start with the default
// verdict) and waits for the exit.
//
// Every wait is bounded (systemctl calls, the daemon's start and stop).
// Blocking: call from a worker thread, never from a GUI thread. Every error
// carries one actionable sentence. The paths are injectable for tests.
#pragma once

#include <string>
#include <vector>

#include "Lifecycle.h"

namespace pg
{

struct LinuxLifecyclePaths {
    std::string systemdRunDir = "/run/systemd/system"; // exists when systemd runs
    std::string unitDir = "/etc/systemd/system";       // where install writes a unit
    // Where packages put units (searched in order, read only).
    std::vector<std::string> packagedUnitDirs = {"/lib/systemd/system", "/usr/lib/systemd/system"};
    std::string systemctl = "systemctl";      // looked up in PATH
    std::string configDir = "/etc/procguard"; // install record without systemd
    std::string runDir = "/run/procguard";    // pid file and log without systemd
    bool requireRoot = true;                  // tests with scratch paths turn it off
    int startWaitMs = 3000;
    int stopWaitMs = 10000;
};

class LinuxLifecycle : public Lifecycle
{
public:
    explicit LinuxLifecycle(LifecycleOptions options, LinuxLifecyclePaths paths = {});

    ComponentState state(LifecycleError *error = nullptr) override;
    LifecycleError install() override;
    LifecycleError start() override;
    LifecycleError stop() override;
    LifecycleError uninstall() override;
    std::string describe() const override;

    bool usesSystemd() const;
    // The unit install writes (unitDir).
    std::string unitPath() const;
    // The packaged unit, or "" when no package installed one.
    std::string packagedUnitPath() const;
    // The unit systemd uses: unitPath() when it exists (it shadows a
    // packaged one), else packagedUnitPath(); "" when neither exists.
    std::string installedUnitPath() const;
    std::string pidFilePath() const;
    std::string recordPath() const;

private:
    LifecycleError checkRoot(const char *what) const;
    std::vector<std::string> daemonArgs() const;
    LifecycleError systemctl(const std::vector<std::string> &args, std::string *out = nullptr,
                             int timeoutMs = 10000) const;
    int runningPid() const;

    LifecycleOptions m_options;
    LinuxLifecyclePaths m_paths;
};

} // namespace pg
