// RulesCommandsTest.cpp - procguardctl's new rule grammar (rules add's new
// kinds and options, rules import/export, explain) and those commands end
// to end over a fake component, a fake file system and fake accounts.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "../../support/PolicyBuilders.h"
#include "Accounts.h"
#include "Cli.h"
#include "Commands.h"
#include "ExitCodes.h"
#include "FakeComponent.h"
#include "FakeFileSystem.h"
#include "FakeProcessSource.h"
#include "PolicyFile.h"
#include "RuleTimeText.h"

using namespace pg;
using namespace pg::ctl;
using namespace std::chrono_literals;
using pgtest::rule;

namespace
{

const std::string kSha = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
const std::string kShaLower = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

struct Parsed {
    int rc;
    Options options;
    std::string err;
};

Parsed parse(std::vector<const char *> args)
{
    args.insert(args.begin(), "procguardctl");
    Parsed p;
    std::ostringstream out, err;
    p.rc = parseCommandLine(static_cast<int>(args.size()), args.data(), &p.options, out, err);
    p.err = err.str();
    return p;
}

class FakeAccounts : public policy::Accounts
{
public:
    std::optional<uint32_t> currentUserId() override { return 1001; }
    std::optional<uint32_t> groupId(const std::string &name) override
    {
        if (name == "kids")
            return 3000;
        return std::nullopt;
    }
    std::vector<uint32_t> groupsOf(uint32_t uid) override
    {
        if (uid == 1001)
            return {1001, 3000};
        return {uid};
    }
};

} // namespace

// ---- grammar ---------------------------------------------------------------

TEST(RulesGrammar, Sha256IsValidatedAndLowerCased)
{
    const Parsed ok = parse({"rules", "add", "--block", "--sha256", kSha.c_str()});
    ASSERT_EQ(ok.rc, -1) << ok.err;
    EXPECT_EQ(ok.options.ruleKind, RuleKind::Sha256);
    EXPECT_EQ(ok.options.pattern, kShaLower);
    EXPECT_EQ(parse({"rules", "add", "--block", "--sha256", "abc"}).rc, kExitUsage);
    const std::string notHex(64, 'g');
    const Parsed bad = parse({"rules", "add", "--block", "--sha256", notHex.c_str()});
    EXPECT_EQ(bad.rc, kExitUsage);
    EXPECT_NE(bad.err.find("64 hex digits"), std::string::npos) << bad.err;
}

TEST(RulesGrammar, CmdlineAndPackageAreRuleKinds)
{
    const Parsed c = parse({"rules", "add", "--block", "--cmdline", "firefox *--private*"});
    ASSERT_EQ(c.rc, -1) << c.err;
    EXPECT_EQ(c.options.ruleKind, RuleKind::Cmdline);
    EXPECT_EQ(c.options.pattern, "firefox *--private*");
    const Parsed p = parse({"rules", "add", "--allow", "--package", "*"});
    ASSERT_EQ(p.rc, -1) << p.err;
    EXPECT_EQ(p.options.ruleKind, RuleKind::Package);
}

TEST(RulesGrammar, SignerIsARuleKind)
{
    const Parsed s = parse({"rules", "add", "--allow", "--signer", "Contoso Software*"});
    ASSERT_EQ(s.rc, -1) << s.err;
    EXPECT_EQ(s.options.ruleKind, RuleKind::Signer);
    EXPECT_EQ(s.options.pattern, "Contoso Software*");
    EXPECT_EQ(parse({"rules", "add", "--allow", "--signer", "A", "--package", "b"}).rc, kExitUsage);
}

TEST(RulesGrammar, AskMessageLinkAndGroupAreParsed)
{
    const Parsed p = parse({"rules", "add", "--ask", "--glob", "/usr/games/*", "--group", "kids",
                            "--message", "Homework first.", "--link", "https://example.org"});
    ASSERT_EQ(p.rc, -1) << p.err;
    EXPECT_EQ(p.options.ruleAction, Verdict::Ask);
    EXPECT_EQ(p.options.group, "kids");
    EXPECT_EQ(p.options.message, "Homework first.");
    EXPECT_EQ(p.options.link, "https://example.org");
}

TEST(RulesGrammar, ExactlyOneActionAndOneMatch)
{
    EXPECT_EQ(parse({"rules", "add", "--allow", "--ask", "--path", "/x"}).rc, kExitUsage);
    EXPECT_EQ(parse({"rules", "add", "--allow", "--path", "/x", "--cmdline", "x"}).rc, kExitUsage);
    EXPECT_EQ(parse({"rules", "add", "--allow"}).rc, kExitUsage);
}

TEST(RulesGrammar, UserAndGroupTogetherIsAUsageError)
{
    EXPECT_EQ(parse({"rules", "add", "--allow", "--path", "/x", "--user", "1", "--group", "2"}).rc,
              kExitUsage);
}

