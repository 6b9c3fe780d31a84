#include "ApprovalDialog.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QStandardItemModel>
#include <QThreadPool>
#include <QVBoxLayout>

#include "RuleValidator.h"

namespace
{

QLabel *selectable(const QString &text)
{
    auto *label = new QLabel(text);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

QString verdictName(pg::Verdict v)
{
    return v == pg::Verdict::Allow ? ApprovalDialog::tr("Allow") : ApprovalDialog::tr("Block");
}

} // namespace

ApprovalDialog::ApprovalDialog(const ApprovalRequest &request, Clock clock, QWidget *parent)
    : QDialog(parent), m_request(request), m_clock(std::move(clock))
{
    setAttribute(Qt::WA_DeleteOnClose);
    setModal(false);
    setWindowTitle(tr("ProcGuard: allow %1?").arg(request.programName()));
    setWindowIcon(QIcon(QStringLiteral(":/icons/procguard.svg")));
    setObjectName(QStringLiteral("approval-%1").arg(request.holdId));

    auto *icon = new QLabel;
    icon->setPixmap(QIcon(QStringLiteral(":/icons/pending.svg")).pixmap(48, 48));
    m_title = new QLabel(tr("<b>%1</b> wants to start").arg(request.programName().toHtmlEscaped()));
    m_stack = new QLabel;
    auto *header = new QHBoxLayout;
    header->addWidget(icon);
    header->addWidget(m_title, 1);
    header->addWidget(m_stack);

    auto *form = new QFormLayout;
    form->addRow(tr("Path:"), selectable(request.image));
    form->addRow(tr("Command line:"),
                 selectable(request.cmdline.isEmpty() ? tr("(not known yet at decision time)")
                                                      : request.cmdline));
    QString parentText = tr("pid %1 %2").arg(request.ppid).arg(request.parentImage);
    if (request.creatorPid != 0 && request.creatorPid != request.ppid)
        parentText += tr("; created by pid %1").arg(request.creatorPid);
    form->addRow(tr("Parent:"), selectable(parentText));
    form->addRow(tr("User:"), selectable(request.user));
    m_hash = selectable(tr("computing..."));
    m_hash->setObjectName(QStringLiteral("hash"));
    form->addRow(tr("SHA-256:"), m_hash);

    m_countdown = new QLabel;
    m_countdown->setObjectName(QStringLiteral("countdown"));
    m_scope = new QComboBox;
    m_scope->addItem(tr("Only this time"), static_cast<int>(RememberScope::Once));
    m_scope->addItem(tr("Always, for this program"), static_cast<int>(RememberScope::Program));
    m_scope->addItem(tr("Always, for programs in this folder"),
                     static_cast<int>(RememberScope::Folder));
    m_scope->addItem(tr("Always, for this file's content (SHA-256)"),
                     static_cast<int>(RememberScope::Hash));
    setHashScopeAvailable(false); // until the hash is known
    m_scope->setToolTip(tr("A program or folder rule follows the path; a SHA-256 rule follows "
                           "the file's content wherever it is copied, and no longer matches "
                           "once the file changes."));

    m_allow = new QPushButton(QIcon(QStringLiteral(":/icons/allow.svg")), tr("&Allow"));
    m_block = new QPushButton(QIcon(QStringLiteral(":/icons/blocked.svg")), tr("&Block"));
    for (QPushButton *b : {m_allow, m_block}) {
        b->setAutoDefault(false); // Enter must not answer
        b->setDefault(false);
        b->setEnabled(false);
    }
    connect(m_allow, &QPushButton::clicked, this, [this] { answer(pg::Verdict::Allow); });
    connect(m_block, &QPushButton::clicked, this, [this] { answer(pg::Verdict::Block); });

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_scope, 1);
    buttons->addWidget(m_allow);
    buttons->addWidget(m_block);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addLayout(form);
    layout->addWidget(m_countdown);
    layout->addLayout(buttons);

