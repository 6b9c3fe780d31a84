// HttpClient.h - one HTTP exchange, behind an interface so that SyncClient
// is tested with an in-memory server and runs over libcurl for real
// (CurlHttpClient.h).
//
// Threads: one exchange at a time per object; send() blocks the calling
// thread for at most the request's timeout. Errors: a transport failure
// (no connection, TLS, timeout) is status 0 with error set; any HTTP
// status, 4xx and 5xx included, is a response.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace pg
{
namespace sync
{

struct HttpRequest {
    std::string method = "POST"; // POST or GET
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers; // sent as given
    std::string body;
    uint32_t timeoutMs = 30000; // the whole exchange
};

struct HttpResponse {
    long status = 0;                            // 0: no HTTP answer (see error)
    std::map<std::string, std::string> headers; // names lower-cased
    std::string body;                           // decoded (Content-Encoding undone)
    std::string error;                          // transport error, one sentence
    // A transport error that trying again will not cure (the server's
    // certificate is not trusted, a malformed URL, a missing client key).
    bool permanent = false;
};

class HttpClient
{
public:
    virtual ~HttpClient() = default;
    virtual HttpResponse send(const HttpRequest &request) = 0;
};

} // namespace sync
} // namespace pg
