#include "RulesModel.h"

#include <QBrush>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QPalette>
#include <QStringList>
#include <QTime>
#include <QTimer>

#include "RuleValidator.h"

namespace
{

const char *const kDayKeys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

QString clockText(uint32_t seconds)
{
    const QTime t = QTime(0, 0).addSecs(static_cast<int>(seconds % PG_DAY_SECONDS));
    return t.toString(t.second() != 0 ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm"));
}

// "16:00" or "16:00:30" -> seconds after midnight; false for anything else.
bool parseClock(const QString &text, uint32_t *seconds)
{
    QTime t = QTime::fromString(text, QStringLiteral("HH:mm"));
    if (!t.isValid())
        t = QTime::fromString(text, QStringLiteral("HH:mm:ss"));
    if (!t.isValid())
        return false;
    *seconds = static_cast<uint32_t>(t.msecsSinceStartOfDay() / 1000);
    return true;
}

} // namespace

RulesModel::RulesModel(QObject *parent) : QAbstractTableModel(parent)
{
    // "expires in 30 min" must not go stale while the table is open.
    m_clock = new QTimer(this);
    m_clock->setInterval(60 * 1000);
    connect(m_clock, &QTimer::timeout, this, &RulesModel::refreshCountdowns);
    m_clock->start();
}

void RulesModel::refreshCountdowns()
{
    for (const pg::Rule &r : m_rules) {
        if (r.time.expiry == pg::Expiry::At) {
            emit dataChanged(index(0, When), index(rowCount() - 1, When), {Qt::DisplayRole});
            return;
        }
    }
}

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
    if (isManaged(row))
        return tr("This rule is managed (set by a policy file or Group Policy); change it "
                  "there.");
    const QString error = RuleValidator::validate(rule, m_rules, row);
    if (!error.isEmpty())
        return error;
    m_rules[static_cast<size_t>(row)] = rule;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    emit edited();
    return QString();
}

bool RulesModel::isManaged(int row) const
{
    return row >= 0 && row < rowCount() && m_rules[static_cast<size_t>(row)].managed;
}

QString RulesModel::removeRule(int row)
{
    if (row < 0 || row >= rowCount())
        return QString();
    if (isManaged(row))
        return tr("This rule is managed (set by a policy file or Group Policy); it cannot be "
                  "removed here.");
    beginRemoveRows({}, row, row);
    m_rules.erase(m_rules.begin() + row);
    endRemoveRows();
    emit edited();
    return QString();
}

bool RulesModel::moveRule(int from, int to)
{
    if (from < 0 || from >= rowCount() || to < 0 || to >= rowCount() || from == to ||
        isManaged(from) || isManaged(to))
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
        if (r.managed)
            continue; // it lives in its policy file
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
        if (!r.time.empty())
            o[QStringLiteral("time")] = timeToJson(r.time);
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
        if (o.contains(QStringLiteral("time"))) {
            QString why;
            if (!timeFromJson(o.value(QStringLiteral("time")).toObject(), &r.time, &why))
                return tr("Rule %1 in %2 has invalid time conditions (%3); nothing was imported.")
                    .arg(i + 1)
                    .arg(path, why);
        }
        const QString error = RuleValidator::validate(r, imported);
        if (!error.isEmpty())
            return tr("Rule %1 in %2: %3 Nothing was imported.").arg(i + 1).arg(path, error);
        imported.push_back(r);
    }
    // The managed rules stay: they are not the panel's to replace.
    std::vector<pg::Rule> kept;
    for (const pg::Rule &r : m_rules)
        if (r.managed)
            kept.push_back(r);
    imported.insert(imported.begin(), kept.begin(), kept.end());
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
    case pg::RuleKind::Signer:
        return tr("trusted signer");
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
    if (role == Qt::ToolTipRole && index.column() == When && !r.time.empty())
        return whenText(r.time, QDateTime::currentSecsSinceEpoch());
    if (role == Qt::ToolTipRole && r.managed)
        return tr("Managed: set by a policy file or Group Policy. It decides before every other "
                  "rule and cannot be changed here.");
    if (role == Qt::ForegroundRole && r.managed)
        return QBrush(QPalette().color(QPalette::Disabled, QPalette::Text));
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Action:
        return r.managed ? tr("%1 (managed)").arg(actionName(r.action)) : actionName(r.action);
    case Kind:
        return r.caseFold ? tr("%1, any case").arg(kindName(r.kind)) : kindName(r.kind);
    case Pattern:
        return QString::fromStdString(r.pattern);
    case Parent:
        return QString::fromStdString(r.parent);
    case When:
        return whenText(r.time, QDateTime::currentSecsSinceEpoch());
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
    case When:
        return tr("When");
    case Message:
        return tr("Message");
    default:
        return {};
    }
}

