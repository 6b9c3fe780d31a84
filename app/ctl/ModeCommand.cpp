// ModeCommand.cpp - `procguardctl mode monitor|prompt|lockdown [...]`.
//
// Read-modify-write of the policy: rules and unnamed settings are kept.
#include "Commands.h"
#include "ExitCodes.h"
#include "Format.h"

namespace pg
{
namespace ctl
{

int runMode(const Options &o, Context &ctx)
{
    Session s;
    if (int rc = openSession(o, ctx, true, false, nullptr, &s))
        return rc;
    Policy policy;
    if (Error e = s.link->getPolicy(&policy, ctx.requestTimeout))
        return fail(ctx, e);
    policy.mode = o.mode;
    if (o.defaultVerdict)
        policy.defaultVerdict = *o.defaultVerdict;
    if (o.timeoutMs)
        policy.timeoutMs = *o.timeoutMs;
    if (o.budgetMs)
        policy.holdBudgetMs = *o.budgetMs;
    if (Error e = s.link->setPolicy(policy, ctx.requestTimeout))
        return fail(ctx, e);
    s.link->close();
    *ctx.out << "Mode " << toString(policy.mode) << ", default " << toString(policy.defaultVerdict)
             << ", timeout "
             << (policy.timeoutMs == 0 ? std::string("no limit")
                                       : std::to_string(policy.timeoutMs) + " ms")
             << ", hold budget " << policy.holdBudgetMs << " ms.\n";
    return kExitOk;
}

} // namespace ctl
} // namespace pg
