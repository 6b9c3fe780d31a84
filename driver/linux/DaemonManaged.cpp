// DaemonManaged.cpp - the managed layer of procguardd: policy files in
// --policy-dir (default /etc/procguard/policy.d) that configuration
// management drops, on top of what clients set.
//
// How it fits the rest (see app/policy/ManagedPolicy.h for the rules of
// combination and of what a client may change):
//   - The policy in force (PolicyStore) is ONE policy: the managed rules
//     (PG_RULEF_MANAGED, ids from 0x80000000) followed by the local rules,
//     with the managed settings in place of the local ones. The core
//     matches the managed rules first (pg_rules.h, rule -1), the sentry
//     gets the same bytes, policy.bin persists them. The local layer is
//     always "the rules of the policy in force that are not managed", so
//     an expired or used-up local rule is never brought back by a reload.
//   - Files are read on PolicyDir's thread (never here: the main thread
//     must not open files once the marks exist), parsed and combined here.
//   - Each file is taken or rejected whole. A rejected file keeps its last
//     good version in force: from this run, or from
//     <state-dir>/managed-last-good, which keeps the text of every file's
//     last good version across restarts. Errors name the file and the JSON
//     pointer of the field; they go to the log and to GET_MANAGED
//     (procguardctl status, the panel).
//   - A client's SET_POLICY must carry every managed rule unchanged and
//     must not change a managed setting (PG_E_MANAGED otherwise, with a
//     sentence saying what); the daemon then installs the managed layer as
//     IT has it plus the client's local rules.
#include "Daemon.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>

#include "Log.h"
#include "Messages.h"
#include "ProcFs.h"

