// IdentityTest.cpp - a path rule decides only for the file that is at that
// path for procguardd (file identity). An unprivileged user with
// a user namespace of its own (unshare -Urm, run as "nobody") can make an
// unlisted program show an allowed path: a bind mount over the allowed
// file, or an overlay over the allowed folder. The gate still sees the
// exec (same superblock), but the path is not the file: lockdown blocks
// it, the event says why (PG_EVF_UNTRUSTED_PATH), and no kernel allow
// cache is installed for the unlisted file. Hash rules still follow a
// file wherever it is shown. Each test has its own daemon gating only its
// own private tmpfs; the namespaces die with their last process.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "Harness.h"
#include "UnixSocketTransport.h"

using namespace pgtest;
using pg::Verdict;

namespace
{

constexpr uid_t kNobody = 65534;

} // namespace

class IdentityTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_EQ(geteuid(), 0u) << "the integration tests need root (fanotify, tmpfs mounts)";
        ASSERT_TRUE(m_gate.ok()) << "could not mount a private tmpfs: " << std::strerror(errno);
        // allowed exits 0 (a copy of true), unlisted exits 1 (false):
        // an exit status of 1 means the unlisted program ran.
        ASSERT_EQ(0, mkdir((m_gate.path() + "/apps").c_str(), 0755));
        ASSERT_EQ(0, mkdir((m_gate.path() + "/evil").c_str(), 0755));
        m_allowed = m_gate.installProgram("apps/allowed", "/bin/true");
        m_unlisted = m_gate.installProgram("unlisted", "/bin/false");
        ASSERT_FALSE(m_allowed.empty());
        ASSERT_FALSE(m_unlisted.empty());
        m_socket = m_scratch.path() + "/pg.sock";
        m_daemon.setCommandPrefix(commandPrefix());
        std::string error;
        ASSERT_TRUE(m_daemon.start({"--watch", m_gate.path(), "--socket", m_socket, "--state-dir",
                                    m_scratch.path() + "/state", "--log-level", "debug"},
                                   m_socket, m_scratch.path() + "/daemon.log", &error))
            << error;
        ASSERT_TRUE(m_launcher.ok()) << "could not start pg_launcher";
    }

    void TearDown() override
    {
        if (m_link)
            m_link->close();
        if (HasFailure())
            std::cerr << "---- procguardd log ----\n"
                      << m_daemon.log() << "------------------------\n";
    }

    virtual std::vector<std::string> commandPrefix() const { return {}; }

    void lockdown(std::vector<pg::Rule> rules)
    {
        pg::Policy p;
        p.mode = pg::Mode::Lockdown;
        p.defaultVerdict = Verdict::Block;
        p.timeoutMs = 5000;
        p.holdBudgetMs = 500;
        p.rules = std::move(rules);
        std::string error;
        m_link = controlWithPolicy(m_socket, p, &m_events, &error, "identity-test");
        ASSERT_TRUE(m_link) << error;
    }

    // Runs script with sh as "nobody" in a new user and mount namespace of
    // its own; returns its exit code (-1: did not end, or by a signal).
    int runAsNobodyInOwnNamespace(const std::string &script)
    {
        const std::string tag = m_launcher.spawn(
            "/usr/bin/setpriv",
            {"--reuid=" + std::to_string(kNobody), "--regid=" + std::to_string(kNobody),
             "--clear-groups", "--", "/usr/bin/unshare", "-Urm", "/bin/sh", "-c", script});
        auto r = m_launcher.waitSpawn(tag);
        EXPECT_TRUE(r && r->error == 0) << "could not start setpriv";
        if (!r || r->error != 0)
            return -1;
        auto status = m_launcher.waitExit(tag);
        EXPECT_TRUE(status) << "the namespace script did not end";
        if (!status || !WIFEXITED(*status))
            return -1;
        return WEXITSTATUS(*status);
    }

    int runDirect(const std::string &path)
    {
        const std::string tag = m_launcher.spawn(path);
        auto r = m_launcher.waitSpawn(tag);
        EXPECT_TRUE(r);
        if (!r)
            return -1;
        if (r->error != 0)
            return r->error == EPERM ? 126 : -1; // as a shell would report it
        auto status = m_launcher.waitExit(tag);
        return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
    }

    uint64_t cacheInstalls()
    {
        pg::Status st;
        EXPECT_FALSE(m_link->getStatus(&st));
        return st.cacheHits;
    }

    TmpfsMount m_gate;
    ScratchDir m_scratch;
    Daemon m_daemon;
    Launcher m_launcher;
    std::string m_socket;
    std::string m_allowed;
    std::string m_unlisted;
    EventCollector m_events;
    std::unique_ptr<pg::KernelLink> m_link;
};

TEST_F(IdentityTest, BindMountOverAnAllowedPathInAUserNamespaceIsBlockedAndNotCached)
{
    lockdown({rule(pg::RuleKind::Exact, m_allowed, Verdict::Allow)});
    // The unlisted program shown at the allowed path.
    const int code = runAsNobodyInOwnNamespace("mount --bind " + m_unlisted + " " + m_allowed +
                                               " || exit 3; exec " + m_allowed);
    ASSERT_NE(code, 3) << "the user namespace could not bind-mount (unprivileged userns off?)";
    EXPECT_EQ(code, 126) << "the unlisted program ran under the allowed name (1 = it ran)";
    auto v = m_events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, m_allowed); });
    ASSERT_TRUE(v) << "no verdict for the exec in the namespace";
    EXPECT_EQ(v->verdict, Verdict::Block);
    EXPECT_EQ(v->source, pg::Source::Mode) << "a path rule decided for another file";
    EXPECT_TRUE(v->flags & PG_EVF_UNTRUSTED_PATH);
    EXPECT_FALSE(v->flags & PG_EVF_CACHED);
    EXPECT_NE(m_daemon.log().find("path=mount-of-another-namespace"), std::string::npos);
    // Nothing was cached for the unlisted file: from its real path it is
    // still blocked, and nothing was installed at all.
    EXPECT_EQ(cacheInstalls(), 0u);
    EXPECT_EQ(runDirect(m_unlisted), 126);
    // The real allowed program is unaffected.
    EXPECT_EQ(runDirect(m_allowed), 0);
}

