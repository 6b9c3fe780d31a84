#include "ProcessTreeModel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include "Journal.h"

namespace
{

qint64 toMs(uint64_t ns)
{
    return static_cast<qint64>(ns / 1000000ull);
}

// Columns that show each field.
std::pair<int, int> columnsFor(uint32_t fields)
{
    int lo = ProcessTreeModel::ColumnCount;
    int hi = -1;
    auto add = [&](uint32_t f, int col) {
        if ((fields & f) != 0) {
            lo = std::min(lo, col);
            hi = std::max(hi, col);
        }
    };
    add(pg::FieldName, ProcessTreeModel::Name);
    add(pg::FieldImage, ProcessTreeModel::Path);
    add(pg::FieldCmdline, ProcessTreeModel::CommandLine);
    add(pg::FieldUser, ProcessTreeModel::User);
    add(pg::FieldStarted, ProcessTreeModel::Started);
    add(pg::FieldVerdict, ProcessTreeModel::VerdictColumn);
    add(pg::FieldParent, ProcessTreeModel::Pid);
    if ((fields & pg::FieldState) != 0) { // colour and icon of the whole row
        lo = 0;
        hi = ProcessTreeModel::ColumnCount - 1;
    }
    return {lo, hi};
}

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
            emit dataChanged(indexForKey(key, 0), indexForKey(key, ColumnCount - 1),
                             {Qt::BackgroundRole});
    }
    if (!m_keepExited && t > m_lingerMs)
        m_table.purgeExited(static_cast<uint64_t>(t - m_lingerMs) * 1000000ull);
}

void ProcessTreeModel::clear()
{
    m_fresh.clear();
    m_table.clear();
}

QModelIndex ProcessTreeModel::indexForKey(quint64 key, int column) const
{
    if (key == 0 || m_table.find(key) == nullptr)
        return {};
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
    const quint64 parentKey = parent.isValid() ? parent.internalId() : 0;
    const uint64_t key = m_table.childAt(parentKey, static_cast<size_t>(row));
    if (key == 0)
        return {};
    return createIndex(row, column, static_cast<quintptr>(key));
}

QModelIndex ProcessTreeModel::parent(const QModelIndex &child) const
{
    const pg::ProcessEntry *e = entry(child);
    if (e == nullptr || e->parentKey == 0)
        return {};
    return indexForKey(e->parentKey, 0);
}

int ProcessTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return 0;
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
            if (e->creatorPid != 0 && e->creatorPid != e->ppid)
                return tr("%1 (parent %2, creator %3)").arg(e->pid).arg(e->ppid).arg(e->creatorPid);
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
    case Qt::ToolTipRole:
        return tr("pid %1, parent %2 (%3), creator %4")
            .arg(e->pid)
            .arg(e->ppid)
            .arg(QString::fromStdString(e->parentImage))
            .arg(e->creatorPid);
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
    default:
        return {};
    }
}

void ProcessTreeModel::aboutToInsert(uint64_t parentKey, size_t first, size_t last)
{
    beginInsertRows(indexForKey(parentKey), static_cast<int>(first), static_cast<int>(last));
}

void ProcessTreeModel::inserted(uint64_t parentKey, size_t first, size_t last)
{
    endInsertRows();
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
    beginRemoveRows(indexForKey(parentKey), static_cast<int>(first), static_cast<int>(last));
}

void ProcessTreeModel::removed(uint64_t, size_t, size_t)
{
    endRemoveRows();
}

void ProcessTreeModel::changed(uint64_t key, uint32_t fields)
{
    const auto [lo, hi] = columnsFor(fields);
    if (hi < 0)
        return;
    emit dataChanged(indexForKey(key, lo), indexForKey(key, hi));
}

void ProcessTreeModel::aboutToReset()
{
    beginResetModel();
}

void ProcessTreeModel::reset()
{
    endResetModel();
}
