// MainWindow.h - the control panel's main window.
//
// Groups: the kernel component (install/start/stop/uninstall through
// LifecycleController, buttons enabled by state, errors in one sentence),
// monitoring (connect as the controlling client, mode, default verdict,
// timeout, pushed as policy through KernelLinkBridge), and tabs for the live
// process tree (ProcessTreeModel behind ProcessFilterProxy), the pending
// approvals (PendingModel, mirroring the ApprovalManager's dialogs), the
// rules editor and the event log (Journal). Every drained batch goes to the
// journal, the tree, the pending list and the dialogs, in that order. A tray
// icon shows the state and tells about lockdown blocks. Geometry, columns
// and settings persist in QSettings.
//
// GUI thread only; nothing here waits on the kernel component.
#pragma once

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>
#include <vector>

#include "ApprovalManager.h"
#include "KernelClient.h"
#include "Lifecycle.h"

class EventLogView;
class KernelLinkBridge;
class LifecycleController;
class PendingModel;
class ProcessFilterProxy;
class ProcessTreeModel;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QSystemTrayIcon;
class QTabWidget;
class QTableView;
class QTreeView;
class RulesEditor;
class RulesModel;
class PanelLock;

namespace pg
{
class Journal;
class ProcessControl;
} // namespace pg

struct MainWindowOptions {
    QString socketPath;  // empty: the platform default
    QString journalPath; // empty: no journal (tests)
    KernelClientFactory clientFactory;
    std::unique_ptr<pg::Lifecycle> lifecycle;           // null: no lifecycle management
    std::shared_ptr<pg::ProcessControl> processControl; // null: the platform's
    // Shows a desktop notification; null: the tray icon's message (if any).
    std::function<void(const QString &title, const QString &text)> notifier;
    bool connectAtStart = true;
    // The panel lock's PIN record; empty: PanelLock::defaultPath().
    QString pinPath;
    QString settingsGroup = QStringLiteral("MainWindow");
    // The Santa sync's state folder (SyncState.h); empty: the platform default.
    QString syncStateDir;
};

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(MainWindowOptions options, QWidget *parent = nullptr);
    ~MainWindow() override;

    ProcessTreeModel *treeModel() const { return m_treeModel; }
    ProcessFilterProxy *treeProxy() const { return m_proxy; }
    QTreeView *treeView() const { return m_tree; }
    // The tree view shows the process model itself, or the search proxy over
    // it while a search is active (see ProcessFilterProxy.h). Conversions
    // between the process model's indexes and the view's:
    QModelIndex treeViewIndex(const QModelIndex &modelIndex) const;
    QModelIndex treeModelIndex(const QModelIndex &viewIndex) const;
    // Puts the proxy in (non-empty text) or takes it out, keeping expanded
    // rows, selection and the current row.
    void setSearchText(const QString &text);
    ApprovalManager *approvals() const { return m_approvals; }
    PendingModel *pendingModel() const { return m_pendingModel; }
    QTableView *pendingView() const { return m_pendingView; }
    // "Allow selected" / "Block selected" of the Pending approvals tab:
    // answers every selected row (also one whose dialog was closed).
    void decideSelectedPending(pg::Verdict verdict);
    RulesModel *rulesModel() const { return m_rulesModel; }
    KernelLinkBridge *bridge() const { return m_bridge; }
    PanelLock *panelLock() const { return m_lock; }
    RulesEditor *rulesEditor() const { return m_rulesEditor; }
    // Opens the PIN prompt (locked) or locks the panel (unlocked).
    void toggleLock();
    EventLogView *eventLog() const { return m_eventLog; }
    pg::Journal *journal() const { return m_journal.get(); }

    // The policy last read from or sent to the kernel component; fields the
    // panel has no control for (hold budget, case folding) are kept as read.
    const pg::Policy &policyInForce() const { return m_policy; }

    void startMonitoring();
    void stopMonitoring();
    void applyPolicy();
    // Tree (processes under their parents) or flat list; remembered.
    void setListMode(bool list);
    bool listMode() const;
    // Asks the process of a tree row (a view index) to end; the answer, or
    // why not, goes to the status bar. Returns the error ("" when sent).
    QString terminateProcess(const QModelIndex &index);
    // The Santa sync line: hidden while no sync ever ran; else the server,
    // the last successful sync and the last error. Re-read every 10 s.
    QLabel *syncStateLabel() const { return m_syncState; }
    void refreshSyncState();

signals:
    // Lockdown blocked these programs (one signal per drained batch); the
    // tray tells the person.
    void lockdownBlocked(const QStringList &images);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QWidget *buildComponentGroup();
    QWidget *buildMonitoringGroup();
    QWidget *buildProcessTab();
    QWidget *buildPendingTab();
    void buildTray();
    void buildShortcuts();
    void onEvents(const std::vector<pg::Event> &batch);
    void onComponentState(pg::ComponentState state, const QString &error);
    void onRuleRequested(const pg::Rule &rule);
    void showTreeMenu(const QPoint &pos);
    struct TreeState {
        std::vector<quint64> expanded; // entry keys
        std::vector<quint64> selected;
        quint64 current = 0;
    };
    TreeState saveTreeState() const;
    void restoreTreeState(const TreeState &state);
    void showProperties(const QModelIndex &index);
    void notifyLockdownBlocks(const std::vector<pg::Event> &batch);
    void updateConnectionUi();
    void loadSettings();
    void saveSettings();
    void showMessage(const QString &text);
    // The panel lock: disables what changes rules and settings.
    void applyLock(bool locked);
    // A rule's message and link for a VERDICT's rule id ("" when none).
    QString ruleMessage(uint32_t ruleId) const;

    MainWindowOptions m_options;
    std::unique_ptr<pg::Journal> m_journal;
    KernelLinkBridge *m_bridge = nullptr;
    LifecycleController *m_lifecycle = nullptr;
    ProcessTreeModel *m_treeModel = nullptr;
    ProcessFilterProxy *m_proxy = nullptr; // between model and view only while searching
    std::vector<quint64> m_expandedBeforeSearch;
    PendingModel *m_pendingModel = nullptr;
    RulesModel *m_rulesModel = nullptr;
    ApprovalManager *m_approvals = nullptr;
    EventLogView *m_eventLog = nullptr;
    RulesEditor *m_rulesEditor = nullptr;
    PanelLock *m_lock = nullptr;
    QWidget *m_componentGroup = nullptr;
    QWidget *m_monitoringGroup = nullptr;
    QList<QAction *> m_lockedActions; // disabled while locked
    QAction *m_lockAction = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTreeView *m_tree = nullptr;
    QTableView *m_pendingView = nullptr;
    QLineEdit *m_search = nullptr;
    QCheckBox *m_keepExited = nullptr;
    QCheckBox *m_listMode = nullptr;
    QLabel *m_componentState = nullptr;
    QPushButton *m_install = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_uninstall = nullptr;
    QLabel *m_connection = nullptr;
    QLabel *m_syncState = nullptr; // the Santa sync: server, last sync, last error
    QTimer *m_syncTimer = nullptr;
    QPushButton *m_monitorOn = nullptr;
    QPushButton *m_monitorOff = nullptr;
    QComboBox *m_mode = nullptr;
    QComboBox *m_defaultVerdict = nullptr;
    QSpinBox *m_timeout = nullptr;
    QPushButton *m_applyPolicy = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QTimer m_tick;
    pg::Policy m_policy;
    bool m_connecting = false;
};
