// FactResolverTest.cpp - the client's facts loop (FactResolver.h) with a
// fake signer source, and `procguardctl approve` answering requests that
// procguard.sys held for the signer (PG_EVF_FACTS).
#include <atomic>
#include <gtest/gtest.h>
#include <map>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "Commands.h"
#include "ExitCodes.h"
#include "FactResolver.h"
#include "FactsAnswerer.h"
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

// The shared answering piece (FactsAnswerer.h) on its own, over a link to
// the fake component.
namespace
{

class FactsAnswererTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        signers.bySubject["C:/APPS/EDITOR.EXE"] = {"Contoso Software Ltd", true};
        ConnectOptions o;
        o.timeout = 2000ms;
        ASSERT_FALSE(link.connect(o));
        link.start(nullptr);
    }
    void TearDown() override { link.close(); }
    void setPolicy(Policy p)
    {
        msg::assignRuleIds(p.rules);
        component.policy = std::move(p);
    }

    pg::test::FakeComponent component;
    KernelLink link{std::make_unique<pg::test::FakeTransport>(component.peer())};
    FakeSigners signers;
    std::ostringstream out, err;
    ctl::FactsAnswerer answerer{link, &signers, out, err, 2000ms};
};

} // namespace

TEST_F(FactsAnswererTest, DecidedAllowIsSentWithTheRuleAndTheSigner)
{
    setPolicy(policyOf(Mode::Lockdown, {rule(RuleKind::Signer, Verdict::Allow, "Contoso*")}));
    const ctl::FactsAnswer a = answerer.answer(request(61, "C:/APPS/EDITOR.EXE"));
    EXPECT_TRUE(a.answered);
    EXPECT_FALSE(a.fatal);
    EXPECT_EQ(a.signer, "Signed by Contoso Software Ltd (trusted).");
    const auto v = component.verdicts();
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].holdId, 61u);
    EXPECT_EQ(v[0].verdict, Verdict::Allow);
    EXPECT_EQ(out.str(), "pid 3061 C:/APPS/EDITOR.EXE: allow by the policy (rule 1 (signer); "
                         "Signed by Contoso Software Ltd (trusted).).\n");
}

TEST_F(FactsAnswererTest, DecidedBlockIsSentAndLockdownBlocksWhatNoRuleDecides)
{
    setPolicy(policyOf(Mode::Lockdown, {rule(RuleKind::Signer, Verdict::Block, "Contoso*")}));
    EXPECT_TRUE(answerer.answer(request(62, "C:/APPS/EDITOR.EXE")).answered);
    EXPECT_TRUE(answerer.answer(request(63, "C:/APPS/UNSIGNED.EXE")).answered);
    const auto v = component.verdicts();
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0].verdict, Verdict::Block);
    EXPECT_EQ(v[1].holdId, 63u);
    EXPECT_EQ(v[1].verdict, Verdict::Block);
    EXPECT_NE(out.str().find("EDITOR.EXE: block by the policy (rule 1 (signer)"), std::string::npos)
        << out.str();
    EXPECT_NE(out.str().find("UNSIGNED.EXE: block by the policy (no rule, lockdown mode; The file "
                             "is not signed.)"),
              std::string::npos)
        << out.str();
}

TEST_F(FactsAnswererTest, WhatNeedsAPersonIsNotAnswered)
{
    // Prompt mode without a deciding rule, and an ask rule: a person decides.
    setPolicy(policyOf(Mode::Prompt, {rule(RuleKind::Signer, Verdict::Allow, "Fabrikam*")}));
    ctl::FactsAnswer a = answerer.answer(request(64, "C:/APPS/EDITOR.EXE"));
    EXPECT_FALSE(a.answered);
    EXPECT_FALSE(a.fatal);
    EXPECT_EQ(a.signer, "Signed by Contoso Software Ltd (trusted).");
    setPolicy(policyOf(Mode::Lockdown, {rule(RuleKind::Signer, Verdict::Ask, "Contoso*")}));
    a = answerer.answer(request(65, "C:/APPS/EDITOR.EXE"));
    EXPECT_FALSE(a.answered);
    EXPECT_TRUE(component.verdicts().empty());
    EXPECT_EQ(out.str(), "");
}

