// LearnProposalsDialog.h - "Proposals from learning": allow rules for what
// ran while the component was in monitor mode and lockdown would have
// blocked, for a person to tick and add to the rules being edited.
//
// The same proposals as `procguardctl learn` (LearnProposals.h: one rule
// per package, per folder with two or more programs, else per program),
// over the panel's journal instead of a live watch: every VERDICT entry
// flagged would-block (not a used-up budget). Programs that the rules being
// edited already allow (in lockdown, by the component's own matcher) are
// left out, so accepting proposals and reopening the dialog shows what is
// still missing. Nothing is sent: added rules join the rules model like
// rules typed into the form, and "Apply" sends them.
//
// Non-modal, opened with open(). Reading the journal and the package
// lists happens in reload(), on the GUI thread. GUI thread only.
#pragma once

#include <QDialog>

#include <functional>
#include <string>
#include <vector>

#include "Types.h"

class QCheckBox;
class QLabel;
class QPushButton;
class QStandardItemModel;
class QTableView;
class RulesModel;

namespace pg
{
class Journal;
}

class LearnProposalsDialog : public QDialog
{
    Q_OBJECT
public:
    // The package that installed a program, "" when none or unknown.
    using PackageOf = std::function<std::string(const std::string &)>;
    // packageOf: empty = dpkg's lists in /var/lib/dpkg/info, read on the
    // first reload() that groups by package.
    LearnProposalsDialog(RulesModel *rules, pg::Journal *journal, PackageOf packageOf = {},
                         QWidget *parent = nullptr);

    // Reads the journal again and lists the proposals, all ticked.
    void reload();
    // Adds the ticked proposals to the rules model; returns how many.
    int addChecked();

    QStandardItemModel *proposals() const { return m_proposals; }
    QCheckBox *byPackageBox() const { return m_byPackage; }
    QString statusText() const;

private:
    RulesModel *m_rules;
    pg::Journal *m_journal;
    PackageOf m_packageOf;
    QStandardItemModel *m_proposals = nullptr;
    QTableView *m_view = nullptr;
    QCheckBox *m_byPackage = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_add = nullptr;
    std::vector<pg::Rule> m_proposed; // row -> rule
};
