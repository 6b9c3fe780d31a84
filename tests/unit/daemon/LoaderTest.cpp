// LoaderTest.cpp - telling a run of the ELF interpreter from its load
// (ExecOrigin) and finding the program a loader command line runs
// (LoaderCommand).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ExecOrigin.h"
#include "LoaderCommand.h"

namespace
{

// /proc/PID/stack of a task waiting for its exec-permission answer, as
// Linux 6.x prints them (the fanotify frames above are the same for all).
const char *const kWaitFrames = "[<0>] fanotify_handle_event+0x2e1/0x420\n"
                                "[<0>] send_to_group+0x2d0/0x330\n"
                                "[<0>] fsnotify+0x35c/0x940\n"
                                "[<0>] fsnotify_open_perm_and_set_mode+0x18b/0x1b0\n"
                                "[<0>] do_dentry_open+0x144/0x430\n"
                                "[<0>] vfs_open+0x2c/0x100\n"
                                "[<0>] path_openat+0x7fb/0x1320\n"
                                "[<0>] do_filp_open+0x106/0x1c0\n"
                                "[<0>] do_open_execat+0x5d/0x120\n";

std::string programOpen()
{
    return std::string(kWaitFrames) + "[<0>] alloc_bprm+0x20/0x220\n"
                                      "[<0>] do_execveat_common.isra.0+0x8d/0x1b0\n"
                                      "[<0>] __x64_sys_execve+0x36/0x50\n";
}

std::string interpreterOpen(const char *loader)
{
    return std::string(kWaitFrames) + "[<0>] open_exec+0x26/0x60\n" + "[<0>] " + loader +
           "+0x1b1/0x1870\n"
           "[<0>] bprm_execve+0x2ad/0x500\n"
           "[<0>] do_execveat_common.isra.0+0x1a6/0x1b0\n"
           "[<0>] __x64_sys_execve+0x36/0x50\n";
}

LoaderCommand::Kind run(std::vector<std::string> argv, std::string *program)
{
    argv.insert(argv.begin(), "/lib64/ld-linux-x86-64.so.2");
    return LoaderCommand::program(argv, program);
}

} // namespace

TEST(ExecOrigin, TheProgramsOwnOpenIsAStart)
{
    EXPECT_EQ(ExecOrigin::classifyStack(programOpen()), ExecOrigin::Kind::Program);
}

TEST(ExecOrigin, TheKernelsOpenOfAnInterpreterIsNot)
{
    EXPECT_EQ(ExecOrigin::classifyStack(interpreterOpen("load_elf_binary")),
              ExecOrigin::Kind::Secondary);
    EXPECT_EQ(ExecOrigin::classifyStack(interpreterOpen("load_script")),
              ExecOrigin::Kind::Secondary);
    EXPECT_EQ(ExecOrigin::classifyStack(interpreterOpen("load_misc_binary")),
              ExecOrigin::Kind::Secondary);
}

TEST(ExecOrigin, AStackWithoutAnExecIsUnknown)
{
    // Another thread of the group, a task that went on, or hidden names.
    EXPECT_EQ(ExecOrigin::classifyStack("[<0>] hrtimer_nanosleep+0xb5/0x130\n"
                                        "[<0>] common_nsleep+0x30/0x60\n"),
              ExecOrigin::Kind::Unknown);
    EXPECT_EQ(ExecOrigin::classifyStack(""), ExecOrigin::Kind::Unknown);
    EXPECT_EQ(ExecOrigin::classifyStack("[<0>] 0x0\n[<0>] 0x0\n"), ExecOrigin::Kind::Unknown);
}

TEST(ExecOrigin, NamesAreMatchedWhole)
{
    // do_open_execat contains "open_exec": it alone must not count as the
    // interpreter's open.
    EXPECT_EQ(ExecOrigin::classifyStack("[<0>] do_open_execat+0x5d/0x120\n"),
              ExecOrigin::Kind::Program);
    EXPECT_EQ(ExecOrigin::classifyStack("[<0>] my_open_exec+0x5d/0x120\n"),
              ExecOrigin::Kind::Unknown);
}

TEST(LoaderCommand, TheFirstArgumentIsTheProgram)
{
    std::string program;
    EXPECT_EQ(run({"/usr/bin/true", "--version"}, &program), LoaderCommand::Kind::Program);
    EXPECT_EQ(program, "/usr/bin/true");
    EXPECT_EQ(run({"./prog"}, &program), LoaderCommand::Kind::Program);
    EXPECT_EQ(program, "./prog");
}

TEST(LoaderCommand, OptionsAndTheirValuesAreSkipped)
{
    std::string program;
    EXPECT_EQ(run({"--library-path", "/tmp/lib", "--preload", "/tmp/x.so", "--inhibit-cache",
                   "--argv0", "bash", "/tmp/prog", "--list"},
                  &program),
              LoaderCommand::Kind::Program);
    EXPECT_EQ(program, "/tmp/prog");
    EXPECT_EQ(run({"--list", "/usr/bin/ls"}, &program), LoaderCommand::Kind::Program);
    EXPECT_EQ(program, "/usr/bin/ls");
    EXPECT_EQ(run({"--verify", "--", "--odd-name"}, &program), LoaderCommand::Kind::Program);
    EXPECT_EQ(program, "--odd-name");
}

TEST(LoaderCommand, TheLoaderAloneRunsNoProgram)
{
    std::string program;
    EXPECT_EQ(run({}, &program), LoaderCommand::Kind::NoProgram);
    EXPECT_EQ(run({"--version"}, &program), LoaderCommand::Kind::NoProgram);
    EXPECT_EQ(run({"--help"}, &program), LoaderCommand::Kind::NoProgram);
    EXPECT_EQ(run({"--list-tunables"}, &program), LoaderCommand::Kind::NoProgram);
    // An option's value is not a program, even when it is the last word.
    EXPECT_EQ(run({"--library-path", "/tmp/prog"}, &program), LoaderCommand::Kind::NoProgram);
}

TEST(LoaderCommand, AnOptionWeDoNotKnowMakesTheProgramUnknown)
{
    // It might take a value that we would mistake for the program.
    std::string program;
    EXPECT_EQ(run({"--future-option", "/usr/bin/true", "/tmp/evil"}, &program),
              LoaderCommand::Kind::UnknownOption);
    EXPECT_EQ(program, "--future-option");
}
