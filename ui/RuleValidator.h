// RuleValidator.h - checks a rule before it reaches the kernel component,
// with one sentence a person can act on. The component validates again;
// this catches mistakes while the person is still typing.
//
// Every kind on the wire: exact path, pattern, folder, SHA-256 (64 hex
// digits), command-line pattern, trusted package; actions allow, block
// and ask; a user or a group condition (not both); a parent program
// condition; a message (shown when the rule blocks) and an http(s) link;
// time conditions (checkTime: what pg_rule_time_check() would refuse, and
// what cannot work, such as an expiry in the past).
#pragma once

#include <QCoreApplication>
#include <QString>

#include <vector>

#include "Types.h"

class RuleValidator
{
    // Context "RuleValidator" for tr() here and RuleValidator::tr() in the
    // .cpp's helpers, where lupdate finds them.
    Q_DECLARE_TR_FUNCTIONS(RuleValidator)
public:
    // The field a problem is about, so the editor can point at it.
    enum class Field {
        None,
        Action,
        Kind,
        Pattern,
        Parent,
        Condition,
        Message,
        Link,
        Duplicate,
        Schedule,
        Budget,
        Expiry
    };

    struct Problem {
        Field field = Field::None;
        QString text; // empty: no problem
    };

    // Empty when rule may join rules (skipRow: the row being edited, or -1).
    static QString validate(const pg::Rule &rule, const std::vector<pg::Rule> &rules,
                            int skipRow = -1);
    static Problem check(const pg::Rule &rule, const std::vector<pg::Rule> &rules,
                         int skipRow = -1);
    // The rule's time conditions at nowUtc (seconds since 1970).
    static Problem checkTime(const pg::Rule &rule, qint64 nowUtc);
    // 64 hex digits, either case.
    static bool isSha256(const QString &text);
};
