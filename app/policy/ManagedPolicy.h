// ManagedPolicy.h - the managed layer: policies imposed by configuration
// management (files in procguardd's --policy-dir, Group Policy values on
// Windows) on top of what a person sets in the panel or with procguardctl.
//
// Owns: reading one managed source (a policy in the format of
// `procguardctl rules export`, PolicyFile.h, plus the key "local_rules"),
// combining several into one layer, checking a client's policy against the
// layer, and composing the policy in force from the layer and the local
// rules. Pure: no I/O, no threads; procguardd (driver/linux/PolicyDir.h)
// reads the files, the Windows side reads the registry (ManagedRegistry.h),
// and both hand the text here.
//
// One source (file):
//   - "mode", "default_verdict", "timeout_ms", "hold_budget_ms": each one
//     the file names is managed: clients cannot change it. A file without
//     "mode" leaves the mode to the clients.
//   - "rules": managed rules. Their ids in the file do not matter: the
//     layer numbers them from kManagedIdBase in file-name order, so they
//     never collide with local rules (numbered from 1). "case_fold": true
//     at the top level folds this file's rules only.
//   - "local_rules": "any" (default), "block-only" (clients may add block
//     rules only) or "none" (clients may add no rule).
//   A source that does not parse or check is rejected WHOLE; the error names
//   the source and the JSON pointer of the bad field (or the line and
//   column of a syntax error).
//
// Combining (several files): the mode is the strictest one named (monitor <
// prompt < lockdown); the default verdict is block when any file says
// block; the timeout and the hold budget are the shortest named (a timeout
// of 0, "no limit", only when every file that names one says 0); the rules
// are the union; "local_rules" is the strictest (none < block-only < any).
//
// In force: the managed rules, then the local rules the layer allows; the
// managed settings replace the local ones. Managed rules are matched before
// every local rule (driver/core/pg_rules.h, rule -1), so no local rule can
// override one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "PolicyFile.h"
#include "Types.h"

namespace pg
{
namespace policy
{

// Managed rules are numbered from here; local ids must stay below it.
constexpr uint32_t kManagedIdBase = 0x80000000u;

enum class LocalRules { Any, BlockOnly, None };
const char *toString(LocalRules l);

// One source, parsed.
struct ManagedSource {
    std::optional<Mode> mode;
    std::optional<Verdict> defaultVerdict;
    std::optional<uint32_t> timeoutMs;
    std::optional<uint32_t> holdBudgetMs;
    LocalRules localRules = LocalRules::Any;
    std::vector<Rule> rules;
};

// Parses and checks one source. name is what errors call it (a path, a
// registry value). False with *error (message names the source) and *out
// untouched on any problem.
bool parseManagedSource(const std::string &name, const std::string &text, ManagedSource *out,
                        PolicyError *error);

// The combined layer. empty(): no source manages anything.
struct ManagedLayer {
    std::optional<Mode> mode;
    std::optional<Verdict> defaultVerdict;
    std::optional<uint32_t> timeoutMs;
    std::optional<uint32_t> holdBudgetMs;
    LocalRules localRules = LocalRules::Any;
    std::vector<Rule> rules;          // managed = true, ids from kManagedIdBase
    std::vector<std::string> origins; // per rule: the source it came from

    bool empty() const
    {
        return !mode && !defaultVerdict && !timeoutMs && !holdBudgetMs &&
               localRules == LocalRules::Any && rules.empty();
    }
    uint32_t flags() const; // PG_MANF_*
    // Rules of a source in the layer.
    uint32_t ruleCountOf(const std::string &name) const;
};

// Combines sources (name, parsed), in the order given (callers sort by
// name). Managed ids follow that order.
ManagedLayer combineManaged(const std::vector<std::pair<std::string, ManagedSource>> &sources);

// Checks a policy a client wants installed against the layer: every
// managed rule present and unchanged, no other rule marked managed, no
// change of a managed setting, only local rules the layer allows, local ids
// below kManagedIdBase. False with *why: one short sentence (it travels in
// a 96-byte result), e.g. "rule 2147483649 is managed (50-santa.json); it
// cannot be removed".
bool checkAgainstManaged(const ManagedLayer &layer, const Policy &proposed, std::string *why);

// The policy in force: local's settings with the managed ones in their
// place, the managed rules, then local's own (unmanaged) rules that the
// layer allows (the others are dropped and counted in *dropped).
Policy composeManaged(const ManagedLayer &layer, const Policy &local, size_t *dropped = nullptr);

// The rules of a policy that no managed source imposes.
std::vector<Rule> localRulesOf(const Policy &policy);

// ---- Windows: Group Policy ------------------------------------------------
//
// HKLM\SOFTWARE\Policies\ProcGuard (installer/windows/procguard.admx):
//   Policy          REG_SZ or REG_MULTI_SZ (lines joined by '\n'): a policy
//                   in the format above
//   Mode            REG_SZ monitor | prompt | lockdown
//   DefaultVerdict  REG_SZ allow | block
//   LocalRules      REG_SZ any | block-only | none
// Each value present is one more source; they combine as files do (the
// strictest mode wins). The driver cannot tell a client from Group Policy,
// so the Windows user-mode side (procguardctl.exe, the panel) reads the key
// and imposes the layer on every policy it sends (groupPolicyGuard()).
constexpr const char *kGroupPolicyKey = "HKLM\\SOFTWARE\\Policies\\ProcGuard";

struct GroupPolicyValues {
    std::optional<std::string> policy;
    std::optional<std::string> mode;
    std::optional<std::string> defaultVerdict;
    std::optional<std::string> localRules;
};

// The layer the values impose, and their state (status->files: one entry
// per value that was rejected, or "Policy" when it was taken). A bad value
// is rejected whole (its error names the key, the value and, for Policy,
// the JSON pointer); the others still apply. Group Policy keeps no last
// good version: it writes the value again at its next refresh.
ManagedLayer managedFromGroupPolicy(const GroupPolicyValues &values, ManagedStatus *status);

// Imposes layer on a policy a client of the driver is about to send:
// refuses (false, *why) a change of a managed setting or a local rule the
// layer does not allow; otherwise *policy becomes composeManaged(layer,
// *policy) - the managed rules as the layer has them, whatever the policy
// carried.
bool imposeManaged(const ManagedLayer &layer, Policy *policy, std::string *why);

} // namespace policy
} // namespace pg
