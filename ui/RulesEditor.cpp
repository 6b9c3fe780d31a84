#include "RulesEditor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIntValidator>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QTableView>
#include <QVBoxLayout>

#include "LearnProposalsDialog.h"
#include "RuleExplainer.h"
#include "RuleValidator.h"
#include "ScheduleEditor.h"

namespace
{

enum class Condition { Anyone, User, Group };

} // namespace

RulesEditor::RulesEditor(RulesModel *model, QWidget *parent) : QWidget(parent), m_model(model)
{
    m_view = new QTableView;
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->horizontalHeader()->setStretchLastSection(true);
    // Rules are few; the schedule summary is read whole.
    m_view->horizontalHeader()->setSectionResizeMode(RulesModel::When,
                                                     QHeaderView::ResizeToContents);
    m_view->verticalHeader()->setVisible(false);

    m_action = new QComboBox;
    for (pg::Verdict v : {pg::Verdict::Allow, pg::Verdict::Block, pg::Verdict::Ask})
        m_action->addItem(RulesModel::actionName(v), static_cast<int>(v));
    m_action->setItemData(2, tr("Ask a person, in prompt and in lockdown mode"), Qt::ToolTipRole);
    m_kind = new QComboBox;
    m_kind->setObjectName(QStringLiteral("ruleKind"));
    m_kind->addItem(tr("Exact program path"), static_cast<int>(pg::RuleKind::Exact));
    m_kind->addItem(tr("Pattern (* ? **)"), static_cast<int>(pg::RuleKind::Glob));
    m_kind->addItem(tr("Folder (ends with /)"), static_cast<int>(pg::RuleKind::Prefix));
    m_kind->addItem(tr("SHA-256 of the file"), static_cast<int>(pg::RuleKind::Sha256));
    m_kind->addItem(tr("Command line pattern"), static_cast<int>(pg::RuleKind::Cmdline));
    m_kind->addItem(tr("Installed by a trusted package, unmodified"),
                    static_cast<int>(pg::RuleKind::Package));
    m_kind->addItem(tr("Signed by a trusted publisher (Windows)"),
                    static_cast<int>(pg::RuleKind::Signer));
    m_pattern = new QLineEdit;
    m_hashButton = new QPushButton(tr("From &file..."));
    m_hashButton->setObjectName(QStringLiteral("hashFromFile"));
    m_hashButton->setToolTip(tr("Compute the SHA-256 of a program file"));
    connect(m_hashButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Program to hash"));
        if (!path.isEmpty())
            hashFromFile(path);
    });
    auto *patternRow = new QHBoxLayout;
    patternRow->setContentsMargins(0, 0, 0, 0);
    patternRow->addWidget(m_pattern, 1);
    patternRow->addWidget(m_hashButton);
    m_parent = new QLineEdit;
    m_parent->setPlaceholderText(tr("any parent (or a path or pattern: /usr/bin/steam)"));
    m_conditionKind = new QComboBox;
    m_conditionKind->addItem(tr("Anyone"), static_cast<int>(Condition::Anyone));
    m_conditionKind->addItem(tr("Only user id"), static_cast<int>(Condition::User));
    m_conditionKind->addItem(tr("Only members of group id"), static_cast<int>(Condition::Group));
    m_conditionId = new QLineEdit;
    m_conditionId->setValidator(new QIntValidator(0, 2147483647, m_conditionId));
    m_conditionId->setEnabled(false);
    connect(m_conditionKind, QOverload<int>::of(&QComboBox::currentIndexChanged), this,
            [this](int index) {
                m_conditionId->setEnabled(!m_locked && index > 0);
                if (index == 0)
                    m_conditionId->clear();
            });
    auto *conditionRow = new QHBoxLayout;
    conditionRow->setContentsMargins(0, 0, 0, 0);
    conditionRow->addWidget(m_conditionKind);
    conditionRow->addWidget(m_conditionId, 1);
    m_caseFold = new QCheckBox(tr("Ignore letter case"));
    m_message = new QLineEdit;
    m_message->setMaxLength(static_cast<int>(PG_MAX_RULE_MESSAGE_BYTES) - 1);
    m_message->setPlaceholderText(tr("shown when this rule blocks, e.g. Games are for after "
                                     "homework"));
    m_link = new QLineEdit;
    m_link->setPlaceholderText(tr("https://... (optional, shown with the message)"));
    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("ruleError"));
    m_error->setStyleSheet(QStringLiteral("color: #c53030"));
    m_error->setWordWrap(true);
    connect(m_kind, QOverload<int>::of(&QComboBox::currentIndexChanged), this,
            &RulesEditor::updateKindHints);

    m_schedule = new ScheduleEditor;

    // The rule's fields on the left, its time conditions on the right.
    m_form = new QWidget;
    auto *fields = new QFormLayout;
    fields->setContentsMargins(0, 0, 0, 0);
    auto *formRow = new QHBoxLayout;
    formRow->setContentsMargins(0, 0, 0, 0);
    formRow->addLayout(fields, 1);
    formRow->addWidget(m_schedule, 1, Qt::AlignTop);
    auto *form = new QVBoxLayout(m_form);
    form->setContentsMargins(0, 0, 0, 0);
    form->addLayout(formRow);
    form->addWidget(m_error);
    fields->addRow(tr("Action:"), m_action);
    fields->addRow(tr("Kind:"), m_kind);
    fields->addRow(tr("Match:"), patternRow);
    fields->addRow(tr("Parent program:"), m_parent);
    fields->addRow(tr("Applies to:"), conditionRow);
    fields->addRow(QString(), m_caseFold);
    fields->addRow(tr("Message:"), m_message);
    fields->addRow(tr("Link:"), m_link);

    m_add = new QPushButton(tr("&Add"));
    auto *update = new QPushButton(tr("&Change"));
    auto *remove = new QPushButton(tr("&Remove"));
    auto *up = new QPushButton(tr("Move &up"));
    auto *down = new QPushButton(tr("Move &down"));
    auto *importButton = new QPushButton(tr("&Import..."));
    auto *exportButton = new QPushButton(tr("&Export..."));
    auto *learned = new QPushButton(tr("From &learning..."));
    learned->setObjectName(QStringLiteral("learnProposals"));
    learned->setToolTip(tr("Allow rules proposed from what ran in monitor mode"));
    auto *apply = new QPushButton(tr("Apply to the &kernel component"));
    connect(learned, &QPushButton::clicked, this, &RulesEditor::openProposals);
    connect(m_add, &QPushButton::clicked, this, &RulesEditor::addFromForm);
    connect(update, &QPushButton::clicked, this, &RulesEditor::updateFromForm);
    connect(remove, &QPushButton::clicked, this, &RulesEditor::removeSelected);
    connect(up, &QPushButton::clicked, this, [this] { moveSelected(-1); });
    connect(down, &QPushButton::clicked, this, [this] { moveSelected(1); });
    connect(importButton, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Import rules"), QString(), tr("Rules (*.json)"));
        if (!path.isEmpty())
            importFile(path);
    });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export rules"), QString(), tr("Rules (*.json)"));
        if (!path.isEmpty())
            exportFile(path);
    });
    connect(apply, &QPushButton::clicked, this, &RulesEditor::applyRequested);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    setForm(m_model->rules()[static_cast<size_t>(current.row())]);
            });

    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_add, update, remove, up, down, importButton, exportButton, learned})
        buttons->addWidget(b);
    buttons->addStretch(1);
    buttons->addWidget(apply);
    m_editing = {m_form, m_add, update, remove, up, down, importButton, learned, apply};

    // "Test this path": the component's matcher over the rules being edited.
    auto *test = new QGroupBox(tr("Test this path"));
    m_testImage = new QLineEdit;
    m_testImage->setObjectName(QStringLiteral("testImage"));
    m_testImage->setPlaceholderText(tr("/usr/games/program"));
    m_testParent = new QLineEdit;
    m_testParent->setPlaceholderText(tr("parent program (optional)"));
    m_testCmdline = new QLineEdit;
    m_testCmdline->setPlaceholderText(tr("command line (optional)"));
    m_testUid = new QLineEdit;
    m_testUid->setValidator(new QIntValidator(0, 2147483647, m_testUid));
    m_testUid->setPlaceholderText(tr("user id"));
    m_testUid->setMaximumWidth(90);
    m_testNow = new QCheckBox(tr("now"));
    m_testNow->setChecked(true);
    m_testAt = new QDateTimeEdit(QDateTime::currentDateTime());
    m_testAt->setCalendarPopup(true);
    m_testAt->setEnabled(false);
    m_testAt->setToolTip(tr("Local date and time to test at: rules outside their schedule "
                            "or expired by then do not take part."));
    connect(m_testNow, &QCheckBox::toggled, this, [this](bool now) {
        if (!now)
            m_testAt->setDateTime(QDateTime::currentDateTime()); // start from now
        m_testAt->setEnabled(!now);
    });
    auto *testButton = new QPushButton(tr("&Test"));
    m_testResult = new QLabel;
    m_testResult->setObjectName(QStringLiteral("testResult"));
    m_testResult->setWordWrap(true);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    const auto runTest = [this] {
        testPath(m_testImage->text().trimmed(), m_testParent->text().trimmed(),
                 m_testCmdline->text());
    };
    connect(testButton, &QPushButton::clicked, this, runTest);
    connect(m_testImage, &QLineEdit::returnPressed, this, runTest);
    auto *testRow = new QHBoxLayout;
    testRow->addWidget(m_testImage, 2);
    testRow->addWidget(m_testParent, 1);
    testRow->addWidget(m_testCmdline, 1);
    testRow->addWidget(m_testUid);
    testRow->addWidget(new QLabel(tr("at")));
    testRow->addWidget(m_testNow);
    testRow->addWidget(m_testAt);
    testRow->addWidget(testButton);
    auto *testLayout = new QVBoxLayout(test);
    testLayout->addLayout(testRow);
    testLayout->addWidget(m_testResult);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_form);
    layout->addLayout(buttons);
    layout->addWidget(test);
    updateKindHints();
}

