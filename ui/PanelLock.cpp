#include "PanelLock.h"

#include <QDir>
#include <QStandardPaths>

PanelLock::PanelLock(const QString &path, pg::PinStore::Clock clock, uint32_t iterations,
                     QObject *parent)
    : QObject(parent), m_store(path.toStdString(), std::move(clock), iterations)
{
    std::string error;
    if (!m_store.load(&error))
        m_loadError = QString::fromStdString(error);
    m_locked = m_store.hasPin();
}

QString PanelLock::defaultPath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
    QDir().mkpath(dir);
    return QDir(dir).filePath(QStringLiteral("panel-lock"));
}

QString PanelLock::enforcementNote()
{
    return tr("The PIN guards this panel only, so that someone at an unlocked session cannot "
              "change rules here. Who may change the policy at all is enforced by the kernel "
              "component's access check (root or the group procguard).");
}

int PanelLock::secondsToWait() const
{
    return static_cast<int>((m_store.msUntilNextAttempt() + 999) / 1000);
}

void PanelLock::setLocked(bool locked)
{
    if (m_locked == locked)
        return;
    m_locked = locked;
    emit lockedChanged(locked);
}

QString PanelLock::checkCurrent(const QString &current)
{
    std::string error;
    switch (m_store.verify(current.toStdString(), &error)) {
    case pg::PinStore::Check::Ok:
        return QString();
    case pg::PinStore::Check::Wrong: {
        const int wait = secondsToWait();
        return wait > 0 ? tr("Wrong PIN. Try again in %1 s.").arg(wait) : tr("Wrong PIN.");
    }
    case pg::PinStore::Check::TooSoon:
        return tr("Too many wrong attempts: try again in %1 s.").arg(secondsToWait());
    case pg::PinStore::Check::Error:
        break;
    }
    return QString::fromStdString(error);
}

QString PanelLock::unlock(const QString &pin)
{
    if (!m_locked)
        return QString();
    const QString error = checkCurrent(pin);
    if (error.isEmpty())
        setLocked(false);
    return error;
}

void PanelLock::lock()
{
    setLocked(m_store.hasPin());
}

QString PanelLock::setPin(const QString &current, const QString &newPin, const QString &repeat)
{
    if (m_store.hasPin()) {
        if (const QString error = checkCurrent(current); !error.isEmpty())
            return error;
    }
    if (newPin != repeat)
        return tr("The two new PINs differ; type the same PIN twice.");
    std::string error;
    if (!m_store.setPin(newPin.toStdString(), &error))
        return QString::fromStdString(error);
    m_loadError.clear();
    return QString();
}

QString PanelLock::removePin(const QString &current)
{
    if (!m_store.hasPin())
        return tr("No PIN is set.");
    if (const QString error = checkCurrent(current); !error.isEmpty())
        return error;
    std::string error;
    if (!m_store.removePin(&error))
        return QString::fromStdString(error);
    setLocked(false);
    return QString();
}