    m_tick.setInterval(250);
    connect(&m_tick, &QTimer::timeout, this, &ApprovalDialog::updateCountdown);
    m_tick.start();
    m_arm.setSingleShot(true);
    connect(&m_arm, &QTimer::timeout, this, [this] {
        m_allow->setEnabled(true);
        m_block->setEnabled(true);
    });
    updateCountdown();
    startHashing();
}

void ApprovalDialog::showEvent(QShowEvent *event)
{
    QDialog::showEvent(event);
    if (m_armedAtMs < 0) {
        m_armedAtMs = m_clock();
        m_arm.start(m_inputDelayMs);
    }
}

bool ApprovalDialog::inputEnabled() const
{
    return m_allow->isEnabled();
}

void ApprovalDialog::setStackInfo(int position, int total)
{
    m_stack->setText(total > 1 ? tr("%1 of %2 waiting").arg(position).arg(total) : QString());
}

void ApprovalDialog::setScope(RememberScope scope)
{
    m_scope->setCurrentIndex(m_scope->findData(static_cast<int>(scope)));
}

void ApprovalDialog::setHash(const QString &sha256)
{
    m_hash->setText(sha256);
    setHashScopeAvailable(RuleValidator::isSha256(sha256));
}

void ApprovalDialog::setHashScopeAvailable(bool available)
{
    const int row = m_scope->findData(static_cast<int>(RememberScope::Hash));
    auto *model = qobject_cast<QStandardItemModel *>(m_scope->model());
    if (model != nullptr && row >= 0)
        model->item(row)->setEnabled(available);
    if (!available && m_scope->currentIndex() == row)
        m_scope->setCurrentIndex(0);
}

QString ApprovalDialog::hashText() const
{
    return m_hash->text();
}

int ApprovalDialog::secondsLeft() const
{
    if (m_request.timeoutMs == 0)
        return -1;
    const qint64 left = m_request.receivedMs + m_request.timeoutMs - m_clock();
    return left <= 0 ? 0 : static_cast<int>((left + 999) / 1000);
}

void ApprovalDialog::updateCountdown()
{
    if (m_done)
        return;
    const int left = secondsLeft();
    if (left < 0) {
        m_countdown->setText(tr("No time limit: %1 applies if the panel disconnects.")
                                 .arg(verdictName(m_request.defaultVerdict)));
        return;
    }
    m_countdown->setText(
        tr("%1 automatically in %2 s.").arg(verdictName(m_request.defaultVerdict)).arg(left));
    if (left == 0) {
        m_done = true;
        emit expired(m_request.holdId);
        close();
    }
}

void ApprovalDialog::answer(pg::Verdict verdict)
{
    if (m_done || !inputEnabled())
        return;
    m_done = true;
    ApprovalDecision d;
    d.holdId = m_request.holdId;
    d.verdict = verdict;
    d.scope = static_cast<RememberScope>(m_scope->currentData().toInt());
    if (d.scope == RememberScope::Hash) {
        if (!RuleValidator::isSha256(m_hash->text()))
            d.scope = RememberScope::Once; // never a rule for an unknown hash
        else
            d.sha256 = m_hash->text();
    }
    emit decided(d);
    close();
}

void ApprovalDialog::closeDecidedElsewhere()
{
    m_done = true;
    close();
}

void ApprovalDialog::startHashing()
{
    QPointer<ApprovalDialog> self(this);
    const QString path = m_request.image;
    QThreadPool::globalInstance()->start([self, path] {
        QFile file(path);
        QString text;
        if (file.open(QIODevice::ReadOnly)) {
            QCryptographicHash hash(QCryptographicHash::Sha256);
            hash.addData(&file);
            text = QString::fromLatin1(hash.result().toHex());
        } else {
            text = ApprovalDialog::tr("unreadable (%1)").arg(file.errorString());
        }
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, text] {
                if (self)
                    self->setHash(text);
            },
            Qt::QueuedConnection);
    });
}
