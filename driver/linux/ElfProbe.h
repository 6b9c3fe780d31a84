// ElfProbe.h - reads just enough of an ELF file to classify it.
//
// Owns: ELF header and program header parsing (32- and 64-bit, either
// byte order). Uses pread only, on a descriptor the caller owns, so it
// never opens a file (the main thread must not open on a gated
// filesystem) and never moves the descriptor's offset.
#pragma once

#include <string>

class ElfProbe
{
public:
    struct Info {
        bool elf = false;
        bool executable = false; // ET_EXEC, or ET_DYN with PT_INTERP
        std::string interpreter; // PT_INTERP path, empty when none
    };
    static Info probe(int fd);
    // ET_EXEC, or ET_DYN with a PT_INTERP program header.
    static bool isExecutable(int fd) { return probe(fd).executable; }
};