void RulesEditor::updateKindHints()
{
    const auto kind = static_cast<pg::RuleKind>(m_kind->currentData().toInt());
    switch (kind) {
    case pg::RuleKind::Exact:
    case pg::RuleKind::Glob:
    case pg::RuleKind::Prefix:
        m_pattern->setPlaceholderText(tr("/usr/bin/program, /opt/tools/, /home/*/bin/*"));
        break;
    case pg::RuleKind::Sha256:
        m_pattern->setPlaceholderText(tr("64 hex digits, or compute them from a file"));
        break;
    case pg::RuleKind::Cmdline:
        m_pattern->setPlaceholderText(tr("*/firefox *--private-window* (arguments joined by "
                                         "spaces; * also crosses /)"));
        break;
    case pg::RuleKind::Package:
        m_pattern->setPlaceholderText(tr("package name or pattern; * = every package the "
                                         "system installed"));
        break;
    case pg::RuleKind::Signer:
        m_pattern->setPlaceholderText(tr("publisher name or pattern, e.g. Microsoft Corporation; "
                                         "* = any publisher Windows trusts"));
        break;
    }
    m_hashButton->setVisible(kind == pg::RuleKind::Sha256);
    m_caseFold->setEnabled(!m_locked && kind != pg::RuleKind::Sha256);
    if (kind == pg::RuleKind::Sha256)
        m_caseFold->setChecked(false);
}

