// LoaderCommand.cpp - see LoaderCommand.h.
#include "LoaderCommand.h"

namespace LoaderCommand
{

namespace
{

// glibc 2.36 elf/rtld.c and musl ldso/dynlink.c.
const char *const kWithValue[] = {
    "--library-path",         "--inhibit-rpath",     "--audit", "--preload", "--argv0",
    "--glibc-hwcaps-prepend", "--glibc-hwcaps-mask",
};
const char *const kAlone[] = {
    "--list", "--verify",  "--inhibit-cache",    "--list-tunables",
    "--help", "--version", "--list-diagnostics",
};

bool oneOf(const std::string &arg, const char *const *names, size_t count)
{
    for (size_t i = 0; i < count; ++i) {
        if (arg == names[i])
            return true;
    }
    return false;
}

} // namespace

Kind program(const std::vector<std::string> &argv, std::string *program)
{
    program->clear();
    for (size_t i = 1; i < argv.size(); ++i) {
        const std::string &arg = argv[i];
        if (arg == "--") {
            if (i + 1 >= argv.size())
                return Kind::NoProgram;
            *program = argv[i + 1];
            return Kind::Program;
        }
        if (arg.compare(0, 2, "--") != 0) {
            *program = arg;
            return Kind::Program;
        }
        if (oneOf(arg, kWithValue, sizeof kWithValue / sizeof kWithValue[0])) {
            ++i; // its value
            continue;
        }
        if (oneOf(arg, kAlone, sizeof kAlone / sizeof kAlone[0]))
            continue;
        *program = arg;
        return Kind::UnknownOption;
    }
    return Kind::NoProgram;
}

} // namespace LoaderCommand
