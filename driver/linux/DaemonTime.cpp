// DaemonTime.cpp - the part of Daemon that time decides: schedules,
// expiring approvals and daily budgets. See Daemon.h and pg_schedule.h.
//
// How it fits the loop: one CLOCK_REALTIME timerfd (m_clockFd, absolute,
// TFD_TIMER_CANCEL_ON_SET so that a clock change wakes us too) is armed
// for the earliest of: the next schedule edge or expiry of any rule
// (pg_rules_next_change, which also stops at zone transitions), the
// moment a running budget runs out, the next local midnight (budgets
// start again), the end of a grace period, and the zone table's end.
// Each wake-up runs timeTick(), which recompiles the rules in force for
// "now" and, when they changed, flushes the kernel allow cache - so an
// allow cached before a window closed cannot outlive it. Allows decided
// by a rule with time conditions are never cached in the first place.
//
// Nothing here opens a file on a gated filesystem: the zone was read by
// tzset() in initTime() (before the marks), the boot id and process stats
// come from /proc, and the policy is written by PolicyWriter's thread.
//
// Today's budget use outlives the daemon in <state-dir>/budget-use
// (pg_budget's saved form), so that restarting the daemon or the machine
// does not refill a budget. It is read in initTime() (before the marks),
// restored by the first timeTick that knows the day, and written by its
// own PolicyWriter thread: when the policy or the day changes, at most
// every 30 s while its use changes, and at stop. Without budgets the file
// is removed: a later policy starts its budgets from zero, as a policy
// change in a running daemon does.
#include "Daemon.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "Log.h"
#include "ProcFs.h"

namespace
{

// After SIGTERM a program gets this long before SIGKILL.
constexpr int64_t kTermToKillMs = 2000;
// Budget use is saved at most this often while it changes: what a crash
// (not a stop) can give back.
constexpr int64_t kBudgetSaveEveryMs = 30000;
// A saved budget-use file is 16 bytes a budget; anything larger is not one.
constexpr off_t kBudgetFileMax = 1 << 20;

int64_t realtimeMs()
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int64_t floorDiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) != 0 && ((a < 0) != (b < 0)))
        --q;
    return q;
}

// The whole of a small file; false with *error when it cannot be read.
bool readSmallFile(const std::string &path, std::vector<uint8_t> *bytes, bool *missing,
                   std::string *error)
{
    *missing = false;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        *missing = errno == ENOENT;
        *error = std::strerror(errno);
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kBudgetFileMax) {
        *error = "not a budget-use file";
        ::close(fd);
        return false;
    }
    bytes->resize(static_cast<size_t>(st.st_size));
    size_t off = 0;
    while (off < bytes->size()) {
        const ssize_t n = ::read(fd, bytes->data() + off, bytes->size() - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *error = n < 0 ? std::strerror(errno) : "shorter than its size";
            ::close(fd);
            return false;
        }
        off += static_cast<size_t>(n);
    }
    ::close(fd);
    return true;
}

} // namespace

void Daemon::initTime()
{
    m_zone.load();
    const int64_t now = floorDiv(realtimeMs(), 1000);
    m_zone.rebuild(now);
    if (LocalZone::readBootId(m_bootId))
        m_policy.setBoot(m_bootId);
    else
        PG_LOG_WARN("cannot read the boot id: \"until reboot\" rules last until they are removed");
    m_policy.setTime(now, m_zone.tz());
    m_clockFd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_clockFd < 0)
        PG_LOG_ERROR("timerfd (realtime): %s; schedules change only with the policy",
                     std::strerror(errno));

    // The budget use of the last run, read now (before the marks); it is
    // restored once the budgets and the day are known (timeTick).
    m_budgetPath = m_options.m_stateDir + "/budget-use";
    std::string error;
    bool missing = false;
    if (readSmallFile(m_budgetPath, &m_budgetRestore, &missing, &error))
        m_budgetRestorePending = true;
    else if (!missing)
        PG_LOG_WARN("cannot read %s: %s; today's budget use starts from zero", m_budgetPath.c_str(),
                    error.c_str());
}

void Daemon::budgetStartSaving()
{
    // Not restored by now: no budgets at start, so nothing to restore to.
    m_budgetRestorePending = false;
    m_budgetRestore.clear();
    m_budgetWriter = std::make_unique<PolicyWriter>(m_budgetPath, "budget use", "pg-budget");
    m_budgetWriter->start();
    // Replaces the file read (merged, or malformed) or removes it.
    budgetSave(realtimeMs(), true);
    rearmClock();
}

