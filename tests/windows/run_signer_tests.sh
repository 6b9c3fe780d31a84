#!/usr/bin/env bash
# Runs pg_windows_signer_tests.exe under Wine (run_under_wine.sh) on files
# made here, at test time: a throwaway self-signed code-signing certificate
# (openssl; the key never leaves this run's temporary folder), a copy of a
# small program signed with it (osslsigncode), and a tampered copy.
#   run_signer_tests.sh <pg_windows_signer_tests.exe> <small program.exe> [test arguments...]
# Exit status: the tests'; 77 (skipped) when wine, openssl, osslsigncode or python3
# is missing (tools/deps.sh installs them).
set -uo pipefail
tests=${1:?test program}
sample=${2:?program to sign}
here=$(cd "$(dirname "$0")" && pwd)
for tool in openssl osslsigncode python3 "${WINE:-wine}"; do
  if ! command -v "$tool" >/dev/null; then
    echo "run_signer_tests: $tool not found (tools/deps.sh installs it)" >&2
    exit 77
  fi
done
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsigner.XXXXXX")
trap 'rm -rf "$work"' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout "$work/key.pem" -out "$work/cert.pem" \
  -subj "/CN=ProcGuard Test Signer/O=ProcGuard Tests" \
  -addext "keyUsage=critical,digitalSignature,keyCertSign" \
  -addext "extendedKeyUsage=codeSigning" \
  -addext "basicConstraints=critical,CA:TRUE" >/dev/null 2>&1 || {
  echo "run_signer_tests: openssl could not make the test certificate" >&2
  exit 1
}
openssl x509 -in "$work/cert.pem" -outform der -out "$work/root.der" || exit 1
cp "$sample" "$work/unsigned.exe"
osslsigncode sign -certs "$work/cert.pem" -key "$work/key.pem" -h sha256 \
  -n "ProcGuard signer test" -in "$work/unsigned.exe" -out "$work/signed.exe" >/dev/null || {
  echo "run_signer_tests: osslsigncode could not sign the sample" >&2
  exit 1
}
rm -f "$work/key.pem"
# One byte of the first section changed after signing: the digest no
# longer matches. (0x400 is past the headers of a mingw-w64 program.)
cp "$work/signed.exe" "$work/tampered.exe"
python3 - "$work/tampered.exe" <<'PY' || exit 1
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(0x400)
    b = f.read(1)[0]
    f.seek(0x400)
    f.write(bytes([b ^ 0xFF]))
PY

# Wine maps / to drive Z:. Two processes: Wine's chain engine reads the
# Root store once per process, so the test that trusts the root runs in a
# process of its own, before anything else used the engine.
export PG_SIGNER_DIR="Z:$(printf '%s' "$work" | tr '/' '\\')"
if [ $# -gt 2 ]; then
  "$here/run_under_wine.sh" "$tests" "${@:3}"
  exit $?
fi
"$here/run_under_wine.sh" "$tests" --gtest_filter=-SignerTrustedRootTest.*
rc=$?
"$here/run_under_wine.sh" "$tests" --gtest_filter=SignerTrustedRootTest.*
rc2=$?
[ $rc -ne 0 ] && exit $rc
exit $rc2
