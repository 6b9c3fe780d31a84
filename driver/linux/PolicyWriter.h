// PolicyWriter.h - a named thread that persists one state file: the
// policy ("pg-policy"), and today's budget use ("pg-budget").
//
// Why a thread: the state directory may sit on a gated filesystem. The
// daemon's own open() there raises a permission event that only the main
// thread can answer, so the main thread must never open it. This thread
// does, and the main thread answers its events at once (the pid is the
// daemon's own, so they are allowed without a decision).
//
// Deadlock rules: the main thread only hands over a copy of the bytes
// under a mutex held for a swap; it never waits for this thread while the
// fanotify group is open. stop() is called after the group is closed (the
// kernel then allows any open still waiting), so the join cannot hang.
//
// Owns: the thread, the latest blob waiting to be written (only the
// newest matters; a removal counts as one), and the atomic write: temp
// file (0600), fsync, rename, fsync of the directory.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

class PolicyWriter
{
public:
    // what names the file in the log; threadName is at most 15 chars.
    explicit PolicyWriter(std::string path, std::string what = "policy",
                          std::string threadName = "pg-policy");
    ~PolicyWriter();
    void start();
    // Queues bytes to be written (replaces any blob not yet written).
    void submit(std::vector<uint8_t> bytes);
    // Queues the removal of the file (replaces any blob not yet written).
    void submitRemove();
    // Writes what is queued, then ends the thread and joins it.
    void stop();

    // Synchronous write, used by the thread (and exposed for clarity).
    static bool writeAtomically(const std::string &path, const std::vector<uint8_t> &bytes,
                                std::string *error);

private:
    void run();

    std::string m_path;
    std::string m_what;
    std::string m_threadName;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<uint8_t> m_pending;
    bool m_hasPending = false;
    bool m_removePending = false; // the pending change is a removal
    bool m_stop = false;
};
