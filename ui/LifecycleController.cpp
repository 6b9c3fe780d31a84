#include "LifecycleController.h"

#include <QMetaObject>

LifecycleController::LifecycleController(std::unique_ptr<pg::Lifecycle> lifecycle, QObject *parent)
    : QObject(parent), m_lifecycle(std::move(lifecycle)), m_worker(new QObject)
{
    m_description = QString::fromStdString(m_lifecycle->describe());
    m_thread.setObjectName(QStringLiteral("pg-lifecycle"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

LifecycleController::~LifecycleController()
{
    m_thread.quit();
    m_thread.wait(); // a running call is bounded by the lifecycle itself
}

void LifecycleController::run(Action action)
{
    if (m_busy)
        return;
    m_busy = true;
    std::shared_ptr<pg::Lifecycle> lifecycle = m_lifecycle;
    QMetaObject::invokeMethod(
        m_worker,
        [this, lifecycle, action] {
            pg::LifecycleError error;
            switch (action) {
            case Action::Refresh:
                break;
            case Action::Install:
                error = lifecycle->install();
                break;
            case Action::Start:
                error = lifecycle->start();
                break;
            case Action::Stop:
                error = lifecycle->stop();
                break;
            case Action::Uninstall:
                error = lifecycle->uninstall();
                break;
            }
            pg::LifecycleError stateError;
            const pg::ComponentState state = lifecycle->state(&stateError);
            QString message = QString::fromStdString(error ? error.message : stateError.message);
            QMetaObject::invokeMethod(
                this,
                [this, state, message] {
                    m_busy = false;
                    m_state = state;
                    emit finished(state, message);
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}
