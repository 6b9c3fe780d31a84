#include "MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDesktopServices>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSpinBox>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTableView>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

#include "EventLogView.h"
#include "Journal.h"
#include "KernelLinkBridge.h"
#include "LifecycleController.h"
#include "LockSettingsDialog.h"
#include "Messages.h"
#include "PanelLock.h"
#include "PendingModel.h"
#include "PinDialog.h"
#include "ProcessControl.h"
#include "ProcessFilterProxy.h"
#include "ProcessTreeDelegate.h"
#include "ProcessTreeModel.h"
#include "RulesEditor.h"
#include "RulesModel.h"
#include "SyncState.h"
#include "UserNames.h"

MainWindow::MainWindow(MainWindowOptions options, QWidget *parent)
    : QMainWindow(parent), m_options(std::move(options))
{
    setWindowTitle(tr("ProcGuard"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/procguard.svg")));

    if (!m_options.processControl)
        m_options.processControl = pg::makePlatformProcessControl();
    auto names = std::make_shared<pg::UserNameResolver>(pg::makePlatformUserNameResolver());
    auto userName = [names](uint32_t uid) { return QString::fromStdString((*names)(uid)); };

    if (!m_options.journalPath.isEmpty()) {
        m_journal = std::make_unique<pg::Journal>();
        std::string error;
        if (!m_journal->open(m_options.journalPath.toStdString(), {}, &error)) {
            showMessage(QString::fromStdString(error));
            m_journal.reset();
        }
    }

    m_bridge = new KernelLinkBridge(m_options.clientFactory, this);
    m_treeModel = new ProcessTreeModel(this);
    m_treeModel->setUserNameResolver(userName);
    m_proxy = new ProcessFilterProxy(this); // gets the model while searching
    m_pendingModel = new PendingModel(this);
    m_pendingModel->setUserNameResolver(userName);
    m_rulesModel = new RulesModel(this);
    m_approvals = new ApprovalManager(this, this);
    m_approvals->setUserNameResolver(userName);

    m_tabs = new QTabWidget;
    m_tabs->addTab(buildProcessTab(), tr("&Processes"));
    m_tabs->addTab(buildPendingTab(), tr("Pending &approvals"));
    m_rulesEditor = new RulesEditor(m_rulesModel);
    m_tabs->addTab(m_rulesEditor, tr("&Rules"));
    m_eventLog = new EventLogView;
    m_eventLog->setJournal(m_journal.get());
    m_rulesEditor->setJournal(m_journal.get()); // proposals from learning
    m_tabs->addTab(m_eventLog, tr("Event &log"));

    auto *top = new QHBoxLayout;
    m_componentGroup = buildComponentGroup();
    m_monitoringGroup = buildMonitoringGroup();
    top->addWidget(m_componentGroup);
    top->addWidget(m_monitoringGroup, 1);
    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->addLayout(top);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    connect(m_bridge, &KernelLinkBridge::eventsReceived, this, &MainWindow::onEvents);
    connect(m_bridge, &KernelLinkBridge::connected, this, [this](const pg::ConnectInfo &info) {
        m_connecting = false;
        showMessage(tr("Connected to %1 (pid %2) as %3.")
                        .arg(QString::fromStdString(info.serverName))
                        .arg(info.serverPid)
                        .arg(QString::fromLatin1(pg::toString(info.role))));
        m_bridge->fetchPolicy();
        updateConnectionUi();
    });
    connect(m_bridge, &KernelLinkBridge::connectFailed, this, [this](const QString &message) {
        m_connecting = false;
        showMessage(message);
        updateConnectionUi();
    });
    connect(m_bridge, &KernelLinkBridge::disconnected, this, [this](const QString &reason) {
        m_approvals->closeAll();
        m_pendingModel->clear();
        showMessage(reason.isEmpty() ? tr("Monitoring stopped.") : reason);
        updateConnectionUi();
    });
    connect(m_bridge, &KernelLinkBridge::requestFailed, this, &MainWindow::showMessage);
    connect(m_bridge, &KernelLinkBridge::policyApplied, this,
            [this] { showMessage(tr("Policy applied.")); });
    connect(m_bridge, &KernelLinkBridge::policyReceived, this, [this](const pg::Policy &policy) {
        m_mode->setCurrentIndex(m_mode->findData(static_cast<int>(policy.mode)));
        m_defaultVerdict->setCurrentIndex(
            m_defaultVerdict->findData(static_cast<int>(policy.defaultVerdict)));
        m_timeout->setValue(static_cast<int>(policy.timeoutMs / 1000));
        m_rulesModel->setRules(policy.rules);
        m_policy = policy;
    });
    connect(m_approvals, &ApprovalManager::verdictChosen, this,
            [this](quint64 holdId, pg::Verdict verdict) {
                m_pendingModel->remove(holdId);
                m_bridge->sendVerdict(holdId, verdict);
            });
    connect(m_approvals, &ApprovalManager::ruleRequested, this, &MainWindow::onRuleRequested);
    connect(m_approvals, &ApprovalManager::countChanged, this, [this](int count) {
        m_tabs->setTabText(1, count > 0 ? tr("Pending &approvals (%1)").arg(count)
                                        : tr("Pending &approvals"));
    });
    connect(m_rulesEditor, &RulesEditor::applyRequested, this, &MainWindow::applyPolicy);
    connect(m_eventLog, &EventLogView::message, this, &MainWindow::showMessage);

    if (m_options.lifecycle) {
        m_lifecycle = new LifecycleController(std::move(m_options.lifecycle), this);
        connect(m_lifecycle, &LifecycleController::finished, this, &MainWindow::onComponentState);
        m_lifecycle->run(LifecycleController::Action::Refresh);
    }
    onComponentState(pg::ComponentState::Unknown, QString());

    m_tick.setInterval(250);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        m_treeModel->tick();
        m_pendingModel->tick();
        if (m_tabs->currentWidget() == m_eventLog)
            m_eventLog->update();
    });
    m_tick.start();

    m_lock =
        new PanelLock(m_options.pinPath.isEmpty() ? PanelLock::defaultPath() : m_options.pinPath,
                      {}, pg::PinStore::kDefaultIterations, this);
    connect(m_lock, &PanelLock::lockedChanged, this, &MainWindow::applyLock);
    if (!m_lock->loadError().isEmpty())
        showMessage(m_lock->loadError());
    buildTray();
    buildShortcuts();
    applyLock(m_lock->isLocked());
    loadSettings();
    updateConnectionUi();
    refreshSyncState();
    if (m_options.connectAtStart)
        startMonitoring();
}

