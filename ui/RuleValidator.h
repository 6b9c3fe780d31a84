// RuleValidator.h - checks a rule before it reaches the kernel component,
// with one sentence a person can act on. The component validates again;
// this catches mistakes while the person is still typing.
#pragma once

#include <QString>

#include <vector>

#include "Types.h"

class RuleValidator
{
public:
    // Empty when rule may join rules (skipRow: the row being edited, or -1).
    static QString validate(const pg::Rule &rule, const std::vector<pg::Rule> &rules,
                            int skipRow = -1);
};
