#include "ApprovalRequest.h"

ApprovalRequest ApprovalRequest::fromEvent(const pg::Event &ev, const QString &user, qint64 nowMs)
{
    ApprovalRequest r;
    r.holdId = ev.holdId;
    r.image = QString::fromStdString(ev.image);
    r.cmdline = QString::fromStdString(ev.cmdline);
    r.parentImage = QString::fromStdString(ev.parentImage);
    r.pid = ev.pid;
    r.ppid = ev.ppid;
    r.creatorPid = ev.creatorPid;
    r.user = user;
    r.defaultVerdict =
        ev.defaultVerdict == pg::Verdict::Allow ? pg::Verdict::Allow : pg::Verdict::Block;
    r.receivedMs = nowMs;
    r.timeoutMs = ev.timeoutMs;
    return r;
}

QString ApprovalRequest::programName() const
{
    const int slash =
        std::max(image.lastIndexOf(QLatin1Char('/')), image.lastIndexOf(QLatin1Char('\\')));
    return slash < 0 ? image : image.mid(slash + 1);
}

pg::Rule ruleForDecision(const ApprovalRequest &request, const ApprovalDecision &decision)
{
    pg::Rule rule;
    rule.action = decision.verdict;
    switch (decision.scope) {
    case RememberScope::Once:
        break;
    case RememberScope::Program:
        rule.kind = pg::RuleKind::Exact;
        rule.pattern = request.image.toStdString();
        break;
    case RememberScope::Folder: {
        const int slash = std::max(request.image.lastIndexOf(QLatin1Char('/')),
                                   request.image.lastIndexOf(QLatin1Char('\\')));
        rule.kind = pg::RuleKind::Prefix;
        rule.pattern = request.image.left(slash + 1).toStdString();
        break;
    }
    case RememberScope::Hash:
        rule.kind = pg::RuleKind::Sha256;
        rule.pattern = decision.sha256.toLower().toStdString();
        break;
    }
    return rule;
}
