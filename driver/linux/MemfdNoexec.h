// MemfdNoexec.h - refuses exec of in-memory files while prompt or lockdown
// is in force (DESIGN §3: no start runs without a verdict, not from an
// in-memory file).
//
// Why: a program written into a memfd (memfd_create + fexecve/execveat)
// lives on no filesystem, so no fanotify mark ever sees its exec. The
// kernel's vm.memfd_noexec = 2 makes every new memfd non-executable (and
// refuses MFD_EXEC), which closes that class without a decision per exec.
//
// Trade-off (docs/operators.md): it also stops legitimate users of
// executable memfds - container runtimes that re-exec themselves from a
// sealed memfd (runc), some JITs and self-extracting tools - for as long as
// prompt or lockdown is in force. --no-memfd-noexec opts out; the class is
// then left open and the log says so.
//
// Owns: the sysctl while prompt or lockdown is in force, and
// <state-dir>/memfd-noexec, the value the system had before procguardd
// changed it. The record is written at start (before the marks: the
// state directory may be gated) and removed at a clean stop, so a run that
// crashed while the sysctl was 2 is followed by one that restores the
// value the system really had (originalValue()).
// The sysctl is per pid namespace: this is the daemon's (the host's).
//
// Must not: open anything but /proc/sys after the marks exist (follow()
// runs on the main thread; stop() only after the group is closed).
#pragma once

#include <cstdint>
#include <string>

class MemfdNoexec
{
public:
    static constexpr int kRefuse = 2;

    // Whether the sysctl should be 2 now.
    static bool wanted(bool enabled, uint32_t mode);
    // The value to restore: a record of a previous run (recorded, when
    // haveRecord) wins when the sysctl is at our value now - that run set
    // it and never restored it; otherwise the value found now.
    static int originalValue(bool haveRecord, int recorded, int current);

    // At start, before the marks. enabled: false with --no-memfd-noexec
    // (a previous run's setting is then restored at once).
    void init(bool enabled, const std::string &stateDir);
    // After every policy change (and at start): sets 2 for prompt and
    // lockdown, restores the original value for monitor.
    void follow(uint32_t mode);
    // At stop, after the fanotify group is closed: restores and removes
    // the record.
    void stop();

    bool available() const { return m_available; }
    bool active() const { return m_active; }
    // Said in the log and by `procguardctl status` (which reads the sysctl).
    std::string describe() const;

private:
    static bool readValue(const std::string &path, int *value);
    static bool writeValue(const std::string &path, int value);

    bool m_enabled = false;
    bool m_available = false; // the kernel has vm.memfd_noexec
    bool m_active = false;    // we set it to 2 and have not restored it
    int m_original = 0;
    std::string m_recordPath;
};
