// MachineInfo.cpp - this machine's facts for the preflight (MachineInfo.h).
#include "MachineInfo.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <pwd.h>
#include <sstream>
#include <sys/utsname.h>
#include <unistd.h>
#include <utmpx.h>

namespace pg
{
namespace sync
{

namespace
{

std::string readText(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string trim(const std::string &s)
{
    const size_t a = s.find_first_not_of(" \t\r\n");
    if (a == std::string::npos)
        return "";
    return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

bool dottedIntegers(const std::string &s)
{
    if (s.empty() || !std::isdigit(static_cast<unsigned char>(s.front())) ||
        !std::isdigit(static_cast<unsigned char>(s.back())))
        return false;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '.') {
            if (s[i - 1] == '.')
                return false;
        } else if (!std::isdigit(static_cast<unsigned char>(s[i]))) {
            return false;
        }
    }
    return true;
}

std::string primaryUser()
{
    std::string user;
    setutxent();
    while (struct utmpx *u = getutxent()) {
        if (u->ut_type != USER_PROCESS || u->ut_user[0] == '\0')
            continue;
        const std::string line(u->ut_line, strnlen(u->ut_line, sizeof u->ut_line));
        const std::string name(u->ut_user, strnlen(u->ut_user, sizeof u->ut_user));
        if (user.empty())
            user = name;
        // A seat (":0", "seat0") or a console beats a remote login.
        if (line.rfind(":", 0) == 0 || line.rfind("seat", 0) == 0 || line.rfind("tty", 0) == 0) {
            user = name;
            break;
        }
    }
    endutxent();
    if (!user.empty())
        return user;
    setpwent();
    while (struct passwd *pw = getpwent()) {
        if (pw->pw_uid >= 1000 && pw->pw_uid < 60000) {
            user = pw->pw_name;
            break;
        }
    }
    endpwent();
    return user;
}

} // namespace

std::optional<std::string> uuidFromMachineId(const std::string &text)
{
    const std::string t = trim(text);
    if (t.size() != 32)
        return std::nullopt;
    std::string hex;
    for (char c : t) {
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return std::nullopt;
        hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::optional<std::string> readMachineId(const std::string &path, std::string *error)
{
    std::ifstream in(path);
    if (!in) {
        *error = "Cannot read " + path + " for the machine id; give one with --machine-id.";
        return std::nullopt;
    }
    std::stringstream s;
    s << in.rdbuf();
    std::optional<std::string> id = uuidFromMachineId(s.str());
    if (!id)
        *error = path + " does not hold 32 hex digits; give a machine id with --machine-id.";
    return id;
}

std::string osVersionFrom(const std::string &osRelease, const std::string &debianVersion)
{
    const std::string deb = trim(debianVersion);
    if (dottedIntegers(deb))
        return deb;
    std::istringstream in(osRelease);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VERSION_ID=", 0) != 0)
            continue;
        std::string v = line.substr(11);
        v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
        std::string digits;
        for (char c : v)
            if (std::isdigit(static_cast<unsigned char>(c)) || c == '.')
                digits += c;
        while (!digits.empty() && digits.back() == '.')
            digits.pop_back();
        if (dottedIntegers(digits))
            return digits;
    }
    return "0";
}

MachineFacts collectMachineFacts(const std::string &root)
{
    MachineFacts f;
    char host[256] = {0};
    if (gethostname(host, sizeof host - 1) == 0)
        f.hostname = host;
    f.osVersion =
        osVersionFrom(readText(root + "/etc/os-release"), readText(root + "/etc/debian_version"));
    struct utsname u {
    };
    if (uname(&u) == 0)
        f.osBuild = u.release;
    f.modelIdentifier = trim(readText(root + "/sys/class/dmi/id/product_name"));
    f.serialNumber = trim(readText(root + "/sys/class/dmi/id/product_serial"));
    f.primaryUser = primaryUser();
    return f;
}

} // namespace sync
} // namespace pg
