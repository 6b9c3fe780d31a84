#include "LearnProposalsDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include <map>

#include "Journal.h"
#include "LearnProposals.h"
#include "RuleExplainer.h"
#include "RulesModel.h"

namespace
{

enum Column { RuleColumn, ProgramsColumn, StartsColumn, ColumnCount };

// Already allowed by the rules being edited, for certain: a rule decides
// allow and no fact that could change that is missing. Files are not
// hashed here (that would read every program on the GUI thread), so a
// SHA-256 rule leaves the answer open and the proposal stays.
bool allowedAlready(const std::vector<pg::Rule> &rules, const std::string &image,
                    const LearnProposalsDialog::PackageOf &packageOf)
{
    pg::ExplainQuery query;
    query.image = image;
    query.uid = 0xFFFFFFFFu; // no user: user and group rules do not count
    pg::ExplainFacts facts;
    facts.sha256 = [](const std::string &, std::string *, std::string *error) {
        *error = "not hashed";
        return false;
    };
    if (packageOf)
        facts.package = [&packageOf](const std::string &path, std::string *package, std::string *) {
            *package = packageOf(path);
            return true;
        };
    const pg::Explanation e = pg::explainRules(rules, false, pg::Mode::Lockdown, query, facts);
    return e.ok && e.matched && e.final && e.action == pg::Verdict::Allow;
}

// The proposal is in the rules already (it may not be final for a program
// whose package is not known for certain).
bool proposedAlready(const std::vector<pg::Rule> &rules, const pg::Rule &proposal)
{
    for (const pg::Rule &r : rules)
        if (r.kind == proposal.kind && r.pattern == proposal.pattern &&
            r.action == pg::Verdict::Allow && r.parent.empty() && !r.uid && !r.gid &&
            r.time.empty())
            return true;
    return false;
}

} // namespace

LearnProposalsDialog::LearnProposalsDialog(RulesModel *rules, pg::Journal *journal,
                                           PackageOf packageOf, QWidget *parent)
    : QDialog(parent), m_rules(rules), m_journal(journal), m_packageOf(std::move(packageOf))
{
    setWindowTitle(tr("Proposals from learning"));
    auto *intro = new QLabel(tr("Programs that ran in monitor mode and that lockdown would have "
                                "blocked, as allow rules. Tick the ones to keep, add them, then "
                                "apply the rules."));
    intro->setWordWrap(true);
    m_proposals = new QStandardItemModel(0, ColumnCount, this);
    m_proposals->setHorizontalHeaderLabels({tr("Allow"), tr("Programs"), tr("Starts")});
    m_view = new QTableView;
    m_view->setModel(m_proposals);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->horizontalHeader()->setSectionResizeMode(RuleColumn, QHeaderView::Stretch);
    m_view->verticalHeader()->setVisible(false);
    m_byPackage = new QCheckBox(tr("Group programs by the package that installed them"));
    m_byPackage->setChecked(true);
    connect(m_byPackage, &QCheckBox::toggled, this, &LearnProposalsDialog::reload);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("proposalStatus"));
    m_status->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    m_add = buttons->addButton(tr("&Add ticked rules"), QDialogButtonBox::ActionRole);
    auto *refresh = buttons->addButton(tr("&Refresh"), QDialogButtonBox::ActionRole);
    connect(m_add, &QPushButton::clicked, this, &LearnProposalsDialog::addChecked);
    connect(refresh, &QPushButton::clicked, this, &LearnProposalsDialog::reload);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_byPackage);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(640, 420);
    reload();
}

void LearnProposalsDialog::reload()
{
    m_proposals->removeRows(0, m_proposals->rowCount());
    m_proposed.clear();
    if (m_journal == nullptr || !m_journal->isOpen()) {
        m_status->setText(tr("There is no event log to learn from (the panel was started "
                             "without one)."));
        m_add->setEnabled(false);
        return;
    }
    pg::JournalFilter filter;
    filter.decisionsOnly = true;
    filter.limit = 200000; // the journal's default retention
    // Would-block starts per program.
    std::map<std::string, uint32_t> starts;
    for (const pg::JournalEntry &e : m_journal->query(filter)) {
        if (e.kind == pg::EventKind::Verdict && (e.flags & PG_EVF_WOULD_BLOCK) != 0 &&
            (e.flags & PG_EVF_BUDGET) == 0 && !e.image.empty())
            ++starts[e.image];
    }
    PackageOf packageOf;
    if (m_byPackage->isChecked()) {
        if (!m_packageOf)
            m_packageOf = pg::ctl::dpkgPackageLookup("/var/lib/dpkg/info");
        packageOf = m_packageOf;
    }
    std::vector<std::string> images;
    for (const auto &[image, count] : starts)
        if (!allowedAlready(m_rules->rules(), image, packageOf))
            images.push_back(image);
    int programCount = 0;
    for (const pg::ctl::Proposal &p : pg::ctl::proposeRules(images, packageOf)) {
        if (proposedAlready(m_rules->rules(), p.rule))
            continue;
        programCount += static_cast<int>(p.programs.size());
        uint32_t count = 0;
        QStringList programs;
        for (const std::string &image : p.programs) {
            count += starts[image];
            programs << QString::fromStdString(image);
        }
        auto *rule = new QStandardItem(tr("%1 %2").arg(RulesModel::kindName(p.rule.kind),
                                                       QString::fromStdString(p.rule.pattern)));
        rule->setCheckable(true);
        rule->setCheckState(Qt::Checked);
        auto *covered = new QStandardItem(QString::number(programs.size()));
        covered->setToolTip(programs.join(QLatin1Char('\n')));
        rule->setToolTip(covered->toolTip());
        m_proposals->appendRow({rule, covered, new QStandardItem(QString::number(count))});
        m_proposed.push_back(p.rule);
    }
    m_add->setEnabled(!m_proposed.empty());
    if (m_proposed.empty()) {
        m_status->setText(tr("Nothing in the event log that lockdown would block and the "
                             "rules do not allow yet. Run in monitor mode for a while and use "
                             "the programs that should be allowed."));
        return;
    }
    // Two counts need two plural forms: the programs are a phrase of their own.
    //: %1 is a number of programs ("5 programs"), translated on its own
    const QString rules =
        tr("%n proposed rules for %1.", nullptr, static_cast<int>(m_proposed.size()));
    m_status->setText(rules.arg(tr("%n programs", nullptr, programCount)));
}

int LearnProposalsDialog::addChecked()
{
    int added = 0;
    QStringList refused;
    for (int row = 0; row < m_proposals->rowCount(); ++row) {
        if (m_proposals->item(row, RuleColumn)->checkState() != Qt::Checked)
            continue;
        const QString error = m_rules->addRule(m_proposed[static_cast<size_t>(row)]);
        if (error.isEmpty())
            ++added;
        else
            refused << tr("%1: %2").arg(m_proposals->item(row, RuleColumn)->text(), error);
    }
    reload(); // what was added is allowed now and leaves the list
    QString text =
        tr("Added %n rules; press \"Apply to the kernel component\" to use them.", nullptr, added);
    if (!refused.isEmpty())
        text += QLatin1Char('\n') + tr("Not added: %1").arg(refused.join(QLatin1Char('\n')));
    m_status->setText(text);
    return added;
}

QString LearnProposalsDialog::statusText() const
{
    return m_status->text();
}