MainWindow::~MainWindow() = default;

void MainWindow::refreshSyncState()
{
    const std::string dir = m_options.syncStateDir.isEmpty()
                                ? std::string(pg::sync::kDefaultSyncStateDir)
                                : m_options.syncStateDir.toStdString();
    pg::sync::SyncState state;
    std::string error;
    if (!pg::sync::readSyncState(dir, &state, &error)) {
        m_syncState->setVisible(!error.empty());
        m_syncState->setText(tr("Santa sync: %1").arg(QString::fromStdString(error)));
        return;
    }
    const auto when = [](int64_t t) {
        return t <= 0 ? tr("never") : QDateTime::fromSecsSinceEpoch(t).toString(Qt::ISODate);
    };
    QString text = tr("Santa sync: %1 \u2014 last sync %2")
                       .arg(QString::fromStdString(state.server), when(state.lastSuccess));
    if (state.lastError.empty())
        text += tr(", %n rules", nullptr, static_cast<int>(state.rules));
    else
        text += tr("; last error (%1): %2")
                    .arg(when(state.lastAttempt), QString::fromStdString(state.lastError));
    m_syncState->setText(text);
    m_syncState->setVisible(true);
}

QWidget *MainWindow::buildComponentGroup()
{
    auto *box = new QGroupBox(tr("Kernel component"));
    m_componentState = new QLabel(tr("state unknown"));
    m_componentState->setObjectName(QStringLiteral("componentState"));
    m_install = new QPushButton(QIcon(QStringLiteral(":/icons/install.svg")), tr("Install"));
    m_start = new QPushButton(QIcon(QStringLiteral(":/icons/start.svg")), tr("Start"));
    m_stop = new QPushButton(QIcon(QStringLiteral(":/icons/stop.svg")), tr("Stop"));
    m_uninstall = new QPushButton(QIcon(QStringLiteral(":/icons/uninstall.svg")), tr("Uninstall"));
    using A = LifecycleController::Action;
    const std::pair<QPushButton *, A> actions[] = {{m_install, A::Install},
                                                   {m_start, A::Start},
                                                   {m_stop, A::Stop},
                                                   {m_uninstall, A::Uninstall}};
    for (const auto &[button, action] : actions) {
        const A a = action;
        connect(button, &QPushButton::clicked, this, [this, a] {
            if (m_lifecycle == nullptr)
                return;
            m_componentState->setText(tr("working..."));
            m_lifecycle->run(a);
            onComponentState(m_lifecycle->state(), QString());
        });
    }
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_install, m_start, m_stop, m_uninstall})
        buttons->addWidget(b);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_componentState);
    layout->addLayout(buttons);
    return box;
}

