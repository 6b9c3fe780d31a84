// PackageLookup.h - "which package installed this file, unmodified?" for
// explaining PACKAGE (trusted-source) rules on the client side.
//
// The component answers this from its own index (procguardd's
// PackageIndex, built from dpkg's database); a client only needs one file
// at a time, so DpkgPackageLookup reads dpkg's info folder directly: the
// <pkg>.list that names the file and the MD5 in <pkg>.md5sums, which must
// match the file's content now. Files without a checksum (conffiles,
// symlinks) cannot be shown unmodified and count as "no package", as they
// do for the component. Tests use their own PackageLookup.
#pragma once

#include <optional>
#include <string>

namespace pg
{
namespace policy
{

class PackageLookup
{
public:
    virtual ~PackageLookup() = default;
    // *package: the owning package, or nullopt when none installed the file
    // unmodified; *note says why not when a package lists it (modified,
    // unreadable). false (and one sentence in *why) when the database
    // cannot be read at all.
    virtual bool owner(const std::string &path, std::optional<std::string> *package,
                       std::string *note, std::string *why) = 0;
};

#ifndef _WIN32
class DpkgPackageLookup : public PackageLookup
{
public:
    explicit DpkgPackageLookup(std::string infoDir) : m_infoDir(std::move(infoDir)) {}
    bool owner(const std::string &path, std::optional<std::string> *package, std::string *note,
               std::string *why) override;

    // Lower-case hex MD5 of a file; false when it cannot be read.
    static bool md5OfFile(const std::string &path, std::string *hex);

private:
    std::string m_infoDir;
};
#endif

} // namespace policy
} // namespace pg
