// EventLogView.h - the journal with filters (verdict, program, time range)
// and CSV export. GUI thread only.
#pragma once

#include <QWidget>

#include "EventLogModel.h"

class QComboBox;
class QDateTimeEdit;
class QLineEdit;
class QTableView;

class EventLogView : public QWidget
{
    Q_OBJECT
public:
    explicit EventLogView(QWidget *parent = nullptr);

    void setJournal(pg::Journal *journal);
    EventLogModel *model() const { return m_model; }
    pg::JournalFilter currentFilter() const;
    void reload();
    void update() { m_model->update(); }
    // Empty on success, else one sentence.
    QString exportCsv(const QString &path) const;

signals:
    void message(const QString &text);

private:
    pg::Journal *m_journal = nullptr;
    EventLogModel *m_model;
    QTableView *m_view;
    QComboBox *m_verdict;
    QLineEdit *m_program;
    QDateTimeEdit *m_from;
    QDateTimeEdit *m_to;
};