QWidget *MainWindow::buildMonitoringGroup()
{
    auto *box = new QGroupBox(tr("Monitoring"));
    m_connection = new QLabel;
    m_monitorOn = new QPushButton(tr("Start &monitoring"));
    m_monitorOff = new QPushButton(tr("Stop m&onitoring"));
    m_mode = new QComboBox;
    m_mode->addItem(tr("Monitor (log only)"), static_cast<int>(pg::Mode::Monitor));
    m_mode->addItem(tr("Prompt (ask me)"), static_cast<int>(pg::Mode::Prompt));
    m_mode->addItem(tr("Lockdown (block unknown)"), static_cast<int>(pg::Mode::Lockdown));
    m_defaultVerdict = new QComboBox;
    m_defaultVerdict->addItem(tr("Block"), static_cast<int>(pg::Verdict::Block));
    m_defaultVerdict->addItem(tr("Allow"), static_cast<int>(pg::Verdict::Allow));
    m_timeout = new QSpinBox;
    m_timeout->setRange(0, static_cast<int>(PG_MAX_TIMEOUT_MS / 1000));
    m_timeout->setSuffix(tr(" s"));
    m_timeout->setSpecialValueText(tr("no limit"));
    m_timeout->setValue(30);
    m_applyPolicy = new QPushButton(tr("A&pply"));
    m_mode->setObjectName(QStringLiteral("mode"));
    m_defaultVerdict->setObjectName(QStringLiteral("defaultVerdict"));
    m_timeout->setObjectName(QStringLiteral("timeout"));
    m_applyPolicy->setObjectName(QStringLiteral("applyPolicy"));
    connect(m_monitorOn, &QPushButton::clicked, this, &MainWindow::startMonitoring);
    connect(m_monitorOff, &QPushButton::clicked, this, &MainWindow::stopMonitoring);
    connect(m_applyPolicy, &QPushButton::clicked, this, &MainWindow::applyPolicy);

    auto *row1 = new QHBoxLayout;
    row1->addWidget(m_connection, 1);
    row1->addWidget(m_monitorOn);
    row1->addWidget(m_monitorOff);
    auto *row2 = new QHBoxLayout;
    row2->addWidget(new QLabel(tr("Mode:")));
    row2->addWidget(m_mode);
    row2->addWidget(new QLabel(tr("Default verdict:")));
    row2->addWidget(m_defaultVerdict);
    row2->addWidget(new QLabel(tr("Timeout:")));
    row2->addWidget(m_timeout);
    row2->addWidget(m_applyPolicy);
    m_syncState = new QLabel;
    m_syncState->setObjectName(QStringLiteral("syncState"));
    m_syncState->setWordWrap(true);
    m_syncState->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_syncState->hide();
    auto *layout = new QVBoxLayout(box);
    layout->addLayout(row1);
    layout->addLayout(row2);
    layout->addWidget(m_syncState);
    m_syncTimer = new QTimer(this);
    m_syncTimer->setInterval(10000);
    connect(m_syncTimer, &QTimer::timeout, this, &MainWindow::refreshSyncState);
    m_syncTimer->start();
    return box;
}

