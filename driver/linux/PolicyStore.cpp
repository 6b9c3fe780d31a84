// PolicyStore.cpp - see PolicyStore.h.
#include "PolicyStore.h"

#include <cstring>

#include "ProcFs.h"

PolicyStore::PolicyStore()
{
    pg_rule_cache_init_empty(&m_budgetCache);
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
    m_hasParentRules = false;
    m_selected.clear();
    m_budgetRecords.clear();
    m_budgetArena.clear();
    pg_rule_cache_init_empty(&m_budgetCache);
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

pg_time_context PolicyStore::timeContext() const
{
    pg_time_context ctx;
    std::memset(&ctx, 0, sizeof ctx);
    ctx.now = m_now;
    ctx.tz = m_tz;
    ctx.boot_id = m_bootId;
    ctx.exhausted_ids = m_exhausted.empty() ? nullptr : m_exhausted.data();
    ctx.exhausted_count = static_cast<uint32_t>(m_exhausted.size());
    return ctx;
}

void PolicyStore::setTime(int64_t now, const pg_tz *tz)
{
    m_now = now;
    m_tz = tz;
}

namespace
{

// Walks the rule records of a policy message.
template <typename F> void forEachRule(const std::vector<uint8_t> &bytes, F f)
{
    if (bytes.size() < sizeof(pg_policy))
        return;
    pg_policy p;
    std::memcpy(&p, bytes.data(), sizeof p);
    size_t off = sizeof p;
    for (uint32_t i = 0; i < p.rule_count && off + sizeof(pg_rule) <= bytes.size(); ++i) {
        pg_rule r;
        std::memcpy(&r, bytes.data() + off, sizeof r);
        f(r, bytes.data() + off);
        off += r.size;
    }
}

int buildCache(const uint8_t *rules, size_t len, uint32_t count, uint32_t flags,
               std::vector<uint64_t> *arena, pg_rule_cache *cache, uint32_t *detail)
{
    const size_t arenaSize = pg_rule_cache_arena_size(rules, len, count);
    arena->assign((arenaSize + 7) / 8 + 1, 0);
    pg_rule_cache_init_empty(cache);
    return pg_rule_cache_build_ex(cache, arena->data(), arena->size() * 8, rules, len, count, flags,
                                  detail);
}

} // namespace

std::vector<uint8_t> PolicyStore::inForceBytes() const
{
    pg_policy p = m_policy;
    uint32_t count = 0;
    for (size_t off = 0; off + sizeof(pg_rule) <= m_selected.size(); ++count) {
        pg_rule r;
        std::memcpy(&r, m_selected.data() + off, sizeof r);
        if (r.size == 0)
            break;
        off += r.size;
    }
    p.rule_count = count;
    p.hdr.type = PG_MSG_SET_POLICY;
    p.hdr.request_id = 0;
    p.hdr.version = PG_PROTOCOL_VERSION;
    p.hdr.size = static_cast<uint32_t>(sizeof p + m_selected.size());
    std::vector<uint8_t> out(sizeof p + m_selected.size());
    std::memcpy(out.data(), &p, sizeof p);
    if (!m_selected.empty())
        std::memcpy(out.data() + sizeof p, m_selected.data(), m_selected.size());
    return out;
}

int PolicyStore::compile(const std::vector<uint8_t> &bytes, std::vector<uint64_t> *arena,
                         pg_rule_cache *cache, std::vector<uint8_t> *selected, uint32_t *detail)
{
    pg_policy p;
    std::memcpy(&p, bytes.data(), sizeof p);
    const uint8_t *rules = bytes.data() + sizeof p;
    const size_t rulesLen = bytes.size() - sizeof p;
    const pg_time_context ctx = timeContext();
    selected->assign(rulesLen + 8, 0);
    size_t selLen = 0;
    uint32_t selCount = 0;
    int rc = pg_rules_select(rules, rulesLen, p.rule_count, &ctx, selected->data(),
                             selected->size(), &selLen, &selCount, nullptr);
    if (rc != PG_OK)
        return rc;
    selected->resize(selLen);
    // The index in detail refers to the selection; the whole policy was
    // already checked by the caller, so an error here is unexpected.
    return buildCache(selected->data(), selected->size(), selCount, p.flags, arena, cache, detail);
}

void PolicyStore::compileBudgets()
{
    // The budget rules in force, as a policy of their own: which of them
    // (if any) a running program counts against.
    std::vector<uint8_t> recs;
    uint32_t count = 0;
    forEachRule(m_bytes, [&](const pg_rule &r, const uint8_t *rec) {
        pg_rule_time t;
        if (pg_rule_get_time(rec, &t) && t.budget_s != 0) {
            recs.insert(recs.end(), rec, rec + r.size);
            ++count;
        }
    });
    m_budgetRecords.clear();
    m_budgetArena.clear();
    pg_rule_cache_init_empty(&m_budgetCache);
    if (count == 0)
        return;
    pg_time_context ctx = timeContext();
    ctx.exhausted_ids = nullptr; // membership does not depend on the budget left
    ctx.exhausted_count = 0;
    std::vector<uint8_t> sel(recs.size() + 8);
    size_t selLen = 0;
    uint32_t selCount = 0;
    if (pg_rules_select(recs.data(), recs.size(), count, &ctx, sel.data(), sel.size(), &selLen,
                        &selCount, nullptr) != PG_OK)
        return;
    sel.resize(selLen);
    m_budgetRecords = std::move(sel);
    uint32_t detail = 0;
    if (buildCache(m_budgetRecords.data(), m_budgetRecords.size(), selCount, m_policy.flags,
                   &m_budgetArena, &m_budgetCache, &detail) != PG_OK)
        pg_rule_cache_init_empty(&m_budgetCache);
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

    // Every rule must compile, in force now or not (duplicate ids, ...).
    {
        std::vector<uint64_t> whole;
        pg_rule_cache all;
        int rc = buildCache(bytes.data() + sizeof p, len - sizeof p, p.rule_count, p.flags, &whole,
                            &all, detail);
        if (rc != PG_OK)
            return rc;
    }
    // "Until reboot" rules belong to the boot that installed them.
    if (m_bootId != nullptr) {
        size_t off = sizeof p;
        for (uint32_t i = 0; i < p.rule_count; ++i) {
            pg_rule r;
            std::memcpy(&r, bytes.data() + off, sizeof r);
            pg_rule_time t;
            if (pg_rule_get_time(bytes.data() + off, &t) && t.expiry == PG_EXPIRY_REBOOT) {
                static const uint8_t zero[PG_BOOT_ID_BYTES] = {};
                if (std::memcmp(t.boot_id, zero, sizeof zero) == 0) {
                    std::memcpy(t.boot_id, m_bootId, PG_BOOT_ID_BYTES);
                    std::memcpy(bytes.data() + off + pg_rule_time_offset(&r), &t, sizeof t);
                }
            }
            off += r.size;
        }
    }
    std::vector<uint64_t> arena;
    pg_rule_cache cache;
    std::vector<uint8_t> selected;
    int rc = compile(bytes, &arena, &cache, &selected, detail);
    if (rc != PG_OK)
        return rc;
    // Swap only after the build succeeded.
    m_bytes = std::move(bytes);
    m_arena = std::move(arena);
    m_selected = std::move(selected);
    m_cache = cache;
    m_policy = p;
    m_kinds = 0;
    m_hasGroupRules = false;
    m_hasParentRules = false;
    forEachRule(m_bytes, [this](const pg_rule &r, const uint8_t *) {
        m_kinds |= 1u << r.kind;
        if ((r.flags & PG_RULEF_GROUP) != 0)
            m_hasGroupRules = true;
        if (r.parent_len != 0)
            m_hasParentRules = true;
    });
    compileBudgets();
    return PG_OK;
}

bool PolicyStore::refresh()
{
    std::vector<uint64_t> arena;
    pg_rule_cache cache;
    std::vector<uint8_t> selected;
    uint32_t detail = 0;
    if (compile(m_bytes, &arena, &cache, &selected, &detail) != PG_OK)
        return false;
    compileBudgets();
    if (selected == m_selected)
        return false;
    m_arena = std::move(arena);
    m_selected = std::move(selected);
    m_cache = cache;
    return true;
}

int64_t PolicyStore::nextChange() const
{
    const pg_time_context ctx = timeContext();
    return pg_rules_next_change(m_bytes.data() + sizeof(pg_policy),
                                m_bytes.size() - sizeof(pg_policy), m_policy.rule_count, &ctx);
}

std::vector<uint32_t> PolicyStore::expiredIds() const
{
    std::vector<uint32_t> ids;
    const pg_time_context ctx = timeContext();
    forEachRule(m_bytes, [&](const pg_rule &r, const uint8_t *rec) {
        if (pg_rule_state_at(rec, &ctx) == PG_RULE_EXPIRED)
            ids.push_back(r.id);
    });
    return ids;
}

bool PolicyStore::removeRules(const std::vector<uint32_t> &ids)
{
    std::vector<uint8_t> out(m_bytes.begin(), m_bytes.begin() + sizeof(pg_policy));
    uint32_t kept = 0;
    bool removed = false;
    forEachRule(m_bytes, [&](const pg_rule &r, const uint8_t *rec) {
        for (uint32_t id : ids) {
            if (id == r.id) {
                removed = true;
                return;
            }
        }
        out.insert(out.end(), rec, rec + r.size);
        ++kept;
    });
    if (!removed)
        return false;
    pg_policy p;
    std::memcpy(&p, out.data(), sizeof p);
    p.rule_count = kept;
    p.hdr.size = static_cast<uint32_t>(out.size());
    std::memcpy(out.data(), &p, sizeof p);
    uint32_t detail = 0;
    return install(out.data(), out.size(), m_policy.generation + 1, &detail) == PG_OK;
}

bool PolicyStore::ruleTime(uint32_t id, pg_rule_time *out) const
{
    bool found = false;
    forEachRule(m_bytes, [&](const pg_rule &r, const uint8_t *rec) {
        if (!found && r.id == id)
            found = pg_rule_get_time(rec, out) != 0;
    });
    return found;
}

std::vector<std::pair<uint32_t, pg_rule_time>> PolicyStore::budgetRules() const
{
    std::vector<std::pair<uint32_t, pg_rule_time>> out;
    forEachRule(m_bytes, [&](const pg_rule &r, const uint8_t *rec) {
        pg_rule_time t;
        if (pg_rule_get_time(rec, &t) && t.budget_s != 0)
            out.emplace_back(r.id, t);
    });
    return out;
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
