// ApproveCommand.cpp - `procguardctl approve [--mode M] [--auto allow|block [--count N]]`.
//
// Becomes the controlling client and answers held starts (REQUEST events).
// Holds queue up in arrival order and are shown one at a time with the
// number still waiting. A hold that is decided elsewhere (a VERDICT event
// for its hold id: timeout, rule change, the component stopping) leaves the
// queue with a note; so does one whose time ran out locally, in case its
// VERDICT event was lost. "Always" appends an exact-path rule to the
// policy in force and then answers the hold.
//
// One thread does everything: it waits (Wakeup.h) on the event queue, the
// stop signal and (interactive only) the input, so a person typing slowly
// never delays reading events (the pg-link worker keeps reading).
// EOF on the input ends the session; holds still queued then get the
// component's default verdict when the link closes.
//
// A request marked PG_EVF_FACTS (procguard.sys held it because a SIGNER
// rule could decide) is first answered by the policy (FactsAnswerer.h,
// shared with `resolve`): a rule's allow or block - or lockdown's block
// when no rule decides - is sent at once. Only what is left (prompt mode,
// an ask rule) is shown.
#include <algorithm>
#include <cctype>
#include <deque>

#include "Commands.h"
#include "ExitCodes.h"
#include "FactsAnswerer.h"
#include "Format.h"
#include "Messages.h"

namespace pg
{
namespace ctl
{

namespace
{

struct Held {
    Event event;
    uint64_t deadlineNs = 0; // 0: no limit
    std::string signer;      // the signer check's sentence, when one was made
};

std::string trim(const std::string &s)
{
    size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a])))
        ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1])))
        --b;
    return s.substr(a, b - a);
}

class Approver
{
public:
    Approver(const Options &o, Context &ctx, KernelLink &link)
        : m_o(o), m_ctx(ctx), m_link(link),
          m_facts(link, ctx.facts, *ctx.out, *ctx.err, ctx.requestTimeout)
    {
    }

    // Returns an exit code, or -1 to keep going.
    int handleEvents(std::vector<Event> &&events);
    int answerFront(Verdict v, bool always);
    void expire();
    void showFront();
    int handleLine(const std::string &line);
    bool empty() const { return m_queue.empty(); }
    bool shown() const { return m_shown; }
    bool limitReached() const { return m_o.count != 0 && m_answered >= m_o.count; }

private:
    std::string userOf(uint32_t uid)
    {
        const std::string name =
            m_ctx.processes ? m_ctx.processes->userName(uid) : std::to_string(uid);
        return name + " (" + std::to_string(uid) + ")";
    }

    // Returns true when the hold was answered by the policy (or an exit
    // code in *rc when the link failed); false to ask a person.
    bool resolveFacts(Held &h, int *rc);

    const Options &m_o;
    Context &m_ctx;
    KernelLink &m_link;
    FactsAnswerer m_facts;
    std::deque<Held> m_queue;
    bool m_shown = false; // the front's prompt is on screen
    uint32_t m_answered = 0;
};

int Approver::handleEvents(std::vector<Event> &&events)
{
    for (Event &e : events) {
        if (e.kind == EventKind::Request && e.holdId != 0) {
            Held h;
            const uint64_t base = e.timeNs != 0 ? e.timeNs : m_ctx.nowNs();
            h.deadlineNs = e.timeoutMs == 0 ? 0 : base + uint64_t{e.timeoutMs} * 1000000ull;
            h.event = std::move(e);
            if ((h.event.flags & PG_EVF_FACTS) != 0) {
                int rc = -1;
                if (resolveFacts(h, &rc)) {
                    if (rc >= 0)
                        return rc;
                    continue;
                }
            }
            m_queue.push_back(std::move(h));
            if (m_o.autoVerdict) {
                const int rc = answerFront(*m_o.autoVerdict, false);
                if (rc >= 0)
                    return rc;
            } else if (m_queue.size() > 1 && m_shown) {
                *m_ctx.out << "(" << m_queue.size() - 1 << " more waiting)\n";
            }
        } else if (e.kind == EventKind::Verdict && e.holdId != 0) {
            auto it = std::find_if(m_queue.begin(), m_queue.end(),
                                   [&](const Held &h) { return h.event.holdId == e.holdId; });
            if (it == m_queue.end())
                continue;
            *m_ctx.out << "Note: " << holdLabel(it->event)
                       << " was decided elsewhere: " << toString(e.verdict) << " ("
                       << toString(e.source) << ").\n";
            if (it == m_queue.begin())
                m_shown = false;
            m_queue.erase(it);
        }
    }
    return -1;
}

