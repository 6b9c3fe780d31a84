// main.cpp - the ProcGuard control panel: parses the command line and opens
// the main window. Everything else lives in pg_ui.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QStandardPaths>

#include "DefaultPaths.h"
#include "KernelLinkClient.h"
#include "Lifecycle.h"
#include "MainWindow.h"

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("procguard-panel"));
    QApplication::setOrganizationName(QStringLiteral("ProcGuard"));
    QApplication::setApplicationVersion(QStringLiteral(PG_PANEL_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/procguard.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("ProcGuard control panel: approve program starts, manage the kernel "
                       "component and browse the live process tree."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption socket(QStringLiteral("socket"),
                              QStringLiteral("Reach the kernel component at PATH."),
                              QStringLiteral("PATH"));
    QCommandLineOption journal(QStringLiteral("journal"),
                               QStringLiteral("Keep the event journal in FILE."),
                               QStringLiteral("FILE"));
    QCommandLineOption component(QStringLiteral("component"),
                                 QStringLiteral("Kernel component to install (procguardd)."),
                                 QStringLiteral("PATH"));
    QCommandLineOption noConnect(QStringLiteral("no-connect"),
                                 QStringLiteral("Do not start monitoring at start-up."));
    parser.addOptions({socket, journal, component, noConnect});
    parser.process(app);

    MainWindowOptions options;
    options.socketPath = parser.isSet(socket) ? parser.value(socket)
                                              : QString::fromStdString(pg::defaultSocketPath());
    QString journalPath = parser.value(journal);
    if (journalPath.isEmpty()) {
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        QDir().mkpath(dir);
        journalPath = dir + QStringLiteral("/journal.db");
    }
    options.journalPath = journalPath;
    options.clientFactory = &KernelLinkClient::create;
    pg::LifecycleOptions lifecycle;
    lifecycle.componentPath = parser.isSet(component)
                                  ? parser.value(component).toStdString()
                                  : QStringLiteral(PG_DEFAULT_COMPONENT_PATH).toStdString();
    lifecycle.socketPath = options.socketPath.toStdString();
    options.lifecycle = pg::makePlatformLifecycle(lifecycle);
    options.connectAtStart = !parser.isSet(noConnect);

    MainWindow window(std::move(options));
    window.show();
    return app.exec();
}
