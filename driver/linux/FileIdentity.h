// FileIdentity.h - may a path rule decide for the file a start opened?
//
// Why (DESIGN §3: "a rule decides for the file that is there, not for the
// name a caller shows"): the path read back from a fanotify event fd is
// the file's path in the OPENER's mount namespace.
// An unprivileged user with a user namespace (unshare -Urm) can bind-mount
// any file over an allowed path there; the event then shows the allowed
// path for an unlisted file. A fanotify filesystem mark still sees that
// exec (a bind mount shares the superblock), so the file is known - only
// its name cannot be believed. A path rule may decide only when the file
// at that path, in the daemon's own namespace, is the event's file.
//
// The decision, in this order (each step is a stat-class call; nothing is
// ever opened, so no permission event is raised and the main thread may
// call it while events wait):
//   1. the event fd's identity (statx: device, inode, mount id);
//   2. the fd's mount must be one of the daemon's own namespace (mount ids
//      of /proc/self/mountinfo) or of the namespace it was started from
//      (its parent's at start, and PID 1's): under systemd, ProtectSystem=
//      gives the daemon a copy of the host's namespace whose mounts have
//      ids of their own, while the host's programs run from the host's
//      mounts; the copy follows the host's mounts, so a path walked in
//      ours names the same file as in the host's. A mount of any other
//      namespace is refused without walking the path at all: that path is
//      someone else's, and a walk of it in our namespace could cross an
//      automount point (a walk that waits on the automounter, which may
//      exec, would hang us);
//   3. the path must be absolute and not a deleted file's;
//   4. stat(path) without following a final symlink or triggering an
//      automount must give the same device and inode.
// Anything else: the start has no trustworthy path (Trust != Trusted).
// Path rules then do not match it (PG_PATH_IMAGE_UNTRUSTED, pg_rules.h),
// the kernel allow cache is never installed for it, and its events carry
// PG_EVF_UNTRUSTED_PATH. Hash, package and command-line rules still decide.
//
// Must not: open a file on a gated filesystem, wait for anything.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

class FileIdentity
{
public:
    enum class Trust {
        Trusted,      // the path names the event's file for us
        ForeignMount, // the file was reached through a mount of another namespace
        Mismatch,     // another file is at that path for us
        Unresolvable, // no such path for us, a deleted file, or no identity
    };
    static const char *name(Trust t);

    struct Id {
        uint64_t dev = 0;
        uint64_t ino = 0;
        uint64_t mountId = 0;
        bool mountIdKnown = false; // kernels before 5.8 do not report it
    };

    // The calls the decision makes; SystemFs below is the real one, tests
    // use a fake.
    class Fs
    {
    public:
        virtual ~Fs() = default;
        virtual bool statFd(int fd, Id *out) = 0;
        // The program of a process, through /proc/PID/exe (stat follows
        // the magic link to the file itself without opening it).
        virtual bool statExe(uint32_t pid, Id *out) = 0;
        // No final-symlink follow, no automount; false when it does not exist.
        virtual bool statPath(const std::string &path, Id *out) = 0;
        virtual bool mountIsOurs(uint64_t mountId) = 0;
    };

    // The event fd's file against path.
    static Trust decide(Fs &fs, int fd, const std::string &path);
    // A running process's program against path (its parent's, or one a
    // previous run left frozen).
    static Trust decideProcess(Fs &fs, uint32_t pid, const std::string &path);

    // statx and fstatat, and the mount ids of /proc/self/mountinfo and of
    // the mountinfo of the parent at start and of PID 1 where their mount
    // namespaces differ from ours (the open file keeps its namespace
    // readable after the process is gone). A table is read again only
    // when the kernel says it changed (POLLPRI on the kept-open fd),
    // checked when a mount id is not known.
    class SystemFs : public Fs
    {
    public:
        SystemFs() = default;
        ~SystemFs() override;
        SystemFs(const SystemFs &) = delete;
        SystemFs &operator=(const SystemFs &) = delete;

        bool statFd(int fd, Id *out) override;
        bool statExe(uint32_t pid, Id *out) override;
        bool statPath(const std::string &path, Id *out) override;
        bool mountIsOurs(uint64_t mountId) override;
        // Opens the tables; at start, while the parent is the one that
        // started us (else on first use, without the parent's).
        bool load(uint32_t parentPid = 0);

        // Parses mountinfo text: the first field of each line.
        static std::unordered_set<uint64_t> parseMountIds(const std::string &text);

    private:
        struct Table {
            int fd = -1;
            std::unordered_set<uint64_t> ids;
        };
        static bool statxToId(int dirFd, const char *path, int flags, Id *out);
        static bool reload(Table *t);
        bool m_loaded = false;
        std::vector<Table> m_tables; // ours, then PID 1's when it differs
    };

private:
    static Trust decideFile(Fs &fs, const Id &file, const std::string &path);
};
