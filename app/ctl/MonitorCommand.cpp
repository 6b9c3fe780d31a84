// MonitorCommand.cpp - `procguardctl monitor [--json | --format ecs] [--snapshot]`.
//
// Connects as an observer (never asks for control, so it can run next to
// the panel) and prints every event until SIGINT/SIGTERM or the component
// goes away. Sequence gaps and overflows are reported on stderr: a
// monitor that silently misses events would mislead.
//
// --format ecs prints each event as an Elastic Common Schema object
// (docs/ecs.md). rule.name needs the rules: the policy is fetched at the
// start and again after each POLICY event, so a verdict names the rule in
// force when it was decided (a rule removed in between is named by id only).
// --event-log sends the objects to the system event log instead of stdout
// (Windows: the ProcGuard log; warnings for blocks and losses); a record the
// log refuses is reported on stderr once per run of failures.
#include <map>

#include "Commands.h"
#include "ExitCodes.h"
#include "Format.h"

namespace pg
{
namespace ctl
{

namespace
{

// Rules of the policy in force by id, for ECS's rule.name.
class RuleNames
{
public:
    void refresh(KernelLink &link, Context &ctx)
    {
        Policy policy;
        if (Error e = link.getPolicy(&policy, ctx.requestTimeout)) {
            *ctx.err << "monitor: rule names unavailable: " << e.message << '\n';
            return;
        }
        m_rules.clear();
        for (Rule &r : policy.rules)
            m_rules[r.id] = std::move(r);
    }
    const Rule *find(uint32_t id) const
    {
        auto it = m_rules.find(id);
        return it == m_rules.end() ? nullptr : &it->second;
    }

private:
    std::map<uint32_t, Rule> m_rules;
};

} // namespace

int runMonitor(const Options &o, Context &ctx)
{
    std::unique_ptr<EventChannel> channel;
    if (o.eventLog) {
        if (!ctx.openEventChannel) {
            *ctx.err << "--event-log: this system has no ProcGuard event log; on Linux, "
                        "procguardd --events syslog sends the same objects to syslog.\n";
            return kExitUsage;
        }
        std::string why;
        channel = ctx.openEventChannel(&why);
        if (!channel) {
            *ctx.err << why << '\n';
            return kExitFailed;
        }
    }
    bool channelFailing = false;
    EventQueue queue;
    Session s;
    if (int rc = openSession(o, ctx, false, o.snapshot, &queue, &s))
        return rc;
    SequenceTracker tracker;
    EcsContext ecs;
    RuleNames rules;
    std::map<uint32_t, std::string> userNames;
    std::map<std::string, std::pair<std::string, std::string>> accounts; // SID: name, domain
    if (o.ecs) {
        if (ctx.hostIdentity)
            ctx.hostIdentity(&ecs.hostName, &ecs.hostId);
        rules.refresh(*s.link, ctx);
    }
    std::vector<bool> ready;
    for (;;) {
        waitReadable({queue.fd(), ctx.stopFd}, -1, &ready);
        if (ready[1])
            break;
        queue.drainWakeup();
        std::optional<Error> gone;
        for (const Event &e : queue.take(&gone)) {
            if (auto warning = tracker.observe(e))
                *ctx.err << *warning << '\n';
            if (o.ecs) {
                if (e.kind == EventKind::Policy)
                    rules.refresh(*s.link, ctx);
                // The Windows driver reports no uid (0xFFFFFFFF) but a SID.
                ecs.windows = e.uid == 0xFFFFFFFFu;
                std::string user, domain;
                if (ecs.windows && !e.sid.empty() && ctx.accountOfSid) {
                    auto it = accounts.find(e.sid);
                    if (it == accounts.end()) {
                        std::pair<std::string, std::string> a;
                        if (!ctx.accountOfSid(e.sid, &a.first, &a.second))
                            a = {};
                        it = accounts.emplace(e.sid, a).first;
                    }
                    user = it->second.first;
                    domain = it->second.second;
                }
                if (!ecs.windows && ctx.processes != nullptr) {
                    auto it = userNames.find(e.uid);
                    if (it == userNames.end())
                        it = userNames.emplace(e.uid, ctx.processes->userName(e.uid)).first;
                    user = it->second;
                    if (user == std::to_string(e.uid))
                        user.clear(); // no name, only the number: user.id has it
                }
                const Rule *rule = e.kind == EventKind::Verdict && e.source == Source::Rule
                                       ? rules.find(e.ruleId)
                                       : nullptr;
                const std::string object = toEcs(e, ecs, user, rule, domain);
                if (channel) {
                    const bool warning =
                        (e.kind == EventKind::Verdict && e.verdict == Verdict::Block) ||
                        e.kind == EventKind::Overflow || e.kind == EventKind::Resync;
                    std::string why;
                    const bool ok = channel->write(object,
                                                   warning ? EventChannel::Level::Warning
                                                           : EventChannel::Level::Information,
                                                   &why);
                    if (!ok && !channelFailing)
                        *ctx.err << why << '\n';
                    channelFailing = !ok;
                } else {
                    *ctx.out << object << '\n';
                }
            } else if (o.json)
                *ctx.out << toJson(e).dump() << '\n';
            else
                *ctx.out << formatEventLine(e) << '\n';
        }
        ctx.out->flush();
        if (gone) {
            s.link->close();
            return fail(ctx, *gone ? *gone
                                   : Error{Error::Code::Disconnected, 0,
                                           "The connection to the component closed."});
        }
    }
    s.link->close();
    return kExitOk;
}

} // namespace ctl
} // namespace pg
