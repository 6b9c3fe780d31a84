// DefaultPaths.h - where clients find the kernel component by default.
//
// Linux: procguardd listens on /run/procguard/procguard.sock; the
// environment variable PROCGUARD_SOCKET overrides it (tests, private
// instances). procguardctl's --socket overrides both.
// Windows: procguard.sys's device \\.\ProcGuard (PG_WIN32_DEVICE_PATH in
// pg_ioctl.h), with the same overrides.
#pragma once

#include <cstdlib>
#include <string>

namespace pg
{

#if defined(_WIN32)
constexpr const char *kDefaultSocketPath = "\\\\.\\ProcGuard";
#else
constexpr const char *kDefaultSocketPath = "/run/procguard/procguard.sock";
#endif
constexpr const char *kSocketEnvVar = "PROCGUARD_SOCKET";

// PROCGUARD_SOCKET when set and not empty, else kDefaultSocketPath.
inline std::string defaultSocketPath()
{
    const char *env = std::getenv(kSocketEnvVar);
    if (env != nullptr && *env != '\0')
        return env;
    return kDefaultSocketPath;
}

} // namespace pg
