// PackageIndex.cpp - see PackageIndex.h.
#include "PackageIndex.h"

#include <dirent.h>
#include <pthread.h>

#include <fstream>
#include <sstream>
#include <unordered_set>

#include "Log.h"

namespace
{

bool readWhole(const std::string &path, std::string *out)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    *out = ss.str();
    return true;
}

bool isHex32(const std::string &s)
{
    if (s.size() != 32)
        return false;
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

} // namespace

PackageIndex::PackageIndex(std::string infoDir) : m_infoDir(std::move(infoDir)) {}

PackageIndex::~PackageIndex()
{
    stop();
}

void PackageIndex::start()
{
    if (m_thread.joinable())
        return;
    m_thread = std::thread([this] { run(); });
}

void PackageIndex::rebuild()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_wanted = true;
    }
    m_cv.notify_one();
}

void PackageIndex::stop()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_one();
    if (m_thread.joinable())
        m_thread.join();
}

bool PackageIndex::ready() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_index != nullptr;
}

size_t PackageIndex::size() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_index ? m_index->size() : 0;
}

PackageIndex::Lookup PackageIndex::lookup(const std::string &path, Entry *out) const
{
    std::shared_ptr<const Map> index;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        index = m_index;
    }
    if (!index)
        return Lookup::NotReady;
    auto it = index->find(path);
    if (it == index->end())
        return Lookup::NotListed;
    *out = it->second;
    return Lookup::Found;
}

void PackageIndex::addPackage(const std::string &package, const std::string &listText,
                              const std::string &md5Text, Map *into)
{
    std::unordered_set<std::string> listed;
    std::istringstream list(listText);
    std::string line;
    while (std::getline(list, line)) {
        if (!line.empty() && line[0] == '/')
            listed.insert(line);
    }
    std::istringstream sums(md5Text);
    while (std::getline(sums, line)) {
        // "<32 hex>  <path relative to />"
        if (line.size() < 35 || line[32] != ' ' || line[33] != ' ')
            continue;
        const std::string md5 = line.substr(0, 32);
        if (!isHex32(md5))
            continue;
        const std::string path = "/" + line.substr(34);
        if (listed.count(path) == 0)
            continue;
        (*into)[path] = Entry{package, md5};
    }
}

std::shared_ptr<PackageIndex::Map> PackageIndex::buildFrom(const std::string &infoDir)
{
    auto map = std::make_shared<Map>();
    DIR *d = ::opendir(infoDir.c_str());
    if (d == nullptr)
        return map;
    while (struct dirent *e = ::readdir(d)) {
        const std::string name = e->d_name;
        const std::string suffix = ".md5sums";
        if (name.size() <= suffix.size() ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        const std::string base = name.substr(0, name.size() - suffix.size());
        std::string md5Text, listText;
        if (!readWhole(infoDir + "/" + name, &md5Text) ||
            !readWhole(infoDir + "/" + base + ".list", &listText))
            continue;
        // "pkg:arch" names the package "pkg".
        addPackage(base.substr(0, base.find(':')), listText, md5Text, map.get());
    }
    ::closedir(d);
    return map;
}

void PackageIndex::run()
{
    pthread_setname_np(pthread_self(), "pg-pkgindex");
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_cv.wait(lock, [this] { return m_wanted || m_stop; });
        if (m_stop)
            return;
        m_wanted = false;
        lock.unlock();
        std::shared_ptr<const Map> built = buildFrom(m_infoDir);
        PG_LOG_INFO("package index: %zu unmodified-checkable files from %s", built->size(),
                    m_infoDir.c_str());
        lock.lock();
        m_index = std::move(built);
    }
}
