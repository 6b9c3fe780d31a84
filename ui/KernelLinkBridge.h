// KernelLinkBridge.h - the panel's only door to the kernel component.
//
// Threads (the qBittorrent idiom):
//   - "pg-link-ui", a named QThread owned here, runs every blocking call:
//     connect, verdicts, policy, status. The GUI thread only posts work to
//     it and gets answers back as queued signals; it never waits on the
//     component.
//   - the link's own reader thread calls the sink, which appends the batch
//     to a queue under a mutex and, if no drain is pending, posts one queued
//     call to the GUI thread. The GUI thread drains everything queued by
//     then in one batch (eventsReceived), at most once per minimum interval,
//     so a storm of events costs one model update per refresh.
// Every signal is emitted on the GUI thread. Destroying the bridge closes
// the link (joining its reader) and stops the worker thread.
//
// Holds for facts: procguard.sys cannot verify a signature, so it holds a
// start a SIGNER rule could decide and sends a REQUEST marked PG_EVF_FACTS
// to the controlling client - the panel. The bridge answers those itself,
// as `procguardctl resolve` does: on the worker thread (a signature check
// reads the file) it fetches the policy in force, finds the facts through
// the FactSource (pg::makePlatformFactSource() unless a test sets one) and
// sends the rule's verdict, or lockdown's block / monitor's allow when no
// rule decides. Only what a person must decide (prompt mode, an ask rule,
// or a policy that cannot be read) reaches eventsReceived as a request.
#pragma once

#include <QObject>
#include <QString>
#include <QThread>

#include <memory>
#include <mutex>
#include <vector>

#include "FactResolver.h"
#include "KernelClient.h"

class KernelLinkBridge : public QObject
{
    Q_OBJECT
public:
    explicit KernelLinkBridge(KernelClientFactory factory, QObject *parent = nullptr);
    ~KernelLinkBridge() override;

    bool isConnected() const { return m_connected; }
    // Minimum time between two drains (ms); 0 drains on every poke.
    void setMinimumDrainInterval(int ms) { m_minDrainMs = ms; }

    void connectTo(const QString &endpoint, const pg::ConnectOptions &options);
    void disconnectFromComponent();
    void sendVerdict(quint64 holdId, pg::Verdict verdict);
    void setPolicy(const pg::Policy &policy);
    void fetchPolicy();
    void fetchStatus();
    // Replaces the platform's FactSource (tests); before connectTo().
    void setFactSource(std::unique_ptr<pg::FactSource> facts);

signals:
    void connected(const pg::ConnectInfo &info);
    void connectFailed(const QString &message);
    void disconnected(const QString &reason); // empty when we closed it
    void eventsReceived(const std::vector<pg::Event> &batch);
    void policyApplied();
    void policyReceived(const pg::Policy &policy);
    void statusReceived(const pg::Status &status);
    void requestFailed(const QString &message);
    // A hold for facts that the policy decided (already sent to the
    // component): which start, the verdict and why, for the panel's log.
    void factsAnswered(const pg::Event &request, pg::Verdict verdict, const QString &reason);

private:
    class Sink;
    void post(std::function<void()> work);
    void drain();
    void onLinkDisconnected(const QString &reason);
    void answerFacts(const std::vector<pg::Event> &requests); // worker thread

    KernelClientFactory m_factory;
    QThread m_thread;
    QObject *m_worker = nullptr;                  // lives on m_thread
    std::unique_ptr<KernelClient> m_client;       // used on m_thread only
    std::unique_ptr<pg::FactSource> m_facts;      // used on m_thread only
    std::unique_ptr<pg::FactResolver> m_resolver; // used on m_thread only
    std::unique_ptr<Sink> m_sink;
    bool m_connected = false; // GUI thread
    int m_minDrainMs = 30;
    qint64 m_lastDrainMs = 0;

    std::mutex m_mutex; // guards m_queue, m_drainPosted
    std::vector<pg::Event> m_queue;
    bool m_drainPosted = false;
};
