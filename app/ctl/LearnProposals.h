// LearnProposals.h - turns what ran during learning mode into proposed
// allow rules, for a person to accept (procguardctl learn, the panel).
//
// Grouping, in this order:
//   1. by package, where the program is known to come from one: one
//      PACKAGE rule per package ("installed unmodified by coreutils");
//   2. by folder: two or more different programs from one folder give one
//      PREFIX rule for that folder;
//   3. otherwise one EXACT rule per program.
// The output is sorted (packages, then folders and programs by path), so
// the same observations always give the same proposals. Pure: no I/O.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "Types.h"

namespace pg
{
namespace ctl
{

struct Proposal {
    Rule rule;                         // an allow rule, id 0
    std::vector<std::string> programs; // what it covers of what ran, sorted
};

// images: programs that ran (duplicates allowed). packageOf: the package
// that installed a program ("" when none or unknown); may be empty.
std::vector<Proposal>
proposeRules(const std::vector<std::string> &images,
             const std::function<std::string(const std::string &)> &packageOf);

// The folder of a path, with its trailing '/' ("/usr/bin/ls" -> "/usr/bin/");
// empty when the path has no '/'.
std::string folderOf(const std::string &path);

// A package lookup over dpkg's file lists in infoDir (<pkg>.list, one
// path per line), read once; programs under /usr are also looked up
// without it (merged /usr). Returns an empty function when infoDir cannot
// be read.
std::function<std::string(const std::string &)> dpkgPackageLookup(const std::string &infoDir);

} // namespace ctl
} // namespace pg
