// GlobIndexTest.cpp - pg_rules: the index over GLOB rules (component,
// last-component and extension keys, the residual list) and a randomized
// differential test of the whole cache against a linear reference matcher.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../../support/RuleCacheFixture.h"
#include "MessageBuilder.h"

using namespace pgtest;

namespace
{

constexpr uint8_t A = PG_VERDICT_ALLOW;
constexpr uint8_t B = PG_VERDICT_BLOCK;
constexpr uint8_t Q = PG_VERDICT_ASK;

class GlobIndexTest : public RuleCacheFixture
{
protected:
    uint32_t decide(const std::string &image, const char *parent = "/usr/bin/bash",
                    uint32_t uid = 1000)
    {
        return match(image, uid, parent).rule_id;
    }
};

} // namespace

// ---- keys and the residual list --------------------------------------------

TEST_F(GlobIndexTest, GlobsWithLeadingWildcardAreFound)
{
    build({glob(1, "**/*.exe", B), glob(2, "*/tmp/x", A), glob(3, "**/setup", B),
           glob(4, "*.tar.gz", A), glob(5, "?usr/bin/ls", B), glob(6, "*", A), glob(7, "**", A)});
    EXPECT_EQ(1u, decide("/home/ann/Downloads/game.exe")); // extension key
    EXPECT_EQ(2u, decide("/tmp/x"));                       // '*' takes the empty first component
    EXPECT_EQ(3u, decide("/media/cd/setup"));              // last-component key
    EXPECT_EQ(7u, decide("/media/cd/setup.sh"));
    EXPECT_EQ(4u, decide("src.tar.gz"));
    EXPECT_EQ(7u, decide("/x/src.tar.gz")); // '*' does not cross '/'
    EXPECT_EQ(5u, decide("xusr/bin/ls"));
    EXPECT_EQ(7u, decide("/usr/bin/ls")); // '?' never takes '/'
    EXPECT_EQ(6u, decide("ls"));          // residual globs
    EXPECT_EQ(7u, decide("a/b"));
}

TEST_F(GlobIndexTest, DoubleStarInTheMiddle)
{
    build(
        {glob(1, "/opt/**/bin/*.bin", B), glob(2, "/opt/*/lib/**", A), glob(3, "/srv/a**b/c", A)});
    EXPECT_EQ(1u, decide("/opt/x/y/bin/run.bin"));
    EXPECT_EQ(1u, decide("/opt/x/bin/run.bin"));
    EXPECT_EQ(0u, decide("/opt/bin/run.bin")); // '**' between slashes needs both
    EXPECT_EQ(0u, decide("/opt/x/bin/sub/run.bin"));
    EXPECT_EQ(2u, decide("/opt/x/lib/deep/er/so"));
    EXPECT_EQ(1u, decide("/opt/x/lib/bin/r.bin")); // both match: BLOCK first
    EXPECT_EQ(3u, decide("/srv/ab/c"));
    EXPECT_EQ(3u, decide("/srv/a/x/y/b/c"));
    EXPECT_EQ(0u, decide("/srv/a/c"));
}

TEST_F(GlobIndexTest, LiteralPrefixEqualToTheWholePath)
{
    build({glob(1, "/usr/bin/ls", B), glob(2, "/usr/bin/ls*", A), glob(3, "/usr/bin/ls/**", Q)});
    EXPECT_EQ(1u, decide("/usr/bin/ls"));
    EXPECT_EQ(2u, decide("/usr/bin/lsblk"));
    EXPECT_EQ(0u, decide("/usr/bin/l"));
    EXPECT_EQ(3u, decide("/usr/bin/ls/")); // '**' matches the empty run
    EXPECT_EQ(3u, decide("/usr/bin/ls/a/b"));
    EXPECT_EQ(0u, decide("/usr/bin/ls2/a"));
}

TEST_F(GlobIndexTest, FoldedAndCaseSensitiveGlobsWithEqualTextAreBothFound)
{
    build({glob(1, "/Home/*/GAMES/**/*.BIN", A), folded(glob(2, "/Home/*/GAMES/**/*.BIN", A)),
           folded(glob(3, "**/*.EXE", B)), folded(glob(4, "/**/SETUP", Q)),
           glob(5, "/data/**/Setup", B)});
    EXPECT_EQ(1u, decide("/Home/ann/GAMES/x/R.BIN")); // equal otherwise: earlier rule
    EXPECT_EQ(2u, decide("/home/ann/games/x/r.bin"));
    EXPECT_EQ(3u, decide("C:/Windows/CMD.exe"));
    EXPECT_EQ(4u, decide("/media/Setup"));
    EXPECT_EQ(5u, decide("/data/x/Setup")); // BLOCK beats the folded ASK
    EXPECT_EQ(0u, decide("/home/ann/games/x/r.bit"));
}

