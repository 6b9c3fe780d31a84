// PanelCommandLine.h - the panel's command line, turned into MainWindowOptions.
//
// Shared by procguard-panel's main() and the end-to-end test, so the test
// starts the panel exactly as a person does (--socket PATH, --journal FILE,
// --component PATH, --no-connect, --tray). GUI thread; needs a QCoreApplication.
#pragma once

#include <QCommandLineParser>
#include <QStringList>

#include "MainWindow.h"

class PanelCommandLine
{
public:
    PanelCommandLine();

    // For main(): prints help, version or a usage error and exits as needed.
    void process(const QCoreApplication &app);
    // For main() before any window: the text --help or --version prints
    // (to standard output, where QCommandLineParser would show a message
    // box on Windows), or false when arguments ask for neither or are wrong.
    bool printedText(const QStringList &arguments, QString *text);
    // For tests: false on a usage error (errorText() says why).
    bool parse(const QStringList &arguments);
    QString errorText() const { return m_parser.errorText(); }

    // The window's options; the lifecycle manager controls defaultComponent
    // unless --component names another program.
    MainWindowOptions options(const QString &defaultComponent) const;
    // --tray: start with only the notification-area icon (the autostart
    // entry); main() shows the window anyway when there is no tray.
    bool startsInTray() const { return m_parser.isSet(m_tray); }

private:
    QCommandLineParser m_parser;
    QCommandLineOption m_socket;
    QCommandLineOption m_journal;
    QCommandLineOption m_component;
    QCommandLineOption m_noConnect;
    QCommandLineOption m_tray;
};
