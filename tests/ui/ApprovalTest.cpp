// ApprovalTest.cpp - approval dialogs: many at once, each resolving on its
// own; countdown to the named default verdict; "always" makes the right
// rule; the input-delay guard; closing when decided elsewhere; the pending
// list mirroring them.
#include <QAbstractItemModelTester>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

#include "ApprovalManager.h"
#include "../support/EventBuilder.h"
#include "PendingModel.h"

using namespace pgtest;

Q_DECLARE_METATYPE(pg::Verdict)
Q_DECLARE_METATYPE(pg::Rule)
Q_DECLARE_METATYPE(ApprovalDecision)

namespace
{

pg::Event request(uint64_t hold, const std::string &image = "/tmp/gate/prog",
                  uint32_t timeoutMs = 30000)
{
    pg::Event e = requestEvent(hold, 1000 + static_cast<uint32_t>(hold), 1, image);
    e.timeoutMs = timeoutMs;
    e.defaultVerdict = pg::Verdict::Block;
    e.cmdline = image + " --flag";
    return e;
}

} // namespace

class ApprovalTest : public QObject
{
    Q_OBJECT
private:
    qint64 m_now = 1000000;

private slots:
    void initTestCase()
    {
        qRegisterMetaType<pg::Verdict>();
        qRegisterMetaType<pg::Rule>();
        qRegisterMetaType<ApprovalDecision>();
    }

    void twentyDialogsStackAndResolveIndependently()
    {
        QWidget parent;
        ApprovalManager manager(&parent);
        manager.setInputDelayMs(0);
        QSignalSpy chosen(&manager, &ApprovalManager::verdictChosen);
        std::vector<pg::Event> batch;
        for (uint64_t hold = 1; hold <= 20; ++hold)
            batch.push_back(request(hold, "/tmp/gate/prog" + std::to_string(hold)));
        manager.handleEvents(batch);
        QCOMPARE(manager.count(), 20);
        QList<QPoint> positions;
        for (uint64_t hold = 1; hold <= 20; ++hold) {
            ApprovalDialog *d = manager.dialog(hold);
            QVERIFY(d != nullptr);
            QVERIFY(d->isVisible());
            QVERIFY(d->parentWidget() == nullptr);
            if (!positions.contains(d->pos()))
                positions.append(d->pos());
        }
        QVERIFY(positions.size() >= 10); // cascaded, not on top of each other

        // The panel stays usable: a click on the main window goes through
        // the window system (and its modality check) and reaches the button.
        auto *button = new QPushButton(QStringLiteral("panel"), &parent);
        button->resize(100, 30);
        parent.resize(200, 100);
        parent.show();
        QVERIFY(QTest::qWaitForWindowExposed(&parent));
        QSignalSpy clicked(button, &QPushButton::clicked);
        QTest::mouseClick(parent.windowHandle(), Qt::LeftButton, {}, button->geometry().center());
        QCOMPARE(clicked.count(), 1);
        const auto stack = manager.dialog(3)->findChildren<QLabel *>();
        bool counted = false;
        for (QLabel *l : stack)
            counted = counted || l->text() == QStringLiteral("3 of 20 waiting");
        QVERIFY(counted);

        // Answer a few in any order; the rest stay open.
        QTRY_VERIFY(manager.dialog(5)->inputEnabled());
        QTest::mouseClick(manager.dialog(5)->allowButton(), Qt::LeftButton);
        QTRY_VERIFY(manager.dialog(17)->inputEnabled());
        QTest::mouseClick(manager.dialog(17)->blockButton(), Qt::LeftButton);
        QCOMPARE(chosen.count(), 2);
        QCOMPARE(chosen.at(0).at(0).toULongLong(), 5ull);
        QVERIFY(chosen.at(0).at(1).value<pg::Verdict>() == pg::Verdict::Allow);
        QCOMPARE(chosen.at(1).at(0).toULongLong(), 17ull);
        QVERIFY(chosen.at(1).at(1).value<pg::Verdict>() == pg::Verdict::Block);
        QCOMPARE(manager.count(), 18);

        // Decided elsewhere (a rule, the console): that dialog closes itself.
        QPointer<ApprovalDialog> seven = manager.dialog(7);
        manager.handleEvents(
            {verdictEvent(7, 1007, 1, "/tmp/gate/prog7", pg::Verdict::Allow, pg::Source::Rule)});
        QTRY_VERIFY(seven.isNull());
        QCOMPARE(manager.count(), 17);
        QCOMPARE(chosen.count(), 2); // no verdict sent for it
        // Remaining dialogs renumbered.
        counted = false;
        for (QLabel *l : manager.dialog(20)->findChildren<QLabel *>())
            counted = counted || l->text() == QStringLiteral("17 of 17 waiting");
        QVERIFY(counted);
        // The rest still answer one by one.
        for (quint64 hold : manager.holds()) {
            QTRY_VERIFY(manager.dialog(hold)->inputEnabled());
            QTest::mouseClick(manager.dialog(hold)->blockButton(), Qt::LeftButton);
        }
        QCOMPARE(manager.count(), 0);
        QCOMPARE(chosen.count(), 19);
    }

