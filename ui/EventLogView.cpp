#include "EventLogView.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

EventLogView::EventLogView(QWidget *parent)
    : QWidget(parent), m_model(new EventLogModel(this)), m_view(new QTableView),
      m_verdict(new QComboBox), m_program(new QLineEdit), m_from(new QDateTimeEdit),
      m_to(new QDateTimeEdit)
{
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->verticalHeader()->setVisible(false);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setObjectName(QStringLiteral("eventLog"));

    m_verdict->addItem(tr("All events"), 0);
    m_verdict->addItem(tr("Decisions"), 1);
    m_verdict->addItem(tr("Allowed"), 2);
    m_verdict->addItem(tr("Blocked"), 3);
    m_program->setPlaceholderText(tr("program path contains..."));
    m_from->setDateTime(QDateTime::currentDateTime().addDays(-1));
    m_to->setDateTime(QDateTime::currentDateTime().addYears(1));
    for (QDateTimeEdit *e : {m_from, m_to}) {
        e->setCalendarPopup(true);
        e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    }
    auto *exportButton = new QPushButton(tr("Export &CSV..."));

    connect(m_verdict, QOverload<int>::of(&QComboBox::currentIndexChanged), this,
            &EventLogView::reload);
    connect(m_program, &QLineEdit::editingFinished, this, &EventLogView::reload);
    connect(m_from, &QDateTimeEdit::dateTimeChanged, this, &EventLogView::reload);
    connect(m_to, &QDateTimeEdit::dateTimeChanged, this, &EventLogView::reload);
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export the event log"),
                                         QStringLiteral("procguard-events.csv"), tr("CSV (*.csv)"));
        if (path.isEmpty())
            return;
        const QString error = exportCsv(path);
        emit message(error.isEmpty() ? tr("Exported to %1.").arg(path) : error);
    });

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_verdict);
    filters->addWidget(m_program, 1);
    filters->addWidget(new QLabel(tr("from")));
    filters->addWidget(m_from);
    filters->addWidget(new QLabel(tr("to")));
    filters->addWidget(m_to);
    filters->addWidget(exportButton);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_view, 1);
}

void EventLogView::setJournal(pg::Journal *journal)
{
    m_journal = journal;
    m_model->setJournal(journal);
    reload();
}

pg::JournalFilter EventLogView::currentFilter() const
{
    pg::JournalFilter f;
    switch (m_verdict->currentData().toInt()) {
    case 1:
        f.decisionsOnly = true;
        break;
    case 2:
        f.verdict = pg::Verdict::Allow;
        break;
    case 3:
        f.verdict = pg::Verdict::Block;
        break;
    default:
        break;
    }
    f.program = m_program->text().trimmed().toStdString();
    f.fromNs = static_cast<uint64_t>(std::max<qint64>(0, m_from->dateTime().toMSecsSinceEpoch())) *
               1000000ull;
    f.toNs = static_cast<uint64_t>(std::max<qint64>(0, m_to->dateTime().toMSecsSinceEpoch())) *
             1000000ull;
    f.limit = 5000;
    return f;
}

void EventLogView::reload()
{
    m_model->reload(currentFilter());
}

QString EventLogView::exportCsv(const QString &path) const
{
    if (m_journal == nullptr)
        return tr("The journal is not open.");
    std::string error;
    pg::JournalFilter f = currentFilter();
    f.limit = std::numeric_limits<size_t>::max() / 2;
    if (!m_journal->exportCsv(path.toStdString(), f, &error))
        return QString::fromStdString(error);
    return QString();
}
