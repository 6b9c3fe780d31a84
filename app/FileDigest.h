// FileDigest.h - the SHA-256 of a file, for the clients (a hash rule from
// a chosen program, `explain`, "test this path").
//
// Hashing goes through the system's maintained crypto library: OpenSSL's
// EVP on Linux (FileDigest.cpp), Windows' CNG (BCrypt, windows/
// FileDigest.cpp, loaded on first use). The hand-written SHA-256 in
// driver/core is for kernel mode only, where no library exists.
//
// Blocking: reads the whole file on the calling thread; the panel calls it
// for one file a person picked.
#pragma once

#include <string>

namespace pg
{

// Lower-case hex SHA-256 of the file at path. False with *error (one
// sentence) when it cannot be read to the end.
bool sha256OfFile(const std::string &path, std::string *hex, std::string *error);

} // namespace pg
