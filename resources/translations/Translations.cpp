// Translations.cpp - see Translations.h.
#include "Translations.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QTranslator>

namespace pg
{

namespace
{

const QString kResourceDir = QStringLiteral(":/translations");

// Loads prefix_<lang>.qm from dir for locale and installs it; the
// translator is parented to the application so it lives as long.
bool install(const QLocale &locale, const QString &prefix, const QString &dir)
{
    auto *translator = new QTranslator(QCoreApplication::instance());
    if (!translator->load(locale, prefix, QStringLiteral("_"), dir)) {
        delete translator;
        return false;
    }
    QCoreApplication::installTranslator(translator);
    return true;
}

} // namespace

QStringList installTranslations(const QLocale &locale)
{
    QStringList installed;
    const QString lang = locale.name().section(QLatin1Char('_'), 0, 0);
    if (install(locale, QStringLiteral("procguard"), kResourceDir))
        installed << QStringLiteral("procguard_") + lang;
    if (install(locale, QStringLiteral("qtbase"),
                QLibraryInfo::location(QLibraryInfo::TranslationsPath)))
        installed << QStringLiteral("qtbase_") + lang;
    return installed;
}

QStringList availableTranslations()
{
    QStringList langs{QStringLiteral("en")};
    const QStringList files =
        QDir(kResourceDir).entryList({QStringLiteral("procguard_*.qm")}, QDir::Files);
    for (const QString &f : files) {
        const QString lang = f.mid(10, f.size() - 13); // procguard_<lang>.qm
        if (!langs.contains(lang))
            langs << lang;
    }
    return langs;
}

} // namespace pg
