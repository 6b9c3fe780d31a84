// EventLogModel.h - journal entries as a table, newest first.
//
// reload() swaps in a new query result (a new filter: a reset, since the
// source changed); update() fetches only entries newer than the newest shown
// and inserts them at the top (row-level). GUI thread only.
#pragma once

#include <QAbstractTableModel>

#include <vector>

#include "Journal.h"

class EventLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Event, Pid, Program, Verdict, DecidedBy, CommandLine, ColumnCount };

    explicit EventLogModel(QObject *parent = nullptr);

    void setJournal(pg::Journal *journal) { m_journal = journal; }
    void reload(const pg::JournalFilter &filter);
    void update();
    const pg::JournalFilter &filter() const { return m_filter; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    pg::Journal *m_journal = nullptr;
    pg::JournalFilter m_filter;
    std::vector<pg::JournalEntry> m_entries;
};
