// LearnCommand.cpp - `procguardctl learn [--seconds N] [--apply]`.
//
// Learning mode: switch to monitor (log, never block), watch what starts
// for N seconds, and propose allow rules for everything lockdown would
// have blocked (VERDICT events flagged would-block; EXEC events of those
// programs count how often they ran). Proposals are grouped by package or
// folder (LearnProposals.h). Without --apply the mode in force before is
// restored and nothing else changes; with --apply the rules are added and
// the mode becomes lockdown, in one policy update.
//
// Needs control (it changes the mode): run it while no panel controls
// the component.
#include <chrono>
#include <map>

#include "Commands.h"
#include "ExitCodes.h"
#include "Format.h"
#include "LearnProposals.h"

namespace pg
{
namespace ctl
{

int runLearn(const Options &o, Context &ctx)
{
    EventQueue queue;
    Session s;
    if (int rc = openSession(o, ctx, true, false, &queue, &s))
        return rc;
    Policy policy;
    if (Error e = s.link->getPolicy(&policy, ctx.requestTimeout))
        return fail(ctx, e);
    const Mode before = policy.mode;
    if (before != Mode::Monitor) {
        Policy monitor = policy;
        monitor.mode = Mode::Monitor;
        if (Error e = s.link->setPolicy(monitor, ctx.requestTimeout))
            return fail(ctx, e);
    }
    *ctx.out << "Learning for " << o.learnSeconds
             << " s in monitor mode: start the programs that should be allowed.\n";
    ctx.out->flush();

    // image -> starts seen
    std::map<std::string, uint32_t> wouldBlock;
    std::map<std::string, uint32_t> execs;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.learnSeconds);
    std::optional<Error> gone;
    bool interrupted = false;
    std::vector<bool> ready;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0)
            break;
        waitReadable({queue.fd(), ctx.stopFd}, static_cast<int>(std::min<long long>(left, 1000)),
                     &ready);
        if (ready[1]) {
            interrupted = true;
            break;
        }
        queue.drainWakeup();
        for (const Event &e : queue.take(&gone)) {
            if (e.kind == EventKind::Verdict && (e.flags & PG_EVF_WOULD_BLOCK) != 0 &&
                (e.flags & PG_EVF_BUDGET) == 0 && !e.image.empty())
                ++wouldBlock[e.image];
            else if (e.kind == EventKind::Exec && !e.image.empty())
                ++execs[e.image];
        }
        if (gone)
            break;
    }
    if (gone) {
        s.link->close();
        return fail(ctx, *gone ? *gone
                               : Error{Error::Code::Disconnected, 0,
                                       "The connection to the component closed."});
    }

    std::vector<std::string> images;
    for (const auto &kv : wouldBlock)
        images.push_back(kv.first);
    const std::vector<Proposal> proposals =
        proposeRules(images, o.learnPackages ? dpkgPackageLookup(o.learnDpkgInfo)
                                             : std::function<std::string(const std::string &)>());

    if (proposals.empty()) {
        *ctx.out << "Nothing ran that lockdown would block: no rules to propose.\n";
    } else {
        *ctx.out << "Proposed rules (" << proposals.size() << "):\n";
        for (const Proposal &p : proposals) {
            *ctx.out << "  allow " << toString(p.rule.kind) << ' ' << p.rule.pattern << "  ("
                     << p.programs.size() << (p.programs.size() == 1 ? " program" : " programs");
            uint32_t runs = 0;
            for (const std::string &image : p.programs)
                runs += std::max(wouldBlock[image], execs[image]);
            *ctx.out << ", " << runs << (runs == 1 ? " start)\n" : " starts)\n");
            if (p.programs.size() > 1 || p.rule.kind != RuleKind::Exact) {
                for (const std::string &image : p.programs)
                    *ctx.out << "      " << image << '\n';
            }
        }
    }

    // Read the policy again: it may have changed while we watched.
    Policy now;
    if (Error e = s.link->getPolicy(&now, ctx.requestTimeout))
        return fail(ctx, e);
    if (o.learnApply && !interrupted) {
        for (const Proposal &p : proposals) {
            Rule r = p.rule;
            r.id = 0;
            now.rules.push_back(r);
        }
        now.mode = Mode::Lockdown;
        if (Error e = s.link->setPolicy(now, ctx.requestTimeout))
            return fail(ctx, e);
        *ctx.out << "Added " << proposals.size() << " rule(s); mode lockdown.\n";
    } else {
        if (now.mode != before) {
            now.mode = before;
            if (Error e = s.link->setPolicy(now, ctx.requestTimeout))
                return fail(ctx, e);
        }
        *ctx.out << (interrupted ? "Interrupted; " : "") << "nothing applied (mode "
                 << toString(before) << "). Run with --apply to add these rules and switch to "
                 << "lockdown.\n";
    }
    s.link->close();
    return kExitOk;
}

} // namespace ctl
} // namespace pg
