// Deflate.h - the "deflate" content coding of HTTP (RFC 9110: zlib
// format, RFC 1950), as Santa sends its request bodies.
#pragma once

#include <string>

namespace pg
{
namespace sync
{

// data compressed in the zlib format (level 6).
std::string zlibCompress(const std::string &data);
// The inverse; false for data that is not a whole zlib stream.
bool zlibDecompress(const std::string &data, std::string *out);

} // namespace sync
} // namespace pg
