#include "ProcessTreeModel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include <algorithm>
#include <tuple>

#include "Journal.h"

namespace
{

qint64 toMs(uint64_t ns)
{
    return static_cast<qint64>(ns / 1000000ull);
}

// Columns whose text shows each field (one bit per column).
uint32_t contentColumns(uint32_t fields)
{
    uint32_t cols = 0;
    const auto add = [&](uint32_t f, int col) {
        if ((fields & f) != 0)
            cols |= 1u << col;
    };
    add(pg::FieldName, ProcessTreeModel::Name);
    add(pg::FieldImage, ProcessTreeModel::Path);
    add(pg::FieldCmdline, ProcessTreeModel::CommandLine);
    add(pg::FieldUser, ProcessTreeModel::User);
    add(pg::FieldStarted, ProcessTreeModel::Started);
    add(pg::FieldVerdict, ProcessTreeModel::VerdictColumn);
    add(pg::FieldParent, ProcessTreeModel::ParentColumn);
    add(pg::FieldParent, ProcessTreeModel::CreatorColumn);
    return cols;
}

constexpr uint32_t kAllColumns = (1u << ProcessTreeModel::ColumnCount) - 1;

} // namespace

ProcessTreeModel::ProcessTreeModel(QObject *parent)
    : QAbstractItemModel(parent), m_clock([] { return QDateTime::currentMSecsSinceEpoch(); }),
      m_userName([](uint32_t uid) { return QString::number(uid); }),
      m_processIcon(QStringLiteral(":/icons/process.svg")),
      m_pendingIcon(QStringLiteral(":/icons/pending.svg")),
      m_blockedIcon(QStringLiteral(":/icons/blocked.svg")),
      m_exitedIcon(QStringLiteral(":/icons/exited.svg"))
{
    m_table.setListener(this);
}

ProcessTreeModel::~ProcessTreeModel()
{
    m_table.setListener(nullptr);
}

void ProcessTreeModel::applyEvents(const std::vector<pg::Event> &batch)
{
    m_table.apply(batch);
}

void ProcessTreeModel::tick()
{
    const qint64 t = now();
    while (!m_fresh.empty() && t - m_fresh.front().second >= m_highlightMs) {
        const quint64 key = m_fresh.front().first;
        m_fresh.pop_front();
        if (const Node *n = m_table.nodeOf(key))
            emitChanged(n, 0, kAllColumns, {Qt::BackgroundRole});
    }
    if (!m_keepExited && t > m_lingerMs)
        m_table.purgeExited(static_cast<uint64_t>(t - m_lingerMs) * 1000000ull);
}

void ProcessTreeModel::clear()
{
    m_fresh.clear();
    m_table.clear();
}

void ProcessTreeModel::setFlat(bool flat)
{
    if (flat == m_flat)
        return;
    beginResetModel(); // the shape changes: a swap of the source, not an update
    m_flat = flat;
    rebuildFlat();
    endResetModel();
}

void ProcessTreeModel::rebuildFlat()
{
    m_flatNodes.clear();
    if (!m_flat)
        return;
    const Node *root = m_table.root();
    if (pg::ProcessTable::shownChildren(root) > 0)
        collectSubtree(root, 0, pg::ProcessTable::shownChildren(root) - 1, &m_flatNodes);
    std::sort(m_flatNodes.begin(), m_flatNodes.end(), [this](const Node *a, const Node *b) {
        return m_table.lessThan(a->entry, b->entry);
    });
}

void ProcessTreeModel::collectSubtree(const Node *parent, size_t first, size_t last,
                                      std::vector<const Node *> *nodes) const
{
    // Depth first, parents before children, in row order.
    std::vector<const Node *> stack;
    for (size_t r = last + 1; r-- > first;)
        stack.push_back(pg::ProcessTable::childNode(parent, r));
    while (!stack.empty()) {
        const Node *n = stack.back();
        stack.pop_back();
        if (n == nullptr)
            continue;
        nodes->push_back(n);
        for (size_t r = pg::ProcessTable::shownChildren(n); r-- > 0;)
            stack.push_back(pg::ProcessTable::childNode(n, r));
    }
}