TEST(RulesGrammar, TooLongMessageIsAUsageError)
{
    const std::string longMessage(PG_MAX_RULE_MESSAGE_BYTES, 'm');
    EXPECT_EQ(
        parse({"rules", "add", "--block", "--path", "/x", "--message", longMessage.c_str()}).rc,
        kExitUsage);
}

TEST(RulesGrammar, ImportDefaultsToMergeAndTakesReplace)
{
    const Parsed merge = parse({"rules", "import", "p.json"});
    ASSERT_EQ(merge.rc, -1) << merge.err;
    EXPECT_EQ(merge.options.command, Command::RulesImport);
    EXPECT_EQ(merge.options.policyPath, "p.json");
    EXPECT_FALSE(merge.options.replace);
    EXPECT_TRUE(parse({"rules", "import", "p.json", "--replace"}).options.replace);
    EXPECT_EQ(parse({"rules", "import", "p.json", "--replace", "--merge"}).rc, kExitUsage);
    EXPECT_EQ(parse({"rules", "import"}).rc, kExitUsage);
}

TEST(RulesGrammar, ExportNeedsAFile)
{
    EXPECT_EQ(parse({"rules", "export", "-"}).options.command, Command::RulesExport);
    EXPECT_EQ(parse({"rules", "export"}).rc, kExitUsage);
}

TEST(RulesGrammar, ExplainTakesAPathAndOptionalFacts)
{
    const Parsed p = parse({"explain", "/usr/bin/ls", "--user", "alice", "--parent", "/bin/bash",
                            "--cmdline", "ls -l", "--policy", "p.json", "--json"});
    ASSERT_EQ(p.rc, -1) << p.err;
    EXPECT_EQ(p.options.command, Command::Explain);
    EXPECT_EQ(p.options.explainPath, "/usr/bin/ls");
    EXPECT_EQ(p.options.user, "alice");
    EXPECT_EQ(p.options.explainParent, std::string("/bin/bash"));
    EXPECT_EQ(p.options.explainCmdline, std::string("ls -l"));
    EXPECT_FALSE(p.options.explainPackage.has_value());
    EXPECT_EQ(p.options.policyPath, "p.json");
    EXPECT_TRUE(p.options.json);
    const Parsed bare = parse({"explain", "/x"});
    EXPECT_FALSE(bare.options.explainParent.has_value()) << "no --parent: the parent is unknown";
    EXPECT_FALSE(bare.options.explainCmdline.has_value());
    EXPECT_EQ(parse({"explain"}).rc, kExitUsage);
}

// ---- commands ----------------------------------------------------------------

class RulesCommandsTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        processes.users = {{0, "root"}, {1001, "alice"}};
        ctx.makeTransport = [this](const std::string &) {
            return std::make_unique<pg::test::FakeTransport>(component.peer());
        };
        ctx.processes = &processes;
        ctx.accounts = &accounts;
        ctx.files = &files;
        ctx.out = &out;
        ctx.err = &err;
        ctx.connectTimeout = 2000ms;
        ctx.requestTimeout = 2000ms;
    }
    int run(std::vector<const char *> args)
    {
        out.str("");
        err.str("");
        args.insert(args.begin(), "procguardctl");
        return ctl::run(static_cast<int>(args.size()), args.data(), ctx);
    }
    void writePolicyFile(const std::string &path, const Policy &p)
    {
        policy::PolicyDocument d;
        d.policy = p;
        files.files[path] = policy::toPolicyJson(d);
    }

    pg::test::FakeComponent component;
    pg::test::FakeProcessSource processes;
    pg::test::FakeFileSystem files;
    FakeAccounts accounts;
    Context ctx;
    std::ostringstream out, err;
};

TEST_F(RulesCommandsTest, RulesAddSendsEveryNewField)
{
    ASSERT_EQ(run({"rules", "add", "--block", "--sha256", kSha.c_str(), "--group", "kids",
                   "--message", "Not now.", "--link", "https://example.org/why"}),
              kExitOk)
        << err.str();
    ASSERT_EQ(component.policy.rules.size(), 1u);
    const Rule &r = component.policy.rules[0];
    EXPECT_EQ(r.kind, RuleKind::Sha256);
    EXPECT_EQ(r.pattern, kShaLower);
    EXPECT_EQ(r.gid, 3000u);
    EXPECT_FALSE(r.uid.has_value());
    EXPECT_EQ(r.message, "Not now.");
    EXPECT_EQ(r.link, "https://example.org/why");
}

TEST_F(RulesCommandsTest, RulesAddWithUnknownGroupChangesNothing)
{
    EXPECT_EQ(run({"rules", "add", "--allow", "--path", "/x", "--group", "nobody-here"}),
              kExitUsage);
    EXPECT_EQ(component.setPolicyCount(), 0);
    EXPECT_NE(err.str().find("no group named"), std::string::npos);
}

