// SyncClientTest.cpp - the stages of a sync over an in-memory HTTP server:
// what is sent, retried, refused, and what is written when (SyncClient.h).
#include <gtest/gtest.h>

#include <deque>
#include <fstream>
#include <functional>
#include <unistd.h>

#include "Deflate.h"
#include "FakeFileSystem.h"
#include "PolicyFile.h"
#include "SyncClient.h"

using namespace pg;
using namespace pg::sync;
using nlohmann::json;

namespace
{

const std::string kMachine = "3D1219C7-C4C5-404A-AA1F-6D2A48ADFDA4";
const std::string kPolicy = "/etc/procguard/policy.d/50-santa.json";
const std::string kA(64, 'a');
const std::string kB(64, 'b');

// Answers by stage ("preflight", "xsrf", ...); records every request with
// its body inflated.
class FakeServer : public HttpClient
{
public:
    struct Seen {
        std::string stage;
        std::map<std::string, std::string> headers;
        json body;
    };
    std::vector<Seen> seen;
    std::map<std::string, std::deque<HttpResponse>> scripted; // consumed first
    std::map<std::string, std::function<HttpResponse(const json &)>> handlers;
    bool requireXsrf = false;

    HttpResponse send(const HttpRequest &req) override
    {
        // {base}/{stage}/{machine id}
        EXPECT_EQ(req.url.rfind("https://sync.example/santa/", 0), 0u) << req.url;
        const std::string head = req.url.substr(0, req.url.rfind('/'));
        const std::string stage = head.substr(head.rfind('/') + 1);
        EXPECT_EQ(req.url.substr(req.url.rfind('/') + 1), kMachine);
        Seen s;
        s.stage = stage;
        for (const auto &h : req.headers)
            s.headers[h.first] = h.second;
        std::string body = req.body;
        if (s.headers["Content-Encoding"] == "deflate") {
            EXPECT_TRUE(zlibDecompress(req.body, &body));
        }
        s.body = body.empty() ? json() : json::parse(body);
        seen.push_back(s);
        if (stage == "xsrf") {
            HttpResponse r;
            r.status = 200;
            r.headers["x-xsrf-token"] = "tok";
            return r;
        }
        if (requireXsrf && s.headers["X-XSRF-TOKEN"] != "tok")
            return answer(403, "{}");
        auto &queue = scripted[stage];
        if (!queue.empty()) {
            HttpResponse r = queue.front();
            queue.pop_front();
            return r;
        }
        if (handlers.count(stage))
            return handlers[stage](s.body);
        return answer(200, ")]}'\n{}");
    }

    static HttpResponse answer(long status, const std::string &body)
    {
        HttpResponse r;
        r.status = status;
        r.body = body;
        return r;
    }

    std::vector<std::string> stages() const
    {
        std::vector<std::string> out;
        for (const Seen &s : seen)
            out.push_back(s.stage);
        return out;
    }
};

class SyncClientTest : public ::testing::Test
{
protected:
    SyncConfig config()
    {
        SyncConfig c;
        c.url = "https://sync.example/santa/";
        c.machineId = kMachine;
        c.policyFile = kPolicy;
        c.stateDir = "/var/lib/procguard/sync";
        c.attempts = 3;
        c.backoffMs = 100;
        c.backoffMaxMs = 250;
        return c;
    }

    SyncResult runSync(SyncConfig c)
    {
        SyncClient client(server, c, fs, [this](uint32_t ms) { sleeps.push_back(ms); });
        return client.run(MachineFacts(), nullptr, 1700000000);
    }

    policy::PolicyDocument written()
    {
        policy::PolicyDocument doc;
        policy::PolicyError error;
        EXPECT_TRUE(policy::PolicyFile(kPolicy, fs).load(&doc, &error)) << error.message;
        return doc;
    }

    FakeServer server;
    test::FakeFileSystem fs;
    std::vector<uint32_t> sleeps;
};

} // namespace

using policy::PolicyDocument;

