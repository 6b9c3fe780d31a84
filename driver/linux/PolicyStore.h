// PolicyStore.h - the policy in force and its compiled rule cache.
//
// Owns: the raw policy message (pg_policy + pg_rule records, exactly the
// bytes of a validated PG_MSG_SET_POLICY, which is also the on-disk format
// of <state-dir>/policy.bin), the rule cache compiled from it, and the
// generation counter. Main thread only.
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
    // The message and link of rule id (empty when none or no such rule).
    void ruleText(uint32_t id, std::string *message, std::string *link) const;
    const pg_rule_cache &cache() const { return m_cache; }
    uint64_t generation() const { return m_policy.generation; }
    // The message to persist (type SET_POLICY, request id 0).
    std::vector<uint8_t> persistBytes() const { return m_bytes; }
    // A PG_MSG_POLICY reply with the given request id and version.
    std::vector<uint8_t> replyBytes(uint64_t requestId, uint16_t version) const;

private:
    int install(const uint8_t *msg, size_t len, uint64_t generation, uint32_t *detail);

    std::vector<uint8_t> m_bytes;  // the message; the cache may point into it
    std::vector<uint64_t> m_arena; // compiled rules (8-byte aligned)
    pg_rule_cache m_cache;
    pg_policy m_policy;
    uint32_t m_kinds = 0;
    bool m_hasGroupRules = false;
};