TEST_F(GlobIndexTest, PolicyCaseFoldFoldsIndexedGlobs)
{
    build({glob(1, "C:/WINDOWS/System32/*.EXE", B), glob(2, "c:/users/*/appdata/**", A)},
          PG_POLF_CASE_FOLD);
    EXPECT_EQ(1u, decide("c:/windows/system32/cmd.exe"));
    EXPECT_EQ(2u, decide("C:/Users/Ann/AppData/Local/Temp/x.exe"));
    EXPECT_EQ(0u, decide("c:/windows/system32/sub/cmd.exe"));
}

TEST_F(GlobIndexTest, ManyGlobsSharingPrefixesKeepPrecedence)
{
    std::vector<RuleSpec> rules;
    uint32_t id = 1;
    for (int i = 0; i < 3000; ++i) {
        rules.push_back(glob(id++, "/home/*/games" + std::to_string(i) + "/**/*.bin", A));
    }
    rules.push_back(glob(id++, "/home/kid/**", A));            // 3001
    rules.push_back(glob(id++, "/home/*/games7/**/*.bin", B)); // 3002: BLOCK beats 8
    rules.push_back(glob(id++, "**/*.bin", A));                // 3003
    rules.push_back(glob(id++, "/home/*/games9/x/*.bin", B));  // 3004
    rules.push_back(glob(id++, "/home/kid/games12/**", B));    // 3005
    build(rules);
    EXPECT_EQ(1235u, decide("/home/ann/games1234/lvl/run.bin"));
    EXPECT_EQ(3002u, decide("/home/ann/games7/lvl/run.bin"));
    EXPECT_EQ(3004u, decide("/home/ann/games9/x/run.bin"));    // BLOCK beats earlier ALLOW
    EXPECT_EQ(3005u, decide("/home/kid/games12/x/run.bin"));   // BLOCK beats ALLOW 13 and 3001
    EXPECT_EQ(3003u, decide("/home/ann/games3000/x/run.bin")); // only the extension key
    EXPECT_EQ(1u, decide("/home/kid/games0/x/run.bin"));       // earlier of ALLOW 1, 3001, 3003
    EXPECT_EQ(3001u, decide("/home/kid/games0/run.bin"));      // "/**/" needs both slashes
    EXPECT_EQ(3001u, decide("/home/kid/games0/run.exe"));
    EXPECT_EQ(0u, decide("/home/ann/games0/run.exe"));
}

TEST_F(GlobIndexTest, ResidualAndIndexedGlobsCompeteByPrecedence)
{
    build({glob(1, "/usr/lib/*/helper", A), glob(2, "*", A), glob(3, "**", B),
           withParent(glob(4, "**x", A), "/usr/bin/*sh")});
    EXPECT_EQ(3u, decide("/usr/lib/a/helper"));  // residual BLOCK beats earlier indexed ALLOW
    EXPECT_EQ(4u, decide("/usr/lib/a/helperx")); // conditional residual beats all
    EXPECT_EQ(3u, decide("/usr/lib/a/helperx", "/usr/bin/python"));
}

// ---- text globs (CMDLINE, PACKAGE): keyed by their first word -------------

