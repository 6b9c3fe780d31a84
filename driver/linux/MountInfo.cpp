// MountInfo.cpp - see MountInfo.h.
#include "MountInfo.h"

#include <cstring>
#include <sstream>

#include "ProcFs.h"

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string MountInfo::unescape(const std::string &s)
{
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7' &&
            s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            out.push_back(
                static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
            i += 3;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

bool MountInfo::splitLine(const std::string &line, std::vector<std::string> *f, size_t *dash)
{
    // id parent major:minor root mountpoint options [optional...] - type source superopts
    std::istringstream fields(line);
    std::string w;
    f->clear();
    while (fields >> w)
        f->push_back(w);
    *dash = 0;
    for (size_t i = 6; i < f->size(); ++i) {
        if ((*f)[i] == "-") {
            *dash = i;
            break;
        }
    }
    return f->size() >= 7 && *dash != 0 && *dash + 1 < f->size();
}

bool MountInfo::load()
{
    m_mounts.clear();
    std::string text;
    if (!ProcFs::readFile("/proc/self/mountinfo", &text, 4u * 1024u * 1024u))
        return false;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::vector<std::string> f;
        size_t dash = 0;
        if (!MountInfo::splitLine(line, &f, &dash))
            continue;
        Mount m;
        m.root = unescape(f[3]);
        m.mountPoint = unescape(f[4]);
        m.fsType = dash + 1 < f.size() ? f[dash + 1] : std::string();
        m.source = dash + 2 < f.size() ? unescape(f[dash + 2]) : std::string();
        m_mounts.push_back(m);
    }
    return true;
}

bool MountInfo::isGateableType(const std::string &fsType)
{
    static const char *const never[] = {
        // pseudo filesystems: no programs, or gating them is meaningless
        "proc", "sysfs", "devtmpfs", "devpts", "debugfs", "tracefs", "securityfs", "pstore", "bpf",
        "mqueue", "configfs", "fusectl", "autofs", "binfmt_misc", "hugetlbfs", "efivarfs",
        "rpc_pipefs", "nsfs", "selinuxfs", "ramfs_ctl", "cgroup", "cgroup2",
        // network filesystems: a permission event must never wait on a server
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph", "glusterfs", "lustre",
        "gfs2", "ocfs2", "davfs", "sshfs", "fuse.sshfs", "fuse.glusterfs"};
    for (const char *n : never) {
        if (fsType == n)
            return false;
    }
    if (fsType.rfind("cgroup", 0) == 0)
        return false;
    return !fsType.empty();
}

std::string MountInfo::cgroup2MountPoint() const
{
    for (const Mount &m : m_mounts) {
        if (m.fsType == "cgroup2" && m.root == "/")
            return m.mountPoint;
    }
    return std::string();
}
