// ExecOrigin.h - which open of an execve() an exec-permission event is.
//
// Why: one execve() of a dynamic program produces two FAN_OPEN_EXEC_PERM
// events: the program's own open, then the kernel's open of its ELF
// interpreter (a script's interpreter and binfmt_misc handlers likewise).
// "ld-linux.so /path/prog" produces one: the loader is the program, and it
// maps prog with a plain open that no exec event names. Telling the two
// apart at the loader's event lets the daemon hold the second kind (and
// decide prog) without sending every open() on the system to user space.
//
// How: the task waits in the kernel while its event is answered, and
// /proc/PID/stack (root only) shows where: the interpreter is opened by
// open_exec() from the binary format's loader; the program itself by
// alloc_bprm()/do_open_execat() with no open_exec() above. That is the
// kernel's own record, so nothing the user controls (paths, renames)
// changes the answer. Kernels without a readable stack (no
// CONFIG_STACKTRACE, symbol names hidden) make available() false and the
// daemon falls back to watching plain opens (FAN_OPEN_PERM).
//
// Must not: open anything but /proc files.
#pragma once

#include <cstdint>
#include <string>

namespace ExecOrigin
{

enum class Kind {
    Program,   // the exec's own file: a start
    Secondary, // an interpreter the kernel opens for the program being exec'd
    Unknown,   // no exec in the stack (another thread, a kernel we do not know)
};

// Classifies the text of a /proc/PID/stack read. Pure, for tests.
Kind classifyStack(const std::string &stack);

// Whether /proc/self/stack shows kernel symbol names.
bool available();

// Reads the stack of the task that waits for the event: pid itself, else
// the one thread of pid that is in execve() (fanotify names the thread
// group). Unknown when none or more than one is.
Kind classify(uint32_t pid);

const char *name(Kind kind);

} // namespace ExecOrigin
