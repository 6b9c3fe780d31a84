// Log.cpp - see Log.h. Formats into a stack buffer and writes it with a
// single write(2); never allocates a file descriptor.
#include "Log.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace
{

std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};
std::atomic<int> g_fd{STDERR_FILENO};
std::atomic<bool> g_socket{false};
std::atomic<unsigned long> g_dropped{0};
std::atomic<unsigned long> g_reported{0};

// Writes one whole line without blocking; false when it did not go out.
bool writeLine(const char *line, size_t len)
{
    const int fd = g_fd.load();
    ssize_t n = g_socket.load() ? ::send(fd, line, len, MSG_DONTWAIT | MSG_NOSIGNAL)
                                : ::write(fd, line, len);
    return n == static_cast<ssize_t>(len);
}

const char *levelName(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug:
        return "debug";
    case LogLevel::Info:
        return "info";
    case LogLevel::Warn:
        return "warn";
    case LogLevel::Error:
        return "error";
    }
    return "?";
}

// sd-daemon(3) priorities: 7 debug, 6 info, 4 warning, 3 err.
int journalPriority(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug:
        return 7;
    case LogLevel::Info:
        return 6;
    case LogLevel::Warn:
        return 4;
    case LogLevel::Error:
        return 3;
    }
    return 6;
}

bool underJournal()
{
    static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
    return journal;
}

} // namespace

void Log::init()
{
    struct stat st;
    if (fstat(STDERR_FILENO, &st) != 0)
        return;
    if (S_ISSOCK(st.st_mode)) {
        // journald's stream socket: per-call MSG_DONTWAIT needs no new descriptor.
        g_socket.store(true);
        return;
    }
    if (S_ISREG(st.st_mode))
        return; // a regular file never blocks a writer
    // Pipe, FIFO or terminal: reopen it through /proc to get an open file
    // description of our own, and make only that one non-blocking.
    int fd = ::open("/proc/self/fd/2", O_WRONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd >= 0)
        g_fd.store(fd);
}

unsigned long Log::dropped()
{
    return g_dropped.load();
}

void Log::setLevel(LogLevel level)
{
    g_level.store(static_cast<int>(level));
}

bool Log::enabled(LogLevel level)
{
    return static_cast<int>(level) >= g_level.load();
}

bool Log::parseLevel(const std::string &text, LogLevel *level)
{
    static const struct {
        const char *name;
        LogLevel level;
    } names[] = {{"debug", LogLevel::Debug},
                 {"info", LogLevel::Info},
                 {"warn", LogLevel::Warn},
                 {"warning", LogLevel::Warn},
                 {"error", LogLevel::Error}};
    for (const auto &n : names) {
        if (text == n.name) {
            *level = n.level;
            return true;
        }
    }
    return false;
}

void Log::write(LogLevel level, const char *format, ...)
{
    if (!enabled(level))
        return;
    char line[2048];
    size_t used = 0;
    if (underJournal()) {
        int n = std::snprintf(line, sizeof line, "<%d>", journalPriority(level));
        used = n > 0 ? static_cast<size_t>(n) : 0;
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm); // UTC: no /etc/localtime (see Log.h)
        int n = std::snprintf(line, sizeof line,
                              "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s: ", tm.tm_year + 1900,
                              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                              ts.tv_nsec / 1000000L, levelName(level));
        used = n > 0 ? static_cast<size_t>(n) : 0;
    }
    va_list args;
    va_start(args, format);
    int n = std::vsnprintf(line + used, sizeof line - used - 1, format, args);
    va_end(args);
    if (n < 0)
        n = 0;
    used += static_cast<size_t>(n);
    if (used > sizeof line - 2)
        used = sizeof line - 2; // truncated line: keep the newline
    line[used++] = '\n';
    // One non-blocking write per line: a full stderr loses the line (counted)
    // rather than blocking the thread that answers permission events.
    const unsigned long dropped = g_dropped.load();
    if (dropped != g_reported.load()) {
        char note[96];
        int m = std::snprintf(note, sizeof note, "%s%lu log lines dropped: stderr was full\n",
                              underJournal() ? "<4>" : "warn: ", dropped - g_reported.load());
        if (m > 0 && writeLine(note, static_cast<size_t>(m)))
            g_reported.store(dropped);
    }
    if (!writeLine(line, used))
        g_dropped.fetch_add(1);
}
