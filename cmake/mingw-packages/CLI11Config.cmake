# CLI11 for the mingw-w64 cross build: the same header-only library the
# native build uses (Debian's /usr/include/CLI), exposed through a folder
# that holds nothing else, so the host's /usr/include never reaches the
# cross compiler. Found first because the mingw toolchain files put this
# folder on CMAKE_PREFIX_PATH.
include(${CMAKE_CURRENT_LIST_DIR}/mingw-host-headers.cmake)
pg_mingw_host_header_target(CLI11::CLI11 CLI)
set(CLI11_FOUND TRUE)
