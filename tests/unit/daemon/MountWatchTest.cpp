// MountWatchTest.cpp - which filesystems mounted after start get gated,
// from fake /proc/self/mountinfo text.
#include <gtest/gtest.h>

#include "MountWatch.h"

namespace
{

const char *const kAtStart = "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                             "22 21 0:5 / /proc rw,nosuid shared:5 - proc proc rw\n"
                             "23 21 0:21 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
                             "30 21 0:40 / /media rw shared:9 - tmpfs media rw\n";

std::vector<std::string> points(const std::vector<MountWatch::Mount> &mounts)
{
    std::vector<std::string> out;
    for (const auto &m : mounts)
        out.push_back(m.mountPoint);
    return out;
}

} // namespace

TEST(MountWatch, ParsesIdMountPointAndTypeWithEscapes)
{
    const auto mounts = MountWatch::parse(
        "1234 21 0:44 / /tmp/pg\\040gate rw shared:3 master:1 - tmpfs pg-test rw,size=65536k\n"
        "garbage\n");
    ASSERT_EQ(mounts.size(), 1u);
    EXPECT_EQ(mounts[0].id, 1234u);
    EXPECT_EQ(mounts[0].mountPoint, "/tmp/pg gate");
    EXPECT_EQ(mounts[0].fsType, "tmpfs");
}

TEST(MountWatch, DefaultScopeGatesEveryNewLocalFilesystem)
{
    MountWatch w;
    // What the start-up marks covered (the daemon drops it for this scope).
    EXPECT_EQ(points(w.diff({}, kAtStart)), (std::vector<std::string>{"/", "/media"}));
    const std::string later = std::string(kAtStart) +
                              "41 30 8:17 / /media/usb rw - vfat /dev/sdb1 rw\n"
                              "42 21 0:50 / /run/user/1000/doc rw - fuse.portal portal rw\n"
                              "43 21 0:51 / /mnt/nas rw - nfs4 nas:/ rw\n"
                              "44 22 0:52 / /proc/sys/fs/binfmt_misc rw - binfmt_misc b rw\n";
    EXPECT_EQ(points(w.diff({}, later)),
              (std::vector<std::string>{"/media/usb", "/run/user/1000/doc"}))
        << "network and pseudo filesystems are never gated";
    // Seen once: not again.
    EXPECT_TRUE(w.diff({}, later).empty());
}

TEST(MountWatch, WatchPathCoversWhatIsMountedBelowItOnly)
{
    MountWatch w;
    const std::vector<std::string> watch{"/media"};
    EXPECT_EQ(points(w.diff(watch, kAtStart)), (std::vector<std::string>{"/media"}));
    const std::string later = std::string(kAtStart) +
                              "41 30 8:17 / /media/usb rw - vfat /dev/sdb1 rw\n"
                              "42 21 8:18 / /mediathek rw - ext4 /dev/sdc1 rw\n"
                              "43 21 8:19 / /mnt rw - ext4 /dev/sdd1 rw\n"
                              "44 41 8:20 / /media/usb/inner rw - ext4 /dev/sde1 rw\n";
    EXPECT_EQ(points(w.diff(watch, later)),
              (std::vector<std::string>{"/media/usb", "/media/usb/inner"}));
}

TEST(MountWatch, RootWatchPathCoversEverything)
{
    MountWatch::Mount m;
    m.id = 5;
    m.mountPoint = "/anything/here";
    m.fsType = "ext4";
    EXPECT_TRUE(MountWatch::inScope({"/"}, m));
}

TEST(MountWatch, AMountIdReusedAfterAnUnmountIsNewAgain)
{
    MountWatch w;
    const std::string with = std::string(kAtStart) + "41 30 8:17 / /media/usb rw - vfat d rw\n";
    w.diff({}, kAtStart);
    EXPECT_EQ(w.diff({}, with).size(), 1u);
    EXPECT_TRUE(w.diff({}, kAtStart).empty()); // unmounted
    const std::string reused = std::string(kAtStart) + "41 30 8:33 / /media/cd rw - iso9660 c ro\n";
    EXPECT_EQ(points(w.diff({}, reused)), (std::vector<std::string>{"/media/cd"}));
}
