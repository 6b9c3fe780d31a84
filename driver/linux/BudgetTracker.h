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
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

class BudgetTracker
{
public:
    static constexpr int64_t kNever = INT64_MAX;

    struct Budget {
        uint64_t key = 0;     // keyFor()
        uint32_t seconds = 0; // per local day
        uint32_t graceS = 0;  // running programs end this long after the warning
        std::vector<uint32_t> ruleIds;
    };

    // The budget a rule counts against: its group, or the rule alone.
    static uint64_t keyFor(uint32_t ruleId, uint32_t group)
    {
        return group != 0 ? group : ((uint64_t{1} << 32) | ruleId);
    }

    // Defines the budgets. Time used today is kept for keys that stay;
    // processes of keys that go are forgotten.
    void configure(const std::vector<Budget> &budgets, int64_t nowMs);
    // The local day nowMs falls in, and when it started. A new day starts
    // every budget from zero (running processes count from dayStartMs).
    void setDay(int64_t day, int64_t dayStartMs, int64_t nowMs);
    int64_t day() const { return m_day; }

    // pid now runs a program that counts against key (it stops counting
    // against any other). Unknown keys are ignored.
    void started(uint32_t pid, uint64_t key, int64_t nowMs);
    // pid ended or runs something that no budget covers.
    void ended(uint32_t pid, int64_t nowMs);

    bool has(uint64_t key) const { return m_budgets.count(key) != 0; }
    bool empty() const { return m_budgets.empty(); }
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

private:
    struct State {
        Budget budget;
        int64_t usedMs = 0;  // closed stretches today
        int64_t sinceMs = 0; // start of the open stretch (running > 0)
        uint32_t running = 0;
    };
    void leave(State &s, int64_t nowMs);

    std::unordered_map<uint64_t, State> m_budgets;
    std::unordered_map<uint32_t, uint64_t> m_members; // pid -> key
    int64_t m_day = INT64_MIN;
};
