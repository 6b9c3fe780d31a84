// MachineInfo.h - the facts about this machine that a Santa preflight
// carries (Linux): a UUID machine id, hostname, OS version as dotted
// integers, kernel release, model, primary user.
//
// Sources, each read on demand (no caching, no root needed except for the
// DMI serial, which falls back to the machine id):
//   machine id   /etc/machine-id (32 hex digits) as an upper-case UUID
//                8-4-4-4-12, as Santa's hardware UUIDs look
//   OS version   /etc/debian_version when it is dotted integers ("12.8"),
//                else VERSION_ID of /etc/os-release, reduced to its digits
//   primary user the user of the first graphical or console login in utmp,
//                else the first account with a uid from 1000 to 59999
#pragma once

#include <optional>
#include <string>

#include "SantaProtocol.h"

namespace pg
{
namespace sync
{

// "0123456789abcdef0123456789abcdef" -> "01234567-89AB-CDEF-0123-456789ABCDEF";
// nullopt for anything but 32 hex digits (a trailing newline is allowed).
std::optional<std::string> uuidFromMachineId(const std::string &text);
// The machine id from that file (default /etc/machine-id); nullopt with
// *error when it is missing or malformed.
std::optional<std::string> readMachineId(const std::string &path, std::string *error);
// Dotted integers from os-release's and debian_version's text.
std::string osVersionFrom(const std::string &osRelease, const std::string &debianVersion);
// Everything but the machine id, the client version and rule counts.
MachineFacts collectMachineFacts(const std::string &root = "");

} // namespace sync
} // namespace pg
