// PinPlatform.h - what PinStore (PinStore.h) needs from the operating
// system: PBKDF2-HMAC-SHA-256, random salt, and saving or removing the PIN
// record so that no one else can read it.
//
// Linux (PinPlatformLinux.cpp): OpenSSL, open(2) with mode 0600, fsync,
// rename(2). Windows (PinPlatformWindows.cpp): CNG (bcrypt.dll), a file the
// panel's own account writes (the panel runs as an Administrator; the record
// lives in its profile), FlushFileBuffers, MoveFileEx(REPLACE_EXISTING).
//
// Errors are one sentence naming the file, empty on success.
// Threads: any; no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pg::pinplatform
{

// PBKDF2-HMAC-SHA-256 of pin with salt; false when the platform refused.
bool pbkdf2Sha256(const std::string &pin, const std::vector<unsigned char> &salt,
                  uint32_t iterations, unsigned char *out, size_t outLen);

// Cryptographically random bytes; false when there are none.
bool randomBytes(unsigned char *out, size_t len);

// Replaces path with data: written to path + ".tmp" first (readable by the
// owner only), flushed, then renamed over path. "" or why not.
std::string writePrivateFile(const std::string &path, const std::string &data);

// Removes path; a missing file is success. "" or why not.
std::string removeFile(const std::string &path);

} // namespace pg::pinplatform
