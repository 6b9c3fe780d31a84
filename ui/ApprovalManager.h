// ApprovalManager.h - one ApprovalDialog per held start, stacked.
//
// Fed with drained event batches: a REQUEST opens a dialog (cascaded from
// the last one, each showing "n of m waiting"); a VERDICT for that hold
// (rule, timeout, console, pending list) closes it. The person's answer
// comes out as verdictChosen() (the bridge sends it) and, for "always", as
// ruleRequested() with the rule to add. Dialogs never block: the panel
// stays usable with any number open. GUI thread only.
#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>

#include <functional>

#include "ApprovalDialog.h"

class ApprovalManager : public QObject
{
    Q_OBJECT
public:
    // Dialogs are cascaded over dialogParent but are top-level windows.
    explicit ApprovalManager(QWidget *dialogParent, QObject *parent = nullptr);
    ~ApprovalManager() override;

    void setClock(ApprovalDialog::Clock clock) { m_clock = std::move(clock); }
    void setInputDelayMs(int ms) { m_inputDelayMs = ms; }
    void setUserNameResolver(std::function<QString(uint32_t)> resolver)
    {
        m_userName = std::move(resolver);
    }
    // false: requests are only listed, no dialog pops up.
    void setDialogsEnabled(bool enabled) { m_dialogsEnabled = enabled; }

    void handleEvents(const std::vector<pg::Event> &batch);
    // Answers a hold from elsewhere in the panel (the pending list).
    void decide(quint64 holdId, pg::Verdict verdict);
    // Closes every dialog (disconnect: the component applied the default).
    void closeAll();

    int count() const { return m_order.size(); }
    ApprovalDialog *dialog(quint64 holdId) const { return m_dialogs.value(holdId); }
    QList<quint64> holds() const { return m_order; }

signals:
    void verdictChosen(quint64 holdId, pg::Verdict verdict);
    void ruleRequested(const pg::Rule &rule);
    void countChanged(int count);

private:
    void open(const pg::Event &ev);
    void forget(quint64 holdId);
    void restack();

    QPointer<QWidget> m_dialogParent;
    ApprovalDialog::Clock m_clock;
    std::function<QString(uint32_t)> m_userName;
    int m_inputDelayMs = 800;
    bool m_dialogsEnabled = true;
    QHash<quint64, QPointer<ApprovalDialog>> m_dialogs;
    QList<quint64> m_order;
    int m_cascade = 0;
};
