// LockSettingsDialog.h - set, change or remove the panel lock's PIN.
// Non-modal (open()); the current PIN is asked for whenever one is set.
// Shows, and repeats in its tooltip, that the kernel component's access
// check is the real enforcement and the PIN an extra guard in the panel.
#pragma once

#include <QDialog>

class PanelLock;
class QLabel;
class QLineEdit;
class QPushButton;

class LockSettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit LockSettingsDialog(PanelLock *lock, QWidget *parent = nullptr);

    QLineEdit *currentEdit() const { return m_current; }
    QLineEdit *newEdit() const { return m_new; }
    QLineEdit *repeatEdit() const { return m_repeat; }
    QString messageText() const;

    // The buttons' actions; true on success.
    bool savePin();
    bool removePin();

private:
    void refresh();

    PanelLock *m_lock;
    QLineEdit *m_current = nullptr;
    QLineEdit *m_new = nullptr;
    QLineEdit *m_repeat = nullptr;
    QLabel *m_message = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_remove = nullptr;
};
