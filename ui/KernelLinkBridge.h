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
#pragma once

#include <QObject>
#include <QString>
#include <QThread>

#include <memory>
#include <mutex>
#include <vector>

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

signals:
    void connected(const pg::ConnectInfo &info);
    void connectFailed(const QString &message);
    void disconnected(const QString &reason); // empty when we closed it
    void eventsReceived(const std::vector<pg::Event> &batch);
    void policyApplied();
    void policyReceived(const pg::Policy &policy);
    void statusReceived(const pg::Status &status);
    void requestFailed(const QString &message);

private:
    class Sink;
    void post(std::function<void()> work);
    void drain();
    void onLinkDisconnected(const QString &reason);

    KernelClientFactory m_factory;
    QThread m_thread;
    QObject *m_worker = nullptr;            // lives on m_thread
    std::unique_ptr<KernelClient> m_client; // used on m_thread only
    std::unique_ptr<Sink> m_sink;
    bool m_connected = false; // GUI thread
    int m_minDrainMs = 30;
    qint64 m_lastDrainMs = 0;

    std::mutex m_mutex; // guards m_queue, m_drainPosted
    std::vector<pg::Event> m_queue;
    bool m_drainPosted = false;
};
