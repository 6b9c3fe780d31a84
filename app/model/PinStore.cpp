// PinStore.cpp - PBKDF2 record, constant-time check, persisted delay (see PinStore.h).
#include "PinStore.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>
#include <vector>

#include "PinPlatform.h"

namespace pg
{

namespace
{

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

std::string toHex(const unsigned char *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(len * 2);
    for (size_t i = 0; i < len; ++i) {
        s.push_back(digits[data[i] >> 4]);
        s.push_back(digits[data[i] & 0xf]);
    }
    return s;
}

bool isHex(const std::string &s, size_t chars)
{
    if (s.size() != chars)
        return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

std::vector<unsigned char> fromHex(const std::string &s)
{
    std::vector<unsigned char> out(s.size() / 2);
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<unsigned char>(std::stoi(s.substr(2 * i, 2), nullptr, 16));
    return out;
}

// Compares every byte whatever the first difference (no early exit that
// would time how much of a guess was right).
bool constantTimeEqual(const char *a, const char *b, size_t len)
{
    volatile unsigned char diff = 0;
    for (size_t i = 0; i < len; ++i)
        diff = static_cast<unsigned char>(diff | (a[i] ^ b[i]));
    return diff == 0;
}

} // namespace

PinStore::PinStore(std::string path, Clock clock, uint32_t iterations)
    : m_path(std::move(path)), m_clock(std::move(clock)), m_newIterations(iterations)
{
}

int64_t PinStore::now() const
{
    if (m_clock)
        return m_clock();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string PinStore::hashHex(const std::string &pin, const std::string &saltHex,
                              uint32_t iterations)
{
    const std::vector<unsigned char> salt = fromHex(saltHex);
    unsigned char out[kHashBytes];
    if (!pinplatform::pbkdf2Sha256(pin, salt, iterations, out, sizeof out))
        return {};
    return toHex(out, sizeof out);
}

bool PinStore::load(std::string *error)
{
    m_hasPin = false;
    m_damaged = false;
    m_failures = 0;
    m_lastFailureMs = 0;
    std::ifstream in(m_path);
    if (!in) {
        if (errno == ENOENT)
            return true;
        // Unreadable but present: stay locked rather than open.
        m_hasPin = true;
        m_damaged = true;
        if (error != nullptr)
            *error = "Cannot read the panel lock " + m_path + ": " + std::strerror(errno) + ".";
        return false;
    }
    std::string magic, scheme;
    int version = 0;
    uint64_t iterations = 0;
    in >> magic >> version >> scheme >> iterations >> m_saltHex >> m_hashHex;
    std::string label;
    uint64_t failures = 0;
    int64_t last = 0;
    if (in >> label >> failures >> last && label == "failures") {
        m_failures = static_cast<uint32_t>(std::min<uint64_t>(failures, 1000000));
        m_lastFailureMs = last;
    }
    m_hasPin = true;
    if (magic != "procguard-pin" || version != 1 || scheme != "pbkdf2-sha256" || iterations == 0 ||
        iterations > 100000000 || !isHex(m_saltHex, 2 * kSaltBytes) ||
        !isHex(m_hashHex, 2 * kHashBytes)) {
        m_damaged = true;
        if (error != nullptr)
            *error = "The panel lock " + m_path +
                     " is damaged; the panel stays locked. Remove the file as its owner "
                     "(or root) to clear the PIN.";
        return false;
    }
    m_iterations = static_cast<uint32_t>(iterations);
    return true;
}

bool PinStore::save(std::string *error)
{
    std::ostringstream text;
    text << "procguard-pin 1\npbkdf2-sha256 " << m_iterations << " " << m_saltHex << " "
         << m_hashHex << "\nfailures " << m_failures << " " << m_lastFailureMs << "\n";
    const std::string failure = pinplatform::writePrivateFile(m_path, text.str());
    if (failure.empty())
        return true;
    if (error != nullptr)
        *error = failure;
    return false;
}

bool PinStore::setPin(const std::string &newPin, std::string *error)
{
    if (newPin.size() < kMinPinLength) {
        if (error != nullptr)
            *error = "Use at least " + std::to_string(kMinPinLength) + " characters.";
        return false;
    }
    unsigned char salt[kSaltBytes];
    if (!pinplatform::randomBytes(salt, sizeof salt)) {
        if (error != nullptr)
            *error = "The system has no random numbers for the salt; try again.";
        return false;
    }
    const std::string saltHex = toHex(salt, sizeof salt);
    const std::string hash = hashHex(newPin, saltHex, m_newIterations);
    if (hash.empty()) {
        if (error != nullptr)
            *error = "The PIN could not be hashed.";
        return false;
    }
    const auto previous = std::make_tuple(m_hasPin, m_damaged, m_iterations, m_saltHex, m_hashHex,
                                          m_failures, m_lastFailureMs);
    m_iterations = m_newIterations;
    m_saltHex = saltHex;
    m_hashHex = hash;
    m_failures = 0;
    m_lastFailureMs = 0;
    m_hasPin = true;
    m_damaged = false;
    if (!save(error)) {
        std::tie(m_hasPin, m_damaged, m_iterations, m_saltHex, m_hashHex, m_failures,
                 m_lastFailureMs) = previous;
        return false;
    }
    return true;
}

bool PinStore::removePin(std::string *error)
{
    const std::string failure = pinplatform::removeFile(m_path);
    if (!failure.empty()) {
        if (error != nullptr)
            *error = failure;
        return false;
    }
    m_hasPin = false;
    m_damaged = false;
    m_failures = 0;
    m_lastFailureMs = 0;
    return true;
}

int64_t PinStore::delayAfter(uint32_t failures)
{
    if (failures < kFreeAttempts)
        return 0;
    const uint32_t doublings = failures - kFreeAttempts;
    if (doublings >= 20)
        return kMaxDelayMs;
    return std::min<int64_t>(int64_t{1000} << doublings, kMaxDelayMs);
}

int64_t PinStore::msUntilNextAttempt() const
{
    const int64_t delay = delayAfter(m_failures);
    if (delay == 0)
        return 0;
    const int64_t t = now();
    const int64_t since = t < m_lastFailureMs ? 0 : t - m_lastFailureMs;
    return since >= delay ? 0 : delay - since;
}

PinStore::Check PinStore::verify(const std::string &pin, std::string *error)
{
    if (!m_hasPin)
        return Check::Ok;
    if (m_damaged) {
        if (error != nullptr)
            *error = "The panel lock " + m_path +
                     " is damaged; remove it as its owner to "
                     "clear the PIN.";
        return Check::Error;
    }
    if (msUntilNextAttempt() > 0)
        return Check::TooSoon;
    const std::string computed = hashHex(pin, m_saltHex, m_iterations);
    const bool same = computed.size() == m_hashHex.size() &&
                      constantTimeEqual(computed.data(), m_hashHex.data(), computed.size());
    if (same) {
        if (m_failures != 0) {
            m_failures = 0;
            m_lastFailureMs = 0;
            save(nullptr); // best effort: the PIN was right either way
        }
        return Check::Ok;
    }
    ++m_failures;
    m_lastFailureMs = now();
    if (!save(error))
        return Check::Error; // cannot persist the count: refuse to count as checked
    return Check::Wrong;
}

} // namespace pg
