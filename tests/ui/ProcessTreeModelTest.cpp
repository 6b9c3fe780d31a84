// ProcessTreeModelTest.cpp - the live tree: model contract under updates,
// row-level signals (never a reset per update), selection and expansion
// surviving updates, highlights, and search that keeps context.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTreeView>
#include <QtTest>

#include "../support/EventBuilder.h"
#include "ProcessFilterProxy.h"
#include "ProcessTreeModel.h"

using namespace pgtest;

namespace
{

constexpr qint64 kNowMs = 1700000000000;
constexpr uint64_t kNowNs = static_cast<uint64_t>(kNowMs) * 1000000ull;

std::vector<pg::Event> bootBatch()
{
    std::vector<pg::Event> b{startEvent(1, 0, "/sbin/init", kNowNs)};
    for (uint32_t pid = 100; pid < 110; ++pid)
        b.push_back(startEvent(pid, 1, "/usr/sbin/daemon" + std::to_string(pid), kNowNs));
    b.push_back(startEvent(200, 100, "/bin/bash", kNowNs));
    b.push_back(startEvent(201, 200, "/usr/bin/vim", kNowNs));
    for (pg::Event &e : b)
        e.flags = PG_EVF_SNAPSHOT;
    return b;
}

} // namespace

class ProcessTreeModelTest : public QObject
{
    Q_OBJECT
private:
    qint64 m_now = kNowMs;
    void setUp(ProcessTreeModel &model)
    {
        m_now = kNowMs;
        model.setClock([this] { return m_now; });
        model.setHighlightMs(2000);
        model.setLingerMs(3000);
    }

private slots:
    void modelContractHoldsThroughUpdates()
    {
        ProcessTreeModel model;
        setUp(model);
        ProcessFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(ProcessTreeModel::Pid);
        model.applyEvents(bootBatch());
        model.applyEvents({startEvent(300, 200, "/bin/ls", kNowNs),
                           execEvent(201, "/usr/bin/nvim", "nvim x"),
                           requestEvent(5, 200, 100, "/tmp/evil", kNowNs)});
        model.applyEvents(
            {verdictEvent(5, 200, 100, "/tmp/evil", pg::Verdict::Block, pg::Source::Client, kNowNs),
             exitEvent(300, kNowNs), exitEvent(105, kNowNs), exitEvent(106, kNowNs)});
        proxy.setSearchText(QStringLiteral("vim"));
        m_now += 5000;
        model.tick();
        proxy.setSearchText(QString());
        QCOMPARE(model.table().findLive(300), 0u);
        QCOMPARE(model.rowCount(model.indexForKey(model.table().findLive(1))), 8);
    }

    void updatesGiveRowLevelSignalsNotResets()
    {
        ProcessTreeModel model;
        setUp(model);
        model.applyEvents(bootBatch());
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);

        model.applyEvents(
            {startEvent(300, 200, "/bin/ls", kNowNs), startEvent(301, 200, "/bin/cat", kNowNs)});
        QCOMPARE(inserted.count(), 1); // one range under bash
        const QModelIndex bash = model.indexForKey(model.table().findLive(200));
        QCOMPARE(inserted.at(0).at(0).toModelIndex(), bash);
        QCOMPARE(inserted.at(0).at(1).toInt(), 1);
        QCOMPARE(inserted.at(0).at(2).toInt(), 2);

        // An exec changes name, path and command line: one dataChanged per
        // run of adjacent columns, one row, never the PID column.
        model.applyEvents({execEvent(201, "/usr/bin/nvim", "nvim")});
        QCOMPARE(changed.count(), 2);
        for (const QList<QVariant> &signal : changed) {
            const QModelIndex tl = signal.at(0).toModelIndex();
            const QModelIndex br = signal.at(1).toModelIndex();
            QCOMPARE(tl.row(), br.row());
            QVERIFY(tl.column() > ProcessTreeModel::Pid || br.column() < ProcessTreeModel::Pid);
        }

