#include "KernelLinkBridge.h"

#include <QDateTime>
#include <QMetaObject>
#include <QPointer>
#include <QTimer>

#include <algorithm>

class KernelLinkBridge::Sink : public pg::EventSink
{
public:
    explicit Sink(KernelLinkBridge *bridge) : m_bridge(bridge) {}

    void onEvents(std::vector<pg::Event> &&batch) override
    {
        bool post = false;
        {
            std::lock_guard<std::mutex> lock(m_bridge->m_mutex);
            if (m_bridge->m_queue.empty())
                m_bridge->m_queue = std::move(batch);
            else
                m_bridge->m_queue.insert(m_bridge->m_queue.end(),
                                         std::make_move_iterator(batch.begin()),
                                         std::make_move_iterator(batch.end()));
            post = !m_bridge->m_drainPosted;
            m_bridge->m_drainPosted = true;
        }
        if (post)
            QMetaObject::invokeMethod(m_bridge, &KernelLinkBridge::drain, Qt::QueuedConnection);
    }

    void onDisconnected(const pg::Error &error) override
    {
        const QString reason = error ? QString::fromStdString(error.message) : QString();
        KernelLinkBridge *bridge = m_bridge;
        QMetaObject::invokeMethod(
            bridge, [bridge, reason] { bridge->onLinkDisconnected(reason); }, Qt::QueuedConnection);
    }

private:
    KernelLinkBridge *m_bridge;
};

