// ProcessControlTest.cpp - the Linux ProcessControl: a real child process is
// asked to end with SIGTERM; PID 1 and the caller itself are refused; the
// errors say what to do.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "ProcessControl.h"

namespace
{

// waitpid with a bound; -1 when the child did not change state in time.
int waitBounded(pid_t pid, int *status)
{
    for (int i = 0; i < 500; ++i) {
        const pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
}

} // namespace

TEST(ProcessControl, TerminateEndsARunningProcessWithSigterm)
{
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        for (;;)
            pause();
    }
    auto control = pg::makePlatformProcessControl();
    EXPECT_EQ(control->terminate(static_cast<uint32_t>(child)), "");
    int status = 0;
    ASSERT_EQ(waitBounded(child, &status), 0) << "the child did not end";
    EXPECT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

TEST(ProcessControl, InitAndThePanelItselfAreRefused)
{
    auto control = pg::makePlatformProcessControl();
    EXPECT_NE(control->terminate(0), "");
    EXPECT_NE(control->terminate(1), "");
    EXPECT_NE(control->terminate(static_cast<uint32_t>(getpid())), "");
}

TEST(ProcessControl, AProcessThatAlreadyExitedIsReportedAsSuch)
{
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0)
        _exit(0);
    int status = 0;
    ASSERT_EQ(waitBounded(child, &status), 0);
    const std::string error =
        pg::makePlatformProcessControl()->terminate(static_cast<uint32_t>(child));
    EXPECT_NE(error.find("already exited"), std::string::npos) << error;
}

TEST(ProcessControl, NotPermittedErrorSaysWhoMayEndTheProcess)
{
    const std::string error = pg::describeTerminateError(EPERM, 4242);
    EXPECT_NE(error.find("Not permitted"), std::string::npos) << error;
    EXPECT_NE(error.find("4242"), std::string::npos) << error;
    EXPECT_NE(error.find("root"), std::string::npos) << error;
}
