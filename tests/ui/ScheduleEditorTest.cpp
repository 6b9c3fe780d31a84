// ScheduleEditorTest.cpp - a rule's time conditions in the panel: the
// schedule editor builds exactly the pg::RuleTime a person means, editing
// a rule keeps what the form does not show, mistakes get one sentence,
// the rules table says when a rule applies, and the rules file keeps it.
#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTimeEdit>
#include <QtTest>

#include "Messages.h"
#include "RuleValidator.h"
#include "RulesEditor.h"
#include "RulesModel.h"
#include "ScheduleEditor.h"
#include "pg_schedule.h"

namespace
{

constexpr uint32_t kHour = 3600;

pg::Rule gameRule(pg::Verdict action = pg::Verdict::Allow)
{
    pg::Rule r;
    r.kind = pg::RuleKind::Exact;
    r.pattern = "/usr/games/supertux2";
    r.action = action;
    return r;
}

bool sameTime(const pg::RuleTime &a, const pg::RuleTime &b)
{
    if (a.windows.size() != b.windows.size())
        return false;
    for (size_t i = 0; i < a.windows.size(); ++i)
        if (a.windows[i].start != b.windows[i].start || a.windows[i].end != b.windows[i].end)
            return false;
    return a.days == b.days && a.expiry == b.expiry && a.expiresAt == b.expiresAt &&
           a.budgetSeconds == b.budgetSeconds && a.budgetGroup == b.budgetGroup &&
           a.graceSeconds == b.graceSeconds && a.bootId == b.bootId;
}

// Everything the form shows and more: a window with seconds, a budget
// that is not whole minutes, a shared group and a grace period.
pg::RuleTime busyTime(qint64 now)
{
    pg::RuleTime t;
    t.days = 0x1F; // Monday .. Friday
    t.windows = {{16 * kHour, 18 * kHour}, {22 * kHour + 30, 2 * kHour}};
    t.budgetSeconds = 90 * 60 + 30;
    t.budgetGroup = 2;
    t.graceSeconds = 120;
    t.expiry = pg::Expiry::At;
    t.expiresAt = now + 45 * 60 + 17;
    return t;
}

pg_rule_time wireTime(const pg::RuleTime &t)
{
    pg_rule_time w{};
    w.days = t.days;
    w.window_count = static_cast<uint8_t>(t.windows.size());
    for (size_t i = 0; i < t.windows.size(); ++i) {
        w.win_start[i] = t.windows[i].start;
        w.win_end[i] = t.windows[i].end;
    }
    w.expiry = static_cast<uint8_t>(t.expiry);
    w.expires_at = t.expiresAt;
    w.budget_s = t.budgetSeconds;
    return w;
}

// Local seconds since 1970 of a weekday (0 Monday) at hh:mm; 1970-01-05
// was a Monday.
int64_t localAt(int weekday, int hh, int mm)
{
    return (4 + weekday) * int64_t{PG_DAY_SECONDS} + hh * 3600 + mm * 60;
}

} // namespace

class ScheduleEditorTest : public QObject
{
    Q_OBJECT
private slots:
    void untouchedFormGivesBackTheSameTimeConditions()
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        ScheduleEditor editor;
        const pg::RuleTime t = busyTime(now);
        editor.setTime(t);
        QVERIFY(sameTime(editor.time(now + 7), t)); // expiresAt is kept, not recomputed
        QVERIFY(editor.problem().isEmpty());

        pg::RuleTime reboot;
        reboot.days = PG_DAYS_ALL; // an explicit mask stays explicit
        reboot.expiry = pg::Expiry::Reboot;
        reboot.bootId.assign(PG_BOOT_ID_BYTES, 0xAB); // stamped by the component
        editor.setTime(reboot);
        QVERIFY(sameTime(editor.time(now), reboot));

