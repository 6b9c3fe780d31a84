// BudgetTracker.cpp - see BudgetTracker.h.
#include "BudgetTracker.h"

#include <algorithm>

void BudgetTracker::configure(const std::vector<Budget> &budgets, int64_t nowMs)
{
    std::unordered_map<uint64_t, State> next;
    for (const Budget &b : budgets) {
        State &s = next[b.key];
        auto old = m_budgets.find(b.key);
        if (old != m_budgets.end() && s.budget.ruleIds.empty()) {
            s.usedMs = old->second.usedMs;
            // The open stretch is closed now; membership is rebuilt by
            // the caller.
            if (old->second.running > 0)
                s.usedMs += nowMs - old->second.sinceMs;
        }
        s.budget.key = b.key;
        s.budget.seconds = std::max(s.budget.seconds, b.seconds);
        s.budget.graceS = std::max(s.budget.graceS, b.graceS);
        s.budget.ruleIds.insert(s.budget.ruleIds.end(), b.ruleIds.begin(), b.ruleIds.end());
    }
    m_budgets = std::move(next);
    m_members.clear();
}

void BudgetTracker::setDay(int64_t day, int64_t dayStartMs, int64_t nowMs)
{
    if (day == m_day)
        return;
    const bool first = m_day == INT64_MIN;
    m_day = day;
    if (first)
        return;
    for (auto &kv : m_budgets) {
        State &s = kv.second;
        s.usedMs = 0;
        if (s.running > 0)
            s.sinceMs = std::min(std::max(s.sinceMs, dayStartMs), nowMs);
    }
}

void BudgetTracker::leave(State &s, int64_t nowMs)
{
    if (s.running == 0)
        return;
    if (--s.running == 0)
        s.usedMs += std::max<int64_t>(0, nowMs - s.sinceMs);
}

void BudgetTracker::started(uint32_t pid, uint64_t key, int64_t nowMs)
{
    auto it = m_budgets.find(key);
    if (it == m_budgets.end())
        return;
    auto member = m_members.find(pid);
    if (member != m_members.end()) {
        if (member->second == key)
            return;
        ended(pid, nowMs);
    }
    State &s = it->second;
    if (s.running++ == 0)
        s.sinceMs = nowMs;
    m_members[pid] = key;
}

void BudgetTracker::ended(uint32_t pid, int64_t nowMs)
{
    auto member = m_members.find(pid);
    if (member == m_members.end())
        return;
    auto it = m_budgets.find(member->second);
    if (it != m_budgets.end())
        leave(it->second, nowMs);
    m_members.erase(member);
}

const BudgetTracker::Budget *BudgetTracker::budget(uint64_t key) const
{
    auto it = m_budgets.find(key);
    return it == m_budgets.end() ? nullptr : &it->second.budget;
}

int64_t BudgetTracker::usedMs(uint64_t key, int64_t nowMs) const
{
    auto it = m_budgets.find(key);
    if (it == m_budgets.end())
        return 0;
    const State &s = it->second;
    return s.usedMs + (s.running > 0 ? std::max<int64_t>(0, nowMs - s.sinceMs) : 0);
}

bool BudgetTracker::exhausted(uint64_t key, int64_t nowMs) const
{
    const Budget *b = budget(key);
    return b != nullptr && usedMs(key, nowMs) >= int64_t{b->seconds} * 1000;
}

std::vector<uint64_t> BudgetTracker::exhaustedKeys(int64_t nowMs) const
{
    std::vector<uint64_t> keys;
    for (const auto &kv : m_budgets) {
        if (exhausted(kv.first, nowMs))
            keys.push_back(kv.first);
    }
    std::sort(keys.begin(), keys.end());
    return keys;
}

std::vector<uint32_t> BudgetTracker::exhaustedRuleIds(int64_t nowMs) const
{
    std::vector<uint32_t> ids;
    for (uint64_t key : exhaustedKeys(nowMs)) {
        const Budget *b = budget(key);
        ids.insert(ids.end(), b->ruleIds.begin(), b->ruleIds.end());
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

int64_t BudgetTracker::nextExhaustionMs(int64_t nowMs) const
{
    int64_t next = kNever;
    for (const auto &kv : m_budgets) {
        const State &s = kv.second;
        const int64_t left = int64_t{s.budget.seconds} * 1000 - usedMs(kv.first, nowMs);
        if (s.running > 0 && left > 0)
            next = std::min(next, nowMs + left);
    }
    return next;
}

std::vector<uint32_t> BudgetTracker::members(uint64_t key) const
{
    std::vector<uint32_t> pids;
    for (const auto &kv : m_members) {
        if (kv.second == key)
            pids.push_back(kv.first);
    }
    std::sort(pids.begin(), pids.end());
    return pids;
}
