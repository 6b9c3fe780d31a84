#include "PanelCommandLine.h"

#include <QDir>
#include <QStandardPaths>

#include "DefaultPaths.h"
#include "KernelLinkClient.h"
#include "Lifecycle.h"

PanelCommandLine::PanelCommandLine()
    : m_socket(QStringLiteral("socket"), QStringLiteral("Reach the kernel component at PATH."),
               QStringLiteral("PATH")),
      m_journal(QStringLiteral("journal"), QStringLiteral("Keep the event journal in FILE."),
                QStringLiteral("FILE")),
      m_component(QStringLiteral("component"),
                  QStringLiteral("Kernel component to install (procguardd)."),
                  QStringLiteral("PATH")),
      m_noConnect(QStringLiteral("no-connect"),
                  QStringLiteral("Do not start monitoring at start-up.")),
      m_tray(QStringLiteral("tray"),
             QStringLiteral("Start in the notification area, without the main window."))
{
    m_parser.setApplicationDescription(
        QStringLiteral("ProcGuard control panel: approve program starts, manage the kernel "
                       "component and browse the live process tree."));
    m_parser.addHelpOption();
    m_parser.addVersionOption();
    m_parser.addOptions({m_socket, m_journal, m_component, m_noConnect, m_tray});
}

void PanelCommandLine::process(const QCoreApplication &app)
{
    m_parser.process(app);
}

bool PanelCommandLine::printedText(const QStringList &arguments, QString *text)
{
    if (!m_parser.parse(arguments))
        return false;
    if (m_parser.isSet(QStringLiteral("version"))) {
        *text = QCoreApplication::applicationName() + QLatin1Char(' ') +
                QCoreApplication::applicationVersion() + QLatin1Char('\n');
        return true;
    }
    if (m_parser.isSet(QStringLiteral("help"))) {
        *text = m_parser.helpText();
        return true;
    }
    return false;
}

bool PanelCommandLine::parse(const QStringList &arguments)
{
    return m_parser.parse(arguments);
}

MainWindowOptions PanelCommandLine::options(const QString &defaultComponent) const
{
    MainWindowOptions options;
    options.socketPath = m_parser.isSet(m_socket) ? m_parser.value(m_socket)
                                                  : QString::fromStdString(pg::defaultSocketPath());
    QString journalPath = m_parser.value(m_journal);
    if (journalPath.isEmpty()) {
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        QDir().mkpath(dir);
        journalPath = dir + QStringLiteral("/journal.db");
    }
    options.journalPath = journalPath;
    options.clientFactory = &KernelLinkClient::create;
    pg::LifecycleOptions lifecycle;
    lifecycle.componentPath =
        (m_parser.isSet(m_component) ? m_parser.value(m_component) : defaultComponent)
            .toStdString();
    lifecycle.socketPath = options.socketPath.toStdString();
    options.lifecycle = pg::makePlatformLifecycle(lifecycle);
    options.connectAtStart = !m_parser.isSet(m_noConnect);
    return options;
}
