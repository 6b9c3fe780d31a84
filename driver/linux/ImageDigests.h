// ImageDigests.h - SHA-256 (for PG_RULE_SHA256) and MD5 (for the dpkg
// check of PG_RULE_PACKAGE) of the program an exec event opened.
//
// Owns: a bounded cache keyed by file identity and version - (device,
// inode, mtime in ns, size) from fstat of the event fd - so a program is
// hashed once per modification, and a renamed or hard-linked copy of an
// unchanged file is not hashed again. A modified file gets a new mtime
// (and usually size), so its stale digest is never used.
//
// How it reads: pread() on the fanotify event fd only. The main thread
// must not open files on a gated filesystem (see Daemon.cpp), and the
// event fd is already open on exactly the file being exec'd - no race
// with a rename or a replacement of the path.
//
// Cost: the first exec of a file reads it whole on the main thread, while
// other permission events wait (about 1 ms per 2 MB here). That is the
// price of deciding digests in the component, without the panel.
// Main thread only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <unordered_map>

class ImageDigests
{
public:
    enum class Algorithm { Sha256, Md5 };

    // Lower-case hex digest of the file behind fd. False when fstat or a
    // read failed (the caller treats the fact as "not matched").
    bool digest(int fd, Algorithm algo, std::string *hex);
    // Drops every cached digest.
    void clear() { m_cache.clear(); }
    size_t size() const { return m_cache.size(); }
    uint64_t computed() const { return m_computed; }

    // Hashes an open file from offset 0 without caching (also used by
    // tests and the index).
    static bool hashFd(int fd, Algorithm algo, std::string *hex);

private:
    struct Key {
        uint64_t dev, ino, mtimeNs, size;
        int algo;
        bool operator==(const Key &o) const
        {
            return dev == o.dev && ino == o.ino && mtimeNs == o.mtimeNs && size == o.size &&
                   algo == o.algo;
        }
    };
    struct KeyHash {
        size_t operator()(const Key &k) const
        {
            return std::hash<uint64_t>()(k.ino * 1000003u ^ k.dev ^ (k.mtimeNs << 1) ^ k.size ^
                                         static_cast<uint64_t>(k.algo));
        }
    };
    static constexpr size_t kMaxEntries = 8192;
    std::unordered_map<Key, std::string, KeyHash> m_cache;
    uint64_t m_computed = 0;
};
