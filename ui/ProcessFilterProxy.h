// ProcessFilterProxy.h - search over the process tree that keeps context.
//
// A row is shown when it matches (name, path, command line or PID contains
// the text, case-insensitively), when one of its descendants matches
// (recursive filtering keeps ancestors) or when one of its ancestors matches
// (descendants of a match stay visible). The proxy never sorts: sort() asks
// the source model (ProcessTreeModel sorts itself) and the proxy keeps the
// source order. Updates pass through incrementally (dynamic filter), never
// as resets. Recursive filtering is on only while there is search text.
//
// Cost: a QSortFilterProxyModel over a large expanded tree pays mapping
// lookups and a persistent-index walk on every row removal, so the panel
// puts this proxy between model and view only while a search is active
// (MainWindow switches it in and out, keeping expansion and selection).
#pragma once

#include <QSortFilterProxyModel>

class ProcessFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ProcessFilterProxy(QObject *parent = nullptr);

    void setSearchText(const QString &text);
    QString searchText() const { return m_text; }
    // Forwards to the source model; the proxy keeps the source's order.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    bool matches(const QModelIndex &sourceIndex) const;

    QString m_text;
};
