#include "ProcessTreeModel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include <algorithm>

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
        if (m_table.find(key) != nullptr)
            emitChanged(key, 0, kAllColumns, {Qt::BackgroundRole});
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
    m_flatKeys.clear();
    m_flatRows.clear();
    if (!m_flat)
        return;
    if (m_table.childCount(0) > 0)
        collectSubtree(0, 0, m_table.childCount(0) - 1, &m_flatKeys);
    for (size_t r = 0; r < m_flatKeys.size(); ++r)
        m_flatRows.emplace(m_flatKeys[r], static_cast<int>(r));
}

void ProcessTreeModel::collectSubtree(uint64_t parentKey, size_t first, size_t last,
                                      std::vector<uint64_t> *keys) const
{
    // Depth first, parents before children, in row order.
    std::vector<uint64_t> stack;
    for (size_t r = last + 1; r-- > first;)
        stack.push_back(m_table.childAt(parentKey, r));
    while (!stack.empty()) {
        const uint64_t key = stack.back();
        stack.pop_back();
        if (key == 0)
            continue;
        keys->push_back(key);
        for (size_t r = m_table.childCount(key); r-- > 0;)
            stack.push_back(m_table.childAt(key, r));
    }
}

QModelIndex ProcessTreeModel::indexForKey(quint64 key, int column) const
{
    if (key == 0 || m_table.find(key) == nullptr)
        return {};
    if (m_flat) {
        const auto it = m_flatRows.find(key);
        return it == m_flatRows.end() ? QModelIndex()
                                      : createIndex(it->second, column, static_cast<quintptr>(key));
    }
    return createIndex(static_cast<int>(m_table.rowOf(key)), column, static_cast<quintptr>(key));
}

const pg::ProcessEntry *ProcessTreeModel::entry(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    return m_table.find(index.internalId());
}

QModelIndex ProcessTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || parent.column() > 0)
        return {};
    if (m_flat) {
        if (parent.isValid() || static_cast<size_t>(row) >= m_flatKeys.size())
            return {};
        return createIndex(row, column,
                           static_cast<quintptr>(m_flatKeys[static_cast<size_t>(row)]));
    }
    const quint64 parentKey = parent.isValid() ? parent.internalId() : 0;
    const uint64_t key = m_table.childAt(parentKey, static_cast<size_t>(row));
    if (key == 0)
        return {};
    return createIndex(row, column, static_cast<quintptr>(key));
}

QModelIndex ProcessTreeModel::parent(const QModelIndex &child) const
{
    if (m_flat || !child.isValid() || child.model() != this)
        return {};
    uint64_t parentKey = 0;
    size_t parentRow = 0;
    if (!m_table.parentOf(child.internalId(), &parentKey, &parentRow) || parentKey == 0)
        return {};
    return createIndex(static_cast<int>(parentRow), 0, static_cast<quintptr>(parentKey));
}

int ProcessTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return 0;
    if (m_flat)
        return parent.isValid() ? 0 : static_cast<int>(m_flatKeys.size());
    return static_cast<int>(m_table.childCount(parent.isValid() ? parent.internalId() : 0));
}

int ProcessTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

bool ProcessTreeModel::isFresh(const pg::ProcessEntry &e) const
{
    return !e.snapshot && !e.isAttempt() && now() - toMs(e.startNs) < m_highlightMs;
}