TEST_F(GlobIndexTest, CommandLineGlobsKeyedByFirstWord)
{
    std::vector<RuleSpec> rules;
    for (int i = 0; i < 500; ++i) {
        rules.push_back(cmdline(static_cast<uint32_t>(i + 1),
                                "browser" + std::to_string(i) + " *--private*", B));
    }
    rules.push_back(cmdline(501, "browser7 --safe*", Q));       // same word, other bucket member
    rules.push_back(folded(cmdline(502, "EDITOR *", A)));       // folded key
    rules.push_back(cmdline(503, "*--kiosk*", B));              // leading wildcard: residual
    rules.push_back(cmdline(504, "sh", A));                     // no wildcard, no space
    rules.push_back(cmdline(505, " lead*", A));                 // empty first word
    rules.push_back(forUser(cmdline(506, "browser9 *", A), 0)); // conditional member
    build(rules);
    auto decideCmd = [&](const std::string &line, uint32_t uid = 1000) {
        pg_match_input in{};
        const std::string image = "/usr/bin/x";
        in.image = image.c_str();
        in.image_len = image.size();
        in.uid = uid;
        in.known = PG_FACT_CMDLINE;
        in.cmdline = line.data();
        in.cmdline_len = line.size();
        pg_match_result out{};
        pg_rule_cache_match(&m_cache, &in, &out);
        EXPECT_EQ(0u, out.needs);
        return out.rule_id;
    };
    EXPECT_EQ(124u, decideCmd("browser123 --private-window"));
    EXPECT_EQ(0u, decideCmd("browser123"));
    EXPECT_EQ(0u, decideCmd("browser1234 --private"));
    EXPECT_EQ(8u, decideCmd("browser7 --private --safe")); // both: earlier BLOCK
    EXPECT_EQ(501u, decideCmd("browser7 --safe"));
    EXPECT_EQ(502u, decideCmd("editor notes.txt"));
    EXPECT_EQ(502u, decideCmd("Editor "));
    EXPECT_EQ(0u, decideCmd("editor"));
    EXPECT_EQ(503u, decideCmd("editor --kiosk")); // residual BLOCK beats keyed ALLOW
    EXPECT_EQ(504u, decideCmd("sh"));
    EXPECT_EQ(0u, decideCmd("sh -c x"));
    EXPECT_EQ(505u, decideCmd(" leader"));
    EXPECT_EQ(506u, decideCmd("browser9 --private", 0)); // conditional first
    EXPECT_EQ(10u, decideCmd("browser9 --private", 1000));
}

TEST_F(GlobIndexTest, PackageGlobsKeyedByWholeName)
{
    build({package(1, "firefox", A), folded(package(2, "LibreOffice*", A)), package(3, "*-dbg", B),
           package(4, "coreutils", B), package(5, "firefox", B)});
    auto decidePkg = [&](const char *pkg) {
        pg_match_input in{};
        const std::string image = "/usr/bin/x";
        in.image = image.c_str();
        in.image_len = image.size();
        in.known = PG_FACT_PACKAGE;
        in.package = pkg;
        in.package_len = pkg != nullptr ? std::strlen(pkg) : 0;
        pg_match_result out{};
        pg_rule_cache_match(&m_cache, &in, &out);
        return out.rule_id;
    };
    EXPECT_EQ(5u, decidePkg("firefox")); // BLOCK first in the bucket
    EXPECT_EQ(0u, decidePkg("Firefox"));
    EXPECT_EQ(2u, decidePkg("libreoffice-core"));
    EXPECT_EQ(3u, decidePkg("firefox-dbg"));
    EXPECT_EQ(4u, decidePkg("coreutils"));
    EXPECT_EQ(0u, decidePkg(nullptr));
}

// ---- conditions ------------------------------------------------------------

TEST_F(GlobIndexTest, ParentConditionGlobsInTheIndex)
{
    build({glob(1, "/opt/app/bin/*", B), withParent(glob(2, "/opt/*/bin/tool", A), "/usr/bin/*sh"),
           withParent(folded(glob(3, "**/*.SH", A)), "/USR/BIN/*"),
           forUser(glob(4, "/srv/data/*/run", A), 0)});
    EXPECT_EQ(2u, decide("/opt/app/bin/tool"));                    // conditional first
    EXPECT_EQ(1u, decide("/opt/app/bin/tool", "/usr/bin/python")); // parent fails: falls back
    EXPECT_EQ(1u, decide("/opt/app/bin/tool", nullptr));           // unknown parent
    EXPECT_EQ(3u, decide("/opt/app/bin/x.sh", "/usr/bin/env"));    // folded parent glob too
    EXPECT_EQ(1u, decide("/opt/app/bin/x.sh", "/bin/env"));
    EXPECT_EQ(4u, decide("/srv/data/a/run", "/usr/bin/bash", 0));
    EXPECT_EQ(0u, decide("/srv/data/a/run"));

    EXPECT_TRUE(conditionalFor("/opt/app/bin/tool"));
    EXPECT_TRUE(conditionalFor("/opt/x/bin/tool"));
    EXPECT_TRUE(conditionalFor("/home/a.sh"));
    EXPECT_TRUE(conditionalFor("/srv/data/b/run"));
    EXPECT_FALSE(conditionalFor("/opt/app/bin/other"));
    EXPECT_FALSE(conditionalFor("/srv/data/b/c/run"));
}