KernelLinkBridge::KernelLinkBridge(KernelClientFactory factory, QObject *parent)
    : QObject(parent), m_factory(std::move(factory)), m_facts(pg::makePlatformFactSource()),
      m_resolver(std::make_unique<pg::FactResolver>(*m_facts)), m_sink(std::make_unique<Sink>(this))
{
    m_thread.setObjectName(QStringLiteral("pg-link-ui"));
    m_worker = new QObject;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

KernelLinkBridge::~KernelLinkBridge()
{
    // Close on the worker (joins the link's reader), then stop the worker.
    QMetaObject::invokeMethod(
        m_worker,
        [this] {
            if (m_client) {
                m_client->close();
                m_client.reset();
            }
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void KernelLinkBridge::setFactSource(std::unique_ptr<pg::FactSource> facts)
{
    auto *raw = facts.release();
    QMetaObject::invokeMethod(
        m_worker,
        [this, raw] {
            m_resolver.reset();
            m_facts.reset(raw);
            m_resolver = std::make_unique<pg::FactResolver>(*m_facts);
        },
        Qt::BlockingQueuedConnection);
}

void KernelLinkBridge::post(std::function<void()> work)
{
    QMetaObject::invokeMethod(m_worker, std::move(work), Qt::QueuedConnection);
}

void KernelLinkBridge::connectTo(const QString &endpoint, const pg::ConnectOptions &options)
{
    const std::string ep = endpoint.toStdString();
    QPointer<KernelLinkBridge> self(this);
    post([this, self, ep, options] {
        if (m_client) {
            m_client->close();
            m_client.reset();
        }
        std::unique_ptr<KernelClient> client = m_factory(ep);
        pg::ConnectInfo info;
        const pg::Error error = client->connect(options, &info);
        if (error) {
            const QString message = QString::fromStdString(error.message);
            QMetaObject::invokeMethod(
                this, [this, message] { emit connectFailed(message); }, Qt::QueuedConnection);
            return;
        }
        client->start(m_sink.get());
        m_client = std::move(client);
        QMetaObject::invokeMethod(
            this,
            [this, info] {
                m_connected = true;
                emit connected(info);
            },
            Qt::QueuedConnection);
    });
}

void KernelLinkBridge::disconnectFromComponent()
{
    post([this] {
        if (m_client) {
            m_client->close(); // the sink reports the end (reason empty)
            m_client.reset();
        }
    });
}

void KernelLinkBridge::sendVerdict(quint64 holdId, pg::Verdict verdict)
{
    post([this, holdId, verdict] {
        if (!m_client)
            return;
        const pg::Error error = m_client->sendVerdicts({{holdId, verdict}});
        if (error) {
            const QString message = QString::fromStdString(error.message);
            QMetaObject::invokeMethod(
                this, [this, message] { emit requestFailed(message); }, Qt::QueuedConnection);
        }
    });
}

void KernelLinkBridge::setPolicy(const pg::Policy &policy)
{
    post([this, policy] {
        if (!m_client)
            return;
        const pg::Error error = m_client->setPolicy(policy);
        const QString message = QString::fromStdString(error.message);
        const bool failed = static_cast<bool>(error);
        QMetaObject::invokeMethod(
            this,
            [this, failed, message] {
                if (failed)
                    emit requestFailed(message);
                else
                    emit policyApplied();
            },
            Qt::QueuedConnection);
    });
}

void KernelLinkBridge::fetchPolicy()
{
    post([this] {
        if (!m_client)
            return;
        pg::Policy policy;
        const pg::Error error = m_client->getPolicy(&policy);
        const QString message = QString::fromStdString(error.message);
        const bool failed = static_cast<bool>(error);
        QMetaObject::invokeMethod(
            this,
            [this, failed, message, policy] {
                if (failed)
                    emit requestFailed(message);
                else
                    emit policyReceived(policy);
            },
            Qt::QueuedConnection);
    });
}

void KernelLinkBridge::fetchStatus()
{
    post([this] {
        if (!m_client)
            return;
        pg::Status status;
        if (!m_client->getStatus(&status))
            QMetaObject::invokeMethod(
                this, [this, status] { emit statusReceived(status); }, Qt::QueuedConnection);
    });
}

void KernelLinkBridge::drain()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_minDrainMs > 0 && now - m_lastDrainMs < m_minDrainMs) {
        // Too soon after the last drain: one more drain at the end of the interval.
        QTimer::singleShot(static_cast<int>(m_minDrainMs - (now - m_lastDrainMs)), this,
                           &KernelLinkBridge::drain);
        return;
    }
    std::vector<pg::Event> batch;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        batch.swap(m_queue);
        m_drainPosted = false;
    }
    m_lastDrainMs = now;
    // Holds for facts go to the worker first (see the header); the rest,
    // in order, to the panel.
    std::vector<pg::Event> facts;
    auto forFacts = [](const pg::Event &e) {
        return e.kind == pg::EventKind::Request && (e.flags & PG_EVF_FACTS) != 0;
    };
    for (const pg::Event &e : batch) {
        if (forFacts(e))
            facts.push_back(e);
    }
    if (!facts.empty()) {
        batch.erase(std::remove_if(batch.begin(), batch.end(), forFacts), batch.end());
        post([this, facts] { answerFacts(facts); });
    }
    if (!batch.empty())
        emit eventsReceived(batch);
}

void KernelLinkBridge::answerFacts(const std::vector<pg::Event> &requests)
{
    if (!m_client)
        return; // gone: the component released them with the default verdict
    std::vector<pg::Event> forPerson;
    pg::Policy policy;
    std::string why;
    if (pg::Error error = m_client->getPolicy(&policy)) {
        why = "Could not read the policy to check a signer: " + error.message;
        forPerson = requests;
    } else if (!m_resolver->setPolicy(policy, &why)) {
        forPerson = requests;
    } else {
        for (const pg::Event &request : requests) {
            const pg::Resolution r = m_resolver->resolve(request);
            const std::optional<pg::Verdict> v = pg::verdictForFacts(r, policy.mode);
            if (!v) {
                forPerson.push_back(request);
                continue;
            }
            std::string reason =
                r.decided ? "rule " + std::to_string(r.ruleId) + " (" + pg::toString(r.kind) + ")"
                          : std::string("no rule, ") + pg::toString(policy.mode) + " mode";
            if (r.signer)
                reason += "; " + r.signer->reason;
            const pg::Verdict verdict = *v;
            if (pg::Error failed = m_client->sendVerdicts({{request.holdId, verdict}})) {
                const QString message = QString::fromStdString(failed.message);
                QMetaObject::invokeMethod(
                    this, [this, message] { emit requestFailed(message); }, Qt::QueuedConnection);
                continue;
            }
            const QString text = QString::fromStdString(reason);
            QMetaObject::invokeMethod(
                this,
                [this, request, verdict, text] { emit factsAnswered(request, verdict, text); },
                Qt::QueuedConnection);
        }
    }
    if (!why.empty()) {
        const QString message = QString::fromStdString(why);
        QMetaObject::invokeMethod(
            this, [this, message] { emit requestFailed(message); }, Qt::QueuedConnection);
    }
    if (!forPerson.empty()) {
        QMetaObject::invokeMethod(
            this, [this, forPerson] { emit eventsReceived(forPerson); }, Qt::QueuedConnection);
    }
}

void KernelLinkBridge::onLinkDisconnected(const QString &reason)
{
    drain(); // events that arrived before the end still count
    m_connected = false;
    emit disconnected(reason);
}
