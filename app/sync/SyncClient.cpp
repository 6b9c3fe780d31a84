// SyncClient.cpp - one Santa sync (SyncClient.h).
#include "SyncClient.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "Deflate.h"
#include "PolicyFile.h"

namespace pg
{
namespace sync
{

using nlohmann::json;

namespace
{

std::string firstLine(const std::string &body)
{
    std::string line = stripJsonPrefix(body).substr(0, 200);
    const size_t nl = line.find('\n');
    if (nl != std::string::npos)
        line.resize(nl);
    return line;
}

bool retryable(long status)
{
    return status == 0 || status == 429 || status >= 500;
}

} // namespace

bool loadSyncConfig(const std::string &path, SyncConfig *c, std::string *error)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *error = "Cannot read the sync config " + path + ".";
        return false;
    }
    std::stringstream text;
    text << in.rdbuf();
    json j;
    try {
        j = json::parse(text.str());
    } catch (const json::parse_error &e) {
        *error = "The sync config " + path + " is not JSON (" + e.what() + ").";
        return false;
    }
    if (j.is_object() && j.contains("sync"))
        j = j["sync"];
    if (!j.is_object()) {
        *error = "The sync config " + path + " is not a JSON object.";
        return false;
    }
    std::string key;
    try {
        for (auto it = j.begin(); it != j.end(); ++it) {
            key = it.key();
            const json &v = it.value();
            if (key == "url")
                c->url = v.get<std::string>();
            else if (key == "machine_id")
                c->machineId = v.get<std::string>();
            else if (key == "headers") {
                if (!v.is_object())
                    throw json::type_error::create(302, "expected an object of header: value",
                                                   nullptr);
                c->headers.clear();
                for (auto h = v.begin(); h != v.end(); ++h)
                    c->headers.emplace_back(h.key(), h.value().get<std::string>());
            } else if (key == "client_cert")
                c->tls.clientCert = v.get<std::string>();
            else if (key == "client_key")
                c->tls.clientKey = v.get<std::string>();
            else if (key == "ca_file")
                c->tls.caFile = v.get<std::string>();
            else if (key == "compression") {
                const std::string s = v.get<std::string>();
                if (s != "deflate" && s != "none")
                    throw json::other_error::create(501, "expected \"deflate\" or \"none\"",
                                                    nullptr);
                c->compress = s == "deflate";
            } else if (key == "xsrf_header")
                c->xsrfHeader = v.get<std::string>();
            else if (key == "policy_file")
                c->policyFile = v.get<std::string>();
            else if (key == "state_dir")
                c->stateDir = v.get<std::string>();
            else if (key == "spool_limit")
                c->spoolLimit = std::max<uint32_t>(1, v.get<uint32_t>());
            else if (key == "attempts")
                c->attempts = std::clamp<uint32_t>(v.get<uint32_t>(), 1, 20);
            else if (key == "backoff_ms")
                c->backoffMs = std::min<uint32_t>(v.get<uint32_t>(), 600000);
            else if (key == "backoff_max_ms")
                c->backoffMaxMs = std::min<uint32_t>(v.get<uint32_t>(), 3600000);
            else if (key == "timeout_ms")
                c->timeoutMs = std::clamp<uint32_t>(v.get<uint32_t>(), 100, 600000);
            else {
                *error = "The sync config " + path + " has an unknown key \"" + key + "\".";
                return false;
            }
        }
    } catch (const json::exception &e) {
        *error = "The sync config " + path + ": \"" + key + "\" is not valid (" + e.what() + ").";
        return false;
    }
    return true;
}

SyncClient::SyncClient(HttpClient &http, SyncConfig config, policy::FileSystem &fs,
                       std::function<void(uint32_t ms)> sleep)
    : m_http(http), m_config(std::move(config)), m_fs(fs), m_sleep(std::move(sleep))
{
    while (!m_config.url.empty() && m_config.url.back() == '/')
        m_config.url.pop_back();
}

bool SyncClient::fetchXsrf(std::string *error)
{
    HttpRequest req;
    req.method = "POST";
    req.url = m_config.url + "/xsrf/" + m_config.machineId;
    req.headers = m_config.headers;
    req.timeoutMs = m_config.timeoutMs;
    const HttpResponse resp = m_http.send(req);
    if (resp.status < 200 || resp.status >= 300) {
        *error = resp.status == 0 ? "No XSRF token: " + resp.error
                                  : "No XSRF token: the server answered HTTP " +
                                        std::to_string(resp.status) + ".";
        return false;
    }
    std::string name = m_config.xsrfHeader;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    auto it = resp.headers.find(name);
    if (it != resp.headers.end() && !it->second.empty()) {
        m_xsrf = it->second;
        return true;
    }
    *error = "No XSRF token: the answer of /xsrf/ has no " + m_config.xsrfHeader + " header.";
    return false;
}