QWidget *MainWindow::buildProcessTab()
{
    auto *page = new QWidget;
    m_search = new QLineEdit;
    m_search->setObjectName(QStringLiteral("search"));
    m_search->setPlaceholderText(tr("Search name, path, command line or PID (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_keepExited = new QCheckBox(tr("Keep exited processes"));
    m_listMode = new QCheckBox(tr("&List"));
    m_listMode->setObjectName(QStringLiteral("listMode"));
    m_listMode->setToolTip(tr("Show every process in one flat list instead of the tree (Ctrl+L)"));
    connect(m_listMode, &QCheckBox::toggled, this, &MainWindow::setListMode);
    connect(m_search, &QLineEdit::textChanged, this, &MainWindow::setSearchText);
    connect(m_keepExited, &QCheckBox::toggled, m_treeModel, &ProcessTreeModel::setKeepExited);

    m_tree = new QTreeView;
    m_tree->setObjectName(QStringLiteral("processTree"));
    m_tree->setModel(m_treeModel);      // the search proxy only while searching
    m_tree->setUniformRowHeights(true); // required at 10,000+ rows
    m_tree->setItemDelegate(new ProcessTreeDelegate(m_tree)); // no text layout per paint
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(ProcessTreeModel::Pid, Qt::AscendingOrder);
    m_tree->setAlternatingRowColors(true);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->header()->setStretchLastSection(true);
    m_tree->setColumnWidth(ProcessTreeModel::Name, 220);
    connect(m_tree, &QTreeView::customContextMenuRequested, this, &MainWindow::showTreeMenu);
    connect(m_tree, &QTreeView::doubleClicked, this, &MainWindow::showProperties);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_search, 1);
    bar->addWidget(m_keepExited);
    bar->addWidget(m_listMode);
    auto *layout = new QVBoxLayout(page);
    layout->addLayout(bar);
    layout->addWidget(m_tree, 1);
    return page;
}

void MainWindow::decideSelectedPending(pg::Verdict verdict)
{
    // Hold ids first: each answer removes its row, which would shift the
    // rows of the selection still to come.
    QList<quint64> holds;
    for (const QModelIndex &i : m_pendingView->selectionModel()->selectedRows())
        holds.append(m_pendingModel->holdAt(i.row()));
    for (quint64 holdId : holds)
        m_approvals->decide(holdId, verdict);
}

QWidget *MainWindow::buildPendingTab()
{
    auto *page = new QWidget;
    m_pendingView = new QTableView;
    m_pendingView->setModel(m_pendingModel);
    m_pendingView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_pendingView->horizontalHeader()->setStretchLastSection(true);
    auto *allow = new QPushButton(QIcon(QStringLiteral(":/icons/allow.svg")), tr("Allow selected"));
    auto *block =
        new QPushButton(QIcon(QStringLiteral(":/icons/blocked.svg")), tr("Block selected"));
    connect(allow, &QPushButton::clicked, this,
            [this] { decideSelectedPending(pg::Verdict::Allow); });
    connect(block, &QPushButton::clicked, this,
            [this] { decideSelectedPending(pg::Verdict::Block); });
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(allow);
    buttons->addWidget(block);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_pendingView, 1);
    layout->addLayout(buttons);
    return page;
}

void MainWindow::buildTray()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(QIcon(QStringLiteral(":/icons/procguard.svg")), this);
    auto *menu = new QMenu(this);
    menu->addAction(tr("Show ProcGuard"), this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    menu->addAction(tr("Quit"), qApp, &QApplication::quit);
    m_tray->setContextMenu(menu);
    m_tray->setToolTip(tr("ProcGuard"));
    m_tray->show();
}

