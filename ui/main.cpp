// main.cpp - the ProcGuard control panel: parses the command line and opens
// the main window. Everything else lives in pg_ui.
#include <QApplication>

#include "MainWindow.h"
#include "PanelCommandLine.h"
#include "Translations.h"

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("procguard-panel"));
    QApplication::setOrganizationName(QStringLiteral("ProcGuard"));
    QApplication::setApplicationVersion(QStringLiteral(PG_PANEL_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/procguard.svg")));
    // The system's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG on Linux).
    pg::installTranslations(QLocale::system());

    PanelCommandLine commandLine;
    commandLine.process(app);
    MainWindow window(commandLine.options(QStringLiteral(PG_DEFAULT_COMPONENT_PATH)));
    window.show();
    return app.exec();
}
