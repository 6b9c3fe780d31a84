// ProcessFilterProxy.h - search over the process tree that keeps context.
//
// A row is shown when it matches (name, path, command line or PID contains
// the text, case-insensitively), when one of its descendants matches
// (recursive filtering keeps ancestors) or when one of its ancestors matches
// (descendants of a match stay visible). Sorting uses ProcessTreeModel's
// SortRole, so PIDs sort as numbers. Updates pass through incrementally
// (dynamic sort/filter), never as resets. Recursive filtering is on only
// while there is search text: with none every row passes, and the ancestor
// walks it does on each insert and removal are waste.
#pragma once

#include <QSortFilterProxyModel>

class ProcessFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ProcessFilterProxy(QObject *parent = nullptr);

    void setSearchText(const QString &text);
    QString searchText() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    bool matches(const QModelIndex &sourceIndex) const;

    QString m_text;
};
