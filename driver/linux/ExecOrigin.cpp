// ExecOrigin.cpp - see ExecOrigin.h.
#include "ExecOrigin.h"

#include <dirent.h>

#include "ProcFs.h"

namespace ExecOrigin
{

namespace
{

// A frame line: "[<0>] open_exec+0x26/0x60". The name is matched whole
// (do_open_execat must not count as open_exec).
bool hasFrame(const std::string &stack, const char *function)
{
    const std::string needle = std::string("] ") + function + "+";
    return stack.find(needle) != std::string::npos;
}

std::string readStack(const std::string &path)
{
    std::string text;
    ProcFs::readFile(path, &text, 8192);
    return text;
}

} // namespace

Kind classifyStack(const std::string &stack)
{
    if (hasFrame(stack, "open_exec"))
        return Kind::Secondary;
    if (hasFrame(stack, "do_open_execat") || hasFrame(stack, "alloc_bprm"))
        return Kind::Program;
    return Kind::Unknown;
}

bool available()
{
    // Our own stack is in the middle of this read: a frame with a name
    // and an offset means the names are shown.
    const std::string self = readStack("/proc/self/stack");
    return self.find("] ") != std::string::npos && self.find("+0x") != std::string::npos &&
           self.find("] 0x") == std::string::npos;
}

Kind classify(uint32_t pid)
{
    const std::string base = "/proc/" + std::to_string(pid);
    const Kind leader = classifyStack(readStack(base + "/stack"));
    if (leader != Kind::Unknown)
        return leader;
    // A thread other than the leader called execve(): find it. At most
    // one thread of a group can be inside execve() past alloc_bprm.
    DIR *d = opendir((base + "/task").c_str());
    if (d == nullptr)
        return Kind::Unknown;
    Kind found = Kind::Unknown;
    int inExec = 0;
    while (struct dirent *e = readdir(d)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        const Kind k = classifyStack(readStack(base + "/task/" + e->d_name + "/stack"));
        if (k != Kind::Unknown) {
            found = k;
            ++inExec;
        }
    }
    closedir(d);
    return inExec == 1 ? found : Kind::Unknown;
}

const char *name(Kind kind)
{
    switch (kind) {
    case Kind::Program:
        return "program";
    case Kind::Secondary:
        return "interpreter";
    case Kind::Unknown:
        break;
    }
    return "unknown";
}

} // namespace ExecOrigin
