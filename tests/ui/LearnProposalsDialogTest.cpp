// LearnProposalsDialogTest.cpp - "Proposals from learning" in the rules
// editor: the journal's would-block starts become the same proposals as
// `procguardctl learn`, ticked ones join the rules, and what the rules
// already allow is not proposed again.
#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QStandardItemModel>
#include <QtTest>

#include "../support/EventBuilder.h"
#include "Journal.h"
#include "LearnProposalsDialog.h"
#include "RulesEditor.h"
#include "RulesModel.h"

namespace
{

// A VERDICT entry as the component reports it in monitor mode.
pg::Event wouldBlock(const std::string &image, uint16_t extraFlags = 0)
{
    static uint64_t hold = 0;
    ++hold;
    pg::Event e = pgtest::verdictEvent(hold, 100 + static_cast<uint32_t>(hold), 1, image,
                                       pg::Verdict::Allow, pg::Source::Mode);
    e.flags = PG_EVF_WOULD_BLOCK | extraFlags;
    return e;
}

std::string packageOf(const std::string &image)
{
    return image == "/usr/bin/ls" || image == "/usr/bin/cat" ? "coreutils" : "";
}

QStringList proposalTexts(const QStandardItemModel *m)
{
    QStringList texts;
    for (int row = 0; row < m->rowCount(); ++row)
        texts << m->item(row, 0)->text();
    return texts;
}

} // namespace

class LearnProposalsDialogTest : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_journal = std::make_unique<pg::Journal>();
        std::string error;
        QVERIFY2(m_journal->open(":memory:", {}, &error), error.c_str());
        pg::Event decided = pgtest::verdictEvent(900, 900, 1, "/usr/bin/decided",
                                                 pg::Verdict::Allow, pg::Source::Client);
        QVERIFY(m_journal->append({wouldBlock("/opt/tools/a"), wouldBlock("/opt/tools/b"),
                                   wouldBlock("/opt/tools/a"), wouldBlock("/usr/games/sol"),
                                   wouldBlock("/usr/bin/ls"), wouldBlock("/usr/bin/cat"),
                                   wouldBlock("/usr/local/bin/known"),
                                   wouldBlock("/usr/games/timed", PG_EVF_BUDGET), decided},
                                  &error));
    }

    void proposesWhatLockdownWouldBlockGroupedLikeTheCli()
    {
        RulesModel rules;
        pg::Rule known;
        known.pattern = "/usr/local/bin/known";
        QVERIFY(rules.addRule(known).isEmpty());
        LearnProposalsDialog dialog(&rules, m_journal.get(), packageOf);
        QAbstractItemModelTester tester(dialog.proposals(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Packages first, then folders and programs by path; the allowed
        // program, the budget warning and the person's decision are not there.
        QCOMPARE(proposalTexts(dialog.proposals()),
                 QStringList({QStringLiteral("trusted package coreutils"),
                              QStringLiteral("folder /opt/tools/"),
                              QStringLiteral("exact path /usr/games/sol")}));
        QCOMPARE(dialog.proposals()->item(1, 1)->text(), QStringLiteral("2"));
        QCOMPARE(dialog.proposals()->item(1, 2)->text(), QStringLiteral("3")); // starts
        QVERIFY(dialog.statusText().contains(QStringLiteral("3 proposed rules for 5 programs")));

        dialog.byPackageBox()->setChecked(false); // the programs one by one
        QCOMPARE(
            proposalTexts(dialog.proposals()),
            QStringList({QStringLiteral("folder /opt/tools/"), QStringLiteral("folder /usr/bin/"),
                         QStringLiteral("exact path /usr/games/sol")}));
    }

    void tickedProposalsBecomeRules()
    {
        RulesModel rules;
        LearnProposalsDialog dialog(&rules, m_journal.get(), packageOf);
        QCOMPARE(dialog.proposals()->rowCount(), 4); // "known" too: no rule allows it
        dialog.proposals()->item(3, 0)->setCheckState(Qt::Unchecked); // /usr/local/bin/known
        QCOMPARE(dialog.addChecked(), 3);
        QCOMPARE(rules.rowCount(), 3);
        QVERIFY(rules.rules()[0].kind == pg::RuleKind::Package);
        QCOMPARE(rules.rules()[0].pattern, std::string("coreutils"));
        QVERIFY(rules.rules()[1].kind == pg::RuleKind::Prefix);
        QVERIFY(rules.rules()[1].action == pg::Verdict::Allow);
        QVERIFY(dialog.statusText().contains(QStringLiteral("Added 3 rules")));
        // Only the one left out is still proposed.
        QCOMPARE(proposalTexts(dialog.proposals()),
                 QStringList({QStringLiteral("exact path /usr/local/bin/known")}));
    }

    void rulesEditorOpensTheProposals()
    {
        RulesModel rules;
        RulesEditor editor(&rules);
        editor.setJournal(m_journal.get(), packageOf);
        LearnProposalsDialog *dialog = editor.openProposals();
        QVERIFY(dialog != nullptr);
        QVERIFY(!dialog->isModal() || dialog->windowModality() != Qt::ApplicationModal);
        QCOMPARE(dialog->proposals()->rowCount(), 4);
        dialog->close();
        editor.setLocked(true);
        QVERIFY(editor.openProposals() == nullptr);

        RulesEditor noJournal(&rules);
        LearnProposalsDialog *empty = noJournal.openProposals();
        QCOMPARE(empty->proposals()->rowCount(), 0);
        QVERIFY(empty->statusText().contains(QStringLiteral("no event log")));
        empty->close();
    }

private:
    std::unique_ptr<pg::Journal> m_journal;
};

QTEST_MAIN(LearnProposalsDialogTest)
#include "LearnProposalsDialogTest.moc"
