#include "LockSettingsDialog.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "PanelLock.h"

LockSettingsDialog::LockSettingsDialog(PanelLock *lock, QWidget *parent)
    : QDialog(parent), m_lock(lock)
{
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Panel lock"));
    auto *note = new QLabel(PanelLock::enforcementNote());
    note->setWordWrap(true);
    note->setStyleSheet(QStringLiteral("color: gray"));
    const auto password = [] {
        auto *edit = new QLineEdit;
        edit->setEchoMode(QLineEdit::Password);
        return edit;
    };
    m_current = password();
    m_new = password();
    m_repeat = password();
    m_message = new QLabel;
    m_message->setObjectName(QStringLiteral("lockMessage"));
    m_message->setWordWrap(true);
    m_save = new QPushButton;
    m_remove = new QPushButton(tr("&Remove PIN"));
    auto *close = new QPushButton(tr("Close"));
    connect(m_save, &QPushButton::clicked, this, &LockSettingsDialog::savePin);
    connect(m_remove, &QPushButton::clicked, this, &LockSettingsDialog::removePin);
    connect(close, &QPushButton::clicked, this, &QDialog::accept);

    auto *form = new QFormLayout;
    form->addRow(tr("Current PIN:"), m_current);
    form->addRow(tr("New PIN or password:"), m_new);
    form->addRow(tr("Repeat it:"), m_repeat);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_save);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    buttons->addWidget(close);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(note);
    layout->addLayout(form);
    layout->addWidget(m_message);
    layout->addLayout(buttons);
    setToolTip(PanelLock::enforcementNote());
    refresh();
}

QString LockSettingsDialog::messageText() const
{
    return m_message->text();
}

void LockSettingsDialog::refresh()
{
    const bool has = m_lock->hasPin();
    m_current->setEnabled(has);
    m_save->setText(has ? tr("&Change PIN") : tr("&Set PIN"));
    m_remove->setEnabled(has);
    m_current->clear();
    m_new->clear();
    m_repeat->clear();
}

bool LockSettingsDialog::savePin()
{
    const QString error = m_lock->setPin(m_current->text(), m_new->text(), m_repeat->text());
    if (!error.isEmpty()) {
        m_message->setText(error);
        return false;
    }
    m_message->setText(tr("PIN saved. The panel locks when you choose Lock or restart it."));
    refresh();
    return true;
}

bool LockSettingsDialog::removePin()
{
    const QString error = m_lock->removePin(m_current->text());
    if (!error.isEmpty()) {
        m_message->setText(error);
        return false;
    }
    m_message->setText(tr("PIN removed: the panel is no longer locked."));
    refresh();
    return true;
}
