// Signer.cpp - WinVerifyTrust for the verdict, the PKCS #7 message for the
// name. The name is read only after the trust check passed, so a subject
// is never reported for a signature the system rejected.
#include "Signer.h"

// clang-format off
#include <windows.h>
#include <wincrypt.h>
#include <wintrust.h>
#include <softpub.h>
// clang-format on

#include <type_traits>
#include <vector>

#include "WinText.h"

namespace pg
{

namespace
{

// wintrust.dll and crypt32.dll are loaded on the first signer check, not
// imported: a console tool that only installs or starts the driver must not
// pay for them (under Wine, loading them at process start disturbs the
// service manager's start of the driver).
struct TrustApi {
    bool ok = false;
    decltype(&::WinVerifyTrust) WinVerifyTrust = nullptr;
    decltype(&::CryptQueryObject) CryptQueryObject = nullptr;
    decltype(&::CryptMsgGetParam) CryptMsgGetParam = nullptr;
    decltype(&::CryptMsgClose) CryptMsgClose = nullptr;
    decltype(&::CertFindCertificateInStore) CertFindCertificateInStore = nullptr;
    decltype(&::CertGetNameStringW) CertGetNameStringW = nullptr;
    decltype(&::CertFreeCertificateContext) CertFreeCertificateContext = nullptr;
    decltype(&::CertCloseStore) CertCloseStore = nullptr;
    decltype(&::CertGetCertificateChain) CertGetCertificateChain = nullptr;
    decltype(&::CertVerifyCertificateChainPolicy) CertVerifyCertificateChainPolicy = nullptr;
    decltype(&::CertFreeCertificateChain) CertFreeCertificateChain = nullptr;
};

const TrustApi &api()
{
    static const TrustApi loaded = [] {
        TrustApi a;
        HMODULE wintrust = LoadLibraryW(L"wintrust.dll");
        HMODULE crypt32 = LoadLibraryW(L"crypt32.dll");
        if (wintrust == nullptr || crypt32 == nullptr)
            return a;
        bool all = true;
        auto bind = [&all](HMODULE m, const char *name, auto *slot) {
            *slot = reinterpret_cast<std::remove_pointer_t<decltype(slot)>>(
                reinterpret_cast<void *>(GetProcAddress(m, name)));
            all = all && *slot != nullptr;
        };
        bind(wintrust, "WinVerifyTrust", &a.WinVerifyTrust);
        bind(crypt32, "CryptQueryObject", &a.CryptQueryObject);
        bind(crypt32, "CryptMsgGetParam", &a.CryptMsgGetParam);
        bind(crypt32, "CryptMsgClose", &a.CryptMsgClose);
        bind(crypt32, "CertFindCertificateInStore", &a.CertFindCertificateInStore);
        bind(crypt32, "CertGetNameStringW", &a.CertGetNameStringW);
        bind(crypt32, "CertFreeCertificateContext", &a.CertFreeCertificateContext);
        bind(crypt32, "CertCloseStore", &a.CertCloseStore);
        bind(crypt32, "CertGetCertificateChain", &a.CertGetCertificateChain);
        bind(crypt32, "CertVerifyCertificateChainPolicy", &a.CertVerifyCertificateChainPolicy);
        bind(crypt32, "CertFreeCertificateChain", &a.CertFreeCertificateChain);
        a.ok = all;
        return a;
    }();
    return loaded;
}

std::string hex32(unsigned long v)
{
    static const char digits[] = "0123456789ABCDEF";
    std::string s = "0x";
    for (int shift = 28; shift >= 0; shift -= 4)
        s += digits[(v >> shift) & 0xF];
    return s;
}

// The chain of the signer's certificate (the signature's own certificates
// as extra store) checked again with the Authenticode policy. Windows'
// WinVerifyTrust already did this; Wine's accepts an untrusted root, and a
// second look costs little next to hashing the file. Time validity is
// WinVerifyTrust's business (a timestamp keeps an expired signer valid).
LONG chainStatus(PCCERT_CONTEXT cert, HCERTSTORE extra)
{
    CERT_CHAIN_PARA para = {};
    para.cbSize = sizeof(para);
    PCCERT_CHAIN_CONTEXT chain = nullptr;
    if (!api().CertGetCertificateChain(nullptr, cert, nullptr, extra, &para, 0, nullptr, &chain))
        return static_cast<LONG>(0x800B010Aul); // CERT_E_CHAINING
    CERT_CHAIN_POLICY_PARA policy = {};
    policy.cbSize = sizeof(policy);
    policy.dwFlags = CERT_CHAIN_POLICY_IGNORE_ALL_NOT_TIME_VALID_FLAGS;
    CERT_CHAIN_POLICY_STATUS status = {};
    status.cbSize = sizeof(status);
    LONG result = static_cast<LONG>(0x800B010Aul);
    if (api().CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_AUTHENTICODE, chain, &policy,
                                               &status))
        result = static_cast<LONG>(status.dwError);
    api().CertFreeCertificateChain(chain);
    return result;
}

// The leaf signer's simple display name from the embedded signature, or
// empty when there is no readable one; *chain gets chainStatus() of its
// certificate (CERT_E_CHAINING without one).
std::string embeddedSigner(const std::wstring &path, LONG *chain)
{
    *chain = static_cast<LONG>(0x800B010Aul);
    HCERTSTORE store = nullptr;
    HCRYPTMSG msg = nullptr;
    DWORD encoding = 0, contentType = 0, formatType = 0;
    std::string name;
    if (!api().CryptQueryObject(CERT_QUERY_OBJECT_FILE, path.c_str(),
                                CERT_QUERY_CONTENT_FLAG_PKCS7_SIGNED_EMBED,
                                CERT_QUERY_FORMAT_FLAG_BINARY, 0, &encoding, &contentType,
                                &formatType, &store, &msg, nullptr))
        return name;
    DWORD size = 0;
    if (api().CryptMsgGetParam(msg, CMSG_SIGNER_INFO_PARAM, 0, nullptr, &size) && size != 0) {
        std::vector<BYTE> buf(size);
        if (api().CryptMsgGetParam(msg, CMSG_SIGNER_INFO_PARAM, 0, buf.data(), &size)) {
            const auto *si = reinterpret_cast<const CMSG_SIGNER_INFO *>(buf.data());
            // The signer is the certificate with the signer info's issuer
            // and serial number (not simply the first one in the store).
            CERT_INFO wanted = {};
            wanted.Issuer = si->Issuer;
            wanted.SerialNumber = si->SerialNumber;
            PCCERT_CONTEXT cert =
                api().CertFindCertificateInStore(store, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, 0,
                                                 CERT_FIND_SUBJECT_CERT, &wanted, nullptr);
            if (cert != nullptr) {
                const DWORD n = api().CertGetNameStringW(cert, CERT_NAME_SIMPLE_DISPLAY_TYPE, 0,
                                                         nullptr, nullptr, 0);
                if (n > 1) {
                    std::wstring w(n, L'\0');
                    api().CertGetNameStringW(cert, CERT_NAME_SIMPLE_DISPLAY_TYPE, 0, nullptr, &w[0],
                                             n);
                    w.resize(n - 1);
                    name = toUtf8(w);
                }
                *chain = chainStatus(cert, store);
                api().CertFreeCertificateContext(cert);
            }
        }
    }
    api().CryptMsgClose(msg);
    api().CertCloseStore(store, 0);
    return name;
}

LONG verifyEmbedded(const std::wstring &path)
{
    WINTRUST_FILE_INFO file = {};
    file.cbStruct = sizeof(file);
    file.pcwszFilePath = path.c_str();

    GUID action = WINTRUST_ACTION_GENERIC_VERIFY_V2;
    WINTRUST_DATA data = {};
    data.cbStruct = sizeof(data);
    data.dwUIChoice = WTD_UI_NONE;
    // Revocation would fetch CRLs from the network while a start is held.
    data.fdwRevocationChecks = WTD_REVOKE_NONE;
    data.dwUnionChoice = WTD_CHOICE_FILE;
    data.pFile = &file;
    data.dwStateAction = WTD_STATEACTION_VERIFY;
    data.dwProvFlags = WTD_REVOCATION_CHECK_NONE;
    const LONG status =
        api().WinVerifyTrust(static_cast<HWND>(INVALID_HANDLE_VALUE), &action, &data);
    data.dwStateAction = WTD_STATEACTION_CLOSE;
    api().WinVerifyTrust(static_cast<HWND>(INVALID_HANDLE_VALUE), &action, &data);
    return status;
}

} // namespace

