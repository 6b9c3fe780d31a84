// LoaderCommand.h - what "ld-linux.so [OPTION]... PROGRAM [ARG]..." runs.
//
// Why: a program run through its ELF interpreter is decided as that
// program (DaemonLoader.cpp). The loader's own command line names it: the
// first argument that is not an option or an option's value.
//
// Options known to glibc's and musl's loaders; an option we do not know
// may take a value we would mistake for the program, so it makes the
// program unknown (and the start is refused in prompt and lockdown).
//
// Must not: touch the system. Pure, for tests.
#pragma once

#include <string>
#include <vector>

namespace LoaderCommand
{

enum class Kind {
    Program,       // *program is the program the loader runs (or lists)
    NoProgram,     // the loader runs alone (--help, --version, no argument)
    UnknownOption, // *program is the option we do not know
};

// argv: the loader's whole command line, argv[0] included.
Kind program(const std::vector<std::string> &argv, std::string *program);

} // namespace LoaderCommand
