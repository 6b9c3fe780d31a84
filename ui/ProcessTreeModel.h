// ProcessTreeModel.h - the live process tree as a QAbstractItemModel.
//
// Owns a pg::ProcessTable and forwards its diffs one to one: inserts and
// removals become beginInsertRows/beginRemoveRows over the table's ranges,
// field changes become dataChanged over just the columns the change mask
// touches (one per run of adjacent columns). The model is reset only by
// clear() (a new connection) and setFlat() (tree/list toggle). applyEvents()
// takes one drained batch (one refresh); tick() runs on a timer: it drops
// expired green highlights and purges exited entries after the linger time
// (one removal per run of adjacent rows under each parent).
//
// Flat mode (the list view): every entry is a top-level row, in the order
// the entries appeared; parent and creator stay visible in their columns.
//
// Index internal ids are the table's entry keys, never PIDs. Times compare
// event timestamps with the injectable clock (UTC ms since 1970). GUI thread
// only.
#pragma once

#include <QAbstractItemModel>
#include <QIcon>

#include <deque>
#include <functional>
#include <unordered_map>

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
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static QString verdictText(const pg::ProcessEntry &e);

private:
    void aboutToInsert(uint64_t parentKey, size_t first, size_t last) override;
    void inserted(uint64_t parentKey, size_t first, size_t last) override;
    void aboutToRemove(uint64_t parentKey, size_t first, size_t last) override;
    void removed(uint64_t parentKey, size_t first, size_t last) override;
    void changed(uint64_t key, uint32_t fields) override;
    void aboutToReset() override;
    void reset() override;

    qint64 now() const { return m_clock(); }
    void emitChanged(quint64 key, uint32_t contentMask, uint32_t lookMask,
                     const QVector<int> &lookRoles);
    QString describePid(uint32_t pid) const;
    void collectSubtree(uint64_t parentKey, size_t first, size_t last,
                        std::vector<uint64_t> *keys) const;
    void rebuildFlat();
    bool isFresh(const pg::ProcessEntry &e) const;
    void trackFresh(uint64_t parentKey, size_t first, size_t last);

    pg::ProcessTable m_table;
    Clock m_clock;
    int m_highlightMs = 3000;
    int m_lingerMs = 3000;
    bool m_keepExited = false;
    bool m_flat = false;
    std::vector<uint64_t> m_flatKeys;             // flat mode: row -> key
    std::unordered_map<uint64_t, int> m_flatRows; // flat mode: key -> row
    std::function<QString(uint32_t)> m_userName;
    std::deque<std::pair<quint64, qint64>> m_fresh; // key, start ms; in insertion order
    QIcon m_processIcon;
    QIcon m_pendingIcon;
    QIcon m_blockedIcon;
    QIcon m_exitedIcon;
};
