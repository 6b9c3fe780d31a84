#include "RuleValidator.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace
{

QString tr(const char *text)
{
    return QCoreApplication::translate("RuleValidator", text);
}

bool isAbsolute(const QString &p)
{
    static const QRegularExpression drive(QStringLiteral("^[A-Za-z]:[\\\\/]"));
    return p.startsWith(QLatin1Char('/')) || p.startsWith(QStringLiteral("\\\\")) ||
           drive.match(p).hasMatch();
}

bool endsWithSeparator(const QString &p)
{
    return p.endsWith(QLatin1Char('/')) || p.endsWith(QLatin1Char('\\'));
}

bool sameTarget(const pg::Rule &a, const pg::Rule &b)
{
    return a.kind == b.kind && a.pattern == b.pattern && a.parent == b.parent && a.uid == b.uid;
}

} // namespace

QString RuleValidator::validate(const pg::Rule &rule, const std::vector<pg::Rule> &rules,
                                int skipRow)
{
    const QString pattern = QString::fromStdString(rule.pattern);
    if (rule.action != pg::Verdict::Allow && rule.action != pg::Verdict::Block)
        return tr("Choose whether the rule allows or blocks.");
    if (pattern.trimmed().isEmpty())
        return tr("Enter the path of a program or a folder.");
    if (pattern != pattern.trimmed())
        return tr("Remove the spaces at the start or end of the path.");
    if (rule.pattern.size() + 1 > PG_MAX_PATTERN_BYTES)
        return tr("The path is too long (at most 4095 bytes).");
    if (pattern.contains(QLatin1Char('\n')) || pattern.contains(QChar(0)))
        return tr("The path cannot contain line breaks.");
    if (!isAbsolute(pattern))
        return tr("Use a full path, starting with / (or a drive letter on Windows).");
    const bool wildcard = pattern.contains(QLatin1Char('*')) || pattern.contains(QLatin1Char('?'));
    switch (rule.kind) {
    case pg::RuleKind::Exact:
        if (wildcard)
            return tr("An exact path cannot contain * or ?; choose the kind \"pattern\".");
        if (endsWithSeparator(pattern))
            return tr("An exact path names a program, not a folder; choose the kind \"folder\".");
        break;
    case pg::RuleKind::Glob:
        if (!wildcard)
            return tr("A pattern needs * or ?; for one program choose the kind \"exact\".");
        break;
    case pg::RuleKind::Prefix:
        if (!endsWithSeparator(pattern))
            return tr("A folder rule must end with / so that it does not match /usr/binary "
                      "for /usr/bin.");
        if (wildcard)
            return tr("A folder rule cannot contain * or ?; choose the kind \"pattern\".");
        break;
    case pg::RuleKind::Sha256:
    case pg::RuleKind::Cmdline:
    case pg::RuleKind::Package:
        break;
    }
    if (!rule.parent.empty() && !isAbsolute(QString::fromStdString(rule.parent)) &&
        rule.parent.find('*') == std::string::npos)
        return tr("The parent condition must be a full path or a pattern.");
    for (size_t i = 0; i < rules.size(); ++i) {
        if (static_cast<int>(i) == skipRow || !sameTarget(rules[i], rule))
            continue;
        if (rules[i].action == rule.action)
            return tr("This rule already exists (row %1).").arg(i + 1);
        return tr("This contradicts row %1, which %2 the same path; edit or remove that rule.")
            .arg(i + 1)
            .arg(rules[i].action == pg::Verdict::Allow ? tr("allows") : tr("blocks"));
    }
    return QString();
}
