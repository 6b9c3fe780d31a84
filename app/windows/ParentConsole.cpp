// ParentConsole.cpp - ParentConsole.h for Windows: AttachConsole to the
// parent's console when standard output goes nowhere.
#include "ParentConsole.h"

#include <windows.h>

#include <cstdio>

namespace pg
{

void useParentConsole()
{
    // Redirected to a file or a pipe: that is where the text belongs.
    const HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    if (out != nullptr && out != INVALID_HANDLE_VALUE && GetFileType(out) != FILE_TYPE_UNKNOWN)
        return;
    if (!AttachConsole(ATTACH_PARENT_PROCESS))
        return; // started from Explorer: there is no console to print to
    std::FILE *ignored = nullptr;
    ignored = std::freopen("CONOUT$", "w", stdout);
    ignored = std::freopen("CONOUT$", "w", stderr);
    (void)ignored;
}

} // namespace pg