int ProcessTreeModel::flatRow(const Node *n) const
{
    const auto it = std::lower_bound(
        m_flatNodes.begin(), m_flatNodes.end(), n,
        [this](const Node *a, const Node *b) { return m_table.lessThan(a->entry, b->entry); });
    if (it != m_flatNodes.end() && *it == n)
        return static_cast<int>(it - m_flatNodes.begin());
    // Out of place while its sort field is changing: look it up.
    const auto found = std::find(m_flatNodes.begin(), m_flatNodes.end(), n);
    return found == m_flatNodes.end() ? -1 : static_cast<int>(found - m_flatNodes.begin());
}

QModelIndex ProcessTreeModel::indexOf(const Node *n, int column) const
{
    if (n == nullptr || n == m_table.root())
        return {};
    const int row = m_flat ? flatRow(n) : static_cast<int>(n->row);
    if (row < 0)
        return {};
    return createIndex(row, column, static_cast<quintptr>(n->slot));
}

QModelIndex ProcessTreeModel::parentIndex(uint64_t parentKey) const
{
    return parentKey == 0 ? QModelIndex() : indexOf(m_table.nodeOf(parentKey), 0);
}

QModelIndex ProcessTreeModel::indexForKey(quint64 key, int column) const
{
    return indexOf(m_table.nodeOf(key), column);
}

const pg::ProcessEntry *ProcessTreeModel::entry(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    const Node *n = nodeOf(index);
    return n != nullptr ? &n->entry : nullptr;
}

QModelIndex ProcessTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || parent.column() > 0)
        return {};
    if (m_flat) {
        if (parent.isValid() || static_cast<size_t>(row) >= m_flatNodes.size())
            return {};
        return createIndex(row, column,
                           static_cast<quintptr>(m_flatNodes[static_cast<size_t>(row)]->slot));
    }
    const Node *p = parent.isValid() ? nodeOf(parent) : m_table.root();
    if (static_cast<size_t>(row) >= pg::ProcessTable::shownChildren(p))
        return {};
    return createIndex(row, column, static_cast<quintptr>(p->childSlots[static_cast<size_t>(row)]));
}

QModelIndex ProcessTreeModel::parent(const QModelIndex &child) const
{
    if (m_flat || !child.isValid())
        return {};
    const Node *p = nodeOf(child)->parent;
    if (p == nullptr || p == m_table.root())
        return {};
    return createIndex(static_cast<int>(p->row), 0, static_cast<quintptr>(p->slot));
}

int ProcessTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return 0;
    if (m_flat)
        return parent.isValid() ? 0 : static_cast<int>(m_flatNodes.size());
    return static_cast<int>(
        m_table.shownAt(parent.isValid() ? static_cast<uint32_t>(parent.internalId()) : 0));
}

int ProcessTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

bool ProcessTreeModel::hasChildren(const QModelIndex &parent) const
{
    return rowCount(parent) > 0;
}

Qt::ItemFlags ProcessTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (m_flat || m_table.shownAt(static_cast<uint32_t>(index.internalId())) == 0)
        f |= Qt::ItemNeverHasChildren;
    return f;
}

bool ProcessTreeModel::isFresh(const pg::ProcessEntry &e) const
{
    return !e.snapshot && !e.isAttempt() && now() - toMs(e.startNs) < m_highlightMs;
}

