// LifecycleController.h - runs pg::Lifecycle calls on a named worker thread
// ("pg-lifecycle") so that install/start/stop/uninstall, which may take
// seconds, never block the GUI thread. One call at a time; busy() is true
// while one runs. Results come back as queued signals on the GUI thread.
#pragma once

#include <QObject>
#include <QThread>

#include <memory>

#include "Lifecycle.h"

class LifecycleController : public QObject
{
    Q_OBJECT
public:
    enum class Action { Refresh, Install, Start, Stop, Uninstall };

    explicit LifecycleController(std::unique_ptr<pg::Lifecycle> lifecycle,
                                 QObject *parent = nullptr);
    ~LifecycleController() override;

    void run(Action action);
    bool busy() const { return m_busy; }
    pg::ComponentState state() const { return m_state; }
    QString describe() const { return m_description; }

signals:
    // error is empty on success.
    void finished(pg::ComponentState state, const QString &error);

private:
    std::shared_ptr<pg::Lifecycle> m_lifecycle; // used on m_thread only
    QThread m_thread;
    QObject *m_worker;
    bool m_busy = false;
    pg::ComponentState m_state = pg::ComponentState::Unknown;
    QString m_description;
};
