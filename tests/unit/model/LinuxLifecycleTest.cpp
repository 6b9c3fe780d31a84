// LinuxLifecycleTest.cpp - the lifecycle without systemd, on scratch paths:
// install records, start detaches a daemon with a pid file, stop ends it,
// and errors say what to do. The "daemon" is a shell script, not procguardd.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "../Unprivileged.h"
#include "LinuxLifecycle.h"

namespace
{

class LinuxLifecycleTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/pg-lifecycle-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        // A stand-in daemon: creates the socket path, then waits for SIGTERM.
        script = dir + "/fake-daemon";
        std::ofstream out(script);
        out << "#!/bin/sh\n[ \"$1\" = --socket ] && touch \"$2\"\n"
               "trap 'rm -f \"$2\"; exit 0' TERM\nwhile :; do sleep 0.05; done\n";
        out.close();
        chmod(script.c_str(), 0755);
        paths.systemdRunDir = dir + "/no-systemd";
        paths.configDir = dir + "/etc";
        paths.runDir = dir + "/run";
        paths.requireRoot = false;
        paths.stopWaitMs = 5000;
        options.componentPath = script;
        options.socketPath = dir + "/sock";
    }
    void TearDown() override { std::system(("rm -rf " + dir).c_str()); }

    std::string dir;
    std::string script;
    pg::LifecycleOptions options;
    pg::LinuxLifecyclePaths paths;
};

} // namespace

TEST_F(LinuxLifecycleTest, FullCycleWithoutSystemd)
{
    pg::LinuxLifecycle lc(options, paths);
    EXPECT_FALSE(lc.usesSystemd());
    EXPECT_EQ(lc.state(), pg::ComponentState::NotInstalled);
    ASSERT_FALSE(lc.install()) << lc.install().message;
    EXPECT_EQ(lc.state(), pg::ComponentState::Stopped);
    EXPECT_EQ(lc.install().code, pg::LifecycleError::Code::AlreadyInstalled);
    const pg::LifecycleError started = lc.start();
    ASSERT_FALSE(started) << started.message;
    EXPECT_EQ(lc.state(), pg::ComponentState::Running);
    EXPECT_EQ(lc.start().code, pg::LifecycleError::Code::AlreadyRunning);
    const pg::LifecycleError stopped = lc.stop();
    ASSERT_FALSE(stopped) << stopped.message;
    EXPECT_EQ(lc.state(), pg::ComponentState::Stopped);
    EXPECT_EQ(lc.stop().code, pg::LifecycleError::Code::NotRunning);
    ASSERT_FALSE(lc.uninstall());
    EXPECT_EQ(lc.state(), pg::ComponentState::NotInstalled);
}

TEST_F(LinuxLifecycleTest, StartBeforeInstallSaysToInstall)
{
    pg::LinuxLifecycle lc(options, paths);
    const pg::LifecycleError e = lc.start();
    EXPECT_EQ(e.code, pg::LifecycleError::Code::NotInstalled);
    EXPECT_NE(e.message.find("install"), std::string::npos);
}

TEST_F(LinuxLifecycleTest, MissingComponentIsExplained)
{
    options.componentPath = dir + "/nothing-here";
    pg::LinuxLifecycle lc(options, paths);
    const pg::LifecycleError e = lc.install();
    EXPECT_EQ(e.code, pg::LifecycleError::Code::Failed);
    EXPECT_NE(e.message.find("missing"), std::string::npos);
}

TEST_F(LinuxLifecycleTest, DaemonThatExitsAtOnceIsReported)
{
    std::ofstream out(script, std::ios::trunc);
    out << "#!/bin/sh\necho 'fanotify: not supported' >&2\nexit 1\n";
    out.close();
    pg::LinuxLifecycle lc(options, paths);
    ASSERT_FALSE(lc.install());
    const pg::LifecycleError e = lc.start();
    EXPECT_EQ(e.code, pg::LifecycleError::Code::Failed);
    EXPECT_NE(e.message.find("exited at once"), std::string::npos);
}

TEST_F(LinuxLifecycleTest, NonRootIsToldToUseSudo)
{
    paths.requireRoot = true;
    // 0: as expected, 1: wrong code, 2: the message does not mention sudo.
    const int outcome = pgtest::runUnprivileged([&] {
        pg::LinuxLifecycle lc(options, paths);
        const pg::LifecycleError e = lc.install();
        if (e.code != pg::LifecycleError::Code::NotAdministrator)
            return 1;
        return e.message.find("sudo") != std::string::npos ? 0 : 2;
    });
    EXPECT_EQ(outcome, 0);
}

