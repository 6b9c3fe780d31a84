# GoogleTest for the mingw-w64 cross build: Debian's sources
# (/usr/src/googletest, package googletest) compiled with the cross
# compiler into this build, as GTest::gtest and GTest::gtest_main.
if(TARGET GTest::gtest_main)
  set(GTest_FOUND TRUE)
  return()
endif()
if(NOT EXISTS /usr/src/googletest/CMakeLists.txt)
  message(FATAL_ERROR "GTest: /usr/src/googletest is missing (tools/deps.sh installs googletest)")
endif()
set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
set(gtest_disable_pthreads OFF CACHE BOOL "" FORCE)
add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL)
set(GTest_FOUND TRUE)
