// DefaultPaths.h - where clients find the kernel component by default.
//
// Linux: procguardd listens on /run/procguard/procguard.sock; the
// environment variable PROCGUARD_SOCKET overrides it (tests, private
// instances). procguardctl's --socket overrides both.
#pragma once

#include <cstdlib>
#include <string>

namespace pg
{

constexpr const char *kDefaultSocketPath = "/run/procguard/procguard.sock";
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
