// WakeupWindows.cpp - Wakeup.h on Windows: manual-reset events and
// WaitForMultipleObjects.
//
// Standard input: a console handle is signalled by any console event
// (focus, mouse), not only by a typed line, and an anonymous pipe cannot
// be waited on at all. So one detached thread ("pg-input") reads standard
// input with blocking ReadFile calls into a buffer and sets an event while
// the buffer holds data or the input has ended; readInput() takes from
// the buffer. The thread is never joined: it may sit in ReadFile until the
// process exits.
#include "Wakeup.h"

#include <windows.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <thread>

#include "ThreadName.h"

namespace pg
{
namespace ctl
{

namespace
{

class InputPump
{
public:
    InputPump() : m_event(CreateEventW(nullptr, TRUE, FALSE, nullptr))
    {
        std::thread([this] { run(); }).detach();
    }
    HANDLE event() const { return m_event; }

    long take(char *buf, size_t size)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_data.empty()) {
            if (m_ended)
                return 0;
            ResetEvent(m_event);
            return -1;
        }
        const size_t n = std::min(size, m_data.size());
        std::copy(m_data.begin(), m_data.begin() + static_cast<std::ptrdiff_t>(n), buf);
        m_data.erase(0, n);
        if (m_data.empty() && !m_ended)
            ResetEvent(m_event);
        return static_cast<long>(n);
    }

private:
    void run()
    {
        setCurrentThreadName("pg-input");
        HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
        char buf[512];
        for (;;) {
            DWORD got = 0;
            const bool ok = in != nullptr && in != INVALID_HANDLE_VALUE &&
                            ReadFile(in, buf, sizeof(buf), &got, nullptr) != FALSE;
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!ok || got == 0) {
                m_ended = true; // EOF (Ctrl-Z, a closed pipe) or an error
                SetEvent(m_event);
                return;
            }
            m_data.append(buf, got);
            SetEvent(m_event);
        }
    }

    HANDLE m_event;
    std::mutex m_mutex;
    std::string m_data;
    bool m_ended = false;
};

InputPump *pump()
{
    // Never destroyed: the pump thread may outlive main().
    static InputPump *instance = new InputPump;
    return instance;
}

} // namespace

Wakeup::Wakeup()
{
    m_wait = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    m_notify = m_wait;
}

Wakeup::~Wakeup()
{
    if (m_wait != nullptr)
        CloseHandle(m_wait);
}

void Wakeup::notify()
{
    SetEvent(m_notify);
}

void Wakeup::drain()
{
    ResetEvent(m_wait);
}

bool waitReadable(const std::vector<WaitHandle> &handles, int timeoutMs, std::vector<bool> *ready)
{
    ready->assign(handles.size(), false);
    std::vector<HANDLE> wait;
    for (WaitHandle h : handles)
        if (h != kNoWaitHandle)
            wait.push_back(h);
    const DWORD timeout = timeoutMs < 0 ? INFINITE : static_cast<DWORD>(timeoutMs);
    if (wait.empty()) {
        Sleep(timeout);
        return false;
    }
    const DWORD rc =
        WaitForMultipleObjects(static_cast<DWORD>(wait.size()), wait.data(), FALSE, timeout);
    if (rc == WAIT_TIMEOUT || rc == WAIT_FAILED)
        return false;
    // WaitForMultipleObjects names only the first; the events are
    // manual-reset, so each one can be asked.
    bool any = false;
    for (size_t i = 0; i < handles.size(); ++i) {
        if (handles[i] != kNoWaitHandle && WaitForSingleObject(handles[i], 0) == WAIT_OBJECT_0) {
            (*ready)[i] = true;
            any = true;
        }
    }
    return any;
}

WaitHandle standardInput()
{
    return pump()->event();
}

long readInput(WaitHandle input, char *buf, size_t size)
{
    if (input != pump()->event())
        return 0; // only standard input is pumped
    return pump()->take(buf, size);
}

} // namespace ctl
} // namespace pg