void Daemon::budgetSave(int64_t nowMs, bool now)
{
    if (!m_budgetWriter)
        return; // still starting: the file read is not restored yet
    std::vector<uint8_t> bytes = m_budgets.saved(nowMs);
    if (bytes.empty()) {
        // No budgets (or no day yet): nothing to keep.
        m_budgetSaveDueMs = 0;
        if (m_budgetFileMayExist) {
            m_budgetWriter->submitRemove();
            m_budgetFileMayExist = false;
        }
        m_budgetSaved.clear();
        return;
    }
    bool changed = bytes != m_budgetSaved;
    // A clock set back must not postpone the next save.
    const bool due = nowMs >= m_budgetSavedAtMs + kBudgetSaveEveryMs || nowMs < m_budgetSavedAtMs;
    if (changed && (now || due)) {
        // Only a copy changes hands; the thread does the I/O.
        m_budgetWriter->submit(bytes);
        m_budgetSaved = std::move(bytes);
        m_budgetSavedAtMs = nowMs;
        m_budgetFileMayExist = true;
        changed = false;
    }
    // Use still grows while something runs: save again in 30 s.
    m_budgetSaveDueMs = changed || m_budgets.running() ? m_budgetSavedAtMs + kBudgetSaveEveryMs : 0;
}

void Daemon::budgetSaveAtStop()
{
    // Called after the fanotify group is closed: joining cannot hang.
    if (!m_budgetWriter)
        return;
    budgetSave(realtimeMs(), true);
    m_budgetWriter->stop();
    m_budgetWriter.reset();
}

void Daemon::budgetConfigure(int64_t nowMs)
{
    std::vector<BudgetTracker::Budget> budgets;
    for (const auto &rule : m_policy.budgetRules()) {
        BudgetTracker::Budget b;
        b.key = BudgetTracker::keyFor(rule.first, rule.second.budget_group);
        b.seconds = rule.second.budget_s;
        b.graceS = rule.second.grace_s;
        b.ruleIds.push_back(rule.first);
        budgets.push_back(b);
    }
    m_budgets.configure(budgets, nowMs);
    budgetRescan(nowMs);
}

void Daemon::afterPolicyChange(int64_t nowMs)
{
    // Exec of in-memory files is refused while prompt or lockdown is in
    // force (MemfdNoexec.h).
    m_memfd.follow(m_policy.policy().mode);
    budgetConfigure(nowMs);
    m_budgetSaveNow = true;
    timeTick();
}

void Daemon::policyRewritten(const char *why)
{
    m_gate.flushCache();
    m_writer->submit(m_policy.persistBytes());
    pg_event ev = makeEvent(PG_EV_POLICY, 0);
    emit(ev, std::string(), std::string(), std::string(), false);
    PG_LOG_INFO("policy generation %llu: %s; %u rule(s) left",
                static_cast<unsigned long long>(m_policy.generation()), why,
                m_policy.policy().rule_count);
}

void Daemon::timeTick()
{
    const int64_t nowMs = realtimeMs();
    const int64_t now = floorDiv(nowMs, 1000);
    if (m_zone.needsRebuild(now))
        m_zone.rebuild(now);
    m_policy.setTime(now, m_zone.tz());

    // Expired approvals leave the policy, and the persisted file.
    const std::vector<uint32_t> expired = m_policy.expiredIds();
    if (!expired.empty() && m_policy.removeRules(expired)) {
        policyRewritten("expired rule(s) removed");
        budgetConfigure(nowMs);
        m_budgetSaveNow = true;
    }

    if (!m_budgets.empty()) {
        const int64_t day = pg_tz_local_day(m_zone.tz(), now);
        if (day != m_budgets.day()) {
            const int64_t dayStart = day * 86400 - pg_tz_offset_at(m_zone.tz(), now);
            m_budgets.setDay(day, dayStart * 1000, nowMs);
            m_budgetsWarned.clear();
            m_budgetSaveNow = true;
            if (m_budgetRestorePending)
                budgetRestore(day);
        }
    }
    m_policy.setExhausted(m_budgets.exhaustedRuleIds(nowMs));
    if (m_policy.refresh()) {
        // Cached allows were decided under the rules of a moment ago.
        m_gate.flushCache();
        pg_event ev = makeEvent(PG_EV_POLICY, 0);
        emit(ev, std::string(), std::string(), std::string(), false);
        PG_LOG_INFO("rules in force changed (schedule, expiry or budget); allow cache flushed");
    }
    budgetEnforce(nowMs);
    budgetSave(nowMs, m_budgetSaveNow);
    m_budgetSaveNow = false;
    sentryUpdate();
    rearmClock();
}