QJsonObject RulesModel::timeToJson(const pg::RuleTime &time)
{
    QJsonObject o;
    if (time.days != 0) {
        QJsonArray days;
        for (int d = 0; d < 7; ++d)
            if ((time.days >> d) & 1u)
                days.append(QString::fromLatin1(kDayKeys[d]));
        o[QStringLiteral("days")] = days;
    }
    if (!time.windows.empty()) {
        QJsonArray windows;
        for (const pg::TimeWindow &w : time.windows)
            windows.append(QJsonObject{{QStringLiteral("from"), clockText(w.start)},
                                       {QStringLiteral("to"), clockText(w.end)}});
        o[QStringLiteral("windows")] = windows;
    }
    if (time.budgetSeconds != 0)
        o[QStringLiteral("budgetSeconds")] = static_cast<qint64>(time.budgetSeconds);
    if (time.budgetGroup != 0)
        o[QStringLiteral("budgetGroup")] = static_cast<qint64>(time.budgetGroup);
    if (time.graceSeconds != 0)
        o[QStringLiteral("graceSeconds")] = static_cast<qint64>(time.graceSeconds);
    switch (time.expiry) {
    case pg::Expiry::Never:
        break;
    case pg::Expiry::Once:
        o[QStringLiteral("expiry")] = QStringLiteral("once");
        break;
    case pg::Expiry::At:
        o[QStringLiteral("expiry")] = QStringLiteral("at");
        o[QStringLiteral("expiresAt")] = static_cast<qint64>(time.expiresAt);
        break;
    case pg::Expiry::Reboot:
        o[QStringLiteral("expiry")] = QStringLiteral("reboot");
        break;
    }
    return o;
}

bool RulesModel::timeFromJson(const QJsonObject &o, pg::RuleTime *time, QString *error)
{
    pg::RuleTime t;
    for (const QJsonValue &day : o.value(QStringLiteral("days")).toArray()) {
        int d = 0;
        while (d < 7 && day.toString() != QLatin1String(kDayKeys[d]))
            ++d;
        if (d == 7) {
            *error = tr("unknown day %1").arg(day.toString());
            return false;
        }
        t.days |= static_cast<uint8_t>(1u << d);
    }
    for (const QJsonValue &value : o.value(QStringLiteral("windows")).toArray()) {
        const QJsonObject w = value.toObject();
        pg::TimeWindow window;
        if (!parseClock(w.value(QStringLiteral("from")).toString(), &window.start) ||
            !parseClock(w.value(QStringLiteral("to")).toString(), &window.end)) {
            *error = tr("a time window needs \"from\" and \"to\" as HH:MM");
            return false;
        }
        t.windows.push_back(window);
    }
    for (const auto &[key, field] : {std::pair{QStringLiteral("budgetSeconds"), &t.budgetSeconds},
                                     std::pair{QStringLiteral("budgetGroup"), &t.budgetGroup},
                                     std::pair{QStringLiteral("graceSeconds"), &t.graceSeconds}}) {
        const double v = o.value(key).toDouble(0);
        if (v < 0 || v > 4294967295.0 || v != static_cast<double>(static_cast<qint64>(v))) {
            *error = tr("invalid %1").arg(key);
            return false;
        }
        *field = static_cast<uint32_t>(v);
    }
    const QString expiry = o.value(QStringLiteral("expiry")).toString();
    if (expiry.isEmpty() || expiry == QLatin1String("never")) {
        t.expiry = pg::Expiry::Never;
    } else if (expiry == QLatin1String("once")) {
        t.expiry = pg::Expiry::Once;
    } else if (expiry == QLatin1String("reboot")) {
        t.expiry = pg::Expiry::Reboot;
    } else if (expiry == QLatin1String("at")) {
        t.expiry = pg::Expiry::At;
        const double at = o.value(QStringLiteral("expiresAt")).toDouble(0);
        if (at <= 0 || at > 9.0e15 || at != static_cast<double>(static_cast<qint64>(at))) {
            *error = tr("invalid expiresAt");
            return false;
        }
        t.expiresAt = static_cast<int64_t>(at);
    } else {
        *error = tr("unknown expiry %1").arg(expiry);
        return false;
    }
    *time = t;
    return true;
}