TEST_F(IdentityTest, OverlayOverAnAllowedFolderInAUserNamespaceIsBlocked)
{
    const std::string apps = m_gate.path() + "/apps";
    ASSERT_FALSE(m_gate.installProgram("evil/allowed", "/bin/false").empty());
    lockdown({rule(pg::RuleKind::Prefix, apps + "/", Verdict::Allow)});
    // evil/ layered over apps/: apps/allowed is now the unlisted program.
    const int code =
        runAsNobodyInOwnNamespace("mount -t overlay overlay -o lowerdir=" + m_gate.path() +
                                  "/evil:" + apps + " " + apps + " || exit 3; exec " + m_allowed);
    ASSERT_NE(code, 3) << "the user namespace could not mount an overlay";
    EXPECT_EQ(code, 126) << "the overlay's program ran under the allowed folder (1 = it ran)";
    // The kernel reports the overlay's file through the overlay's private
    // copy of the lower mount: whatever path that shows, it is not ours.
    auto v = m_events.waitFor([](const pg::Event &e) {
        return e.kind == pg::EventKind::Verdict && (e.flags & PG_EVF_UNTRUSTED_PATH) != 0;
    });
    ASSERT_TRUE(v) << "the overlay's exec was not reported as an untrusted path";
    EXPECT_EQ(v->verdict, Verdict::Block);
    EXPECT_EQ(cacheInstalls(), 0u);
    EXPECT_EQ(runDirect(m_gate.path() + "/evil/allowed"), 126);
    EXPECT_EQ(runDirect(m_allowed), 0);
}

TEST_F(IdentityTest, RenamedProgramIsStillAllowedByItsHash)
{
    lockdown({rule(pg::RuleKind::Sha256, sha256Of(m_unlisted), Verdict::Allow)});
    const std::string renamed = m_gate.path() + "/renamed";
    ASSERT_EQ(0, std::rename(m_unlisted.c_str(), renamed.c_str()));
    EXPECT_EQ(runDirect(renamed), 1) << "the hash rule did not follow the renamed file";
    auto v = m_events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, renamed); });
    ASSERT_TRUE(v);
    EXPECT_EQ(v->source, pg::Source::Rule);
    EXPECT_FALSE(v->flags & PG_EVF_UNTRUSTED_PATH);
}

TEST_F(IdentityTest, HashRuleStillDecidesForAFileShownUnderAnotherPath)
{
    // The hash-allowed program bind-mounted over a name no rule allows:
    // the path cannot be trusted, the content still can.
    lockdown({rule(pg::RuleKind::Sha256, sha256Of(m_unlisted), Verdict::Allow),
              rule(pg::RuleKind::Exact, m_allowed, Verdict::Block)});
    const int code = runAsNobodyInOwnNamespace("mount --bind " + m_unlisted + " " + m_allowed +
                                               " || exit 3; exec " + m_allowed);
    ASSERT_NE(code, 3);
    EXPECT_EQ(code, 1) << "the hash-allowed program did not run";
    auto v = m_events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, m_allowed); });
    ASSERT_TRUE(v);
    EXPECT_EQ(v->verdict, Verdict::Allow);
    EXPECT_EQ(v->source, pg::Source::Rule);
    EXPECT_TRUE(v->flags & PG_EVF_UNTRUSTED_PATH);
    EXPECT_FALSE(v->flags & PG_EVF_CACHED);
}

// As under systemd (ProtectSystem= and friends): the daemon has a mount
// namespace of its own, a copy of the host's that follows its mounts, with
// mount ids of its own. The host's programs run from the host's mounts.
class IdentityInOwnNamespaceTest : public IdentityTest
{
protected:
    std::vector<std::string> commandPrefix() const override
    {
        return {"/usr/bin/unshare", "--mount", "--propagation", "slave"};
    }
};

TEST_F(IdentityInOwnNamespaceTest, HostProgramsAtTheirPathsAreStillTrustedAndCached)
{
    lockdown({rule(pg::RuleKind::Exact, m_allowed, Verdict::Allow)});
    EXPECT_EQ(runDirect(m_allowed), 0);
    auto v = m_events.waitFor([&](const pg::Event &e) { return isVerdictFor(e, m_allowed); });
    ASSERT_TRUE(v);
    EXPECT_EQ(v->source, pg::Source::Rule);
    EXPECT_FALSE(v->flags & PG_EVF_UNTRUSTED_PATH) << "a host path was not trusted";
    EXPECT_TRUE(v->flags & PG_EVF_CACHED);
    EXPECT_EQ(runDirect(m_unlisted), 126);
}

TEST_F(IdentityInOwnNamespaceTest, BindMountInAUserNamespaceIsStillBlocked)
{
    lockdown({rule(pg::RuleKind::Exact, m_allowed, Verdict::Allow)});
    const int code = runAsNobodyInOwnNamespace("mount --bind " + m_unlisted + " " + m_allowed +
                                               " || exit 3; exec " + m_allowed);
    ASSERT_NE(code, 3);
    EXPECT_EQ(code, 126) << "the unlisted program ran under the allowed name";
    EXPECT_EQ(cacheInstalls(), 0u);
    EXPECT_EQ(runDirect(m_unlisted), 126);
}
