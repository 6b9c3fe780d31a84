// ElfProbe.cpp - see ElfProbe.h.
#include "ElfProbe.h"

#include <cstring>
#include <elf.h>
#include <unistd.h>

namespace
{

constexpr unsigned kMaxPhdrs = 256;

template <typename T> T swapIf(T v, bool swap)
{
    if (!swap)
        return v;
    T out;
    const unsigned char *in = reinterpret_cast<const unsigned char *>(&v);
    unsigned char *o = reinterpret_cast<unsigned char *>(&out);
    for (size_t i = 0; i < sizeof(T); ++i)
        o[i] = in[sizeof(T) - 1 - i];
    return out;
}

bool preadAll(int fd, void *buf, size_t len, off_t off)
{
    ssize_t n = ::pread(fd, buf, len, off);
    return n == static_cast<ssize_t>(len);
}

template <typename Ehdr, typename Phdr> ElfProbe::Info probeClass(int fd, bool swap)
{
    ElfProbe::Info info;
    Ehdr eh;
    if (!preadAll(fd, &eh, sizeof eh, 0))
        return info;
    info.elf = true;
    uint16_t type = swapIf(eh.e_type, swap);
    uint16_t phnum = swapIf(eh.e_phnum, swap);
    uint16_t phentsize = swapIf(eh.e_phentsize, swap);
    auto phoff = swapIf(eh.e_phoff, swap);
    if (type != ET_EXEC && type != ET_DYN)
        return info;
    bool hasInterp = false;
    if (phentsize >= sizeof(Phdr) && phnum <= kMaxPhdrs) {
        for (unsigned i = 0; i < phnum; ++i) {
            Phdr ph;
            if (!preadAll(fd, &ph, sizeof ph, static_cast<off_t>(phoff + i * phentsize)))
                break;
            if (swapIf(ph.p_type, swap) != PT_INTERP)
                continue;
            hasInterp = true;
            auto size = swapIf(ph.p_filesz, swap);
            if (size > 1 && size < 4096) {
                std::string path(static_cast<size_t>(size), '\0');
                if (preadAll(fd, &path[0], path.size(),
                             static_cast<off_t>(swapIf(ph.p_offset, swap)))) {
                    path.resize(std::strlen(path.c_str()));
                    info.interpreter = path;
                }
            }
            break;
        }
    }
    info.executable = type == ET_EXEC || hasInterp;
    return info;
}

} // namespace

ElfProbe::Info ElfProbe::probe(int fd)
{
    unsigned char ident[EI_NIDENT];
    if (!preadAll(fd, ident, sizeof ident, 0) || std::memcmp(ident, ELFMAG, SELFMAG) != 0)
        return Info();
    const bool little = ident[EI_DATA] == ELFDATA2LSB;
    const bool hostLittle = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
    const bool swap = little != hostLittle;
    if (ident[EI_CLASS] == ELFCLASS64)
        return probeClass<Elf64_Ehdr, Elf64_Phdr>(fd, swap);
    if (ident[EI_CLASS] == ELFCLASS32)
        return probeClass<Elf32_Ehdr, Elf32_Phdr>(fd, swap);
    Info info;
    info.elf = true;
    return info;
}
