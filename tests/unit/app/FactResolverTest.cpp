// FactResolverTest.cpp - the client's facts loop (FactResolver.h) with a
// fake signer source, and `procguardctl approve` answering requests that
// procguard.sys held for the signer (PG_EVF_FACTS).
#include <gtest/gtest.h>
#include <map>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "Commands.h"
#include "ExitCodes.h"
#include "FactResolver.h"
#include "FakeComponent.h"
#include "FakeProcessSource.h"

using namespace pg;
using namespace std::chrono_literals;

namespace
{

// Signers by image path; anything else is unsigned. Counts lookups.
class FakeSigners : public FactSource
{
public:
    uint32_t facts() const override { return PG_FACT_SIGNER; }
    SignerInfo signer(const std::string &image) override
    {
        ++lookups;
        lastImage = image;
        auto it = bySubject.find(image);
        if (it == bySubject.end())
            return {false, {}, "The file is not signed."};
        if (!it->second.second)
            return {false, {}, "Signed by " + it->second.first + ", but the root is not trusted."};
        return {true, it->second.first, "Signed by " + it->second.first + " (trusted)."};
    }

    // image -> (subject, trusted)
    std::map<std::string, std::pair<std::string, bool>> bySubject;
    int lookups = 0;
    std::string lastImage;
};

class NoSigners : public FactSource
{
public:
    uint32_t facts() const override { return 0; }
    SignerInfo signer(const std::string &) override
    {
        ADD_FAILURE() << "a platform without signers was asked for one";
        return {};
    }
};

Rule rule(RuleKind kind, Verdict action, const std::string &pattern)
{
    Rule r;
    r.kind = kind;
    r.action = action;
    r.pattern = pattern;
    return r;
}

Event request(uint64_t hold, const std::string &image, uint16_t flags = PG_EVF_HELD | PG_EVF_FACTS)
{
    Event e;
    e.kind = EventKind::Request;
    e.seq = hold;
    e.holdId = hold;
    e.pid = static_cast<uint32_t>(3000 + hold);
    e.flags = flags;
    e.timeoutMs = 0;
    e.defaultVerdict = Verdict::Allow;
    e.image = image;
    e.parentImage = "C:/WINDOWS/EXPLORER.EXE";
    return e;
}

Policy policyOf(Mode mode, std::vector<Rule> rules)
{
    Policy p;
    p.mode = mode;
    p.defaultVerdict = Verdict::Allow;
    p.rules = std::move(rules);
    return p;
}

class FactResolverTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        signers.bySubject["C:/APPS/EDITOR.EXE"] = {"Contoso Software Ltd", true};
        signers.bySubject["C:/APPS/SELFSIGNED.EXE"] = {"Contoso Software Ltd", false};
    }
    Resolution resolve(const Policy &p, const Event &e)
    {
        std::string error;
        EXPECT_TRUE(resolver.setPolicy(p, &error)) << error;
        return resolver.resolve(e);
    }

    FakeSigners signers;
    FactResolver resolver{signers};
};

} // namespace

TEST_F(FactResolverTest, TrustedSignerMatchesASignerRuleCaseInsensitively)
{
    const Resolution r =
        resolve(policyOf(Mode::Lockdown, {rule(RuleKind::Signer, Verdict::Allow, "contoso *")}),
                request(1, "C:/APPS/EDITOR.EXE"));
    ASSERT_TRUE(r.decided);
    EXPECT_EQ(r.action, Verdict::Allow);
    EXPECT_EQ(r.kind, RuleKind::Signer);
    EXPECT_EQ(r.index, 0u);
    EXPECT_EQ(r.needs, 0u);
    ASSERT_TRUE(r.signer.has_value());
    EXPECT_TRUE(r.signer->trusted);
    EXPECT_EQ(signers.lastImage, "C:/APPS/EDITOR.EXE");
    EXPECT_EQ(verdictForFacts(r, Mode::Lockdown), Verdict::Allow);
}

