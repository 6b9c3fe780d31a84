// MonitorCommand.cpp - `procguardctl monitor [--json] [--snapshot]`.
//
// Connects as an observer (never asks for control, so it can run next to
// the panel) and prints every event until SIGINT/SIGTERM or the component
// goes away. Sequence gaps and overflows are reported on stderr: a
// monitor that silently misses events would mislead.
#include "Commands.h"
#include "ExitCodes.h"
#include "Format.h"

namespace pg
{
namespace ctl
{

int runMonitor(const Options &o, Context &ctx)
{
    EventQueue queue;
    Session s;
    if (int rc = openSession(o, ctx, false, o.snapshot, &queue, &s))
        return rc;
    SequenceTracker tracker;
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
            if (o.json)
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