TEST_F(FactsAnswererTest, LostLinkIsFatalAndSaysWhichStartWasNotChecked)
{
    setPolicy(policyOf(Mode::Lockdown, {rule(RuleKind::Signer, Verdict::Allow, "Contoso*")}));
    component.peer()->closeFromServer();
    for (int i = 0; i < 500 && link.isConnected(); ++i)
        std::this_thread::sleep_for(10ms);
    const ctl::FactsAnswer a = answerer.answer(request(66, "C:/APPS/EDITOR.EXE"));
    EXPECT_TRUE(a.answered);
    ASSERT_TRUE(a.fatal.has_value());
    EXPECT_EQ(a.fatal->code, Error::Code::Disconnected);
    EXPECT_NE(err.str().find("Could not read the policy to check pid 3066 C:/APPS/EDITOR.EXE"),
              std::string::npos)
        << err.str();
    EXPECT_TRUE(component.verdicts().empty());
}

// `procguardctl resolve`: the same fixture as approve.
using ResolveFactsTest = ApproveFactsTest;

namespace
{

bool waitVerdicts(pg::test::FakeComponent &c, size_t n)
{
    for (int i = 0; i < 500 && c.verdicts().size() < n; ++i)
        std::this_thread::sleep_for(10ms);
    return c.verdicts().size() >= n;
}

} // namespace