QString ProcessTreeModel::verdictText(const pg::ProcessEntry &e)
{
    if (e.pending && (e.flags & PG_EVF_DIGEST_WAIT) != 0)
        return tr("checking its digest");
    if (e.pending)
        return tr("waiting for you");
    if (e.verdict == pg::Verdict::None)
        return QString();
    const QString verdict = e.verdict == pg::Verdict::Allow ? tr("allowed") : tr("blocked");
    QString by;
    switch (e.source) {
    case pg::Source::Rule:
        by = tr("by rule %1").arg(e.ruleId);
        break;
    case pg::Source::Client:
        by = tr("by a person");
        break;
    default:
        by = tr("(%1)").arg(QString::fromStdString(pg::decidedByText(e.source, e.ruleId)));
        break;
    }
    return verdict + QLatin1Char(' ') + by;
}

QVariant ProcessTreeModel::data(const QModelIndex &index, int role) const
{
    const pg::ProcessEntry *e = entry(index);
    if (e == nullptr)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            return e->name.empty() ? tr("(pid %1)").arg(e->pid) : QString::fromStdString(e->name);
        case Pid:
            return e->pid;
        case User:
            return userName(*e);
        case Path:
            return QString::fromStdString(e->image);
        case CommandLine:
            return QString::fromStdString(e->cmdline);
        case Started:
            return e->startNs == 0 ? QVariant()
                                   : QVariant(QDateTime::fromMSecsSinceEpoch(toMs(e->startNs))
                                                  .toString(QStringLiteral("HH:mm:ss")));
        case VerdictColumn:
            return verdictText(*e);
        case ParentColumn:
            return e->ppid == 0 ? QVariant() : QVariant(describePid(e->ppid));
        case CreatorColumn:
            if (e->creatorPid != 0 && e->creatorPid != e->ppid)
                return describePid(e->creatorPid);
            return {};
        default:
            return {};
        }
    case Qt::DecorationRole:
        if (index.column() != Name)
            return {};
        if (e->isAttempt())
            return e->pending ? m_pendingIcon : m_blockedIcon;
        return e->exited() ? m_exitedIcon : m_processIcon;
    case Qt::BackgroundRole:
        if (e->exited() && !e->isAttempt())
            return QBrush(QColor(0xfe, 0xd7, 0xd7));
        if (e->pending)
            return QBrush(QColor(0xfe, 0xfc, 0xbf));
        if (isFresh(*e))
            return QBrush(QColor(0xc6, 0xf6, 0xd5));
        return {};
    case Qt::ForegroundRole:
        if (e->isAttempt() && !e->pending)
            return QBrush(QColor(0x71, 0x80, 0x96)); // dimmed: it never ran
        return {};
    case Qt::ToolTipRole: {
        QString tip = tr("pid %1, parent %2 (%3)")
                          .arg(e->pid)
                          .arg(e->ppid)
                          .arg(QString::fromStdString(e->parentImage));
        if (e->creatorPid != 0 && e->creatorPid != e->ppid)
            tip += tr("\ncreated by %1, which is not its parent").arg(describePid(e->creatorPid));
        return tip;
    }
    case KeyRole:
        return static_cast<quint64>(e->key);
    case PidRole:
        return e->pid;
    case HoldRole:
        return static_cast<quint64>(e->holdId);
    case IsAttemptRole:
        return e->isAttempt();
    case ImageRole:
        return QString::fromStdString(e->image);
    case CmdlineRole:
        return QString::fromStdString(e->cmdline);
    case ExitedRole:
        return e->exited();
    case SortRole:
        switch (index.column()) {
        case Pid:
            return e->pid;
        case Started:
            return static_cast<quint64>(e->startNs);
        case ParentColumn:
            return e->ppid;
        case CreatorColumn:
            return e->creatorPid != e->ppid ? e->creatorPid : 0u;
        default:
            return data(index, Qt::DisplayRole);
        }
    default:
        return {};
    }
}

QVariant ProcessTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name");
    case Pid:
        return tr("PID");
    case User:
        return tr("User");
    case Path:
        return tr("Path");
    case CommandLine:
        return tr("Command line");
    case Started:
        return tr("Started");
    case VerdictColumn:
        return tr("Verdict");
    case ParentColumn:
        return tr("Parent");
    case CreatorColumn:
        return tr("Creator");
    default:
        return {};
    }
}