QString RulesEditor::errorText() const
{
    return m_error->text();
}

pg::Rule RulesEditor::formRule() const
{
    pg::Rule r;
    r.action = static_cast<pg::Verdict>(m_action->currentData().toInt());
    r.kind = static_cast<pg::RuleKind>(m_kind->currentData().toInt());
    r.pattern = m_pattern->text().toStdString();
    r.parent = m_parent->text().trimmed().toStdString();
    const auto condition = static_cast<Condition>(m_conditionKind->currentData().toInt());
    if (!m_conditionId->text().isEmpty() && condition == Condition::User)
        r.uid = m_conditionId->text().toUInt();
    if (!m_conditionId->text().isEmpty() && condition == Condition::Group)
        r.gid = m_conditionId->text().toUInt();
    r.caseFold = m_caseFold->isChecked();
    r.message = m_message->text().trimmed().toStdString();
    r.link = m_link->text().trimmed().toStdString();
    r.time = m_schedule->time();
    return r;
}

void RulesEditor::setForm(const pg::Rule &rule)
{
    m_action->setCurrentIndex(m_action->findData(static_cast<int>(rule.action)));
    m_kind->setCurrentIndex(m_kind->findData(static_cast<int>(rule.kind)));
    m_pattern->setText(QString::fromStdString(rule.pattern));
    m_parent->setText(QString::fromStdString(rule.parent));
    const Condition condition =
        rule.uid ? Condition::User : (rule.gid ? Condition::Group : Condition::Anyone);
    m_conditionKind->setCurrentIndex(m_conditionKind->findData(static_cast<int>(condition)));
    m_conditionId->setText(rule.uid   ? QString::number(*rule.uid)
                           : rule.gid ? QString::number(*rule.gid)
                                      : QString());
    m_caseFold->setChecked(rule.caseFold);
    m_message->setText(QString::fromStdString(rule.message));
    m_link->setText(QString::fromStdString(rule.link));
    m_schedule->setTime(rule.time);
    showError(QString());
}

