// FactsAnswerer.cpp - see FactsAnswerer.h.
#include "FactsAnswerer.h"

namespace pg
{
namespace ctl
{

namespace
{

// The link cannot carry on: the session ends (approve) or reconnects (resolve).
bool linkLost(const Error &e)
{
    return e.code == Error::Code::Disconnected || e.code == Error::Code::Timeout;
}

} // namespace

std::string holdLabel(const Event &e)
{
    return "pid " + std::to_string(e.pid) + " " + (e.image.empty() ? "(unknown image)" : e.image);
}

FactsAnswerer::FactsAnswerer(KernelLink &link, FactSource *facts, std::ostream &out,
                             std::ostream &err, std::chrono::milliseconds requestTimeout)
    : m_link(link), m_resolver(facts ? *facts : m_noFacts), m_out(out), m_err(err),
      m_timeout(requestTimeout)
{
}

FactsAnswer FactsAnswerer::answer(const Event &request)
{
    FactsAnswer a;
    Policy policy;
    std::string why;
    if (Error err = m_link.getPolicy(&policy, m_timeout)) {
        m_err << "Could not read the policy to check " << holdLabel(request) << ": " << err.message
              << '\n';
        if (linkLost(err)) {
            a.answered = true;
            a.fatal = err;
        }
        return a;
    }
    if (!m_resolver.setPolicy(policy, &why)) {
        m_err << why << '\n';
        return a;
    }
    const Resolution r = m_resolver.resolve(request);
    if (r.signer)
        a.signer = r.signer->reason;
    const std::optional<Verdict> v = verdictForFacts(r, policy.mode);
    if (!v)
        return a;
    std::string reason;
    if (r.decided)
        reason = "rule " + std::to_string(r.ruleId) + " (" + toString(r.kind) + ")";
    else
        reason = std::string("no rule, ") + toString(policy.mode) + " mode";
    if (!a.signer.empty())
        reason += "; " + a.signer;

    a.answered = true;
    uint32_t unknown = 0;
    if (Error err = m_link.sendVerdicts({{request.holdId, *v}}, &unknown, m_timeout)) {
        m_err << err.message << '\n';
        if (linkLost(err))
            a.fatal = err;
        return a;
    }
    if (unknown > 0)
        m_out << holdLabel(request) << ": already decided elsewhere.\n";
    else
        m_out << holdLabel(request) << ": " << toString(*v) << " by the policy (" << reason
              << ").\n";
    m_out.flush();
    return a;
}

} // namespace ctl
} // namespace pg
