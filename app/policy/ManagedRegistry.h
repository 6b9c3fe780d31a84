// ManagedRegistry.h - the Group Policy layer on Windows: reads
// HKLM\SOFTWARE\Policies\ProcGuard (the values ManagedPolicy.h describes,
// set by Group Policy or Intune through installer/windows/procguard.admx)
// and builds the guard that procguardctl.exe and the panel install on
// their KernelLink, so every policy they send carries the managed layer.
// Windows only.
#pragma once

#include <string>

#include "KernelLink.h"
#include "ManagedPolicy.h"

namespace pg
{
namespace policy
{

// The values present under the key (none when the key does not exist).
// A value of another type than REG_SZ / REG_EXPAND_SZ / REG_MULTI_SZ is
// read as a string it cannot be, so that it is rejected with its name.
GroupPolicyValues readGroupPolicyValues();

// Reads the key at each call and imposes its layer (imposeManaged); a
// refusal is an Error of code Rejected and status PG_E_MANAGED.
KernelLink::PolicyGuard groupPolicyGuard();

} // namespace policy
} // namespace pg