void MainWindow::buildShortcuts()
{
    auto *file = menuBar()->addMenu(tr("&File"));
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    auto *view = menuBar()->addMenu(tr("&View"));
    QAction *find = view->addAction(tr("&Find process"), this, [this] {
        m_tabs->setCurrentIndex(0);
        m_search->setFocus();
        m_search->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    QAction *expand = view->addAction(tr("&Expand all"), m_tree, &QTreeView::expandAll);
    expand->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    QAction *list = view->addAction(tr("Process &list"), m_listMode, &QCheckBox::toggle);
    list->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    QAction *refresh = view->addAction(tr("&Refresh component state"), this, [this] {
        if (m_lifecycle != nullptr)
            m_lifecycle->run(LifecycleController::Action::Refresh);
    });
    refresh->setShortcut(QKeySequence::Refresh);
    for (int i = 0; i < 4; ++i) {
        auto *tab = new QShortcut(QKeySequence(Qt::ALT | (Qt::Key_1 + i)), this);
        connect(tab, &QShortcut::activated, this, [this, i] { m_tabs->setCurrentIndex(i); });
    }
    auto *monitoring = menuBar()->addMenu(tr("&Monitoring"));
    QAction *on =
        monitoring->addAction(tr("&Start monitoring"), this, &MainWindow::startMonitoring);
    on->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    QAction *off = monitoring->addAction(tr("S&top monitoring"), this, &MainWindow::stopMonitoring);
    off->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    QAction *apply = monitoring->addAction(tr("&Apply policy"), this, &MainWindow::applyPolicy);
    apply->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_lockedActions = {off, apply};
    auto *settings = menuBar()->addMenu(tr("&Settings"));
    m_lockAction = settings->addAction(QString(), this, &MainWindow::toggleLock);
    m_lockAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    QAction *pin = settings->addAction(tr("Panel &lock (PIN)..."), this, [this] {
        auto *dialog = new LockSettingsDialog(m_lock, this);
        dialog->open();
    });
    pin->setToolTip(PanelLock::enforcementNote());
    m_lockedActions.append(pin);
}

void MainWindow::startMonitoring()
{
    if (m_bridge->isConnected() || m_connecting)
        return;
    m_connecting = true;
    m_treeModel->clear(); // a new connection brings a new snapshot
    pg::ConnectOptions options;
    options.control = true;
    options.observerIfTaken = true;
    options.clientName = "procguard-panel";
    m_bridge->connectTo(m_options.socketPath, options);
    updateConnectionUi();
}

void MainWindow::stopMonitoring()
{
    m_bridge->disconnectFromComponent();
}

void MainWindow::applyPolicy()
{
    if (!m_bridge->isConnected()) {
        showMessage(tr("Start monitoring first: the policy goes to a running kernel component."));
        return;
    }
    pg::Policy policy = m_policy; // keeps what the panel does not edit (hold budget)
    policy.mode = static_cast<pg::Mode>(m_mode->currentData().toInt());
    policy.defaultVerdict = static_cast<pg::Verdict>(m_defaultVerdict->currentData().toInt());
    policy.timeoutMs = static_cast<uint32_t>(m_timeout->value()) * 1000u;
    policy.rules = m_rulesModel->rules();
    m_policy = policy;
    m_bridge->setPolicy(policy);
}

void MainWindow::onEvents(const std::vector<pg::Event> &batch)
{
    if (m_journal) {
        std::string error;
        if (!m_journal->append(batch, &error))
            showMessage(QString::fromStdString(error));
    }
    m_treeModel->applyEvents(batch);
    m_pendingModel->handleEvents(batch);
    m_approvals->handleEvents(batch);
    for (const pg::Event &ev : batch) {
        if (ev.kind == pg::EventKind::Policy)
            m_policy.mode = ev.mode;
    }
    notifyLockdownBlocks(batch);
}

void MainWindow::notifyLockdownBlocks(const std::vector<pg::Event> &batch)
{
    // Lockdown blocks without asking: by a block rule or because no rule
    // allows the program. A storm of blocks makes one notification.
    // A block by a rule that carries a message is told in any mode, with
    // the message (and link) the rule's author wrote.
    QStringList images;
    QString message;
    for (const pg::Event &ev : batch) {
        if (ev.kind != pg::EventKind::Verdict || ev.verdict != pg::Verdict::Block)
            continue;
        const QString ruleText = ev.source == pg::Source::Rule ? ruleMessage(ev.ruleId) : QString();
        if ((ev.mode == pg::Mode::Lockdown &&
             (ev.source == pg::Source::Mode || ev.source == pg::Source::Rule)) ||
            !ruleText.isEmpty()) {
            images.append(QString::fromStdString(ev.image));
            if (message.isEmpty())
                message = ruleText;
        }
    }
    if (images.isEmpty())
        return;
    emit lockdownBlocked(images);
    const QString title = images.size() == 1
                              ? tr("ProcGuard blocked a program")
                              : tr("ProcGuard blocked %1 programs").arg(images.size());
    QString text = images.first();
    if (images.size() > 1)
        text = tr("%1 and %2 more").arg(images.first()).arg(images.size() - 1);
    if (!message.isEmpty())
        text += QLatin1Char('\n') + message;
    if (m_options.notifier)
        m_options.notifier(title, text);
    else if (m_tray != nullptr)
        m_tray->showMessage(title, text, QSystemTrayIcon::Warning, 5000);
}

void MainWindow::onComponentState(pg::ComponentState state, const QString &error)
{
    const bool busy = m_lifecycle != nullptr && m_lifecycle->busy();
    const bool managed = m_lifecycle != nullptr;
    QString text = managed ? tr("%1: %2").arg(m_lifecycle->describe(),
                                              QString::fromLatin1(pg::toString(state)))
                           : tr("not managed by this panel");
    if (busy)
        text = tr("working...");
    m_componentState->setText(text);
    m_install->setEnabled(managed && !busy && state == pg::ComponentState::NotInstalled);
    m_start->setEnabled(managed && !busy && state == pg::ComponentState::Stopped);
    m_stop->setEnabled(managed && !busy && state == pg::ComponentState::Running);
    m_uninstall->setEnabled(
        managed && !busy &&
        (state == pg::ComponentState::Stopped || state == pg::ComponentState::Running));
    if (!error.isEmpty())
        showMessage(error);
    if (m_tray != nullptr)
        m_tray->setToolTip(tr("ProcGuard: %1").arg(text));
    if (state == pg::ComponentState::Running && !m_bridge->isConnected() && !busy &&
        m_options.connectAtStart)
        startMonitoring();
}

void MainWindow::toggleLock()
{
    if (!m_lock->isLocked()) {
        if (!m_lock->hasPin()) {
            showMessage(tr("Set a PIN first (Settings, Panel lock)."));
            return;
        }
        m_lock->lock();
        return;
    }
    auto *dialog = new PinDialog(m_lock, this);
    dialog->open();
}

void MainWindow::applyLock(bool locked)
{
    m_rulesEditor->setLocked(locked);
    const QString why =
        locked ? tr("Locked: enter the PIN (Settings, Unlock). ") + PanelLock::enforcementNote()
               : QString();
    for (QWidget *group : {m_componentGroup, m_monitoringGroup}) {
        group->setEnabled(!locked);
        group->setToolTip(why);
    }
    for (QAction *a : m_lockedActions)
        a->setEnabled(!locked);
    m_lockAction->setText(locked ? tr("&Unlock panel...") : tr("&Lock panel"));
    m_lockAction->setEnabled(locked || m_lock->hasPin());
    if (locked)
        showMessage(tr("The panel is locked: rules and settings need the PIN."));
}

QString MainWindow::ruleMessage(uint32_t ruleId) const
{
    if (ruleId == 0)
        return QString();
    // Rules sent without ids were numbered the same way when they were sent.
    std::vector<pg::Rule> rules = m_policy.rules;
    pg::msg::assignRuleIds(rules);
    for (const pg::Rule &r : rules) {
        if (r.id != ruleId || r.message.empty())
            continue;
        QString text = QString::fromStdString(r.message);
        if (!r.link.empty())
            text += QLatin1Char('\n') + QString::fromStdString(r.link);
        return text;
    }
    return QString();
}

void MainWindow::onRuleRequested(const pg::Rule &rule)
{
    if (m_lock->isLocked()) {
        showMessage(tr("The panel is locked: the answer applied this time only and no rule "
                       "was added. Unlock it with the PIN to add rules."));
        return;
    }
    const QString error = m_rulesModel->addRule(rule);
    if (!error.isEmpty()) {
        showMessage(tr("The rule was not added: %1").arg(error));
        return;
    }
    if (m_bridge->isConnected())
        applyPolicy();
}

void MainWindow::showTreeMenu(const QPoint &pos)
{
    const QModelIndex index = m_tree->indexAt(pos);
    if (!index.isValid())
        return;
    const QString image = index.data(ProcessTreeModel::ImageRole).toString();
    const QString cmdline = index.data(ProcessTreeModel::CmdlineRole).toString();
    QMenu menu(this);
    const auto addRule = [this, image](pg::Verdict action) {
        pg::Rule rule;
        rule.kind = pg::RuleKind::Exact;
        rule.action = action;
        rule.pattern = image.toStdString();
        onRuleRequested(rule);
    };
    QAction *allow =
        menu.addAction(QIcon(QStringLiteral(":/icons/allow.svg")), tr("Always allow this program"),
                       [addRule] { addRule(pg::Verdict::Allow); });
    QAction *block =
        menu.addAction(QIcon(QStringLiteral(":/icons/blocked.svg")),
                       tr("Always block this program"), [addRule] { addRule(pg::Verdict::Block); });
    allow->setEnabled(!image.isEmpty());
    block->setEnabled(!image.isEmpty());
    menu.addSeparator();
    const QPersistentModelIndex row(index);
    QAction *terminate = menu.addAction(tr("&Terminate process"), [this, row] {
        if (!row.isValid())
            return;
        auto *confirm = new QMessageBox(
            QMessageBox::Question, tr("Terminate process"),
            tr("End process %1 (%2)? It is asked to exit (SIGTERM) and may save its work.")
                .arg(row.data(ProcessTreeModel::PidRole).toUInt())
                .arg(row.sibling(row.row(), ProcessTreeModel::Name).data().toString()),
            QMessageBox::Yes | QMessageBox::Cancel, this);
        confirm->setAttribute(Qt::WA_DeleteOnClose);
        connect(confirm, &QMessageBox::accepted, this, [this, row] {
            if (row.isValid())
                terminateProcess(row);
        });
        confirm->open();
    });
    terminate->setEnabled(!index.data(ProcessTreeModel::IsAttemptRole).toBool() &&
                          !index.data(ProcessTreeModel::ExitedRole).toBool());
    menu.addAction(tr("Copy command line"),
                   [cmdline] { QApplication::clipboard()->setText(cmdline); });
    QAction *folder = menu.addAction(tr("Open containing folder"), [image] {
        QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(image).absolutePath()));
    });
    folder->setEnabled(!image.isEmpty());
    menu.addAction(tr("Properties"), [this, row] {
        if (row.isValid())
            showProperties(row);
    });
    menu.exec(m_tree->viewport()->mapToGlobal(pos));
}