void Daemon::budgetRestore(int64_t day)
{
    m_budgetRestorePending = false;
    int64_t savedDay = PG_BUDGET_NO_DAY;
    if (m_budgetRestore.size() >= PG_BUDGET_SAVED_HEADER)
        std::memcpy(&savedDay, m_budgetRestore.data() + 8, sizeof savedDay);
    if (!m_budgets.restore(m_budgetRestore))
        PG_LOG_WARN("%s is not a budget-use file (%zu bytes); today's budget use starts from zero",
                    m_budgetPath.c_str(), m_budgetRestore.size());
    else if (savedDay == day)
        PG_LOG_INFO("today's budget use restored from %s", m_budgetPath.c_str());
    else
        PG_LOG_INFO("%s is from another day; budgets start from zero", m_budgetPath.c_str());
    m_budgetRestore.clear();
}

void Daemon::rearmClock()
{
    if (m_clockFd < 0)
        return;
    const int64_t nowMs = realtimeMs();
    int64_t next = INT64_MAX;
    const int64_t change = m_policy.nextChange();
    if (change != PG_TIME_NEVER)
        next = change * 1000;
    if (!m_budgets.empty()) {
        next = std::min(next, m_budgets.nextExhaustionMs(nowMs));
        const int64_t now = floorDiv(nowMs, 1000);
        const int64_t day = pg_tz_local_day(m_zone.tz(), now);
        next = std::min(next, ((day + 1) * 86400 - pg_tz_offset_at(m_zone.tz(), now)) * 1000);
    }
    for (const BudgetKill &k : m_budgetKills)
        next = std::min(next, k.killAtMs != 0 ? k.killAtMs : k.termAtMs);
    // A pending kill is re-checked at least every second (the process may
    // have ended; a warned one in monitor mode is forgotten when it does).
    if (!m_budgetKills.empty())
        next = std::min(next, nowMs + 1000);
    if (m_zone.validUntil() != INT64_MAX)
        next = std::min(next, m_zone.validUntil() * 1000);
    if (m_budgetSaveDueMs != 0)
        next = std::min(next, m_budgetSaveDueMs);

    struct itimerspec its;
    std::memset(&its, 0, sizeof its);
    if (next != INT64_MAX) {
        next = std::max(next, nowMs + 1);
        its.it_value.tv_sec = static_cast<time_t>(next / 1000);
        its.it_value.tv_nsec = static_cast<long>((next % 1000) * 1000000);
    }
    if (timerfd_settime(m_clockFd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, nullptr) != 0)
        PG_LOG_WARN("cannot arm the realtime timer: %s", std::strerror(errno));
}

void Daemon::onClockTimer()
{
    uint64_t ticks = 0;
    // ECANCELED: the clock was set. Either way, look at the time again.
    if (::read(m_clockFd, &ticks, sizeof ticks) < 0 && errno == ECANCELED)
        PG_LOG_INFO("the system clock was set; re-evaluating schedules");
    timeTick();
}

bool Daemon::ruleTimed(uint32_t ruleId) const
{
    pg_rule_time t;
    return ruleId != 0 && m_policy.ruleTime(ruleId, &t);
}

void Daemon::ruleDecided(uint32_t ruleId)
{
    pg_rule_time t;
    if (!m_policy.ruleTime(ruleId, &t) || t.expiry != PG_EXPIRY_ONCE)
        return;
    if (m_policy.removeRules({ruleId})) {
        policyRewritten(("\"once\" rule " + std::to_string(ruleId) + " used").c_str());
        afterPolicyChange(realtimeMs());
    }
}

// ---------------------------------------------------------------------
// Budgets
// ---------------------------------------------------------------------

void Daemon::budgetTrack(uint32_t pid, int64_t nowMs)
{
    if (m_budgets.empty())
        return;
    const ProcessInfo *info = m_table.find(pid);
    if (info == nullptr || info->image.empty()) {
        m_budgets.ended(pid, nowMs);
        return;
    }
    // Which budget rule (if any) this program counts against: the budget
    // rules in force, matched on the image and the account. Conditions
    // on groups or facts found in user mode (digest, package) are not
    // evaluated here.
    pg_match_input in;
    std::memset(&in, 0, sizeof in);
    in.image = info->image.c_str();
    in.image_len = info->image.size();
    in.uid = info->uid;
    in.known = PG_FACT_CMDLINE;
    in.cmdline = info->cmdline.c_str();
    in.cmdline_len = info->cmdline.size();
    const std::string parent = m_table.imageOf(info->ppid);
    in.parent_image = parent.empty() ? nullptr : parent.c_str();
    in.parent_len = parent.size();
    pg_match_result m;
    pg_rule_time t;
    if (pg_rule_cache_match(&m_policy.budgetCache(), &in, &m) != 0 &&
        m_policy.ruleTime(m.rule_id, &t)) {
        m_budgets.started(pid, BudgetTracker::keyFor(m.rule_id, t.budget_group), nowMs);
        // Its use now grows: the periodic save must be due.
        if (m_budgetSaveDueMs == 0 && m_budgetWriter && m_budgets.running()) {
            budgetSave(nowMs, false);
            rearmClock();
        }
    } else {
        m_budgets.ended(pid, nowMs);
    }
}

