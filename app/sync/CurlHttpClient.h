// CurlHttpClient.h - HttpClient over libcurl (TLS through the system's
// OpenSSL and its CA store unless a CA file is given).
//
// Response bodies in gzip or deflate are decoded by libcurl (it sends
// Accept-Encoding for what it supports). Redirects are not followed: a
// sync server that redirects a POST is misconfigured, and following would
// replay the body elsewhere. One CURL handle per object, reused so that
// connections are kept alive across the stages of a sync.
#pragma once

#include <memory>
#include <string>

#include "HttpClient.h"

namespace pg
{
namespace sync
{

struct TlsOptions {
    std::string caFile;     // empty: the system's CA store
    std::string clientCert; // PEM client certificate (mutual TLS); empty: none
    std::string clientKey;  // its key; empty: in clientCert
    bool verify = true;     // false only for tests against a self-signed stand-in
};

class CurlHttpClient : public HttpClient
{
public:
    explicit CurlHttpClient(TlsOptions tls);
    ~CurlHttpClient() override;
    HttpResponse send(const HttpRequest &request) override;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace sync
} // namespace pg
