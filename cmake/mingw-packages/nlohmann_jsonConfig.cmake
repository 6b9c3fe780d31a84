# nlohmann_json for the mingw-w64 cross build (see CLI11Config.cmake).
include(${CMAKE_CURRENT_LIST_DIR}/mingw-host-headers.cmake)
pg_mingw_host_header_target(nlohmann_json::nlohmann_json nlohmann)
set(nlohmann_json_FOUND TRUE)
