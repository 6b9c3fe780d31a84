// PolicyStore.cpp - see PolicyStore.h.
#include "PolicyStore.h"

#include <cstring>

#include "ProcFs.h"

PolicyStore::PolicyStore()
{
    setDefault();
}

void PolicyStore::setDefault()
{
    pg_policy p;
    std::memset(&p, 0, sizeof p);
    p.hdr.size = sizeof p;
    p.hdr.version = PG_PROTOCOL_VERSION;
    p.hdr.type = PG_MSG_SET_POLICY;
    p.mode = PG_MODE_MONITOR;
    p.default_verdict = PG_VERDICT_ALLOW;
    p.timeout_ms = 30000;
    p.hold_budget_ms = 1000;
    m_bytes.assign(reinterpret_cast<const uint8_t *>(&p),
                   reinterpret_cast<const uint8_t *>(&p) + sizeof p);
    m_arena.clear();
    pg_rule_cache_init_empty(&m_cache);
    m_policy = p;
    m_kinds = 0;
    m_hasGroupRules = false;
}

bool PolicyStore::load(const std::string &path, std::string *why, bool *missing)
{
    *missing = false;
    std::string text;
    if (!ProcFs::readFile(path, &text, PG_MAX_MESSAGE_SIZE + 1)) {
        *missing = true;
        *why = path + " does not exist or cannot be read";
        setDefault();
        return false;
    }
    const uint8_t *msg = reinterpret_cast<const uint8_t *>(text.data());
    uint32_t detail = 0;
    int rc = pg_validate_client_message(msg, text.size(), &detail);
    if (rc == PG_OK && text.size() >= sizeof(pg_msg_header)) {
        pg_msg_header hdr;
        std::memcpy(&hdr, msg, sizeof hdr);
        if (hdr.type != PG_MSG_SET_POLICY)
            rc = PG_E_TYPE;
    }
    if (rc != PG_OK) {
        *why = path + " is not a valid policy (" + pg_status_name(rc) + ", record " +
               std::to_string(detail) + ")";
        setDefault();
        return false;
    }
    pg_policy p;
    std::memcpy(&p, msg, sizeof p);
    rc = install(msg, text.size(), p.generation, &detail);
    if (rc != PG_OK) {
        *why = path + ": its rules do not compile (" + std::string(pg_status_name(rc)) + ")";
        setDefault();
        return false;
    }
    return true;
}

int PolicyStore::apply(const uint8_t *msg, size_t len, uint32_t *detail)
{
    return install(msg, len, m_policy.generation + 1, detail);
}

int PolicyStore::install(const uint8_t *msg, size_t len, uint64_t generation, uint32_t *detail)
{
    *detail = 0;
    if (len < sizeof(pg_policy))
        return PG_E_SIZE;
    std::vector<uint8_t> bytes(msg, msg + len);
    pg_policy p;
    std::memcpy(&p, bytes.data(), sizeof p);
    p.hdr.request_id = 0;
    p.hdr.type = PG_MSG_SET_POLICY;
    p.hdr.version = PG_PROTOCOL_VERSION;
    p.generation = generation;
    std::memcpy(bytes.data(), &p, sizeof p);

    const uint8_t *rules = bytes.data() + sizeof p;
    size_t rulesLen = len - sizeof p;
    size_t arenaSize = pg_rule_cache_arena_size(rules, rulesLen, p.rule_count);
    std::vector<uint64_t> arena((arenaSize + 7) / 8 + 1);
    pg_rule_cache cache;
    pg_rule_cache_init_empty(&cache);
    int rc = pg_rule_cache_build(&cache, arena.data(), arena.size() * 8, rules, rulesLen,
                                 p.rule_count, p.flags);
    if (rc != PG_OK)
        return rc;
    // Swap only after the build succeeded. Moving a vector keeps its heap
    // buffer, so pointers the cache holds into the arena or the rule bytes
    // stay valid.
    m_bytes = std::move(bytes);
    m_arena = std::move(arena);
    m_cache = cache;
    m_policy = p;
    m_kinds = 0;
    m_hasGroupRules = false;
    size_t off = sizeof p;
    for (uint32_t i = 0; i < p.rule_count; ++i) {
        pg_rule r;
        std::memcpy(&r, m_bytes.data() + off, sizeof r);
        m_kinds |= 1u << r.kind;
        if ((r.flags & PG_RULEF_GROUP) != 0)
            m_hasGroupRules = true;
        off += r.size;
    }
    return PG_OK;
}

void PolicyStore::ruleText(uint32_t id, std::string *message, std::string *link) const
{
    message->clear();
    link->clear();
    if (id == 0)
        return;
    size_t off = sizeof(pg_policy);
    for (uint32_t i = 0; i < m_policy.rule_count; ++i) {
        pg_rule r;
        std::memcpy(&r, m_bytes.data() + off, sizeof r);
        if (r.id == id) {
            const char *s = reinterpret_cast<const char *>(m_bytes.data()) + off + sizeof r +
                            r.pattern_len + r.parent_len;
            if (r.message_len != 0)
                message->assign(s, r.message_len - 1u);
            if (r.link_len != 0)
                link->assign(s + r.message_len, r.link_len - 1u);
            return;
        }
        off += r.size;
    }
}

std::vector<uint8_t> PolicyStore::replyBytes(uint64_t requestId, uint16_t version) const
{
    std::vector<uint8_t> out = m_bytes;
    pg_policy p;
    std::memcpy(&p, out.data(), sizeof p);
    p.hdr.type = PG_MSG_POLICY;
    p.hdr.request_id = requestId;
    p.hdr.version = version;
    p.hdr.size = static_cast<uint32_t>(out.size());
    std::memcpy(out.data(), &p, sizeof p);
    return out;
}
