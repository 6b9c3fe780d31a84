// pg_memfd_exec.cpp - runs a program from an in-memory file: copies
// argv[1] (an ELF program) into a memfd and fexecve()s it, as a dropper
// that never touches a filesystem would. Exit status: the program's when
// it ran; 126 when memfd_create or the exec was refused (the reason on
// stderr); 2 on a usage or I/O error.
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

extern char **environ;

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: pg_memfd_exec PROGRAM [ARG...]\n");
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    std::ostringstream data;
    data << in.rdbuf();
    if (!in) {
        std::fprintf(stderr, "pg_memfd_exec: cannot read %s\n", argv[1]);
        return 2;
    }
    const std::string bytes = data.str();
    // No MFD_CLOEXEC: fexecve of an ELF program works either way, and no
    // MFD_EXEC/MFD_NOEXEC_SEAL: the system's default decides.
    const int fd = memfd_create("pg-memfd-exec", 0);
    if (fd < 0) {
        std::fprintf(stderr, "pg_memfd_exec: memfd_create: %s\n", std::strerror(errno));
        return 126;
    }
    size_t off = 0;
    while (off < bytes.size()) {
        const ssize_t n = write(fd, bytes.data() + off, bytes.size() - off);
        if (n <= 0) {
            std::fprintf(stderr, "pg_memfd_exec: write: %s\n", std::strerror(errno));
            return 2;
        }
        off += static_cast<size_t>(n);
    }
    fexecve(fd, argv + 1, environ);
    std::fprintf(stderr, "pg_memfd_exec: fexecve: %s\n", std::strerror(errno));
    return 126;
}