TEST_F(SyncClientTest, StagesRunInOrderWithCompressedBodiesAndTheWrittenPolicy)
{
    server.handlers["preflight"] = [](const json &) {
        return FakeServer::answer(200, R"()]}'
{"client_mode":"LOCKDOWN","batch_size":10})");
    };
    server.handlers["ruledownload"] = [](const json &) {
        return FakeServer::answer(200, R"({"rules":[{"identifier":")" + kA +
                                           R"(","policy":"ALLOWLIST","rule_type":"BINARY"}]})");
    };
    const SyncResult r = runSync(config());
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(server.stages(),
              (std::vector<std::string>{"preflight", "ruledownload", "postflight"}));
    EXPECT_EQ(server.seen[0].headers["Content-Encoding"], "deflate");
    EXPECT_EQ(server.seen[0].body["machine_id"], kMachine);
    EXPECT_TRUE(server.seen[0].body["request_clean_sync"].get<bool>()); // no file yet
    EXPECT_EQ(server.seen[2].body["rules_processed"], 1);
    const PolicyDocument doc = written();
    EXPECT_EQ(doc.policy.mode, Mode::Lockdown);
    ASSERT_EQ(doc.policy.rules.size(), 1u);
    EXPECT_EQ(doc.policy.rules[0].pattern, kA);
    SyncState state;
    std::string error;
    ASSERT_TRUE(readSyncState("/var/lib/procguard/sync", &state, &error, fs)) << error;
    EXPECT_EQ(state.server, "https://sync.example/santa"); // trailing '/' dropped
    EXPECT_EQ(state.lastSuccess, 1700000000);
    EXPECT_EQ(state.rules, 1u);
    EXPECT_EQ(state.mode, "lockdown");
}

TEST_F(SyncClientTest, ForbiddenFetchesAnXsrfTokenOnceAndKeepsUsingIt)
{
    server.requireXsrf = true;
    const SyncResult r = runSync(config());
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(server.stages(), (std::vector<std::string>{"preflight", "xsrf", "preflight",
                                                         "ruledownload", "postflight"}));
    EXPECT_EQ(server.seen[4].headers["X-XSRF-TOKEN"], "tok");
    EXPECT_TRUE(sleeps.empty());
}

TEST_F(SyncClientTest, ForbiddenEvenWithAToken)
{
    server.scripted["preflight"] = {FakeServer::answer(403, "{}"), FakeServer::answer(403, "no")};
    const SyncResult r = runSync(config());
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("refused the preflight (HTTP 403"), std::string::npos) << r.error;
}

TEST_F(SyncClientTest, BackOffDoublesUpToItsCapAndEndsAfterTheAttempts)
{
    HttpResponse down;
    down.status = 0;
    down.error = "Connection refused";
    server.scripted["preflight"] = {down, down, down, down};
    const SyncResult r = runSync(config());
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("failed after 3 attempts (Connection refused)"), std::string::npos)
        << r.error;
    EXPECT_EQ(sleeps, (std::vector<uint32_t>{100, 200}));
    EXPECT_TRUE(fs.files.find(kPolicy) == fs.files.end());
}

TEST_F(SyncClientTest, RetryAfterIsHonouredUpToTheCap)
{
    HttpResponse busy = FakeServer::answer(429, "");
    busy.headers["retry-after"] = "120";
    server.scripted["preflight"] = {busy};
    const SyncResult r = runSync(config());
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(sleeps, (std::vector<uint32_t>{250}));
}

TEST_F(SyncClientTest, CursorIsSentBackUntilTheLastPage)
{
    server.handlers["ruledownload"] = [](const json &body) {
        const std::string cursor = body.value("cursor", "");
        if (cursor.empty())
            return FakeServer::answer(200, R"({"rules":[{"identifier":")" + kA +
                                               R"(","policy":"ALLOWLIST"}],"cursor":"p2"})");
        if (cursor == "p2")
            return FakeServer::answer(200, R"({"rules":[{"identifier":")" + kB +
                                               R"(","policy":"BLOCKLIST"}],"cursor":""})");
        return FakeServer::answer(400, "bad cursor");
    };
    const SyncResult r = runSync(config());
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(server.seen[2].body["cursor"], "p2");
    EXPECT_EQ(written().policy.rules.size(), 2u);
}

