// RulesModel.h - the allow and block lists being edited, as a table.
//
// Every add or edit is validated (RuleValidator); a rejected rule leaves
// the model untouched and returns the reason. Reordering uses
// beginMoveRows. Import/export use a JSON file with one object per rule
// (action, kind, pattern, parent, uid or gid, caseFold, message, link,
// time: days ["mon", ...], windows [{"from": "16:00", "to": "18:00"}],
// budgetSeconds, budgetGroup, graceSeconds, expiry "once"/"at"/"reboot",
// expiresAt). A reboot rule's boot id is not exported: the component sets
// it for the boot the rule arrives in.
//
// Managed rules (pg::Rule::managed: set by policy files or Group Policy)
// are shown with "(managed)" after their action, greyed, with a tooltip
// saying where they come from; they cannot be changed, removed or moved
// here (the component would refuse it), are not exported, and an import
// keeps them.
//
// The When column summarises a rule's time conditions ("Mon-Fri
// 16:00-18:00, 1 h/day, expires in 30 min"); it is refreshed every minute
// while a rule counts down. GUI thread only.
#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>

#include <vector>

#include "Types.h"

class QTimer;

class RulesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Action, Kind, Pattern, Parent, User, When, Message, ColumnCount };

    explicit RulesModel(QObject *parent = nullptr);

    const std::vector<pg::Rule> &rules() const { return m_rules; }
    // How a kind and an action are named in the table ("SHA-256", "ask").
    static QString kindName(pg::RuleKind kind);
    static QString actionName(pg::Verdict action);
    // A rule's time conditions in a few words at nowUtc (seconds since
    // 1970); empty when it has none.
    static QString whenText(const pg::RuleTime &time, qint64 nowUtc);
    // The "time" object of the rules file, and back (false and why not).
    static QJsonObject timeToJson(const pg::RuleTime &time);
    static bool timeFromJson(const QJsonObject &o, pg::RuleTime *time, QString *error);
    // Replaces everything (the component's policy arrived): a reset.
    void setRules(std::vector<pg::Rule> rules);
    // Empty on success, else why not.
    QString addRule(const pg::Rule &rule);
    QString updateRule(int row, const pg::Rule &rule);
    // Empty on success, else why not (a managed rule).
    QString removeRule(int row);
    bool isManaged(int row) const;
    bool moveRule(int from, int to);

    QString exportTo(const QString &path) const;
    QString importFrom(const QString &path);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

signals:
    void edited(); // any change by the person (not setRules)

private:
    void refreshCountdowns();

    std::vector<pg::Rule> m_rules;
    QTimer *m_clock = nullptr;
};
