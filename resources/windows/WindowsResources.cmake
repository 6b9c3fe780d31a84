# WindowsResources.cmake - version information and manifests of the Windows
# programs and the installer: the one place the product name, company,
# copyright and version of every Windows file are spelled.
#
#   pg_windows_resources(<target> <file name> <description> <manifest>)
#       In a WIN32 (mingw-w64) build: links a VERSIONINFO resource
#       (version.rc.in) and <manifest> (RT_MANIFEST id 1) into <target>.
#       Needs the RC language (enable_language(RC) in the calling folder;
#       the toolchain files in cmake/ name windres).
#   pg_windows_resource_object(<out object> <file name> <description> <manifest> <x64|x86>)
#       From a non-Windows build: compiles the same resource with the
#       mingw-w64 windres into a COFF object (a build-time check of a
#       program that build does not link).
#   pg_windows_version_nsh(<out .nsh>)
#       The NSIS include (version.nsh.in) with the same strings:
#       VIProductVersion/VIAddVersionKey of the installer.
#
# Manifests: procguardctl.manifest (asInvoker) and procguard-panel.manifest
# (requireAdministrator); the installer's comes from NSIS
# (RequestExecutionLevel admin).

set(PG_WIN_PRODUCT "ProcGuard")
set(PG_WIN_COMPANY "The ProcGuard developers")
set(PG_WIN_COPYRIGHT "Copyright (C) The ProcGuard developers")
# Windows versions have four parts; the fourth is always 0.
set(PG_WIN_VERSION ${PROJECT_VERSION})
set(PG_WIN_VERSION4 ${PROJECT_VERSION}.0)
set(_pg_winres_dir ${CMAKE_CURRENT_LIST_DIR})

# Configures version.rc and the manifest for one program into <dir>.
macro(_pg_windows_configure dir name description manifest)
  string(REPLACE "." "," PG_RC_COMMAS ${PG_WIN_VERSION4})
  set(PG_RC_NAME ${name})
  set(PG_RC_DESCRIPTION "${description}")
  set(PG_RC_MANIFEST ${dir}/${name}.manifest)
  configure_file(${_pg_winres_dir}/${manifest} ${PG_RC_MANIFEST} @ONLY)
  configure_file(${_pg_winres_dir}/version.rc.in ${dir}/version.rc @ONLY)
endmacro()

function(pg_windows_resources target name description manifest)
  if(NOT WIN32)
    message(FATAL_ERROR "pg_windows_resources(${target}): only in a Windows build")
  endif()
  set(_dir ${CMAKE_CURRENT_BINARY_DIR}/winres/${target})
  _pg_windows_configure(${_dir} ${name} "${description}" ${manifest})
  # An object library of its own: the program's warning flags
  # (pg_set_warnings) are compiler flags windres does not take.
  add_library(${target}_winres OBJECT ${_dir}/version.rc)
  # windres writes no dependency file: rebuild when the manifest changes.
  set_source_files_properties(${_dir}/version.rc PROPERTIES OBJECT_DEPENDS ${PG_RC_MANIFEST})
  target_link_libraries(${target} PRIVATE ${target}_winres)
endfunction()

function(pg_windows_resource_object out name description manifest arch)
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
  _pg_windows_configure(${_dir} ${name} "${description}" ${manifest})
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${PG_WINDRES_${arch}} --input-format=rc --output-format=coff
            -i ${_dir}/version.rc -o ${out}
    DEPENDS ${_dir}/version.rc ${PG_RC_MANIFEST}
    COMMENT "windres ${name} (${arch})"
    VERBATIM)
endfunction()

function(pg_windows_version_nsh out)
  configure_file(${_pg_winres_dir}/version.nsh.in ${out} @ONLY)
endfunction()
