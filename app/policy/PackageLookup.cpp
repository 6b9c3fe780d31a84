// PackageLookup.cpp - dpkg's info folder, read for one file (see
// PackageLookup.h). Same rules as procguardd's PackageIndex: a file counts
// when its .list names it and its .md5sums holds its checksum.
#include "PackageLookup.h"

#include <dirent.h>
#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace pg
{
namespace policy
{

namespace
{

bool readWhole(const std::string &path, std::string *out)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    *out = ss.str();
    return true;
}

bool hasLine(const std::string &text, const std::string &line)
{
    size_t pos = 0;
    while ((pos = text.find(line, pos)) != std::string::npos) {
        const bool starts = pos == 0 || text[pos - 1] == '\n';
        const size_t end = pos + line.size();
        if (starts && (end == text.size() || text[end] == '\n'))
            return true;
        pos = end;
    }
    return false;
}

// The MD5 recorded for path ("<32 hex>  <path without leading />"), or "".
std::string recordedMd5(const std::string &md5Text, const std::string &path)
{
    std::istringstream in(md5Text);
    std::string line;
    const std::string rel = path.substr(1);
    while (std::getline(in, line))
        if (line.size() == 34 + rel.size() && line[32] == ' ' && line[33] == ' ' &&
            line.compare(34, std::string::npos, rel) == 0)
            return line.substr(0, 32);
    return "";
}

} // namespace

bool DpkgPackageLookup::md5OfFile(const std::string &path, std::string *hex)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX *)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1)
        return false;
    std::vector<char> buf(65536);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        if (in.gcount() > 0 &&
            EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount())) != 1)
            return false;
    }
    if (in.bad())
        return false;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1)
        return false;
    static const char digits[] = "0123456789abcdef";
    hex->clear();
    for (unsigned int i = 0; i < len; ++i) {
        *hex += digits[digest[i] >> 4];
        *hex += digits[digest[i] & 15];
    }
    return true;
}

bool DpkgPackageLookup::owner(const std::string &path, std::optional<std::string> *package,
                              std::string *note, std::string *why)
{
    package->reset();
    note->clear();
    // Merged /usr: dpkg may list /bin/x for /usr/bin/x, or the other way round.
    std::vector<std::string> names{path};
    if (path.rfind("/usr/", 0) == 0)
        names.push_back(path.substr(4));
    else if (!path.empty() && path[0] == '/')
        names.push_back("/usr" + path);

    DIR *d = ::opendir(m_infoDir.c_str());
    if (d == nullptr) {
        *why = "Cannot read dpkg's database in " + m_infoDir + ".";
        return false;
    }
    std::vector<std::string> lists;
    while (struct dirent *e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.size() > 5 && name.compare(name.size() - 5, 5, ".list") == 0)
            lists.push_back(name.substr(0, name.size() - 5));
    }
    ::closedir(d);

    for (const std::string &base : lists) {
        std::string listText;
        if (!readWhole(m_infoDir + "/" + base + ".list", &listText))
            continue;
        for (const std::string &name : names) {
            if (!hasLine(listText, name))
                continue;
            const std::string pkg = base.substr(0, base.find(':')); // "pkg:arch"
            std::string md5Text;
            readWhole(m_infoDir + "/" + base + ".md5sums", &md5Text);
            const std::string expected = recordedMd5(md5Text, name);
            if (expected.empty()) {
                *note = "dpkg lists " + name + " in package " + pkg +
                        " without a checksum, so it cannot be shown unmodified.";
                continue;
            }
            std::string actual;
            if (!md5OfFile(path, &actual)) {
                *note = "Package " + pkg + " installed " + name + ", but " + path +
                        " cannot be read to check it is unmodified.";
                continue;
            }
            if (actual != expected) {
                *note = "Package " + pkg + " installed " + name +
                        ", but the file was modified since (its MD5 differs).";
                continue;
            }
            *package = pkg;
            note->clear();
            return true;
        }
    }
    return true;
}

} // namespace policy
} // namespace pg
