// PolicyDir.h - reads procguardd's policy directory (--policy-dir, default
// /etc/procguard/policy.d) on a named thread ("pg-policy-dir") and tells the
// main thread when its contents changed.
//
// Why a thread: the directory may sit on a gated filesystem, and the main
// thread must never open a file there (its own open raises a permission
// event that only the main thread can answer). This thread opens and reads;
// the main thread answers its opens at once (our own pid) and picks up the
// result through notifyFd().
//
// Change detection: inotify on the directory (create, write, close, move,
// delete, attribute changes), debounced - a reload runs 250 ms after the
// last change, and at most 2 s after the first one of a burst - so an editor
// or a configuration tool writing several files is read once, after it
// finished. A directory that does not exist (yet) is looked for again every
// 2 s; when it appears it is read. requestReload() (SIGHUP) reads it now.
// Every wait is bounded (poll with a timeout), so stop() returns within
// about a poll period.
//
// What a reload produces: every regular file whose name ends in ".json" and
// does not start with '.', in name order (C locale), with its text or the
// reason it could not be read. Files over 4 MiB are not read (an error for
// that file). Parsing and combining happen on the main thread
// (app/policy/ManagedPolicy.h), which keeps the last good version of each
// file.
//
// Thread rules: the main thread calls start(), requestReload(), take() and
// stop(); take() only swaps the latest result out under a mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

class PolicyDir
{
public:
    struct File {
        std::string name; // file name, no directory
        std::string path; // directory + "/" + name
        bool readOk = false;
        std::string text;  // when readOk
        std::string error; // otherwise: one sentence, naming the file
    };
    struct Snapshot {
        bool dirExists = false;
        std::vector<File> files; // name order
    };

    explicit PolicyDir(std::string dir);
    ~PolicyDir();
    PolicyDir(const PolicyDir &) = delete;
    PolicyDir &operator=(const PolicyDir &) = delete;

    const std::string &dir() const { return m_dir; }
    // Reads the directory now, on the calling thread (start-up, before the
    // fanotify marks exist).
    Snapshot readNow() const;
    // Starts the watching thread. False with *error when the notification
    // fds cannot be created.
    bool start(std::string *error);
    // Readable (EPOLLIN) when a new snapshot waits in take().
    int notifyFd() const { return m_notifyFd; }
    // The latest snapshot, if one is waiting; clears notifyFd.
    std::optional<Snapshot> take();
    // Read the directory again now (SIGHUP).
    void requestReload();
    void stop();

    static constexpr int kDebounceMs = 250;
    static constexpr int kBurstMaxMs = 2000;
    static constexpr int kMissingRetryMs = 2000;
    static constexpr size_t kMaxFileBytes = 4u * 1024u * 1024u;

private:
    void run();
    bool watch(); // adds the inotify watch; false when the directory is missing

    std::string m_dir;
    int m_inotifyFd = -1;
    int m_watch = -1;
    int m_wakeFd = -1;   // eventfd: requestReload() and stop() poke the thread
    int m_notifyFd = -1; // eventfd: the thread tells the main loop
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_reloadRequested{false};
    std::mutex m_mutex;
    std::optional<Snapshot> m_latest;
};
