#include "ApprovalManager.h"

#include <QDateTime>
#include <QGuiApplication>
#include <QScreen>

ApprovalManager::ApprovalManager(QWidget *dialogParent, QObject *parent)
    : QObject(parent), m_dialogParent(dialogParent),
      m_clock([] { return QDateTime::currentMSecsSinceEpoch(); }),
      m_userName([](uint32_t uid) { return QString::number(uid); })
{
}

ApprovalManager::~ApprovalManager()
{
    closeAll();
}

void ApprovalManager::handleEvents(const std::vector<pg::Event> &batch)
{
    for (const pg::Event &ev : batch) {
        if (ev.kind == pg::EventKind::Request && ev.holdId != 0 && !m_dialogs.contains(ev.holdId))
            open(ev);
        else if (ev.kind == pg::EventKind::Verdict && ev.holdId != 0 &&
                 m_dialogs.contains(ev.holdId)) {
            QPointer<ApprovalDialog> d = m_dialogs.value(ev.holdId);
            forget(ev.holdId);
            if (d)
                d->closeDecidedElsewhere();
        }
    }
}

void ApprovalManager::open(const pg::Event &ev)
{
    const ApprovalRequest request = ApprovalRequest::fromEvent(ev, m_userName(ev.uid), m_clock());
    if (!m_dialogsEnabled) {
        m_dialogs.insert(ev.holdId, nullptr);
        m_order.append(ev.holdId);
        emit countChanged(count());
        return;
    }
    // No parent: QDialog::open() makes a dialog window-modal, which would block
    // the main window; a top-level dialog blocks nothing.
    auto *dialog = new ApprovalDialog(request, m_clock, nullptr);
    dialog->setInputDelayMs(m_inputDelayMs);
    m_dialogs.insert(ev.holdId, dialog);
    m_order.append(ev.holdId);
    connect(dialog, &ApprovalDialog::decided, this, [this, request](const ApprovalDecision &d) {
        forget(d.holdId);
        emit verdictChosen(d.holdId, d.verdict);
        if (d.scope != RememberScope::Once)
            emit ruleRequested(ruleForDecision(request, d));
    });
    connect(dialog, &ApprovalDialog::expired, this, [this](quint64 holdId) { forget(holdId); });
    connect(dialog, &QObject::destroyed, this, [this, holdId = ev.holdId] {
        if (m_dialogs.contains(holdId) && m_dialogs.value(holdId).isNull())
            forget(holdId); // closed by the window manager: the hold keeps its timeout
    });

    // Cascade from the top-left quarter of the screen, wrapping after ten.
    QPoint origin(80, 80);
    if (m_dialogParent)
        origin = m_dialogParent->geometry().topLeft() + QPoint(60, 60);
    else if (const QScreen *screen = QGuiApplication::primaryScreen())
        origin = screen->availableGeometry().topLeft() + QPoint(80, 80);
    dialog->move(origin + QPoint(28, 28) * (m_cascade++ % 10));
    restack();
    dialog->open(); // non-modal: setModal(false) in the dialog; never exec()
    emit countChanged(count());
}

void ApprovalManager::decide(quint64 holdId, pg::Verdict verdict)
{
    // A hold whose dialog was closed without an answer still waits: it is
    // answered all the same (from the Pending approvals tab).
    if (m_dialogs.contains(holdId)) {
        QPointer<ApprovalDialog> d = m_dialogs.value(holdId);
        forget(holdId);
        if (d)
            d->closeDecidedElsewhere();
    }
    emit verdictChosen(holdId, verdict);
}

void ApprovalManager::closeAll()
{
    const auto dialogs = m_dialogs;
    m_dialogs.clear();
    m_order.clear();
    for (const QPointer<ApprovalDialog> &d : dialogs) {
        if (d)
            d->closeDecidedElsewhere();
    }
    m_cascade = 0;
    emit countChanged(0);
}

void ApprovalManager::forget(quint64 holdId)
{
    if (!m_dialogs.remove(holdId))
        return;
    m_order.removeOne(holdId);
    if (m_order.isEmpty())
        m_cascade = 0;
    restack();
    emit countChanged(count());
}

void ApprovalManager::restack()
{
    for (int i = 0; i < m_order.size(); ++i) {
        if (ApprovalDialog *d = m_dialogs.value(m_order[i]))
            d->setStackInfo(i + 1, m_order.size());
    }
}