QString ProcessTreeModel::describePid(uint32_t pid) const
{
    const pg::ProcessEntry *p = m_table.find(m_table.findLive(pid));
    if (p == nullptr || p->name.empty())
        return QString::number(pid);
    return tr("%1 (%2)").arg(QString::fromStdString(p->name)).arg(pid);
}

QString ProcessTreeModel::userName(const pg::ProcessEntry &e) const
{
    if (!e.sid.empty())
        return QString::fromStdString(e.sid);
    auto it = m_userNames.find(e.uid);
    if (it == m_userNames.end())
        it = m_userNames.insert(e.uid, m_userName(e.uid));
    return it.value();
}

void ProcessTreeModel::sort(int column, Qt::SortOrder order)
{
    if (column == m_sortColumn && order == m_sortOrder)
        return;
    const auto text = [](const std::string &a, const std::string &b) {
        // Case-insensitive (ASCII), as people expect names to sort.
        return std::lexicographical_compare(
            a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
                const auto lx = static_cast<unsigned char>(x >= 'A' && x <= 'Z' ? x + 32 : x);
                const auto ly = static_cast<unsigned char>(y >= 'A' && y <= 'Z' ? y + 32 : y);
                return lx < ly;
            });
    };
    pg::ProcessTable::Less less;
    uint32_t fields = 0;
    using E = pg::ProcessEntry;
    switch (column) {
    case Name:
        less = [text](const E &a, const E &b) { return text(a.name, b.name); };
        fields = pg::FieldName;
        break;
    case Pid:
        less = [](const E &a, const E &b) { return a.pid < b.pid; };
        break;
    case User:
        less = [this](const E &a, const E &b) {
            return userName(a).compare(userName(b), Qt::CaseInsensitive) < 0;
        };
        fields = pg::FieldUser;
        break;
    case Path:
        less = [text](const E &a, const E &b) { return text(a.image, b.image); };
        fields = pg::FieldImage;
        break;
    case CommandLine:
        less = [text](const E &a, const E &b) { return text(a.cmdline, b.cmdline); };
        fields = pg::FieldCmdline;
        break;
    case Started:
        less = [](const E &a, const E &b) { return a.startNs < b.startNs; };
        fields = pg::FieldStarted;
        break;
    case VerdictColumn:
        less = [](const E &a, const E &b) {
            const auto rank = [](const E &e) {
                return std::make_tuple(!e.pending, static_cast<int>(e.verdict),
                                       static_cast<int>(e.source), e.ruleId);
            };
            return rank(a) < rank(b);
        };
        fields = pg::FieldVerdict | pg::FieldState;
        break;
    case ParentColumn:
        less = [](const E &a, const E &b) { return a.ppid < b.ppid; };
        fields = pg::FieldParent;
        break;
    case CreatorColumn:
        less = [](const E &a, const E &b) {
            return (a.creatorPid != a.ppid ? a.creatorPid : 0u) <
                   (b.creatorPid != b.ppid ? b.creatorPid : 0u);
        };
        fields = pg::FieldParent;
        break;
    default:
        break; // -1: insertion order
    }
    if (less && order == Qt::DescendingOrder)
        less = [asc = std::move(less)](const E &a, const E &b) { return asc(b, a); };
    m_sortColumn = column;
    m_sortOrder = order;

    // One layout change: every persistent index keeps its node, gets its new row.
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    m_table.setOrder(std::move(less), fields);
    if (m_flat)
        std::sort(m_flatNodes.begin(), m_flatNodes.end(), [this](const Node *a, const Node *b) {
            return m_table.lessThan(a->entry, b->entry);
        });
    QModelIndexList after;
    after.reserve(before.size());
    for (const QModelIndex &i : before)
        after.push_back(indexOf(nodeOf(i), i.column()));
    changePersistentIndexList(before, after);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void ProcessTreeModel::emitChanged(const Node *n, uint32_t contentMask, uint32_t lookMask,
                                   const QVector<int> &lookRoles)
{
    const uint32_t cols = contentMask | lookMask;
    const QVector<int> roles = contentMask == 0 ? lookRoles : QVector<int>();
    const QModelIndex first = indexOf(n, 0);
    if (!first.isValid())
        return;
    for (int c = 0; c < ColumnCount;) {
        if ((cols & (1u << c)) == 0) {
            ++c;
            continue;
        }
        int last = c;
        while (last + 1 < ColumnCount && (cols & (1u << (last + 1))) != 0)
            ++last;
        emit dataChanged(first.siblingAtColumn(c), first.siblingAtColumn(last), roles);
        c = last + 1;
    }
}