QString ProcessTreeModel::verdictText(const pg::ProcessEntry &e)
{
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
            return e->sid.empty() ? m_userName(e->uid) : QString::fromStdString(e->sid);
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

void ProcessTreeModel::emitChanged(quint64 key, uint32_t contentMask, uint32_t lookMask,
                                   const QVector<int> &lookRoles)
{
    const uint32_t cols = contentMask | lookMask;
    const QVector<int> roles = contentMask == 0 ? lookRoles : QVector<int>();
    for (int c = 0; c < ColumnCount;) {
        if ((cols & (1u << c)) == 0) {
            ++c;
            continue;
        }
        int last = c;
        while (last + 1 < ColumnCount && (cols & (1u << (last + 1))) != 0)
            ++last;
        emit dataChanged(indexForKey(key, c), indexForKey(key, last), roles);
        c = last + 1;
    }
}

void ProcessTreeModel::aboutToInsert(uint64_t parentKey, size_t first, size_t last)
{
    if (m_flat)
        return; // rows are appended in inserted(), when the table has them
    beginInsertRows(indexForKey(parentKey), static_cast<int>(first), static_cast<int>(last));
}

void ProcessTreeModel::inserted(uint64_t parentKey, size_t first, size_t last)
{
    if (m_flat) {
        std::vector<uint64_t> keys;
        collectSubtree(parentKey, first, last, &keys);
        if (!keys.empty()) {
            const int row = static_cast<int>(m_flatKeys.size());
            beginInsertRows({}, row, row + static_cast<int>(keys.size()) - 1);
            for (uint64_t k : keys) {
                m_flatRows.emplace(k, static_cast<int>(m_flatKeys.size()));
                m_flatKeys.push_back(k);
            }
            endInsertRows();
        }
    } else {
        endInsertRows();
    }
    trackFresh(parentKey, first, last);
}

void ProcessTreeModel::trackFresh(uint64_t parentKey, size_t first, size_t last)
{
    // Only the top of a new subtree is announced; its descendants are fresh too.
    std::vector<uint64_t> stack;
    for (size_t r = first; r <= last; ++r)
        stack.push_back(m_table.childAt(parentKey, r));
    while (!stack.empty()) {
        const uint64_t key = stack.back();
        stack.pop_back();
        const pg::ProcessEntry *e = m_table.find(key);
        if (e == nullptr)
            continue;
        if (isFresh(*e))
            m_fresh.emplace_back(key, toMs(e->startNs));
        for (size_t r = 0, n = m_table.childCount(key); r < n; ++r)
            stack.push_back(m_table.childAt(key, r));
    }
}

void ProcessTreeModel::aboutToRemove(uint64_t parentKey, size_t first, size_t last)
{
    if (!m_flat) {
        beginRemoveRows(indexForKey(parentKey), static_cast<int>(first), static_cast<int>(last));
        return;
    }
    // Flat: the subtrees' rows are scattered; remove them now (the table
    // still has them), one range per run of adjacent rows, highest first.
    std::vector<uint64_t> keys;
    collectSubtree(parentKey, first, last, &keys);
    std::vector<int> rows;
    for (uint64_t k : keys) {
        const auto it = m_flatRows.find(k);
        if (it != m_flatRows.end())
            rows.push_back(it->second);
    }
    if (rows.empty())
        return;
    std::sort(rows.begin(), rows.end());
    size_t end = rows.size();
    while (end > 0) {
        size_t begin = end - 1;
        while (begin > 0 && rows[begin - 1] + 1 == rows[begin])
            --begin;
        beginRemoveRows({}, rows[begin], rows[end - 1]);
        for (int r = rows[begin]; r <= rows[end - 1]; ++r)
            m_flatRows.erase(m_flatKeys[static_cast<size_t>(r)]);
        m_flatKeys.erase(m_flatKeys.begin() + rows[begin], m_flatKeys.begin() + rows[end - 1] + 1);
        for (size_t r = static_cast<size_t>(rows[begin]); r < m_flatKeys.size(); ++r)
            m_flatRows[m_flatKeys[r]] = static_cast<int>(r);
        endRemoveRows();
        end = begin;
    }
}

void ProcessTreeModel::removed(uint64_t, size_t, size_t)
{
    if (!m_flat)
        endRemoveRows();
}

void ProcessTreeModel::changed(uint64_t key, uint32_t fields)
{
    const uint32_t look = (fields & pg::FieldState) != 0 ? kAllColumns : 0;
    emitChanged(key, contentColumns(fields), look,
                {Qt::BackgroundRole, Qt::ForegroundRole, Qt::DecorationRole});
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
