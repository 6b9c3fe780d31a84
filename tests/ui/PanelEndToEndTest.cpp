// PanelEndToEndTest.cpp - the real panel against a real procguardd, on a
// real X server (run-under-xvfb.sh), as root.
//
// procguardd gates only a private tmpfs (DESIGN.md §6); the panel is built
// from the same command line a person types (--socket, --journal) and uses
// the real KernelLinkClient; it becomes the controlling client and puts the
// component in prompt mode through its own Monitoring group. Programs in the
// tmpfs are started by the harness's launcher, outside the panel's process
// tree (the controller's descendants are never held). A click on Block
// makes the start fail with EPERM and leaves a blocked attempt in the tree
// and the journal; a click on Allow lets the program run. A screenshot of
// the main window with the tree and a dialog open is saved (for the README).
#include <QComboBox>
#include <QDir>
#include <QLineEdit>
#include <QPushButton>
#include <QScreen>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

#include <unistd.h>

#include <cerrno>
#include <functional>
#include <memory>
#include <sys/wait.h>

#include "ApprovalManager.h"
#include "Harness.h"
#include "Journal.h"
#include "KernelLinkBridge.h"
#include "MainWindow.h"
#include "PanelCommandLine.h"
#include "PendingModel.h"
#include "ProcessFilterProxy.h"
#include "ProcessTreeModel.h"
#include "UnixSocketTransport.h"

using namespace pgtest;

namespace
{

constexpr int kWaitMs = 15000;

// First entry of the table (depth first) for which pred holds; 0 when none.
uint64_t findEntry(const pg::ProcessTable &table,
                   const std::function<bool(const pg::ProcessEntry &)> &pred, uint64_t parent = 0)
{
    for (size_t r = 0, n = table.childCount(parent); r < n; ++r) {
        const uint64_t key = table.childAt(parent, r);
        const pg::ProcessEntry *e = table.find(key);
        if (e != nullptr && pred(*e))
            return key;
        if (const uint64_t found = findEntry(table, pred, key))
            return found;
    }
    return 0;
}

} // namespace

class PanelEndToEndTest : public QObject
{
    Q_OBJECT
private:
    TmpfsMount m_gate;
    ScratchDir m_scratch;
    Daemon m_daemon;
    std::unique_ptr<Launcher> m_launcher;
    QTemporaryDir m_home;
    std::unique_ptr<MainWindow> m_window;
    std::string m_socket;
    std::string m_program;

    // Starts the program through the launcher and returns the dialog of its
    // held start (nullptr after a failed check).
    ApprovalDialog *startAndWaitForDialog(std::string *tag)
    {
        *tag = m_launcher->spawn(m_program);
        ApprovalManager *approvals = m_window->approvals();
        const auto dialogFor = [&]() -> ApprovalDialog * {
            for (quint64 hold : approvals->holds()) {
                ApprovalDialog *d = approvals->dialog(hold);
                if (d != nullptr && d->request().image == QString::fromStdString(m_program))
                    return d;
            }
            return nullptr;
        };
        if (!QTest::qWaitFor([&] { return dialogFor() != nullptr; }, kWaitMs))
            return nullptr;
        ApprovalDialog *dialog = dialogFor();
        if (!QTest::qWaitFor([&] { return dialog->isVisible() && dialog->inputEnabled(); },
                             kWaitMs))
            return nullptr;
        return dialog;
    }

    std::optional<SpawnResult> waitSpawn(const std::string &tag)
    {
        std::optional<SpawnResult> result;
        (void)QTest::qWaitFor(
            [&] {
                result = m_launcher->waitSpawn(tag, Ms{0});
                return result.has_value();
            },
            kWaitMs);
        return result;
    }

