// BudgetTracker.cpp - see BudgetTracker.h. The bookkeeping is pg_budget's;
// this file only owns the arrays and the rule ids.
#include "BudgetTracker.h"

#include <algorithm>

namespace
{
constexpr size_t kFirstMembers = 16;
} // namespace

BudgetTracker::BudgetTracker()
{
    pg_budget_init(&m_set, nullptr, 0, nullptr, 0);
}

BudgetTracker::BudgetTracker(const BudgetTracker &other)
    : m_entries(other.m_entries), m_members(other.m_members), m_set(other.m_set),
      m_budgets(other.m_budgets)
{
    repoint();
}

BudgetTracker &BudgetTracker::operator=(const BudgetTracker &other)
{
    if (this != &other) {
        m_entries = other.m_entries;
        m_members = other.m_members;
        m_set = other.m_set;
        m_budgets = other.m_budgets;
        repoint();
    }
    return *this;
}

// Points the C set at the vectors (counts and day are left as they are).
void BudgetTracker::repoint()
{
    m_set.entries = m_entries.data();
    m_set.capacity = static_cast<uint32_t>(m_entries.size());
    m_set.members = m_members.data();
    m_set.member_capacity = static_cast<uint32_t>(m_members.size());
}

void BudgetTracker::growMembers()
{
    // resize copies the members in use; the set then follows the new array.
    m_members.resize(std::max(kFirstMembers, m_members.size() * 2));
    repoint();
}

void BudgetTracker::configure(const std::vector<Budget> &budgets, int64_t nowMs)
{
    // One entry per budget is enough: merged keys only use fewer.
    std::vector<pg_budget_entry> entries(budgets.size());
    std::vector<pg_budget_member> members(m_members.size());
    pg_budget_set next;
    pg_budget_init(&next, entries.data(), static_cast<uint32_t>(entries.size()), members.data(),
                   static_cast<uint32_t>(members.size()));
    std::unordered_map<uint64_t, Budget> info;
    for (const Budget &b : budgets) {
        pg_budget_define(&next, b.key, b.seconds, b.graceS);
        Budget &kept = info[b.key];
        kept.key = b.key;
        kept.ruleIds.insert(kept.ruleIds.end(), b.ruleIds.begin(), b.ruleIds.end());
    }
    // Today's usage and the day stay; membership is rebuilt by the caller.
    pg_budget_carry(&next, &m_set, nowMs);
    for (auto &kv : info) {
        const pg_budget_entry *e = pg_budget_find(&next, kv.first);
        kv.second.seconds = e->seconds;
        kv.second.graceS = e->grace_s;
    }
    // next points into the local vectors; repoint follows them here.
    m_entries = std::move(entries);
    m_members = std::move(members);
    m_budgets = std::move(info);
    m_set = next;
    repoint();
}

void BudgetTracker::setDay(int64_t day, int64_t dayStartMs, int64_t nowMs)
{
    pg_budget_set_day(&m_set, day, dayStartMs, nowMs);
}

void BudgetTracker::started(uint32_t pid, uint64_t key, int64_t nowMs)
{
    // NOSPACE leaves the set unchanged, so growing and retrying is exact.
    while (pg_budget_started(&m_set, pid, key, nowMs) == PG_E_NOSPACE)
        growMembers();
}

void BudgetTracker::ended(uint32_t pid, int64_t nowMs)
{
    pg_budget_ended(&m_set, pid, nowMs);
}

const BudgetTracker::Budget *BudgetTracker::budget(uint64_t key) const
{
    auto it = m_budgets.find(key);
    return it == m_budgets.end() ? nullptr : &it->second;
}

int64_t BudgetTracker::usedMs(uint64_t key, int64_t nowMs) const
{
    return pg_budget_used_ms(&m_set, key, nowMs);
}

bool BudgetTracker::exhausted(uint64_t key, int64_t nowMs) const
{
    return pg_budget_exhausted(&m_set, key, nowMs) != 0;
}

std::vector<uint64_t> BudgetTracker::exhaustedKeys(int64_t nowMs) const
{
    std::vector<uint64_t> keys;
    for (uint32_t i = 0; i < m_set.count; ++i) {
        if (pg_budget_exhausted(&m_set, m_set.entries[i].key, nowMs))
            keys.push_back(m_set.entries[i].key);
    }
    std::sort(keys.begin(), keys.end());
    return keys;
}

std::vector<uint32_t> BudgetTracker::exhaustedRuleIds(int64_t nowMs) const
{
    std::vector<uint32_t> ids;
    for (uint64_t key : exhaustedKeys(nowMs)) {
        const Budget *b = budget(key);
        if (b != nullptr)
            ids.insert(ids.end(), b->ruleIds.begin(), b->ruleIds.end());
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

int64_t BudgetTracker::nextExhaustionMs(int64_t nowMs) const
{
    return pg_budget_next_exhaustion_ms(&m_set, nowMs);
}

std::vector<uint32_t> BudgetTracker::members(uint64_t key) const
{
    std::vector<uint32_t> pids;
    for (uint32_t i = 0; i < m_set.member_count; ++i) {
        const pg_budget_member &m = m_set.members[i];
        if (m_set.entries[m.index].key == key)
            pids.push_back(m.pid);
    }
    std::sort(pids.begin(), pids.end());
    return pids;
}

std::vector<uint8_t> BudgetTracker::saved(int64_t nowMs) const
{
    if (m_set.day == PG_BUDGET_NO_DAY || m_set.count == 0)
        return {};
    std::vector<uint8_t> bytes(pg_budget_saved_size(&m_set));
    bytes.resize(pg_budget_save(&m_set, nowMs, bytes.data(), bytes.size()));
    return bytes;
}

bool BudgetTracker::restore(const std::vector<uint8_t> &bytes)
{
    return pg_budget_restore(&m_set, bytes.data(), bytes.size()) == PG_OK;
}
