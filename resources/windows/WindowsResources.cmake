# WindowsResources.cmake - version information and manifests of the Windows
# programs (resources/windows/*.manifest, version.rc.in).
#
#   pg_windows_resource(<out object> <file name> <description> <manifest> <x64|x86>)
#
# Configures version.rc and the manifest with the project version and
# compiles them with the mingw-w64 windres into a COFF object: add it to
# the program's link line. Two manifests: procguard-panel.manifest
# (requireAdministrator) and procguardctl.manifest (asInvoker).
function(pg_windows_resource out name description manifest arch)
  if(arch STREQUAL "x64")
    set(_triple x86_64-w64-mingw32)
  else()
    set(_triple i686-w64-mingw32)
  endif()
  find_program(PG_WINDRES_${arch} ${_triple}-windres)
  if(NOT PG_WINDRES_${arch})
    message(FATAL_ERROR "${_triple}-windres not found (tools/deps.sh installs mingw-w64)")
  endif()
  set(_dir ${CMAKE_CURRENT_BINARY_DIR}/winres/${name}-${arch})
  set(PG_RC_VERSION ${PROJECT_VERSION}.0)
  string(REPLACE "." "," PG_RC_COMMAS ${PG_RC_VERSION})
  set(PG_RC_NAME ${name})
  set(PG_RC_DESCRIPTION ${description})
  set(PG_RC_MANIFEST ${_dir}/${name}.manifest)
  configure_file(${PROJECT_SOURCE_DIR}/resources/windows/${manifest} ${PG_RC_MANIFEST} @ONLY)
  configure_file(${PROJECT_SOURCE_DIR}/resources/windows/version.rc.in ${_dir}/version.rc @ONLY)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${PG_WINDRES_${arch}} --input-format=rc --output-format=coff
            -i ${_dir}/version.rc -o ${out}
    DEPENDS ${_dir}/version.rc ${PG_RC_MANIFEST}
    COMMENT "windres ${name} (${arch})"
    VERBATIM)
endfunction()
