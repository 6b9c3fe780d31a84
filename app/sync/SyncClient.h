// SyncClient.h - one sync with a Santa sync server (protocol v1):
// preflight, eventupload, ruledownload (paged by cursor), postflight, then
// the server's rules and mode written as ONE managed policy file.
//
// HTTP: every body is JSON, compressed with Content-Encoding: deflate
// unless compression is off; a leading ")]}'" is stripped from answers.
// A 403 fetches an XSRF token (POST {url}/xsrf/{machine_id}, header
// X-XSRF-TOKEN) and retries once with it. No answer, 5xx and 429 are
// retried with exponential back-off (attempts and delays bounded by the
// config; Retry-After honoured up to the cap). Any other status, and a
// transport error retrying cannot cure (an untrusted certificate), ends
// the sync with an error naming the stage.
//
// Output: the managed policy file (policy::PolicyFile's format, as
// `procguardctl rules export` writes it, saved atomically) is written only
// after a successful postflight, so a sync that fails half-way changes
// nothing in force. Events are dropped from the spool only after the
// server accepted them. The state file (SyncState.h) is written after
// every attempt, success or not.
//
// Threads: run() blocks the calling thread; bounded by attempts x (timeout
// + back-off) per request and by kMaxRulePages pages.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "CurlHttpClient.h"
#include "EventSpool.h"
#include "HttpClient.h"
#include "SantaProtocol.h"
#include "SyncState.h"

namespace pg
{
namespace policy
{
class FileSystem;
}
namespace sync
{

constexpr uint32_t kMaxRulePages = 10000;

struct SyncConfig {
    std::string url; // base URL, no trailing '/'
    std::string machineId;
    std::vector<std::pair<std::string, std::string>> headers; // extra (Authorization: ...)
    TlsOptions tls;
    bool compress = true;
    std::string xsrfHeader = "X-XSRF-TOKEN";
    std::string policyFile = "/etc/procguard/policy.d/50-santa.json";
    std::string stateDir = kDefaultSyncStateDir;
    uint32_t spoolLimit = 10000;
    uint32_t attempts = 5;     // per request
    uint32_t backoffMs = 1000; // first delay, doubled each time
    uint32_t backoffMaxMs = 60000;
    uint32_t timeoutMs = 30000; // per request
    bool requestCleanSync = false;
};

// Reads a sync config (JSON: an object, or a policy file with a top-level
// "sync" object) into *config; keys it has override what *config holds.
// False with *error naming the file and the key.
bool loadSyncConfig(const std::string &path, SyncConfig *config, std::string *error);

struct SyncResult {
    bool ok = false;
    std::string error; // one sentence naming the stage
    PreflightReply preflight;
    ApplyCounts counts;
    uint32_t uploaded = 0;
    uint32_t rulesInFile = 0;
    Mode mode = Mode::Monitor;
    bool modeSet = false;
    std::string stateError; // the state file could not be written (status will be stale)
};

class SyncClient
{
public:
    // sleep waits (back-off); tests pass one that records instead.
    SyncClient(HttpClient &http, SyncConfig config, policy::FileSystem &fs,
               std::function<void(uint32_t ms)> sleep);

    // facts: this machine (rule counts and mode are filled in from the
    // managed file). spool may be null (nothing to upload). nowUtc stamps
    // the state file.
    SyncResult run(MachineFacts facts, EventSpool *spool, int64_t nowUtc);

private:
    bool exchange(const std::string &stage, const nlohmann::json &body, std::string *answer,
                  std::string *error);
    bool fetchXsrf(std::string *error);
    void writeState(SyncResult *result, EventSpool *spool, int64_t nowUtc);

    HttpClient &m_http;
    SyncConfig m_config;
    policy::FileSystem &m_fs;
    std::function<void(uint32_t)> m_sleep;
    std::string m_xsrf;
};

} // namespace sync
} // namespace pg
