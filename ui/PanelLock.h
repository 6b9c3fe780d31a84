// PanelLock.h - the panel's PIN or password lock, over pg::PinStore.
//
// When a PIN is set the panel starts locked; while locked, the window
// disables every control that changes rules or settings (rules editor,
// kernel component and monitoring groups, "always" answers). unlock()
// checks the PIN (slow hash, growing delay after wrong attempts, both
// persisted by PinStore); lock() locks again.
//
// This is an extra guard in the panel, so that a child at an unlocked
// parent session cannot change rules. Who may change the policy at all is
// the kernel component's access check (root or the group procguard on
// Linux, Administrators on Windows). GUI thread only; unlock() and
// setPin() take a fraction of a second (the hash is slow on purpose).
#pragma once

#include <QObject>
#include <QString>

#include "PinStore.h"

class PanelLock : public QObject
{
    Q_OBJECT
public:
    // path: the PIN record (defaultPath() in the panel); iterations: fewer
    // in tests only.
    explicit PanelLock(const QString &path, pg::PinStore::Clock clock = {},
                       uint32_t iterations = pg::PinStore::kDefaultIterations,
                       QObject *parent = nullptr);

    // <configuration folder>/panel-lock, private to the user running the panel.
    static QString defaultPath();
    // The sentence tooltips and the settings dialog show.
    static QString enforcementNote();

    bool hasPin() const { return m_store.hasPin(); }
    bool isLocked() const { return m_locked; }
    // Seconds before the next attempt is checked (0: now).
    int secondsToWait() const;

    // Empty on success, else why not (wrong PIN, wait N s).
    QString unlock(const QString &pin);
    void lock();
    // Sets or changes the PIN; current must be right when one is set.
    QString setPin(const QString &current, const QString &newPin, const QString &repeat);
    QString removePin(const QString &current);
    // Why the record could not be read ("" when fine).
    QString loadError() const { return m_loadError; }

signals:
    void lockedChanged(bool locked);

private:
    QString checkCurrent(const QString &current);
    void setLocked(bool locked);

    pg::PinStore m_store;
    bool m_locked = false;
    QString m_loadError;
};
