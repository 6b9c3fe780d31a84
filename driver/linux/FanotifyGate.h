// FanotifyGate.h - the fanotify group that holds execs and opens.
//
// Owns: the fanotify descriptor, the filesystem marks (every local
// filesystem, or those holding each --watch path), responses, and the
// kernel-side allow cache (inode ignore marks).
//
// Must not: decide anything (Daemon decides) or log before a response is
// written (callers answer first). Every event read from the descriptor
// that carries an fd must be answered exactly once (if it is a permission
// event) and its fd closed exactly once; a forgotten answer leaves the
// opening task waiting for as long as the group lives.
//
// Flags, and why:
//   FAN_CLASS_CONTENT  permission events need a content (or pre-content) class.
//   FAN_UNLIMITED_QUEUE  when a bounded queue overflows the kernel drops the
//                      event and lets the open/exec proceed unanswered: a
//                      silent bypass of the gate. Unlimited costs little,
//                      because each queued permission event is a task that
//                      waits for us; the main loop keeps the queue drained.
//   FAN_NONBLOCK       read from the epoll loop.
//   FAN_CLOEXEC        nothing is ever exec'd, but belt and braces.
//   event fds          O_RDONLY | O_LARGEFILE | O_CLOEXEC: only pread of the
//                      ELF header and readlink of /proc/self/fd are done.
#pragma once

#include <sys/fanotify.h>
#include <sys/types.h>

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

class FanotifyGate
{
public:
    ~FanotifyGate();
    // fanotify_init. False with *error (e.g. not root, no fanotify, no
    // permission events in this kernel).
    bool open(std::string *error);
    void close();
    int fd() const { return m_fd; }

    // Whether plain opens (FAN_OPEN_PERM) are reported too, besides execs
    // (FAN_OPEN_EXEC_PERM). Only where ExecOrigin cannot tell a loader run
    // from a loader load (see Daemon's loader guard); set before marking.
    void watchPlainOpens(bool on);
    bool watchesPlainOpens() const { return (m_mask & FAN_OPEN_PERM) != 0; }

    // Adds FAN_OPEN_EXEC_PERM (and FAN_OPEN_PERM, see above) filesystem marks. watch empty:
    // every gateable filesystem from the mount table (failures are logged
    // and skipped). Otherwise the filesystem of each path (a failure is
    // fatal: the caller asked for exactly that). Returns the number of
    // filesystems marked, -1 on a fatal error (*error set).
    int markFilesystems(const std::vector<std::string> &watch, std::string *error);
    const std::vector<std::string> &markedMounts() const { return m_marked; }
    // One more filesystem mark, for the filesystem mounted at path (a
    // filesystem mounted after start; MountWatch). Safe on any thread: it
    // touches no member but the descriptor and the device set (locked).
    bool markFilesystemAt(const std::string &path, std::string *error);

    // Whether the filesystem with this device number is marked: an exec
    // from it was seen by the gate (or allowed by its cache). Any thread.
    bool marksDevice(dev_t dev) const;

    // Writes a response. Returns false when the kernel refused it (ENOENT:
    // the waiting task went away).
    bool respond(int eventFd, bool allow);
    // Adds an ignore mark for the event's file so later execs and opens of
    // it are not reported. Without FAN_MARK_IGNORED_SURV_MODIFY: the kernel
    // drops the ignore mask when the file is modified.
    bool cacheAllow(int eventFd);
    // Removes every inode mark (the whole allow cache).
    void flushCache();

private:
    int m_fd = -1;
    uint64_t m_mask = FAN_OPEN_EXEC_PERM;
    void noteMarked(dev_t dev);
    mutable std::mutex m_devMutex; // the marker thread adds marks (MountWatch)
    std::set<dev_t> m_markedDevs;
    std::vector<std::string> m_marked;
};