    void saveScreenshot(const pg::ProcessEntry &attempt, ApprovalDialog *dialog)
    {
        // Show the attempt in context: the search (the program's path) keeps
        // its ancestors, and the view is rooted below the top-level process
        // (this machine's init and other processes are not the subject).
        ProcessTreeModel *model = m_window->treeModel();
        ProcessFilterProxy *proxy = m_window->treeProxy();
        QTreeView *view = m_window->treeView();
        auto *search = m_window->findChild<QLineEdit *>(QStringLiteral("search"));
        QVERIFY(search != nullptr);
        search->setText(QString::fromStdString(m_program));
        QCOMPARE(proxy->searchText(), QString::fromStdString(m_program));
        uint64_t top = attempt.key;
        while (model->table().find(top) != nullptr && model->table().find(top)->parentKey != 0)
            top = model->table().find(top)->parentKey;
        view->expandAll();
        if (top != attempt.key)
            view->setRootIndex(proxy->mapFromSource(model->indexForKey(top)));
        for (int c = 0; c < ProcessTreeModel::ColumnCount; ++c)
            view->resizeColumnToContents(c);
        // The dialog over the empty lower right of the tree.
        const QRect window = m_window->frameGeometry();
        dialog->move(window.right() - dialog->frameGeometry().width() - 30,
                     window.bottom() - dialog->frameGeometry().height() - 50);
        dialog->raise();
        QTest::qWait(300); // let the window system paint
        QScreen *screen = QGuiApplication::primaryScreen();
        QVERIFY(screen != nullptr);
        const QPixmap shot =
            screen->grabWindow(0, window.x(), window.y(), window.width(), window.height());
        QVERIFY(!shot.isNull());
        const QString path = qEnvironmentVariableIsSet("PG_SCREENSHOT")
                                 ? qEnvironmentVariable("PG_SCREENSHOT")
                                 : QStringLiteral(PG_SCREENSHOT_PATH);
        QDir().mkpath(QFileInfo(path).absolutePath());
        QVERIFY2(shot.save(path), qPrintable(path));
        qInfo("screenshot saved to %s", qPrintable(path));
        view->setRootIndex({});
        search->clear();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(geteuid() == 0, "the end-to-end test needs root (fanotify, tmpfs mounts)");
        QVERIFY2(QGuiApplication::platformName() == QLatin1String("xcb"),
                 "run it on an X server: tests/ui/run-under-xvfb.sh PanelEndToEndTest");
        QVERIFY2(m_gate.ok(), "could not mount a private tmpfs");
        QVERIFY(m_home.isValid());
        qputenv("XDG_CONFIG_HOME", m_home.filePath(QStringLiteral("config")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("ProcGuardTest"));
        QCoreApplication::setApplicationName(QStringLiteral("PanelEndToEndTest"));
        m_program = m_gate.installProgram("hello");
        QVERIFY(!m_program.empty());

        m_socket = m_scratch.path() + "/pg.sock";
        std::string error;
        QVERIFY2(m_daemon.start({"--watch", m_gate.path(), "--socket", m_socket, "--state-dir",
                                 m_scratch.path() + "/state", "--log-level", "debug"},
                                m_socket, m_scratch.path() + "/daemon.log", &error),
                 error.c_str());

        // The launcher holds the start (hold budget) long enough for a person
        // to click, so a block reaches it as EPERM. The panel keeps the budget
        // it finds when it applies its own mode and default verdict.
        {
            pg::KernelLink link(std::make_unique<pg::UnixSocketTransport>(m_socket));
            pg::ConnectOptions options;
            options.control = true;
            options.clientName = "e2e-setup";
            pg::ConnectInfo info;
            pg::Error err = link.connect(options, &info);
            QVERIFY2(!err, err.message.c_str());
            EventCollector events;
            link.start(&events);
            pg::Policy policy;
            policy.mode = pg::Mode::Monitor;
            policy.defaultVerdict = pg::Verdict::Allow;
            policy.timeoutMs = 60000;
            policy.holdBudgetMs = 30000;
            err = link.setPolicy(policy);
            QVERIFY2(!err, err.message.c_str());
            link.close();
        }

        // A copy of the launcher outside the build tree, started outside
        // the panel's process tree.
        const std::string launcher = m_scratch.path() + "/pg_launcher";
        QVERIFY(
            QFile::copy(QString::fromStdString(launcherPath()), QString::fromStdString(launcher)));
        QVERIFY(QFile::setPermissions(QString::fromStdString(launcher),
                                      QFile::ReadOwner | QFile::ExeOwner | QFile::ReadGroup |
                                          QFile::ExeGroup));
        m_launcher = std::make_unique<Launcher>(launcher);
        QVERIFY(m_launcher->ok());

        PanelCommandLine commandLine;
        QVERIFY2(commandLine.parse({QStringLiteral("procguard-panel"), QStringLiteral("--socket"),
                                    QString::fromStdString(m_socket), QStringLiteral("--journal"),
                                    m_home.filePath(QStringLiteral("journal.db"))}),
                 qPrintable(commandLine.errorText()));
        MainWindowOptions options = commandLine.options(QString());
        options.lifecycle.reset(); // this test is about monitoring, not installing
        m_window = std::make_unique<MainWindow>(std::move(options));
        m_window->resize(1240, 820);
        m_window->move(0, 0);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->bridge()->isConnected(), kWaitMs);

        // Prompt mode, default verdict Block, through the Monitoring group.
        auto *mode = m_window->findChild<QComboBox *>(QStringLiteral("mode"));
        auto *defaultVerdict = m_window->findChild<QComboBox *>(QStringLiteral("defaultVerdict"));
        auto *apply = m_window->findChild<QPushButton *>(QStringLiteral("applyPolicy"));
        QVERIFY(mode != nullptr && defaultVerdict != nullptr && apply != nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->policyInForce().holdBudgetMs == 30000, kWaitMs);
        mode->setCurrentIndex(mode->findData(static_cast<int>(pg::Mode::Prompt)));
        defaultVerdict->setCurrentIndex(
            defaultVerdict->findData(static_cast<int>(pg::Verdict::Block)));
        QSignalSpy applied(m_window->bridge(), &KernelLinkBridge::policyApplied);
        QTRY_VERIFY_WITH_TIMEOUT(apply->isEnabled(), kWaitMs);
        QTest::mouseClick(apply, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(applied.count(), 1, kWaitMs);
    }

    void cleanupTestCase()
    {
        m_window.reset(); // disconnects: anything still held gets the default verdict
        m_launcher.reset();
        if (m_daemon.pid() > 0) {
            const int code = m_daemon.stop();
            if (code != 0)
                qWarning("procguardd log:\n%s", m_daemon.log().c_str());
        }
    }

    void BlockClickedInTheDialogFailsTheStartWithEpermAndIsShownAsBlocked()
    {
        std::string tag;
        ApprovalDialog *dialog = startAndWaitForDialog(&tag);
        QVERIFY2(dialog != nullptr, "no approval dialog for the held start");
        const quint64 hold = dialog->request().holdId;
        QVERIFY(hold != 0);
        QCOMPARE(m_window->pendingModel()->rowCount(), 1);

        // The tree shows the held attempt, waiting.
        const pg::ProcessTable &table = m_window->treeModel()->table();
        QTRY_VERIFY_WITH_TIMEOUT(table.findHold(hold) != 0, kWaitMs);
        QVERIFY(table.find(table.findHold(hold))->pending);
        saveScreenshot(*table.find(table.findHold(hold)), dialog);

        QTest::mouseClick(dialog->blockButton(), Qt::LeftButton);
        const std::optional<SpawnResult> spawned = waitSpawn(tag);
        QVERIFY2(spawned.has_value(), "posix_spawn did not return after the click");
        QCOMPARE(spawned->error, EPERM);

        QTRY_VERIFY_WITH_TIMEOUT(table.findHold(hold) != 0 &&
                                     table.find(table.findHold(hold))->verdict ==
                                         pg::Verdict::Block &&
                                     !table.find(table.findHold(hold))->pending,
                                 kWaitMs);
        const pg::ProcessEntry *attempt = table.find(table.findHold(hold));
        QVERIFY(attempt->isAttempt());
        QVERIFY(attempt->source == pg::Source::Client);
        const QModelIndex row = m_window->treeViewIndex(
            m_window->treeModel()->indexForKey(attempt->key, ProcessTreeModel::VerdictColumn));
        QVERIFY(row.isValid());
        QCOMPARE(row.data().toString(), QStringLiteral("blocked by a person"));

        pg::JournalFilter blocked;
        blocked.verdict = pg::Verdict::Block;
        blocked.program = m_program;
        std::vector<pg::JournalEntry> entries;
        QTRY_VERIFY_WITH_TIMEOUT(!(entries = m_window->journal()->query(blocked)).empty(), kWaitMs);
        QCOMPARE(entries[0].holdId, static_cast<uint64_t>(hold));
        QCOMPARE(entries[0].decidedBy, std::string("person"));
        QCOMPARE(m_window->approvals()->count(), 0);
    }

    void AllowClickedInTheDialogRunsTheProgram()
    {
        std::string tag;
        ApprovalDialog *dialog = startAndWaitForDialog(&tag);
        QVERIFY2(dialog != nullptr, "no approval dialog for the held start");
        const quint64 hold = dialog->request().holdId;
        QTest::mouseClick(dialog->allowButton(), Qt::LeftButton);

        const std::optional<SpawnResult> spawned = waitSpawn(tag);
        QVERIFY2(spawned.has_value(), "posix_spawn did not return after the click");
        QCOMPARE(spawned->error, 0);
        const std::optional<int> status = m_launcher->waitExit(tag, Ms{kWaitMs});
        QVERIFY(status.has_value());
        QVERIFY(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);

        // The allowed attempt leaves the tree; its verdict moves onto the process.
        const pg::ProcessTable &table = m_window->treeModel()->table();
        QTRY_VERIFY_WITH_TIMEOUT(table.findHold(hold) == 0, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(findEntry(table,
                                           [&](const pg::ProcessEntry &e) {
                                               return !e.isAttempt() &&
                                                      e.pid ==
                                                          static_cast<uint32_t>(spawned->pid) &&
                                                      e.verdict == pg::Verdict::Allow;
                                           }) != 0,
                                 kWaitMs);

        pg::JournalFilter allowed;
        allowed.verdict = pg::Verdict::Allow;
        allowed.program = m_program;
        std::vector<pg::JournalEntry> entries;
        QTRY_VERIFY_WITH_TIMEOUT(!(entries = m_window->journal()->query(allowed)).empty(), kWaitMs);
        QCOMPARE(entries[0].holdId, static_cast<uint64_t>(hold));
        QCOMPARE(entries[0].decidedBy, std::string("person"));
    }
};

QTEST_MAIN(PanelEndToEndTest)
#include "PanelEndToEndTest.moc"
