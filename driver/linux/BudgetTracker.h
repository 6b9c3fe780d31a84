// BudgetTracker.h - daily running-time budgets (pg_rule_time.budget_s).
//
// Owns: per budget (a rule, or every rule of one budget group), the
// running time used on the current local day, and which processes count
// against it. Running time is wall time during which at least one of the
// budget's processes runs (two games at once use the budget once), fed
// by start and exit events from the daemon's process table.
//
// Pure bookkeeping: no clock, no OS calls. Every call takes "now" in
// milliseconds (UTC) and the caller says when a new local day starts
// (setDay), so tests drive it with an injected clock. Main thread only.
//
// The bookkeeping itself is the portable core's pg_budget (shared with
// procguard.sys); this class owns its storage, grows the member array on
// demand and keeps the rule ids of each budget.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "pg_budget.h"

class BudgetTracker
{
public:
    static constexpr int64_t kNever = PG_BUDGET_NEVER;

    struct Budget {
        uint64_t key = 0;     // keyFor()
        uint32_t seconds = 0; // per local day
        uint32_t graceS = 0;  // running programs end this long after the warning
        std::vector<uint32_t> ruleIds;
    };

    // The budget a rule counts against: its group, or the rule alone.
    static uint64_t keyFor(uint32_t ruleId, uint32_t group) { return pg_budget_key(ruleId, group); }

    BudgetTracker();
    // The C set points into the vectors: a copy re-points to its own.
    BudgetTracker(const BudgetTracker &other);
    BudgetTracker &operator=(const BudgetTracker &other);

    // Defines the budgets. Time used today is kept for keys that stay;
    // processes of keys that go are forgotten.
    void configure(const std::vector<Budget> &budgets, int64_t nowMs);
    // The local day nowMs falls in, and when it started. A new day starts
    // every budget from zero (running processes count from dayStartMs).
    void setDay(int64_t day, int64_t dayStartMs, int64_t nowMs);
    int64_t day() const { return m_set.day; }

    // pid now runs a program that counts against key (it stops counting
    // against any other). Unknown keys are ignored.
    void started(uint32_t pid, uint64_t key, int64_t nowMs);
    // pid ended or runs something that no budget covers.
    void ended(uint32_t pid, int64_t nowMs);

    bool has(uint64_t key) const { return pg_budget_find(&m_set, key) != nullptr; }
    bool empty() const { return m_set.count == 0; }
    const Budget *budget(uint64_t key) const;
    int64_t usedMs(uint64_t key, int64_t nowMs) const;
    bool exhausted(uint64_t key, int64_t nowMs) const;
    // Keys whose budget is used up, and the rule ids of those budgets.
    std::vector<uint64_t> exhaustedKeys(int64_t nowMs) const;
    std::vector<uint32_t> exhaustedRuleIds(int64_t nowMs) const;
    // The first moment after nowMs at which a running budget runs out;
    // kNever when nothing runs against a budget with time left.
    int64_t nextExhaustionMs(int64_t nowMs) const;
    // Processes counting against key now.
    std::vector<uint32_t> members(uint64_t key) const;
    // Any process counts against a budget now (its use grows).
    bool running() const { return m_set.member_count != 0; }

    // Today's use in pg_budget's saved form, so that a restart does not
    // refill a budget. Empty before the first setDay or without budgets.
    std::vector<uint8_t> saved(int64_t nowMs) const;
    // Adds the use in bytes (from saved()) to the budgets of the same key
    // when it was saved on the current day; call once, right after
    // configure and setDay. False for malformed bytes (nothing changes).
    bool restore(const std::vector<uint8_t> &bytes);

private:
    void repoint();
    // Room for one more member: the array doubles (copied, re-pointed).
    void growMembers();

    std::vector<pg_budget_entry> m_entries;
    std::vector<pg_budget_member> m_members;
    pg_budget_set m_set;
    std::unordered_map<uint64_t, Budget> m_budgets; // key -> seconds, grace, rule ids
};