// ---- differential test -----------------------------------------------------

namespace
{

bool foldEq(const std::string &a, const std::string &b, bool fold)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
        unsigned char x = static_cast<unsigned char>(a[i]);
        unsigned char y = static_cast<unsigned char>(b[i]);
        if (fold) {
            x = static_cast<unsigned char>(x >= 'A' && x <= 'Z' ? x + 32 : x);
            y = static_cast<unsigned char>(y >= 'A' && y <= 'Z' ? y + 32 : y);
        }
        if (x != y) {
            return false;
        }
    }
    return true;
}

int kindRank(uint8_t kind)
{
    switch (kind) {
    case PG_RULE_CMDLINE:
        return 0;
    case PG_RULE_SHA256:
        return 1;
    case PG_RULE_EXACT:
        return 2;
    case PG_RULE_GLOB:
        return 3;
    case PG_RULE_PREFIX:
        return 4;
    default:
        return 5; // PACKAGE (the test makes no other kind)
    }
}

int actionRank(uint8_t a)
{
    return a == B ? 0 : a == Q ? 1 : 2;
}

struct RefInput {
    std::string image;
    bool hasParent = true;
    std::string parent;
    uint32_t uid = 1000;
    std::vector<uint32_t> gids;
    uint32_t known = 0;
    std::string cmdline, sha;
    bool hasPackage = false;
    std::string package;
};

bool conditional(const RuleSpec &r)
{
    return (r.flags & (PG_RULEF_USER | PG_RULEF_GROUP)) != 0 || !r.parent.empty();
}

bool conditionsHold(const RuleSpec &r, const RefInput &in, bool fold)
{
    if ((r.flags & PG_RULEF_USER) != 0 && in.uid != r.uid) {
        return false;
    }
    if ((r.flags & PG_RULEF_GROUP) != 0 &&
        std::find(in.gids.begin(), in.gids.end(), r.uid) == in.gids.end()) {
        return false;
    }
    if (!r.parent.empty()) {
        return in.hasParent && pg_glob_match(r.parent.data(), r.parent.size(), in.parent.data(),
                                             in.parent.size(), fold ? 1 : 0) != 0;
    }
    return true;
}

bool ruleFolds(const RuleSpec &r, uint32_t policyFlags)
{
    return (r.flags & PG_RULEF_CASE_FOLD) != 0 || (policyFlags & PG_POLF_CASE_FOLD) != 0 ||
           r.kind == PG_RULE_SHA256;
}

// Does the pattern match (conditions aside)? Kinds whose fact is unknown
// never match.
bool patternMatches(const RuleSpec &r, const RefInput &in, bool fold)
{
    switch (r.kind) {
    case PG_RULE_EXACT:
        return foldEq(r.pattern, in.image, fold);
    case PG_RULE_PREFIX:
        return in.image.size() >= r.pattern.size() &&
               foldEq(r.pattern, in.image.substr(0, r.pattern.size()), fold);
    case PG_RULE_GLOB:
        return pg_glob_match(r.pattern.data(), r.pattern.size(), in.image.data(), in.image.size(),
                             fold ? 1 : 0) != 0;
    case PG_RULE_CMDLINE:
        return (in.known & PG_FACT_CMDLINE) != 0 &&
               pg_text_glob_match(r.pattern.data(), r.pattern.size(), in.cmdline.data(),
                                  in.cmdline.size(), fold ? 1 : 0) != 0;
    case PG_RULE_SHA256:
        return (in.known & PG_FACT_SHA256) != 0 && foldEq(r.pattern, in.sha, true);
    case PG_RULE_PACKAGE:
        return (in.known & PG_FACT_PACKAGE) != 0 && in.hasPackage &&
               pg_text_glob_match(r.pattern.data(), r.pattern.size(), in.package.data(),
                                  in.package.size(), fold ? 1 : 0) != 0;
    default:
        return false;
    }
}

