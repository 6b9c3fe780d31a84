#include "RuleValidator.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QUrl>

namespace
{

using Field = RuleValidator::Field;
using Problem = RuleValidator::Problem;

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

bool hasControl(const QString &s)
{
    for (const QChar c : s)
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return true;
    return false;
}

bool sameTarget(const pg::Rule &a, const pg::Rule &b)
{
    const bool hash = a.kind == pg::RuleKind::Sha256 && b.kind == pg::RuleKind::Sha256;
    const bool samePattern = hash ? QString::fromStdString(a.pattern).compare(
                                        QString::fromStdString(b.pattern), Qt::CaseInsensitive) == 0
                                  : a.pattern == b.pattern;
    return a.kind == b.kind && samePattern && a.parent == b.parent && a.uid == b.uid &&
           a.gid == b.gid;
}

QString actionVerb(pg::Verdict v)
{
    switch (v) {
    case pg::Verdict::Allow:
        return tr("allows");
    case pg::Verdict::Block:
        return tr("blocks");
    default:
        return tr("asks about");
    }
}

Problem problem(Field f, const QString &text)
{
    return Problem{f, text};
}

Problem checkPath(const pg::Rule &rule, const QString &pattern)
{
    if (!isAbsolute(pattern))
        return problem(Field::Pattern,
                       tr("Use a full path, starting with / (or a drive letter on Windows)."));
    const bool wildcard = pattern.contains(QLatin1Char('*')) || pattern.contains(QLatin1Char('?'));
    switch (rule.kind) {
    case pg::RuleKind::Exact:
        if (wildcard)
            return problem(Field::Pattern, tr("An exact path cannot contain * or ?; choose the "
                                              "kind \"pattern\"."));
        if (endsWithSeparator(pattern))
            return problem(Field::Pattern, tr("An exact path names a program, not a folder; "
                                              "choose the kind \"folder\"."));
        break;
    case pg::RuleKind::Glob:
        if (!wildcard)
            return problem(Field::Pattern, tr("A pattern needs * or ?; for one program choose "
                                              "the kind \"exact\"."));
        break;
    case pg::RuleKind::Prefix:
        if (!endsWithSeparator(pattern))
            return problem(Field::Pattern,
                           tr("A folder rule must end with / so that it does not match "
                              "/usr/binary for /usr/bin."));
        if (wildcard)
            return problem(Field::Pattern, tr("A folder rule cannot contain * or ?; choose the "
                                              "kind \"pattern\"."));
        break;
    default:
        break;
    }
    return {};
}

Problem checkPattern(const pg::Rule &rule)
{
    const QString pattern = QString::fromStdString(rule.pattern);
    const bool path = rule.kind == pg::RuleKind::Exact || rule.kind == pg::RuleKind::Glob ||
                      rule.kind == pg::RuleKind::Prefix;
    if (pattern.trimmed().isEmpty()) {
        switch (rule.kind) {
        case pg::RuleKind::Sha256:
            return problem(Field::Pattern, tr("Enter the SHA-256 of the program (64 hex digits), "
                                              "or compute it from a file."));
        case pg::RuleKind::Cmdline:
            return problem(Field::Pattern,
                           tr("Enter a command-line pattern, e.g. */firefox --private-window*."));
        case pg::RuleKind::Package:
            return problem(Field::Pattern,
                           tr("Enter a package name or pattern (* for every package)."));
        default:
            return problem(Field::Pattern, tr("Enter the path of a program or a folder."));
        }
    }
    if (pattern != pattern.trimmed())
        return problem(Field::Pattern,
                       path ? tr("Remove the spaces at the start or end of the path.")
                            : tr("Remove the spaces at the start or end of the pattern."));
    if (rule.pattern.size() + 1 > PG_MAX_PATTERN_BYTES)
        return problem(Field::Pattern, tr("The pattern is too long (at most 4095 bytes)."));
    if (hasControl(pattern))
        return problem(Field::Pattern, tr("The pattern cannot contain line breaks or tabs."));
    switch (rule.kind) {
    case pg::RuleKind::Exact:
    case pg::RuleKind::Glob:
    case pg::RuleKind::Prefix:
        return checkPath(rule, pattern);
    case pg::RuleKind::Sha256:
        if (!RuleValidator::isSha256(pattern))
            return problem(Field::Pattern,
                           tr("A SHA-256 has exactly 64 hex digits (0-9, a-f); this has %1 "
                              "characters.")
                               .arg(pattern.size()));
        if (rule.caseFold)
            return problem(Field::Kind, tr("Ignoring letter case means nothing for a SHA-256; "
                                           "untick it."));
        break;
    case pg::RuleKind::Package: {
        static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9.+*?:_-]+$"));
        if (!name.match(pattern).hasMatch())
            return problem(Field::Pattern,
                           tr("A package name has letters, digits and . + - : (and * or ?); "
                              "no spaces or slashes."));
        break;
    }
    case pg::RuleKind::Cmdline:
        break;
    }
    return {};
}

} // namespace

