// Log.h - procguardd's logger: one line per call on stderr.
//
// Owns: the level threshold and the line format. Under systemd
// (JOURNAL_STREAM set) each line starts with an sd-daemon "<N>" priority
// prefix and carries no timestamp (the journal adds one); otherwise a UTC
// timestamp and the level name.
//
// Must not: open any file after start-up, or block. The main thread answers
// fanotify permission events; an open() on a gated filesystem from the main
// thread would wait for the main thread itself, and a write that blocks on a
// full pipe (a stalled reader of our stderr) would stall every exec on the
// gated filesystems. So Log::init(), called once before any mark exists,
// gives the logger a non-blocking descriptor of its own for stderr (a new
// open file description, so the O_NONBLOCK flag never leaks to whoever
// shares our stderr); a line that does not fit is dropped and counted, and
// the count is reported on the next line that does. Timestamps are
// formatted by hand in UTC (localtime would read /etc/localtime). Each line
// is written with one write(2) so lines from the policy writer thread never
// interleave.
#pragma once

#include <string>

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 };

class Log
{
public:
    // Once, at start-up, before any fanotify mark: see the module comment.
    static void init();
    static void setLevel(LogLevel level);
    // Lines dropped because stderr was full.
    static unsigned long dropped();
    static bool enabled(LogLevel level);
    // Parses "debug", "info", "warn" or "error".
    static bool parseLevel(const std::string &text, LogLevel *level);

    static void write(LogLevel level, const char *format, ...)
        __attribute__((format(printf, 2, 3)));
};

#define PG_LOG_DEBUG(...)                                                                          \
    do {                                                                                           \
        if (Log::enabled(LogLevel::Debug))                                                         \
            Log::write(LogLevel::Debug, __VA_ARGS__);                                              \
    } while (0)
#define PG_LOG_INFO(...) Log::write(LogLevel::Info, __VA_ARGS__)
#define PG_LOG_WARN(...) Log::write(LogLevel::Warn, __VA_ARGS__)
#define PG_LOG_ERROR(...) Log::write(LogLevel::Error, __VA_ARGS__)