// pg_rules.h precedence, coded independently: kind, longer prefix,
// conditional, BLOCK > ASK > ALLOW, earlier.
bool refOutranks(const std::vector<RuleSpec> &rules, size_t a, size_t b)
{
    const RuleSpec &x = rules[a], &y = rules[b];
    if (kindRank(x.kind) != kindRank(y.kind)) {
        return kindRank(x.kind) < kindRank(y.kind);
    }
    if (x.kind == PG_RULE_PREFIX && x.pattern.size() != y.pattern.size()) {
        return x.pattern.size() > y.pattern.size();
    }
    if (conditional(x) != conditional(y)) {
        return conditional(x);
    }
    if (x.action != y.action) {
        return actionRank(x.action) < actionRank(y.action);
    }
    return a < b;
}

struct RefResult {
    uint32_t id = 0;
    uint32_t index = 0;
    uint32_t needs = 0;
};

RefResult refMatch(const std::vector<RuleSpec> &rules, uint32_t policyFlags, const RefInput &in)
{
    RefResult res;
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < rules.size(); ++i) {
        const bool fold = ruleFolds(rules[i], policyFlags);
        if (patternMatches(rules[i], in, fold) && conditionsHold(rules[i], in, fold) &&
            (best == SIZE_MAX || refOutranks(rules, i, best))) {
            best = i;
        }
    }
    const int bestRank = best == SIZE_MAX ? 99 : kindRank(rules[best].kind);
    // A missing fact is needed when a rule of its kind ranks above the
    // answer and (except SHA256) its conditions hold.
    for (const RuleSpec &r : rules) {
        const bool fold = ruleFolds(r, policyFlags);
        if (kindRank(r.kind) >= bestRank) {
            continue;
        }
        if (r.kind == PG_RULE_CMDLINE && (in.known & PG_FACT_CMDLINE) == 0 &&
            conditionsHold(r, in, fold)) {
            res.needs |= PG_FACT_CMDLINE;
        } else if (r.kind == PG_RULE_SHA256 && (in.known & PG_FACT_SHA256) == 0) {
            res.needs |= PG_FACT_SHA256;
        } else if (r.kind == PG_RULE_PACKAGE && (in.known & PG_FACT_PACKAGE) == 0 &&
                   conditionsHold(r, in, fold)) {
            res.needs |= PG_FACT_PACKAGE;
        }
    }
    if (best != SIZE_MAX) {
        res.id = rules[best].id;
        res.index = static_cast<uint32_t>(best);
    }
    return res;
}

bool refConditionalFor(const std::vector<RuleSpec> &rules, uint32_t policyFlags,
                       const std::string &image)
{
    RefInput in;
    in.image = image;
    for (const RuleSpec &r : rules) {
        if (r.kind == PG_RULE_CMDLINE) {
            return true;
        }
        if (!conditional(r)) {
            continue;
        }
        if (r.kind == PG_RULE_SHA256 || r.kind == PG_RULE_PACKAGE) {
            return true;
        }
        if (patternMatches(r, in, ruleFolds(r, policyFlags))) {
            return true;
        }
    }
    return false;
}

class Gen
{
public:
    explicit Gen(uint32_t seed) : m_rng(seed) {}

    size_t pick(size_t n) { return static_cast<size_t>(m_rng() % n); }
    bool chance(int percent) { return static_cast<int>(m_rng() % 100) < percent; }

    std::string component()
    {
        static const char *const names[] = {"a",   "b",     "A",     "ab",  "usr",  "bin",
                                            "Bin", "x.bin", "X.BIN", "c.d", "tool", "s.tar.gz"};
        return names[pick(sizeof names / sizeof names[0])];
    }

    // A path of 0..5 components, usually absolute.
    std::string path()
    {
        std::string p = chance(85) ? "/" : "";
        const size_t depth = pick(6);
        for (size_t i = 0; i < depth; ++i) {
            if (i != 0) {
                p += '/';
            }
            p += chance(5) ? "" : component();
        }
        if (chance(10)) {
            p += '/';
        }
        return p.empty() ? "/" : p;
    }

    std::string globComponent()
    {
        switch (pick(12)) {
        case 0:
            return "*";
        case 1:
            return "?";
        case 2:
            return "**";
        case 3:
            return "*.bin";
        case 4:
            return "a*";
        case 5:
            return "?b";
        case 6:
            return "***";
        case 7:
            return "**.gz";
        default:
            return component();
        }
    }

