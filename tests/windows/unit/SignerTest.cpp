// SignerTest.cpp - SignerVerifier (app/windows/Signer.h) against files
// that run_signer_tests.sh made at test time in PG_SIGNER_DIR:
//   unsigned.exe   a small program, never signed
//   signed.exe     the same, signed with osslsigncode by a throwaway
//                  self-signed certificate "ProcGuard Test Signer"
//   tampered.exe   signed.exe with one code byte changed after signing
//   root.der       that certificate (DER), trusted only by the last test
// Run under Wine in a fresh prefix, so adding the root to the machine's
// Root store touches nothing but that prefix.
#include <windows.h>

#include <wincrypt.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

#include "FactResolver.h"
#include "Signer.h"
#include "WinText.h"

using namespace pg;

namespace
{

constexpr char kSubject[] = "ProcGuard Test Signer";

std::wstring dir()
{
    const char *d = std::getenv("PG_SIGNER_DIR");
    return d != nullptr ? toWide(d) : std::wstring();
}

std::wstring file(const wchar_t *name)
{
    return dir() + L"\\" + name;
}

bool trustTestRoot(std::string *why)
{
    std::ifstream in(file(L"root.der").c_str(), std::ios::binary);
    const std::vector<char> der((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
    if (der.empty()) {
        *why = "root.der is missing";
        return false;
    }
    HCERTSTORE root =
        CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_LOCAL_MACHINE, L"Root");
    if (root == nullptr) {
        *why = "CertOpenStore(Root): " + win32Message(GetLastError());
        return false;
    }
    const BOOL ok = CertAddEncodedCertificateToStore(
        root, X509_ASN_ENCODING, reinterpret_cast<const BYTE *>(der.data()),
        static_cast<DWORD>(der.size()), CERT_STORE_ADD_REPLACE_EXISTING, nullptr);
    if (!ok)
        *why = "CertAddEncodedCertificateToStore: " + win32Message(GetLastError());
    CertCloseStore(root, 0);
    return ok != FALSE;
}

class SignerTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_FALSE(dir().empty()) << "run through run_signer_tests.sh (PG_SIGNER_DIR unset)";
    }
    SignerVerifier verifier;
};

} // namespace

TEST_F(SignerTest, UnsignedProgramHasNoSignerAndSaysSo)
{
    const SignerInfo s = verifier.verify(file(L"unsigned.exe"));
    EXPECT_FALSE(s.trusted);
    EXPECT_TRUE(s.subject.empty());
    EXPECT_NE(s.reason.find("not signed"), std::string::npos) << s.reason;
}

TEST_F(SignerTest, MissingFileIsNotCheckedAndSaysWhy)
{
    const SignerInfo s = verifier.verify(file(L"no-such-program.exe"));
    EXPECT_FALSE(s.trusted);
    EXPECT_NE(s.reason.find("Not checked"), std::string::npos) << s.reason;
}

TEST_F(SignerTest, SelfSignedProgramIsNamedButNotTrusted)
{
    const SignerInfo s = verifier.verify(file(L"signed.exe"));
    EXPECT_FALSE(s.trusted) << s.reason;
    EXPECT_TRUE(s.subject.empty());
    EXPECT_NE(s.reason.find(std::string("\"") + kSubject + "\""), std::string::npos) << s.reason;
    EXPECT_NE(s.reason.find("not trusted"), std::string::npos) << s.reason;
}

TEST_F(SignerTest, FactSourceGivesNoSignerFactForAnUntrustedSignature)
{
    // The event's driver form of the path: '/' separators.
    std::string image = toUtf8(file(L"signed.exe"));
    for (char &c : image)
        if (c == '\\')
            c = '/';
    SignerFactSource source;
    EXPECT_EQ(source.facts(), static_cast<uint32_t>(PG_FACT_SIGNER));
    const SignerInfo s = source.signer(image);
    EXPECT_FALSE(s.trusted);
    EXPECT_NE(s.reason.find(kSubject), std::string::npos) << s.reason;
}

// Run in a process of its own (run_signer_tests.sh): it changes the
// prefix's Root store, and Wine's chain engine reads that store only once.
using SignerTrustedRootTest = SignerTest;
TEST_F(SignerTrustedRootTest, TrustedRootMakesTheSignerTrustedButNotATamperedCopy)
{
    std::string why;
    ASSERT_TRUE(trustTestRoot(&why)) << why;
    const SignerInfo s = verifier.verify(file(L"signed.exe"));
    EXPECT_TRUE(s.trusted) << s.reason;
    EXPECT_EQ(s.subject, kSubject);

    const SignerInfo t = verifier.verify(file(L"tampered.exe"));
    EXPECT_FALSE(t.trusted) << t.reason;
    EXPECT_TRUE(t.subject.empty());
}

TEST(ImagePath, DriverFormBecomesADosPath)
{
    EXPECT_EQ(imageToDosPath("C:/PROGRAM FILES/APP/APP.EXE"), L"C:\\PROGRAM FILES\\APP\\APP.EXE");
    EXPECT_EQ(imageToDosPath("/DEVICE/MUP/SERVER/SHARE/X.EXE"), L"\\\\SERVER\\SHARE\\X.EXE");
    EXPECT_EQ(imageToDosPath("/DEVICE/HARDDISKVOLUME9/X.EXE"),
              L"\\\\?\\GLOBALROOT\\DEVICE\\HARDDISKVOLUME9\\X.EXE");
}

TEST(SignerStatus, KnownStatusesHaveSentences)
{
    EXPECT_NE(SignerVerifier::trustStatusText(static_cast<long>(0x800B0109ul)).find("root"),
              std::string::npos);
    EXPECT_NE(SignerVerifier::trustStatusText(static_cast<long>(0x80096010ul)).find("modified"),
              std::string::npos);
    EXPECT_NE(SignerVerifier::trustStatusText(static_cast<long>(0x80001234ul)).find("0x80001234"),
              std::string::npos);
}
