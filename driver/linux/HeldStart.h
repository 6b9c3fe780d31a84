// HeldStart.h - one start that waits for a person (a pg_pending entry's
// companion in the daemon).
//
// Owns nothing itself; Daemon owns the instances. While eventFd >= 0 the
// launcher still waits in execve() for our fanotify response; after the
// hold budget the response has been written (FAN_ALLOW), eventFd is -1,
// and the process sits frozen in cgroup.dir until the verdict.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "FreezeCgroup.h"

struct HeldStart {
    uint64_t holdId = 0;
    int eventFd = -1;
    uint32_t pid = 0;
    uint32_t ppid = 0;
    uint32_t uid = 0;
    uint8_t defaultVerdict = 0;
    bool frozen = false;
    std::string image;
    std::string parentImage;
    FreezeCgroup::Hold cgroup;
    uint32_t ruleId = 0; // the rule that decided (or the ASK rule that asked)
    // PG_PATH_*: image (or parent image) is not the file for us
    // (FileIdentity.h); path rules do not decide, events say so.
    uint32_t pathFlags = 0;

    // A CMDLINE rule may decide this start: the process was frozen and
    // allowed at once so that its exec completes; the decision waits for
    // its command line (proc connector exec event, or a poll of /proc).
    bool awaitingCmdline = false;
    uint64_t sinceMs = 0;
    // Facts already found at exec-permission time, reused for the second
    // match (the event fd is closed by then).
    std::vector<uint32_t> gids;
    bool shaKnown = false;
    std::string sha; // empty: could not be computed
    bool packageKnown = false;
    std::string package; // empty: no package owns the file unmodified

    // The start waits for its image's digest (DaemonDigests.cpp), not for
    // a person: no client may answer it, a controller's disconnect does
    // not decide it. digestJob is the ImageDigests job it waits for.
    bool awaitingDigest = false;
    uint64_t digestJob = 0;
    // A run of the ELF interpreter itself (DaemonLoader.cpp): frozen until
    // its exec completed, then decided for the program it names.
    bool loaderRun = false;
    // Asked a person (REQUEST sent): the VERDICT says PG_EVF_HELD.
    bool person = true;
    // PG_EVF_INTERPRETER for a program run through the ELF interpreter;
    // PG_EVF_DIGEST_WAIT, PG_EVF_NO_DIGEST once known. Added to the VERDICT.
    uint16_t eventFlags = 0;
    // A rule allow the kernel may remember for the file (while the event
    // fd is still open when the verdict comes).
    bool cacheable = false;
};
