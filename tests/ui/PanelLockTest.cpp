// PanelLockTest.cpp - the panel lock: a set PIN starts the panel locked,
// locked means the rules editor, the kernel component and monitoring
// groups are disabled and "always" answers add no rule, a wrong PIN is
// refused and delayed, the right one unlocks; the settings dialog sets,
// changes and removes the PIN.
#include <QGroupBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "FakeKernelClient.h"
#include "LockSettingsDialog.h"
#include "MainWindow.h"
#include "PanelLock.h"
#include "PinDialog.h"
#include "RulesEditor.h"
#include "RulesModel.h"

class PanelLockTest : public QObject
{
    Q_OBJECT
private:
    static constexpr uint32_t kFastIterations = 1000;

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("ProcGuardTest"));
        QCoreApplication::setApplicationName(QStringLiteral("PanelLockTest"));
    }

    void wrongPinIsRefusedAndDelayed()
    {
        QTemporaryDir dir;
        qint64 now = 1700000000000;
        const QString path = dir.filePath(QStringLiteral("pin"));
        {
            PanelLock setup(path, {}, kFastIterations);
            QVERIFY(!setup.hasPin());
            QCOMPARE(setup.setPin(QString(), QStringLiteral("2468"), QStringLiteral("2468")),
                     QString());
        }
        PanelLock lock(
            path, [&now] { return now; }, kFastIterations);
        QVERIFY(lock.isLocked());
        QSignalSpy changed(&lock, &PanelLock::lockedChanged);
        for (int i = 0; i < 3; ++i)
            QVERIFY(lock.unlock(QStringLiteral("0000")).contains(QStringLiteral("Wrong PIN")));
        QVERIFY(lock.unlock(QStringLiteral("2468")).contains(QStringLiteral("try again in 1 s")));
        QVERIFY(lock.isLocked());
        now += 1000;
        QCOMPARE(lock.unlock(QStringLiteral("2468")), QString());
        QVERIFY(!lock.isLocked());
        QCOMPARE(changed.count(), 1);
    }

    void lockDisablesEditingUntilThePinIsEntered()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("pin"));
        {
            PanelLock setup(path, {}, kFastIterations);
            QVERIFY(
                setup.setPin(QString(), QStringLiteral("2468"), QStringLiteral("2468")).isEmpty());
        }
        auto kernel = std::make_shared<FakeKernel>();
        MainWindowOptions options;
        options.clientFactory = kernel->factory();
        options.pinPath = path;
        options.connectAtStart = false;
        MainWindow window(std::move(options));
        window.show();
        QVERIFY(window.panelLock()->isLocked());
        QVERIFY(window.rulesEditor()->isLocked());
        QVERIFY(!window.rulesEditor()->addButton()->isEnabled());
        const QList<QGroupBox *> groups = window.findChildren<QGroupBox *>();
        int disabledGroups = 0;
        for (QGroupBox *g : groups) {
            if (g->title() == QObject::tr("Kernel component") ||
                g->title() == QObject::tr("Monitoring")) {
                QVERIFY(!g->isEnabled());
                ++disabledGroups;
            }
        }
        QCOMPARE(disabledGroups, 2);

        // An "always" answer while locked adds no rule.
        pg::Rule rule;
        rule.kind = pg::RuleKind::Exact;
        rule.pattern = "/usr/bin/ls";
        emit window.approvals()->ruleRequested(rule);
        QCOMPARE(window.rulesModel()->rowCount(), 0);

        // A wrong PIN keeps it locked; the right one unlocks everything.
        auto *prompt = new PinDialog(window.panelLock(), &window);
        prompt->open();
        prompt->pinEdit()->setText(QStringLiteral("1111"));
        QVERIFY(!prompt->tryUnlock());
        QVERIFY(prompt->errorText().contains(QStringLiteral("Wrong PIN")));
        QVERIFY(window.rulesEditor()->isLocked());
        prompt->pinEdit()->setText(QStringLiteral("2468"));
        QTest::mouseClick(prompt->unlockButton(), Qt::LeftButton);
        QVERIFY(!window.panelLock()->isLocked());
        QVERIFY(!window.rulesEditor()->isLocked());
        QVERIFY(window.rulesEditor()->addButton()->isEnabled());
        for (QGroupBox *g : groups)
            QVERIFY(g->isEnabled());
        emit window.approvals()->ruleRequested(rule);
        QCOMPARE(window.rulesModel()->rowCount(), 1);

        window.toggleLock(); // locks again
        QVERIFY(window.rulesEditor()->isLocked());
    }

    void settingsDialogSetsChangesAndRemovesThePin()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("pin"));
        PanelLock lock(path, {}, kFastIterations);
        auto *dialog = new LockSettingsDialog(&lock);
        dialog->open();
        QVERIFY(!dialog->currentEdit()->isEnabled());
        dialog->newEdit()->setText(QStringLiteral("2468"));
        dialog->repeatEdit()->setText(QStringLiteral("2467"));
        QVERIFY(!dialog->savePin());
        QVERIFY(dialog->messageText().contains(QStringLiteral("differ")));
        dialog->newEdit()->setText(QStringLiteral("12"));
        dialog->repeatEdit()->setText(QStringLiteral("12"));
        QVERIFY(!dialog->savePin());
        QVERIFY(dialog->messageText().contains(QStringLiteral("at least")));
        dialog->newEdit()->setText(QStringLiteral("2468"));
        dialog->repeatEdit()->setText(QStringLiteral("2468"));
        QVERIFY(dialog->savePin());
        QVERIFY(lock.hasPin());
#ifdef Q_OS_UNIX
        // Mode 0600. (Windows has no mode bits: the record is private by its
        // folder, the panel user's profile; see app/model/PinPlatform.h.)
        QVERIFY(QFile::permissions(path) == (QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                             QFileDevice::ReadUser | QFileDevice::WriteUser));
#endif
        // Changing needs the current PIN.
        dialog->currentEdit()->setText(QStringLiteral("0000"));
        dialog->newEdit()->setText(QStringLiteral("1357"));
        dialog->repeatEdit()->setText(QStringLiteral("1357"));
        QVERIFY(!dialog->savePin());
        dialog->currentEdit()->setText(QStringLiteral("2468"));
        dialog->newEdit()->setText(QStringLiteral("1357"));
        dialog->repeatEdit()->setText(QStringLiteral("1357"));
        QVERIFY(dialog->savePin());
        dialog->currentEdit()->setText(QStringLiteral("1357"));
        QVERIFY(dialog->removePin());
        QVERIFY(!lock.hasPin());
        QVERIFY(!QFile::exists(path));
        dialog->close();
    }
};

QTEST_MAIN(PanelLockTest)
#include "PanelLockTest.moc"
