// TranslationTest - the panel's Qt Linguist pipeline: the .qm files built
// from resources/translations are compiled in, German loads and translates
// known strings, plural forms follow the count (German, and English, whose
// catalogue holds only plurals), and no .ts file has an unfinished or
// obsolete entry.
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>

#include "Translations.h"

class TranslationTest : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();
    void GermanCatalogueIsCompiledIntoThePanel();
    void GermanTranslatesKnownStrings();
    void GermanLocaleWithRegionFallsBackToGerman();
    void EnglishNeedsNoCatalogue();
    void PluralFormsFollowTheCount_data();
    void PluralFormsFollowTheCount();
    void EveryTsFileIsComplete_data();
    void EveryTsFileIsComplete();
};

void TranslationTest::cleanup()
{
    // Remove what installTranslations() installed (children of the app).
    const auto translators = QCoreApplication::instance()->findChildren<QTranslator *>();
    for (QTranslator *t : translators) {
        QCoreApplication::removeTranslator(t);
        delete t;
    }
}

void TranslationTest::GermanCatalogueIsCompiledIntoThePanel()
{
    QVERIFY(QFile::exists(QStringLiteral(":/translations/procguard_de.qm")));
    QVERIFY(pg::availableTranslations().contains(QStringLiteral("de")));
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(":/translations/procguard_de.qm")));
    QVERIFY(!translator.isEmpty());
}

void TranslationTest::GermanTranslatesKnownStrings()
{
    const QStringList installed = pg::installTranslations(QLocale(QStringLiteral("de")));
    QVERIFY2(installed.contains(QStringLiteral("procguard_de")), qPrintable(installed.join(u',')));
    QCOMPARE(QCoreApplication::translate("MainWindow", "&Rules"), QStringLiteral("&Regeln"));
    QCOMPARE(QCoreApplication::translate("ApprovalDialog", "Only this time"),
             QStringLiteral("Nur dieses Mal"));
    QCOMPARE(QCoreApplication::translate("RuleValidator", "Enter the path of a program or a "
                                                          "folder."),
             QStringLiteral("Geben Sie den Pfad eines Programms oder Ordners ein."));
}

void TranslationTest::GermanLocaleWithRegionFallsBackToGerman()
{
    const QStringList installed = pg::installTranslations(QLocale(QStringLiteral("de_AT")));
    QVERIFY(installed.contains(QStringLiteral("procguard_de")));
    QCOMPARE(QCoreApplication::translate("MainWindow", "Kernel component"),
             QStringLiteral("Kernel-Komponente"));
}

void TranslationTest::EnglishNeedsNoCatalogue()
{
    pg::installTranslations(QLocale(QStringLiteral("en_US")));
    QCOMPARE(QCoreApplication::translate("MainWindow", "&Rules"), QStringLiteral("&Rules"));
}

void TranslationTest::PluralFormsFollowTheCount_data()
{
    // English is the source language: its catalogue adds only the singular.
    QTest::addColumn<QString>("locale");
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<int>("n");
    QTest::addColumn<QString>("expected");
    const QByteArray programs = "%n programs";
    const QByteArray proposed = "%n proposed rules for %1.";
    const QByteArray added = "Added %n rules; press \"Apply to the kernel component\" to use them.";
    QTest::newRow("de one program") << "de" << programs << 1 << QStringLiteral("1 Programm");
    QTest::newRow("de programs") << "de" << programs << 5 << QStringLiteral("5 Programme");
    QTest::newRow("de one rule") << "de" << proposed << 1
                                 << QStringLiteral("1 vorgeschlagene Regel für %1.");
    QTest::newRow("de rules added")
        << "de" << added << 3
        << QStringLiteral("3 Regeln hinzugefügt; klicken Sie auf „Auf die Kernel-Komponente "
                          "anwenden“, um sie zu verwenden.");
    QTest::newRow("en one program") << "en_US" << programs << 1 << QStringLiteral("1 program");
    QTest::newRow("en programs") << "en_US" << programs << 2 << QStringLiteral("2 programs");
    QTest::newRow("en one rule") << "en_US" << proposed << 1
                                 << QStringLiteral("1 proposed rule for %1.");
    QTest::newRow("en one rule added")
        << "en_US" << added << 1
        << QStringLiteral("Added 1 rule; press \"Apply to the kernel component\" to use it.");
}

void TranslationTest::PluralFormsFollowTheCount()
{
    QFETCH(QString, locale);
    QFETCH(QByteArray, source);
    QFETCH(int, n);
    QFETCH(QString, expected);
    pg::installTranslations(QLocale(locale));
    QCOMPARE(QCoreApplication::translate("LearnProposalsDialog", source.constData(), nullptr, n),
             expected);
}

void TranslationTest::EveryTsFileIsComplete_data()
{
    QTest::addColumn<QString>("path");
    const QDir dir(QStringLiteral(PG_TS_DIR));
    const QStringList files = dir.entryList({QStringLiteral("*.ts")}, QDir::Files);
    QVERIFY(files.contains(QStringLiteral("procguard_en.ts")));
    QVERIFY(files.contains(QStringLiteral("procguard_de.ts")));
    for (const QString &f : files)
        QTest::newRow(qPrintable(f)) << dir.filePath(f);
}

void TranslationTest::EveryTsFileIsComplete()
{
    QFETCH(QString, path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    int messages = 0;
    QStringList incomplete;
    QString source;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("source")) {
            source = xml.readElementText();
        } else if (xml.name() == QLatin1String("translation")) {
            ++messages;
            const QString type = xml.attributes().value(QStringLiteral("type")).toString();
            const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            if (!type.isEmpty() || text.isEmpty())
                incomplete << source + QStringLiteral(" [") + type + QStringLiteral("]");
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY2(incomplete.isEmpty(), qPrintable(incomplete.join(QStringLiteral("; "))));
    if (path.endsWith(QStringLiteral("procguard_de.ts")))
        QVERIFY2(messages >= 150, qPrintable(QString::number(messages)));
}

QTEST_GUILESS_MAIN(TranslationTest)
#include "TranslationTest.moc"
