// MemfdNoexec.cpp - see MemfdNoexec.h.
#include "MemfdNoexec.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "Log.h"
#include "ProcFs.h"
#include "pg_protocol.h"

namespace
{
const char kSysctl[] = "/proc/sys/vm/memfd_noexec";
}

bool MemfdNoexec::wanted(bool enabled, uint32_t mode)
{
    return enabled && (mode == PG_MODE_PROMPT || mode == PG_MODE_LOCKDOWN);
}

int MemfdNoexec::originalValue(bool haveRecord, int recorded, int current)
{
    if (haveRecord && current == kRefuse && recorded >= 0 && recorded < kRefuse)
        return recorded;
    return current;
}

bool MemfdNoexec::readValue(const std::string &path, int *value)
{
    std::string text;
    if (!ProcFs::readFile(path, &text, 64) || text.empty())
        return false;
    char *end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str() || v < 0 || v > 2)
        return false;
    *value = static_cast<int>(v);
    return true;
}

bool MemfdNoexec::writeValue(const std::string &path, int value)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    char buf[16];
    const int n = std::snprintf(buf, sizeof buf, "%d\n", value);
    const bool ok = ::write(fd, buf, static_cast<size_t>(n)) == n;
    return ::close(fd) == 0 && ok;
}

void MemfdNoexec::init(bool enabled, const std::string &stateDir)
{
    m_enabled = enabled;
    m_recordPath = stateDir + "/memfd-noexec";
    int current = 0;
    if (!readValue(kSysctl, &current)) {
        if (enabled)
            PG_LOG_WARN("this kernel has no vm.memfd_noexec: programs run from memory "
                        "(memfd) are not refused in prompt and lockdown");
        return;
    }
    m_available = true;
    int recorded = 0;
    const bool haveRecord = readValue(m_recordPath, &recorded);
    m_original = originalValue(haveRecord, recorded, current);
    if (m_original != current) {
        // The last run set it and died before restoring it.
        PG_LOG_WARN("vm.memfd_noexec is %d, left by a run that did not stop cleanly; the value "
                    "before it was %d",
                    current, m_original);
    }
    if (!enabled) {
        if (m_original != current && writeValue(kSysctl, m_original))
            PG_LOG_INFO("vm.memfd_noexec restored to %d (--no-memfd-noexec)", m_original);
        unlink(m_recordPath.c_str());
        return;
    }
    // Our state while we run: 2 now means we set it (the record says what
    // to restore), so a crash is repaired by the next start.
    m_active = current == kRefuse && m_original != kRefuse;
    if (!writeValue(m_recordPath, m_original))
        PG_LOG_WARN("cannot write %s: %s (a crash would leave vm.memfd_noexec at 2)",
                    m_recordPath.c_str(), std::strerror(errno));
}

void MemfdNoexec::follow(uint32_t mode)
{
    if (!m_available)
        return;
    const bool want = wanted(m_enabled, mode);
    if (want && !m_active) {
        int current = 0;
        if (readValue(kSysctl, &current) && current == kRefuse)
            return; // the system refuses them already; nothing of ours to undo
        if (writeValue(kSysctl, kRefuse)) {
            m_active = true;
            PG_LOG_INFO("programs run from memory (memfd) are refused while %s is in force "
                        "(vm.memfd_noexec %d -> 2)",
                        mode == PG_MODE_LOCKDOWN ? "lockdown" : "prompt", m_original);
        } else {
            PG_LOG_WARN("cannot set vm.memfd_noexec: %s; programs run from memory are not "
                        "refused",
                        std::strerror(errno));
        }
    } else if (!want && m_active) {
        if (writeValue(kSysctl, m_original)) {
            m_active = false;
            PG_LOG_INFO("vm.memfd_noexec restored to %d", m_original);
        } else {
            PG_LOG_WARN("cannot restore vm.memfd_noexec to %d: %s", m_original,
                        std::strerror(errno));
        }
    } else if (!m_enabled && mode != PG_MODE_MONITOR) {
        PG_LOG_DEBUG("--no-memfd-noexec: programs run from memory (memfd) are not refused");
    }
}

void MemfdNoexec::stop()
{
    if (!m_available)
        return;
    if (m_active) {
        if (writeValue(kSysctl, m_original)) {
            m_active = false;
            PG_LOG_INFO("vm.memfd_noexec restored to %d", m_original);
        } else {
            PG_LOG_WARN("cannot restore vm.memfd_noexec to %d: %s", m_original,
                        std::strerror(errno));
            return; // keep the record: the next start restores it
        }
    }
    unlink(m_recordPath.c_str());
}

std::string MemfdNoexec::describe() const
{
    if (!m_available)
        return "not available in this kernel";
    if (m_active)
        return "refused (vm.memfd_noexec=2, restored to " + std::to_string(m_original) +
               " when prompt and lockdown end)";
    if (!m_enabled)
        return "not refused by procguardd (--no-memfd-noexec)";
    return "not refused (monitor mode)";
}