std::string SignerVerifier::trustStatusText(long status)
{
    switch (static_cast<unsigned long>(status)) {
    case 0:
        return "the signature is valid and trusted";
    case 0x800B0100ul: // TRUST_E_NOSIGNATURE
        return "the file is not signed";
    case 0x800B0109ul: // CERT_E_UNTRUSTEDROOT
        return "its certificate chain ends in a root this machine does not trust";
    case 0x800B010Aul: // CERT_E_CHAINING
        return "its certificate chain could not be built to a trusted root";
    case 0x80096010ul: // TRUST_E_BAD_DIGEST
        return "the file was modified after it was signed";
    case 0x800B0101ul: // CERT_E_EXPIRED
        return "the signing certificate has expired (and the signature has no timestamp)";
    case 0x800B0111ul: // TRUST_E_EXPLICIT_DISTRUST
        return "the signing certificate is explicitly distrusted on this machine";
    case 0x800B0004ul: // TRUST_E_SUBJECT_NOT_TRUSTED
        return "the signature is not trusted on this machine";
    case 0x80092026ul: // CRYPT_E_SECURITY_SETTINGS
        return "the machine's security settings forbid trusting this signature";
    default:
        return "the system did not accept the signature (" +
               hex32(static_cast<unsigned long>(status)) + ")";
    }
}

