// RulesEditor.h - allow list and block list: a table of rules and a form
// to add, change, remove and reorder them, with the validation error shown
// under the form, and import/export to a file. applyRequested() asks the
// window to push the policy. GUI thread only.
#pragma once

#include <QWidget>

#include "RulesModel.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

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

    QLineEdit *patternEdit() const { return m_pattern; }
    QPushButton *addButton() const { return m_add; }

signals:
    void applyRequested();

private:
    int selectedRow() const;
    void showError(const QString &error);

    RulesModel *m_model;
    QTableView *m_view = nullptr;
    QComboBox *m_action = nullptr;
    QComboBox *m_kind = nullptr;
    QLineEdit *m_pattern = nullptr;
    QLineEdit *m_parent = nullptr;
    QLineEdit *m_uid = nullptr;
    QLabel *m_error = nullptr;
    QPushButton *m_add = nullptr;
};