TEST_F(RulesCommandsTest, RulesAddAcceptsANumericGid)
{
    ASSERT_EQ(run({"rules", "add", "--ask", "--cmdline", "steam *", "--group", "42"}), kExitOk)
        << err.str();
    EXPECT_EQ(component.policy.rules.at(0).gid, 42u);
    EXPECT_EQ(component.policy.rules.at(0).action, Verdict::Ask);
}

TEST_F(RulesCommandsTest, ImportReplaceInstallsTheFilesWholePolicy)
{
    component.policy.rules = {rule(7, RuleKind::Exact, Verdict::Allow, "/old")};
    Policy p;
    p.mode = Mode::Lockdown;
    p.defaultVerdict = Verdict::Block;
    p.rules = {rule(1, RuleKind::Prefix, Verdict::Allow, "/usr/"),
               rule(2, RuleKind::Package, Verdict::Allow, "*")};
    writePolicyFile("/p.json", p);
    ASSERT_EQ(run({"rules", "import", "/p.json", "--replace"}), kExitOk) << err.str();
    EXPECT_EQ(component.policy.mode, Mode::Lockdown);
    EXPECT_EQ(component.policy.defaultVerdict, Verdict::Block);
    ASSERT_EQ(component.policy.rules.size(), 2u);
    EXPECT_EQ(component.policy.rules[1].kind, RuleKind::Package);
}

TEST_F(RulesCommandsTest, ImportMergeAddsOnlyNewRulesAndKeepsTheMode)
{
    component.policy.mode = Mode::Prompt;
    component.policy.rules = {rule(1, RuleKind::Exact, Verdict::Allow, "/bin/a")};
    Policy p;
    p.mode = Mode::Lockdown;
    p.rules = {rule(1, RuleKind::Exact, Verdict::Allow, "/bin/a"), // already in force
               rule(1 + 1, RuleKind::Exact, Verdict::Block, "/bin/b")};
    writePolicyFile("/p.json", p);
    ASSERT_EQ(run({"rules", "import", "/p.json"}), kExitOk) << err.str();
    EXPECT_EQ(component.policy.mode, Mode::Prompt);
    ASSERT_EQ(component.policy.rules.size(), 2u);
    EXPECT_EQ(component.policy.rules[1].pattern, "/bin/b");
    EXPECT_NE(out.str().find("1 rules added, 1 already in force"), std::string::npos) << out.str();
}

TEST_F(RulesCommandsTest, ImportMergeRenumbersAClashingId)
{
    component.policy.rules = {rule(1, RuleKind::Exact, Verdict::Allow, "/bin/a")};
    Policy p;
    p.rules = {rule(1, RuleKind::Exact, Verdict::Block, "/bin/b")};
    writePolicyFile("/p.json", p);
    ASSERT_EQ(run({"rules", "import", "/p.json", "--merge"}), kExitOk) << err.str();
    ASSERT_EQ(component.policy.rules.size(), 2u);
    EXPECT_EQ(component.policy.rules[0].id, 1u);
    EXPECT_EQ(component.policy.rules[1].id, 2u);
}

TEST_F(RulesCommandsTest, ImportOfAMalformedFileChangesNothingAndNamesTheField)
{
    files.files["/bad.json"] =
        R"({"schema":2,"mode":"lockdown","rules":[{"kind":"exact","action":"allow","pattern":7}]})";
    EXPECT_EQ(run({"rules", "import", "/bad.json", "--replace"}), kExitFailed);
    EXPECT_EQ(component.setPolicyCount(), 0);
    EXPECT_NE(err.str().find("/rules/0/pattern"), std::string::npos) << err.str();
}

TEST_F(RulesCommandsTest, ImportOfANewerSchemaIsRefused)
{
    files.files["/new.json"] = R"({"schema":9,"mode":"lockdown","rules":[]})";
    EXPECT_EQ(run({"rules", "import", "/new.json"}), kExitFailed);
    EXPECT_EQ(component.setPolicyCount(), 0);
    EXPECT_NE(err.str().find("newer"), std::string::npos) << err.str();
}

TEST_F(RulesCommandsTest, ExportWritesTheComponentsPolicyAsAFile)
{
    component.policy.mode = Mode::Lockdown;
    Rule r = rule(5, RuleKind::Cmdline, Verdict::Block, "* --incognito*");
    r.message = "No.";
    component.policy.rules = {r};
    ASSERT_EQ(run({"rules", "export", "/out.json"}), kExitOk) << err.str();
    EXPECT_FALSE(component.lastHelloAskedControl()) << "export only reads";
    policy::PolicyDocument d;
    policy::PolicyError e;
    ASSERT_TRUE(policy::PolicyFile("/out.json", files).load(&d, &e)) << e.message;
    EXPECT_EQ(d.policy.mode, Mode::Lockdown);
    ASSERT_EQ(d.policy.rules.size(), 1u);
    EXPECT_EQ(d.policy.rules[0].id, 5u);
    EXPECT_EQ(d.policy.rules[0].message, "No.");
}

