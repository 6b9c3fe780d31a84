// OptionsTest.cpp - procguardd's command line: where process facts come
// from and how big the BPF ring is.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "Options.h"

namespace
{

Options::Outcome parse(std::vector<std::string> args, Options *o, std::string *error)
{
    args.insert(args.begin(), "procguardd");
    std::vector<char *> argv;
    for (std::string &a : args)
        argv.push_back(a.data());
    return o->parse(static_cast<int>(argv.size()), argv.data(), error);
}

} // namespace

TEST(Options, ProcessFactsDefaultToAutoWithAnEightMebibyteRing)
{
    Options o;
    std::string error;
    ASSERT_EQ(parse({}, &o, &error), Options::Outcome::Run);
    EXPECT_EQ(o.m_processFacts, Options::ProcessFacts::Auto);
    EXPECT_EQ(o.m_bpfRingBytes, 8ull * 1024 * 1024);
}

TEST(Options, EachProcessFactsSourceIsAccepted)
{
    const std::pair<const char *, Options::ProcessFacts> cases[] = {
        {"auto", Options::ProcessFacts::Auto},
        {"bpf", Options::ProcessFacts::Bpf},
        {"connector", Options::ProcessFacts::Connector},
        {"poll", Options::ProcessFacts::Poll}};
    for (const auto &c : cases) {
        Options o;
        std::string error;
        ASSERT_EQ(parse({std::string("--process-facts=") + c.first}, &o, &error),
                  Options::Outcome::Run)
            << error;
        EXPECT_EQ(o.m_processFacts, c.second) << c.first;
        Options spaced;
        ASSERT_EQ(parse({"--process-facts", c.first}, &spaced, &error), Options::Outcome::Run);
        EXPECT_EQ(spaced.m_processFacts, c.second) << c.first;
    }
}

TEST(Options, NoProcConnectorMeansPolling)
{
    Options o;
    std::string error;
    ASSERT_EQ(parse({"--no-proc-connector"}, &o, &error), Options::Outcome::Run);
    EXPECT_EQ(o.m_processFacts, Options::ProcessFacts::Poll);
}

TEST(Options, UnknownProcessFactsSourceIsABadUsage)
{
    Options o;
    std::string error;
    EXPECT_EQ(parse({"--process-facts=ebpf"}, &o, &error), Options::Outcome::BadUsage);
    EXPECT_NE(error.find("unknown process-facts source 'ebpf'"), std::string::npos) << error;
}

TEST(Options, BpfRingBufferTakesAPowerOfTwoFromOnePage)
{
    Options o;
    std::string error;
    ASSERT_EQ(parse({"--bpf-ring-buffer", "4096"}, &o, &error), Options::Outcome::Run);
    EXPECT_EQ(o.m_bpfRingBytes, 4096u);
    for (const char *bad : {"2048", "12288", "0", "-4096", "2147483648", "4k"}) {
        Options b;
        EXPECT_EQ(parse({"--bpf-ring-buffer", bad}, &b, &error), Options::Outcome::BadUsage) << bad;
    }
}

TEST(Options, PolicyDirDefaultsToEtcAndNoneTurnsItOff)
{
    Options o;
    std::string error;
    ASSERT_EQ(parse({}, &o, &error), Options::Outcome::Run);
    EXPECT_EQ("/etc/procguard/policy.d", o.m_policyDir);
    ASSERT_EQ(parse({"--policy-dir", "/srv/pg/policy.d"}, &o, &error), Options::Outcome::Run);
    EXPECT_EQ("/srv/pg/policy.d", o.m_policyDir);
    Options off;
    ASSERT_EQ(parse({"--policy-dir", "none"}, &off, &error), Options::Outcome::Run);
    EXPECT_TRUE(off.m_policyDir.empty());
    Options bad;
    EXPECT_EQ(parse({"--policy-dir", ""}, &bad, &error), Options::Outcome::BadUsage);
}
