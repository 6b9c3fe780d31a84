# MingwDeps.cmake - where the mingw-w64 cross build finds what Debian does
# not package for it. tools/mingw-deps.sh prepares both in one cache folder
# (PG_DEPS_DIR, default .deps in the source tree):
#   PG_QT5_MINGW_DIR            Qt 5.15.8 for Windows x64 (the panel, tests/ui)
#   PG_SQLITE_AMALGAMATION_DIR  sqlite3.c and sqlite3.h (the journal)
# Qt's CMake package files are relocatable: the folder may live anywhere.
set(PG_DEPS_DIR ${PROJECT_SOURCE_DIR}/.deps CACHE PATH "tools/mingw-deps.sh's cache folder")
set(PG_QT5_MINGW_DIR ${PG_DEPS_DIR}/qt5-win64 CACHE PATH "Qt 5 built for mingw-w64 x64")
set(PG_SQLITE_AMALGAMATION_DIR ${PG_DEPS_DIR}/sqlite3 CACHE PATH "SQLite amalgamation")
if(PG_BUILD_UI)
  if(NOT EXISTS ${PG_QT5_MINGW_DIR}/lib/cmake/Qt5/Qt5Config.cmake)
    message(FATAL_ERROR "No Qt for mingw-w64 in '${PG_QT5_MINGW_DIR}': run tools/mingw-deps.sh "
                        "(tools/deps.sh does) or set PG_QT5_MINGW_DIR")
  endif()
  list(PREPEND CMAKE_PREFIX_PATH ${PG_QT5_MINGW_DIR})
endif()
