// LearnProposalsTest.cpp - how learning mode groups what ran into
// proposed rules (LearnProposals.h), and the `learn` command line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "Cli.h"
#include "LearnProposals.h"

using namespace pg;
using namespace pg::ctl;

namespace
{

std::function<std::string(const std::string &)> noPackages()
{
    return {};
}

} // namespace

TEST(LearnProposals, SeveralProgramsFromOneFolderGiveOneFolderRule)
{
    const auto p =
        proposeRules({"/opt/games/chess", "/opt/games/go", "/opt/games/chess"}, noPackages());
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].rule.kind, RuleKind::Prefix);
    EXPECT_EQ(p[0].rule.pattern, "/opt/games/");
    EXPECT_EQ(p[0].rule.action, Verdict::Allow);
    EXPECT_EQ(p[0].programs, (std::vector<std::string>{"/opt/games/chess", "/opt/games/go"}));
}

TEST(LearnProposals, LoneProgramGetsAnExactRule)
{
    const auto p = proposeRules({"/opt/games/chess", "/home/kid/bin/tool"}, noPackages());
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].rule.kind, RuleKind::Exact);
    EXPECT_EQ(p[0].rule.pattern, "/home/kid/bin/tool");
    EXPECT_EQ(p[1].rule.kind, RuleKind::Exact);
    EXPECT_EQ(p[1].rule.pattern, "/opt/games/chess");
}

TEST(LearnProposals, ProgramsFromAPackageAreGroupedByPackageFirst)
{
    auto packageOf = [](const std::string &path) -> std::string {
        if (path == "/usr/bin/ls" || path == "/usr/bin/cat")
            return "coreutils";
        if (path == "/usr/bin/vim.basic")
            return "vim";
        return "";
    };
    const auto p = proposeRules(
        {"/usr/bin/ls", "/usr/bin/cat", "/usr/bin/vim.basic", "/usr/bin/downloaded"}, packageOf);
    ASSERT_EQ(p.size(), 3u);
    EXPECT_EQ(p[0].rule.kind, RuleKind::Package);
    EXPECT_EQ(p[0].rule.pattern, "coreutils");
    EXPECT_EQ(p[0].programs.size(), 2u);
    EXPECT_EQ(p[1].rule.kind, RuleKind::Package);
    EXPECT_EQ(p[1].rule.pattern, "vim");
    // What no package installed is not folded into /usr/bin/ with them.
    EXPECT_EQ(p[2].rule.kind, RuleKind::Exact);
    EXPECT_EQ(p[2].rule.pattern, "/usr/bin/downloaded");
}

TEST(LearnProposals, NothingRanNothingProposed)
{
    EXPECT_TRUE(proposeRules({}, noPackages()).empty());
    EXPECT_TRUE(proposeRules({""}, noPackages()).empty());
}

TEST(LearnProposals, FolderOfKeepsTheTrailingSlash)
{
    EXPECT_EQ(folderOf("/usr/bin/ls"), "/usr/bin/");
    EXPECT_EQ(folderOf("/ls"), "/");
    EXPECT_EQ(folderOf("ls"), "");
}

TEST(LearnProposals, DpkgListsNameTheOwningPackage)
{
    const std::string dir = ::testing::TempDir() + "/learn-dpkg-info";
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir + "/coreutils.list") << "/.\n/bin\n/bin/ls\n";
        std::ofstream(dir + "/libfoo:amd64.list") << "/usr/lib/foo/helper\n";
        std::ofstream(dir + "/ignored.md5sums") << "x /bin/cat\n";
    }
    const auto lookup = dpkgPackageLookup(dir);
    ASSERT_TRUE(lookup);
    EXPECT_EQ(lookup("/bin/ls"), "coreutils");
    EXPECT_EQ(lookup("/usr/bin/ls"), "coreutils"); // merged /usr
    EXPECT_EQ(lookup("/usr/lib/foo/helper"), "libfoo");
    EXPECT_EQ(lookup("/bin/cat"), "");
    EXPECT_FALSE(dpkgPackageLookup(dir + "/missing"));
    std::filesystem::remove_all(dir);
}

TEST(LearnCli, LearnTakesSecondsApplyAndPackageOptions)
{
    const char *argv[] = {"procguardctl", "learn", "--seconds", "5", "--apply", "--no-packages"};
    Options o;
    std::ostringstream out, err;
    ASSERT_EQ(parseCommandLine(6, argv, &o, out, err), -1) << err.str();
    EXPECT_EQ(o.command, Command::Learn);
    EXPECT_EQ(o.learnSeconds, 5u);
    EXPECT_TRUE(o.learnApply);
    EXPECT_FALSE(o.learnPackages);

    const char *defaults[] = {"procguardctl", "learn"};
    Options d;
    ASSERT_EQ(parseCommandLine(2, defaults, &d, out, err), -1);
    EXPECT_EQ(d.learnSeconds, 60u);
    EXPECT_FALSE(d.learnApply);
    EXPECT_TRUE(d.learnPackages);

    const char *zero[] = {"procguardctl", "learn", "--seconds", "0"};
    Options z;
    EXPECT_EQ(parseCommandLine(4, zero, &z, out, err), 2);
}