bool Approver::resolveFacts(Held &h, int *rc)
{
    FactsAnswer a = m_facts.answer(h.event);
    if (a.fatal)
        *rc = exitCodeFor(*a.fatal);
    h.signer = std::move(a.signer);
    return a.answered;
}

void Approver::expire()
{
    const uint64_t now = m_ctx.nowNs();
    // One second of grace: the component's own timeout and its VERDICT
    // event should normally arrive first.
    for (auto it = m_queue.begin(); it != m_queue.end();) {
        if (it->deadlineNs != 0 && now > it->deadlineNs + 1000000000ull) {
            *m_ctx.out << "Note: " << holdLabel(it->event) << " timed out; the default verdict ("
                       << toString(it->event.defaultVerdict) << ") applied.\n";
            if (it == m_queue.begin())
                m_shown = false;
            it = m_queue.erase(it);
        } else {
            ++it;
        }
    }
}

void Approver::showFront()
{
    if (m_queue.empty() || m_shown)
        return;
    const Held &h = m_queue.front();
    const Event &e = h.event;
    std::ostream &out = *m_ctx.out;
    out << "\nHeld start";
    if (m_queue.size() > 1)
        out << " (" << m_queue.size() - 1 << " more waiting)";
    out << ":\n"
        << "  PID:       " << e.pid << '\n'
        << "  Parent:    " << e.ppid << ' '
        << (e.parentImage.empty() ? std::string("(unknown)") : e.parentImage) << '\n'
        << "  Path:      " << (e.image.empty() ? std::string("(unknown)") : e.image) << '\n';
    if (!e.cmdline.empty())
        out << "  Command:   " << e.cmdline << '\n';
    out << "  User:      " << userOf(e.uid) << '\n';
    if (!h.signer.empty())
        out << "  Signer:    " << h.signer << '\n';
    if (h.deadlineNs == 0) {
        out << "  Time left: no limit\n";
    } else {
        const uint64_t now = m_ctx.nowNs();
        const uint64_t left = h.deadlineNs > now ? (h.deadlineNs - now) / 1000000000ull : 0;
        out << "  Time left: " << left << " s, then " << toString(e.defaultVerdict) << '\n';
    }
    out << "[a]llow / [b]lock / allow [A]lways / block al[W]ays / [s]kip? " << std::flush;
    m_shown = true;
}

int Approver::answerFront(Verdict v, bool always)
{
    Held h = m_queue.front();
    m_queue.pop_front();
    m_shown = false;
    const Event &e = h.event;
    if (always) {
        if (e.image.empty()) {
            *m_ctx.out << "No image path is known; answering this start only.\n";
        } else {
            Policy policy;
            Error err = m_link.getPolicy(&policy, m_ctx.requestTimeout);
            if (!err) {
                Rule r;
                r.kind = RuleKind::Exact;
                r.action = v;
                r.pattern = e.image;
                policy.rules.push_back(r);
                msg::assignRuleIds(policy.rules);
                err = m_link.setPolicy(policy, m_ctx.requestTimeout);
                if (!err)
                    *m_ctx.out << "Added rule " << policy.rules.back().id << ": "
                               << describeRule(policy.rules.back()) << ".\n";
            }
            if (err) {
                *m_ctx.err << "Could not add the rule: " << err.message << '\n';
                if (err.code == Error::Code::Disconnected || err.code == Error::Code::Timeout)
                    return exitCodeFor(err);
            }
        }
    }
    uint32_t unknown = 0;
    if (Error err = m_link.sendVerdicts({{e.holdId, v}}, &unknown, m_ctx.requestTimeout)) {
        *m_ctx.err << err.message << '\n';
        if (err.code == Error::Code::Disconnected || err.code == Error::Code::Timeout)
            return exitCodeFor(err);
        return -1;
    }
    ++m_answered;
    if (unknown > 0)
        *m_ctx.out << holdLabel(e) << ": already decided elsewhere.\n";
    else
        *m_ctx.out << holdLabel(e) << ": " << toString(v) << (m_o.autoVerdict ? " (auto)" : "")
                   << ".\n";
    m_ctx.out->flush();
    if (limitReached())
        return kExitOk;
    return -1;
}