void ProcessTreeModel::aboutToInsert(uint64_t parentKey, size_t first, size_t last)
{
    if (m_flat)
        return; // rows are merged in inserted(), when the table has them
    beginInsertRows(parentIndex(parentKey), static_cast<int>(first), static_cast<int>(last));
}

void ProcessTreeModel::inserted(uint64_t parentKey, size_t first, size_t last)
{
    std::vector<const Node *> nodes;
    const Node *parent = parentKey == 0 ? m_table.root() : m_table.nodeOf(parentKey);
    if (parent != nullptr)
        collectSubtree(parent, first, last, &nodes);
    if (m_flat)
        flatInsert(nodes);
    else
        endInsertRows();
    trackFresh(nodes);
}

void ProcessTreeModel::flatInsert(std::vector<const Node *> nodes)
{
    // Merged at their sorted rows: one insertion per run, highest first.
    const auto less = [this](const Node *a, const Node *b) {
        return m_table.lessThan(a->entry, b->entry);
    };
    std::sort(nodes.begin(), nodes.end(), less);
    size_t end = nodes.size();
    while (end > 0) {
        const auto at = static_cast<size_t>(
            std::upper_bound(m_flatNodes.begin(), m_flatNodes.end(), nodes[end - 1], less) -
            m_flatNodes.begin());
        size_t begin = end - 1;
        while (begin > 0 && (at == 0 || less(m_flatNodes[at - 1], nodes[begin - 1])))
            --begin;
        beginInsertRows({}, static_cast<int>(at), static_cast<int>(at + end - begin - 1));
        m_flatNodes.insert(m_flatNodes.begin() + static_cast<std::ptrdiff_t>(at),
                           nodes.begin() + static_cast<std::ptrdiff_t>(begin),
                           nodes.begin() + static_cast<std::ptrdiff_t>(end));
        endInsertRows();
        end = begin;
    }
}

void ProcessTreeModel::flatRemove(const std::vector<const Node *> &nodes)
{
    std::vector<int> rows;
    rows.reserve(nodes.size());
    for (const Node *n : nodes) {
        const int row = flatRow(n);
        if (row >= 0)
            rows.push_back(row);
    }
    std::sort(rows.begin(), rows.end());
    size_t end = rows.size();
    while (end > 0) {
        size_t begin = end - 1;
        while (begin > 0 && rows[begin - 1] + 1 == rows[begin])
            --begin;
        beginRemoveRows({}, rows[begin], rows[end - 1]);
        m_flatNodes.erase(m_flatNodes.begin() + rows[begin],
                          m_flatNodes.begin() + rows[end - 1] + 1);
        endRemoveRows();
        end = begin;
    }
}

void ProcessTreeModel::trackFresh(const std::vector<const Node *> &nodes)
{
    // Only the top of a new subtree is announced; its descendants are fresh too.
    for (const Node *n : nodes) {
        if (isFresh(n->entry))
            m_fresh.emplace_back(n->entry.key, toMs(n->entry.startNs));
    }
}

