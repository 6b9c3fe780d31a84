// ApprovalRequest.h - what a person is asked about one held start, and
// what they answered. "Remember" is data (a scope and the rule it makes),
// never dialog state.
#pragma once

#include <QString>
#include <QtGlobal>

#include "Types.h"

struct ApprovalRequest {
    quint64 holdId = 0;
    QString image;
    QString cmdline;
    QString parentImage;
    quint32 pid = 0;
    quint32 ppid = 0;
    quint32 creatorPid = 0;
    QString user;
    pg::Verdict defaultVerdict = pg::Verdict::Block;
    qint64 receivedMs = 0; // panel clock when the request arrived
    quint32 timeoutMs = 0; // 0: no limit

    static ApprovalRequest fromEvent(const pg::Event &ev, const QString &user, qint64 nowMs);
    QString programName() const;
};

// How far an answer reaches.
enum class RememberScope {
    Once,    // this start only
    Program, // a rule for this exact path
    Folder,  // a rule for the program's folder (prefix)
    Hash,    // a rule for the file's content (SHA-256), wherever it lives
};

struct ApprovalDecision {
    quint64 holdId = 0;
    pg::Verdict verdict = pg::Verdict::None;
    RememberScope scope = RememberScope::Once;
    QString sha256; // Hash: the image's SHA-256 as shown on the dialog
};

// The rule an "always" answer creates; nullopt-like (empty pattern) for Once.
pg::Rule ruleForDecision(const ApprovalRequest &request, const ApprovalDecision &decision);