    // Path-like globs, and now and then random text over a small alphabet.
    std::string globPattern()
    {
        if (chance(15)) {
            static const char alphabet[] = {'a', 'A', 'b', '/', '*', '?', '.'};
            std::string p;
            const size_t n = 1 + pick(8);
            for (size_t i = 0; i < n; ++i) {
                p += alphabet[pick(sizeof alphabet)];
            }
            return p;
        }
        std::string p = chance(80) ? "/" : "";
        const size_t depth = 1 + pick(5);
        for (size_t i = 0; i < depth; ++i) {
            if (i != 0) {
                p += '/';
            }
            p += globComponent();
        }
        return p;
    }

    std::string textGlob()
    {
        static const char *const pats[] = {"tool *", "*--private*", "a?b*",   "*",     "bin*x",
                                           "s*",     "tool",        "TOOL x", " x*",   "bin x",
                                           "s",      "tool --*",    "aab",    "t?ol *"};
        return pats[pick(sizeof pats / sizeof pats[0])];
    }

    std::string sha()
    {
        static const char *const digits[] = {"ab", "AB", "01"};
        std::string s;
        const std::string d = digits[pick(3)];
        while (s.size() < 64) {
            s += d;
        }
        return s;
    }

    RuleSpec rule(uint32_t id)
    {
        RuleSpec r;
        const size_t k = pick(100);
        if (k < 50) {
            r = glob(id, globPattern(), 0);
        } else if (k < 62) {
            r = exact(id, path(), 0);
        } else if (k < 77) {
            std::string p = path();
            p = p.find('/') == std::string::npos ? "/" : p.substr(0, p.rfind('/') + 1);
            r = prefix(id, p, 0);
        } else if (k < 85) {
            r = cmdline(id, textGlob(), 0);
        } else if (k < 92) {
            r = sha256(id, sha(), 0);
        } else {
            r = package(id, textGlob(), 0);
        }
        static const uint8_t actions[] = {A, B, Q};
        r.action = actions[pick(3)];
        if (chance(25)) {
            r = folded(r);
        }
        switch (pick(8)) {
        case 0:
            r = forUser(r, chance(50) ? 1000u : 0u);
            break;
        case 1:
            r = forGroup(r, chance(50) ? 100u : 7u);
            break;
        case 2:
            r = withParent(r, chance(50) ? "/usr/bin/*sh" : "**/B*");
            break;
        default:
            break;
        }
        return r;
    }

    RefInput input()
    {
        RefInput in;
        in.image = path();
        static const char *const parents[] = {"/usr/bin/bash", "/usr/bin/python", "/x/Bin",
                                              "/usr/bin/zsh"};
        in.hasParent = chance(85);
        if (in.hasParent) {
            in.parent = parents[pick(4)];
        }
        in.uid = chance(70) ? 1000u : 0u;
        if (chance(60)) {
            in.gids = {in.uid, 100u};
        }
        if (chance(60)) {
            in.known |= PG_FACT_CMDLINE;
            static const char *const lines[] = {"tool --private-window",
                                                "aXb",
                                                "bin x",
                                                "s",
                                                "TOOL x",
                                                " x y",
                                                "tool",
                                                "",
                                                "bin  x"};
            in.cmdline = lines[pick(9)];
        }
        if (chance(60)) {
            in.known |= PG_FACT_SHA256;
            in.sha = sha();
        }
        if (chance(60)) {
            in.known |= PG_FACT_PACKAGE;
            in.hasPackage = chance(70);
            if (in.hasPackage) {
                static const char *const pkgs[] = {"tool", "bin-x", "aab", "s", "TOOL", "bin x"};
                in.package = pkgs[pick(6)];
            }
        }
        return in;
    }

private:
    std::mt19937 m_rng;
};

} // namespace