QString RulesModel::whenText(const pg::RuleTime &time, qint64 nowUtc)
{
    const auto duration = [](qint64 seconds) {
        const qint64 h = seconds / 3600, m = seconds % 3600 / 60, s = seconds % 60;
        QStringList parts;
        if (h != 0)
            parts << tr("%1 h").arg(h);
        if (m != 0)
            parts << tr("%1 min").arg(m);
        if (s != 0 || parts.isEmpty())
            parts << tr("%1 s").arg(s);
        return parts.join(QLatin1Char(' '));
    };
    const QString dayNames[7] = {tr("Mon"), tr("Tue"), tr("Wed"), tr("Thu"),
                                 tr("Fri"), tr("Sat"), tr("Sun")};
    QStringList parts;
    QStringList schedule;
    if (time.days == PG_DAYS_ALL) {
        schedule << tr("every day");
    } else if (time.days != 0) {
        // Runs of days: "Mon-Fri", "Sat, Sun", "Mon, Wed".
        QStringList days;
        for (int d = 0; d < 7;) {
            if (!((time.days >> d) & 1u)) {
                ++d;
                continue;
            }
            int end = d;
            while (end + 1 < 7 && ((time.days >> (end + 1)) & 1u))
                ++end;
            if (end - d >= 2)
                days << tr("%1-%2").arg(dayNames[d], dayNames[end]);
            else
                for (int i = d; i <= end; ++i)
                    days << dayNames[i];
            d = end + 1;
        }
        schedule << days.join(QStringLiteral(", "));
    }
    QStringList windows;
    for (const pg::TimeWindow &w : time.windows)
        windows << QStringLiteral("%1-%2").arg(clockText(w.start), clockText(w.end));
    if (!windows.isEmpty())
        schedule << windows.join(QStringLiteral(", "));
    if (!schedule.isEmpty())
        parts << schedule.join(QLatin1Char(' '));
    if (time.budgetSeconds != 0) {
        QString budget = tr("%1/day").arg(duration(time.budgetSeconds));
        if (time.budgetGroup != 0)
            budget = tr("%1 shared with group %2").arg(budget).arg(time.budgetGroup);
        if (time.graceSeconds != 0)
            budget = tr("%1 (then %2 to finish)").arg(budget, duration(time.graceSeconds));
        parts << budget;
    }
    switch (time.expiry) {
    case pg::Expiry::Never:
        break;
    case pg::Expiry::Once:
        parts << tr("once");
        break;
    case pg::Expiry::At: {
        const qint64 left = time.expiresAt - nowUtc;
        if (left <= 0)
            parts << tr("expired");
        else if (left < 24 * 3600)
            parts << tr("expires in %1").arg(duration((left + 59) / 60 * 60)); // whole minutes
        else
            parts << tr("until %1")
                         .arg(QLocale().toString(QDateTime::fromSecsSinceEpoch(time.expiresAt),
                                                 QLocale::ShortFormat));
        break;
    }
    case pg::Expiry::Reboot:
        parts << tr("until restart");
        break;
    }
    return parts.join(QStringLiteral(", "));
}
