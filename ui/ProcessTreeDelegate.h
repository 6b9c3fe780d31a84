// ProcessTreeDelegate.h - paints the process tree's cells without laying
// their text out again on every paint.
//
// The stock QStyledItemDelegate shapes each cell's text (QTextLayout,
// HarfBuzz) two or three times per paint: for the item's size, for the
// elision and for drawing. The panel repaints the visible rows on every
// refresh, and at 2,000 events per second that shaping was about 90% of the
// GUI thread's work. This delegate reads only the roles the process model
// gives (display, decoration, background, foreground), keeps each cell's
// elided and laid-out text as a QStaticText (keyed by text and width, so a
// changed text or a resized column lays out once) and each icon as a
// pixmap, and paints background, icon and text itself. The geometry is
// QCommonStyle's item layout (focus-frame margins, icon on the leading side,
// text vertically centred and elided as the view says), so cells look as
// they do with the stock delegate. Selected, focused and hovered cells get
// their background and focus frame from the style, as stock ones do. Size
// hints and everything else are the stock delegate's. GUI thread only.
#pragma once

#include <QCache>
#include <QFont>
#include <QHash>
#include <QPair>
#include <QPixmap>
#include <QStaticText>
#include <QStyledItemDelegate>

class ProcessTreeDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit ProcessTreeDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;

    // Laid-out texts kept (at most kMaxTexts; visible cells are a few hundred).
    int cachedTexts() const { return m_texts.size(); }
    static constexpr int kMaxTexts = 4096;

private:
    struct Text {
        QStaticText text;
        qreal width = 0;
    };
    struct IconKey {
        qint64 icon;
        int width;
        int height;
        int mode;
        int state;
        qreal dpr;
        bool operator==(const IconKey &o) const
        {
            return icon == o.icon && width == o.width && height == o.height && mode == o.mode &&
                   state == o.state && dpr == o.dpr;
        }
        friend uint qHash(const IconKey &k, uint seed = 0)
        {
            return ::qHash(k.icon, seed) ^ static_cast<uint>(k.width * 31 + k.height) ^
                   static_cast<uint>(k.mode << 8 | k.state << 12);
        }
    };

    const Text &text(const QString &s, int width, Qt::TextElideMode mode,
                     Qt::LayoutDirection direction) const;
    const QPixmap &pixmap(const QIcon &icon, const QSize &size, QIcon::Mode mode,
                          QIcon::State state, qreal dpr) const;
    void useFont(const QFont &font) const;

    mutable QFont m_font;
    mutable qreal m_ascent = 0;
    mutable int m_lineHeight = 0;
    mutable QCache<QPair<QString, int>, Text> m_texts; // text; width, elide mode, direction
    mutable QHash<IconKey, QPixmap> m_pixmaps;
};