bool SyncClient::exchange(const std::string &stage, const json &body, std::string *answer,
                          std::string *error)
{
    HttpRequest req;
    req.method = "POST";
    req.url = m_config.url + "/" + stage + "/" + m_config.machineId;
    req.timeoutMs = m_config.timeoutMs;
    const std::string text = body.dump();
    req.body = m_config.compress ? zlibCompress(text) : text;
    bool xsrfTried = false;
    uint32_t delay = m_config.backoffMs;
    std::string lastProblem;
    uint32_t limit = m_config.attempts;
    for (uint32_t attempt = 1; attempt <= limit; ++attempt) {
        req.headers = {{"Content-Type", "application/json"}};
        if (m_config.compress)
            req.headers.emplace_back("Content-Encoding", "deflate");
        for (const auto &h : m_config.headers)
            req.headers.push_back(h);
        if (!m_xsrf.empty())
            req.headers.emplace_back(m_config.xsrfHeader, m_xsrf);
        const HttpResponse resp = m_http.send(req);
        if (resp.status >= 200 && resp.status < 300) {
            *answer = resp.body;
            return true;
        }
        if (resp.status == 403 && !xsrfTried) {
            // The XSRF dance: fetch a token and try again at once.
            xsrfTried = true;
            std::string why;
            if (!fetchXsrf(&why)) {
                *error = "The " + stage + " was refused (HTTP 403). " + why;
                return false;
            }
            ++limit; // the refused try does not count
            continue;
        }
        lastProblem = resp.status == 0 ? resp.error
                                       : "HTTP " + std::to_string(resp.status) +
                                             (resp.body.empty() ? "" : ": " + firstLine(resp.body));
        if (!retryable(resp.status) || resp.permanent) {
            *error = resp.permanent ? "The " + stage + " failed (" + lastProblem + ")."
                                    : "The server refused the " + stage + " (" + lastProblem + ").";
            return false;
        }
        if (attempt == limit)
            break;
        uint32_t wait = delay;
        auto ra = resp.headers.find("retry-after");
        if (ra != resp.headers.end()) {
            try {
                wait = static_cast<uint32_t>(std::min<unsigned long>(
                    std::stoul(ra->second) * 1000ul, m_config.backoffMaxMs));
            } catch (const std::exception &) {
            }
        }
        m_sleep(std::min(wait, m_config.backoffMaxMs));
        delay = std::min<uint32_t>(delay * 2, m_config.backoffMaxMs);
    }
    *error = "The " + stage + " failed after " + std::to_string(m_config.attempts) + " attempts (" +
             lastProblem + ").";
    return false;
}

