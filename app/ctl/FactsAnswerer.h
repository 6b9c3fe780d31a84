// FactsAnswerer.h - answers a REQUEST held only for facts (PG_EVF_FACTS)
// with the policy in force, for `approve` (the controlling client) and
// `resolve` (the resolver role).
//
// procguard.sys cannot verify a signature, so a start that a SIGNER rule
// could decide is held for user mode. answer() fetches the policy in force
// (per request: such requests are rare and the policy may have changed),
// finds the facts (FactResolver.h), matches again and sends the rule's
// verdict - or lockdown's block / monitor's allow when no rule decides -
// printing one line "<label>: allow by the policy (...)". What only a
// person can decide (prompt mode, an ask rule) is left to the caller.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

#include "FactResolver.h"
#include "KernelLink.h"

namespace pg
{
namespace ctl
{

// "pid 42 C:\path\app.exe": how a held start is named in every line.
std::string holdLabel(const Event &e);

struct FactsAnswer {
    bool answered = false;      // the policy decided and the verdict went out (or failed)
    std::optional<Error> fatal; // the link is gone or silent (Disconnected, Timeout)
    std::string signer;         // the signer check's sentence, when one was made
};

class FactsAnswerer
{
public:
    // facts null: no user-mode facts, so SIGNER rules never match.
    FactsAnswerer(KernelLink &link, FactSource *facts, std::ostream &out, std::ostream &err,
                  std::chrono::milliseconds requestTimeout);

    // request: a REQUEST event marked PG_EVF_FACTS. Not answered (answered
    // false, no fatal): a person must decide, or the policy could not be
    // read or compiled (said on err).
    FactsAnswer answer(const Event &request);

private:
    // No user-mode facts (no FactSource given): SIGNER rules never match.
    class NoFacts : public FactSource
    {
    public:
        uint32_t facts() const override { return 0; }
        SignerInfo signer(const std::string &) override { return {}; }
    };

    KernelLink &m_link;
    NoFacts m_noFacts;
    FactResolver m_resolver;
    std::ostream &m_out;
    std::ostream &m_err;
    std::chrono::milliseconds m_timeout;
};

} // namespace ctl
} // namespace pg
