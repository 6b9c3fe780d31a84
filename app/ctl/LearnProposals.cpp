// LearnProposals.cpp - see LearnProposals.h.
#include "LearnProposals.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

namespace pg
{
namespace ctl
{

std::string folderOf(const std::string &path)
{
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

std::vector<Proposal> proposeRules(const std::vector<std::string> &images,
                                   const std::function<std::string(const std::string &)> &packageOf)
{
    std::set<std::string> distinct;
    for (const std::string &image : images) {
        if (!image.empty())
            distinct.insert(image);
    }
    std::map<std::string, std::vector<std::string>> byPackage;
    std::map<std::string, std::vector<std::string>> byFolder;
    for (const std::string &image : distinct) {
        const std::string package = packageOf ? packageOf(image) : std::string();
        if (!package.empty())
            byPackage[package].push_back(image);
        else
            byFolder[folderOf(image)].push_back(image);
    }

    std::vector<Proposal> out;
    for (auto &kv : byPackage) {
        Proposal p;
        p.rule.kind = RuleKind::Package;
        p.rule.action = Verdict::Allow;
        p.rule.pattern = kv.first;
        p.programs = kv.second;
        out.push_back(std::move(p));
    }
    std::vector<Proposal> paths;
    for (auto &kv : byFolder) {
        if (kv.second.size() >= 2 && !kv.first.empty()) {
            Proposal p;
            p.rule.kind = RuleKind::Prefix;
            p.rule.action = Verdict::Allow;
            p.rule.pattern = kv.first;
            p.programs = kv.second;
            paths.push_back(std::move(p));
        } else {
            for (const std::string &image : kv.second) {
                Proposal p;
                p.rule.kind = RuleKind::Exact;
                p.rule.action = Verdict::Allow;
                p.rule.pattern = image;
                p.programs = {image};
                paths.push_back(std::move(p));
            }
        }
    }
    std::sort(paths.begin(), paths.end(),
              [](const Proposal &a, const Proposal &b) { return a.rule.pattern < b.rule.pattern; });
    out.insert(out.end(), paths.begin(), paths.end());
    return out;
}

std::function<std::string(const std::string &)> dpkgPackageLookup(const std::string &infoDir)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::directory_iterator it(infoDir, ec);
    if (ec)
        return {};
    auto owners = std::make_shared<std::unordered_map<std::string, std::string>>();
    for (const fs::directory_entry &entry : it) {
        const fs::path p = entry.path();
        if (p.extension() != ".list")
            continue;
        std::string package = p.stem().string();
        const size_t colon = package.find(':'); // name:arch
        if (colon != std::string::npos)
            package.resize(colon);
        std::ifstream in(p);
        std::string line;
        while (std::getline(in, line)) {
            if (!line.empty())
                owners->emplace(line, package);
        }
    }
    return [owners](const std::string &path) -> std::string {
        auto found = owners->find(path);
        if (found == owners->end() && path.rfind("/usr/", 0) == 0)
            found = owners->find(path.substr(4));
        return found == owners->end() ? std::string() : found->second;
    };
}

} // namespace ctl
} // namespace pg