void ProcessTreeModel::aboutToRemove(uint64_t parentKey, size_t first, size_t last)
{
    if (!m_flat) {
        beginRemoveRows(parentIndex(parentKey), static_cast<int>(first), static_cast<int>(last));
        return;
    }
    // Flat: the subtrees' rows are scattered; remove them now (the table
    // still has them), one range per run of adjacent rows, highest first.
    const Node *parent = parentKey == 0 ? m_table.root() : m_table.nodeOf(parentKey);
    if (parent == nullptr)
        return;
    std::vector<const Node *> nodes;
    collectSubtree(parent, first, last, &nodes);
    flatRemove(nodes);
}

void ProcessTreeModel::removed(uint64_t, size_t, size_t)
{
    if (!m_flat)
        endRemoveRows();
}

void ProcessTreeModel::aboutToMove(uint64_t parentKey, size_t from, size_t dest)
{
    const Node *parent = parentKey == 0 ? m_table.root() : m_table.nodeOf(parentKey);
    if (m_flat) {
        m_moving = parent != nullptr ? pg::ProcessTable::childNode(parent, from) : nullptr;
        return;
    }
    const QModelIndex p = parentIndex(parentKey);
    beginMoveRows(p, static_cast<int>(from), static_cast<int>(from), p, static_cast<int>(dest));
}

void ProcessTreeModel::moved(uint64_t, size_t, size_t)
{
    if (!m_flat) {
        endMoveRows();
        return;
    }
    // Flat: the node's sort field changed; move it to its sorted row.
    const Node *n = m_moving;
    m_moving = nullptr;
    const auto it = std::find(m_flatNodes.begin(), m_flatNodes.end(), n);
    if (n == nullptr || it == m_flatNodes.end())
        return;
    const int from = static_cast<int>(it - m_flatNodes.begin());
    std::vector<const Node *> rest(m_flatNodes);
    rest.erase(rest.begin() + from);
    const int to =
        static_cast<int>(std::upper_bound(rest.begin(), rest.end(), n,
                                          [this](const Node *a, const Node *b) {
                                              return m_table.lessThan(a->entry, b->entry);
                                          }) -
                         rest.begin());
    if (to == from)
        return;
    beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
    rest.insert(rest.begin() + to, n);
    m_flatNodes.swap(rest);
    endMoveRows();
}

void ProcessTreeModel::changed(const std::vector<Change> &changes)
{
    static const QVector<int> lookRoles{Qt::BackgroundRole, Qt::ForegroundRole, Qt::DecorationRole};
    // Most rows under one parent changed: one whole-range dataChanged there.
    QHash<const Node *, int> perParent;
    if (changes.size() >= 64) {
        for (const Change &c : changes) {
            const Node *n = m_table.nodeOf(c.key);
            if (n != nullptr)
                ++perParent[m_flat ? m_table.root() : n->parent];
        }
        for (auto it = perParent.begin(); it != perParent.end();) {
            const size_t rows =
                m_flat ? m_flatNodes.size() : pg::ProcessTable::shownChildren(it.key());
            if (static_cast<size_t>(it.value()) * 2 > rows) {
                const QModelIndex p =
                    m_flat || it.key() == m_table.root() ? QModelIndex() : indexOf(it.key(), 0);
                emit dataChanged(index(0, 0, p),
                                 index(static_cast<int>(rows) - 1, ColumnCount - 1, p));
                ++it;
            } else {
                it = perParent.erase(it);
            }
        }
    }
    for (const Change &c : changes) {
        const Node *n = m_table.nodeOf(c.key);
        if (n == nullptr || perParent.contains(m_flat ? m_table.root() : n->parent))
            continue;
        const uint32_t look = (c.fields & pg::FieldState) != 0 ? kAllColumns : 0;
        emitChanged(n, contentColumns(c.fields), look, lookRoles);
    }
}

void ProcessTreeModel::aboutToReset()
{
    beginResetModel();
}

void ProcessTreeModel::reset()
{
    rebuildFlat();
    endResetModel();
}