TEST_F(FactResolverTest, UntrustedOrUnsignedImageMatchesNoSignerRuleAndSaysWhy)
{
    const Policy p = policyOf(Mode::Lockdown, {rule(RuleKind::Signer, Verdict::Allow, "*")});
    for (const char *image : {"C:/APPS/SELFSIGNED.EXE", "C:/APPS/UNSIGNED.EXE"}) {
        const Resolution r = resolve(p, request(1, image));
        EXPECT_FALSE(r.decided) << image;
        EXPECT_EQ(r.needs, 0u) << image;
        ASSERT_TRUE(r.signer.has_value());
        EXPECT_FALSE(r.signer->trusted);
        EXPECT_FALSE(r.signer->reason.empty());
        // Lockdown blocks what no rule allows; prompt mode asks a person.
        EXPECT_EQ(verdictForFacts(r, Mode::Lockdown), Verdict::Block);
        EXPECT_EQ(verdictForFacts(r, Mode::Prompt), std::nullopt);
    }
    EXPECT_NE(resolve(p, request(1, "C:/APPS/SELFSIGNED.EXE")).signer->reason.find("not trusted"),
              std::string::npos);
}

TEST_F(FactResolverTest, SignerIsLookedUpOnlyWhenASignerRuleCouldDecide)
{
    const Policy p = policyOf(Mode::Prompt, {rule(RuleKind::Prefix, Verdict::Block, "C:/APPS/"),
                                             rule(RuleKind::Signer, Verdict::Allow, "*")});
    const Resolution r = resolve(p, request(1, "C:/APPS/EDITOR.EXE"));
    ASSERT_TRUE(r.decided);
    EXPECT_EQ(r.kind, RuleKind::Prefix); // a path rule outranks the signer rule
    EXPECT_EQ(r.action, Verdict::Block);
    EXPECT_FALSE(r.signer.has_value());
    EXPECT_EQ(signers.lookups, 0);
}

TEST_F(FactResolverTest, SignerBlockBeatsSignerAllowAndPolicyOrderBreaksTies)
{
    const Policy p = policyOf(Mode::Prompt, {rule(RuleKind::Signer, Verdict::Allow, "Contoso*"),
                                             rule(RuleKind::Signer, Verdict::Block, "*Ltd")});
    const Resolution r = resolve(p, request(1, "C:/APPS/EDITOR.EXE"));
    ASSERT_TRUE(r.decided);
    EXPECT_EQ(r.action, Verdict::Block);
    EXPECT_EQ(r.index, 1u);
    EXPECT_EQ(verdictForFacts(r, Mode::Prompt), Verdict::Block);
}

TEST_F(FactResolverTest, AskRuleLeavesTheAnswerToAPerson)
{
    const Resolution r =
        resolve(policyOf(Mode::Lockdown, {rule(RuleKind::Signer, Verdict::Ask, "Contoso*")}),
                request(1, "C:/APPS/EDITOR.EXE"));
    ASSERT_TRUE(r.decided);
    EXPECT_EQ(r.action, Verdict::Ask);
    EXPECT_EQ(verdictForFacts(r, Mode::Lockdown), std::nullopt);
    EXPECT_EQ(verdictForFacts(r, Mode::Monitor), Verdict::Allow);
}

TEST_F(FactResolverTest, CommandLineOfTheRequestIsUsed)
{
    Event e = request(1, "C:/APPS/EDITOR.EXE");
    e.cmdline = "C:/APPS/EDITOR.EXE --private";
    const Resolution r =
        resolve(policyOf(Mode::Prompt, {rule(RuleKind::Cmdline, Verdict::Block, "*--private*"),
                                        rule(RuleKind::Signer, Verdict::Allow, "*")}),
                e);
    ASSERT_TRUE(r.decided);
    EXPECT_EQ(r.kind, RuleKind::Cmdline);
    EXPECT_EQ(r.action, Verdict::Block);
}

TEST_F(FactResolverTest, WithoutAPolicyNothingIsDecided)
{
    EXPECT_FALSE(resolver.hasPolicy());
    EXPECT_FALSE(resolver.resolve(request(1, "C:/APPS/EDITOR.EXE")).decided);
}

TEST_F(FactResolverTest, PolicyThatCannotBeEncodedIsRefusedAndTheOldOneStays)
{
    std::string error;
    ASSERT_TRUE(resolver.setPolicy(
        policyOf(Mode::Prompt, {rule(RuleKind::Signer, Verdict::Allow, "Contoso*")}), &error));
    EXPECT_FALSE(resolver.setPolicy(
        policyOf(Mode::Prompt, {rule(RuleKind::Signer, Verdict::Allow, std::string(5000, 'x'))}),
        &error));
    EXPECT_FALSE(error.empty());
    EXPECT_TRUE(resolver.resolve(request(1, "C:/APPS/EDITOR.EXE")).decided);
}

