#include "ScheduleEditor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QTimeEdit>
#include <QVBoxLayout>

namespace
{

constexpr uint8_t kWeekdays = 0x1F; // Monday .. Friday
constexpr uint8_t kWeekend = 0x60;  // Saturday, Sunday
constexpr int kMaxExpiryMinutes = 366 * 24 * 60;

QTime timeOfDay(uint32_t seconds)
{
    return QTime(0, 0).addSecs(static_cast<int>(seconds % PG_DAY_SECONDS));
}

uint32_t secondsOf(const QTime &t)
{
    return static_cast<uint32_t>(t.msecsSinceStartOfDay() / 1000);
}

bool sameWindows(const std::vector<pg::TimeWindow> &a, const std::vector<pg::TimeWindow> &b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].start != b[i].start || a[i].end != b[i].end)
            return false;
    return true;
}

} // namespace

ScheduleEditor::ScheduleEditor(QWidget *parent) : QGroupBox(tr("When"), parent)
{
    setObjectName(QStringLiteral("scheduleEditor"));
    const QString dayNames[7] = {tr("Mon"), tr("Tue"), tr("Wed"), tr("Thu"),
                                 tr("Fri"), tr("Sat"), tr("Sun")};
    auto *daysRow = new QHBoxLayout;
    daysRow->setContentsMargins(0, 0, 0, 0);
    for (int d = 0; d < 7; ++d) {
        m_days[d] = new QCheckBox(dayNames[d]);
        m_days[d]->setChecked(true);
        connect(m_days[d], &QCheckBox::toggled, this, &ScheduleEditor::changed);
        daysRow->addWidget(m_days[d]);
    }
    m_weekdays = new QPushButton(tr("Weekdays"));
    m_weekend = new QPushButton(tr("Weekend"));
    auto *everyDay = new QPushButton(tr("Every day"));
    connect(m_weekdays, &QPushButton::clicked, this, [this] { setDays(kWeekdays); });
    connect(m_weekend, &QPushButton::clicked, this, [this] { setDays(kWeekend); });
    connect(everyDay, &QPushButton::clicked, this, [this] { setDays(PG_DAYS_ALL); });
    daysRow->addSpacing(8);
    daysRow->addWidget(m_weekdays);
    daysRow->addWidget(m_weekend);
    daysRow->addWidget(everyDay);
    daysRow->addStretch(1);

    m_windowRows = new QVBoxLayout;
    m_windowRows->setContentsMargins(0, 0, 0, 0);
    m_allDay = new QLabel(tr("All day"));
    m_addWindow = new QPushButton(tr("Add time &window"));
    m_addWindow->setObjectName(QStringLiteral("addWindow"));
    connect(m_addWindow, &QPushButton::clicked, this,
            [this] { addWindow(QTime(16, 0), QTime(18, 0)); });
    auto *addRow = new QHBoxLayout;
    addRow->setContentsMargins(0, 0, 0, 0);
    addRow->addWidget(m_allDay);
    addRow->addWidget(m_addWindow);
    addRow->addStretch(1);
    auto *windows = new QVBoxLayout;
    windows->setContentsMargins(0, 0, 0, 0);
    windows->addLayout(m_windowRows);
    windows->addLayout(addRow);

    m_budgetHours = new QSpinBox;
    m_budgetHours->setRange(0, 24);
    m_budgetHours->setSuffix(tr(" h"));
    m_budgetMinutes = new QSpinBox;
    m_budgetMinutes->setRange(0, 59);
    m_budgetMinutes->setSuffix(tr(" min"));
    auto *budgetRow = new QHBoxLayout;
    budgetRow->setContentsMargins(0, 0, 0, 0);
    budgetRow->addWidget(m_budgetHours);
    budgetRow->addWidget(m_budgetMinutes);
    budgetRow->addWidget(new QLabel(tr("per day of running time (0 h 0 min: no limit)")), 1);
    for (QSpinBox *s : {m_budgetHours, m_budgetMinutes})
        connect(s, QOverload<int>::of(&QSpinBox::valueChanged), this, &ScheduleEditor::changed);

    m_expiry = new QComboBox;
    m_expiry->addItem(tr("Always"), static_cast<int>(ExpiryChoice::Always));
    m_expiry->addItem(tr("Once (the first start it decides)"),
                      static_cast<int>(ExpiryChoice::Once));
    m_expiry->addItem(tr("For some minutes"), static_cast<int>(ExpiryChoice::ForMinutes));
    m_expiry->addItem(tr("Until the computer restarts"),
                      static_cast<int>(ExpiryChoice::UntilRestart));
    m_expiryMinutes = new QSpinBox;
    m_expiryMinutes->setRange(1, kMaxExpiryMinutes);
    m_expiryMinutes->setValue(30);
    m_expiryMinutes->setSuffix(tr(" min"));
    m_expiryUntil = new QLabel;
    auto *expiryRow = new QHBoxLayout;
    expiryRow->setContentsMargins(0, 0, 0, 0);
    expiryRow->addWidget(m_expiry);
    expiryRow->addWidget(m_expiryMinutes);
    expiryRow->addWidget(m_expiryUntil);
    expiryRow->addStretch(1);
    connect(m_expiry, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] {
        updateControls();
        emit changed();
    });
    connect(m_expiryMinutes, QOverload<int>::of(&QSpinBox::valueChanged), this, [this] {
        updateControls();
        emit changed();
    });

    auto *form = new QFormLayout(this);
    form->addRow(tr("Days:"), daysRow);
    form->addRow(tr("Times:"), windows);
    form->addRow(tr("Daily limit:"), budgetRow);
    form->addRow(tr("Lasts:"), expiryRow);
    setTime(pg::RuleTime());
}

