// FactResolver.cpp - the facts loop of pg_rules.h on the client's side.
#include "FactResolver.h"

#include <algorithm>
#include <cstring>

#include "Messages.h"

namespace pg
{

struct FactResolver::Compiled {
    std::vector<uint8_t> bytes; // the encoded SET_POLICY; records follow pg_policy
    std::vector<uint8_t> arena;
    pg_rule_cache cache{};
    std::vector<Rule> rules;
    Mode mode = Mode::Monitor;
};

FactResolver::FactResolver(FactSource &source) : m_source(source) {}

FactResolver::~FactResolver() = default;

bool FactResolver::setPolicy(const Policy &policy, std::string *error)
{
    auto c = std::make_unique<Compiled>();
    std::string why;
    c->bytes = msg::encodeSetPolicy(1, policy, &why);
    if (c->bytes.empty()) {
        *error = why;
        return false;
    }
    const uint8_t *records = c->bytes.data() + sizeof(pg_policy);
    const size_t len = c->bytes.size() - sizeof(pg_policy);
    const uint32_t count = static_cast<uint32_t>(policy.rules.size());
    c->arena.resize(std::max<size_t>(1, pg_rule_cache_arena_size(records, len, count)));
    uint32_t detail = 0;
    const int rc = pg_rule_cache_build_ex(&c->cache, c->arena.data(), c->arena.size(), records, len,
                                          count, policy.caseFold ? PG_POLF_CASE_FOLD : 0u, &detail);
    if (rc != PG_OK) {
        *error = "The policy cannot be compiled: rule " + std::to_string(detail + 1) +
                 " is refused (code " + std::to_string(rc) + ").";
        return false;
    }
    c->rules = policy.rules;
    c->mode = policy.mode;
    m_compiled = std::move(c);
    return true;
}

bool FactResolver::hasPolicy() const
{
    return m_compiled != nullptr;
}

Mode FactResolver::mode() const
{
    return m_compiled ? m_compiled->mode : Mode::Monitor;
}

Resolution FactResolver::resolve(const Event &request)
{
    Resolution out;
    if (!m_compiled)
        return out;
    pg_match_input in;
    std::memset(&in, 0, sizeof in);
    in.image = request.image.data();
    in.image_len = request.image.size();
    if (!request.parentImage.empty()) {
        in.parent_image = request.parentImage.data();
        in.parent_len = request.parentImage.size();
    }
    in.uid = request.uid;
    // A REQUEST carries the command line the component saw; without one,
    // command-line rules stay undecided (needs says so).
    if (!request.cmdline.empty()) {
        in.known |= PG_FACT_CMDLINE;
        in.cmdline = request.cmdline.data();
        in.cmdline_len = request.cmdline.size();
    }
    // A fact this platform cannot have is known to be absent: a SIGNER rule
    // on Linux never matches, rather than leaving the answer open forever.
    const uint32_t supplied = m_source.facts();
    if ((supplied & PG_FACT_SIGNER) == 0)
        in.known |= PG_FACT_SIGNER;

    pg_match_result res;
    int matched = 0;
    std::string subject;
    // At most one round per fact the source can find.
    for (int round = 0; round < 2; ++round) {
        matched = pg_rule_cache_match(&m_compiled->cache, &in, &res);
        if ((res.needs & PG_FACT_SIGNER) == 0 || (in.known & PG_FACT_SIGNER) != 0)
            break;
        out.signer = m_source.signer(request.image);
        in.known |= PG_FACT_SIGNER;
        if (out.signer->trusted && !out.signer->subject.empty()) {
            subject = out.signer->subject;
            in.signer = subject.data();
            in.signer_len = subject.size();
        }
    }
    out.needs = res.needs;
    if (matched == 1 && res.index < m_compiled->rules.size()) {
        out.decided = true;
        out.action = static_cast<Verdict>(res.action);
        out.ruleId = res.rule_id;
        out.kind = static_cast<RuleKind>(res.kind);
        out.index = res.index;
    }
    return out;
}

std::optional<Verdict> verdictForFacts(const Resolution &r, Mode mode)
{
    // Monitor never blocks and never asks (the component holds nothing
    // then; this covers a mode change while the request was on its way).
    if (mode == Mode::Monitor)
        return Verdict::Allow;
    if (r.decided && (r.action == Verdict::Allow || r.action == Verdict::Block))
        return r.action;
    if (!r.decided && mode == Mode::Lockdown)
        return Verdict::Block;
    return std::nullopt;
}

} // namespace pg
