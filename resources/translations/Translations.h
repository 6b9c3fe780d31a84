// Translations.h - the panel's Qt Linguist translations.
//
// Owns: choosing and installing the translators for one locale - the
// panel's own (procguard_<lang>.qm, compiled into the binary under
// :/translations by pg_translations) and Qt's (qtbase_<lang>.qm from the
// Qt installation, for standard dialogs). Must be called on the GUI thread
// after the QCoreApplication exists and before widgets are created.
// English is the source language: for it no panel translator is needed.
#pragma once

#include <QLocale>
#include <QStringList>

namespace pg
{

// Installs the translators that exist for locale (QLocale's UI language
// fallbacks: de_AT, then de). Returns what was installed, for example
// {"procguard_de", "qtbase_de"}. The translators live until the
// application ends.
QStringList installTranslations(const QLocale &locale);

// The languages the panel ships, as QLocale names ("de", "en").
QStringList availableTranslations();

} // namespace pg
