// ParentConsole.cpp - ParentConsole.h where programs always have their
// terminal's standard output (Linux): nothing to do.
#include "ParentConsole.h"

namespace pg
{

void useParentConsole() {}

} // namespace pg
