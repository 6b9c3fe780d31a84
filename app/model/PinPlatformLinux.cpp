// PinPlatformLinux.cpp - PinPlatform.h over OpenSSL and POSIX files.
#include "PinPlatform.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>

namespace pg::pinplatform
{

bool pbkdf2Sha256(const std::string &pin, const std::vector<unsigned char> &salt,
                  uint32_t iterations, unsigned char *out, size_t outLen)
{
    return PKCS5_PBKDF2_HMAC(pin.data(), static_cast<int>(pin.size()), salt.data(),
                             static_cast<int>(salt.size()), static_cast<int>(iterations),
                             EVP_sha256(), static_cast<int>(outLen), out) == 1;
}

bool randomBytes(unsigned char *out, size_t len)
{
    return RAND_bytes(out, static_cast<int>(len)) == 1;
}

std::string writePrivateFile(const std::string &path, const std::string &data)
{
    const std::string tmp = path + ".tmp";
    // 0600 from the start: the hash is never readable by others, not even
    // for a moment.
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return "Cannot write " + tmp + ": " + std::strerror(errno) + ".";
    fchmod(fd, 0600);
    const bool written =
        ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) &&
        ::fsync(fd) == 0;
    const int savedErrno = errno;
    ::close(fd);
    if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) {
        const int e = written ? errno : savedErrno;
        ::unlink(tmp.c_str());
        return "Cannot save the panel lock " + path + ": " + std::strerror(e) + ".";
    }
    return {};
}

std::string removeFile(const std::string &path)
{
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return "Cannot remove " + path + ": " + std::strerror(errno) + ".";
    return {};
}

} // namespace pg::pinplatform
