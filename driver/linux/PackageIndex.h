// PackageIndex.h - "installed by the package manager" for PG_RULE_PACKAGE.
//
// Owns: the named thread "pg-pkgindex" and the index it builds from the
// dpkg database: for every file listed in <info-dir>/<pkg>.list that also
// has a checksum line in <info-dir>/<pkg>.md5sums, the absolute path ->
// (package, expected MD5). Files without a checksum (conffiles, symlinks,
// directories) cannot be shown unmodified and are left out.
//
// Threads: rebuild() is called by the main thread (at start and whenever a
// policy with PACKAGE rules is installed) and only wakes the worker; the
// worker reads the database (its opens carry the daemon's pid, which the
// main thread allows at once without a lookup - see Daemon.cpp) and then
// publishes the new index with one pointer swap under a mutex that is held
// for nothing else. lookup() copies that pointer and never waits for a
// build: until the first build finished it answers NotReady, and the
// caller treats the file as "not from a package" (and logs it).
//
// "Unmodified" is checked by the caller, on the exec's own fd (see
// ImageDigests), against the MD5 the index returns.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

class PackageIndex
{
public:
    struct Entry {
        std::string package;
        std::string md5; // lower-case hex
    };
    using Map = std::unordered_map<std::string, Entry>;

    explicit PackageIndex(std::string infoDir);
    ~PackageIndex();
    PackageIndex(const PackageIndex &) = delete;
    PackageIndex &operator=(const PackageIndex &) = delete;

    void start();
    // Asks for a (re)build; returns at once.
    void rebuild();
    // Ends the worker (after the fanotify group is closed, like the policy
    // writer) and joins it.
    void stop();

    enum class Lookup { NotReady, NotListed, Found };
    Lookup lookup(const std::string &path, Entry *out) const;
    bool ready() const;
    size_t size() const;

    // Parses one package's files; exposed for tests. listText: the .list
    // file, md5Text: the .md5sums file ("<md5>  <path without leading />").
    static void addPackage(const std::string &package, const std::string &listText,
                           const std::string &md5Text, Map *into);
    // Builds the whole index from a dpkg info directory.
    static std::shared_ptr<Map> buildFrom(const std::string &infoDir);

private:
    void run();

    std::string m_infoDir;
    std::thread m_thread;
    mutable std::mutex m_mutex; // guards the members below
    std::condition_variable m_cv;
    std::shared_ptr<const Map> m_index;
    bool m_wanted = false;
    bool m_stop = false;
};
