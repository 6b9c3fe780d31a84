// PolicyStore.h - the policy in force and its compiled rule cache.
//
// Owns: the raw policy message (pg_policy + pg_rule records, exactly the
// bytes of a validated PG_MSG_SET_POLICY, which is also the on-disk format
// of <state-dir>/policy.bin), the rule cache compiled from it, and the
// generation counter. Main thread only.
//
// Time: rules with a time block (schedule, expiry, budget; see
// pg_schedule.h) are kept in the message as sent, but the cache is
// compiled from the rules in force at the time context last set with
// setTime()/setExhausted(); refresh() recompiles for a new moment.
//
// Must not: write files (PolicyWriter does, on its own thread) or open
// files after the fanotify marks exist: load() runs once at start, before
// any mark, because the main thread must never open on a gated filesystem.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pg_core.h"

class PolicyStore
{
public:
    PolicyStore();

    // The default policy: monitor, default allow, 30 s timeout, 1 s budget,
    // no rules, generation 0.
    void setDefault();
    // Reads and validates path. False with *why (and the default policy in
    // force) when it is missing or invalid; *missing tells the two apart.
    bool load(const std::string &path, std::string *why, bool *missing);
    // Installs a validated SET_POLICY message: compiles its rules, swaps,
    // and sets generation to the old one + 1. Returns PG_OK or an error
    // (the policy in force is unchanged then); *detail = bad rule index.
    int apply(const uint8_t *msg, size_t len, uint32_t *detail);

    const pg_policy &policy() const { return m_policy; }
    // Bit (1 << kind) for every rule kind the policy uses.
    uint32_t kinds() const { return m_kinds; }
    bool hasKind(uint32_t kind) const { return (m_kinds & (1u << kind)) != 0; }
    // Some rule has a group condition (so each start needs its groups).
    bool hasGroupRules() const { return m_hasGroupRules; }
    // Some rule has a parent condition (so the parent's path must be the
    // parent's file: FileIdentity).
    bool hasParentRules() const { return m_hasParentRules; }
    // The message and link of rule id (empty when none or no such rule).
    void ruleText(uint32_t id, std::string *message, std::string *link) const;
    const pg_rule_cache &cache() const { return m_cache; }

    // --- time (pg_schedule.h) ---
    // The moment, zone and boot that decide which rules are in force.
    // tz and bootId must outlive the store (or the next call). A policy
    // installed after setBoot() has its unstamped "until reboot" rules
    // stamped with bootId.
    void setTime(int64_t now, const pg_tz *tz);
    void setBoot(const uint8_t *bootId) { m_bootId = bootId; }
    // Rules whose daily budget is used up: compiled as BLOCK.
    void setExhausted(std::vector<uint32_t> ruleIds) { m_exhausted = std::move(ruleIds); }
    // Recompiles the rules in force now. True when they changed (the
    // caller flushes any allow cache); false on no change or error.
    bool refresh();
    // The next UTC second at which refresh() may answer differently.
    int64_t nextChange() const;
    // Ids of rules that are past their expiry now.
    std::vector<uint32_t> expiredIds() const;
    // Removes these rules (expired, or ONCE rules that were used); the
    // generation goes up. False when none of them was in the policy.
    bool removeRules(const std::vector<uint32_t> &ids);
    // The time block of rule id; false when it has none (or no such rule).
    bool ruleTime(uint32_t id, pg_rule_time *out) const;
    // Every rule with a daily budget: id and its time block.
    std::vector<std::pair<uint32_t, pg_rule_time>> budgetRules() const;
    // A cache of only the budget rules in force now (actions as sent);
    // empty when there are none.
    const pg_rule_cache &budgetCache() const { return m_budgetCache; }
    uint64_t generation() const { return m_policy.generation; }
    // The message to persist (type SET_POLICY, request id 0).
    std::vector<uint8_t> persistBytes() const { return m_bytes; }
    // The rules in force now as a policy of their own (SET_POLICY, no time
    // blocks, used-up budgets as BLOCK): what the sentry decides with
    // while the daemon is down (Sentry.h). apply() accepts it.
    std::vector<uint8_t> inForceBytes() const;
    // A PG_MSG_POLICY reply with the given request id and version.
    std::vector<uint8_t> replyBytes(uint64_t requestId, uint16_t version) const;

private:
    int install(const uint8_t *msg, size_t len, uint64_t generation, uint32_t *detail);
    pg_time_context timeContext() const;
    // Compiles the rules of bytes in force now into *arena/*cache (and
    // the budget-only cache). Returns PG_OK or an error.
    int compile(const std::vector<uint8_t> &bytes, std::vector<uint64_t> *arena,
                pg_rule_cache *cache, std::vector<uint8_t> *selected, uint32_t *detail);
    void compileBudgets();

    std::vector<uint8_t> m_bytes;  // the message; the cache may point into it
    std::vector<uint64_t> m_arena; // compiled rules (8-byte aligned)
    pg_rule_cache m_cache;
    pg_policy m_policy;
    uint32_t m_kinds = 0;
    bool m_hasGroupRules = false;
    bool m_hasParentRules = false;

    int64_t m_now = 0;
    const pg_tz *m_tz = nullptr;
    const uint8_t *m_bootId = nullptr;
    std::vector<uint32_t> m_exhausted;
    std::vector<uint8_t> m_selected; // the records compiled into m_cache
    std::vector<uint8_t> m_budgetRecords;
    std::vector<uint64_t> m_budgetArena;
    pg_rule_cache m_budgetCache;
};
