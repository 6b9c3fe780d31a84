// MountInfo.h - the mount table of this process (/proc/self/mountinfo).
//
// Owns: parsing mountinfo lines (with their octal escapes) and the
// classification of filesystem types into "local, worth gating" and
// "pseudo or network, never gated". Must not: mark or mount anything.
#pragma once

#include <string>
#include <vector>

class MountInfo
{
public:
    struct Mount {
        std::string root;       // path inside the filesystem that is mounted
        std::string mountPoint; // where it is mounted
        std::string fsType;
        std::string source;
    };

    // Reads /proc/self/mountinfo. False when unreadable.
    bool load();
    const std::vector<Mount> &mounts() const { return m_mounts; }

    // True for filesystems that hold programs a user could run: ext*, xfs,
    // btrfs, tmpfs, overlay, vfat, ... False for pseudo filesystems (proc,
    // sysfs, cgroup, ...) and network filesystems (nfs, cifs, ...), whose
    // permission events could stall on a remote server or are meaningless.
    static bool isGateableType(const std::string &fsType);

    // A mountinfo field with its octal escapes (\040 for a space) undone.
    static std::string unescape(const std::string &s);
    // The fields of one /proc/PID/mountinfo line and the index of its "-"
    // separator. False for a line that is not a mount.
    static bool splitLine(const std::string &line, std::vector<std::string> *fields, size_t *dash);

    // The first cgroup2 mount point, or empty.
    std::string cgroup2MountPoint() const;

private:
    std::vector<Mount> m_mounts;
};
