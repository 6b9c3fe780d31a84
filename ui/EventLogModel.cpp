#include "EventLogModel.h"

#include <QDateTime>

EventLogModel::EventLogModel(QObject *parent) : QAbstractTableModel(parent) {}

void EventLogModel::reload(const pg::JournalFilter &filter)
{
    m_filter = filter;
    beginResetModel();
    m_entries = m_journal != nullptr ? m_journal->query(m_filter) : std::vector<pg::JournalEntry>{};
    endResetModel();
}

void EventLogModel::update()
{
    if (m_journal == nullptr)
        return;
    pg::JournalFilter newer = m_filter;
    newer.afterId = m_entries.empty() ? m_filter.afterId : m_entries.front().id;
    std::vector<pg::JournalEntry> fresh = m_journal->query(newer);
    if (fresh.empty())
        return;
    beginInsertRows({}, 0, static_cast<int>(fresh.size()) - 1);
    m_entries.insert(m_entries.begin(), std::make_move_iterator(fresh.begin()),
                     std::make_move_iterator(fresh.end()));
    endInsertRows();
    if (m_entries.size() > m_filter.limit) {
        const int first = static_cast<int>(m_filter.limit);
        beginRemoveRows({}, first, rowCount() - 1);
        m_entries.resize(m_filter.limit);
        endRemoveRows();
    }
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || role != Qt::DisplayRole)
        return {};
    const pg::JournalEntry &e = m_entries[static_cast<size_t>(index.row())];
    switch (index.column()) {
    case Time:
        return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(e.timeNs / 1000000ull))
            .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    case Event:
        return QString::fromLatin1(pg::toString(e.kind));
    case Pid:
        return e.pid;
    case Program:
        return QString::fromStdString(e.image);
    case Verdict:
        return e.verdict == pg::Verdict::None ? QString()
                                              : QString::fromLatin1(pg::toString(e.verdict));
    case DecidedBy:
        return QString::fromStdString(e.decidedBy);
    case CommandLine:
        return QString::fromStdString(e.cmdline);
    default:
        return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Event:
        return tr("Event");
    case Pid:
        return tr("PID");
    case Program:
        return tr("Program");
    case Verdict:
        return tr("Verdict");
    case DecidedBy:
        return tr("Decided by");
    case CommandLine:
        return tr("Command line");
    default:
        return {};
    }
}