SignerInfo SignerVerifier::verify(const std::wstring &path) const
{
    SignerInfo out;
    if (GetFileAttributesW(path.c_str()) == INVALID_FILE_ATTRIBUTES) {
        out.reason = "Not checked: " + win32Message(GetLastError());
        return out;
    }
    if (!api().ok) {
        out.reason = "Not checked: wintrust.dll or crypt32.dll is not available.";
        return out;
    }
    LONG chain = 0;
    LONG status = verifyEmbedded(path);
    const std::string name = embeddedSigner(path, &chain);
    if (status == 0 && !name.empty())
        status = chain;
    if (status != 0) {
        // Named for the person reading the log, but never a signer fact.
        out.reason = (name.empty() ? std::string("No trusted signer: ")
                                   : "Signed by \"" + name + "\", but not trusted: ") +
                     trustStatusText(status) + ".";
        return out;
    }
    if (name.empty()) {
        out.reason = "No trusted signer: the signature is valid but names no signer.";
        return out;
    }
    out.trusted = true;
    out.subject = name;
    out.reason = "Signed by \"" + name + "\" (trusted).";
    return out;
}

std::wstring imageToDosPath(const std::string &driverForm)
{
    static const std::string mup = "/DEVICE/MUP/";
    static const std::string device = "/DEVICE/";
    std::string s;
    if (driverForm.compare(0, mup.size(), mup) == 0)
        s = "\\\\" + driverForm.substr(mup.size());
    else if (driverForm.compare(0, device.size(), device) == 0)
        s = "\\\\?\\GLOBALROOT" + driverForm; // a device without a drive letter
    else
        s = driverForm;
    for (char &c : s)
        if (c == '/')
            c = '\\';
    return toWide(s);
}

uint32_t SignerFactSource::facts() const
{
    return PG_FACT_SIGNER;
}

SignerInfo SignerFactSource::signer(const std::string &image)
{
    if (image.empty())
        return {false, {}, "No trusted signer: the component did not report the image's path."};
    return m_verifier.verify(imageToDosPath(image));
}

} // namespace pg
