// FileIdentityTest.cpp - when a start's path may decide, with a fake of
// the stat calls: the event fd's file, the file at the path in the
// daemon's namespace, and the daemon's mount ids.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "FileIdentity.h"

namespace
{

using Trust = FileIdentity::Trust;

class FakeFs : public FileIdentity::Fs
{
public:
    bool statFd(int fd, FileIdentity::Id *out) override
    {
        auto it = fds.find(fd);
        if (it == fds.end())
            return false;
        *out = it->second;
        return true;
    }
    bool statExe(uint32_t pid, FileIdentity::Id *out) override
    {
        auto it = exes.find(pid);
        if (it == exes.end())
            return false;
        *out = it->second;
        return true;
    }
    bool statPath(const std::string &path, FileIdentity::Id *out) override
    {
        ++pathWalks;
        auto it = paths.find(path);
        if (it == paths.end())
            return false;
        *out = it->second;
        return true;
    }
    bool mountIsOurs(uint64_t mountId) override { return ours.count(mountId) != 0; }

    std::map<int, FileIdentity::Id> fds;
    std::map<uint32_t, FileIdentity::Id> exes;
    std::map<std::string, FileIdentity::Id> paths;
    std::set<uint64_t> ours{21, 22};
    int pathWalks = 0;
};

FileIdentity::Id file(uint64_t dev, uint64_t ino, uint64_t mount = 22, bool mountKnown = true)
{
    FileIdentity::Id id;
    id.dev = dev;
    id.ino = ino;
    id.mountId = mount;
    id.mountIdKnown = mountKnown;
    return id;
}

} // namespace

TEST(FileIdentity, FileAtItsOwnPathIsTrusted)
{
    FakeFs fs;
    fs.fds[7] = file(40, 1001);
    fs.paths["/gate/allowed"] = file(40, 1001);
    EXPECT_EQ(Trust::Trusted, FileIdentity::decide(fs, 7, "/gate/allowed"));
}

TEST(FileIdentity, AnotherFileAtThePathIsAMismatch)
{
    // A bind mount over /gate/allowed in a namespace whose mounts we
    // cannot tell apart (no mount id): the inode gives it away.
    FakeFs fs;
    fs.fds[7] = file(40, 2002, 0, false);
    fs.paths["/gate/allowed"] = file(40, 1001);
    EXPECT_EQ(Trust::Mismatch, FileIdentity::decide(fs, 7, "/gate/allowed"));
}

TEST(FileIdentity, SameInodeNumberOnAnotherDeviceIsAMismatch)
{
    FakeFs fs;
    fs.fds[7] = file(41, 1001);
    fs.paths["/gate/allowed"] = file(40, 1001);
    EXPECT_EQ(Trust::Mismatch, FileIdentity::decide(fs, 7, "/gate/allowed"));
}

TEST(FileIdentity, MountOfAnotherNamespaceIsRefusedWithoutWalkingThePath)
{
    FakeFs fs;
    fs.fds[7] = file(40, 1001, 999);
    fs.paths["/gate/allowed"] = file(40, 1001);
    EXPECT_EQ(Trust::ForeignMount, FileIdentity::decide(fs, 7, "/gate/allowed"));
    EXPECT_EQ(0, fs.pathWalks) << "a foreign path was walked in our namespace";
}

TEST(FileIdentity, PathThatDoesNotExistForUsIsUnresolvable)
{
    FakeFs fs;
    fs.fds[7] = file(40, 1001);
    EXPECT_EQ(Trust::Unresolvable, FileIdentity::decide(fs, 7, "/only/in/their/namespace"));
}

TEST(FileIdentity, DeletedFileIsUnresolvable)
{
    FakeFs fs;
    fs.fds[7] = file(40, 1001);
    // Even if something of the same name exists now.
    fs.paths["/gate/prog (deleted)"] = file(40, 1001);
    EXPECT_EQ(Trust::Unresolvable, FileIdentity::decide(fs, 7, "/gate/prog (deleted)"));
}

TEST(FileIdentity, RelativeOrEmptyPathIsUnresolvable)
{
    FakeFs fs;
    fs.fds[7] = file(40, 1001);
    fs.paths["gate/prog"] = file(40, 1001);
    EXPECT_EQ(Trust::Unresolvable, FileIdentity::decide(fs, 7, "gate/prog"));
    EXPECT_EQ(Trust::Unresolvable, FileIdentity::decide(fs, 7, ""));
}

TEST(FileIdentity, FdWithoutIdentityIsUnresolvable)
{
    FakeFs fs;
    fs.paths["/gate/allowed"] = file(40, 1001);
    EXPECT_EQ(Trust::Unresolvable, FileIdentity::decide(fs, 9, "/gate/allowed"));
}

TEST(FileIdentity, MountIdsAreTheFirstFieldOfEachMountinfoLine)
{
    const std::string text = "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                             "22 21 0:5 / /proc rw,nosuid - proc proc rw\n"
                             "1234 21 0:44 / /tmp/pg\\040gate rw - tmpfs pg-test rw,size=65536k\n"
                             "garbage line\n"
                             "77 21 0:45 / /last rw - tmpfs x rw";
    const auto ids = FileIdentity::SystemFs::parseMountIds(text);
    EXPECT_EQ(ids, (std::unordered_set<uint64_t>{21, 22, 1234, 77}));
}

TEST(FileIdentity, ParentWhoseProgramIsAtItsPathIsTrusted)
{
    FakeFs fs;
    fs.exes[300] = file(40, 1001);
    fs.paths["/usr/bin/bash"] = file(40, 1001);
    EXPECT_EQ(Trust::Trusted, FileIdentity::decideProcess(fs, 300, "/usr/bin/bash"));
}

TEST(FileIdentity, ParentStartedFromABindMountElsewhereIsNotTrusted)
{
    FakeFs fs;
    fs.exes[300] = file(40, 2002, 999);
    fs.paths["/usr/bin/bash"] = file(40, 1001);
    EXPECT_EQ(Trust::ForeignMount, FileIdentity::decideProcess(fs, 300, "/usr/bin/bash"));
    fs.exes[300] = file(40, 2002);
    EXPECT_EQ(Trust::Mismatch, FileIdentity::decideProcess(fs, 300, "/usr/bin/bash"));
}

TEST(FileIdentity, GoneProcessIsUnresolvable)
{
    FakeFs fs;
    fs.paths["/usr/bin/bash"] = file(40, 1001);
    EXPECT_EQ(Trust::Unresolvable, FileIdentity::decideProcess(fs, 300, "/usr/bin/bash"));
}