    void countdownReachesTheNamedDefaultVerdict()
    {
        m_now = 1000000;
        ApprovalManager manager(nullptr);
        manager.setClock([this] { return m_now; });
        QSignalSpy chosen(&manager, &ApprovalManager::verdictChosen);
        manager.handleEvents({request(1, "/tmp/gate/slow", 3000)});
        QPointer<ApprovalDialog> d = manager.dialog(1);
        QCOMPARE(d->secondsLeft(), 3);
        QLabel *countdown = d->findChild<QLabel *>(QStringLiteral("countdown"));
        QVERIFY(countdown->text().contains(QStringLiteral("Block automatically in 3 s")));
        QSignalSpy expired(d.data(), &ApprovalDialog::expired);
        m_now += 1500;
        QTRY_VERIFY(countdown->text().contains(QStringLiteral("in 2 s")));
        m_now += 1600;
        QTRY_COMPARE(expired.count(), 1);
        QTRY_VERIFY(d.isNull());
        QCOMPARE(manager.count(), 0);
        QCOMPARE(chosen.count(), 0); // the component applies the default itself
    }

    void alwaysCreatesARuleForTheProgramOrTheFolder()
    {
        ApprovalManager manager(nullptr);
        manager.setInputDelayMs(0);
        QSignalSpy rules(&manager, &ApprovalManager::ruleRequested);
        manager.handleEvents(
            {request(1, "/tmp/gate/tool"), request(2, "/opt/kit/bin/run"), request(3)});
        manager.dialog(1)->setScope(RememberScope::Program);
        manager.dialog(2)->setScope(RememberScope::Folder);
        for (quint64 hold : {1ull, 2ull, 3ull})
            QTRY_VERIFY(manager.dialog(hold)->inputEnabled());
        QTest::mouseClick(manager.dialog(1)->allowButton(), Qt::LeftButton);
        QTest::mouseClick(manager.dialog(2)->blockButton(), Qt::LeftButton);
        QTest::mouseClick(manager.dialog(3)->allowButton(), Qt::LeftButton); // once: no rule
        QCOMPARE(rules.count(), 2);
        const pg::Rule program = rules.at(0).at(0).value<pg::Rule>();
        QVERIFY(program.kind == pg::RuleKind::Exact);
        QVERIFY(program.action == pg::Verdict::Allow);
        QCOMPARE(program.pattern, std::string("/tmp/gate/tool"));
        const pg::Rule folder = rules.at(1).at(0).value<pg::Rule>();
        QVERIFY(folder.kind == pg::RuleKind::Prefix);
        QVERIFY(folder.action == pg::Verdict::Block);
        QCOMPARE(folder.pattern, std::string("/opt/kit/bin/"));
    }

