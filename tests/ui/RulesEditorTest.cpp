// RulesEditorTest.cpp - rule validation with clear errors, the rules model
// contract, reordering and import/export.
#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "RuleValidator.h"
#include "RulesEditor.h"
#include "RulesModel.h"

namespace
{

pg::Rule rule(pg::RuleKind kind, const std::string &pattern,
              pg::Verdict action = pg::Verdict::Allow)
{
    pg::Rule r;
    r.kind = kind;
    r.pattern = pattern;
    r.action = action;
    return r;
}

} // namespace

class RulesEditorTest : public QObject
{
    Q_OBJECT
private slots:
    void validatorExplainsEachMistake_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("expected"); // substring of the error; empty: valid
        const int exact = static_cast<int>(pg::RuleKind::Exact);
        const int glob = static_cast<int>(pg::RuleKind::Glob);
        const int prefix = static_cast<int>(pg::RuleKind::Prefix);
        QTest::newRow("exact ok") << exact << "/usr/bin/ls"
                                  << "";
        QTest::newRow("glob ok") << glob << "/home/*/bin/*"
                                 << "";
        QTest::newRow("prefix ok") << prefix << "/opt/tools/"
                                   << "";
        QTest::newRow("windows ok") << exact << "C:\\Windows\\notepad.exe"
                                    << "";
        QTest::newRow("empty") << exact << ""
                               << "Enter the path";
        QTest::newRow("relative") << exact << "bin/ls"
                                  << "full path";
        QTest::newRow("spaces") << exact << " /bin/ls"
                                << "spaces";
        QTest::newRow("exact with star") << exact << "/bin/*"
                                         << "cannot contain * or ?";
        QTest::newRow("exact folder") << exact << "/bin/"
                                      << "names a program";
        QTest::newRow("glob without star") << glob << "/bin/ls"
                                           << "needs * or ?";
        QTest::newRow("prefix without slash") << prefix << "/usr/bin"
                                              << "must end with /";
    }
    void validatorExplainsEachMistake()
    {
        QFETCH(int, kind);
        QFETCH(QString, pattern);
        QFETCH(QString, expected);
        const QString error = RuleValidator::validate(
            rule(static_cast<pg::RuleKind>(kind), pattern.toStdString()), {});
        if (expected.isEmpty())
            QVERIFY2(error.isEmpty(), qPrintable(error));
        else
            QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void duplicatesAndContradictionsAreRejected()
    {
        const std::vector<pg::Rule> rules{rule(pg::RuleKind::Exact, "/bin/ls")};
        QVERIFY(RuleValidator::validate(rule(pg::RuleKind::Exact, "/bin/ls"), rules)
                    .contains(QStringLiteral("already exists")));
        QVERIFY(
            RuleValidator::validate(rule(pg::RuleKind::Exact, "/bin/ls", pg::Verdict::Block), rules)
                .contains(QStringLiteral("contradicts row 1")));
        // Editing row 0 into itself is fine.
        QVERIFY(RuleValidator::validate(rule(pg::RuleKind::Exact, "/bin/ls", pg::Verdict::Block),
                                        rules, 0)
                    .isEmpty());
    }

    void editorShowsTheErrorAndKeepsTheModel()
    {
        RulesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        RulesEditor editor(&model);
        editor.patternEdit()->setText(QStringLiteral("relative/path"));
        QTest::mouseClick(editor.addButton(), Qt::LeftButton);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(editor.errorText().contains(QStringLiteral("full path")));
        editor.patternEdit()->setText(QStringLiteral("/usr/bin/ls"));
        QTest::mouseClick(editor.addButton(), Qt::LeftButton);
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(editor.errorText().isEmpty());
    }

    void reorderUsesRowMoves()
    {
        RulesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.addRule(rule(pg::RuleKind::Exact, "/a")).isEmpty());
        QVERIFY(model.addRule(rule(pg::RuleKind::Exact, "/b")).isEmpty());
        QVERIFY(model.addRule(rule(pg::RuleKind::Exact, "/c")).isEmpty());
        QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
        QVERIFY(model.moveRule(0, 2));
        QVERIFY(model.moveRule(2, 1));
        QCOMPARE(moved.count(), 2);
        QCOMPARE(model.rules()[0].pattern, std::string("/b"));
        QCOMPARE(model.rules()[1].pattern, std::string("/a"));
        QCOMPARE(model.rules()[2].pattern, std::string("/c"));
        model.removeRule(1);
        QCOMPARE(model.rowCount(), 2);
    }

    void exportThenImportRoundTrips()
    {
        QTemporaryDir dir;
        RulesModel model;
        pg::Rule withUser = rule(pg::RuleKind::Prefix, "/home/kid/", pg::Verdict::Block);
        withUser.uid = 1001;
        QVERIFY(model.addRule(withUser).isEmpty());
        QVERIFY(model.addRule(rule(pg::RuleKind::Glob, "/usr/**")).isEmpty());
        const QString path = dir.filePath(QStringLiteral("rules.json"));
        QVERIFY(model.exportTo(path).isEmpty());
        RulesModel other;
        QVERIFY(other.importFrom(path).isEmpty());
        QCOMPARE(other.rowCount(), 2);
        QCOMPARE(other.rules()[0].uid.value_or(0), 1001u);
        QVERIFY(other.rules()[1].kind == pg::RuleKind::Glob);
        // A broken file changes nothing and says why.
        QFile bad(dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(R"({"rules":[{"action":"allow","kind":"exact","pattern":"rel"}]})");
        bad.close();
        QVERIFY(other.importFrom(bad.fileName()).contains(QStringLiteral("Nothing was imported")));
        QCOMPARE(other.rowCount(), 2);
    }
};

QTEST_MAIN(RulesEditorTest)
#include "RulesEditorTest.moc"
