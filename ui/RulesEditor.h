// RulesEditor.h - allow list and block list: a table of rules and a form
// to add, change, remove and reorder them, with the validation error shown
// under the form, and import/export to a file. applyRequested() asks the
// window to push the policy. GUI thread only.
//
// The form covers every kind on the wire (exact path, pattern, folder,
// SHA-256 with "compute from a file", command line, trusted package), the
// actions allow/block/ask, a user or group condition, a parent program,
// letter case, and the message and link shown when the rule blocks, and
// when it applies (ScheduleEditor: days, time windows, a daily limit, how
// long it lasts). Editing a rule keeps time conditions the form does not
// show (see ScheduleEditor.h).
// "From learning..." opens LearnProposalsDialog over the panel's journal.
// "Test this path" runs the kernel component's own matcher over the rules
// being edited (pg::explainRules) and says which rule would decide and why,
// now or at a chosen local date and time (schedules and expiry then count:
// "would the game be allowed Saturday 17:00?").
// Hashing a file (for the form or the test) reads it on the GUI thread.
//
// setLocked(true) (the panel lock) disables every control that changes
// rules; the table and "test this path" stay usable.
#pragma once

#include <QWidget>

#include <functional>
#include <string>

#include "RulesModel.h"

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class ScheduleEditor;
class LearnProposalsDialog;

namespace pg
{
class Journal;
}

class RulesEditor : public QWidget
{
    Q_OBJECT
public:
    explicit RulesEditor(RulesModel *model, QWidget *parent = nullptr);

    QString errorText() const;
    // The form's rule (also for tests).
    pg::Rule formRule() const;
    void setForm(const pg::Rule &rule);

    // Buttons' actions, callable directly.
    bool addFromForm();
    bool updateFromForm();
    void removeSelected();
    void moveSelected(int delta);
    void importFile(const QString &path);
    void exportFile(const QString &path);
    // Puts the SHA-256 of path in the form (kind SHA-256); false and an
    // error when it cannot be read.
    bool hashFromFile(const QString &path);
    // "Test this path": the answer, also shown under the test fields.
    QString testPath(const QString &image, const QString &parent = QString(),
                     const QString &cmdline = QString());
    QString testResult() const;
    // The moment "test this path" explains at: "now" ticked (the default)
    // or the local date and time in the field beside it.
    QCheckBox *testNowBox() const { return m_testNow; }
    QDateTimeEdit *testAtEdit() const { return m_testAt; }

    // What happens when no rule matches, for the test ("in lockdown ...").
    void setPreviewMode(pg::Mode mode) { m_previewMode = mode; }
    void setPolicyCaseFold(bool fold) { m_policyCaseFold = fold; }

    void setLocked(bool locked);
    bool isLocked() const { return m_locked; }

    QLineEdit *patternEdit() const { return m_pattern; }
    QPushButton *addButton() const { return m_add; }
    QComboBox *kindBox() const { return m_kind; }
    QComboBox *actionBox() const { return m_action; }
    ScheduleEditor *scheduleEditor() const { return m_schedule; }
    // Where learning proposals come from (nullptr: none); packageOf as in
    // LearnProposalsDialog (tests pass their own).
    void setJournal(pg::Journal *journal,
                    std::function<std::string(const std::string &)> packageOf = {})
    {
        m_journal = journal;
        m_packageOf = std::move(packageOf);
    }
    // "From learning...": a non-modal dialog, deleted when closed;
    // nullptr while locked.
    LearnProposalsDialog *openProposals();
    // Selects row (as a click would: the form shows that rule).
    void selectRow(int row);

signals:
    void applyRequested();

private:
    int selectedRow() const;
    void showError(const QString &error);
    // What the form cannot turn into a rule (no id, no day ticked).
    QString formProblem() const;
    void updateKindHints();

    RulesModel *m_model;
    QTableView *m_view = nullptr;
    QComboBox *m_action = nullptr;
    QComboBox *m_kind = nullptr;
    QLineEdit *m_pattern = nullptr;
    QPushButton *m_hashButton = nullptr;
    QLineEdit *m_parent = nullptr;
    QComboBox *m_conditionKind = nullptr;
    QLineEdit *m_conditionId = nullptr;
    QCheckBox *m_caseFold = nullptr;
    QLineEdit *m_message = nullptr;
    QLineEdit *m_link = nullptr;
    ScheduleEditor *m_schedule = nullptr;
    pg::Journal *m_journal = nullptr;
    std::function<std::string(const std::string &)> m_packageOf;
    QLabel *m_error = nullptr;
    QPushButton *m_add = nullptr;
    QWidget *m_form = nullptr;
    QList<QWidget *> m_editing; // disabled while locked
    QLineEdit *m_testImage = nullptr;
    QLineEdit *m_testParent = nullptr;
    QLineEdit *m_testCmdline = nullptr;
    QLineEdit *m_testUid = nullptr;
    QCheckBox *m_testNow = nullptr;
    QDateTimeEdit *m_testAt = nullptr;
    QLabel *m_testResult = nullptr;
    pg::Mode m_previewMode = pg::Mode::Prompt;
    bool m_policyCaseFold = false;
    bool m_locked = false;
};
