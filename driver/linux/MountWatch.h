// MountWatch.h - gates filesystems that are mounted after procguardd
// started (a USB stick, an automount, a `mount` by root).
//
// Why: a fanotify filesystem mark covers one superblock, and the marks are
// placed at start. A filesystem mounted later is a new superblock: without
// a mark of its own every exec from it runs without a verdict.
//
// How: the kernel signals every change of the daemon's mount table on
// /proc/self/mountinfo (EPOLLPRI; poll consumes the change). On each, the
// main thread reads the table (procfs is never gated), keeps the mounts it
// has not seen (by mount id) that are in scope, and hands them to the
// marker thread, which adds the same FAN_MARK_FILESYSTEM mark as at start.
// Scope: with no --watch path, every gateable filesystem (MountInfo); with
// --watch PATH..., gateable filesystems mounted at or below one of the
// paths (watching /media covers the stick mounted there tomorrow), at
// start and later.
//
// Why a thread of its own: fanotify_mark() looks the mount point up and
// asks the filesystem for its fsid (statfs). A FUSE filesystem answers
// that from a user-space server that may never answer; the main thread,
// which every exec on a gated filesystem waits for, must never wait for
// one. The marker only looks paths up (no open: it raises no permission
// event). A mark still missing after kStuckMs is logged as stuck.
//
// Window: between the mount(2) and the mark an exec from the new
// filesystem is not seen (typically well under a millisecond; the mark is
// placed on the first wake-up after the change).
//
// Must not: open anything on a gated filesystem from the main thread;
// mark a filesystem out of scope.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

class MountWatch
{
public:
    struct Mount {
        uint64_t id = 0;
        std::string mountPoint;
        std::string fsType;
    };
    // Marks the filesystem mounted at path; false with *error. Called on
    // the marker thread.
    using MarkFn = std::function<bool(const std::string &path, std::string *error)>;

    MountWatch() = default;
    ~MountWatch();
    MountWatch(const MountWatch &) = delete;
    MountWatch &operator=(const MountWatch &) = delete;

    // --- pure parts (unit tests) ---
    // The mounts of mountinfo text: id (field 1), mount point (field 5,
    // unescaped) and type (after " - ").
    static std::vector<Mount> parse(const std::string &text);
    // Whether m is gated: a gateable type, and with watch paths, its mount
    // point at or below one of them (by path component).
    static bool inScope(const std::vector<std::string> &watch, const Mount &m);
    // The mounts of text not seen before that are in scope; every mount of
    // text counts as seen afterwards. A mount id that leaves the table is
    // forgotten (ids are reused).
    std::vector<Mount> diff(const std::vector<std::string> &watch, const std::string &text);

    // --- the daemon's side ---
    // Opens /proc/self/mountinfo and reads it once: *initial receives the
    // mounts in scope now (with --watch: those below the paths, which the
    // start-up marks did not cover; none for the default scope, marked at
    // start). watch paths are made canonical (realpath) first. Call
    // before the first mark (the realpath may open directories).
    bool open(const std::vector<std::string> &watch, std::vector<Mount> *initial,
              std::string *error);
    int fd() const { return m_fd; }
    // Starts the marker thread.
    void start(MarkFn mark);
    // After EPOLLPRI on fd(): reads the table and queues the new mounts in
    // scope for marking. Returns them (for the log).
    std::vector<Mount> onChange();
    // Queues mounts for marking.
    void queue(const std::vector<Mount> &mounts);
    // Logs once a mark that has waited longer than kStuckMs.
    void checkStuck(uint64_t nowMs);
    // Stops the marker: waits a bounded moment, then leaves a thread that
    // is stuck in the kernel behind (the process is about to exit).
    void stop();

    static constexpr uint64_t kStuckMs = 5000;

private:
    bool readTable(std::string *text);
    void markerLoop();

    int m_fd = -1;
    std::vector<std::string> m_watch;
    std::unordered_set<uint64_t> m_seen;

    MarkFn m_mark;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Mount> m_queue;
    bool m_stop = false;
    bool m_done = false;        // the marker thread returned
    std::string m_busyWith;     // mount point being marked now
    uint64_t m_busySinceMs = 0; // when that mark began (0: idle)
    bool m_stuckLogged = false;
};