SyncResult SyncClient::run(MachineFacts facts, EventSpool *spool, int64_t nowUtc)
{
    SyncResult result;
    // The managed file as it is: its rules for the counts and as the base
    // of an incremental sync, its mode as the mode the server last set.
    policy::PolicyFile file(m_config.policyFile, m_fs);
    policy::PolicyDocument current;
    policy::PolicyError perr;
    bool haveFile = file.load(&current, &perr);
    if (!haveFile && perr.sysError != ENOENT) {
        // A damaged managed file: ask the server for everything again.
        current = policy::PolicyDocument();
    }
    for (const Rule &r : current.policy.rules)
        if (r.kind == RuleKind::Sha256)
            ++facts.binaryRuleCount;
    facts.machineId = m_config.machineId;
    if (facts.serialNumber.empty())
        facts.serialNumber = m_config.machineId;
    facts.mode = current.policy.mode;
    facts.requestCleanSync = m_config.requestCleanSync || !haveFile;

    auto finish = [&](const std::string &error) {
        result.ok = error.empty();
        result.error = error;
        writeState(&result, spool, nowUtc);
        return result;
    };

    std::string answer, error;
    if (!exchange("preflight", preflightRequest(facts), &answer, &error))
        return finish(error);
    if (!parsePreflight(answer, &result.preflight, &error))
        return finish("The preflight answer is not usable: " + error);
    const PreflightReply &pre = result.preflight;
    const bool clean = pre.cleanSync || !haveFile;

    // Event upload: the oldest spooled events, a batch at a time; each
    // batch leaves the spool once the server took it.
    if (spool != nullptr) {
        for (;;) {
            std::vector<UploadEvent> batch;
            if (!spool->peek(pre.batchSize, &batch, &error))
                return finish(error);
            if (batch.empty())
                break;
            std::vector<UploadEvent> send;
            for (const UploadEvent &e : batch) {
                if (e.decision.empty())
                    continue; // a damaged line
                if (!pre.uploadUnknownEvents && isUnknownDecision(e.decision))
                    continue;
                if (!pre.uploadAllEvents && e.decision.compare(0, 6, "BLOCK_") != 0 &&
                    !isUnknownDecision(e.decision))
                    continue;
                send.push_back(e);
            }
            if (!send.empty()) {
                if (!exchange("eventupload", eventUploadRequest(send), &answer, &error))
                    return finish(error);
                result.uploaded += static_cast<uint32_t>(send.size());
            }
            if (!spool->dropFirst(batch.size(), &error))
                return finish(error);
            if (batch.size() < pre.batchSize)
                break;
        }
    }

    // Rule download, page by page while the server hands out a cursor.
    std::vector<ServerRule> download;
    std::string cursor;
    for (uint32_t page = 0;; ++page) {
        if (page == kMaxRulePages)
            return finish("The ruledownload did not end after " + std::to_string(kMaxRulePages) +
                          " pages.");
        RuleBatch batch;
        if (!exchange("ruledownload", ruleDownloadRequest(cursor), &answer, &error))
            return finish(error);
        if (!parseRuleBatch(answer, &batch, &error))
            return finish("The ruledownload answer is not usable: " + error);
        download.insert(download.end(), batch.rules.begin(), batch.rules.end());
        if (batch.cursor.empty())
            break;
        if (batch.cursor == cursor)
            return finish("The ruledownload handed out the same cursor twice.");
        cursor = batch.cursor;
    }
    std::vector<Rule> rules = current.policy.rules;
    applyRules(download, pre, clean, &rules, &result.counts);

    // The new managed policy, checked before anything is sent.
    policy::PolicyDocument next;
    next.extensions = current.extensions;
    next.policy = current.policy;
    next.policy.rules = rules;
    next.policy.generation = 0;
    if (pre.mode)
        next.policy.mode = *pre.mode;
    if (!policy::checkPolicy(next.policy, &perr))
        return finish("The server's rules do not make a valid policy: " + perr.message);

    const std::string syncType = !clean ? "normal" : pre.cleanSync ? pre.syncType : "clean";
    if (!exchange("postflight", postflightRequest(m_config.machineId, syncType, result.counts),
                  &answer, &error))
        return finish(error);

    // Applied after the postflight, as Santa does.
    if (!file.save(next, &perr))
        return finish(perr.message);
    result.rulesInFile = static_cast<uint32_t>(next.policy.rules.size());
    result.mode = next.policy.mode;
    result.modeSet = true;
    return finish("");
}

void SyncClient::writeState(SyncResult *out, EventSpool *spool, int64_t nowUtc)
{
    const SyncResult &result = *out;
    SyncState previous;
    std::string error;
    readSyncState(m_config.stateDir, &previous, &error, m_fs);
    SyncState s = previous;
    s.server = m_config.url;
    s.machineId = m_config.machineId;
    s.policyFile = m_config.policyFile;
    s.lastAttempt = nowUtc;
    s.lastError = result.ok ? std::string() : result.error;
    if (result.ok) {
        s.lastSuccess = nowUtc;
        s.mode = toString(result.mode);
        s.rules = result.rulesInFile;
        s.ignoredRules = result.counts.ignoredType + result.counts.ignoredPolicy +
                         result.counts.invalid + result.counts.ignoredRegex;
        s.fullSyncIntervalS = result.preflight.fullSyncIntervalS;
        s.uploadAllEvents = result.preflight.uploadAllEvents;
    }
    s.eventsUploaded = result.uploaded;
    if (spool != nullptr) {
        s.eventsSpooled = static_cast<uint32_t>(spool->size());
        s.eventsDropped = previous.eventsDropped + spool->takeDropped();
    }
    if (!writeSyncState(m_config.stateDir, s, m_fs, &error))
        out->stateError = error;
}

} // namespace sync
} // namespace pg
