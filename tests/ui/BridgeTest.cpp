// BridgeTest.cpp - the thread bridge: events from a foreign thread arrive on
// the GUI thread in drained batches; requests run on the worker and never
// block the GUI thread; disconnects are reported once.
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include "../support/EventBuilder.h"
#include "FakeKernelClient.h"
#include "KernelLinkBridge.h"

using namespace pgtest;

Q_DECLARE_METATYPE(pg::ConnectInfo)

class BridgeTest : public QObject
{
    Q_OBJECT
private slots:
    void eventsArriveOnTheGuiThreadInBatches()
    {
        auto kernel = std::make_shared<FakeKernel>();
        KernelLinkBridge bridge(kernel->factory());
        bridge.setMinimumDrainInterval(50);
        QSignalSpy connected(&bridge, &KernelLinkBridge::connected);
        bridge.connectTo(QString(), {});
        QTRY_COMPARE(connected.count(), 1);
        QVERIFY(bridge.isConnected());

        int batches = 0;
        size_t events = 0;
        bool onGui = true;
        connect(&bridge, &KernelLinkBridge::eventsReceived, this,
                [&](const std::vector<pg::Event> &batch) {
                    ++batches;
                    events += batch.size();
                    onGui = onGui && QThread::currentThread() == qApp->thread();
                });
        for (uint32_t i = 0; i < 100; ++i)
            kernel->emitEvents({startEvent(100 + i, 1, "/bin/x")});
        QTRY_COMPARE(events, size_t(100));
        QVERIFY(onGui);
        QVERIFY2(batches < 10, "pokes were coalesced into drains");
    }

    void verdictsAndPolicyGoThroughTheWorker()
    {
        auto kernel = std::make_shared<FakeKernel>();
        kernel->policy.mode = pg::Mode::Prompt;
        KernelLinkBridge bridge(kernel->factory());
        QSignalSpy connected(&bridge, &KernelLinkBridge::connected);
        QSignalSpy policy(&bridge, &KernelLinkBridge::policyReceived);
        QSignalSpy applied(&bridge, &KernelLinkBridge::policyApplied);
        bridge.connectTo(QString(), {});
        QTRY_COMPARE(connected.count(), 1);
        bridge.sendVerdict(42, pg::Verdict::Block);
        QVERIFY(kernel->waitForVerdicts(1));
        QCOMPARE(kernel->verdicts()[0].holdId, 42u);
        QVERIFY(kernel->verdicts()[0].verdict == pg::Verdict::Block);
        bridge.fetchPolicy();
        QTRY_COMPARE(policy.count(), 1);
        pg::Policy p;
        p.mode = pg::Mode::Lockdown;
        bridge.setPolicy(p);
        QTRY_COMPARE(applied.count(), 1);
        QVERIFY(kernel->lastPolicy().mode == pg::Mode::Lockdown);
    }

    void connectFailureIsOneSentence()
    {
        auto kernel = std::make_shared<FakeKernel>();
        kernel->failConnect = true;
        KernelLinkBridge bridge(kernel->factory());
        QSignalSpy failed(&bridge, &KernelLinkBridge::connectFailed);
        bridge.connectTo(QString(), {});
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("not running")));
        QVERIFY(!bridge.isConnected());
    }

    void componentGoingAwayIsReported()
    {
        auto kernel = std::make_shared<FakeKernel>();
        KernelLinkBridge bridge(kernel->factory());
        QSignalSpy connected(&bridge, &KernelLinkBridge::connected);
        QSignalSpy gone(&bridge, &KernelLinkBridge::disconnected);
        bridge.connectTo(QString(), {});
        QTRY_COMPARE(connected.count(), 1);
        kernel->disconnect("procguardd stopped.");
        QTRY_COMPARE(gone.count(), 1);
        QCOMPARE(gone.at(0).at(0).toString(), QStringLiteral("procguardd stopped."));
        QVERIFY(!bridge.isConnected());
    }
};

QTEST_MAIN(BridgeTest)
#include "BridgeTest.moc"
