#include "RulesEditor.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIntValidator>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

RulesEditor::RulesEditor(RulesModel *model, QWidget *parent) : QWidget(parent), m_model(model)
{
    m_view = new QTableView;
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->verticalHeader()->setVisible(false);

    m_action = new QComboBox;
    m_action->addItem(tr("Allow"), static_cast<int>(pg::Verdict::Allow));
    m_action->addItem(tr("Block"), static_cast<int>(pg::Verdict::Block));
    m_kind = new QComboBox;
    m_kind->addItem(tr("Exact program path"), static_cast<int>(pg::RuleKind::Exact));
    m_kind->addItem(tr("Pattern (* ? **)"), static_cast<int>(pg::RuleKind::Glob));
    m_kind->addItem(tr("Folder (ends with /)"), static_cast<int>(pg::RuleKind::Prefix));
    m_pattern = new QLineEdit;
    m_pattern->setPlaceholderText(tr("/usr/bin/program, /opt/tools/, /home/*/bin/*"));
    m_parent = new QLineEdit;
    m_parent->setPlaceholderText(tr("any parent"));
    m_uid = new QLineEdit;
    m_uid->setValidator(new QIntValidator(0, 2147483647, m_uid));
    m_uid->setPlaceholderText(tr("any user"));
    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("ruleError"));
    m_error->setStyleSheet(QStringLiteral("color: #c53030"));
    m_error->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Action:"), m_action);
    form->addRow(tr("Kind:"), m_kind);
    form->addRow(tr("Path:"), m_pattern);
    form->addRow(tr("Parent program:"), m_parent);
    form->addRow(tr("User id:"), m_uid);
    form->addRow(m_error);

    m_add = new QPushButton(tr("&Add"));
    auto *update = new QPushButton(tr("&Change"));
    auto *remove = new QPushButton(tr("&Remove"));
    auto *up = new QPushButton(tr("Move &up"));
    auto *down = new QPushButton(tr("Move &down"));
    auto *importButton = new QPushButton(tr("&Import..."));
    auto *exportButton = new QPushButton(tr("&Export..."));
    auto *apply = new QPushButton(tr("Apply to the &kernel component"));
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
    for (QPushButton *b : {m_add, update, remove, up, down, importButton, exportButton})
        buttons->addWidget(b);
    buttons->addStretch(1);
    buttons->addWidget(apply);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_view, 1);
    layout->addLayout(form);
    layout->addLayout(buttons);
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
    if (!m_uid->text().isEmpty())
        r.uid = m_uid->text().toUInt();
    return r;
}

void RulesEditor::setForm(const pg::Rule &rule)
{
    m_action->setCurrentIndex(m_action->findData(static_cast<int>(rule.action)));
    m_kind->setCurrentIndex(m_kind->findData(static_cast<int>(rule.kind)));
    m_pattern->setText(QString::fromStdString(rule.pattern));
    m_parent->setText(QString::fromStdString(rule.parent));
    m_uid->setText(rule.uid ? QString::number(*rule.uid) : QString());
    showError(QString());
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
    const QString error = m_model->addRule(formRule());
    showError(error);
    if (error.isEmpty())
        m_view->selectRow(m_model->rowCount() - 1);
    return error.isEmpty();
}

bool RulesEditor::updateFromForm()
{
    const QString error = m_model->updateRule(selectedRow(), formRule());
    showError(error);
    return error.isEmpty();
}

void RulesEditor::removeSelected()
{
    m_model->removeRule(selectedRow());
}

void RulesEditor::moveSelected(int delta)
{
    const int row = selectedRow();
    if (m_model->moveRule(row, row + delta))
        m_view->selectRow(row + delta);
}

void RulesEditor::importFile(const QString &path)
{
    showError(m_model->importFrom(path));
}

void RulesEditor::exportFile(const QString &path)
{
    showError(m_model->exportTo(path));
}
