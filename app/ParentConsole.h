// ParentConsole.h - lets a windowed program print to the console it was
// started from (procguard-panel --version, --help).
//
// Windows: a GUI-subsystem program has no console; when its output is not
// redirected, this attaches it to its parent's console (cmd.exe,
// PowerShell) so printed text appears there. Other platforms: nothing to do.
// Call once, early, before printing; main thread.
#pragma once

namespace pg
{

void useParentConsole();

} // namespace pg