QModelIndex MainWindow::treeViewIndex(const QModelIndex &modelIndex) const
{
    return m_tree->model() == m_proxy ? m_proxy->mapFromSource(modelIndex) : modelIndex;
}

QModelIndex MainWindow::treeModelIndex(const QModelIndex &viewIndex) const
{
    return viewIndex.model() == m_proxy ? m_proxy->mapToSource(viewIndex) : viewIndex;
}

MainWindow::TreeState MainWindow::saveTreeState() const
{
    TreeState state;
    const QAbstractItemModel *model = m_tree->model();
    std::vector<QModelIndex> stack{QModelIndex()};
    while (!stack.empty()) {
        const QModelIndex parent = stack.back();
        stack.pop_back();
        for (int r = 0, n = model->rowCount(parent); r < n; ++r) {
            const QModelIndex child = model->index(r, 0, parent);
            if (m_tree->isExpanded(child)) {
                state.expanded.push_back(child.data(ProcessTreeModel::KeyRole).toULongLong());
                stack.push_back(child);
            }
        }
    }
    for (const QModelIndex &i : m_tree->selectionModel()->selectedRows())
        state.selected.push_back(i.data(ProcessTreeModel::KeyRole).toULongLong());
    state.current =
        m_tree->selectionModel()->currentIndex().data(ProcessTreeModel::KeyRole).toULongLong();
    return state;
}

