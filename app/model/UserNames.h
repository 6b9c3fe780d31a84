// UserNames.h - user names for the panel, from the platform's user database.
//
// Returns a resolver that caches each answer (the user database is read once
// per uid). Not thread-safe: give each thread its own resolver.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace pg
{

using UserNameResolver = std::function<std::string(uint32_t uid)>;

// The name of uid, or the number as text when it has none.
UserNameResolver makePlatformUserNameResolver();

} // namespace pg
