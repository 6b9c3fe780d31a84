// CurlHttpClient.cpp - HttpClient over libcurl (CurlHttpClient.h).
#include "CurlHttpClient.h"

#include <algorithm>
#include <cctype>
#include <curl/curl.h>
#include <mutex>

namespace pg
{
namespace sync
{

namespace
{

size_t onBody(char *data, size_t size, size_t count, void *user)
{
    static_cast<std::string *>(user)->append(data, size * count);
    return size * count;
}

size_t onHeader(char *data, size_t size, size_t count, void *user)
{
    auto *headers = static_cast<std::map<std::string, std::string> *>(user);
    const std::string line(data, size * count);
    if (line.compare(0, 5, "HTTP/") == 0) {
        headers->clear(); // a new response (after a 100 Continue)
        return size * count;
    }
    const size_t colon = line.find(':');
    if (colon == std::string::npos)
        return size * count;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    const size_t first = value.find_first_not_of(" \t");
    const size_t last = value.find_last_not_of(" \t\r\n");
    value = first == std::string::npos ? std::string() : value.substr(first, last - first + 1);
    (*headers)[name] = value;
    return size * count;
}

void globalInit()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

} // namespace

struct CurlHttpClient::Impl {
    TlsOptions tls;
    CURL *curl = nullptr;
};

CurlHttpClient::CurlHttpClient(TlsOptions tls) : m_impl(new Impl)
{
    globalInit();
    m_impl->tls = std::move(tls);
    m_impl->curl = curl_easy_init();
}

CurlHttpClient::~CurlHttpClient()
{
    if (m_impl->curl)
        curl_easy_cleanup(m_impl->curl);
}

HttpResponse CurlHttpClient::send(const HttpRequest &request)
{
    HttpResponse response;
    CURL *c = m_impl->curl;
    if (c == nullptr) {
        response.error = "libcurl could not be initialised.";
        return response;
    }
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeoutMs));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<uint32_t>(request.timeoutMs, 10000)));
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); // whatever libcurl decodes
    curl_easy_setopt(c, CURLOPT_USERAGENT, "procguardctl-sync");
    if (request.method == "POST") {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    const TlsOptions &tls = m_impl->tls;
    if (!tls.caFile.empty())
        curl_easy_setopt(c, CURLOPT_CAINFO, tls.caFile.c_str());
    if (!tls.clientCert.empty()) {
        curl_easy_setopt(c, CURLOPT_SSLCERT, tls.clientCert.c_str());
        curl_easy_setopt(c, CURLOPT_SSLKEY,
                         (tls.clientKey.empty() ? tls.clientCert : tls.clientKey).c_str());
    }
    if (!tls.verify) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    struct curl_slist *headers = nullptr;
    // No "Expect: 100-continue" round trip for larger uploads.
    headers = curl_slist_append(headers, "Expect:");
    for (const auto &h : request.headers)
        headers = curl_slist_append(headers, (h.first + ": " + h.second).c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
    char message[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, message);

    const CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
        response.status = 0;
        response.body.clear();
        response.error = std::string(message[0] ? message : curl_easy_strerror(rc));
        if (!response.error.empty() && response.error.back() == '\n')
            response.error.pop_back();
        switch (rc) {
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ISSUER_ERROR:
            response.permanent = true;
            break;
        default:
            break;
        }
        return response;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
}

} // namespace sync
} // namespace pg
