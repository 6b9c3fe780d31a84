// PinDialog.h - asks for the panel lock's PIN and unlocks PanelLock.
// Non-modal (open(), never exec()); closes itself when the PIN is right,
// otherwise shows why (wrong, or how long to wait). Deletes itself when
// closed.
#pragma once

#include <QDialog>

class PanelLock;
class QLabel;
class QLineEdit;
class QPushButton;

class PinDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PinDialog(PanelLock *lock, QWidget *parent = nullptr);

    QLineEdit *pinEdit() const { return m_pin; }
    QPushButton *unlockButton() const { return m_unlock; }
    QString errorText() const;

    // The unlock button's action.
    bool tryUnlock();

private:
    PanelLock *m_lock;
    QLineEdit *m_pin = nullptr;
    QLabel *m_error = nullptr;
    QPushButton *m_unlock = nullptr;
};