int Approver::handleLine(const std::string &raw)
{
    const std::string line = trim(raw);
    if (m_queue.empty()) {
        if (!line.empty())
            *m_ctx.out << "Nothing is waiting for an answer.\n";
        return -1;
    }
    if (line == "a" || line == "allow")
        return answerFront(Verdict::Allow, false);
    if (line == "b" || line == "block")
        return answerFront(Verdict::Block, false);
    if (line == "A")
        return answerFront(Verdict::Allow, true);
    if (line == "W")
        return answerFront(Verdict::Block, true);
    if (line == "s" || line == "skip") {
        *m_ctx.out << "Skipped " << holdLabel(m_queue.front().event)
                   << "; the default verdict applies when its time runs out.\n";
        m_queue.pop_front();
        m_shown = false;
        return -1;
    }
    *m_ctx.out << "Please answer a, b, A, W or s.\n";
    m_shown = false;
    return -1;
}

} // namespace

int runApprove(const Options &o, Context &ctx)
{
    EventQueue queue;
    Session s;
    if (int rc = openSession(o, ctx, true, false, &queue, &s))
        return rc;
    if (o.approveMode) {
        // Set the mode as the controlling client: while this session runs,
        // no other client may change the policy.
        Policy policy;
        if (Error e = s.link->getPolicy(&policy, ctx.requestTimeout))
            return fail(ctx, e);
        policy.mode = *o.approveMode;
        if (Error e = s.link->setPolicy(policy, ctx.requestTimeout))
            return fail(ctx, e);
    }
    Status status;
    if (!s.link->getStatus(&status, ctx.requestTimeout) && status.mode != Mode::Prompt)
        *ctx.out << "Note: the component is in " << toString(status.mode)
                 << " mode; starts are held for approval only in prompt mode.\n";
    *ctx.out << "Controlling " << s.info.serverName << " (pid " << s.info.serverPid
             << "); waiting for held starts." << (o.autoVerdict ? "" : " End with Ctrl-D.") << '\n'
             << std::flush;

    Approver approver(o, ctx, *s.link);
    const WaitHandle inputFd = o.autoVerdict ? kNoWaitHandle : ctx.inputFd;
    std::string pending;
    std::vector<bool> ready;
    int rc = -1;
    while (rc < 0) {
        approver.expire();
        if (!o.autoVerdict)
            approver.showFront();
        // Wake at least once a second to expire holds whose VERDICT was lost.
        waitReadable({queue.fd(), ctx.stopFd, inputFd}, 1000, &ready);
        if (ready[1]) {
            rc = kExitOk;
            break;
        }
        if (ready[0]) {
            queue.drainWakeup();
            std::optional<Error> gone;
            rc = approver.handleEvents(queue.take(&gone));
            if (rc < 0 && gone) {
                rc = fail(ctx, *gone ? *gone
                                     : Error{Error::Code::Disconnected, 0,
                                             "The connection to the component closed."});
            }
            // Show any new hold before reading typed-ahead input, so that an
            // answer never applies to a hold the person has not seen.
            if (rc < 0 && !o.autoVerdict && !approver.empty() && !approver.shown())
                continue;
        }
        if (rc < 0 && ready[2]) {
            char buf[512];
            const long n = readInput(inputFd, buf, sizeof(buf));
            if (n < 0)
                continue;
            if (n <= 0) {
                *ctx.out << "\nEnd of input; leaving.\n";
                rc = kExitOk;
                break;
            }
            pending.append(buf, static_cast<size_t>(n));
            size_t nl;
            while (rc < 0 && (nl = pending.find('\n')) != std::string::npos) {
                const std::string line = pending.substr(0, nl);
                pending.erase(0, nl + 1);
                rc = approver.handleLine(line);
            }
        }
    }
    s.link->close();
    return rc;
}

} // namespace ctl
} // namespace pg