void ScheduleEditor::setDays(uint8_t mask)
{
    for (int d = 0; d < 7; ++d)
        m_days[d]->setChecked((mask >> d) & 1u);
}

bool ScheduleEditor::addWindow(const QTime &from, const QTime &to)
{
    if (m_windows.size() >= PG_MAX_WINDOWS)
        return false;
    WindowRow w;
    w.row = new QWidget;
    w.from = new QTimeEdit(from);
    w.to = new QTimeEdit(to);
    for (QTimeEdit *e : {w.from, w.to})
        e->setDisplayFormat(QStringLiteral("HH:mm"));
    auto *nextDay = new QLabel;
    auto *remove = new QPushButton(tr("Remove"));
    auto *layout = new QHBoxLayout(w.row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("from")));
    layout->addWidget(w.from);
    layout->addWidget(new QLabel(tr("to")));
    layout->addWidget(w.to);
    layout->addWidget(nextDay);
    layout->addWidget(remove);
    layout->addStretch(1);
    // A window that ends before it starts runs past midnight; say so.
    const auto hint = [nextDay, from = w.from, to = w.to] {
        nextDay->setText(to->time() < from->time() ? ScheduleEditor::tr("(the next day)")
                                                   : QString());
    };
    hint();
    for (QTimeEdit *e : {w.from, w.to})
        connect(e, &QTimeEdit::timeChanged, this, [this, hint] {
            hint();
            emit changed();
        });
    QWidget *row = w.row;
    connect(remove, &QPushButton::clicked, this, [this, row] {
        for (size_t i = 0; i < m_windows.size(); ++i)
            if (m_windows[i].row == row)
                removeWindow(static_cast<int>(i));
    });
    m_windowRows->addWidget(w.row);
    m_windows.push_back(w);
    updateControls();
    emit changed();
    return true;
}

void ScheduleEditor::removeWindow(int index)
{
    if (index < 0 || index >= windowCount())
        return;
    WindowRow w = m_windows[static_cast<size_t>(index)];
    m_windows.erase(m_windows.begin() + index);
    w.row->hide();
    w.row->deleteLater(); // may be the sender
    updateControls();
    emit changed();
}

QTimeEdit *ScheduleEditor::fromEdit(int index) const
{
    return index >= 0 && index < windowCount() ? m_windows[static_cast<size_t>(index)].from
                                               : nullptr;
}

QTimeEdit *ScheduleEditor::toEdit(int index) const
{
    return index >= 0 && index < windowCount() ? m_windows[static_cast<size_t>(index)].to : nullptr;
}

void ScheduleEditor::updateControls()
{
    m_allDay->setVisible(m_windows.empty());
    m_addWindow->setEnabled(m_windows.size() < PG_MAX_WINDOWS);
    m_addWindow->setToolTip(m_windows.size() < PG_MAX_WINDOWS
                                ? tr("Limit the rule to a time of day; a window may run past "
                                     "midnight, e.g. 22:00 to 02:00")
                                : tr("A rule has at most %1 time windows.").arg(PG_MAX_WINDOWS));
    const auto choice = static_cast<ExpiryChoice>(m_expiry->currentData().toInt());
    const bool minutes = choice == ExpiryChoice::ForMinutes;
    m_expiryMinutes->setVisible(minutes);
    m_expiryUntil->setVisible(minutes);
    if (minutes) {
        const QDateTime until =
            QDateTime::currentDateTime().addSecs(qint64{m_expiryMinutes->value()} * 60);
        m_expiryUntil->setText(tr("until %1").arg(QLocale().toString(until, QLocale::ShortFormat)));
    }
}

