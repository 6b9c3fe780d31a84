// FactResolver.h - facts about a start that only user mode can find, and
// the policy matched again with them.
//
// The core's matcher (driver/core/pg_rules.h) names the facts it lacked
// in pg_match_result.needs. procguard.sys cannot verify an Authenticode
// signature, so when a SIGNER rule could decide a start it holds the start
// and sends a REQUEST marked PG_EVF_FACTS to the controlling client. The
// client passes that event to resolve(): the missing facts come from a
// FactSource (Windows: the signer, SignerVerifier in app/windows; Linux:
// none, so a SIGNER rule never matches there, as in procguardd), and the
// policy - compiled with the core's rule cache exactly as sent, which is
// how the Windows driver compiles it - is matched again.
//
// Not thread-safe: one resolver per thread. The FactSource may block (a
// signature check reads the file); call resolve() off the GUI thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Types.h"
#include "pg_rules.h"

namespace pg
{

// The image's Authenticode signer, as the system's trust verification sees it.
struct SignerInfo {
    bool trusted = false; // signed, and the chain ends in a trusted root
    std::string subject;  // the leaf signer's display name (UTF-8) when trusted
    std::string reason;   // one sentence: who signed it, or why there is no trusted signer
};

// Where user-mode facts come from (one implementation per platform, and
// fakes in tests).
class FactSource
{
public:
    virtual ~FactSource() = default;
    // PG_FACT_* this source can find; facts it cannot find are treated as
    // known to be absent (no rule of that kind matches).
    virtual uint32_t facts() const = 0;
    // Only called when facts() has PG_FACT_SIGNER. image is the path as the
    // component reports it.
    virtual SignerInfo signer(const std::string &image) = 0;
};

struct Resolution {
    bool decided = false;           // a rule decides the start now
    Verdict action = Verdict::None; // the rule's action (Allow, Block or Ask) when decided
    uint32_t ruleId = 0;
    RuleKind kind = RuleKind::Exact;  // the deciding rule's kind when decided
    size_t index = 0;                 // its position in the policy
    uint32_t needs = 0;               // PG_FACT_* still missing (the answer may be provisional)
    std::optional<SignerInfo> signer; // set when the signer was looked up
};

class FactResolver
{
public:
    explicit FactResolver(FactSource &source);
    ~FactResolver();

    // Compiles policy's rules. false (and one sentence in *error) when they
    // cannot be compiled; the previous policy then stays in force.
    bool setPolicy(const Policy &policy, std::string *error);
    bool hasPolicy() const;
    Mode mode() const;

    // Matches the start a REQUEST event describes, finding the facts the
    // match needs and the source can give, then matching again.
    Resolution resolve(const Event &request);

private:
    struct Compiled;
    FactSource &m_source;
    std::unique_ptr<Compiled> m_compiled;
};

// The FactSource of this platform: the Authenticode signer on Windows
// (SignerFactSource, app/windows/Signer.h); none on Linux, where procguardd
// finds every fact itself (facts() is 0).
std::unique_ptr<FactSource> makePlatformFactSource();

// The verdict for a PG_EVF_FACTS request once facts are known, or nullopt
// when a person must be asked (prompt mode, or an Ask rule): a rule's
// Allow or Block, else lockdown blocks and monitor allows.
std::optional<Verdict> verdictForFacts(const Resolution &r, Mode mode);

} // namespace pg
