// ProcessTreeDelegateTest.cpp - the process tree's delegate paints what the
// stock delegate paints: the same pixels for plain, new (green), exited
// (red), waiting (yellow) and blocked (dimmed) rows, icons, elided text,
// selection and focus, also after texts change under its cache.
#include <QStyledItemDelegate>
#include <QTreeView>
#include <QtTest>

#include "../support/EventBuilder.h"
#include "ProcessTreeDelegate.h"
#include "ProcessTreeModel.h"

using namespace pgtest;

namespace
{

constexpr qint64 kNowMs = 1700000000000;
constexpr uint64_t kNowNs = static_cast<uint64_t>(kNowMs) * 1000000ull;

// Pixels whose colour differs by more than a rounding step.
int differingPixels(const QImage &a, const QImage &b)
{
    if (a.size() != b.size())
        return a.width() * a.height();
    int n = 0;
    for (int y = 0; y < a.height(); ++y) {
        for (int x = 0; x < a.width(); ++x) {
            const QRgb p = a.pixel(x, y);
            const QRgb q = b.pixel(x, y);
            if (qAbs(qRed(p) - qRed(q)) > 2 || qAbs(qGreen(p) - qGreen(q)) > 2 ||
                qAbs(qBlue(p) - qBlue(q)) > 2)
                ++n;
        }
    }
    return n;
}

// The darkest pixel in rect: the text colour where a glyph covers a pixel.
QColor darkest(const QImage &img, const QRect &rect)
{
    QColor best(Qt::white);
    for (int y = rect.top(); y <= rect.bottom(); ++y) {
        for (int x = rect.left(); x <= rect.right(); ++x) {
            const QColor c = img.pixelColor(x, y);
            if (c.lightness() < best.lightness())
                best = c;
        }
    }
    return best;
}

bool near(const QColor &a, const QColor &b, int tolerance = 3)
{
    return qAbs(a.red() - b.red()) <= tolerance && qAbs(a.green() - b.green()) <= tolerance &&
           qAbs(a.blue() - b.blue()) <= tolerance;
}

} // namespace

class ProcessTreeDelegateTest : public QObject
{
    Q_OBJECT
private:
    qint64 m_now = kNowMs;
    ProcessTreeModel *m_model = nullptr;
    QTreeView *m_view = nullptr;
    QStyledItemDelegate *m_stock = nullptr;
    ProcessTreeDelegate *m_fast = nullptr;