ScheduleEditor::Shown ScheduleEditor::shown() const
{
    Shown s;
    for (int d = 0; d < 7; ++d)
        if (m_days[d]->isChecked())
            s.days |= static_cast<uint8_t>(1u << d);
    for (const WindowRow &w : m_windows)
        s.windows.push_back(pg::TimeWindow{secondsOf(w.from->time()), secondsOf(w.to->time())});
    s.budgetSeconds =
        static_cast<uint32_t>(m_budgetHours->value() * 3600 + m_budgetMinutes->value() * 60);
    s.expiry = static_cast<ExpiryChoice>(m_expiry->currentData().toInt());
    s.expiryMinutes = m_expiryMinutes->value();
    return s;
}

void ScheduleEditor::setTime(const pg::RuleTime &time)
{
    m_loaded = time;
    setDays(time.days == 0 ? PG_DAYS_ALL : time.days);
    while (!m_windows.empty())
        removeWindow(windowCount() - 1);
    for (const pg::TimeWindow &w : time.windows) {
        if (!addWindow(timeOfDay(w.start), timeOfDay(w.end)))
            break; // more than the wire allows: the validator says so
    }
    m_budgetHours->setValue(static_cast<int>(time.budgetSeconds / 3600));
    m_budgetMinutes->setValue(static_cast<int>(time.budgetSeconds % 3600 / 60));
    ExpiryChoice choice = ExpiryChoice::Always;
    switch (time.expiry) {
    case pg::Expiry::Never:
        break;
    case pg::Expiry::Once:
        choice = ExpiryChoice::Once;
        break;
    case pg::Expiry::At: {
        choice = ExpiryChoice::ForMinutes;
        const qint64 left = time.expiresAt - QDateTime::currentSecsSinceEpoch();
        m_expiryMinutes->setValue(
            static_cast<int>(qBound<qint64>(1, (left + 59) / 60, kMaxExpiryMinutes))); // rounded up
        break;
    }
    case pg::Expiry::Reboot:
        choice = ExpiryChoice::UntilRestart;
        break;
    }
    m_expiry->setCurrentIndex(m_expiry->findData(static_cast<int>(choice)));
    updateControls();
    m_loadedShown = shown();
}

pg::RuleTime ScheduleEditor::time() const
{
    return time(QDateTime::currentSecsSinceEpoch());
}

pg::RuleTime ScheduleEditor::time(qint64 nowUtc) const
{
    const Shown now = shown();
    pg::RuleTime t = m_loaded;
    if (now.days != m_loadedShown.days)
        t.days = now.days == PG_DAYS_ALL ? 0 : now.days;
    if (!sameWindows(now.windows, m_loadedShown.windows))
        t.windows = now.windows;
    if (now.budgetSeconds != m_loadedShown.budgetSeconds)
        t.budgetSeconds = now.budgetSeconds;
    if (t.budgetSeconds == 0) {
        t.budgetGroup = 0;
        t.graceSeconds = 0;
    }
    const bool sameExpiry =
        now.expiry == m_loadedShown.expiry && (now.expiry != ExpiryChoice::ForMinutes ||
                                               now.expiryMinutes == m_loadedShown.expiryMinutes);
    if (!sameExpiry) {
        t.expiresAt = 0;
        t.bootId.clear(); // the component fills in the running boot
        switch (now.expiry) {
        case ExpiryChoice::Always:
            t.expiry = pg::Expiry::Never;
            break;
        case ExpiryChoice::Once:
            t.expiry = pg::Expiry::Once;
            break;
        case ExpiryChoice::ForMinutes:
            t.expiry = pg::Expiry::At;
            t.expiresAt = nowUtc + qint64{now.expiryMinutes} * 60;
            break;
        case ExpiryChoice::UntilRestart:
            t.expiry = pg::Expiry::Reboot;
            break;
        }
    }
    return t;
}

QString ScheduleEditor::problem() const
{
    const Shown s = shown();
    if (s.days == 0)
        return tr("Tick at least one day (or every day, for a rule that applies on all days).");
    return QString();
}
