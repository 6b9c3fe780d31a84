// main.cpp - the ProcGuard control panel: parses the command line and opens
// the main window. Everything else lives in pg_ui.
#include <QApplication>
#include <QSystemTrayIcon>
#include <cstdio>
#include <cstring>

#include "MainWindow.h"
#include "PanelCommandLine.h"
#include "ParentConsole.h"
#include "Translations.h"

namespace
{

void describeApplication()
{
    QCoreApplication::setApplicationName(QStringLiteral("procguard-panel"));
    QCoreApplication::setOrganizationName(QStringLiteral("ProcGuard"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PG_PANEL_VERSION));
    // The system's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG on Linux).
    pg::installTranslations(QLocale::system());
}

// --help and --version print and exit: they need no display.
bool onlyPrints(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        for (const char *flag : {"--help", "-h", "-?", "--help-all", "--version", "-v"}) {
            if (std::strcmp(argv[i], flag) == 0)
                return true;
        }
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    if (onlyPrints(argc, argv)) {
        QCoreApplication app(argc, argv);
        describeApplication();
        pg::useParentConsole();
        PanelCommandLine commandLine;
        QString text;
        if (commandLine.printedText(QCoreApplication::arguments(), &text)) {
            std::fputs(text.toLocal8Bit().constData(), stdout);
            return std::fflush(stdout) == 0 ? 0 : 1;
        }
        commandLine.process(app); // --help-all, or a usage error: prints, then exits
        return 0;
    }
    QApplication app(argc, argv);
    describeApplication();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/procguard.svg")));

    PanelCommandLine commandLine;
    commandLine.process(app);
    MainWindow window(commandLine.options(QStringLiteral(PG_DEFAULT_COMPONENT_PATH)));
    if (commandLine.startsInTray() && QSystemTrayIcon::isSystemTrayAvailable()) {
        // The tray icon's menu shows the window and quits; closing the
        // window (or a dialog) leaves the panel in the tray.
        QApplication::setQuitOnLastWindowClosed(false);
    } else {
        window.show();
    }
    return app.exec();
}