        // Adjacent exits under one parent leave as one removal.
        model.applyEvents({exitEvent(103, kNowNs), exitEvent(104, kNowNs), exitEvent(105, kNowNs)});
        m_now += 4000;
        model.tick();
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 3);
        QCOMPARE(removed.at(0).at(2).toInt(), 5);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(layout.count(), 0);
    }

    void selectionAndExpansionSurviveUpdates()
    {
        ProcessTreeModel model;
        setUp(model);
        ProcessFilterProxy proxy;
        proxy.setSourceModel(&model);
        QTreeView view;
        view.setModel(&proxy);
        view.setSortingEnabled(true);
        view.sortByColumn(ProcessTreeModel::Pid, Qt::AscendingOrder);
        view.show();
        model.applyEvents(bootBatch());
        const auto proxyIndexOf = [&](uint32_t pid) {
            return proxy.mapFromSource(model.indexForKey(model.table().findLive(pid)));
        };
        view.expand(proxyIndexOf(1));
        view.expand(proxyIndexOf(100));
        view.selectionModel()->setCurrentIndex(
            proxyIndexOf(201), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        // Many updates around the selected row: inserts before it, removals of
        // siblings of its ancestors, changes.
        for (int round = 0; round < 5; ++round) {
            std::vector<pg::Event> batch;
            for (uint32_t i = 0; i < 20; ++i)
                batch.push_back(startEvent(1000 + round * 100 + i, 1, "/bin/job", kNowNs));
            batch.push_back(exitEvent(101 + static_cast<uint32_t>(round), kNowNs));
            batch.push_back(execEvent(200, "/bin/zsh", "zsh"));
            model.applyEvents(batch);
            m_now += 4000;
            model.tick();
        }
        QVERIFY(view.isExpanded(proxyIndexOf(1)));
        QVERIFY(view.isExpanded(proxyIndexOf(100)));
        const QModelIndex current = view.selectionModel()->currentIndex();
        QVERIFY(current.isValid());
        QCOMPARE(current.data(ProcessTreeModel::PidRole).toUInt(), 201u);
        QVERIFY(view.selectionModel()->isSelected(current));
    }

    void newRowsAreGreenThenPlainExitedRowsRed()
    {
        ProcessTreeModel model;
        setUp(model);
        model.applyEvents(bootBatch());
        model.applyEvents({startEvent(300, 1, "/bin/new", kNowNs)});
        const QModelIndex fresh = model.indexForKey(model.table().findLive(300));
        QVERIFY(fresh.data(Qt::BackgroundRole).isValid());
        const QModelIndex old = model.indexForKey(model.table().findLive(100));
        QVERIFY(!old.data(Qt::BackgroundRole).isValid()); // snapshot rows are not new
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        m_now += 2500;
        model.tick();
        QCOMPARE(changed.count(), 1);
        QVERIFY(!model.indexForKey(model.table().findLive(300)).data(Qt::BackgroundRole).isValid());

        model.applyEvents({exitEvent(300, static_cast<uint64_t>(m_now) * 1000000ull)});
        const uint64_t key = model.table().childAt(model.table().findLive(1), 10);
        QVERIFY(model.table().find(key)->exited());
        const QColor red = model.indexForKey(key).data(Qt::BackgroundRole).value<QBrush>().color();
        QVERIFY(red.red() > red.green());
        m_now += 1000;
        model.tick();
        QVERIFY(model.table().find(key) != nullptr); // still lingering
        m_now += 3000;
        model.tick();
        QVERIFY(model.table().find(key) == nullptr);
    }

    void keepExitedKeepsThem()
    {
        ProcessTreeModel model;
        setUp(model);
        model.setKeepExited(true);
        model.applyEvents({startEvent(10, 0, "/bin/x", kNowNs), exitEvent(10, kNowNs)});
        m_now += 60000;
        model.tick();
        QCOMPARE(model.rowCount(), 1);
    }

    void blockedAttemptIsADimmedChildWithItsVerdict()
    {
        ProcessTreeModel model;
        setUp(model);
        model.applyEvents(bootBatch());
        model.applyEvents({requestEvent(9, 200, 100, "/tmp/evil", kNowNs)});
        const QModelIndex bash = model.indexForKey(model.table().findLive(200));
        QCOMPARE(model.rowCount(bash), 2);
        const QModelIndex attempt = model.index(1, ProcessTreeModel::VerdictColumn, bash);
        QCOMPARE(attempt.data().toString(), QStringLiteral("waiting for you"));
        model.applyEvents({verdictEvent(9, 200, 100, "/tmp/evil", pg::Verdict::Block,
                                        pg::Source::Client, kNowNs)});
        QCOMPARE(attempt.data().toString(), QStringLiteral("blocked by a person"));
        QVERIFY(model.index(1, 0, bash).data(Qt::ForegroundRole).isValid());
        QVERIFY(model.index(1, 0, bash).data(ProcessTreeModel::IsAttemptRole).toBool());
    }

    void startWaitingForItsDigestSaysSoThenWaitsForAPerson()
    {
        ProcessTreeModel model;
        setUp(model);
        model.applyEvents(bootBatch());
        pg::Event wait = requestEvent(9, 200, 100, "/opt/big-game", kNowNs);
        wait.kind = pg::EventKind::Wait;
        wait.flags = PG_EVF_DIGEST_WAIT;
        model.applyEvents({wait});
        const QModelIndex bash = model.indexForKey(model.table().findLive(200));
        const QModelIndex attempt = model.index(1, ProcessTreeModel::VerdictColumn, bash);
        QCOMPARE(attempt.data().toString(), QStringLiteral("checking its digest"));
        pg::Event ask = requestEvent(9, 200, 100, "/opt/big-game", kNowNs);
        ask.flags = PG_EVF_HELD;
        model.applyEvents({ask});
        QCOMPARE(model.rowCount(bash), 2);
        QCOMPARE(attempt.data().toString(), QStringLiteral("waiting for you"));
    }

    void searchKeepsAncestorsAndDescendants()
    {
        ProcessTreeModel model;
        setUp(model);
        ProcessFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.applyEvents(bootBatch());
        proxy.setSearchText(QStringLiteral("bash"));
        QCOMPARE(proxy.rowCount(), 1); // init, as an ancestor
        const QModelIndex init = proxy.index(0, 0);
        QCOMPARE(proxy.rowCount(init), 1); // only daemon100, the ancestor of bash
        const QModelIndex d100 = proxy.index(0, 0, init);
        QCOMPARE(d100.data(ProcessTreeModel::PidRole).toUInt(), 100u);
        const QModelIndex bash = proxy.index(0, 0, d100);
        QCOMPARE(bash.data(ProcessTreeModel::PidRole).toUInt(), 200u);
        QCOMPARE(proxy.rowCount(bash), 1); // vim, a descendant of the match
        // Live updates under a filter: a new child of bash appears.
        model.applyEvents({startEvent(400, 200, "/bin/true", kNowNs)});
        QCOMPARE(proxy.rowCount(bash), 2);
    }

    void ColourOnlyChangesRepaintTheRowWithoutReSorting()
    {
        ProcessTreeModel model;
        setUp(model);
        ProcessFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.sort(ProcessTreeModel::Pid);
        model.applyEvents(bootBatch());
        model.applyEvents({startEvent(300, 1, "/bin/new", kNowNs)});
        QSignalSpy layout(&proxy, &QAbstractItemModel::layoutChanged);
        QSignalSpy changed(&proxy, &QAbstractItemModel::dataChanged);
        // An exit (red) and an expired highlight (no longer green).
        model.applyEvents({exitEvent(105, kNowNs)});
        m_now += 2500;
        model.tick();
        QCOMPARE(layout.count(), 0);
        const QModelIndex pidCell = proxy.mapFromSource(model.indexForKey(
            model.table().findLive(1) == 0 ? 0
                                           : model.table().childAt(model.table().findLive(1), 5),
            ProcessTreeModel::Pid));
        QVERIFY(pidCell.isValid());
        bool repainted = false;
        for (const QList<QVariant> &signal : changed) {
            const QModelIndex tl = signal.at(0).toModelIndex();
            const QModelIndex br = signal.at(1).toModelIndex();
            if (tl.parent() == pidCell.parent() && tl.row() == pidCell.row() &&
                tl.column() <= ProcessTreeModel::Pid && br.column() >= ProcessTreeModel::Pid)
                repainted = true;
        }
        QVERIFY(repainted);
    }

    void FlatModeListsEveryEntryAndKeepsTheModelContract()
    {
        ProcessTreeModel model;
        setUp(model);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.applyEvents(bootBatch());
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setFlat(true);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 13);
        QCOMPARE(model.rowCount(model.index(0, 0)), 0);
        QVERIFY(!model.parent(model.index(3, 0)).isValid());
        model.applyEvents({startEvent(300, 200, "/bin/ls", kNowNs),
                           startEvent(301, 300, "/bin/cat", kNowNs), exitEvent(104, kNowNs),
                           exitEvent(106, kNowNs)});
        QCOMPARE(model.rowCount(), 15);
        m_now += 4000;
        model.tick();
        QCOMPARE(model.rowCount(), 13);
        QCOMPARE(
            model.indexForKey(model.table().findLive(301)).data(ProcessTreeModel::PidRole).toUInt(),
            301u);
        model.setFlat(false);
        QCOMPARE(model.rowCount(), 1);
    }

    void CreatorIsShownWhereItIsNotTheParent()
    {
        ProcessTreeModel model;
        setUp(model);
        model.applyEvents(bootBatch());
        pg::Event spoofed = startEvent(400, 100, "/bin/child", kNowNs);
        spoofed.creatorPid = 200;
        model.applyEvents({spoofed, startEvent(401, 100, "/bin/plain", kNowNs)});
        const QModelIndex child =
            model.indexForKey(model.table().findLive(400), ProcessTreeModel::CreatorColumn);
        QCOMPARE(child.data().toString(), QStringLiteral("bash (200)"));
        QCOMPARE(child.sibling(child.row(), ProcessTreeModel::ParentColumn).data().toString(),
                 QStringLiteral("daemon100 (100)"));
        QVERIFY(child.sibling(child.row(), ProcessTreeModel::Name)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("created by bash (200)")));
        const QModelIndex plain =
            model.indexForKey(model.table().findLive(401), ProcessTreeModel::CreatorColumn);
        QVERIFY(plain.data().toString().isEmpty());
    }

    void SortingIsTheModelsOwnWithOneLayoutChangeAndSortedInserts()
    {
        ProcessTreeModel model;
        setUp(model);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.applyEvents(bootBatch());
        const QModelIndex init = model.indexForKey(model.table().findLive(1));
        const QPersistentModelIndex d103 = model.indexForKey(model.table().findLive(103));
        QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
        model.sort(ProcessTreeModel::Pid, Qt::DescendingOrder);
        QCOMPARE(layout.count(), 1);
        QCOMPARE(model.index(0, 0, init).data(ProcessTreeModel::PidRole).toUInt(), 109u);
        QCOMPARE(model.index(9, 0, init).data(ProcessTreeModel::PidRole).toUInt(), 100u);
        QCOMPARE(d103.row(), 6); // persistent indexes follow their rows
        QCOMPARE(d103.data(ProcessTreeModel::PidRole).toUInt(), 103u);
        model.sort(ProcessTreeModel::Pid, Qt::DescendingOrder); // same order: nothing to do
        QCOMPARE(layout.count(), 1);

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.applyEvents({startEvent(105, 1, "/bin/x", kNowNs)}); // pid reused: a new entry
        model.applyEvents(
            {startEvent(150, 1, "/bin/y", kNowNs), startEvent(151, 1, "/bin/z", kNowNs)});
        QCOMPARE(layout.count(), 1);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted.at(1).at(1).toInt(), 0); // 151 and 150 on top, as one range
        QCOMPARE(inserted.at(1).at(2).toInt(), 1);
        QCOMPARE(model.index(0, 0, init).data(ProcessTreeModel::PidRole).toUInt(), 151u);

        // Sorted by name, an exec that renames the process moves its row.
        model.sort(ProcessTreeModel::Name, Qt::AscendingOrder);
        QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
        model.applyEvents({execEvent(102, "/usr/bin/aaa", "aaa")});
        QCOMPARE(moved.count(), 1);
        QCOMPARE(model.index(0, 0, init).data(ProcessTreeModel::PidRole).toUInt(), 102u);
    }

    void LeavesAreFlaggedAsHavingNoChildrenUntilTheyHaveSome()
    {
        ProcessTreeModel model;
        setUp(model);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.applyEvents(bootBatch());
        QTreeView view;
        view.setModel(&model);
        view.expandAll();
        const QModelIndex leaf = model.indexForKey(model.table().findLive(105));
        QVERIFY(leaf.flags().testFlag(Qt::ItemNeverHasChildren));
        QVERIFY(!view.isExpanded(leaf)); // no persistent index kept per leaf
        QVERIFY(view.isExpanded(model.indexForKey(model.table().findLive(100))));
        model.applyEvents({startEvent(300, 105, "/bin/child", kNowNs)});
        QVERIFY(!leaf.flags().testFlag(Qt::ItemNeverHasChildren));
        QCOMPARE(model.rowCount(leaf), 1);
    }

    void MostRowsChangedUnderOneParentComeAsOneDataChanged()
    {
        ProcessTreeModel model;
        setUp(model);
        std::vector<pg::Event> boot{startEvent(1, 0, "/sbin/init", kNowNs)};
        for (uint32_t pid = 100; pid < 300; ++pid)
            boot.push_back(startEvent(pid, 1, "/bin/worker", kNowNs));
        model.applyEvents(boot);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        std::vector<pg::Event> execs;
        for (uint32_t pid = 100; pid < 250; ++pid)
            execs.push_back(execEvent(pid, "/bin/other", "other"));
        model.applyEvents(execs);
        QCOMPARE(changed.count(), 1);
        const QModelIndex init = model.indexForKey(model.table().findLive(1));
        QCOMPARE(changed.at(0).at(0).toModelIndex(), model.index(0, 0, init));
        QCOMPARE(changed.at(0).at(1).toModelIndex(),
                 model.index(199, ProcessTreeModel::ColumnCount - 1, init));
        // A few changes stay narrow.
        changed.clear();
        model.applyEvents({execEvent(260, "/bin/third", "third")});
        QCOMPARE(changed.count(), 2); // name and path..command line
    }

    void FlatModeFollowsTheSortOrder()
    {
        ProcessTreeModel model;
        setUp(model);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.applyEvents(bootBatch());
        model.setFlat(true);
        model.sort(ProcessTreeModel::Pid, Qt::DescendingOrder);
        QCOMPARE(model.index(0, 0).data(ProcessTreeModel::PidRole).toUInt(), 201u);
        QCOMPARE(model.index(12, 0).data(ProcessTreeModel::PidRole).toUInt(), 1u);
        model.applyEvents({startEvent(150, 100, "/bin/mid", kNowNs)});
        QCOMPARE(model.index(2, 0).data(ProcessTreeModel::PidRole).toUInt(), 150u);
        model.sort(ProcessTreeModel::Name, Qt::AscendingOrder);
        model.applyEvents({execEvent(150, "/bin/aaa", "aaa")});
        QCOMPARE(model.index(0, 0).data(ProcessTreeModel::PidRole).toUInt(), 150u);
    }

    void clearIsTheOnlyReset()
    {
        ProcessTreeModel model;
        setUp(model);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.applyEvents(bootBatch());
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.clear();
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(ProcessTreeModelTest)
#include "ProcessTreeModelTest.moc"