TEST_F(GlobIndexTest, AgreesWithLinearReferenceOnRandomPolicies)
{
    Gen gen(20261121u);
    size_t decided = 0, compared = 0;
    for (int policyNo = 0; policyNo < 400; ++policyNo) {
        std::vector<RuleSpec> rules;
        const size_t n = 1 + gen.pick(policyNo % 4 == 0 ? 400 : 40);
        for (size_t i = 0; i < n; ++i) {
            rules.push_back(gen.rule(static_cast<uint32_t>(i + 1)));
        }
        const uint32_t policyFlags = gen.chance(20) ? PG_POLF_CASE_FOLD : 0u;
        build(rules, policyFlags);
        if (HasFatalFailure()) {
            return;
        }
        for (int k = 0; k < 150; ++k) {
            const RefInput ri = gen.input();
            pg_match_input in{};
            in.image = ri.image.data();
            in.image_len = ri.image.size();
            in.parent_image = ri.hasParent ? ri.parent.data() : nullptr;
            in.parent_len = ri.parent.size();
            in.uid = ri.uid;
            in.gids = ri.gids.empty() ? nullptr : ri.gids.data();
            in.gid_count = ri.gids.size();
            in.known = ri.known;
            in.cmdline = ri.cmdline.data();
            in.cmdline_len = ri.cmdline.size();
            in.sha256_hex = ri.sha.empty() ? nullptr : ri.sha.data();
            in.package = ri.hasPackage ? ri.package.data() : nullptr;
            in.package_len = ri.package.size();
            pg_match_result out{};
            const int hit = pg_rule_cache_match(&m_cache, &in, &out);
            const RefResult want = refMatch(rules, policyFlags, ri);
            std::string ctx = "policy " + std::to_string(policyNo) + " image '" + ri.image +
                              "' parent '" + ri.parent + "' uid " + std::to_string(ri.uid) +
                              " known " + std::to_string(ri.known);
            if (want.id != 0) {
                const RuleSpec &r = rules[want.index];
                ctx += " want rule kind " + std::to_string(r.kind) + " '" + r.pattern + "'";
            }
            if (out.rule_id != 0) {
                const RuleSpec &r = rules[out.index];
                ctx += " got rule kind " + std::to_string(r.kind) + " '" + r.pattern + "'";
            }
            ASSERT_EQ(want.id, out.rule_id) << ctx;
            ASSERT_EQ(want.id != 0, hit != 0) << ctx;
            ASSERT_EQ(want.needs, out.needs) << ctx;
            if (want.id != 0) {
                ASSERT_EQ(want.index, out.index) << ctx;
                ASSERT_EQ(rules[want.index].action, out.action) << ctx;
                ASSERT_EQ(rules[want.index].kind, out.kind) << ctx;
                ++decided;
            }
            ASSERT_EQ(refConditionalFor(rules, policyFlags, ri.image), conditionalFor(ri.image))
                << ctx;
            ++compared;
        }
    }
    // The generator must exercise both outcomes, or the test proves little.
    EXPECT_EQ(60000u, compared);
    EXPECT_GT(decided, compared / 4);
    EXPECT_LT(decided, compared);
}

// Only globs, many per policy, so that buckets hold several members and
// the residual list competes with them.
TEST_F(GlobIndexTest, GlobOnlyPoliciesAgreeWithLinearReference)
{
    Gen gen(777u);
    size_t decided = 0;
    for (int policyNo = 0; policyNo < 150; ++policyNo) {
        std::vector<RuleSpec> rules;
        const size_t n = 50 + gen.pick(500);
        for (size_t i = 0; i < n; ++i) {
            RuleSpec r = gen.rule(static_cast<uint32_t>(i + 1));
            r.kind = PG_RULE_GLOB;
            r.pattern = gen.globPattern();
            rules.push_back(r);
        }
        const uint32_t policyFlags = gen.chance(20) ? PG_POLF_CASE_FOLD : 0u;
        build(rules, policyFlags);
        if (HasFatalFailure()) {
            return;
        }
        for (int k = 0; k < 100; ++k) {
            RefInput ri = gen.input();
            pg_match_input in{};
            in.image = ri.image.data();
            in.image_len = ri.image.size();
            in.parent_image = ri.hasParent ? ri.parent.data() : nullptr;
            in.parent_len = ri.parent.size();
            in.uid = ri.uid;
            in.gids = ri.gids.empty() ? nullptr : ri.gids.data();
            in.gid_count = ri.gids.size();
            pg_match_result out{};
            pg_rule_cache_match(&m_cache, &in, &out);
            const RefResult want = refMatch(rules, policyFlags, ri);
            ASSERT_EQ(want.id, out.rule_id)
                << "policy " << policyNo << " image '" << ri.image << "' want '"
                << (want.id ? rules[want.index].pattern : "") << "' got '"
                << (out.rule_id ? rules[out.index].pattern : "") << "'";
            ASSERT_EQ(0u, out.needs);
            ASSERT_EQ(refConditionalFor(rules, policyFlags, ri.image), conditionalFor(ri.image));
            decided += want.id != 0 ? 1 : 0;
        }
    }
    EXPECT_GT(decided, 1000u);
}
