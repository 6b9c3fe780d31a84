# WindowsPanelBundle.cmake - the folder a Windows user gets: procguard-panel.exe
# with the Qt DLLs and plugins it loads and the mingw-w64 runtime DLLs those
# need. The installer ships this folder (PG_WIN_PANEL_DIR_X64) and the Wine
# tests run the panel from it, exactly as installed.
#
#   pg_windows_panel_bundle(<target> <folder>)
#       After every build of <target>, copies it and its dependencies into
#       <folder>: Qt5Core, Qt5Gui, Qt5Widgets and Qt5Svg; platforms/qwindows
#       (qminimal too, for runs without a display), styles/qwindowsvistastyle,
#       imageformats/qsvg and qico, iconengines/qsvgicon (the panel's icons
#       are SVG); libgcc_s_seh-1, libstdc++-6 and libwinpthread-1 from the
#       cross compiler. No sqldrivers: the journal uses SQLite directly.
function(pg_windows_panel_bundle target folder)
  get_target_property(_core Qt5::Core IMPORTED_LOCATION_RELEASE)
  if(NOT _core)
    get_target_property(_core Qt5::Core IMPORTED_LOCATION)
  endif()
  get_filename_component(_qtbin ${_core} DIRECTORY)
  get_filename_component(_qtroot ${_qtbin} DIRECTORY)
  set(_plugins ${_qtroot}/plugins)
  set(_runtime)
  foreach(dll libgcc_s_seh-1.dll libstdc++-6.dll libwinpthread-1.dll)
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=${dll}
                    OUTPUT_VARIABLE _path OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT EXISTS ${_path})
      message(FATAL_ERROR "${dll} not found by ${CMAKE_CXX_COMPILER} (mingw-w64 posix runtime)")
    endif()
    get_filename_component(_path ${_path} REALPATH)
    list(APPEND _runtime ${_path})
  endforeach()
  set(_dlls ${_qtbin}/Qt5Core.dll ${_qtbin}/Qt5Gui.dll ${_qtbin}/Qt5Widgets.dll
            ${_qtbin}/Qt5Svg.dll ${_runtime})
  set(_copy ${CMAKE_COMMAND} -E copy_if_different)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E make_directory ${folder}/platforms ${folder}/styles
            ${folder}/imageformats ${folder}/iconengines
    COMMAND ${_copy} $<TARGET_FILE:${target}> ${_dlls} ${folder}
    COMMAND ${_copy} ${_plugins}/platforms/qwindows.dll ${_plugins}/platforms/qminimal.dll
            ${folder}/platforms
    COMMAND ${_copy} ${_plugins}/styles/qwindowsvistastyle.dll ${folder}/styles
    COMMAND ${_copy} ${_plugins}/imageformats/qsvg.dll ${_plugins}/imageformats/qico.dll
            ${folder}/imageformats
    COMMAND ${_copy} ${_plugins}/iconengines/qsvgicon.dll ${folder}/iconengines
    COMMENT "Windows panel folder ${folder}"
    VERBATIM)
endfunction()