    QImage render(QAbstractItemDelegate *delegate)
    {
        m_view->setItemDelegate(delegate);
        return m_view->viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
    }
    QModelIndex index(uint32_t pid, int column) const
    {
        const QModelIndexList found =
            m_model->match(m_model->index(0, 0), ProcessTreeModel::PidRole, pid, 1,
                           Qt::MatchExactly | Qt::MatchRecursive);
        return found.isEmpty() ? QModelIndex() : found.first().siblingAtColumn(column);
    }
    QModelIndex attempt(uint32_t parentPid, int row, int column) const
    {
        return m_model->index(row, column, index(parentPid, 0));
    }
    // A point in a cell's background, right of its (short) text.
    QPoint background(const QModelIndex &i) const
    {
        const QRect r = m_view->visualRect(i);
        return {r.right() - 3, r.center().y()};
    }
    void compareWithStock(const char *what)
    {
        const QImage stock = render(m_stock);
        const QImage fast = render(m_fast);
        const int diff = differingPixels(stock, fast);
        QVERIFY2(diff == 0, qPrintable(QStringLiteral("%1: %2 pixels differ from the stock "
                                                      "delegate's")
                                           .arg(QLatin1String(what))
                                           .arg(diff)));
    }

private slots:
    void init()
    {
        m_now = kNowMs;
        m_model = new ProcessTreeModel;
        m_model->setClock([this] { return m_now; });
        m_model->setHighlightMs(2000);
        std::vector<pg::Event> boot{startEvent(1, 0, "/sbin/init", kNowNs)};
        for (uint32_t pid = 100; pid < 104; ++pid)
            boot.push_back(startEvent(pid, 1, "/usr/sbin/daemon" + std::to_string(pid), kNowNs));
        for (pg::Event &e : boot)
            e.flags = PG_EVF_SNAPSHOT;
        m_model->applyEvents(boot);
        m_model->applyEvents({startEvent(300, 1, "/usr/bin/fresh", kNowNs), // green
                              startEvent(301, 1, "/usr/bin/gone", kNowNs - 5000000000ull),
                              exitEvent(301, kNowNs),                              // red
                              requestEvent(9, 400, 100, "/tmp/waiting", kNowNs)}); // yellow
        m_model->applyEvents({requestEvent(10, 401, 100, "/tmp/evil", kNowNs),
                              verdictEvent(10, 401, 100, "/tmp/evil", pg::Verdict::Block,
                                           pg::Source::Client, kNowNs)}); // dimmed
        m_model->applyEvents({execEvent(102, "/opt/very/long/path/to/some/program/binary",
                                        "/opt/very/long/path/to/some/program/binary --with "
                                        "--a-command-line --much-wider-than-its-column")});

        m_view = new QTreeView;
        m_view->setUniformRowHeights(true);
        m_view->setAlternatingRowColors(true);
        m_view->setModel(m_model);
        m_view->setSortingEnabled(true);
        m_view->sortByColumn(ProcessTreeModel::Pid, Qt::AscendingOrder);
        m_view->resize(1100, 320);
        m_view->setColumnWidth(ProcessTreeModel::Name, 200);
        m_view->setColumnWidth(ProcessTreeModel::Path, 140); // elided
        m_view->setColumnWidth(ProcessTreeModel::CommandLine, 150);
        m_view->expandAll();
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view));
        m_stock = new QStyledItemDelegate(m_view);
        m_fast = new ProcessTreeDelegate(m_view);
    }
    void cleanup()
    {
        delete m_view;
        delete m_model;
        m_view = nullptr;
        m_model = nullptr;
    }

    void paintsTheStockPixels()
    {
        compareWithStock("plain");
        QVERIFY(m_fast->cachedTexts() > 0);
    }

    void highlightsNewExitedAndWaitingRows()
    {
        const QImage img = render(m_fast);
        const QPoint fresh = background(index(300, ProcessTreeModel::Pid));
        const QPoint gone = background(index(301, ProcessTreeModel::Pid));
        const QPoint waiting = background(attempt(100, 0, ProcessTreeModel::Pid));
        const QPoint plain = background(index(101, ProcessTreeModel::Pid));
        QCOMPARE(img.pixelColor(fresh), QColor(0xc6, 0xf6, 0xd5));
        QCOMPARE(img.pixelColor(gone), QColor(0xfe, 0xd7, 0xd7));
        QCOMPARE(img.pixelColor(waiting), QColor(0xfe, 0xfc, 0xbf));
        const QColor base = img.pixelColor(plain);
        QVERIFY(base == m_view->palette().color(QPalette::Base) ||
                base == m_view->palette().color(QPalette::AlternateBase));

        // The green goes when the highlight expires; the delegate shows it.
        m_now += 2500;
        m_model->tick();
        QVERIFY(render(m_fast).pixelColor(background(index(300, ProcessTreeModel::Pid))) !=
                QColor(0xc6, 0xf6, 0xd5));
        compareWithStock("highlights");
    }

    void dimsBlockedAttempts()
    {
        const QImage img = render(m_fast);
        const QModelIndex blocked = attempt(100, 1, ProcessTreeModel::Path);
        QCOMPARE(blocked.data(ProcessTreeModel::PidRole).toUInt(), 401u);
        const QColor dim = darkest(img, m_view->visualRect(blocked));
        QVERIFY2(near(dim, QColor(0x71, 0x80, 0x96)), qPrintable(dim.name()));
        const QColor normal = darkest(img, m_view->visualRect(index(101, ProcessTreeModel::Path)));
        QVERIFY(normal.lightness() < dim.lightness());
        // The verdict column is dimmed too and says why.
        const QModelIndex verdict = attempt(100, 1, ProcessTreeModel::VerdictColumn);
        QCOMPARE(verdict.data().toString(), QStringLiteral("blocked by a person"));
        QVERIFY(near(darkest(img, m_view->visualRect(verdict)), QColor(0x71, 0x80, 0x96)));
    }

    void drawsIconsAndElidesLongText()
    {
        const QImage img = render(m_fast);
        // Something is drawn in the icon box of every Name cell.
        const QRect name = m_view->visualRect(index(101, ProcessTreeModel::Name));
        const QRect iconBox(name.left(), name.top(), name.height(), name.height());
        const QColor bg = img.pixelColor(background(index(101, ProcessTreeModel::Pid)));
        int drawn = 0;
        for (int y = iconBox.top(); y <= iconBox.bottom(); ++y)
            for (int x = iconBox.left(); x <= iconBox.right(); ++x)
                drawn += img.pixelColor(x, y) != bg ? 1 : 0;
        QVERIFY(drawn > 10);
        // The long path is cut: its cell's far right has text pixels (the
        // ellipsis) up to the margin, exactly where the stock delegate puts them.
        compareWithStock("elided");
    }

    void selectionAndFocusLookAsStock()
    {
        m_view->selectionModel()->setCurrentIndex(index(101, ProcessTreeModel::Name),
                                                  QItemSelectionModel::ClearAndSelect |
                                                      QItemSelectionModel::Rows);
        m_view->selectionModel()->select(index(300, 0),
                                         QItemSelectionModel::Select | QItemSelectionModel::Rows);
        m_view->setFocus();
        const QImage img = render(m_fast);
        const QColor selected = img.pixelColor(background(index(300, ProcessTreeModel::Pid)));
        QVERIFY2(selected == m_view->palette().color(QPalette::Active, QPalette::Highlight) ||
                     selected == m_view->palette().color(QPalette::Inactive, QPalette::Highlight),
                 qPrintable(selected.name()));
        compareWithStock("selected");
    }

    void rightToLeftLooksAsStock()
    {
        m_view->setLayoutDirection(Qt::RightToLeft);
        compareWithStock("right-to-left");
    }

    void changedTextsAreNotServedFromTheCache()
    {
        const QImage before = render(m_fast);
        m_model->applyEvents({execEvent(103, "/usr/bin/renamed", "renamed --now")});
        const QImage after = render(m_fast);
        const QRect cell = m_view->visualRect(index(103, ProcessTreeModel::Path));
        QVERIFY(before.copy(cell) != after.copy(cell));
        compareWithStock("changed");
        // A narrower column lays the text out again, elided to the new width.
        m_view->setColumnWidth(ProcessTreeModel::Path, 90);
        compareWithStock("narrower");
    }
};

QTEST_MAIN(ProcessTreeDelegateTest)
#include "ProcessTreeDelegateTest.moc"
