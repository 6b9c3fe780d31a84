#include "PendingModel.h"

#include <QDateTime>

PendingModel::PendingModel(QObject *parent)
    : QAbstractTableModel(parent), m_clock([] { return QDateTime::currentMSecsSinceEpoch(); }),
      m_userName([](uint32_t uid) { return QString::number(uid); })
{
}

int PendingModel::rowOf(quint64 holdId) const
{
    for (size_t i = 0; i < m_items.size(); ++i) {
        if (m_items[i].holdId == holdId)
            return static_cast<int>(i);
    }
    return -1;
}

quint64 PendingModel::holdAt(int row) const
{
    return row >= 0 && row < rowCount() ? m_items[static_cast<size_t>(row)].holdId : 0;
}

void PendingModel::handleEvents(const std::vector<pg::Event> &batch)
{
    for (const pg::Event &ev : batch) {
        if (ev.holdId == 0)
            continue;
        if (ev.kind == pg::EventKind::Request && rowOf(ev.holdId) < 0) {
            const int row = rowCount();
            beginInsertRows({}, row, row);
            m_items.push_back(ApprovalRequest::fromEvent(ev, m_userName(ev.uid), m_clock()));
            endInsertRows();
        } else if (ev.kind == pg::EventKind::Verdict) {
            remove(ev.holdId);
        }
    }
}

void PendingModel::remove(quint64 holdId)
{
    const int row = rowOf(holdId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_items.erase(m_items.begin() + row);
    endRemoveRows();
}

void PendingModel::clear()
{
    if (m_items.empty())
        return;
    beginRemoveRows({}, 0, rowCount() - 1);
    m_items.clear();
    endRemoveRows();
}

void PendingModel::tick()
{
    if (!m_items.empty())
        emit dataChanged(index(0, TimeLeft), index(rowCount() - 1, TimeLeft), {Qt::DisplayRole});
}

int PendingModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_items.size());
}

int PendingModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PendingModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const ApprovalRequest &r = m_items[static_cast<size_t>(index.row())];
    if (role == HoldRole)
        return r.holdId;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Program:
        return r.programName();
    case Pid:
        return r.pid;
    case User:
        return r.user;
    case Path:
        return r.image;
    case Default:
        return r.defaultVerdict == pg::Verdict::Allow ? tr("allow") : tr("block");
    case TimeLeft: {
        if (r.timeoutMs == 0)
            return tr("no limit");
        const qint64 left = r.receivedMs + r.timeoutMs - m_clock();
        return tr("%1 s").arg(left <= 0 ? 0 : (left + 999) / 1000);
    }
    default:
        return {};
    }
}

QVariant PendingModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Program:
        return tr("Program");
    case Pid:
        return tr("PID");
    case User:
        return tr("User");
    case Path:
        return tr("Path");
    case Default:
        return tr("Default");
    case TimeLeft:
        return tr("Time left");
    default:
        return {};
    }
}
