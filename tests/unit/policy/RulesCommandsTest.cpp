// RulesCommandsTest.cpp - procguardctl's new rule grammar (rules add's new
// kinds and options, rules import/export, explain) and those commands end
// to end over a fake component, a fake file system and fake accounts.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "Accounts.h"
#include "Cli.h"
#include "Commands.h"
#include "ExitCodes.h"
#include "FakeComponent.h"
#include "FakeFileSystem.h"
#include "FakeProcessSource.h"
#include "PolicyFile.h"

using namespace pg;
using namespace pg::ctl;
using namespace std::chrono_literals;

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
    static Rule rule(uint32_t id, RuleKind k, Verdict a, const std::string &pattern)
    {
        Rule r;
        r.id = id;
        r.kind = k;
        r.action = a;
        r.pattern = pattern;
        return r;
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
    EXPECT_EQ(j["schema"], 2);
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
