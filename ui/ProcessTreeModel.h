// ProcessTreeModel.h - the live process tree as a QAbstractItemModel.
//
// Owns a pg::ProcessTable and forwards its diffs one to one: inserts and
// removals become beginInsertRows/beginRemoveRows over the table's ranges,
// field changes become dataChanged over just the columns the change mask
// touches (one per run of adjacent columns), or one whole-range dataChanged
// under a parent when most of its rows changed in one refresh. The model is
// reset only by clear() (a new connection) and setFlat() (tree/list toggle).
// applyEvents() takes one drained batch (one refresh); tick() runs on a
// timer: it drops expired green highlights and purges exited entries after
// the linger time (one removal per run of adjacent rows under each parent).
//
// Sorting is the model's own (sort(), as a view with sorting enabled calls
// it): one layoutChanged per sort request, new rows inserted at their sorted
// position, an entry whose sort field changes moved with beginMoveRows. So
// the view needs no QSortFilterProxyModel on the common path, whose
// per-removal persistent-index walk and mapping lookups dominate a large
// expanded tree; the search proxy goes in between only while searching.
//
// Flat mode (the list view): every entry is a top-level row, in the same
// order; parent and creator stay visible in their columns.
//
// Index internal ids are the table's node slots (small ids, valid while the
// entry exists; parent(), index(), rowCount() and flags() are O(1) and the
// last three read dense per-slot arrays, not the nodes); KeyRole gives the
// entry key, never a PID. Times compare event timestamps with the injectable clock (UTC ms
// since 1970). GUI thread only.
#pragma once

#include <QAbstractItemModel>
#include <QIcon>

#include <QHash>

#include <deque>
#include <functional>

#include "ProcessTable.h"

class ProcessTreeModel : public QAbstractItemModel, private pg::ProcessTableListener
{
    Q_OBJECT
public:
    enum Column {
        Name,
        Pid,
        User,
        Path,
        CommandLine,
        Started,
        VerdictColumn,
        ParentColumn,  // "name (pid)" of the parent
        CreatorColumn, // "name (pid)" of the creator, only where it is not the parent
        ColumnCount
    };
    enum Role {
        KeyRole = Qt::UserRole + 1,
        PidRole,
        HoldRole,
        IsAttemptRole,
        ImageRole,
        CmdlineRole,
        ExitedRole,
        SortRole,
    };
    using Clock = std::function<qint64()>;

    explicit ProcessTreeModel(QObject *parent = nullptr);
    ~ProcessTreeModel() override;

    void applyEvents(const std::vector<pg::Event> &batch);
    void tick();
    void clear();

    void setClock(Clock clock) { m_clock = std::move(clock); }
    void setHighlightMs(int ms) { m_highlightMs = ms; }
    void setLingerMs(int ms) { m_lingerMs = ms; }
    void setKeepExited(bool keep) { m_keepExited = keep; }
    void setUserNameResolver(std::function<QString(uint32_t)> resolver)
    {
        m_userName = std::move(resolver);
        m_userNames.clear();
    }
    void setFlat(bool flat);
    bool isFlat() const { return m_flat; }

    const pg::ProcessTable &table() const { return m_table; }
    QModelIndex indexForKey(quint64 key, int column = 0) const;
    const pg::ProcessEntry *entry(const QModelIndex &index) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    // A row with no children is flagged Qt::ItemNeverHasChildren while it
    // has none (the flag is read live; a process that forks loses it). Views
    // then never keep it as expanded: QTreeView::expandAll() would otherwise
    // hold a persistent index per leaf, and every row removal walks every
    // persistent index of the model.
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    static QString verdictText(const pg::ProcessEntry &e);

private:
    void aboutToInsert(uint64_t parentKey, size_t first, size_t last) override;
    void inserted(uint64_t parentKey, size_t first, size_t last) override;
    void aboutToRemove(uint64_t parentKey, size_t first, size_t last) override;
    void removed(uint64_t parentKey, size_t first, size_t last) override;
    void aboutToMove(uint64_t parentKey, size_t from, size_t dest) override;
    void moved(uint64_t parentKey, size_t from, size_t dest) override;
    void changed(const std::vector<Change> &changes) override;
    void aboutToReset() override;
    void reset() override;

    using Node = pg::ProcessTable::Node;
    qint64 now() const { return m_clock(); }
    QModelIndex indexOf(const Node *n, int column) const;
    const Node *nodeOf(const QModelIndex &index) const
    {
        return m_table.nodeAt(static_cast<uint32_t>(index.internalId()));
    }
    QModelIndex parentIndex(uint64_t parentKey) const;
    int flatRow(const Node *n) const;
    void emitChanged(const Node *n, uint32_t contentMask, uint32_t lookMask,
                     const QVector<int> &lookRoles);
    QString describePid(uint32_t pid) const;
    QString userName(const pg::ProcessEntry &e) const;
    void collectSubtree(const Node *parent, size_t first, size_t last,
                        std::vector<const Node *> *nodes) const;
    void rebuildFlat();
    void flatInsert(std::vector<const Node *> nodes);
    void flatRemove(const std::vector<const Node *> &nodes);
    bool isFresh(const pg::ProcessEntry &e) const;
    void trackFresh(const std::vector<const Node *> &nodes);

    pg::ProcessTable m_table;
    Clock m_clock;
    int m_highlightMs = 3000;
    int m_lingerMs = 3000;
    bool m_keepExited = false;
    bool m_flat = false;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    // Flat mode: every node, in the table's order (binary search finds rows).
    std::vector<const Node *> m_flatNodes;
    const Node *m_moving = nullptr; // flat mode: the node between aboutToMove and moved
    std::function<QString(uint32_t)> m_userName;
    mutable QHash<uint32_t, QString> m_userNames;   // per user, not per row
    std::deque<std::pair<quint64, qint64>> m_fresh; // key, start ms; in insertion order
    QIcon m_processIcon;
    QIcon m_pendingIcon;
    QIcon m_blockedIcon;
    QIcon m_exitedIcon;
};
