# pg_mingw_host_header_target(target folder): an imported INTERFACE target
# whose include folder links to /usr/include/<folder> only. Header-only
# libraries are the same for every target; the rest of /usr/include
# (glibc) must never be seen by the mingw-w64 compiler.
include_guard(GLOBAL)
function(pg_mingw_host_header_target target folder)
  if(TARGET ${target})
    return()
  endif()
  if(NOT EXISTS /usr/include/${folder})
    message(FATAL_ERROR "${target}: /usr/include/${folder} is missing (tools/deps.sh installs it)")
  endif()
  set(dir ${CMAKE_BINARY_DIR}/host-headers/${folder})
  file(MAKE_DIRECTORY ${dir})
  if(NOT EXISTS ${dir}/${folder})
    file(CREATE_LINK /usr/include/${folder} ${dir}/${folder} SYMBOLIC)
  endif()
  add_library(${target} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${dir})
endfunction()
