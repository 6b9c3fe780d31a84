// CliTest.cpp - procguardctl's command line: what parses, what is refused.
#include <gtest/gtest.h>
#include <sstream>

#include "Cli.h"
#include "ExitCodes.h"

using namespace pg;
using namespace pg::ctl;

namespace
{

struct Parsed {
    int rc;
    Options options;
    std::string out;
    std::string err;
};

Parsed parse(std::vector<const char *> args)
{
    args.insert(args.begin(), "procguardctl");
    Parsed p;
    std::ostringstream out, err;
    p.rc = parseCommandLine(static_cast<int>(args.size()), args.data(), &p.options, out, err);
    p.out = out.str();
    p.err = err.str();
    return p;
}

} // namespace

TEST(Cli, HelpListsTheExitCodes)
{
    const Parsed p = parse({"--help"});
    EXPECT_EQ(p.rc, kExitOk);
    EXPECT_NE(p.out.find("3  the component is not running"), std::string::npos);
    EXPECT_NE(p.out.find("6  timeout"), std::string::npos);
}

TEST(Cli, VersionNamesTheProtocol)
{
    const Parsed p = parse({"--version"});
    EXPECT_EQ(p.rc, kExitOk);
    EXPECT_NE(p.out.find("protocol " + std::to_string(PG_PROTOCOL_VERSION)), std::string::npos);
}

TEST(Cli, MissingCommandIsAUsageError)
{
    EXPECT_EQ(parse({}).rc, kExitUsage);
    EXPECT_EQ(parse({"frobnicate"}).rc, kExitUsage);
}

TEST(Cli, SocketIsAcceptedOnEveryCommand)
{
    for (const char *cmd : {"status", "monitor", "approve"}) {
        const Parsed p = parse({cmd, "--socket", "/tmp/x.sock"});
        EXPECT_EQ(p.rc, -1) << cmd << ": " << p.err;
        EXPECT_EQ(p.options.socket, "/tmp/x.sock");
    }
    const Parsed r = parse({"rules", "list", "--socket", "/tmp/y.sock"});
    EXPECT_EQ(r.rc, -1) << r.err;
    EXPECT_EQ(r.options.socket, "/tmp/y.sock");
    const Parsed m = parse({"--socket", "/tmp/z.sock", "mode", "prompt"});
    EXPECT_EQ(m.options.socket, "/tmp/z.sock");
}

TEST(Cli, ApproveAutoTakesAVerdictAndACount)
{
    const Parsed p = parse({"approve", "--auto", "block", "--count", "3"});
    ASSERT_EQ(p.rc, -1) << p.err;
    EXPECT_EQ(p.options.command, Command::Approve);
    EXPECT_EQ(p.options.autoVerdict, Verdict::Block);
    EXPECT_EQ(p.options.count, 3u);
    EXPECT_EQ(parse({"approve", "--auto", "maybe"}).rc, kExitUsage);
    EXPECT_EQ(parse({"approve", "--count", "3"}).rc, kExitUsage);
    EXPECT_EQ(parse({"approve", "--auto", "allow", "--count", "0"}).rc, kExitUsage);
}

TEST(Cli, RulesAddNeedsExactlyOneActionAndOneMatch)
{
    EXPECT_EQ(parse({"rules", "add", "--path", "/bin/ls"}).rc, kExitUsage);
    EXPECT_EQ(parse({"rules", "add", "--allow", "--block", "--path", "/bin/ls"}).rc, kExitUsage);
    EXPECT_EQ(parse({"rules", "add", "--allow"}).rc, kExitUsage);
    EXPECT_EQ(parse({"rules", "add", "--allow", "--path", "/a", "--glob", "/b*"}).rc, kExitUsage);
    const Parsed p = parse({"rules", "add", "--block", "--glob", "/tmp/**", "--parent",
                            "/usr/bin/*sh", "--user", "alice", "--case-fold"});
    ASSERT_EQ(p.rc, -1) << p.err;
    EXPECT_EQ(p.options.command, Command::RulesAdd);
    EXPECT_EQ(p.options.ruleAction, Verdict::Block);
    EXPECT_EQ(p.options.ruleKind, RuleKind::Glob);
    EXPECT_EQ(p.options.pattern, "/tmp/**");
    EXPECT_EQ(p.options.parent, "/usr/bin/*sh");
    EXPECT_EQ(p.options.user, "alice");
    EXPECT_TRUE(p.options.caseFold);
}

TEST(Cli, PrefixRuleGetsATrailingSlash)
{
    const Parsed p = parse({"rules", "add", "--allow", "--prefix", "/opt/tools"});
    ASSERT_EQ(p.rc, -1) << p.err;
    EXPECT_EQ(p.options.ruleKind, RuleKind::Prefix);
    EXPECT_EQ(p.options.pattern, "/opt/tools/");
}

TEST(Cli, RulesRemoveNeedsAPositiveId)
{
    const Parsed p = parse({"rules", "remove", "12"});
    ASSERT_EQ(p.rc, -1);
    EXPECT_EQ(p.options.ruleId, 12u);
    EXPECT_EQ(parse({"rules", "remove"}).rc, kExitUsage);
    EXPECT_EQ(parse({"rules", "remove", "0"}).rc, kExitUsage);
    EXPECT_EQ(parse({"rules", "remove", "abc"}).rc, kExitUsage);
}

