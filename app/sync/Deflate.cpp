// Deflate.cpp - zlib format compression (Deflate.h).
#include "Deflate.h"

#include <zlib.h>

namespace pg
{
namespace sync
{

std::string zlibCompress(const std::string &data)
{
    uLongf size = compressBound(static_cast<uLong>(data.size()));
    std::string out(size, '\0');
    if (compress2(reinterpret_cast<Bytef *>(&out[0]), &size,
                  reinterpret_cast<const Bytef *>(data.data()), static_cast<uLong>(data.size()),
                  6) != Z_OK)
        return std::string();
    out.resize(size);
    return out;
}

bool zlibDecompress(const std::string &data, std::string *out)
{
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK)
        return false;
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    std::string result;
    char buffer[16384];
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef *>(buffer);
        zs.avail_out = sizeof buffer;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END)
            break;
        result.append(buffer, sizeof buffer - zs.avail_out);
        if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0)
            break; // truncated input
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return false;
    *out = std::move(result);
    return true;
}

} // namespace sync
} // namespace pg