TEST_F(SyncClientTest, ACursorThatNeverChangesEndsTheSync)
{
    server.handlers["ruledownload"] = [](const json &) {
        return FakeServer::answer(200, R"({"rules":[],"cursor":"same"})");
    };
    const SyncResult r = runSync(config());
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("same cursor twice"), std::string::npos) << r.error;
}

TEST_F(SyncClientTest, FailedPostflightWritesNoPolicyAndRecordsTheError)
{
    server.scripted["postflight"] = {FakeServer::answer(400, "nope")};
    const SyncResult r = runSync(config());
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(fs.files.find(kPolicy) == fs.files.end());
    SyncState state;
    std::string error;
    ASSERT_TRUE(readSyncState("/var/lib/procguard/sync", &state, &error, fs));
    EXPECT_NE(state.lastError.find("postflight"), std::string::npos);
    EXPECT_EQ(state.lastSuccess, 0);
}

TEST_F(SyncClientTest, GarbageAnswerIsAnErrorNamingTheStage)
{
    server.scripted["preflight"] = {FakeServer::answer(200, "<html>oops</html>")};
    const SyncResult r = runSync(config());
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("preflight answer is not usable"), std::string::npos) << r.error;
}

TEST_F(SyncClientTest, ExistingFileMakesTheNextSyncIncrementalAndKeepsItsOtherSettings)
{
    policy::PolicyDocument doc;
    doc.policy.mode = Mode::Monitor;
    doc.policy.timeoutMs = 12000;
    Rule r;
    r.kind = RuleKind::Sha256;
    r.pattern = kA;
    doc.policy.rules.push_back(r);
    policy::PolicyError perr;
    ASSERT_TRUE(policy::PolicyFile(kPolicy, fs).save(doc, &perr)) << perr.message;
    server.handlers["ruledownload"] = [](const json &) {
        return FakeServer::answer(200, R"({"rules":[{"identifier":")" + kB +
                                           R"(","policy":"BLOCKLIST"}]})");
    };
    const SyncResult res = runSync(config());
    ASSERT_TRUE(res.ok) << res.error;
    EXPECT_FALSE(server.seen[0].body["request_clean_sync"].get<bool>());
    EXPECT_EQ(server.seen[0].body["binary_rule_count"], 1);
    EXPECT_EQ(server.seen[0].body["client_mode"], "MONITOR");
    const PolicyDocument after = written();
    EXPECT_EQ(after.policy.rules.size(), 2u);
    EXPECT_EQ(after.policy.timeoutMs, 12000u);
}

TEST_F(SyncClientTest, ConfigFileReadsASyncSectionAndRefusesUnknownKeys)
{
    char tmpl[] = "/tmp/pg-sync-config.XXXXXX";
    const int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    const std::string text = R"({"schema":3,"mode":"monitor","rules":[],
        "sync":{"url":"https://s.example","machine_id":"M","headers":{"Authorization":"Bearer x"},
                "compression":"none","attempts":2}})";
    ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(fd);
    SyncConfig c;
    std::string error;
    ASSERT_TRUE(loadSyncConfig(tmpl, &c, &error)) << error;
    EXPECT_EQ(c.url, "https://s.example");
    EXPECT_FALSE(c.compress);
    EXPECT_EQ(c.attempts, 2u);
    ASSERT_EQ(c.headers.size(), 1u);
    EXPECT_EQ(c.headers[0].second, "Bearer x");
    std::ofstream(tmpl) << R"({"url":"x","proxy":"y"})";
    EXPECT_FALSE(loadSyncConfig(tmpl, &c, &error));
    EXPECT_NE(error.find("\"proxy\""), std::string::npos) << error;
    unlink(tmpl);
}

TEST_F(SyncClientTest, AnUntrustedCertificateIsNotRetried)
{
    HttpResponse bad;
    bad.status = 0;
    bad.error = "SSL certificate problem: unable to get local issuer certificate";
    bad.permanent = true;
    server.scripted["preflight"] = {bad};
    const SyncResult r = runSync(config());
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(sleeps.empty());
    EXPECT_EQ(server.seen.size(), 1u);
    EXPECT_NE(r.error.find("certificate problem"), std::string::npos) << r.error;
}
