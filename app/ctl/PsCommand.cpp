// PsCommand.cpp - `procguardctl ps [--tree] [--json]`, from the ProcessSource.
//
// Needs no kernel component. In a tree, a process whose parent is not in
// the snapshot (PID 1, kernel threads' parent 0, or a parent that exited)
// is a root.
#include <functional>
#include <iomanip>
#include <map>
#include <set>

#include "Commands.h"
#include "ExitCodes.h"
#include "Format.h"

namespace pg
{
namespace ctl
{

int runPs(const Options &o, Context &ctx)
{
    if (!ctx.processes) {
        *ctx.err << "Process listing is not available on this platform.\n";
        return kExitFailed;
    }
    const std::vector<ProcessInfo> procs = ctx.processes->snapshot();
    std::ostream &out = *ctx.out;

    // Children by parent, in pid order; roots are those whose parent is absent.
    std::set<uint32_t> pids;
    for (const ProcessInfo &p : procs)
        pids.insert(p.pid);
    std::map<uint32_t, std::vector<const ProcessInfo *>> children;
    std::vector<const ProcessInfo *> roots;
    for (const ProcessInfo &p : procs) {
        if (p.ppid != p.pid && pids.count(p.ppid))
            children[p.ppid].push_back(&p);
        else
            roots.push_back(&p);
    }

    if (o.json) {
        nlohmann::json j = nlohmann::json::array();
        if (o.tree) {
            std::function<nlohmann::json(const ProcessInfo &)> node = [&](const ProcessInfo &p) {
                nlohmann::json n = toJson(p);
                n["children"] = nlohmann::json::array();
                for (const ProcessInfo *c : children[p.pid])
                    n["children"].push_back(node(*c));
                return n;
            };
            for (const ProcessInfo *r : roots)
                j.push_back(node(*r));
        } else {
            for (const ProcessInfo &p : procs)
                j.push_back(toJson(p));
        }
        out << j.dump(2) << '\n';
        return kExitOk;
    }

    out << std::left << std::setw(8) << "PID" << std::setw(8) << "PPID" << std::setw(12) << "USER"
        << std::setw(20) << "START"
        << "COMMAND\n";
    auto line = [&](const ProcessInfo &p, size_t depth) {
        const std::string start = formatLocalTime(p.startTimeNs).substr(0, 19);
        std::string what = p.cmdline.empty() ? "[" + p.name + "]" : p.cmdline;
        out << std::left << std::setw(8) << p.pid << std::setw(8) << p.ppid << std::setw(12)
            << p.user << std::setw(20) << start << std::string(depth * 2, ' ') << what << '\n';
    };
    if (!o.tree) {
        for (const ProcessInfo &p : procs)
            line(p, 0);
        return kExitOk;
    }
    // Iterative depth-first walk: deep trees must not exhaust the stack.
    std::vector<std::pair<const ProcessInfo *, size_t>> stack;
    for (auto it = roots.rbegin(); it != roots.rend(); ++it)
        stack.emplace_back(*it, 0);
    while (!stack.empty()) {
        auto [p, depth] = stack.back();
        stack.pop_back();
        line(*p, depth);
        const auto &kids = children[p->pid];
        for (auto it = kids.rbegin(); it != kids.rend(); ++it)
            stack.emplace_back(*it, depth + 1);
    }
    return kExitOk;
}

} // namespace ctl
} // namespace pg
