// RulesEditorTest.cpp - rule validation with clear errors, the rules model
// contract, reordering and import/export.
#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QDateTimeEdit>
#include <QFile>
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
        const int sha = static_cast<int>(pg::RuleKind::Sha256);
        const int cmd = static_cast<int>(pg::RuleKind::Cmdline);
        const int pkg = static_cast<int>(pg::RuleKind::Package);
        QTest::newRow("sha256 ok") << sha << QString(64, QLatin1Char('F')) << "";
        QTest::newRow("sha256 short") << sha << QString(63, QLatin1Char('a')) << "64 hex digits";
        QTest::newRow("sha256 not hex") << sha << QString(64, QLatin1Char('g')) << "64 hex digits";
        QTest::newRow("sha256 empty") << sha << ""
                                      << "compute it from a file";
        QTest::newRow("cmdline ok") << cmd << "*/firefox *--private-window*"
                                    << "";
        QTest::newRow("cmdline empty") << cmd << ""
                                       << "command-line pattern";
        QTest::newRow("package ok") << pkg << "lib*"
                                    << "";
        QTest::newRow("package slash") << pkg << "usr/bin"
                                       << "package name";
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

    void conditionsMessagesAndLinksAreChecked()
    {
        pg::Rule r = rule(pg::RuleKind::Exact, "/usr/games/sol", pg::Verdict::Block);
        r.uid = 1000;
        r.gid = 100;
        QVERIFY(RuleValidator::validate(r, {}).contains(QStringLiteral("not both")));
        r.uid.reset();
        QVERIFY(RuleValidator::validate(r, {}).isEmpty());
        r.parent = QStringLiteral("steam").toStdString();
        QVERIFY(RuleValidator::validate(r, {}).contains(QStringLiteral("parent")));
        r.parent = "/usr/bin/steam";
        r.message = "Games are for after homework";
        r.link = "ftp://example.org";
        QCOMPARE(RuleValidator::check(r, {}).field, RuleValidator::Field::Link);
        r.link = "https://example.org/rules";
        QVERIFY(RuleValidator::validate(r, {}).isEmpty());
        r.message = std::string(PG_MAX_RULE_MESSAGE_BYTES, 'x');
        QVERIFY(RuleValidator::validate(r, {}).contains(QStringLiteral("too long")));
        r.message = "shown";
        r.action = pg::Verdict::Allow;
        QCOMPARE(RuleValidator::check(r, {}).field, RuleValidator::Field::Message);
        r.action = pg::Verdict::Ask;
        QVERIFY(RuleValidator::validate(r, {}).isEmpty());
        r.action = pg::Verdict::None;
        QVERIFY(RuleValidator::validate(r, {}).contains(QStringLiteral("allows, blocks or asks")));
        // Hashes are the same target whatever their letter case.
        const std::vector<pg::Rule> rules{
            rule(pg::RuleKind::Sha256, std::string(64, 'a'), pg::Verdict::Allow)};
        QVERIFY(RuleValidator::validate(
                    rule(pg::RuleKind::Sha256, std::string(64, 'A'), pg::Verdict::Block), rules)
                    .contains(QStringLiteral("contradicts row 1")));
    }

    void formCarriesEveryField()
    {
        RulesModel model;
        RulesEditor editor(&model);
        pg::Rule r = rule(pg::RuleKind::Cmdline, "*--private*", pg::Verdict::Ask);
        r.gid = 100;
        r.parent = "/usr/bin/*";
        r.caseFold = true;
        r.message = "Ask a parent";
        r.link = "https://example.org";
        editor.setForm(r);
        const pg::Rule back = editor.formRule();
        QVERIFY(back.kind == r.kind && back.action == r.action);
        QCOMPARE(back.pattern, r.pattern);
        QCOMPARE(back.gid.value_or(0), 100u);
        QVERIFY(!back.uid);
        QCOMPARE(back.parent, r.parent);
        QVERIFY(back.caseFold);
        QCOMPARE(back.message, r.message);
        QCOMPARE(back.link, r.link);
        QVERIFY(editor.addFromForm());
        QCOMPARE(model.rules()[0].message, r.message);
    }

    void hashIsComputedFromAChosenFile()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("prog")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("abc");
        file.close();
        RulesModel model;
        RulesEditor editor(&model);
        QVERIFY(editor.hashFromFile(file.fileName()));
        QVERIFY(editor.formRule().kind == pg::RuleKind::Sha256);
        QCOMPARE(
            editor.patternEdit()->text(),
            QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QVERIFY(!editor.hashFromFile(dir.filePath(QStringLiteral("missing"))));
        QVERIFY(editor.errorText().contains(QStringLiteral("Cannot read")));
    }

    void testThisPathNamesTheDecidingRule()
    {
        QTemporaryDir dir;
        const std::string game = dir.filePath(QStringLiteral("game")).toStdString();
        QFile file(QString::fromStdString(game));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("abc");
        file.close();
        RulesModel model;
        QVERIFY(
            model.addRule(rule(pg::RuleKind::Prefix, dir.path().toStdString() + "/")).isEmpty());
        QVERIFY(
            model
                .addRule(rule(pg::RuleKind::Sha256,
                              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                              pg::Verdict::Block))
                .isEmpty());
        RulesEditor editor(&model);
        const QString answer = editor.testPath(QString::fromStdString(game));
        QVERIFY2(answer.startsWith(QStringLiteral("Rule 2 decides: block")), qPrintable(answer));
        QCOMPARE(editor.testResult(), answer);
        editor.setPreviewMode(pg::Mode::Lockdown);
        QVERIFY(
            editor.testPath(QStringLiteral("/elsewhere/x")).contains(QStringLiteral("lockdown")));
    }

    void testPathAtAChosenMomentFollowsTheSchedule()
    {
        RulesModel model;
        pg::Rule game = rule(pg::RuleKind::Exact, "/usr/games/tetris");
        game.time.days = 0x20;                        // Saturday
        game.time.windows = {{16 * 3600, 18 * 3600}}; // 16:00 to 18:00 local time
        QVERIFY(model.addRule(game).isEmpty());
        RulesEditor editor(&model);
        editor.setPreviewMode(pg::Mode::Lockdown);
        QVERIFY(editor.testNowBox()->isChecked());
        QVERIFY(!editor.testAtEdit()->isEnabled());
        editor.testNowBox()->setChecked(false);
        QVERIFY(editor.testAtEdit()->isEnabled());

        const QDate saturday(2026, 11, 21);
        editor.testAtEdit()->setDateTime(QDateTime(saturday, QTime(17, 0)));
        const QString inside = editor.testPath(QStringLiteral("/usr/games/tetris"));
        QVERIFY2(inside.startsWith(QStringLiteral("Rule 1 decides: allow")), qPrintable(inside));

        editor.testAtEdit()->setDateTime(QDateTime(saturday, QTime(19, 0)));
        const QString after = editor.testPath(QStringLiteral("/usr/games/tetris"));
        QVERIFY2(!after.contains(QStringLiteral("decides")), qPrintable(after));
        QVERIFY2(after.contains(QStringLiteral("lockdown")), qPrintable(after));
        QVERIFY2(after.contains(QStringLiteral("Rule 1 would allow, but it is not in force")),
                 qPrintable(after));

        editor.testAtEdit()->setDateTime(QDateTime(saturday.addDays(-1), QTime(17, 0)));
        const QString friday = editor.testPath(QStringLiteral("/usr/games/tetris"));
        QVERIFY2(friday.contains(QStringLiteral("not in force")), qPrintable(friday));
    }

    void lockedEditorRefusesChanges()
    {
        RulesModel model;
        RulesEditor editor(&model);
        editor.show();
        editor.setLocked(true);
        QVERIFY(!editor.addButton()->isEnabled());
        QVERIFY(!editor.patternEdit()->isEnabled());
        editor.setForm(rule(pg::RuleKind::Exact, "/usr/bin/ls"));
        QVERIFY(!editor.addFromForm());
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!editor.testPath(QStringLiteral("/usr/bin/ls")).isEmpty()); // still usable
        editor.setLocked(false);
        QVERIFY(editor.addButton()->isEnabled());
        QVERIFY(editor.addFromForm());
        QCOMPARE(model.rowCount(), 1);
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

    void managedRulesAreMarkedAndCannotBeChangedHere()
    {
        QTemporaryDir dir;
        RulesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        pg::Rule managed = rule(pg::RuleKind::Prefix, "/srv/games/", pg::Verdict::Block);
        managed.id = 0x80000000u;
        managed.managed = true;
        pg::Rule local = rule(pg::RuleKind::Exact, "/usr/bin/editor");
        local.id = 1;
        model.setRules({managed, local});
        QVERIFY(model.data(model.index(0, RulesModel::Action))
                    .toString()
                    .contains(QStringLiteral("managed")));
        QVERIFY(!model.data(model.index(1, RulesModel::Action))
                     .toString()
                     .contains(QStringLiteral("managed")));
        QVERIFY(model.data(model.index(0, RulesModel::Pattern), Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("policy file")));
        QVERIFY(!model.removeRule(0).isEmpty());
        QVERIFY(!model.updateRule(0, rule(pg::RuleKind::Prefix, "/srv/")).isEmpty());
        QVERIFY(!model.moveRule(1, 0));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rules()[0].pattern, std::string("/srv/games/"));
        // Exported: only the local rule; imported: the managed rule stays.
        const QString path = dir.filePath(QStringLiteral("rules.json"));
        QVERIFY(model.exportTo(path).isEmpty());
        QVERIFY(model.removeRule(1).isEmpty());
        QVERIFY(model.importFrom(path).isEmpty());
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(model.rules()[0].managed);
        QCOMPARE(model.rules()[1].pattern, std::string("/usr/bin/editor"));
    }

    void exportThenImportRoundTrips()
    {
        QTemporaryDir dir;
        RulesModel model;
        pg::Rule withUser = rule(pg::RuleKind::Prefix, "/home/kid/", pg::Verdict::Block);
        withUser.uid = 1001;
        withUser.message = "Not for you";
        withUser.link = "https://example.org/help";
        QVERIFY(model.addRule(withUser).isEmpty());
        pg::Rule withGroup = rule(pg::RuleKind::Package, "*", pg::Verdict::Ask);
        withGroup.gid = 100;
        QVERIFY(model.addRule(withGroup).isEmpty());
        QVERIFY(model.addRule(rule(pg::RuleKind::Glob, "/usr/**")).isEmpty());
        const QString path = dir.filePath(QStringLiteral("rules.json"));
        QVERIFY(model.exportTo(path).isEmpty());
        RulesModel other;
        QVERIFY(other.importFrom(path).isEmpty());
        QCOMPARE(other.rowCount(), 3);
        QCOMPARE(other.rules()[0].uid.value_or(0), 1001u);
        QCOMPARE(other.rules()[0].message, std::string("Not for you"));
        QCOMPARE(other.rules()[0].link, std::string("https://example.org/help"));
        QCOMPARE(other.rules()[1].gid.value_or(0), 100u);
        QVERIFY(other.rules()[1].action == pg::Verdict::Ask);
        QVERIFY(other.rules()[2].kind == pg::RuleKind::Glob);
        // A broken file changes nothing and says why.
        QFile bad(dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(R"({"rules":[{"action":"allow","kind":"exact","pattern":"rel"}]})");
        bad.close();
        QVERIFY(other.importFrom(bad.fileName()).contains(QStringLiteral("Nothing was imported")));
        QCOMPARE(other.rowCount(), 3);
    }
};

QTEST_MAIN(RulesEditorTest)
#include "RulesEditorTest.moc"
