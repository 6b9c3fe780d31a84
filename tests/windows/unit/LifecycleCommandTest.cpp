// LifecycleCommandTest.cpp - procguardctl's install/start/stop/uninstall/
// state over an in-memory Lifecycle: what is printed, what reaches the
// lifecycle, and the exit codes.
#include <gtest/gtest.h>

#include <sstream>

#include "Commands.h"
#include "ExitCodes.h"

using namespace pg;
using namespace pg::ctl;

namespace
{

struct Calls {
    std::vector<std::string> names;
    LifecycleOptions options;
    ComponentState state = ComponentState::Running;
    LifecycleError next; // returned by the next call
};

class FakeLifecycle : public Lifecycle
{
public:
    explicit FakeLifecycle(Calls &calls) : m_calls(calls) {}
    ComponentState state(LifecycleError *error) override
    {
        m_calls.names.push_back("state");
        if (error != nullptr)
            *error = m_calls.next;
        return m_calls.state;
    }
    LifecycleError install() override { return record("install"); }
    LifecycleError start() override { return record("start"); }
    LifecycleError stop() override { return record("stop"); }
    LifecycleError uninstall() override { return record("uninstall"); }
    std::string describe() const override { return "fake service"; }

private:
    LifecycleError record(const char *name)
    {
        m_calls.names.push_back(name);
        return m_calls.next;
    }
    Calls &m_calls;
};

class LifecycleCommandTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ctx.out = &out;
        ctx.err = &err;
        ctx.makeLifecycle = [this](const LifecycleOptions &o) {
            calls.options = o;
            return std::make_unique<FakeLifecycle>(calls);
        };
    }
    int run(std::vector<const char *> args)
    {
        args.insert(args.begin(), "procguardctl");
        return ctl::run(static_cast<int>(args.size()), args.data(), ctx);
    }
    Calls calls;
    Context ctx;
    std::ostringstream out, err;
};

} // namespace

TEST_F(LifecycleCommandTest, InstallPassesTheDriverFileAndServiceName)
{
    EXPECT_EQ(run({"install", "C:\\drv\\procguard.sys", "--service", "pgtest"}), kExitOk);
    EXPECT_EQ(calls.names, std::vector<std::string>{"install"});
    EXPECT_EQ(calls.options.componentPath, "C:\\drv\\procguard.sys");
    EXPECT_EQ(calls.options.serviceName, "pgtest");
    EXPECT_NE(out.str().find("Installed fake service"), std::string::npos) << out.str();
}

TEST_F(LifecycleCommandTest, StatePrintsOneWord)
{
    calls.state = ComponentState::NotInstalled;
    EXPECT_EQ(run({"state"}), kExitOk);
    EXPECT_EQ(out.str(), "not-installed\n");
    EXPECT_EQ(calls.options.serviceName, "procguard");
}

TEST_F(LifecycleCommandTest, StartStopUninstallReachTheLifecycle)
{
    EXPECT_EQ(run({"start"}), kExitOk);
    EXPECT_EQ(run({"stop"}), kExitOk);
    EXPECT_EQ(run({"uninstall"}), kExitOk);
    EXPECT_EQ(calls.names, (std::vector<std::string>{"start", "stop", "uninstall"}));
}

TEST_F(LifecycleCommandTest, NotAdministratorExitsPermissionDeniedWithItsSentence)
{
    calls.next.code = LifecycleError::Code::NotAdministrator;
    calls.next.message = "start: run as Administrator.";
    EXPECT_EQ(run({"start"}), kExitPermissionDenied);
    EXPECT_EQ(err.str(), "start: run as Administrator.\n");
}

TEST_F(LifecycleCommandTest, StoppingWhatIsNotRunningExitsNotRunning)
{
    calls.next.code = LifecycleError::Code::NotRunning;
    calls.next.message = "stop: the driver is not running.";
    EXPECT_EQ(run({"stop"}), kExitNotRunning);
}

TEST_F(LifecycleCommandTest, InstallWithoutDriverFileIsAUsageError)
{
    EXPECT_EQ(run({"install"}), kExitUsage);
    EXPECT_TRUE(calls.names.empty());
}

TEST_F(LifecycleCommandTest, LifecycleCommandsDoNotExistWithoutALifecycle)
{
    ctx.makeLifecycle = nullptr;
    EXPECT_EQ(run({"start"}), kExitUsage);
}