namespace
{

uint64_t wallNs()
{
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

std::string managedSummary(const pg::policy::ManagedLayer &m)
{
    std::string s = std::to_string(m.rules.size()) + " managed rule(s)";
    if (m.mode)
        s += std::string(", mode ") + pg::toString(*m.mode);
    if (m.defaultVerdict)
        s += std::string(", default ") + pg::toString(*m.defaultVerdict);
    if (m.timeoutMs)
        s += ", timeout " + std::to_string(*m.timeoutMs) + " ms";
    if (m.holdBudgetMs)
        s += ", hold budget " + std::to_string(*m.holdBudgetMs) + " ms";
    s += std::string(", local rules: ") + pg::policy::toString(m.localRules);
    return s;
}

} // namespace

bool Daemon::initManaged(std::string *error)
{
    const std::string &dir = m_options.m_policyDir;
    if (dir.empty())
        return true;
    // The last good version of each file, as the previous run saw them.
    const std::string savedPath = m_options.m_stateDir + "/managed-last-good";
    std::string saved;
    if (ProcFs::readFile(savedPath, &saved, 64u * 1024u * 1024u)) {
        const nlohmann::json j = nlohmann::json::parse(saved, nullptr, false);
        if (j.is_object() && j.contains("files") && j["files"].is_object()) {
            for (auto it = j["files"].begin(); it != j["files"].end(); ++it) {
                if (!it.value().is_string())
                    continue;
                ManagedFileState st;
                pg::policy::PolicyError pe;
                if (pg::policy::parseManagedSource(it.key(), it.value().get<std::string>(),
                                                   &st.good, &pe)) {
                    st.hasGood = true;
                    st.goodText = it.value().get<std::string>();
                    m_managedFiles[it.key()] = std::move(st);
                }
            }
        } else {
            PG_LOG_WARN("%s is not readable as saved policy files; ignored", savedPath.c_str());
        }
    }
    m_managedSaved = saved;
    m_managedWriter =
        std::make_unique<PolicyWriter>(savedPath, "last good managed policy", "pg-managed");
    m_managedWriter->start();

    m_policyDir = std::make_unique<PolicyDir>(dir);
    const PolicyDir::Snapshot snap = m_policyDir->readNow();
    if (!snap.dirExists)
        PG_LOG_INFO("policy directory %s does not exist (yet); it is watched for", dir.c_str());
    applyManagedSnapshot(snap, true);
    return m_policyDir->start(error);
}

void Daemon::stopManaged()
{
    // After the group is closed (as PolicyWriter's stop): its opens cannot
    // wait for us any more.
    if (m_policyDir)
        m_policyDir->stop();
    if (m_managedWriter)
        m_managedWriter->stop();
}

void Daemon::onPolicyDirChanged()
{
    if (!m_policyDir)
        return;
    std::optional<PolicyDir::Snapshot> snap = m_policyDir->take();
    if (snap)
        applyManagedSnapshot(*snap, false);
}

void Daemon::applyManagedSnapshot(const PolicyDir::Snapshot &snap, bool atStart)
{
    // 1. Each file now: taken, or rejected with its last good version kept.
    std::map<std::string, ManagedFileState> next;
    for (const PolicyDir::File &f : snap.files) {
        ManagedFileState st;
        const auto old = m_managedFiles.find(f.name);
        if (old != m_managedFiles.end()) {
            st.hasGood = old->second.hasGood;
            st.good = old->second.good;
            st.goodText = old->second.goodText;
        }
        std::string error;
        pg::policy::ManagedSource parsed;
        if (!f.readOk) {
            error = f.error;
        } else {
            pg::policy::PolicyError pe;
            if (pg::policy::parseManagedSource(f.path, f.text, &parsed, &pe)) {
                st.hasGood = true;
                st.good = std::move(parsed);
                st.goodText = f.text;
            } else {
                error = pe.message;
            }
        }
        if (!error.empty()) {
            const bool same = old != m_managedFiles.end() && old->second.error == error;
            std::string sentence = error;
            while (!sentence.empty() && sentence.back() == '.')
                sentence.pop_back();
            if (!same)
                PG_LOG_ERROR("policy file rejected: %s; %s", sentence.c_str(),
                             st.hasGood ? "its last good version stays in force"
                                        : "none of it is in force");
        } else if (old != m_managedFiles.end() && !old->second.error.empty()) {
            PG_LOG_INFO("policy file %s is valid again", f.path.c_str());
        }
        st.error = error;
        next[f.name] = std::move(st);
    }
    for (const auto &old : m_managedFiles)
        if (next.find(old.first) == next.end() && !atStart)
            PG_LOG_INFO("policy file %s/%s removed: its rules leave the policy",
                        m_policyDir->dir().c_str(), old.first.c_str());
    m_managedFiles = std::move(next);

    // 2. The last good texts, for the next start.
    {
        nlohmann::json files = nlohmann::json::object();
        for (const auto &f : m_managedFiles)
            if (f.second.hasGood)
                files[f.first] = f.second.goodText;
        nlohmann::json j;
        j["files"] = files;
        const std::string text = j.dump(2) + "\n";
        if (text != m_managedSaved && m_managedWriter) {
            m_managedSaved = text;
            m_managedWriter->submit(std::vector<uint8_t>(text.begin(), text.end()));
        }
    }

    // 3. The combined layer and the policy in force.
    std::vector<std::pair<std::string, pg::policy::ManagedSource>> sources;
    for (const auto &f : m_managedFiles)
        if (f.second.hasGood)
            sources.emplace_back(f.first, f.second.good);
    pg::policy::ManagedLayer layer = pg::policy::combineManaged(sources);

    pg::Policy current;
    const std::vector<uint8_t> bytes = m_policy.persistBytes();
    if (pg::msg::decodeSetPolicy(bytes, &current) != PG_OK) {
        PG_LOG_ERROR("the policy in force does not decode; the managed policy is not applied");
        return;
    }
    size_t dropped = 0;
    const pg::Policy composed = pg::policy::composeManaged(layer, current, &dropped);
    std::string why;
    std::vector<uint8_t> out = pg::msg::encodeSetPolicy(0, composed, &why);
    if (out.empty()) {
        PG_LOG_ERROR("the managed policy cannot be installed: %s", why.c_str());
        return;
    }
    const bool layerChanged =
        layer.flags() != m_managed.flags() || layer.rules.size() != m_managed.rules.size() ||
        out.size() != bytes.size() ||
        std::memcmp(out.data() + sizeof(pg_policy), bytes.data() + sizeof(pg_policy),
                    out.size() - sizeof(pg_policy)) != 0 ||
        composed.mode != current.mode || composed.defaultVerdict != current.defaultVerdict ||
        composed.timeoutMs != current.timeoutMs || composed.holdBudgetMs != current.holdBudgetMs;
    m_managed = std::move(layer);
    if (!layerChanged)
        return;
    m_managedChangedNs = wallNs();
    uint32_t detail = 0;
    const int rc = m_policy.apply(out.data(), out.size(), &detail);
    if (rc != PG_OK) {
        PG_LOG_ERROR("the managed policy cannot be installed (%s, rule %u)", pg_status_name(rc),
                     detail);
        return;
    }
    if (dropped != 0)
        PG_LOG_WARN("%zu local rule(s) left the policy: the managed policy allows %s local rules",
                    dropped,
                    m_managed.localRules == pg::policy::LocalRules::None ? "no" : "only block");
    const pg_policy &p = m_policy.policy();
    PG_LOG_INFO("managed policy from %s: %s; policy generation %llu: mode %s, %u rule(s)",
                m_options.m_policyDir.c_str(), managedSummary(m_managed).c_str(),
                static_cast<unsigned long long>(p.generation),
                pg::toString(static_cast<pg::Mode>(p.mode)), p.rule_count);
    if (m_writer)
        m_writer->submit(m_policy.persistBytes());
    if (atStart)
        return; // init goes on with the policy in force (caches, budgets, marks)
    m_gate.flushCache();
    if (m_policy.hasKind(PG_RULE_PACKAGE) && m_packages)
        m_packages->rebuild();
    afterPolicyChange(static_cast<int64_t>(wallNs() / 1000000));
    pg_event ev = makeEvent(PG_EV_POLICY, 0);
    emit(ev, std::string(), std::string(), std::string(), false);
}

bool Daemon::composeClientPolicy(ClientConnection &c, uint64_t requestId, const uint8_t *msg,
                                 uint32_t size, std::vector<uint8_t> *out)
{
    const std::vector<uint8_t> bytes(msg, msg + size);
    pg::Policy proposed;
    const int rc = pg::msg::decodeSetPolicy(bytes, &proposed);
    if (rc != PG_OK) {
        sendResult(c, requestId, static_cast<uint32_t>(rc), 0, pg_status_name(rc));
        return false;
    }
    const bool anyManaged = std::any_of(proposed.rules.begin(), proposed.rules.end(),
                                        [](const pg::Rule &r) { return r.managed; });
    if (m_managed.empty() && !anyManaged) {
        *out = bytes; // nothing managed: the policy as sent
        return true;
    }
    std::string why;
    if (!pg::policy::checkAgainstManaged(m_managed, proposed, &why)) {
        PG_LOG_WARN("client %llu: policy refused: %s", static_cast<unsigned long long>(c.id()),
                    why.c_str());
        sendResult(c, requestId, PG_E_MANAGED, 0, why.c_str());
        return false;
    }
    const pg::Policy composed = pg::policy::composeManaged(m_managed, proposed);
    *out = pg::msg::encodeSetPolicy(requestId, composed, &why);
    if (out->empty()) {
        sendResult(c, requestId, PG_E_RANGE, 0, "the policy does not fit with the managed rules");
        return false;
    }
    return true;
}

void Daemon::sendManaged(ClientConnection &c, uint64_t requestId)
{
    pg::ManagedStatus m;
    m.supported = true;
    m.source = m_options.m_policyDir;
    m.flags = m_managed.flags();
    m.ruleCount = static_cast<uint32_t>(m_managed.rules.size());
    m.changedNs = m_managedChangedNs;
    for (const auto &f : m_managedFiles) {
        pg::ManagedFile file;
        file.name = f.first;
        file.error = f.second.error;
        if (f.second.error.empty())
            file.state = pg::ManagedFile::State::InForce;
        else if (f.second.hasGood)
            file.state = pg::ManagedFile::State::Rejected;
        else
            file.state = pg::ManagedFile::State::RejectedNone;
        if (!f.second.error.empty())
            ++m.rejected;
        file.ruleCount = m_managed.ruleCountOf(f.first);
        m.files.push_back(std::move(file));
    }
    std::vector<uint8_t> reply = pg::msg::encodeManaged(requestId, m);
    c.queue(reply.data(), reply.size());
}
