// BridgeTest.cpp - the thread bridge: events from a foreign thread arrive on
// the GUI thread in drained batches; requests run on the worker and never
// block the GUI thread; disconnects are reported once.
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include <atomic>
#include <map>

#include "../support/EventBuilder.h"
#include "FakeKernelClient.h"
#include "KernelLinkBridge.h"

using namespace pgtest;

Q_DECLARE_METATYPE(pg::ConnectInfo)

namespace
{

// Signers by image path, as SignerFactSource finds them on Windows; counts
// the lookups and the threads they ran on.
class FakeSigners : public pg::FactSource
{
public:
    explicit FakeSigners(std::map<std::string, std::string> trusted) : m_trusted(std::move(trusted))
    {
    }
    uint32_t facts() const override { return PG_FACT_SIGNER; }
    pg::SignerInfo signer(const std::string &image) override
    {
        ++lookups;
        onGui = onGui || QThread::currentThread() == qApp->thread();
        auto it = m_trusted.find(image);
        if (it == m_trusted.end())
            return {false, {}, "The file is not signed."};
        return {true, it->second, "Signed by " + it->second + " (trusted)."};
    }

    std::atomic<int> lookups{0};
    std::atomic<bool> onGui{false};

private:
    std::map<std::string, std::string> m_trusted;
};

pg::Event factsRequest(uint64_t hold, const std::string &image)
{
    pg::Event e = requestEvent(hold, 500 + static_cast<uint32_t>(hold), 1, image);
    e.flags = PG_EVF_FACTS;
    return e;
}

pg::Rule signerRule(uint32_t id, pg::Verdict action, const std::string &pattern)
{
    pg::Rule r;
    r.id = id;
    r.kind = pg::RuleKind::Signer;
    r.action = action;
    r.pattern = pattern;
    return r;
}

} // namespace

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

    // What `procguardctl resolve` does, the panel does as the controller:
    // the signer decides, on the worker thread, and no dialog is raised.
    void holdsForFactsAreAnsweredByThePolicyWithoutAPerson()
    {
        auto kernel = std::make_shared<FakeKernel>();
        kernel->policy.mode = pg::Mode::Lockdown;
        kernel->policy.rules = {signerRule(7, pg::Verdict::Allow, "Contoso*"),
                                signerRule(8, pg::Verdict::Block, "Evil*")};
        KernelLinkBridge bridge(kernel->factory());
        bridge.setMinimumDrainInterval(0);
        auto signers = std::make_unique<FakeSigners>(std::map<std::string, std::string>{
            {"C:/apps/editor.exe", "Contoso Ltd"}, {"C:/apps/tool.exe", "Evil Corp"}});
        FakeSigners *facts = signers.get();
        bridge.setFactSource(std::move(signers));
        QSignalSpy connected(&bridge, &KernelLinkBridge::connected);
        QSignalSpy answered(&bridge, &KernelLinkBridge::factsAnswered);
        QStringList failures;
        connect(&bridge, &KernelLinkBridge::requestFailed, this,
                [&](const QString &message) { failures << message; });
        std::vector<pg::Event> shown;
        connect(&bridge, &KernelLinkBridge::eventsReceived, this,
                [&](const std::vector<pg::Event> &batch) {
                    shown.insert(shown.end(), batch.begin(), batch.end());
                });
        bridge.connectTo(QString(), {});
        QTRY_COMPARE(connected.count(), 1);

        kernel->emitEvents(
            {factsRequest(1, "C:/apps/editor.exe"), startEvent(900, 1, "C:/apps/other.exe"),
             factsRequest(2, "C:/apps/tool.exe"), factsRequest(3, "C:/apps/unsigned.exe")});
        // The GUI thread drains the batch (so no blocking wait here).
        QTRY_COMPARE(kernel->verdicts().size(), size_t(3));
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
        std::map<uint64_t, pg::Verdict> verdicts;
        for (const auto &v : kernel->verdicts())
            verdicts[v.holdId] = v.verdict;
        QVERIFY(verdicts[1] == pg::Verdict::Allow); // the Contoso rule
        QVERIFY(verdicts[2] == pg::Verdict::Block); // the Evil rule
        QVERIFY(verdicts[3] == pg::Verdict::Block); // no rule: lockdown blocks
        QCOMPARE(facts->lookups.load(), 3);
        QVERIFY2(!facts->onGui.load(), "signature checks run off the GUI thread");
        QTRY_COMPARE(answered.count(), 3);
        QVERIFY(answered.at(0).at(2).toString().contains(QStringLiteral("Contoso Ltd")));
        // Only the start reached the panel; no request for a person.
        QTRY_COMPARE(shown.size(), size_t(1));
        QVERIFY(shown[0].kind == pg::EventKind::Start);
    }

    void holdsForFactsThatNeedAPersonBecomeRequests()
    {
        auto kernel = std::make_shared<FakeKernel>();
        kernel->policy.mode = pg::Mode::Prompt;
        kernel->policy.rules = {signerRule(7, pg::Verdict::Ask, "Contoso*")};
        KernelLinkBridge bridge(kernel->factory());
        bridge.setMinimumDrainInterval(0);
        bridge.setFactSource(std::make_unique<FakeSigners>(
            std::map<std::string, std::string>{{"C:/apps/editor.exe", "Contoso Ltd"}}));
        QSignalSpy connected(&bridge, &KernelLinkBridge::connected);
        std::vector<pg::Event> shown;
        connect(&bridge, &KernelLinkBridge::eventsReceived, this,
                [&](const std::vector<pg::Event> &batch) {
                    shown.insert(shown.end(), batch.begin(), batch.end());
                });
        bridge.connectTo(QString(), {});
        QTRY_COMPARE(connected.count(), 1);

        // An ask rule, and prompt mode with no rule: a person decides.
        kernel->emitEvents(
            {factsRequest(1, "C:/apps/editor.exe"), factsRequest(2, "C:/apps/unsigned.exe")});
        QTRY_COMPARE(shown.size(), size_t(2));
        QCOMPARE(shown[0].holdId, 1u);
        QVERIFY(shown[0].kind == pg::EventKind::Request);
        QCOMPARE(shown[1].holdId, 2u);
        QVERIFY(kernel->verdicts().empty());
    }
};

QTEST_MAIN(BridgeTest)
#include "BridgeTest.moc"
