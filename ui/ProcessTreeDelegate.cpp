#include "ProcessTreeDelegate.h"

#include <QApplication>
#include <QFontMetrics>
#include <QPainter>
#include <QStyle>
#include <QTextOption>
#include <QtMath>

#include <optional>

namespace
{

constexpr int kMaxPixmaps = 256;

QPalette::ColorGroup colorGroup(const QStyleOptionViewItem &option)
{
    if (!(option.state & QStyle::State_Enabled))
        return QPalette::Disabled;
    return (option.state & QStyle::State_Active) ? QPalette::Normal : QPalette::Inactive;
}

} // namespace

ProcessTreeDelegate::ProcessTreeDelegate(QObject *parent)
    : QStyledItemDelegate(parent), m_texts(kMaxTexts)
{
}

void ProcessTreeDelegate::useFont(const QFont &font) const
{
    if (m_lineHeight != 0 && font == m_font)
        return;
    m_font = font;
    const QFontMetricsF fm(font);
    m_ascent = fm.ascent();
    m_lineHeight = qCeil(fm.ascent() + fm.descent()); // as a QTextLine is tall
    m_texts.clear();
}

const ProcessTreeDelegate::Text &ProcessTreeDelegate::text(const QString &s, int width,
                                                           Qt::TextElideMode mode,
                                                           Qt::LayoutDirection direction) const
{
    const QPair<QString, int> key(s, (width * 4 + static_cast<int>(mode)) * 2 +
                                         (direction == Qt::RightToLeft ? 1 : 0));
    if (const Text *t = m_texts.object(key))
        return *t;
    auto *t = new Text;
    // One line, as the stock delegate shows it without word wrap.
    QString line = s;
    line.replace(QChar::LineSeparator, QLatin1Char(' '));
    t->text.setText(QFontMetrics(m_font).elidedText(line, mode, width));
    t->text.setTextFormat(Qt::PlainText);
    QTextOption option;
    option.setTextDirection(direction); // the view's, as the stock delegate lays it out
    t->text.setTextOption(option);
    t->text.prepare(QTransform(), m_font);
    t->width = t->text.size().width();
    m_texts.insert(key, t);
    return *t;
}

const QPixmap &ProcessTreeDelegate::pixmap(const QIcon &icon, const QSize &size, QIcon::Mode mode,
                                           QIcon::State state, qreal dpr) const
{
    const IconKey key{icon.cacheKey(), size.width(), size.height(), mode, state, dpr};
    auto it = m_pixmaps.constFind(key);
    if (it != m_pixmaps.constEnd())
        return *it;
    if (m_pixmaps.size() >= kMaxPixmaps)
        m_pixmaps.clear();
    // The size the stock delegate gives the icon: its actual size, never
    // more than the view's decoration size; painted as QIcon::paint would.
    const QSize actual = icon.actualSize(size, mode, state).boundedTo(size);
    QPixmap pm(actual * dpr);
    pm.setDevicePixelRatio(dpr);
    if (!pm.isNull()) {
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        icon.paint(&p, QRect(QPoint(0, 0), actual), Qt::AlignCenter, mode, state);
    }
    return *m_pixmaps.insert(key, pm);
}

void ProcessTreeDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                const QModelIndex &index) const
{
    const QWidget *widget = option.widget;
    QStyle *style = widget != nullptr ? widget->style() : QApplication::style();
    useFont(option.font);

    // Selection, focus and hover look are the style's; plain cells (nearly
    // all of them) get their background brush directly.
    const bool selected = option.state & QStyle::State_Selected;
    const bool styled =
        option.state & (QStyle::State_Selected | QStyle::State_HasFocus | QStyle::State_MouseOver);
    std::optional<QStyleOptionViewItem> full; // built only for those few
    if (styled) {
        full.emplace(option);
        initStyleOption(&*full, index);
        style->drawPrimitive(QStyle::PE_PanelItemViewItem, &*full, painter, widget);
    } else {
        const QVariant bg = index.data(Qt::BackgroundRole);
        if (bg.isValid()) {
            const QBrush brush = qvariant_cast<QBrush>(bg);
            if (brush.style() != Qt::NoBrush) {
                const QPointF origin = painter->brushOrigin();
                painter->setBrushOrigin(option.rect.topLeft());
                painter->fillRect(option.rect, brush);
                painter->setBrushOrigin(origin);
            }
        }
    }

    // QCommonStyle's item layout: icon on the leading side in a box of its
    // width plus margins, the text in the rest less the same margins.
    const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 1;
    const bool rtl = option.direction == Qt::RightToLeft;
    QRect display = option.rect;
    const QVariant decoration = index.data(Qt::DecorationRole);
    const QIcon icon =
        decoration.userType() == QMetaType::QIcon ? qvariant_cast<QIcon>(decoration) : QIcon();
    if (!icon.isNull()) {
        const QIcon::Mode mode = !(option.state & QStyle::State_Enabled) ? QIcon::Disabled
                                 : selected                              ? QIcon::Selected
                                                                         : QIcon::Normal;
        const QIcon::State state = option.state & QStyle::State_Open ? QIcon::On : QIcon::Off;
        const qreal dpr = painter->device() != nullptr ? painter->device()->devicePixelRatioF() : 1;
        const QPixmap &pm = pixmap(icon, option.decorationSize, mode, state, dpr);
        const QSize size = pm.size() / pm.devicePixelRatio();
        const int boxWidth = size.width() + 2 * margin;
        QRect box(option.rect.x(), option.rect.y(), boxWidth, option.rect.height());
        if (rtl)
            box.moveRight(option.rect.right());
        display.setWidth(option.rect.width() - boxWidth);
        if (!rtl)
            display.moveLeft(box.right() + 1);
        const QRect iconRect =
            QStyle::alignedRect(option.direction, option.decorationAlignment, size, box);
        painter->drawPixmap(iconRect.topLeft(), pm);
    }

    const QVariant value = index.data(Qt::DisplayRole);
    const QString s = value.isValid() ? displayText(value, option.locale) : QString();
    const QRect textRect = display.adjusted(margin, 0, -margin, 0);
    if (!s.isEmpty() && textRect.width() > 0) {
        const Text &t = text(s, textRect.width(), option.textElideMode, option.direction);
        const Qt::Alignment align =
            QStyle::visualAlignment(option.direction, option.displayAlignment);
        qreal x = textRect.left();
        if (align & Qt::AlignRight)
            x = textRect.right() + 1 - t.width;
        else if (align & Qt::AlignHCenter)
            x += (textRect.width() - t.width) / 2;
        int y = textRect.top();
        if (align & Qt::AlignBottom)
            y = textRect.bottom() + 1 - m_lineHeight;
        else if (align & Qt::AlignVCenter)
            y += (textRect.height() - m_lineHeight) / 2;

        const QPalette::ColorGroup cg = colorGroup(option);
        QColor color;
        if (selected) {
            color = option.palette.color(cg, QPalette::HighlightedText);
        } else {
            const QVariant fg = index.data(Qt::ForegroundRole);
            color = fg.isValid() ? qvariant_cast<QBrush>(fg).color()
                                 : option.palette.color(cg, QPalette::Text);
        }
        const QPen oldPen = painter->pen();
        const bool otherFont = painter->font() != m_font;
        QFont oldFont;
        if (otherFont) {
            oldFont = painter->font();
            painter->setFont(m_font); // a static text drawn in another font is laid out again
        }
        painter->setPen(color);
        painter->drawStaticText(QPointF(x, y), t.text);
        painter->setPen(oldPen);
        if (otherFont)
            painter->setFont(oldFont);
    }

    if (option.state & QStyle::State_HasFocus) {
        QStyleOptionFocusRect o;
        o.QStyleOption::operator=(*full);
        o.rect = style->subElementRect(QStyle::SE_ItemViewItemFocusRect, &*full, widget);
        o.state |= QStyle::State_KeyboardFocusChange | QStyle::State_Item;
        o.backgroundColor = full->palette.color(colorGroup(*full),
                                                selected ? QPalette::Highlight : QPalette::Window);
        style->drawPrimitive(QStyle::PE_FrameFocusRect, &o, painter, widget);
    }
}