        editor.setTime(pg::RuleTime());
        QVERIFY(editor.time(now).empty());
        QCOMPARE(editor.windowCount(), 0);
    }

    void editingARuleRoundTripsItsTimeThroughTheModelAndTheWire()
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        RulesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        pg::Rule r = gameRule();
        r.time = busyTime(now);
        QVERIFY(model.addRule(r).isEmpty());
        RulesEditor editor(&model);
        editor.selectRow(0); // the form shows row 1
        QCOMPARE(editor.patternEdit()->text(), QString::fromStdString(r.pattern));
        QVERIFY(sameTime(editor.formRule().time, r.time));
        QVERIFY2(editor.updateFromForm(), qPrintable(editor.errorText()));
        QVERIFY(sameTime(model.rules()[0].time, r.time));

        // What the panel sends is what the component accepts and reads back.
        pg::Policy policy;
        policy.rules = model.rules();
        std::string error;
        const std::vector<uint8_t> bytes = pg::msg::encodeSetPolicy(1, policy, &error);
        QVERIFY2(!bytes.empty(), error.c_str());
        pg::Policy decoded;
        QCOMPARE(pg::msg::decodeSetPolicy(bytes, &decoded), int(PG_OK));
        QCOMPARE(decoded.rules.size(), size_t{1});
        QVERIFY(sameTime(decoded.rules[0].time, r.time));

        // Changing one part changes only that part.
        editor.scheduleEditor()->budgetHours()->setValue(2);
        editor.scheduleEditor()->budgetMinutes()->setValue(0);
        QVERIFY(editor.updateFromForm());
        pg::RuleTime expected = r.time;
        expected.budgetSeconds = 2 * kHour;
        QVERIFY(sameTime(model.rules()[0].time, expected));
    }

    void formBuildsWhatThePersonChose()
    {
        const qint64 now = 1'800'000'000;
        ScheduleEditor editor;
        editor.show();
        QTest::mouseClick(editor.weekdaysButton(), Qt::LeftButton);
        QTest::mouseClick(editor.addWindowButton(), Qt::LeftButton);
        QCOMPARE(editor.windowCount(), 1);
        editor.fromEdit(0)->setTime(QTime(16, 0));
        editor.toEdit(0)->setTime(QTime(18, 30));
        editor.budgetHours()->setValue(1);
        editor.expiryBox()->setCurrentIndex(
            editor.expiryBox()->findData(int(ScheduleEditor::ExpiryChoice::ForMinutes)));
        editor.expiryMinutes()->setValue(30);
        QVERIFY(editor.problem().isEmpty());
        pg::RuleTime t = editor.time(now);
        QCOMPARE(int(t.days), 0x1F);
        QCOMPARE(t.windows.size(), size_t{1});
        QCOMPARE(t.windows[0].start, 16 * kHour);
        QCOMPARE(t.windows[0].end, 18 * kHour + 30 * 60);
        QCOMPARE(t.budgetSeconds, kHour);
        QVERIFY(t.expiry == pg::Expiry::At);
        QCOMPARE(t.expiresAt, int64_t{now + 30 * 60});
        QVERIFY(RuleValidator::checkTime(gameRule(), now).text.isEmpty());

        QTest::mouseClick(editor.weekendButton(), Qt::LeftButton);
        QCOMPARE(int(editor.time(now).days), 0x60);
        editor.setDays(PG_DAYS_ALL); // every day ticked: no day condition
        QCOMPARE(int(editor.time(now).days), 0);
        editor.expiryBox()->setCurrentIndex(
            editor.expiryBox()->findData(int(ScheduleEditor::ExpiryChoice::UntilRestart)));
        t = editor.time(now);
        QVERIFY(t.expiry == pg::Expiry::Reboot && t.expiresAt == 0 && t.bootId.empty());
        editor.budgetHours()->setValue(0);
        QCOMPARE(editor.time(now).budgetSeconds, 0u);
    }

    void windowAcrossMidnightBelongsToTheDayItStarts()
    {
        ScheduleEditor editor;
        editor.setDays(0x10); // Friday only
        QVERIFY(editor.addWindow(QTime(22, 0), QTime(2, 0)));
        const pg::RuleTime t = editor.time(0);
        QCOMPARE(t.windows[0].start, 22 * kHour);
        QCOMPARE(t.windows[0].end, 2 * kHour);
        pg::Rule r = gameRule();
        r.time = t;
        QVERIFY2(RuleValidator::validate(r, {}).isEmpty(),
                 qPrintable(RuleValidator::validate(r, {})));
        QCOMPARE(RulesModel::whenText(t, 0), QStringLiteral("Fri 22:00-02:00"));
        // The component's schedule reads it the same way: Friday night
        // into Saturday morning, not Friday morning.
        const pg_rule_time w = wireTime(t);
        QCOMPARE(pg_rule_time_check(&w), int(PG_OK));
        QVERIFY(pg_schedule_open_local(&w, localAt(4, 23, 0)));
        QVERIFY(pg_schedule_open_local(&w, localAt(5, 1, 59)));
        QVERIFY(!pg_schedule_open_local(&w, localAt(5, 2, 0)));
        QVERIFY(!pg_schedule_open_local(&w, localAt(4, 1, 0)));
        QVERIFY(!pg_schedule_open_local(&w, localAt(5, 23, 0)));
    }

    void mistakesAreExplained()
    {
        const qint64 now = 1'800'000'000;
        RulesModel model;
        RulesEditor editor(&model);
        editor.patternEdit()->setText(QStringLiteral("/usr/games/supertux2"));
        ScheduleEditor *schedule = editor.scheduleEditor();

        schedule->setDays(0);
        QVERIFY(!editor.addFromForm());
        QVERIFY2(editor.errorText().contains(QStringLiteral("at least one day")),
                 qPrintable(editor.errorText()));

        schedule->setDays(0x1F);
        QVERIFY(schedule->addWindow(QTime(16, 0), QTime(16, 0)));
        QVERIFY(!editor.addFromForm());
        QVERIFY2(editor.errorText().contains(QStringLiteral("starts and ends at 16:00")),
                 qPrintable(editor.errorText()));
        QCOMPARE(model.rowCount(), 0);
        schedule->toEdit(0)->setTime(QTime(17, 0));
        QVERIFY2(editor.addFromForm(), qPrintable(editor.errorText()));
        QCOMPARE(model.rowCount(), 1);

        // The form offers at most four windows.
        for (int i = 1; i < int(PG_MAX_WINDOWS); ++i)
            QVERIFY(schedule->addWindow(QTime(i, 0), QTime(i, 30)));
        QVERIFY(!schedule->addWindow(QTime(8, 0), QTime(9, 0)));
        QVERIFY(!schedule->addWindowButton()->isEnabled());
        schedule->removeWindow(0);
        QVERIFY(schedule->addWindowButton()->isEnabled());

        // Rules from elsewhere (a file) get the same checks.
        pg::Rule r = gameRule();
        r.time.windows.assign(PG_MAX_WINDOWS + 1, pg::TimeWindow{kHour, 2 * kHour});
        auto p = RuleValidator::checkTime(r, now);
        QVERIFY(p.field == RuleValidator::Field::Schedule && p.text.contains(QStringLiteral("4")));
        r.time = {};
        r.time.windows = {{PG_DAY_SECONDS, 2 * kHour}};
        QVERIFY(RuleValidator::checkTime(r, now).text.contains(QStringLiteral("within the day")));
        r.time = {};
        r.time.budgetSeconds = 24 * kHour + 1800;
        p = RuleValidator::checkTime(r, now);
        QVERIFY(p.field == RuleValidator::Field::Budget &&
                p.text.contains(QStringLiteral("at most 24 hours")));
        r.time.budgetSeconds = 0;
        r.time.graceSeconds = 60;
        QVERIFY(RuleValidator::checkTime(r, now).text.contains(QStringLiteral("needs a daily")));
        r.time = {};
        r.time.budgetSeconds = kHour;
        r.action = pg::Verdict::Block;
        QVERIFY(RuleValidator::checkTime(r, now).text.contains(QStringLiteral("block rule")));
        r.action = pg::Verdict::Allow;
        r.time = {};
        r.time.expiry = pg::Expiry::At;
        r.time.expiresAt = now - 1;
        p = RuleValidator::checkTime(r, now);
        QVERIFY(p.field == RuleValidator::Field::Expiry &&
                p.text.contains(QStringLiteral("already expired")));
        r.time.expiresAt = now + 60;
        QVERIFY(RuleValidator::checkTime(r, now).text.isEmpty());
        r.time.expiry = pg::Expiry::Once;
        QVERIFY(RuleValidator::checkTime(r, now).text.contains(QStringLiteral("expiry time")));
    }

    void sameProgramAtOtherTimesIsNotADuplicate()
    {
        pg::Rule weekdays = gameRule();
        weekdays.time.days = 0x1F;
        weekdays.time.windows = {{16 * kHour, 18 * kHour}};
        pg::Rule weekend = gameRule();
        weekend.time.days = 0x60;
        const std::vector<pg::Rule> rules{weekdays};
        QVERIFY(RuleValidator::validate(weekend, rules).isEmpty());
        QVERIFY(RuleValidator::validate(weekdays, rules).contains(QStringLiteral("already")));
        pg::Rule nightBlock = gameRule(pg::Verdict::Block);
        nightBlock.time.windows = {{21 * kHour, 7 * kHour}};
        QVERIFY(RuleValidator::validate(nightBlock, rules).isEmpty());
    }

    void whenColumnSummarisesTheTimeConditions()
    {
        const qint64 now = 1'800'000'000;
        pg::RuleTime t;
        QCOMPARE(RulesModel::whenText(t, now), QString());
        t.days = 0x1F;
        t.windows = {{16 * kHour, 18 * kHour}};
        t.budgetSeconds = kHour;
        t.expiry = pg::Expiry::At;
        t.expiresAt = now + 30 * 60;
        QCOMPARE(RulesModel::whenText(t, now),
                 QStringLiteral("Mon-Fri 16:00-18:00, 1 h/day, expires in 30 min"));
        t.expiresAt = now + 29 * 60 + 1; // rounded up to whole minutes
        QCOMPARE(RulesModel::whenText(t, now),
                 QStringLiteral("Mon-Fri 16:00-18:00, 1 h/day, expires in 30 min"));
        QCOMPARE(RulesModel::whenText(t, now + 3600), QStringLiteral("Mon-Fri 16:00-18:00, "
                                                                     "1 h/day, expired"));

        pg::RuleTime u;
        u.days = 0x60;
        u.budgetSeconds = 90 * 60;
        u.budgetGroup = 3;
        u.expiry = pg::Expiry::Once;
        QCOMPARE(RulesModel::whenText(u, now),
                 QStringLiteral("Sat, Sun, 1 h 30 min/day shared with group 3, once"));
        pg::RuleTime v;
        v.days = 0x15; // Mon, Wed, Fri
        v.windows = {{8 * kHour, 9 * kHour}, {20 * kHour + 30, 21 * kHour}};
        v.expiry = pg::Expiry::Reboot;
        QCOMPARE(RulesModel::whenText(v, now),
                 QStringLiteral("Mon, Wed, Fri 08:00-09:00, 20:00:30-21:00, until restart"));
        pg::RuleTime w;
        w.windows = {{20 * kHour, 21 * kHour}};
        w.budgetSeconds = 45 * 60;
        w.graceSeconds = 120;
        QCOMPARE(RulesModel::whenText(w, now),
                 QStringLiteral("20:00-21:00, 45 min/day (then 2 min to finish)"));
        pg::RuleTime x;
        x.days = PG_DAYS_ALL;
        x.expiry = pg::Expiry::At;
        x.expiresAt = now + 3 * 24 * 3600;
        QVERIFY(RulesModel::whenText(x, now).startsWith(QStringLiteral("every day, until ")));

        RulesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        pg::Rule r = gameRule();
        r.time = u;
        QVERIFY(model.addRule(r).isEmpty());
        QCOMPARE(model.headerData(RulesModel::When, Qt::Horizontal).toString(),
                 QStringLiteral("When"));
        QCOMPARE(model.index(0, RulesModel::When).data().toString(), RulesModel::whenText(u, now));
    }

    void rulesFileKeepsTimeConditions()
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QTemporaryDir dir;
        RulesModel model;
        pg::Rule a = gameRule();
        a.time = busyTime(now);
        QVERIFY(model.addRule(a).isEmpty());
        pg::Rule b = gameRule(pg::Verdict::Block);
        b.pattern = "/usr/bin/steam";
        b.time.windows = {{21 * kHour, 7 * kHour}};
        b.time.expiry = pg::Expiry::Reboot;
        b.time.bootId.assign(PG_BOOT_ID_BYTES, 1);
        QVERIFY(model.addRule(b).isEmpty());
        const QString path = dir.filePath(QStringLiteral("rules.json"));
        QVERIFY(model.exportTo(path).isEmpty());
        RulesModel other;
        QVERIFY2(other.importFrom(path).isEmpty(), qPrintable(other.importFrom(path)));
        QCOMPARE(other.rowCount(), 2);
        QVERIFY(sameTime(other.rules()[0].time, a.time));
        pg::RuleTime bWithoutBoot = b.time;
        bWithoutBoot.bootId.clear(); // the component stamps the boot it arrives in
        QVERIFY(sameTime(other.rules()[1].time, bWithoutBoot));

        QFile bad(dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(R"({"rules":[{"action":"allow","kind":"exact","pattern":"/bin/ls",
                   "time":{"days":["mon","someday"]}}]})");
        bad.close();
        QVERIFY(other.importFrom(bad.fileName()).contains(QStringLiteral("someday")));
        QCOMPARE(other.rowCount(), 2);
    }
};

QTEST_MAIN(ScheduleEditorTest)
#include "ScheduleEditorTest.moc"