void MainWindow::restoreTreeState(const TreeState &state)
{
    // Right after setModel() the view's layout is pending, so each expand
    // only records the index.
    for (quint64 key : state.expanded) {
        const QModelIndex i = treeViewIndex(m_treeModel->indexForKey(key));
        if (i.isValid())
            m_tree->setExpanded(i, true);
    }
    QItemSelection selection;
    for (quint64 key : state.selected) {
        const QModelIndex i = treeViewIndex(m_treeModel->indexForKey(key));
        if (i.isValid())
            selection.select(i, i);
    }
    QItemSelectionModel *sm = m_tree->selectionModel();
    sm->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    const QModelIndex current = treeViewIndex(m_treeModel->indexForKey(state.current));
    if (current.isValid())
        sm->setCurrentIndex(current, QItemSelectionModel::NoUpdate);
}

void MainWindow::setSearchText(const QString &text)
{
    const bool searching = m_tree->model() == m_proxy;
    if (searching == !text.isEmpty()) {
        m_proxy->setSearchText(text);
        return;
    }
    TreeState state = saveTreeState();
    const QByteArray header = m_tree->header()->saveState();
    QItemSelectionModel *old = m_tree->selectionModel();
    if (!searching) {
        m_expandedBeforeSearch = state.expanded;
        m_proxy->setSearchText(text);
        m_proxy->setSourceModel(m_treeModel);
        m_tree->setModel(m_proxy);
    } else {
        // What was open before the search, and what the search opened.
        state.expanded.insert(state.expanded.end(), m_expandedBeforeSearch.begin(),
                              m_expandedBeforeSearch.end());
        m_expandedBeforeSearch.clear();
        m_tree->setModel(m_treeModel);
        m_proxy->setSourceModel(nullptr);
        m_proxy->setSearchText(text);
    }
    delete old; // setModel() leaves the old selection model to its owner
    m_tree->header()->restoreState(header);
    restoreTreeState(state);
}