    void alwaysForThisHashCreatesASha256Rule()
    {
        ApprovalManager manager(nullptr);
        manager.setInputDelayMs(0);
        QSignalSpy rules(&manager, &ApprovalManager::ruleRequested);
        manager.handleEvents({request(1, "/tmp/gate/tool")});
        ApprovalDialog *d = manager.dialog(1);
        // The file does not exist: wait for the dialog's own hashing to end.
        QTRY_VERIFY(d->hashText().startsWith(QStringLiteral("unreadable")));
        const QString hash(64, QLatin1Char('A'));
        d->setHash(hash);
        d->setScope(RememberScope::Hash);
        QTRY_VERIFY(d->inputEnabled());
        QTest::mouseClick(d->blockButton(), Qt::LeftButton);
        QCOMPARE(rules.count(), 1);
        const pg::Rule rule = rules.at(0).at(0).value<pg::Rule>();
        QVERIFY(rule.kind == pg::RuleKind::Sha256);
        QVERIFY(rule.action == pg::Verdict::Block);
        QCOMPARE(rule.pattern, std::string(64, 'a'));
    }

    void hashScopeWithoutAKnownHashAnswersOnce()
    {
        ApprovalManager manager(nullptr);
        manager.setInputDelayMs(0);
        QSignalSpy rules(&manager, &ApprovalManager::ruleRequested);
        QSignalSpy chosen(&manager, &ApprovalManager::verdictChosen);
        manager.handleEvents({request(1, "/nonexistent/tool")});
        ApprovalDialog *d = manager.dialog(1);
        d->setHash(QStringLiteral("unreadable (No such file)"));
        d->setScope(RememberScope::Hash);
        QTRY_VERIFY(d->inputEnabled());
        QTest::mouseClick(d->allowButton(), Qt::LeftButton);
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(rules.count(), 0);
    }

    void buttonsIgnoreInputRightAfterAppearing()
    {
        ApprovalManager manager(nullptr);
        manager.setInputDelayMs(400);
        QSignalSpy chosen(&manager, &ApprovalManager::verdictChosen);
        manager.handleEvents({request(1)});
        ApprovalDialog *d = manager.dialog(1);
        QVERIFY(!d->inputEnabled());
        QTest::mouseClick(d->allowButton(), Qt::LeftButton);
        QTest::keyClick(d, Qt::Key_Return);
        QTest::keyClick(d, Qt::Key_A, Qt::AltModifier);
        QCOMPARE(chosen.count(), 0);
        QCOMPARE(manager.count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(d->inputEnabled(), 3000);
        QTest::mouseClick(d->allowButton(), Qt::LeftButton);
        QCOMPARE(chosen.count(), 1);
    }

    void dialogShowsWhatAPersonNeeds()
    {
        ApprovalManager manager(nullptr);
        pg::Event ev = request(1, QCoreApplication::applicationFilePath().toStdString());
        ev.creatorPid = 77;
        manager.handleEvents({ev});
        ApprovalDialog *d = manager.dialog(1);
        QStringList texts;
        for (QLabel *l : d->findChildren<QLabel *>())
            texts << l->text();
        const QString all = texts.join(QLatin1Char('\n'));
        QVERIFY(all.contains(QCoreApplication::applicationFilePath()));
        QVERIFY(all.contains(QStringLiteral("--flag")));
        QVERIFY(all.contains(QStringLiteral("created by pid 77")));
        QVERIFY(all.contains(QStringLiteral("Block automatically")));
        // SHA-256 of the image, computed off the GUI thread.
        QTRY_COMPARE(d->hashText().size(), 64);
        QFile self(QCoreApplication::applicationFilePath());
        QVERIFY(self.open(QIODevice::ReadOnly));
        QCOMPARE(d->hashText(),
                 QString::fromLatin1(
                     QCryptographicHash::hash(self.readAll(), QCryptographicHash::Sha256).toHex()));
    }

    void pendingListMirrorsRequests()
    {
        PendingModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        model.handleEvents({request(1), request(2), request(3)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(inserted.count(), 3);
        model.handleEvents({verdictEvent(2, 1002, 1, "/tmp/gate/prog", pg::Verdict::Block)});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(model.holdAt(1), 3ull);
        model.tick();
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(ApprovalTest)
#include "ApprovalTest.moc"