void Daemon::budgetRescan(int64_t nowMs)
{
    if (m_budgets.empty())
        return;
    for (const auto &kv : m_table.entries())
        budgetTrack(kv.first, nowMs);
}

void Daemon::budgetEnforce(int64_t nowMs)
{
    const bool enforce = m_policy.policy().mode != PG_MODE_MONITOR;
    // Warn every process that runs against a used-up budget, once, and
    // give it the grace period.
    for (uint64_t key : m_budgets.exhaustedKeys(nowMs)) {
        const BudgetTracker::Budget *b = m_budgets.budget(key);
        if (b == nullptr || b->ruleIds.empty())
            continue;
        const uint32_t ruleId = b->ruleIds.front();
        if (std::find(m_budgetsWarned.begin(), m_budgetsWarned.end(), key) ==
            m_budgetsWarned.end()) {
            m_budgetsWarned.push_back(key);
            PG_LOG_INFO("daily budget of rule %u (%u s) used up: new starts blocked, %zu running "
                        "program(s) %s in %u s",
                        ruleId, b->seconds, m_budgets.members(key).size(),
                        enforce ? "end" : "would end (monitor mode)", b->graceS);
        }
        for (uint32_t pid : m_budgets.members(key)) {
            const bool known = std::any_of(m_budgetKills.begin(), m_budgetKills.end(),
                                           [pid](const BudgetKill &k) { return k.pid == pid; });
            if (known)
                continue;
            const ProcessInfo *info = m_table.find(pid);
            BudgetKill k;
            k.pid = pid;
            k.startTicks = info != nullptr ? info->startTicks : 0;
            k.ruleId = ruleId;
            // Monitor mode only warns: the entry just remembers the warning.
            k.termAtMs = enforce ? nowMs + int64_t{b->graceS} * 1000 : INT64_MAX;
            pg_event ev = makeEvent(PG_EV_VERDICT, pid);
            ev.ppid = info != nullptr ? info->ppid : 0;
            ev.creator_pid = ev.ppid;
            ev.uid = info != nullptr ? info->uid : 0;
            ev.verdict = PG_VERDICT_BLOCK;
            ev.source = PG_SRC_RULE;
            ev.rule_id = ruleId;
            ev.timeout_ms = b->graceS * 1000u;
            ev.flags = static_cast<uint16_t>(PG_EVF_BUDGET | (enforce ? 0 : PG_EVF_WOULD_BLOCK));
            emit(ev, info != nullptr ? info->image : std::string(), std::string(), std::string(),
                 false);
            m_budgetKills.push_back(k);
        }
    }
    // Grace periods that ended: SIGTERM, then SIGKILL. A pid is only
    // signalled while it is still the same process (start time).
    for (auto it = m_budgetKills.begin(); it != m_budgetKills.end();) {
        ProcFs::Stat st;
        const bool alive = ProcFs::readStat(it->pid, &st) &&
                           (it->startTicks == 0 || st.startTicks == it->startTicks);
        if (!alive) {
            it = m_budgetKills.erase(it);
            continue;
        }
        if (it->killAtMs == 0 && nowMs >= it->termAtMs) {
            ::kill(static_cast<pid_t>(it->pid), SIGTERM);
            it->killAtMs = nowMs + kTermToKillMs;
            const ProcessInfo *info = m_table.find(it->pid);
            pg_event ev = makeEvent(PG_EV_VERDICT, it->pid);
            ev.verdict = PG_VERDICT_BLOCK;
            ev.source = PG_SRC_RULE;
            ev.rule_id = it->ruleId;
            ev.flags = PG_EVF_BUDGET | PG_EVF_KILLED;
            if (info != nullptr) {
                ev.ppid = info->ppid;
                ev.creator_pid = info->ppid;
                ev.uid = info->uid;
            }
            emit(ev, info != nullptr ? info->image : std::string(), std::string(), std::string(),
                 false);
            PG_LOG_INFO("budget of rule %u: pid %u ended (SIGTERM)", it->ruleId, it->pid);
        } else if (it->killAtMs != 0 && nowMs >= it->killAtMs) {
            ::kill(static_cast<pid_t>(it->pid), SIGKILL);
            PG_LOG_INFO("budget of rule %u: pid %u did not end; SIGKILL", it->ruleId, it->pid);
            it = m_budgetKills.erase(it);
            continue;
        }
        ++it;
    }
}
