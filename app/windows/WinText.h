// WinText.h - UTF-8 <-> UTF-16 and Win32 error text, for the Windows
// platform code. The app speaks UTF-8 everywhere (the protocol does too);
// only the Win32 calls see UTF-16. Windows only.
#pragma once

#include <string>

namespace pg
{

std::wstring toWide(const std::string &utf8);
std::string toUtf8(const std::wstring &wide);
// "The system cannot find the file specified. (2)" - the system's own
// sentence for a Win32 error code, with the number.
std::string win32Message(unsigned long code);

} // namespace pg