namespace
{

// systemd on scratch paths: the run directory exists, a packaged unit sits
// in a scratch "lib" unit folder, and systemctl is a script that logs its
// arguments and answers is-active from a state file.
class PackagedUnitTest : public LinuxLifecycleTest
{
protected:
    void SetUp() override
    {
        LinuxLifecycleTest::SetUp();
        paths.systemdRunDir = dir + "/run-systemd";
        paths.unitDir = dir + "/etc-units";
        paths.packagedUnitDirs = {dir + "/lib-units"};
        mkdir(paths.systemdRunDir.c_str(), 0755);
        mkdir(paths.packagedUnitDirs[0].c_str(), 0755);
        packaged = paths.packagedUnitDirs[0] + "/procguard.service";
        std::ofstream unit(packaged);
        unit << packagedText;
        unit.close();
        log = dir + "/systemctl.log";
        paths.systemctl = dir + "/systemctl";
        std::ofstream ctl(paths.systemctl);
        ctl << "#!/bin/sh\necho \"$@\" >> '" << log << "'\n"
            << "case \"$1\" in\n"
            << "  is-active) cat '" << dir << "/active' 2>/dev/null || echo inactive ;;\n"
            << "  start) echo active > '" << dir << "/active' ;;\n"
            << "  stop) echo inactive > '" << dir << "/active' ;;\n"
            << "esac\nexit 0\n";
        ctl.close();
        chmod(paths.systemctl.c_str(), 0755);
    }

    std::string read(const std::string &path) const
    {
        std::ifstream in(path);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

    const std::string packagedText = "[Service]\nExecStart=/usr/sbin/procguardd\n";
    std::string packaged;
    std::string log;
};

} // namespace

TEST_F(PackagedUnitTest, PackagedUnitCountsAsInstalled)
{
    pg::LinuxLifecycle lc(options, paths);
    EXPECT_TRUE(lc.usesSystemd());
    EXPECT_EQ(lc.installedUnitPath(), packaged);
    EXPECT_EQ(lc.state(), pg::ComponentState::Stopped);
    EXPECT_NE(lc.describe().find("package"), std::string::npos);
}

TEST_F(PackagedUnitTest, WithoutAnyUnitTheComponentIsNotInstalled)
{
    unlink(packaged.c_str());
    pg::LinuxLifecycle lc(options, paths);
    EXPECT_EQ(lc.installedUnitPath(), "");
    EXPECT_EQ(lc.state(), pg::ComponentState::NotInstalled);
}

TEST_F(PackagedUnitTest, StartAndStopGoThroughSystemctl)
{
    pg::LinuxLifecycle lc(options, paths);
    const pg::LifecycleError started = lc.start();
    ASSERT_FALSE(started) << started.message;
    EXPECT_EQ(lc.state(), pg::ComponentState::Running);
    const pg::LifecycleError stopped = lc.stop();
    ASSERT_FALSE(stopped) << stopped.message;
    EXPECT_EQ(lc.state(), pg::ComponentState::Stopped);
    const std::string calls = read(log);
    EXPECT_NE(calls.find("start procguard"), std::string::npos) << calls;
    EXPECT_NE(calls.find("stop procguard"), std::string::npos) << calls;
}

TEST_F(PackagedUnitTest, InstallEnablesThePackagedUnitWithoutWritingAnOverride)
{
    pg::LinuxLifecycle lc(options, paths);
    const pg::LifecycleError e = lc.install();
    ASSERT_FALSE(e) << e.message;
    struct stat st {
    };
    EXPECT_NE(stat(lc.unitPath().c_str(), &st), 0) << "an override unit was written";
    EXPECT_EQ(read(packaged), packagedText);
    EXPECT_NE(read(log).find("enable procguard"), std::string::npos);
}

TEST_F(PackagedUnitTest, UninstallDisablesButKeepsThePackagedUnit)
{
    pg::LinuxLifecycle lc(options, paths);
    const pg::LifecycleError e = lc.uninstall();
    ASSERT_FALSE(e) << e.message;
    EXPECT_EQ(read(packaged), packagedText);
    EXPECT_NE(read(log).find("disable procguard"), std::string::npos);
}

TEST_F(PackagedUnitTest, AdministratorUnitShadowsThePackagedOne)
{
    mkdir(paths.unitDir.c_str(), 0755);
    std::ofstream(paths.unitDir + "/procguard.service") << "[Service]\n";
    pg::LinuxLifecycle lc(options, paths);
    EXPECT_EQ(lc.installedUnitPath(), lc.unitPath());
    ASSERT_FALSE(lc.uninstall());
    struct stat st {
    };
    EXPECT_NE(stat(lc.unitPath().c_str(), &st), 0);
    EXPECT_EQ(read(packaged), packagedText);
    EXPECT_EQ(lc.state(), pg::ComponentState::Stopped);
}
