#include "RuleValidator.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QUrl>

namespace
{

using Field = RuleValidator::Field;
using Problem = RuleValidator::Problem;

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

// Rules for one target at different times do not collide (allowed after
// school, blocked at night). The boot id is the component's, not the person's.
bool sameTime(const pg::RuleTime &a, const pg::RuleTime &b)
{
    if (a.windows.size() != b.windows.size())
        return false;
    for (size_t i = 0; i < a.windows.size(); ++i)
        if (a.windows[i].start != b.windows[i].start || a.windows[i].end != b.windows[i].end)
            return false;
    return a.days == b.days && a.expiry == b.expiry && a.expiresAt == b.expiresAt &&
           a.budgetSeconds == b.budgetSeconds && a.budgetGroup == b.budgetGroup &&
           a.graceSeconds == b.graceSeconds;
}

QString actionVerb(pg::Verdict v)
{
    switch (v) {
    case pg::Verdict::Allow:
        return RuleValidator::tr("allows");
    case pg::Verdict::Block:
        return RuleValidator::tr("blocks");
    default:
        return RuleValidator::tr("asks about");
    }
}

Problem problem(Field f, const QString &text)
{
    return Problem{f, text};
}

Problem checkPath(const pg::Rule &rule, const QString &pattern)
{
    if (!isAbsolute(pattern))
        return problem(
            Field::Pattern,
            RuleValidator::tr("Use a full path, starting with / (or a drive letter on Windows)."));
    const bool wildcard = pattern.contains(QLatin1Char('*')) || pattern.contains(QLatin1Char('?'));
    switch (rule.kind) {
    case pg::RuleKind::Exact:
        if (wildcard)
            return problem(Field::Pattern,
                           RuleValidator::tr("An exact path cannot contain * or ?; choose the "
                                             "kind \"pattern\"."));
        if (endsWithSeparator(pattern))
            return problem(Field::Pattern,
                           RuleValidator::tr("An exact path names a program, not a folder; "
                                             "choose the kind \"folder\"."));
        break;
    case pg::RuleKind::Glob:
        if (!wildcard)
            return problem(Field::Pattern,
                           RuleValidator::tr("A pattern needs * or ?; for one program choose "
                                             "the kind \"exact\"."));
        break;
    case pg::RuleKind::Prefix:
        if (!endsWithSeparator(pattern))
            return problem(
                Field::Pattern,
                RuleValidator::tr("A folder rule must end with / so that it does not match "
                                  "/usr/binary for /usr/bin."));
        if (wildcard)
            return problem(Field::Pattern,
                           RuleValidator::tr("A folder rule cannot contain * or ?; choose the "
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
            return problem(Field::Pattern,
                           RuleValidator::tr("Enter the SHA-256 of the program (64 hex digits), "
                                             "or compute it from a file."));
        case pg::RuleKind::Cmdline:
            return problem(Field::Pattern,
                           RuleValidator::tr(
                               "Enter a command-line pattern, e.g. */firefox --private-window*."));
        case pg::RuleKind::Package:
            return problem(
                Field::Pattern,
                RuleValidator::tr("Enter a package name or pattern (* for every package)."));
        case pg::RuleKind::Signer:
            return problem(
                Field::Pattern,
                RuleValidator::tr("Enter a publisher's name or pattern (* for every publisher "
                                  "Windows trusts)."));
        default:
            return problem(Field::Pattern,
                           RuleValidator::tr("Enter the path of a program or a folder."));
        }
    }
    if (pattern != pattern.trimmed())
        return problem(
            Field::Pattern,
            path ? RuleValidator::tr("Remove the spaces at the start or end of the path.")
                 : RuleValidator::tr("Remove the spaces at the start or end of the pattern."));
    if (rule.pattern.size() + 1 > PG_MAX_PATTERN_BYTES)
        return problem(Field::Pattern,
                       RuleValidator::tr("The pattern is too long (at most 4095 bytes)."));
    if (hasControl(pattern))
        return problem(Field::Pattern,
                       RuleValidator::tr("The pattern cannot contain line breaks or tabs."));
    switch (rule.kind) {
    case pg::RuleKind::Exact:
    case pg::RuleKind::Glob:
    case pg::RuleKind::Prefix:
        return checkPath(rule, pattern);
    case pg::RuleKind::Sha256:
        if (!RuleValidator::isSha256(pattern))
            return problem(
                Field::Pattern,
                RuleValidator::tr("A SHA-256 has exactly 64 hex digits (0-9, a-f); this has %1 "
                                  "characters.")
                    .arg(pattern.size()));
        if (rule.caseFold)
            return problem(Field::Kind,
                           RuleValidator::tr("Ignoring letter case means nothing for a SHA-256; "
                                             "untick it."));
        break;
    case pg::RuleKind::Package: {
        static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9.+*?:_-]+$"));
        if (!name.match(pattern).hasMatch())
            return problem(
                Field::Pattern,
                RuleValidator::tr("A package name has letters, digits and . + - : (and * or ?); "
                                  "no spaces or slashes."));
        break;
    }
    case pg::RuleKind::Signer:
        if (pattern.contains(QRegularExpression(QStringLiteral("[\\x00-\\x1f\\x7f]"))))
            return problem(Field::Pattern,
                           RuleValidator::tr("A publisher's name has no control characters."));
        break;
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
    if (Problem p = checkTime(rule, QDateTime::currentSecsSinceEpoch()); !p.text.isEmpty())
        return p;
    for (size_t i = 0; i < rules.size(); ++i) {
        if (static_cast<int>(i) == skipRow || !sameTarget(rules[i], rule) ||
            !sameTime(rules[i].time, rule.time))
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

RuleValidator::Problem RuleValidator::checkTime(const pg::Rule &rule, qint64 nowUtc)
{
    const pg::RuleTime &t = rule.time;
    const auto clock = [](uint32_t s) {
        return QStringLiteral("%1:%2")
            .arg(s / 3600, 2, 10, QLatin1Char('0'))
            .arg(s % 3600 / 60, 2, 10, QLatin1Char('0'));
    };
    if ((t.days & ~PG_DAYS_ALL) != 0)
        return problem(Field::Schedule, tr("The days of the week are not valid."));
    if (t.windows.size() > PG_MAX_WINDOWS)
        return problem(Field::Schedule, tr("A rule can have at most %1 time windows; this one has "
                                           "%2.")
                                            .arg(PG_MAX_WINDOWS)
                                            .arg(t.windows.size()));
    for (size_t i = 0; i < t.windows.size(); ++i) {
        const pg::TimeWindow &w = t.windows[i];
        if (w.start >= PG_DAY_SECONDS || w.end >= PG_DAY_SECONDS)
            return problem(Field::Schedule, tr("Time window %1 must start and end within the day "
                                               "(00:00 to 23:59).")
                                                .arg(i + 1));
        if (w.start == w.end)
            return problem(Field::Schedule,
                           tr("Time window %1 starts and ends at %2; choose another end (a "
                              "window may run past midnight, e.g. 22:00 to 02:00).")
                               .arg(i + 1)
                               .arg(clock(w.start)));
    }
    if (t.budgetSeconds > PG_DAY_SECONDS)
        return problem(Field::Budget, tr("A daily limit can be at most 24 hours."));
    if (t.budgetSeconds == 0 && (t.budgetGroup != 0 || t.graceSeconds != 0))
        return problem(Field::Budget,
                       tr("A shared limit or a grace period needs a daily limit; set one."));
    if (t.graceSeconds > PG_MAX_BUDGET_GRACE_S)
        return problem(
            Field::Budget,
            tr("The grace period can be at most %1 minutes.").arg(PG_MAX_BUDGET_GRACE_S / 60));
    if (t.budgetSeconds != 0 && rule.action == pg::Verdict::Block)
        return problem(Field::Budget,
                       tr("A daily limit counts the running time of programs a rule lets start; "
                          "a block rule lets none start. Remove the limit, or allow."));
    switch (t.expiry) {
    case pg::Expiry::Never:
    case pg::Expiry::Once:
    case pg::Expiry::Reboot:
        if (t.expiresAt != 0)
            return problem(Field::Expiry, tr("Only a rule that lasts for some minutes has an "
                                             "expiry time."));
        break;
    case pg::Expiry::At:
        if (t.expiresAt <= 0)
            return problem(Field::Expiry, tr("Choose for how many minutes the rule lasts."));
        if (t.expiresAt <= nowUtc)
            return problem(Field::Expiry,
                           tr("This rule has already expired; choose how long it lasts again."));
        break;
    default:
        return problem(Field::Expiry, tr("Choose how long the rule lasts."));
    }
    if (!t.bootId.empty() &&
        (t.expiry != pg::Expiry::Reboot || t.bootId.size() != PG_BOOT_ID_BYTES))
        return problem(Field::Expiry, tr("Only a rule that lasts until a restart belongs to one "
                                         "start of the computer."));
    return {};
}
