#include "ProcessFilterProxy.h"

#include "ProcessTreeModel.h"

ProcessFilterProxy::ProcessFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setRecursiveFilteringEnabled(false); // on while searching
    setDynamicSortFilter(true);
}

void ProcessFilterProxy::sort(int column, Qt::SortOrder order)
{
    if (sourceModel() != nullptr)
        sourceModel()->sort(column, order);
}

void ProcessFilterProxy::setSearchText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    if (m_text.isEmpty() == isRecursiveFilteringEnabled())
        setRecursiveFilteringEnabled(!m_text.isEmpty()); // re-filters
    else
        invalidateFilter();
}

bool ProcessFilterProxy::matches(const QModelIndex &idx) const
{
    const QAbstractItemModel *m = sourceModel();
    const auto has = [&](int column, int role) {
        return m->index(idx.row(), column, idx.parent())
            .data(role)
            .toString()
            .contains(m_text, Qt::CaseInsensitive);
    };
    return has(ProcessTreeModel::Name, Qt::DisplayRole) ||
           has(ProcessTreeModel::Path, Qt::DisplayRole) ||
           has(ProcessTreeModel::CommandLine, Qt::DisplayRole) ||
           m->index(idx.row(), 0, idx.parent()).data(ProcessTreeModel::PidRole).toString() ==
               m_text;
}

bool ProcessFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_text.isEmpty())
        return true;
    if (matches(sourceModel()->index(sourceRow, 0, sourceParent)))
        return true;
    for (QModelIndex a = sourceParent; a.isValid(); a = a.parent()) {
        if (matches(a))
            return true;
    }
    return false;
}
