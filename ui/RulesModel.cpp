#include "RulesModel.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "RuleValidator.h"

RulesModel::RulesModel(QObject *parent) : QAbstractTableModel(parent) {}

void RulesModel::setRules(std::vector<pg::Rule> rules)
{
    beginResetModel();
    m_rules = std::move(rules);
    endResetModel();
}

QString RulesModel::addRule(const pg::Rule &rule)
{
    const QString error = RuleValidator::validate(rule, m_rules);
    if (!error.isEmpty())
        return error;
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_rules.push_back(rule);
    m_rules.back().id = 0; // numbered when the policy is sent
    endInsertRows();
    emit edited();
    return QString();
}

QString RulesModel::updateRule(int row, const pg::Rule &rule)
{
    if (row < 0 || row >= rowCount())
        return tr("Select the rule to change first.");
    const QString error = RuleValidator::validate(rule, m_rules, row);
    if (!error.isEmpty())
        return error;
    m_rules[static_cast<size_t>(row)] = rule;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    emit edited();
    return QString();
}

void RulesModel::removeRule(int row)
{
    if (row < 0 || row >= rowCount())
        return;
    beginRemoveRows({}, row, row);
    m_rules.erase(m_rules.begin() + row);
    endRemoveRows();
    emit edited();
}

bool RulesModel::moveRule(int from, int to)
{
    if (from < 0 || from >= rowCount() || to < 0 || to >= rowCount() || from == to)
        return false;
    // beginMoveRows wants the destination as "insert before" in the old order.
    if (!beginMoveRows({}, from, from, {}, to > from ? to + 1 : to))
        return false;
    pg::Rule r = m_rules[static_cast<size_t>(from)];
    m_rules.erase(m_rules.begin() + from);
    m_rules.insert(m_rules.begin() + to, r);
    endMoveRows();
    emit edited();
    return true;
}

QString RulesModel::exportTo(const QString &path) const
{
    QJsonArray array;
    for (const pg::Rule &r : m_rules) {
        QJsonObject o;
        o[QStringLiteral("action")] = QString::fromLatin1(pg::toString(r.action));
        o[QStringLiteral("kind")] = QString::fromLatin1(pg::toString(r.kind));
        o[QStringLiteral("pattern")] = QString::fromStdString(r.pattern);
        if (!r.parent.empty())
            o[QStringLiteral("parent")] = QString::fromStdString(r.parent);
        if (r.uid)
            o[QStringLiteral("uid")] = static_cast<qint64>(*r.uid);
        if (r.gid)
            o[QStringLiteral("gid")] = static_cast<qint64>(*r.gid);
        if (r.caseFold)
            o[QStringLiteral("caseFold")] = true;
        if (!r.message.empty())
            o[QStringLiteral("message")] = QString::fromStdString(r.message);
        if (!r.link.empty())
            o[QStringLiteral("link")] = QString::fromStdString(r.link);
        array.append(o);
    }
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return tr("Cannot write %1: %2.").arg(path, file.errorString());
    file.write(QJsonDocument(QJsonObject{{QStringLiteral("rules"), array}}).toJson());
    return QString();
}

QString RulesModel::importFrom(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return tr("Cannot read %1: %2.").arg(path, file.errorString());
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (doc.isNull())
        return tr("%1 is not a rules file: %2.").arg(path, parseError.errorString());
    std::vector<pg::Rule> imported;
    const QJsonArray array = doc.object().value(QStringLiteral("rules")).toArray();
    for (int i = 0; i < array.size(); ++i) {
        const QJsonObject o = array[i].toObject();
        pg::Rule r;
        const auto action =
            pg::actionFromString(o.value(QStringLiteral("action")).toString().toStdString());
        const auto kind =
            pg::ruleKindFromString(o.value(QStringLiteral("kind")).toString().toStdString());
        if (!action || !kind)
            return tr("Rule %1 in %2 has an unknown action or kind; nothing was imported.")
                .arg(i + 1)
                .arg(path);
        r.action = *action;
        r.kind = *kind;
        r.pattern = o.value(QStringLiteral("pattern")).toString().toStdString();
        r.parent = o.value(QStringLiteral("parent")).toString().toStdString();
        for (const auto &[key, field] :
             {std::pair{QStringLiteral("uid"), &r.uid}, std::pair{QStringLiteral("gid"), &r.gid}}) {
            if (!o.contains(key))
                continue;
            const double v = o.value(key).toDouble(-1);
            if (v < 0 || v > 4294967295.0 || v != static_cast<double>(static_cast<qint64>(v)))
                return tr("Rule %1 in %2 has an invalid %3; nothing was imported.")
                    .arg(i + 1)
                    .arg(path, key);
            *field = static_cast<uint32_t>(v);
        }
        r.caseFold = o.value(QStringLiteral("caseFold")).toBool();
        r.message = o.value(QStringLiteral("message")).toString().toStdString();
        r.link = o.value(QStringLiteral("link")).toString().toStdString();
        const QString error = RuleValidator::validate(r, imported);
        if (!error.isEmpty())
            return tr("Rule %1 in %2: %3 Nothing was imported.").arg(i + 1).arg(path, error);
        imported.push_back(r);
    }
    setRules(std::move(imported));
    emit edited();
    return QString();
}

QString RulesModel::kindName(pg::RuleKind kind)
{
    switch (kind) {
    case pg::RuleKind::Exact:
        return tr("exact path");
    case pg::RuleKind::Glob:
        return tr("pattern");
    case pg::RuleKind::Prefix:
        return tr("folder");
    case pg::RuleKind::Sha256:
        return tr("SHA-256");
    case pg::RuleKind::Cmdline:
        return tr("command line");
    case pg::RuleKind::Package:
        return tr("trusted package");
    }
    return QString::fromLatin1(pg::toString(kind));
}

QString RulesModel::actionName(pg::Verdict action)
{
    switch (action) {
    case pg::Verdict::Allow:
        return tr("allow");
    case pg::Verdict::Block:
        return tr("block");
    case pg::Verdict::Ask:
        return tr("ask");
    default:
        return QString();
    }
}

int RulesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rules.size());
}

int RulesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RulesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const pg::Rule &r = m_rules[static_cast<size_t>(index.row())];
    if (role == Qt::ToolTipRole && index.column() == Message && !r.link.empty())
        return QString::fromStdString(r.link);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Action:
        return actionName(r.action);
    case Kind:
        return r.caseFold ? tr("%1, any case").arg(kindName(r.kind)) : kindName(r.kind);
    case Pattern:
        return QString::fromStdString(r.pattern);
    case Parent:
        return QString::fromStdString(r.parent);
    case User:
        if (r.uid)
            return tr("user %1").arg(*r.uid);
        if (r.gid)
            return tr("group %1").arg(*r.gid);
        return {};
    case Message:
        return QString::fromStdString(r.message);
    default:
        return {};
    }
}

QVariant RulesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Action:
        return tr("Action");
    case Kind:
        return tr("Kind");
    case Pattern:
        return tr("Path, pattern, hash or package");
    case Parent:
        return tr("Parent");
    case User:
        return tr("User or group");
    case Message:
        return tr("Message");
    default:
        return {};
    }
}