TEST(Cli, ModeChecksNamesAndLimits)
{
    const Parsed p =
        parse({"mode", "lockdown", "--default", "block", "--timeout", "0", "--budget", "500"});
    ASSERT_EQ(p.rc, -1) << p.err;
    EXPECT_EQ(p.options.mode, Mode::Lockdown);
    EXPECT_EQ(p.options.defaultVerdict, Verdict::Block);
    EXPECT_EQ(p.options.timeoutMs, 0u);
    EXPECT_EQ(p.options.budgetMs, 500u);
    const Parsed bare = parse({"mode", "prompt"});
    EXPECT_FALSE(bare.options.timeoutMs.has_value());
    EXPECT_FALSE(bare.options.defaultVerdict.has_value());
    EXPECT_EQ(parse({"mode", "paranoid"}).rc, kExitUsage);
    EXPECT_EQ(
        parse({"mode", "prompt", "--budget", std::to_string(PG_MAX_HOLD_BUDGET_MS + 1).c_str()}).rc,
        kExitUsage);
    EXPECT_EQ(parse({"mode", "prompt", "--default", "none"}).rc, kExitUsage);
}

TEST(Cli, ModeTimesTakeUnitsLikeTheRuleOptions)
{
    const Parsed p = parse({"mode", "prompt", "--timeout", "60s", "--budget", "250ms"});
    ASSERT_EQ(p.rc, -1) << p.err;
    EXPECT_EQ(p.options.timeoutMs, 60000u);
    EXPECT_EQ(p.options.budgetMs, 250u);
    EXPECT_EQ(parse({"mode", "prompt", "--timeout", "2m"}).options.timeoutMs, 120000u);
    EXPECT_EQ(parse({"mode", "prompt", "--timeout", "1m30s"}).options.timeoutMs, 90000u);
    const Parsed bad = parse({"mode", "prompt", "--timeout", "60x"});
    EXPECT_EQ(bad.rc, kExitUsage);
    EXPECT_NE(bad.err.find("--timeout"), std::string::npos) << bad.err;
    EXPECT_EQ(parse({"mode", "prompt", "--timeout", "25h"}).rc, kExitUsage);
    EXPECT_EQ(parse({"mode", "prompt", "--budget", "2m"}).rc, kExitUsage);
}

TEST(Cli, PathRulesMustNameAFileFromTheRoot)
{
    const Parsed rel = parse({"rules", "add", "--allow", "--path", "bin/game"});
    EXPECT_EQ(rel.rc, kExitUsage);
    EXPECT_NE(rel.err.find("from the root"), std::string::npos) << rel.err;
    EXPECT_EQ(parse({"rules", "add", "--block", "--prefix", "Downloads"}).rc, kExitUsage);
    EXPECT_EQ(parse({"rules", "add", "--block", "--glob", "games/*"}).rc, kExitUsage);
    EXPECT_EQ(parse({"rules", "add", "--allow", "--path", "/usr/bin/game"}).rc, -1);
    EXPECT_EQ(parse({"rules", "add", "--block", "--glob", "**/game"}).rc, -1);
    EXPECT_EQ(parse({"rules", "add", "--allow", "--path", "C:\\Games\\game.exe"}).rc, -1);
    // Not a path: a command line rule may be anything.
    EXPECT_EQ(parse({"rules", "add", "--block", "--cmdline", "game --cheat*"}).rc, -1);
}

TEST(Cli, PsTakesTreeAndJson)
{
    const Parsed p = parse({"ps", "--tree", "--json"});
    ASSERT_EQ(p.rc, -1);
    EXPECT_EQ(p.options.command, Command::Ps);
    EXPECT_TRUE(p.options.tree);
    EXPECT_TRUE(p.options.json);
}

TEST(Cli, SyncTakesItsServerOptionsAndRepeatedHeaders)
{
    const Parsed p = parse({"sync",
                            "--url",
                            "https://santa.example/santa",
                            "--machine-id",
                            "M",
                            "--once",
                            "--clean",
                            "--header",
                            "Authorization: Bearer x",
                            "--header",
                            "X-Site: 7",
                            "--policy-file",
                            "/tmp/p.json",
                            "--state-dir",
                            "/tmp/s",
                            "--no-compression",
                            "--client-cert",
                            "/c.pem",
                            "--client-key",
                            "/k.pem",
                            "--ca-file",
                            "/ca.pem"});
    ASSERT_EQ(p.rc, -1) << p.err;
    EXPECT_EQ(p.options.command, Command::Sync);
    EXPECT_EQ(p.options.syncUrl, "https://santa.example/santa");
    EXPECT_EQ(p.options.syncMachineId, "M");
    EXPECT_TRUE(p.options.syncOnce);
    EXPECT_TRUE(p.options.syncClean);
    EXPECT_EQ(p.options.syncHeaders,
              (std::vector<std::string>{"Authorization: Bearer x", "X-Site: 7"}));
    EXPECT_EQ(p.options.syncPolicyFile, "/tmp/p.json");
    EXPECT_EQ(p.options.syncStateDir, "/tmp/s");
    EXPECT_TRUE(p.options.syncNoCompression);
    EXPECT_EQ(p.options.syncClientCert, "/c.pem");
    EXPECT_EQ(p.options.syncClientKey, "/k.pem");
    EXPECT_EQ(p.options.syncCaFile, "/ca.pem");
}

TEST(Cli, SyncHeaderWithoutANameOrWithALineBreakIsAUsageError)
{
    EXPECT_EQ(parse({"sync", "--header", "no colon"}).rc, kExitUsage);
    EXPECT_EQ(parse({"sync", "--header", ": value"}).rc, kExitUsage);
    const Parsed p = parse({"sync", "--header", "X: a\r\nEvil: b"});
    EXPECT_EQ(p.rc, kExitUsage);
    EXPECT_NE(p.err.find("--header"), std::string::npos);
}

TEST(Cli, StatusTakesTheSyncStateFolder)
{
    const Parsed p = parse({"status", "--sync-state", "/tmp/sync"});
    ASSERT_EQ(p.rc, -1) << p.err;
    EXPECT_EQ(p.options.syncStateDir, "/tmp/sync");
}
