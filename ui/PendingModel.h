// PendingModel.h - the held starts waiting for a person, as a list that
// mirrors the approval dialogs. REQUEST appends a row, VERDICT for the hold
// removes it (row-level signals). tick() refreshes the "time left" column
// with one dataChanged over that column. GUI thread only.
#pragma once

#include <QAbstractTableModel>

#include <functional>
#include <vector>

#include "ApprovalRequest.h"

class PendingModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Program, Pid, User, Path, Default, TimeLeft, ColumnCount };
    enum Role { HoldRole = Qt::UserRole + 1 };
    using Clock = std::function<qint64()>;

    explicit PendingModel(QObject *parent = nullptr);

    void setClock(Clock clock) { m_clock = std::move(clock); }
    void setUserNameResolver(std::function<QString(uint32_t)> resolver)
    {
        m_userName = std::move(resolver);
    }
    void handleEvents(const std::vector<pg::Event> &batch);
    void remove(quint64 holdId);
    void clear();
    void tick();
    quint64 holdAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    int rowOf(quint64 holdId) const;

    Clock m_clock;
    std::function<QString(uint32_t)> m_userName;
    std::vector<ApprovalRequest> m_items;
};
