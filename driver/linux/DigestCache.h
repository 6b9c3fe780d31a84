// DigestCache.h - digests of program files, keyed by file identity and
// version, bounded, and kept across restarts.
//
// Owns: the map from (file version, algorithm) to digest, its eviction
// order (least recently used goes first when full) and its saved form.
//
// The key is what fstat() of the event fd says about the file: device,
// inode, size, and modification and change times in nanoseconds. A write
// to the file changes its mtime and ctime; setting the mtime back with
// utimes() still moves the ctime, which no unprivileged caller can set.
// So a changed file has a new key and is never served a stale digest; a
// renamed or hard-linked copy of an unchanged file keeps its key and is
// not hashed again. After a reboot the same disk file keeps its key (the
// device number of a disk is stable); a tmpfs file is new anyway.
//
// Saved form (serialize / parse), little-endian:
//   "PGDIGST1" | u32 entry count | u32 0 | entries | SHA-256 of all before
//   entry: u64 dev, ino, size, mtime_ns, ctime_ns | u8 algorithm |
//          u8 digest length | 6 bytes 0 | 32 bytes digest (zero padded)
// parse() refuses a file whose trailer does not match, whose count does
// not fit, or whose records are out of range, and leaves the cache empty:
// the caller warns, starts afresh and overwrites it at the next save.
//
// Threads: none of its own; the daemon's main thread only.
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

struct FileVersion {
    uint64_t dev = 0;
    uint64_t ino = 0;
    uint64_t size = 0;
    uint64_t mtimeNs = 0;
    uint64_t ctimeNs = 0;
    bool operator==(const FileVersion &o) const
    {
        return dev == o.dev && ino == o.ino && size == o.size && mtimeNs == o.mtimeNs &&
               ctimeNs == o.ctimeNs;
    }
    bool operator!=(const FileVersion &o) const { return !(*this == o); }
};

struct FileVersionHash {
    size_t operator()(const FileVersion &v) const;
};

enum class DigestAlgo : uint8_t { Sha256 = 1, Md5 = 2 };

class DigestCache
{
public:
    static constexpr size_t kDefaultCapacity = 16384;

    explicit DigestCache(size_t capacity = kDefaultCapacity);

    // Lower-case hex digest, or false when not cached. A hit makes the
    // entry the most recently used.
    bool lookup(const FileVersion &v, DigestAlgo algo, std::string *hex);
    // Adds or replaces; evicts the least recently used entry when full.
    void insert(const FileVersion &v, DigestAlgo algo, const std::string &hex);
    void clear();
    size_t size() const { return m_index.size(); }
    size_t capacity() const { return m_capacity; }
    // Bumped by every change; the saver compares it with what it wrote.
    uint64_t changes() const { return m_changes; }

    std::vector<uint8_t> serialize() const;
    // Replaces the contents with a saved form. False (and *error, one
    // phrase) when the bytes are not a whole, intact saved form; the cache
    // is then empty. Entries beyond the capacity are dropped, oldest first.
    bool parse(const std::vector<uint8_t> &bytes, std::string *error);

private:
    struct Key {
        FileVersion v;
        DigestAlgo algo;
        bool operator==(const Key &o) const { return algo == o.algo && v == o.v; }
    };
    struct KeyHash {
        size_t operator()(const Key &k) const
        {
            return FileVersionHash()(k.v) * 31u + static_cast<size_t>(k.algo);
        }
    };
    struct Entry {
        Key key;
        std::string hex;
    };
    size_t m_capacity;
    std::list<Entry> m_order; // most recently used first
    std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> m_index;
    uint64_t m_changes = 0;
};