TEST_F(RulesCommandsTest, ExportToDashPrintsTheFile)
{
    component.policy.rules = {rule(1, RuleKind::Glob, Verdict::Allow, "/usr/bin/*")};
    ASSERT_EQ(run({"rules", "export", "-"}), kExitOk) << err.str();
    const nlohmann::json j = nlohmann::json::parse(out.str());
    EXPECT_EQ(j["schema"], policy::kSchemaVersion);
    EXPECT_EQ(j["rules"][0]["pattern"], "/usr/bin/*");
}

TEST_F(RulesCommandsTest, ExplainFromAPolicyFileNeedsNoComponent)
{
    ctx.makeTransport = [](const std::string &) -> std::unique_ptr<Transport> {
        ADD_FAILURE() << "explain --policy must not connect";
        return nullptr;
    };
    Policy p;
    p.mode = Mode::Lockdown;
    Rule kids = rule(2, RuleKind::Glob, Verdict::Block, "/usr/games/*");
    kids.gid = 3000;
    kids.message = "Homework first.";
    p.rules = {rule(1, RuleKind::Prefix, Verdict::Allow, "/usr/"), kids};
    writePolicyFile("/p.json", p);
    ASSERT_EQ(run({"explain", "/usr/games/tetris", "--policy", "/p.json", "--json"}), kExitOk)
        << err.str();
    const nlohmann::json j = nlohmann::json::parse(out.str());
    EXPECT_EQ(j["decided_by"]["id"], 2);
    EXPECT_EQ(j["kind"], "glob");
    EXPECT_EQ(j["outcome"], "block");
    EXPECT_EQ(j["decided_by"]["message"], "Homework first.");
    ASSERT_EQ(j["outranked"].size(), 1u);
    EXPECT_EQ(j["outranked"][0]["id"], 1);
    EXPECT_EQ(j["outranked"][0]["step_name"], "kind");
    EXPECT_EQ(j["provisional"], false);
}

