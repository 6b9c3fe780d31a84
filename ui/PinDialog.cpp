#include "PinDialog.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "PanelLock.h"

PinDialog::PinDialog(PanelLock *lock, QWidget *parent) : QDialog(parent), m_lock(lock)
{
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Unlock ProcGuard"));
    auto *text = new QLabel(tr("Enter the PIN or password to change rules and settings."));
    text->setWordWrap(true);
    text->setToolTip(PanelLock::enforcementNote());
    m_pin = new QLineEdit;
    m_pin->setObjectName(QStringLiteral("pin"));
    m_pin->setEchoMode(QLineEdit::Password);
    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("pinError"));
    m_error->setStyleSheet(QStringLiteral("color: #c53030"));
    m_error->setWordWrap(true);
    m_unlock = new QPushButton(tr("&Unlock"));
    m_unlock->setDefault(true);
    auto *cancel = new QPushButton(tr("Cancel"));
    connect(m_unlock, &QPushButton::clicked, this, &PinDialog::tryUnlock);
    connect(cancel, &QPushButton::clicked, this, &QDialog::reject);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_unlock);
    buttons->addWidget(cancel);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addWidget(m_pin);
    layout->addWidget(m_error);
    layout->addLayout(buttons);
}

QString PinDialog::errorText() const
{
    return m_error->text();
}

bool PinDialog::tryUnlock()
{
    const QString error = m_lock->unlock(m_pin->text());
    m_pin->clear();
    m_error->setText(error);
    if (!error.isEmpty())
        return false;
    accept();
    return true;
}