QString RulesEditor::formProblem() const
{
    const auto condition = static_cast<Condition>(m_conditionKind->currentData().toInt());
    if (condition != Condition::Anyone && m_conditionId->text().isEmpty())
        return tr("Enter the user or group id, or choose \"Anyone\".");
    return m_schedule->problem();
}

void RulesEditor::showError(const QString &error)
{
    m_error->setText(error);
}

int RulesEditor::selectedRow() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    return current.isValid() ? current.row() : -1;
}

bool RulesEditor::addFromForm()
{
    if (m_locked)
        return false;
    if (const QString problem = formProblem(); !problem.isEmpty()) {
        showError(problem);
        return false;
    }
    const pg::Rule r = formRule();
    const QString error = m_model->addRule(r);
    showError(error);
    if (error.isEmpty())
        m_view->selectRow(m_model->rowCount() - 1);
    return error.isEmpty();
}

bool RulesEditor::updateFromForm()
{
    if (m_locked)
        return false;
    if (const QString problem = formProblem(); !problem.isEmpty()) {
        showError(problem);
        return false;
    }
    const QString error = m_model->updateRule(selectedRow(), formRule());
    showError(error);
    return error.isEmpty();
}

void RulesEditor::removeSelected()
{
    if (!m_locked)
        showError(m_model->removeRule(selectedRow()));
}

void RulesEditor::moveSelected(int delta)
{
    if (m_locked)
        return;
    const int row = selectedRow();
    if (m_model->moveRule(row, row + delta))
        m_view->selectRow(row + delta);
}

void RulesEditor::importFile(const QString &path)
{
    if (!m_locked)
        showError(m_model->importFrom(path));
}

void RulesEditor::exportFile(const QString &path)
{
    showError(m_model->exportTo(path));
}

bool RulesEditor::hashFromFile(const QString &path)
{
    if (m_locked)
        return false;
    std::string hex;
    std::string error;
    if (!pg::sha256OfFile(path.toStdString(), &hex, &error)) {
        showError(QString::fromStdString(error));
        return false;
    }
    m_kind->setCurrentIndex(m_kind->findData(static_cast<int>(pg::RuleKind::Sha256)));
    m_pattern->setText(QString::fromStdString(hex));
    showError(QString());
    return true;
}

QString RulesEditor::testPath(const QString &image, const QString &parent, const QString &cmdline)
{
    QString text;
    if (image.isEmpty()) {
        text = tr("Enter the full path of a program to test.");
    } else {
        pg::ExplainQuery query;
        query.image = image.toStdString();
        query.parentImage = parent.toStdString();
        query.uid = m_testUid->text().isEmpty() ? 0xFFFFFFFFu : m_testUid->text().toUInt();
        if (!cmdline.trimmed().isEmpty())
            query.cmdline = cmdline.trimmed().toStdString();
        // Schedules are in local time: the zone's offset at that moment.
        const QDateTime at =
            m_testNow->isChecked() ? QDateTime::currentDateTime() : m_testAt->dateTime();
        query.atUtc = at.toSecsSinceEpoch();
        query.utcOffset = at.offsetFromUtc();
        const pg::Explanation e =
            pg::explainRules(m_model->rules(), m_policyCaseFold, m_previewMode, query);
        text = QString::fromStdString(e.ok ? e.text : e.error);
    }
    m_testResult->setText(text);
    return text;
}

QString RulesEditor::testResult() const
{
    return m_testResult->text();
}

void RulesEditor::setLocked(bool locked)
{
    m_locked = locked;
    for (QWidget *w : m_editing)
        w->setEnabled(!locked);
    const QString why = tr("The panel is locked: enter the PIN to change rules. (Who may change "
                           "the policy at all is decided by the kernel component's access check: "
                           "root or the group procguard.)");
    for (QWidget *w : m_editing)
        w->setToolTip(locked ? why : QString());
    m_conditionId->setEnabled(!locked && m_conditionKind->currentIndex() > 0);
    updateKindHints();
}

void RulesEditor::selectRow(int row)
{
    m_view->selectRow(row);
}

LearnProposalsDialog *RulesEditor::openProposals()
{
    if (m_locked)
        return nullptr;
    auto *dialog = new LearnProposalsDialog(m_model, m_journal, m_packageOf, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}
