// MainWindowTest.cpp - the whole panel against a fake kernel component:
// a held start raises a dialog, the person's answer reaches the component,
// "always" adds a rule and pushes the policy, the tree and the journal show
// the decision, and settings persist.
#include <QAbstractItemModelTester>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

#include <set>

#include "../support/EventBuilder.h"
#include "EventLogView.h"
#include "FakeKernelClient.h"
#include "FakeProcessControl.h"
#include "Journal.h"
#include "KernelLinkBridge.h"
#include "MainWindow.h"
#include "PendingModel.h"
#include "ProcessFilterProxy.h"
#include "ProcessTreeModel.h"
#include "RulesModel.h"
#include "SyncState.h"

using namespace pgtest;

class MainWindowTest : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<MainWindow> makeWindow(const std::shared_ptr<FakeKernel> &kernel,
                                           const QTemporaryDir &dir, MainWindowOptions options = {})
    {
        options.clientFactory = kernel->factory();
        options.journalPath = dir.filePath(QStringLiteral("journal.db"));
        auto window = std::make_unique<MainWindow>(std::move(options));
        window->approvals()->setInputDelayMs(0);
        window->bridge()->setMinimumDrainInterval(0);
        window->show();
        return window;
    }

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("ProcGuardTest"));
        QCoreApplication::setApplicationName(QStringLiteral("MainWindowTest"));
    }

    void heldStartIsAnsweredFromItsDialog()
    {
        QTemporaryDir dir;
        auto kernel = std::make_shared<FakeKernel>();
        auto window = makeWindow(kernel, dir);
        QTRY_VERIFY(window->bridge()->isConnected());
        QAbstractItemModelTester treeTester(window->treeModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester logTester(window->eventLog()->model(),
                                           QAbstractItemModelTester::FailureReportingMode::QtTest);

        kernel->emitEvents({startEvent(1, 0, "/sbin/init"), startEvent(500, 1, "/bin/sh")});
        kernel->emitEvents({requestEvent(11, 500, 1, "/tmp/gate/hello")});
        QTRY_COMPARE(window->approvals()->count(), 1);
        QCOMPARE(window->pendingModel()->rowCount(), 1);
        ApprovalDialog *dialog = window->approvals()->dialog(11);
        QTRY_VERIFY(dialog->inputEnabled());
        QTest::mouseClick(dialog->blockButton(), Qt::LeftButton);
        QVERIFY(kernel->waitForVerdicts(1));
        QCOMPARE(kernel->verdicts()[0].holdId, 11u);
        QVERIFY(kernel->verdicts()[0].verdict == pg::Verdict::Block);
        QCOMPARE(window->pendingModel()->rowCount(), 0);

        // The component confirms; tree and journal show the blocked attempt.
        pg::Event verdict = verdictEvent(11, 500, 1, "/tmp/gate/hello", pg::Verdict::Block);
        verdict.timeNs = static_cast<uint64_t>(QDateTime::currentMSecsSinceEpoch()) * 1000000ull;
        kernel->emitEvents({verdict});
        const ProcessTreeModel *tree = window->treeModel();
        QTRY_VERIFY(tree->table().findHold(11) != 0 &&
                    tree->table().find(tree->table().findHold(11))->verdict == pg::Verdict::Block);
        QVERIFY(!tree->table().find(tree->table().findHold(11))->pending);
        pg::JournalFilter blocked;
        blocked.verdict = pg::Verdict::Block;
        const auto entries = window->journal()->query(blocked);
        QCOMPARE(entries.size(), size_t(1));
        QCOMPARE(entries[0].image, std::string("/tmp/gate/hello"));
        QCOMPARE(entries[0].decidedBy, std::string("person"));
        window->eventLog()->reload();
        QVERIFY(window->eventLog()->model()->rowCount() >= 1);
    }

    void alwaysAllowAddsARuleAndPushesThePolicy()
    {
        QTemporaryDir dir;
        auto kernel = std::make_shared<FakeKernel>();
        auto window = makeWindow(kernel, dir);
        QTRY_VERIFY(window->bridge()->isConnected());
        kernel->emitEvents({requestEvent(12, 500, 1, "/tmp/gate/tool")});
        QTRY_COMPARE(window->approvals()->count(), 1);
        ApprovalDialog *dialog = window->approvals()->dialog(12);
        dialog->setScope(RememberScope::Program);
        QTRY_VERIFY(dialog->inputEnabled());
        QTest::mouseClick(dialog->allowButton(), Qt::LeftButton);
        QVERIFY(kernel->waitForVerdicts(1));
        QCOMPARE(window->rulesModel()->rowCount(), 1);
        QTRY_COMPARE(kernel->policiesSet(), 1);
        const pg::Policy policy = kernel->lastPolicy();
        QCOMPARE(policy.rules.size(), size_t(1));
        QCOMPARE(policy.rules[0].pattern, std::string("/tmp/gate/tool"));
        QVERIFY(policy.rules[0].action == pg::Verdict::Allow);
    }

    void pendingTabAnswersEverySelectedRowEvenOnesWithoutADialog()
    {
        QTemporaryDir dir;
        auto kernel = std::make_shared<FakeKernel>();
        auto window = makeWindow(kernel, dir);
        QTRY_VERIFY(window->bridge()->isConnected());
        std::vector<pg::Event> burst;
        for (uint64_t hold = 1; hold <= 14; ++hold)
            burst.push_back(requestEvent(hold, 500, 1, "/tmp/gate/p" + std::to_string(hold)));
        kernel->emitEvents(burst);
        QTRY_COMPARE(window->pendingModel()->rowCount(), 14);
        // One dialog closed by the window manager without an answer: its
        // start still waits, and the tab still answers it.
        window->approvals()->dialog(3)->close();
        window->pendingView()->selectAll();
        window->decideSelectedPending(pg::Verdict::Block);
        QVERIFY(kernel->waitForVerdicts(14));
        QCOMPARE(window->pendingModel()->rowCount(), 0);
        QCOMPARE(window->approvals()->count(), 0);
        std::set<uint64_t> answered;
        for (const auto &v : kernel->verdicts()) {
            QVERIFY(v.verdict == pg::Verdict::Block);
            answered.insert(v.holdId);
        }
        QCOMPARE(answered.size(), size_t(14));
    }

    void disconnectClosesDialogs()
    {
        QTemporaryDir dir;
        auto kernel = std::make_shared<FakeKernel>();
        auto window = makeWindow(kernel, dir);
        QTRY_VERIFY(window->bridge()->isConnected());
        kernel->emitEvents({requestEvent(1, 500, 1, "/tmp/a"), requestEvent(2, 500, 1, "/tmp/b")});
        QTRY_COMPARE(window->approvals()->count(), 2);
        kernel->disconnect("procguardd stopped.");
        QTRY_COMPARE(window->approvals()->count(), 0);
        QCOMPARE(window->pendingModel()->rowCount(), 0);
    }

    void LockdownBlocksMakeOneNotificationPerBatch()
    {
        QTemporaryDir dir;
        auto kernel = std::make_shared<FakeKernel>();
        QStringList notes;
        MainWindowOptions options;
        options.notifier = [&notes](const QString &title, const QString &text) {
            notes << title + QStringLiteral(": ") + text;
        };
        auto window = makeWindow(kernel, dir, std::move(options));
        QTRY_VERIFY(window->bridge()->isConnected());
        QSignalSpy blocked(window.get(), &MainWindow::lockdownBlocked);

        const auto lockdownBlock = [](uint32_t pid, const std::string &image, pg::Source source) {
            pg::Event e = verdictEvent(0, pid, 1, image, pg::Verdict::Block, source);
            e.mode = pg::Mode::Lockdown;
            return e;
        };
        pg::Event promptBlock = verdictEvent(7, 600, 1, "/tmp/asked", pg::Verdict::Block);
        promptBlock.mode = pg::Mode::Prompt;
        kernel->emitEvents({lockdownBlock(601, "/tmp/unknown", pg::Source::Mode),
                            lockdownBlock(602, "/tmp/banned", pg::Source::Rule), promptBlock,
                            lockdownBlock(603, "/tmp/by-hand", pg::Source::Client)});
        QTRY_COMPARE(blocked.count(), 1);
        QCOMPARE(blocked.at(0).at(0).toStringList(),
                 QStringList({QStringLiteral("/tmp/unknown"), QStringLiteral("/tmp/banned")}));
        QCOMPARE(notes.size(), 1);
        QCOMPARE(notes[0], QStringLiteral("ProcGuard blocked 2 programs: /tmp/unknown and 1 more"));

        // Blocks outside lockdown, or by a person, tell nobody.
        kernel->emitEvents({promptBlock});
        QTest::qWait(50);
        QCOMPARE(blocked.count(), 1);
        QCOMPARE(notes.size(), 1);
    }

    void TerminateAsksTheProcessToEndAndExplainsARefusal()
    {
        QTemporaryDir dir;
        auto kernel = std::make_shared<FakeKernel>();
        auto control = std::make_shared<FakeProcessControl>();
        control->refused.insert(501);
        MainWindowOptions options;
        options.processControl = control;
        auto window = makeWindow(kernel, dir, std::move(options));
        QTRY_VERIFY(window->bridge()->isConnected());
        kernel->emitEvents({startEvent(1, 0, "/sbin/init"), startEvent(500, 1, "/bin/sh"),
                            startEvent(501, 1, "/usr/sbin/sshd"),
                            requestEvent(9, 500, 1, "/tmp/gate/x")});
        const ProcessTreeModel *tree = window->treeModel();
        QTRY_VERIFY(tree->table().findHold(9) != 0);
        const auto rowOf = [&](uint64_t key) {
            return window->treeViewIndex(tree->indexForKey(key));
        };

        QCOMPARE(window->terminateProcess(rowOf(tree->table().findLive(500))), QString());
        QCOMPARE(control->terminated, std::vector<uint32_t>{500});

        const QString refused = window->terminateProcess(rowOf(tree->table().findLive(501)));
        QVERIFY2(refused.contains(QStringLiteral("Not permitted")), qPrintable(refused));
        QVERIFY(refused.contains(QStringLiteral("root")));

        // A blocked or pending attempt never ran: nothing to end.
        QVERIFY(!window->terminateProcess(rowOf(tree->table().findHold(9))).isEmpty());
        QCOMPARE(control->terminated.size(), size_t(1));
    }

    void ListModeShowsEveryProcessAsATopLevelRowAndIsRemembered()
    {
        QTemporaryDir dir;
        auto kernel = std::make_shared<FakeKernel>();
        {
            auto window = makeWindow(kernel, dir);
            QTRY_VERIFY(window->bridge()->isConnected());
            kernel->emitEvents({startEvent(1, 0, "/sbin/init"), startEvent(500, 1, "/bin/sh"),
                                startEvent(501, 500, "/bin/ls")});
            QTRY_COMPARE(window->treeView()->model()->rowCount(), 1); // init, the others below
            QAbstractItemModelTester tester(window->treeModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
            window->setListMode(true);
            QCOMPARE(window->treeView()->model()->rowCount(), 3);
            QVERIFY(!window->treeView()->rootIsDecorated());
            kernel->emitEvents({startEvent(502, 500, "/bin/cat")});
            QTRY_COMPARE(window->treeView()->model()->rowCount(), 4);
            window->close();
        }
        auto window = makeWindow(kernel, dir);
        QVERIFY(window->listMode());
        window->setListMode(false);
        QVERIFY(!window->listMode());
        window->close();
    }

    void SearchPutsTheProxyInOnlyWhileSearchingAndKeepsExpansionAndSelection()
    {
        QTemporaryDir dir;
        auto kernel = std::make_shared<FakeKernel>();
        auto window = makeWindow(kernel, dir);
        QTRY_VERIFY(window->bridge()->isConnected());
        kernel->emitEvents({startEvent(1, 0, "/sbin/init"), startEvent(500, 1, "/bin/sh"),
                            startEvent(501, 500, "/usr/bin/vim"),
                            startEvent(600, 1, "/usr/sbin/cron"),
                            startEvent(601, 600, "/bin/job")});
        const ProcessTreeModel *tree = window->treeModel();
        QTRY_VERIFY(tree->table().findLive(601) != 0);
        QTreeView *view = window->treeView();
        QCOMPARE(view->model(), static_cast<QAbstractItemModel *>(window->treeModel()));
        const auto viewIndex = [&](uint32_t pid) {
            return window->treeViewIndex(tree->indexForKey(tree->table().findLive(pid)));
        };
        view->expand(viewIndex(1));
        view->expand(viewIndex(600));
        view->selectionModel()->setCurrentIndex(
            viewIndex(601), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);

        auto *search = window->findChild<QLineEdit *>(QStringLiteral("search"));
        QVERIFY(search != nullptr);
        search->setText(QStringLiteral("job"));
        QCOMPARE(view->model(), static_cast<QAbstractItemModel *>(window->treeProxy()));
        QAbstractItemModelTester proxyTester(
            window->treeProxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(view->isExpanded(viewIndex(1)));
        QVERIFY(view->isExpanded(viewIndex(600)));
        QVERIFY(!viewIndex(500).isValid()); // filtered out
        QCOMPARE(view->selectionModel()->currentIndex(), viewIndex(601));
        kernel->emitEvents({startEvent(602, 600, "/bin/job2")});
        QTRY_VERIFY(viewIndex(602).isValid());

        search->setText(QString());
        QCOMPARE(view->model(), static_cast<QAbstractItemModel *>(window->treeModel()));
        QVERIFY(window->treeProxy()->sourceModel() == nullptr);
        QVERIFY(view->isExpanded(viewIndex(1)));
        QVERIFY(view->isExpanded(viewIndex(600)));
        QVERIFY(viewIndex(500).isValid());
        QCOMPARE(view->selectionModel()->currentIndex(), viewIndex(601));
        QVERIFY(view->selectionModel()->isSelected(viewIndex(601)));
        // Sorting still works through the header, on the model itself.
        view->sortByColumn(ProcessTreeModel::Pid, Qt::DescendingOrder);
        QCOMPARE(tree->sortOrder(), Qt::DescendingOrder);
        QCOMPARE(view->model()->index(0, 0, viewIndex(1)).data(ProcessTreeModel::PidRole).toUInt(),
                 600u);
        window->close();
    }

    void columnLayoutIsRemembered()
    {
        QTemporaryDir dir;
        auto kernel = std::make_shared<FakeKernel>();
        {
            auto window = makeWindow(kernel, dir);
            window->treeView()->setColumnWidth(ProcessTreeModel::Path, 321);
            window->close();
        }
        auto window = makeWindow(kernel, dir);
        QCOMPARE(window->treeView()->columnWidth(ProcessTreeModel::Path), 321);
    }

    void SyncLineShowsTheServerTheLastSyncAndTheLastError()
    {
        QTemporaryDir dir;
        auto kernel = std::make_shared<FakeKernel>();
        MainWindowOptions options;
        options.syncStateDir = dir.filePath(QStringLiteral("sync"));
        QVERIFY(QDir().mkpath(options.syncStateDir));
        const std::string stateDir = options.syncStateDir.toStdString();
        auto window = makeWindow(kernel, dir, std::move(options));
        // No sync ever ran: no line.
        QVERIFY(!window->syncStateLabel()->isVisible());

        pg::sync::SyncState state;
        state.server = "https://santa.example.org/santa";
        state.lastSuccess = 1700000000;
        state.rules = 12;
        std::string error;
        QVERIFY(pg::sync::writeSyncState(stateDir, state, pg::policy::systemFileSystem(), &error));
        window->refreshSyncState();
        QVERIFY(window->syncStateLabel()->isVisible());
        const QString ok = window->syncStateLabel()->text();
        QVERIFY2(ok.contains(QStringLiteral("https://santa.example.org/santa")), qPrintable(ok));
        QVERIFY2(ok.contains(QDateTime::fromSecsSinceEpoch(1700000000).toString(Qt::ISODate)),
                 qPrintable(ok));
        QVERIFY2(ok.contains(QStringLiteral("12 rules")), qPrintable(ok));

        state.lastAttempt = 1700000600;
        state.lastError = "The preflight failed after 5 attempts (Connection refused).";
        QVERIFY(pg::sync::writeSyncState(stateDir, state, pg::policy::systemFileSystem(), &error));
        window->refreshSyncState();
        const QString failed = window->syncStateLabel()->text();
        QVERIFY2(failed.contains(QStringLiteral("Connection refused")), qPrintable(failed));
        QVERIFY2(failed.contains(QDateTime::fromSecsSinceEpoch(1700000000).toString(Qt::ISODate)),
                 qPrintable(failed));
        window->close();
    }
};

QTEST_MAIN(MainWindowTest)
#include "MainWindowTest.moc"
