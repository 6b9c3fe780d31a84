// ProcFactDecode.cpp - see ProcFactDecode.h.
#include "ProcFactDecode.h"

#include <cstring>
#include <sys/sysmacros.h>

#include "pg_proc_facts.h"

// The BPF object and this decoder are built from the same header; the
// size is pinned so that a layout change is noticed on both sides.
static_assert(sizeof(pg_fact_hdr) == 56, "pg_fact_hdr layout changed");

bool decodeProcFact(const void *data, size_t size, uint64_t nsPerTick, size_t maxCmdlineBytes,
                    ProcFact *out)
{
    pg_fact_hdr h;
    if (data == nullptr || size < sizeof h || nsPerTick == 0)
        return false;
    std::memcpy(&h, data, sizeof h); // the ring only promises 8-byte alignment
    const size_t tail = static_cast<size_t>(h.args_len) + h.path_len;
    if (tail > size - sizeof h)
        return false;
    switch (h.kind) {
    case PG_FACT_FORK:
        out->kind = ProcFact::Kind::Fork;
        break;
    case PG_FACT_EXEC:
        out->kind = ProcFact::Kind::Exec;
        break;
    case PG_FACT_EXIT:
        out->kind = ProcFact::Kind::Exit;
        break;
    default:
        return false;
    }
    out->pid = h.pid;
    out->ppid = h.ppid;
    out->uid = h.uid;
    out->exitCode = h.exit_code;
    // /proc/PID/stat: nsec_to_clock_t(start_boottime), a truncating division.
    out->startTicks = h.start_boottime_ns / nsPerTick;
    out->comm.assign(h.comm, strnlen(h.comm, sizeof h.comm));
    out->image.clear();
    out->imageKnown = false;
    out->imageDev = 0;
    out->pathless = false;
    out->cmdline.clear();
    out->cmdlineTruncated = false;
    out->cmdlineKnown = false;
    if (out->kind != ProcFact::Kind::Exec)
        return true;

    // The kernel's device encoding (MINORBITS 20), as userspace's dev_t.
    if (h.dev != 0)
        out->imageDev = makedev(h.dev >> 20, h.dev & 0xFFFFFu);
    const char *bytes = static_cast<const char *>(data) + sizeof h;
    // A lone "/" is no program: a file without a place in any tree (an
    // in-memory file, whose name only the kernel's d_dname gives, as
    // "/memfd:NAME (deleted)" in /proc/PID/exe) walks to its own root.
    out->pathless = h.path_len == 1 && bytes[h.args_len] == '/';
    if (h.path_len > 1 && (h.flags & PG_FACTF_PATH_TRUNCATED) == 0 && bytes[h.args_len] == '/') {
        out->image.assign(bytes + h.args_len, h.path_len);
        out->imageKnown = true;
    }
    if ((h.flags & PG_FACTF_ARGS_UNREAD) != 0)
        return true;
    // As ProcFs::cmdline: trailing NULs dropped, inner NULs become spaces,
    // cut to maxCmdlineBytes - 1 bytes (flagged).
    std::string raw(bytes, h.args_len);
    while (!raw.empty() && raw.back() == '\0')
        raw.pop_back();
    for (char &c : raw) {
        if (c == '\0')
            c = ' ';
    }
    bool truncated = (h.flags & PG_FACTF_ARGS_TRUNCATED) != 0;
    if (maxCmdlineBytes > 0 && raw.size() > maxCmdlineBytes - 1) {
        raw.resize(maxCmdlineBytes - 1);
        truncated = true;
    }
    if (raw.empty()) {
        // As ProcScanner::scanOne: no argv, show the name as ps does.
        out->cmdline = "[" + out->comm + "]";
        out->cmdlineTruncated = false;
    } else {
        out->cmdline = std::move(raw);
        out->cmdlineTruncated = truncated;
    }
    out->cmdlineKnown = true;
    return true;
}