bool RuleValidator::isSha256(const QString &text)
{
    static const QRegularExpression hex(QStringLiteral("^[0-9A-Fa-f]{64}$"));
    return hex.match(text).hasMatch();
}

QString RuleValidator::validate(const pg::Rule &rule, const std::vector<pg::Rule> &rules,
                                int skipRow)
{
    return check(rule, rules, skipRow).text;
}

RuleValidator::Problem RuleValidator::check(const pg::Rule &rule,
                                            const std::vector<pg::Rule> &rules, int skipRow)
{
    if (rule.action != pg::Verdict::Allow && rule.action != pg::Verdict::Block &&
        rule.action != pg::Verdict::Ask)
        return problem(Field::Action, tr("Choose whether the rule allows, blocks or asks."));
    if (static_cast<uint8_t>(rule.kind) < PG_RULE_EXACT ||
        static_cast<uint8_t>(rule.kind) > PG_RULE_KIND_MAX)
        return problem(Field::Kind, tr("Choose the kind of rule."));
    if (Problem p = checkPattern(rule); !p.text.isEmpty())
        return p;
    const QString parent = QString::fromStdString(rule.parent);
    if (!parent.isEmpty()) {
        if (parent != parent.trimmed() || hasControl(parent))
            return problem(Field::Parent,
                           tr("Remove the spaces or line breaks around the parent program."));
        if (rule.parent.size() + 1 > PG_MAX_PATTERN_BYTES)
            return problem(Field::Parent,
                           tr("The parent program is too long (at most 4095 bytes)."));
        if (!isAbsolute(parent) && !parent.startsWith(QLatin1Char('*')))
            return problem(Field::Parent,
                           tr("The parent condition must be a full path or a pattern, e.g. "
                              "/usr/bin/steam or **/installer*."));
    }
    if (rule.uid && rule.gid)
        return problem(Field::Condition,
                       tr("A rule applies to one user or to one group, not both; choose one."));
    if (rule.message.size() + 1 > PG_MAX_RULE_MESSAGE_BYTES)
        return problem(
            Field::Message,
            tr("The message is too long (at most %1 bytes).").arg(PG_MAX_RULE_MESSAGE_BYTES - 1));
    if (rule.message.find('\0') != std::string::npos)
        return problem(Field::Message, tr("The message cannot contain a NUL character."));
    if (!rule.message.empty() && rule.action == pg::Verdict::Allow)
        return problem(Field::Message, tr("A message is shown when a rule blocks; an allow "
                                          "rule shows nothing. Remove it or block."));
    const QString link = QString::fromStdString(rule.link);
    if (!link.isEmpty()) {
        if (rule.link.size() + 1 > PG_MAX_RULE_LINK_BYTES)
            return problem(
                Field::Link,
                tr("The link is too long (at most %1 bytes).").arg(PG_MAX_RULE_LINK_BYTES - 1));
        const QUrl url(link, QUrl::StrictMode);
        if (!url.isValid() ||
            (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")) ||
            url.host().isEmpty() || hasControl(link) || link.contains(QLatin1Char(' ')))
            return problem(Field::Link,
                           tr("The link must be a web address starting with https:// or http://."));
        if (rule.message.empty())
            return problem(Field::Link,
                           tr("Add a message to go with the link; it is shown with the message."));
    }
    for (size_t i = 0; i < rules.size(); ++i) {
        if (static_cast<int>(i) == skipRow || !sameTarget(rules[i], rule))
            continue;
        if (rules[i].action == rule.action)
            return problem(Field::Duplicate, tr("This rule already exists (row %1).").arg(i + 1));
        return problem(Field::Duplicate, tr("This contradicts row %1, which %2 the same "
                                            "target; edit or remove that rule.")
                                             .arg(i + 1)
                                             .arg(actionVerb(rules[i].action)));
    }
    return {};
}
