// Signer.h - the Authenticode signer of an image, through the system's
// trust verification, for SIGNER rules (driver/core/pg_rules.h).
//
// SignerVerifier::verify() asks WinVerifyTrust (WINTRUST_ACTION_GENERIC_
// VERIFY_V2) whether the file's embedded signature is valid and chains to a
// root the machine trusts, and only then reads the leaf signer's subject
// (its simple display name, e.g. "Microsoft Corporation") from the
// signature's PKCS #7 message. Unsigned, tampered, expired-and-untimestamped
// or untrusted-root files give no subject: SIGNER rules must not match them,
// and the reason says why. Catalog signatures (system files signed through
// a .cat) are not checked: such files count as unsigned here.
//
// No revocation check (it would wait on the network inside a held start)
// and no UI (WTD_UI_NONE). Blocks while the file is read and hashed; call
// it off the GUI thread. Windows only; thread-safe (no state).
#pragma once

#include <string>

#include "FactResolver.h"

namespace pg
{

class SignerVerifier
{
public:
    // path: a DOS path (C:\dir\x.exe), UTF-16.
    SignerInfo verify(const std::wstring &path) const;
    // Status of the last WinVerifyTrust as the HRESULT it returned (for
    // tests and logs): 0 when trusted. Also in the reason sentence.
    static std::string trustStatusText(long status);
};

// The image path of an event (driver form: C:/DIR/X.EXE, UNC as
// /DEVICE/MUP/SERVER/SHARE/X) as a DOS path the file system opens.
std::wstring imageToDosPath(const std::string &driverForm);

// FactSource of procguardctl.exe and the panel on Windows: the signer.
class SignerFactSource : public FactSource
{
public:
    uint32_t facts() const override;
    SignerInfo signer(const std::string &image) override;

private:
    SignerVerifier m_verifier;
};

} // namespace pg
