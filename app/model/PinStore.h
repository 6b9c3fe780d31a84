// PinStore.h - the panel lock's PIN or password: a salted, slow hash in a
// private file, and a persisted, growing delay after wrong attempts.
//
// The PIN is an extra guard in the panel only, so that a child at an
// unlocked parent session (or a kiosk visitor) cannot change rules and
// settings through it. Who may change the policy is enforced by the kernel
// component's access check (root or group procguard on Linux,
// Administrators on Windows), not by this file.
//
// Hash: PBKDF2-HMAC-SHA-256 (OpenSSL's PKCS5_PBKDF2_HMAC) with a 16-byte
// random salt (RAND_bytes) and kDefaultIterations rounds; the record
// keeps its own iteration count, so a later default does not lock anyone
// out. Comparison with CRYPTO_memcmp (constant time).
//
// File (text, rewritten atomically: temporary file + rename, mode 0600):
//   procguard-pin 1
//   pbkdf2-sha256 ITERATIONS SALT_HEX HASH_HEX
//   failures COUNT LAST_FAILURE_MS
// With no file there is no PIN (the panel is unlocked).
//
// Rate limit: after kFreeAttempts wrong attempts in a row, each further
// attempt must wait delayAfter(failures) from the last wrong one (1 s,
// doubling, at most kMaxDelayMs). The count and time are saved with every
// wrong attempt, so restarting the panel does not reset them; a right PIN
// resets them. The clock (wall time, ms) is injectable for tests; a clock
// that went backwards counts as "the last failure was just now".
//
// Not thread-safe; verify() takes about a quarter of a second on purpose.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace pg
{

class PinStore
{
public:
    using Clock = std::function<int64_t()>; // ms since 1970 (wall clock)

    static constexpr uint32_t kDefaultIterations = 600000;
    static constexpr uint32_t kMinPinLength = 4;
    static constexpr uint32_t kFreeAttempts = 3;
    static constexpr int64_t kMaxDelayMs = 5 * 60 * 1000;

    enum class Check {
        Ok,      // right PIN (or no PIN set)
        Wrong,   // wrong PIN; the failure was recorded
        TooSoon, // still waiting after earlier wrong attempts; not checked
        Error,   // the record cannot be read or saved
    };

    // path: the record file. iterations: for new hashes (tests use fewer).
    explicit PinStore(std::string path, Clock clock = {}, uint32_t iterations = kDefaultIterations);

    // Reads the file; false (and *error) when it exists but is unusable
    // (then hasPin() stays true: a damaged record must not unlock).
    bool load(std::string *error = nullptr);
    bool hasPin() const { return m_hasPin; }

    // The caller checks the old PIN first. newPin: at least kMinPinLength
    // characters. Resets the failure count.
    bool setPin(const std::string &newPin, std::string *error = nullptr);
    bool removePin(std::string *error = nullptr);

    Check verify(const std::string &pin, std::string *error = nullptr);

    uint32_t failures() const { return m_failures; }
    // Ms to wait before the next attempt is checked; 0 = now.
    int64_t msUntilNextAttempt() const;
    static int64_t delayAfter(uint32_t failures);

    // For tests and diagnostics.
    const std::string &path() const { return m_path; }
    uint32_t iterations() const { return m_iterations; }
    static std::string hashHex(const std::string &pin, const std::string &saltHex,
                               uint32_t iterations);

private:
    bool save(std::string *error);
    int64_t now() const;

    std::string m_path;
    Clock m_clock;
    uint32_t m_newIterations;
    bool m_hasPin = false;
    bool m_damaged = false;
    uint32_t m_iterations = 0;
    std::string m_saltHex;
    std::string m_hashHex;
    uint32_t m_failures = 0;
    int64_t m_lastFailureMs = 0;
};

} // namespace pg