TEST_F(ResolveFactsTest, ResolverAnswersOnlyFactsRequestsAndEndsCleanlyOnStop)
{
    component.platform = PG_PLATFORM_WINDOWS;
    component.resolveRole = Role::Resolver;
    Policy p = policyOf(Mode::Lockdown, {rule(RuleKind::Signer, Verdict::Allow, "Contoso*"),
                                         rule(RuleKind::Signer, Verdict::Ask, "Fabrikam*")});
    msg::assignRuleIds(p.rules);
    component.policy = p;
    signers.bySubject["C:/APPS/ASKME.EXE"] = {"Fabrikam Inc", true};
    // A plain request is the controller's; an ask rule needs a person.
    component.pushEvents({request(71, "C:/APPS/OTHER.EXE", PG_EVF_HELD),
                          request(72, "C:/APPS/ASKME.EXE"), request(73, "C:/APPS/EDITOR.EXE"),
                          request(74, "C:/APPS/TOOL.EXE")});
    int rc = -1;
    std::thread session([&] { rc = run({"resolve"}); });
    EXPECT_TRUE(waitVerdicts(component, 2));
    std::this_thread::sleep_for(50ms); // nothing more may come
    EXPECT_EQ(write(stop[1], "x", 1), 1);
    session.join();
    EXPECT_EQ(rc, ctl::kExitOk) << err.str();
    EXPECT_FALSE(component.lastHelloAskedControl());
    const auto v = component.verdicts();
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0].holdId, 73u);
    EXPECT_EQ(v[0].verdict, Verdict::Allow);
    EXPECT_EQ(v[1].holdId, 74u);
    EXPECT_EQ(v[1].verdict, Verdict::Block);
    const std::string text = out.str();
    EXPECT_EQ(text.rfind("Resolving facts for procguardd fake as resolver.\n", 0), 0u) << text;
    EXPECT_NE(text.find("pid 3072 C:/APPS/ASKME.EXE: needs a person"), std::string::npos) << text;
    EXPECT_NE(text.find("pid 3073 C:/APPS/EDITOR.EXE: allow by the policy (rule 1 (signer)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("pid 3074 C:/APPS/TOOL.EXE: block by the policy (no rule, lockdown mode"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("OTHER.EXE"), std::string::npos) << text;
}

TEST_F(ResolveFactsTest, OnLinuxTheObserverRoleIsNotedAndNothingIsAnswered)
{
    component.policy =
        policyOf(Mode::Lockdown, {rule(RuleKind::Signer, Verdict::Allow, "Contoso*")});
    component.pushEvents({request(81, "C:/APPS/EDITOR.EXE")});
    int rc = -1;
    std::thread session([&] { rc = run({"resolve"}); });
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(write(stop[1], "x", 1), 1);
    session.join();
    EXPECT_EQ(rc, ctl::kExitOk) << err.str();
    EXPECT_TRUE(component.verdicts().empty());
    EXPECT_NE(out.str().find("as observer: it finds every fact itself"), std::string::npos)
        << out.str();
}

TEST_F(ResolveFactsTest, WaitsForTheComponentAndReconnectsWhenItRestarts)
{
    // First nothing runs, then a component that goes away at once, then
    // one that holds a start for the signer.
    auto missing = std::make_shared<pg::test::FakePeer>();
    missing->failOpen(TransportError::Code::NotFound);
    pg::test::FakeComponent first, second;
    for (pg::test::FakeComponent *c : {&first, &second}) {
        c->platform = PG_PLATFORM_WINDOWS;
        c->resolveRole = Role::Resolver;
        c->policy = policyOf(Mode::Lockdown, {rule(RuleKind::Signer, Verdict::Allow, "Contoso*")});
    }
    first.closeAfterEvents = true;
    second.pushEvents({request(91, "C:/APPS/EDITOR.EXE")});
    std::atomic<int> opened{0};
    ctx.makeTransport = [&](const std::string &) -> std::unique_ptr<Transport> {
        const int n = opened++;
        return std::make_unique<pg::test::FakeTransport>(n == 0   ? missing
                                                         : n == 1 ? first.peer()
                                                                  : second.peer());
    };
    int rc = -1;
    std::thread session([&] { rc = run({"resolve"}); });
    // Two waits of the first backoff step (1 s each).
    EXPECT_TRUE(waitVerdicts(second, 1)) << "connections made: " << opened.load();
    EXPECT_EQ(write(stop[1], "x", 1), 1);
    session.join();
    EXPECT_EQ(rc, ctl::kExitOk) << err.str();
    EXPECT_EQ(opened.load(), 3);
    ASSERT_EQ(second.verdicts().size(), 1u);
    EXPECT_EQ(second.verdicts()[0].verdict, Verdict::Allow);
    EXPECT_NE(err.str().find("Retrying."), std::string::npos) << err.str();
    EXPECT_NE(err.str().find("Reconnecting."), std::string::npos) << err.str();
    const std::string text = out.str();
    const size_t once = text.find("as resolver.");
    ASSERT_NE(once, std::string::npos) << text;
    EXPECT_NE(text.find("as resolver.", once + 1), std::string::npos) << text;
}

TEST_F(ResolveFactsTest, PermissionDeniedEndsAtOnceInsteadOfRetrying)
{
    auto denied = std::make_shared<pg::test::FakePeer>();
    denied->failOpen(TransportError::Code::PermissionDenied);
    ctx.makeTransport = [&](const std::string &) {
        return std::make_unique<pg::test::FakeTransport>(denied);
    };
    EXPECT_EQ(run({"resolve"}), ctl::kExitPermissionDenied);
    EXPECT_NE(err.str().find("Permission denied"), std::string::npos) << err.str();
}

TEST_F(ResolveFactsTest, ServiceAndResolverServiceAreWindowsOnly)
{
    EXPECT_EQ(run({"resolve", "--service"}), ctl::kExitUsage);
    EXPECT_NE(err.str().find("--service"), std::string::npos) << err.str();
    err.str("");
    EXPECT_EQ(run({"resolver", "install"}), ctl::kExitFailed);
    EXPECT_NE(err.str().find("procguardd finds every fact itself"), std::string::npos) << err.str();
    err.str("");
    EXPECT_EQ(run({"resolver", "restart"}), ctl::kExitUsage);
}
