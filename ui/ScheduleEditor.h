// ScheduleEditor.h - the "When" part of the rule form: a rule's time
// conditions (pg::RuleTime) as days of the week, up to PG_MAX_WINDOWS time
// windows, a daily time limit and how long the rule lasts. GUI thread only.
//
// Mapping to pg::RuleTime:
//   days      every day ticked and no narrower mask loaded = 0 ("every
//             day"); otherwise bit 0 Monday .. bit 6 Sunday;
//   windows   one from/to row each, [from, to) in local time; to < from
//             runs past midnight (22:00-02:00 belongs to the day it
//             starts on, as driver/core/pg_schedule.h evaluates it); no
//             row = the whole of each ticked day;
//   budget    hours and minutes per local day; 0:00 = no limit;
//   expiry    always, once, for N minutes (expiresAt = now + N min, taken
//             when time() is called), until the machine restarts.
//
// Round trip: setTime() remembers the rule it shows. time() starts from
// it, so fields the form does not show (budget group, grace period, the
// boot a reboot rule belongs to) and every part the person did not
// change (an exact expiresAt, windows with seconds) come back unchanged.
// A field is only cleared when what it depends on is gone (no limit: no
// group or grace; another expiry: no expiresAt or boot id), so the kernel
// component never rejects what the form built.
//
// problem() reports what a RuleTime cannot express (no day ticked);
// everything else (an empty window, a limit over 24 hours, ...) is
// RuleValidator::checkTime's, so imported rules get the same answers.
#pragma once

#include <QGroupBox>

#include "Types.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTimeEdit;
class QVBoxLayout;

class ScheduleEditor : public QGroupBox
{
    Q_OBJECT
public:
    // The rows of expiryBox(), in this order.
    enum class ExpiryChoice { Always, Once, ForMinutes, UntilRestart };

    explicit ScheduleEditor(QWidget *parent = nullptr);

    void setTime(const pg::RuleTime &time);
    // What the form says, at nowUtc (seconds since 1970) for "for N minutes".
    pg::RuleTime time(qint64 nowUtc) const;
    pg::RuleTime time() const;
    // Empty when the form can be turned into a RuleTime, else why not.
    QString problem() const;

    // Editing, also for tests. addWindow() is false when PG_MAX_WINDOWS
    // windows exist already.
    bool addWindow(const QTime &from, const QTime &to);
    void removeWindow(int index);
    int windowCount() const { return static_cast<int>(m_windows.size()); }
    void setDays(uint8_t mask); // bit 0 Monday; ticks exactly these

    QCheckBox *dayBox(int day) const { return m_days[day]; } // 0 Monday .. 6 Sunday
    QPushButton *weekdaysButton() const { return m_weekdays; }
    QPushButton *weekendButton() const { return m_weekend; }
    QPushButton *addWindowButton() const { return m_addWindow; }
    QTimeEdit *fromEdit(int index) const;
    QTimeEdit *toEdit(int index) const;
    QSpinBox *budgetHours() const { return m_budgetHours; }
    QSpinBox *budgetMinutes() const { return m_budgetMinutes; }
    QComboBox *expiryBox() const { return m_expiry; }
    QSpinBox *expiryMinutes() const { return m_expiryMinutes; }

signals:
    void changed();

private:
    struct WindowRow {
        QWidget *row = nullptr;
        QTimeEdit *from = nullptr;
        QTimeEdit *to = nullptr;
    };

    // What the controls show, before merging with the loaded rule.
    struct Shown {
        uint8_t days = 0;
        std::vector<pg::TimeWindow> windows;
        uint32_t budgetSeconds = 0;
        ExpiryChoice expiry = ExpiryChoice::Always;
        int expiryMinutes = 0;
    };
    Shown shown() const;
    void updateControls();

    QCheckBox *m_days[7] = {};
    QPushButton *m_weekdays = nullptr;
    QPushButton *m_weekend = nullptr;
    QVBoxLayout *m_windowRows = nullptr;
    std::vector<WindowRow> m_windows;
    QLabel *m_allDay = nullptr;
    QPushButton *m_addWindow = nullptr;
    QSpinBox *m_budgetHours = nullptr;
    QSpinBox *m_budgetMinutes = nullptr;
    QComboBox *m_expiry = nullptr;
    QSpinBox *m_expiryMinutes = nullptr;
    QLabel *m_expiryUntil = nullptr;

    pg::RuleTime m_loaded; // the rule setTime() showed
    Shown m_loadedShown;   // and how the controls showed it
};