void MainWindow::showProperties(const QModelIndex &index)
{
    const pg::ProcessEntry *e = m_treeModel->entry(treeModelIndex(index));
    if (e == nullptr)
        return;
    auto *box =
        new QMessageBox(QMessageBox::Information, tr("Process %1").arg(e->pid),
                        tr("<b>%1</b>").arg(QString::fromStdString(e->name).toHtmlEscaped()),
                        QMessageBox::Close, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(
        tr("Path: %1\nCommand line: %2\nPID %3, parent %4, creator %5\nUser: %6\nVerdict: %7")
            .arg(QString::fromStdString(e->image), QString::fromStdString(e->cmdline))
            .arg(e->pid)
            .arg(e->ppid)
            .arg(e->creatorPid)
            .arg(treeModelIndex(index).siblingAtColumn(ProcessTreeModel::User).data().toString(),
                 ProcessTreeModel::verdictText(*e)));
    box->open();
}

QString MainWindow::terminateProcess(const QModelIndex &index)
{
    const pg::ProcessEntry *e = m_treeModel->entry(treeModelIndex(index));
    QString error;
    if (e == nullptr)
        error = tr("That process is no longer in the list.");
    else if (e->isAttempt() || e->exited())
        error = tr("Process %1 is not running.").arg(e->pid);
    else
        error = QString::fromStdString(m_options.processControl->terminate(e->pid));
    if (error.isEmpty())
        showMessage(
            tr("Asked process %1 (%2) to end.").arg(e->pid).arg(QString::fromStdString(e->name)));
    else
        showMessage(error);
    return error;
}

void MainWindow::setListMode(bool list)
{
    if (m_listMode->isChecked() != list) {
        m_listMode->setChecked(list); // comes back here through toggled()
        return;
    }
    if (m_treeModel->isFlat() == list)
        return;
    m_treeModel->setFlat(list);
    m_tree->setRootIsDecorated(!list);
}

bool MainWindow::listMode() const
{
    return m_treeModel->isFlat();
}

void MainWindow::updateConnectionUi()
{
    const bool on = m_bridge->isConnected();
    m_connection->setText(on             ? tr("Connected")
                          : m_connecting ? tr("Connecting...")
                                         : tr("Not connected"));
    m_monitorOn->setEnabled(!on && !m_connecting);
    m_monitorOff->setEnabled(on);
    m_applyPolicy->setEnabled(on);
}

void MainWindow::showMessage(const QString &text)
{
    statusBar()->showMessage(text, 15000);
}

void MainWindow::loadSettings()
{
    QSettings settings;
    settings.beginGroup(m_options.settingsGroup);
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("state")).toByteArray());
    m_tree->header()->restoreState(settings.value(QStringLiteral("treeHeader")).toByteArray());
    m_keepExited->setChecked(settings.value(QStringLiteral("keepExited"), false).toBool());
    setListMode(settings.value(QStringLiteral("listMode"), false).toBool());
    m_treeModel->setHighlightMs(settings.value(QStringLiteral("highlightMs"), 3000).toInt());
    m_treeModel->setLingerMs(settings.value(QStringLiteral("exitedLingerMs"), 3000).toInt());
    settings.endGroup();
}

void MainWindow::saveSettings()
{
    QSettings settings;
    settings.beginGroup(m_options.settingsGroup);
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    settings.setValue(QStringLiteral("treeHeader"), m_tree->header()->saveState());
    settings.setValue(QStringLiteral("keepExited"), m_keepExited->isChecked());
    settings.setValue(QStringLiteral("listMode"), m_listMode->isChecked());
    settings.endGroup();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    m_approvals->closeAll(); // unanswered holds end by timeout or on disconnect
    QMainWindow::closeEvent(event);
}
