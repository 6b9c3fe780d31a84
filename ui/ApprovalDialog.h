// ApprovalDialog.h - one non-modal dialog per held start (the KeePassXC
// access-prompt idiom: heap-allocated, open() never exec(), deletes itself
// when closed).
//
// Shows the program (name, icon, full path, command line), its parent and
// creator, the user, the SHA-256 of the image (computed off the GUI thread;
// "computing..." until then) and a countdown to the default verdict, which
// is named. Allow / Block apply with the chosen scope: once, or always for
// this program, this folder or this hash (a SHA-256 rule, offered once the
// hash is known: it follows the file when renamed or copied, and stops
// matching when the file changes).
//
// The buttons ignore input for inputDelayMs after the dialog appears, so a
// keystroke meant for another window cannot answer it. When the countdown
// reaches zero the dialog emits expired() and closes: the kernel component
// applies the default verdict itself. closeDecidedElsewhere() closes it when
// a rule, the console, the pending list or a timeout decided first.
#pragma once

#include <QDialog>
#include <QTimer>

#include <functional>

#include "ApprovalRequest.h"

class QComboBox;
class QLabel;
class QPushButton;

class ApprovalDialog : public QDialog
{
    Q_OBJECT
public:
    using Clock = std::function<qint64()>;

    explicit ApprovalDialog(const ApprovalRequest &request, Clock clock, QWidget *parent = nullptr);

    const ApprovalRequest &request() const { return m_request; }
    void setInputDelayMs(int ms) { m_inputDelayMs = ms; }
    void setStackInfo(int position, int total);
    // Seconds left, rounded up; -1 without a time limit.
    int secondsLeft() const;
    bool inputEnabled() const;
    void setScope(RememberScope scope);
    void setHash(const QString &sha256);
    QString hashText() const;

    QPushButton *allowButton() const { return m_allow; }
    QPushButton *blockButton() const { return m_block; }

    // Closes without answering (someone else decided).
    void closeDecidedElsewhere();

signals:
    void decided(const ApprovalDecision &decision);
    void expired(quint64 holdId);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void answer(pg::Verdict verdict);
    void updateCountdown();
    void startHashing();
    void setHashScopeAvailable(bool available);

    ApprovalRequest m_request;
    Clock m_clock;
    int m_inputDelayMs = 800;
    qint64 m_armedAtMs = -1;
    bool m_done = false;
    QTimer m_tick;
    QTimer m_arm;
    QLabel *m_title = nullptr;
    QLabel *m_stack = nullptr;
    QLabel *m_hash = nullptr;
    QLabel *m_countdown = nullptr;
    QComboBox *m_scope = nullptr;
    QPushButton *m_allow = nullptr;
    QPushButton *m_block = nullptr;
};