TEST(FactResolverNoSigners, SignerRulesNeverMatchAndNeverStayOpen)
{
    NoSigners none;
    FactResolver resolver(none);
    std::string error;
    ASSERT_TRUE(resolver.setPolicy(
        policyOf(Mode::Lockdown, {rule(RuleKind::Signer, Verdict::Allow, "*")}), &error));
    const Resolution r = resolver.resolve(request(1, "/usr/bin/true"));
    EXPECT_FALSE(r.decided);
    EXPECT_EQ(r.needs, 0u);
    EXPECT_FALSE(r.signer.has_value());
    EXPECT_EQ(verdictForFacts(r, Mode::Lockdown), Verdict::Block);
}

// ---- procguardctl approve ---------------------------------------------------

namespace
{

class ApproveFactsTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_EQ(pipe(input), 0);
        ASSERT_EQ(pipe(stop), 0);
        signers.bySubject["C:/APPS/EDITOR.EXE"] = {"Contoso Software Ltd", true};
        ctx.makeTransport = [this](const std::string &) {
            return std::make_unique<pg::test::FakeTransport>(component.peer());
        };
        ctx.processes = &processes;
        ctx.out = &out;
        ctx.err = &err;
        ctx.inputFd = input[0];
        ctx.stopFd = stop[0];
        ctx.connectTimeout = 2000ms;
        ctx.requestTimeout = 2000ms;
        ctx.facts = &signers;
    }
    void TearDown() override
    {
        for (int fd : {input[0], input[1], stop[0], stop[1]})
            if (fd >= 0)
                close(fd);
    }
    int run(std::vector<const char *> args)
    {
        args.insert(args.begin(), "procguardctl");
        return ctl::run(static_cast<int>(args.size()), args.data(), ctx);
    }

    int input[2] = {-1, -1};
    int stop[2] = {-1, -1};
    pg::test::FakeComponent component;
    pg::test::FakeProcessSource processes;
    FakeSigners signers;
    std::ostringstream out, err;
    ctl::Context ctx;
};

} // namespace

TEST_F(ApproveFactsTest, SignerRuleAnswersAFactsRequestWithoutAskingAndTheRestIsAsked)
{
    component.policy =
        policyOf(Mode::Lockdown, {rule(RuleKind::Signer, Verdict::Allow, "Contoso*")});
    component.status.mode = Mode::Lockdown;
    // The signed editor is allowed by the rule; the unsigned tool is blocked
    // by lockdown; an ordinary request goes to the person (--auto allow).
    component.pushEvents({request(41, "C:/APPS/EDITOR.EXE"), request(42, "C:/APPS/TOOL.EXE"),
                          request(43, "C:/APPS/OTHER.EXE", PG_EVF_HELD)});
    EXPECT_EQ(run({"approve", "--auto", "allow", "--count", "1"}), ctl::kExitOk) << err.str();
    const auto v = component.verdicts();
    ASSERT_EQ(v.size(), 3u) << out.str();
    EXPECT_EQ(v[0].holdId, 41u);
    EXPECT_EQ(v[0].verdict, Verdict::Allow);
    EXPECT_EQ(v[1].holdId, 42u);
    EXPECT_EQ(v[1].verdict, Verdict::Block);
    EXPECT_EQ(v[2].holdId, 43u);
    EXPECT_EQ(v[2].verdict, Verdict::Allow);
    EXPECT_EQ(signers.lookups, 2);
    const std::string text = out.str();
    EXPECT_NE(text.find("by the policy (rule"), std::string::npos) << text;
    EXPECT_NE(text.find("not signed"), std::string::npos) << text;
}

TEST_F(ApproveFactsTest, InPromptModeAnUnmatchedFactsRequestShowsTheSignerCheck)
{
    component.policy =
        policyOf(Mode::Prompt, {rule(RuleKind::Signer, Verdict::Allow, "Fabrikam*")});
    component.status.mode = Mode::Prompt;
    int rc = -1;
    std::thread session([&] { rc = run({"approve"}); });
    component.pushEvents({request(51, "C:/APPS/EDITOR.EXE")});
    // Typed ahead: approve shows a hold before it reads an answer for it.
    ASSERT_EQ(write(input[1], "b\n", 2), 2);
    for (int i = 0; i < 400 && component.verdicts().empty(); ++i)
        std::this_thread::sleep_for(10ms);
    close(input[1]);
    input[1] = -1;
    session.join();
    EXPECT_EQ(rc, ctl::kExitOk) << err.str();
    ASSERT_EQ(component.verdicts().size(), 1u);
    EXPECT_EQ(component.verdicts()[0].verdict, Verdict::Block);
    EXPECT_NE(out.str().find("Signer:    Signed by Contoso Software Ltd"), std::string::npos);
}