TEST_F(RulesCommandsTest, ExplainForAnotherUserUsesTheirGroups)
{
    Policy p;
    p.mode = Mode::Lockdown;
    Rule kids = rule(1, RuleKind::Glob, Verdict::Block, "/usr/games/*");
    kids.gid = 3000;
    p.rules = {kids, rule(2, RuleKind::Prefix, Verdict::Allow, "/usr/")};
    writePolicyFile("/p.json", p);
    ASSERT_EQ(run({"explain", "/usr/games/tetris", "--policy", "/p.json", "--user", "root"}),
              kExitOk)
        << err.str();
    EXPECT_NE(out.str().find("Allowed: rule 2"), std::string::npos) << out.str();
    ASSERT_EQ(run({"explain", "/usr/games/tetris", "--policy", "/p.json"}), kExitOk) << err.str();
    EXPECT_NE(out.str().find("Blocked: rule 1"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("loses at step 1"), std::string::npos) << out.str();
}

TEST_F(RulesCommandsTest, ExplainAgainstThePolicyInForceConnectsAsObserver)
{
    component.policy.mode = Mode::Prompt;
    component.policy.defaultVerdict = Verdict::Block;
    ASSERT_EQ(run({"explain", "/opt/thing"}), kExitOk) << err.str();
    EXPECT_FALSE(component.lastHelloAskedControl());
    EXPECT_NE(out.str().find("no rule matches, so the mode decides"), std::string::npos)
        << out.str();
    EXPECT_NE(out.str().find("without an answer in time: block"), std::string::npos) << out.str();
}

TEST_F(RulesCommandsTest, ExplainHashesTheFileWithTheCoresSha256)
{
    char dirTemplate[] = "/tmp/pg-explain-XXXXXX";
    const char *dir = mkdtemp(dirTemplate);
    ASSERT_NE(dir, nullptr);
    const std::string prog = std::string(dir) + "/prog";
    {
        std::FILE *f = std::fopen(prog.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        std::fputs("test", f); // SHA-256("test") = kSha
        std::fclose(f);
    }
    component.policy.mode = Mode::Prompt;
    component.policy.rules = {rule(1, RuleKind::Exact, Verdict::Allow, prog),
                              rule(2, RuleKind::Sha256, Verdict::Block, kShaLower)};
    ASSERT_EQ(run({"explain", prog.c_str(), "--json"}), kExitOk) << err.str();
    const nlohmann::json j = nlohmann::json::parse(out.str());
    EXPECT_EQ(j["sha256"], kShaLower);
    EXPECT_EQ(j["decided_by"]["id"], 2);
    EXPECT_EQ(j["outcome"], "block");
    std::remove(prog.c_str());
    rmdir(dir);
}

TEST_F(RulesCommandsTest, ExplainWithAMissingPolicyFileFailsWithOne)
{
    EXPECT_EQ(run({"explain", "/x", "--policy", "/missing.json"}), kExitFailed);
    EXPECT_NE(err.str().find("/missing.json"), std::string::npos);
}

// ---- time conditions -----------------------------------------------------------

TEST(RulesGrammar, TimeFlagsFillTheRuleTime)
{
    const Parsed p = parse({"rules", "add", "--allow", "--glob", "/usr/games/*", "--days",
                            "mon-fri", "--between", "16:00-18:00", "--between", "22:00-02:00",
                            "--budget", "1h30m", "--budget-group", "2", "--grace", "1m"});
    ASSERT_EQ(p.rc, -1) << p.err;
    const RuleTime &t = p.options.ruleTime;
    EXPECT_EQ(t.days, 0x1F);
    ASSERT_EQ(t.windows.size(), 2u);
    EXPECT_EQ(t.windows[0].start, 16u * 3600);
    EXPECT_EQ(t.windows[1].end, 2u * 3600);
    EXPECT_EQ(t.budgetSeconds, 5400u);
    EXPECT_EQ(t.budgetGroup, 2u);
    EXPECT_EQ(t.graceSeconds, 60u);
    EXPECT_EQ(t.expiry, Expiry::Never);
    EXPECT_EQ(parse({"rules", "add", "--allow", "--path", "/x", "--days", "mon,wed,fri"})
                  .options.ruleTime.days,
              0x15);
    EXPECT_EQ(parse({"rules", "add", "--allow", "--path", "/x", "--once"}).options.ruleTime.expiry,
              Expiry::Once);
    EXPECT_EQ(parse({"rules", "add", "--allow", "--path", "/x", "--until-reboot"})
                  .options.ruleTime.expiry,
              Expiry::Reboot);
    const Parsed f = parse({"rules", "add", "--allow", "--path", "/x", "--for", "30m"});
    EXPECT_EQ(f.options.ruleTime.expiry, Expiry::At);
    EXPECT_EQ(f.options.expireAfter, 1800u);
}

TEST(RulesGrammar, BadTimeFlagsAreUsageErrorsThatSayWhy)
{
    struct Case {
        std::vector<const char *> extra;
        std::string says;
    };
    const std::vector<Case> cases = {
        {{"--days", "mon-funday"}, "--days: \"funday\" is not a day"},
        {{"--between", "25:00-26:00"}, "--between: \"25:00\" is not a time of day"},
        {{"--between", "10:00-10:00"}, "empty"},
        {{"--between", "1:00-2:00", "--between", "3:00-4:00", "--between", "5:00-6:00", "--between",
          "7:00-8:00", "--between", "9:00-10:00"},
         "at most 4 time windows"},
        {{"--budget", "0m"}, "block all day"},
        {{"--budget", "-1h"}, "not a duration"},
        {{"--budget", "25h"}, "longer than 24h"},
        {{"--budget", "1h", "--grace", "2h"}, "longer than 1h"},
        {{"--for", "0s"}, "expire at once"},
        {{"--for", "soon"}, "not a duration"},
        {{"--once", "--until-reboot"}, ""},
        {{"--for", "1h", "--once"}, ""},
        {{"--grace", "1m"}, ""}, // grace needs --budget
        {{"--budget-group", "3"}, ""},
    };
    for (const Case &c : cases) {
        std::vector<const char *> args{"rules", "add", "--allow", "--path", "/x"};
        args.insert(args.end(), c.extra.begin(), c.extra.end());
        const Parsed p = parse(args);
        SCOPED_TRACE(c.extra.front());
        EXPECT_EQ(p.rc, kExitUsage);
        EXPECT_NE(p.err.find(c.says), std::string::npos) << p.err;
    }
}

TEST(RulesGrammar, ExplainTakesAMomentAndADpkgFolder)
{
    const Parsed p =
        parse({"explain", "/x", "--at", "2026-11-21 10:00", "--dpkg-info", "/tmp/info"});
    ASSERT_EQ(p.rc, -1) << p.err;
    EXPECT_EQ(p.options.explainAt, "2026-11-21 10:00");
    EXPECT_EQ(p.options.explainDpkgInfo, "/tmp/info");
    EXPECT_EQ(parse({"explain", "/x"}).options.explainDpkgInfo, "/var/lib/dpkg/info");
}

class RulesTimeCommandsTest : public RulesCommandsTest
{
protected:
    void SetUp() override
    {
        RulesCommandsTest::SetUp();
        ctx.nowNs = [this] { return static_cast<uint64_t>(now) * 1000000000ull; };
        ctx.utcOffset = [](int64_t) { return 0; };
    }
    static Rule afterSchool()
    {
        Rule r = rule(7, RuleKind::Glob, Verdict::Allow, "/usr/games/*");
        r.time.days = 0x1F;
        r.time.windows = {{16 * 3600, 18 * 3600}};
        return r;
    }
    // The fake component takes one connection: later runs talk to next.
    void connectTo(pg::test::FakeComponent &next)
    {
        ctx.makeTransport = [&next](const std::string &) {
            return std::make_unique<pg::test::FakeTransport>(next.peer());
        };
    }
    // Saturday 2026-11-21 10:00 UTC.
    int64_t now = policy::daysFromCivil(2026, 11, 21) * 86400 + 10 * 3600;
};

TEST_F(RulesTimeCommandsTest, RulesAddSendsTheTimeConditions)
{
    ASSERT_EQ(run({"rules", "add", "--allow", "--glob", "/usr/games/*", "--days", "mon-fri",
                   "--between", "16:00-18:00", "--budget", "1h"}),
              kExitOk)
        << err.str();
    ASSERT_EQ(component.policy.rules.size(), 1u);
    const RuleTime &t = component.policy.rules[0].time;
    EXPECT_EQ(t.days, 0x1F);
    ASSERT_EQ(t.windows.size(), 1u);
    EXPECT_EQ(t.windows[0].end, 18u * 3600);
    EXPECT_EQ(t.budgetSeconds, 3600u);
    EXPECT_NE(out.str().find("Mon-Fri 16:00-18:00; 1h a day"), std::string::npos) << out.str();
}

TEST_F(RulesTimeCommandsTest, RulesAddForCountsFromTheClock)
{
    ASSERT_EQ(run({"rules", "add", "--allow", "--path", "/usr/bin/steam", "--for", "30m"}), kExitOk)
        << err.str();
    const RuleTime &t = component.policy.rules.at(0).time;
    EXPECT_EQ(t.expiry, Expiry::At);
    EXPECT_EQ(t.expiresAt, now + 1800);
}

TEST_F(RulesTimeCommandsTest, RulesListShowsAWhenColumn)
{
    Rule once = rule(8, RuleKind::Exact, Verdict::Allow, "/usr/bin/steam");
    once.time.expiry = Expiry::Once;
    component.policy.rules = {afterSchool(), once,
                              rule(9, RuleKind::Prefix, Verdict::Allow, "/usr/bin/")};
    ASSERT_EQ(run({"rules", "list"}), kExitOk) << err.str();
    const std::string text = out.str();
    EXPECT_NE(text.find("WHEN"), std::string::npos) << text;
    EXPECT_NE(text.find("Mon-Fri 16:00-18:00  /usr/games/*"), std::string::npos) << text;
    EXPECT_NE(text.find("once"), std::string::npos) << text;
    EXPECT_NE(text.find("always"), std::string::npos) << text;
    pg::test::FakeComponent again;
    again.policy = component.policy;
    connectTo(again);
    ASSERT_EQ(run({"rules", "list", "--json"}), kExitOk) << err.str();
    const nlohmann::json j = nlohmann::json::parse(out.str());
    EXPECT_EQ(j["rules"][0]["schedule"]["windows"][0]["from"], "16:00");
    EXPECT_EQ(j["rules"][0]["when"], "Mon-Fri 16:00-18:00");
    EXPECT_EQ(j["rules"][1]["expires"]["kind"], "once");
    EXPECT_FALSE(j["rules"][2].contains("when"));
}

TEST_F(RulesTimeCommandsTest, ExportAndImportCarryTheTimeConditions)
{
    Rule until = rule(8, RuleKind::Exact, Verdict::Allow, "/usr/bin/steam");
    until.time.expiry = Expiry::At;
    until.time.expiresAt = now + 3600;
    Rule budget = rule(9, RuleKind::Glob, Verdict::Allow, "/usr/games/*");
    budget.time.budgetSeconds = 2700;
    budget.time.budgetGroup = 1;
    component.policy.mode = Mode::Lockdown;
    component.policy.rules = {afterSchool(), until, budget};
    const Policy before = component.policy;
    ASSERT_EQ(run({"rules", "export", "/out.json"}), kExitOk) << err.str();
    EXPECT_NE(files.files["/out.json"].find("\"per_day\": \"45m\""), std::string::npos)
        << files.files["/out.json"];

    pg::test::FakeComponent empty;
    connectTo(empty);
    ASSERT_EQ(run({"rules", "import", "/out.json", "--replace"}), kExitOk) << err.str();
    ASSERT_EQ(empty.policy.rules.size(), before.rules.size());
    for (size_t i = 0; i < before.rules.size(); ++i) {
        const RuleTime &a = before.rules[i].time, &b = empty.policy.rules[i].time;
        EXPECT_EQ(a.days, b.days);
        EXPECT_EQ(a.windows.size(), b.windows.size());
        EXPECT_EQ(a.expiry, b.expiry);
        EXPECT_EQ(a.expiresAt, b.expiresAt);
        EXPECT_EQ(a.budgetSeconds, b.budgetSeconds);
        EXPECT_EQ(a.budgetGroup, b.budgetGroup);
    }
    // Merging the same file again adds nothing: the time is part of the rule.
    pg::test::FakeComponent same;
    same.policy = before;
    connectTo(same);
    ASSERT_EQ(run({"rules", "import", "/out.json"}), kExitOk) << err.str();
    EXPECT_NE(out.str().find("0 rules added, 3 already in force"), std::string::npos) << out.str();
}

TEST_F(RulesTimeCommandsTest, ExplainSaysTheScheduleAndWhoDecidesInstead)
{
    Policy p;
    p.mode = Mode::Lockdown;
    p.rules = {afterSchool()};
    writePolicyFile("/p.json", p);
    ASSERT_EQ(run({"explain", "/usr/games/tetris", "--policy", "/p.json"}), kExitOk) << err.str();
    EXPECT_NE(out.str().find("would allow, but only Mon-Fri 16:00-18:00; now (Sat 2026-11-21 "
                             "10:00) is outside its schedule"),
              std::string::npos)
        << out.str();
    EXPECT_NE(out.str().find("Instead - Blocked"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("  not in force: rule 7"), std::string::npos) << out.str();

    ASSERT_EQ(run({"explain", "/usr/games/tetris", "--policy", "/p.json", "--at",
                   "2026-11-23 17:00", "--json"}),
              kExitOk)
        << err.str();
    const nlohmann::json j = nlohmann::json::parse(out.str());
    EXPECT_EQ(j["decided_by"]["id"], 7);
    EXPECT_EQ(j["outcome"], "allow");
    EXPECT_EQ(j["at"], "2026-11-23T17:00:00Z");
    EXPECT_TRUE(j["not_in_force"].empty());

    EXPECT_EQ(run({"explain", "/usr/games/tetris", "--policy", "/p.json", "--at", "monday"}),
              kExitUsage);
    EXPECT_NE(err.str().find("--at"), std::string::npos) << err.str();
}

TEST_F(RulesTimeCommandsTest, ExplainLooksThePackageUpInDpkgsDatabase)
{
    char tmpl[] = "/tmp/pg-explain-dpkg-XXXXXX";
    const char *dirC = mkdtemp(tmpl);
    ASSERT_NE(dirC, nullptr);
    const std::string dir = dirC;
    const std::string prog = dir + "/tool";
    {
        std::ofstream f(prog, std::ios::binary);
        f << "test"; // MD5 098f6bcd4621d373cade4e832627b4f6
    }
    ASSERT_EQ(mkdir((dir + "/info").c_str(), 0755), 0);
    {
        std::ofstream l(dir + "/info/toolbox.list");
        l << prog << '\n';
        std::ofstream m(dir + "/info/toolbox.md5sums");
        m << "098f6bcd4621d373cade4e832627b4f6  " << prog.substr(1) << '\n';
    }
    Policy p;
    p.mode = Mode::Lockdown;
    p.rules = {rule(1, RuleKind::Package, Verdict::Allow, "tool*")};
    writePolicyFile("/p.json", p);
    const std::string info = dir + "/info";
    ASSERT_EQ(run({"explain", prog.c_str(), "--policy", "/p.json", "--dpkg-info", info.c_str(),
                   "--json"}),
              kExitOk)
        << err.str();
    const nlohmann::json j = nlohmann::json::parse(out.str());
    EXPECT_EQ(j["decided_by"]["id"], 1);
    EXPECT_EQ(j["package"], "toolbox");
    EXPECT_EQ(j["provisional"], false);

    // --package says it outright; dpkg is not asked.
    ASSERT_EQ(run({"explain", prog.c_str(), "--policy", "/p.json", "--dpkg-info", "/nonexistent",
                   "--package", "other"}),
              kExitOk)
        << err.str();
    EXPECT_NE(out.str().find("Blocked"), std::string::npos) << out.str();

    for (const std::string &f : {prog, info + "/toolbox.list", info + "/toolbox.md5sums"})
        std::remove(f.c_str());
    rmdir(info.c_str());
    rmdir(dir.c_str());
}

// ---- the managed layer -------------------------------------------------------

namespace
{

Rule managedRule(uint32_t id, const std::string &pattern)
{
    Rule r = rule(id, RuleKind::Prefix, Verdict::Block, pattern);
    r.managed = true;
    return r;
}

} // namespace

TEST_F(RulesCommandsTest, RulesListMarksManagedRules)
{
    component.policy.rules = {managedRule(0x80000000u, "/srv/games/"),
                              rule(1, RuleKind::Exact, Verdict::Allow, "/usr/bin/editor")};
    ASSERT_EQ(run({"rules", "list"}), kExitOk) << err.str();
    const std::string text = out.str();
    EXPECT_NE(text.find("2147483648  block"), std::string::npos) << text;
    EXPECT_NE(text.find("/srv/games/  (managed)"), std::string::npos) << text;
    EXPECT_EQ(text.find("/usr/bin/editor  (managed)"), std::string::npos) << text;
    EXPECT_NE(text.find("1 managed rule(s)"), std::string::npos) << text;
}

TEST_F(RulesCommandsTest, RulesListJsonSaysWhichRulesAreManaged)
{
    component.policy.rules = {managedRule(0x80000000u, "/srv/games/"),
                              rule(1, RuleKind::Exact, Verdict::Allow, "/usr/bin/editor")};
    ASSERT_EQ(run({"rules", "list", "--json"}), kExitOk) << err.str();
    const nlohmann::json j = nlohmann::json::parse(out.str());
    EXPECT_TRUE(j["rules"][0]["managed"].get<bool>());
    EXPECT_FALSE(j["rules"][1]["managed"].get<bool>());
}

TEST_F(RulesCommandsTest, RulesRemoveRefusesAManagedRuleWithoutAsking)
{
    component.policy.rules = {managedRule(0x80000000u, "/srv/games/")};
    EXPECT_EQ(run({"rules", "remove", "2147483648"}), kExitFailed);
    EXPECT_NE(err.str().find("is managed"), std::string::npos) << err.str();
    EXPECT_EQ(component.setPolicyCount(), 0);
}

TEST_F(RulesCommandsTest, ImportReplaceKeepsTheManagedRulesAndSettings)
{
    component.managed.supported = true;
    component.managed.flags = PG_MANF_MODE;
    component.policy.mode = Mode::Lockdown;
    component.policy.rules = {managedRule(0x80000000u, "/srv/games/"),
                              rule(7, RuleKind::Exact, Verdict::Allow, "/old")};
    Policy p;
    p.mode = Mode::Monitor;
    p.rules = {rule(1, RuleKind::Prefix, Verdict::Allow, "/usr/")};
    writePolicyFile("/p.json", p);
    ASSERT_EQ(run({"rules", "import", "/p.json", "--replace"}), kExitOk) << err.str();
    EXPECT_EQ(component.policy.mode, Mode::Lockdown);
    ASSERT_EQ(component.policy.rules.size(), 2u);
    EXPECT_TRUE(component.policy.rules[0].managed);
    EXPECT_EQ(component.policy.rules[1].pattern, "/usr/");
}

TEST_F(RulesCommandsTest, ExportLeavesManagedRulesInTheirFiles)
{
    component.policy.rules = {managedRule(0x80000000u, "/srv/games/"),
                              rule(1, RuleKind::Exact, Verdict::Allow, "/usr/bin/editor")};
    ASSERT_EQ(run({"rules", "export", "-"}), kExitOk) << err.str();
    EXPECT_EQ(out.str().find("/srv/games/"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("/usr/bin/editor"), std::string::npos) << out.str();
    EXPECT_NE(err.str().find("1 managed rule(s) not exported"), std::string::npos) << err.str();
}

TEST_F(RulesCommandsTest, StatusShowsManagedFilesAndTheirErrors)
{
    component.managed.supported = true;
    component.managed.source = "/etc/procguard/policy.d";
    component.managed.flags = PG_MANF_MODE | PG_MANF_LOCAL_BLOCK_ONLY;
    component.managed.ruleCount = 2;
    component.managed.rejected = 1;
    ManagedFile ok;
    ok.name = "10-school.json";
    ok.ruleCount = 2;
    ManagedFile bad;
    bad.name = "20-bad.json";
    bad.state = ManagedFile::State::Rejected;
    bad.error = "/etc/procguard/policy.d/20-bad.json: At /rules/1/kind: unknown kind.";
    component.managed.files = {ok, bad};
    ASSERT_EQ(run({"status"}), kExitOk) << err.str();
    const std::string text = out.str();
    EXPECT_NE(text.find("Managed policy:   /etc/procguard/policy.d: 2 file(s), 2 managed rule(s); "
                        "managed settings: mode; local rules: block rules only"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("20-bad.json: REJECTED, its last good version stays in force"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("error: " + bad.error), std::string::npos) << text;
}

TEST_F(RulesCommandsTest, StatusJsonHasTheManagedLayer)
{
    component.managed.supported = true;
    component.managed.flags = PG_MANF_LOCAL_BLOCK_ONLY;
    ManagedFile bad;
    bad.name = "20-bad.json";
    bad.state = ManagedFile::State::Rejected;
    bad.error = "/etc/procguard/policy.d/20-bad.json: At /rules/1/kind: unknown kind.";
    component.managed.files = {ManagedFile{}, bad};
    component.managed.files[0].name = "10-school.json";
    ASSERT_EQ(run({"status", "--json"}), kExitOk) << err.str();
    const nlohmann::json j = nlohmann::json::parse(out.str());
    EXPECT_EQ(j["managed"]["local_rules"], "block-only");
    EXPECT_EQ(j["managed"]["files"][1]["error"], bad.error);
    EXPECT_EQ(j["managed"]["files"][1]["state"], "rejected-last-good-kept");
}
