"""Relation arcs over the article text: curved lines in the type's colour with an arrow head
(directed types) and the type's name, hint letters while a far end is picked, and the
flash of a selected relation's ends. Geometry comes from the view's own span rectangles,
so arcs follow line spacing and scrolling as the span outlines do."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QStaticText,
    QTransform,
)

from desktop_app.core.fragments import pieces as span_pieces
from desktop_app.core.model import Relation, RelationType, Span
from desktop_app.ui.article_view import ArticleView
from desktop_app.ui.relation_hints import HintSession

_LIFT_MIN, _LIFT_MAX = 14.0, 44.0  # how far an arc rises above its ends, in pixels
_HINT_BACK = QColor("#ffe066")  # hint letters: the yellow every Vimium user knows
_UNKNOWN = "#888888"


@dataclass
class RelationScene:
    """What the arcs show now; the controller sets it, `paint` draws it."""

    relations: list[Relation] = field(default_factory=list)
    spans: dict[str, Span] = field(default_factory=dict)  # every live span of the article
    types: dict[str, RelationType] = field(default_factory=dict)
    show_all: bool = False
    selected_span: str = ""
    hovered_span: str = ""
    selected_relation: str = ""
    flash_on: bool = False
    hints: HintSession | None = None
    type_keys: str = ""  # "1 said_by · 2 member_of": the digits while hints are shown
    drag: tuple[str, QPointF] | None = None  # Alt-drag: (source span, mouse point)
    label_boxes: list[tuple[QRectF, str]] = field(default_factory=list)  # painted names

    def shown(self) -> list[Relation]:
        """The relations drawn: all on demand, else those of the selected and hovered span
        and the selected relation."""
        if self.show_all:
            return list(self.relations)
        near = {self.selected_span, self.hovered_span} - {""}
        return [
            r
            for r in self.relations
            if r.uuid == self.selected_relation or r.from_span in near or r.to_span in near
        ]

    def relation_at(self, point: QPointF) -> str:
        """The relation whose painted name is under `point` ("" for none)."""
        for box, uuid in reversed(self.label_boxes):
            if box.contains(point):
                return uuid
        return ""


def span_rects(view: ArticleView, span: Span, visible: tuple[int, int]) -> list[QRectF]:
    """The span's rectangles on screen (none when it is off screen: never laid out for it)."""
    low, high = visible
    if span.end <= low or span.start > high:
        return []
    rects: list[QRectF] = []
    for start, end in span_pieces(span.start, span.end, span.fragments):
        rects += view.range_rects(start, end)
    return rects


class _RectCache:
    """Each span's rectangles, computed once per paint (a span may end many arcs)."""

    def __init__(self, view: ArticleView) -> None:
        self.view, self.visible = view, view.visible_range()
        self.found: dict[str, list[QRectF]] = {}

    def __call__(self, span: Span) -> list[QRectF]:
        found = self.found.get(span.uuid)
        if found is None:
            found = self.found[span.uuid] = span_rects(self.view, span, self.visible)
        return found


def _anchor(rects: Sequence[QRectF], toward: QPointF | None) -> QPointF:
    """Where an arc meets a span: the top middle of its line piece nearest `toward` (the
    other end), on the same line where it has a piece there."""
    rect = rects[0]
    if toward is not None and len(rects) > 1:
        rect = min(
            rects, key=lambda r: (abs(r.top() - toward.y()) > 2.0, abs(r.center().x() - toward.x()))
        )
    return QPointF(rect.center().x(), rect.top() + 1.0)


def _under(rects: Sequence[QRectF], toward: QPointF) -> QPointF:
    """The bottom middle of the span's piece nearest `toward`, for an arc leaving downwards."""
    rect = min(
        rects, key=lambda r: (abs(r.bottom() - toward.y()), abs(r.center().x() - toward.x()))
    )
    return QPointF(rect.center().x(), rect.bottom() - 1.0)


def _controls(p0: QPointF, p1: QPointF, lift: float) -> tuple[QPointF, QPointF]:
    if abs(p0.y() - p1.y()) <= 2.0:
        return QPointF(p0.x(), p0.y() - lift), QPointF(p1.x(), p1.y() - lift)
    bend = min(lift, abs(p1.y() - p0.y()) / 2)
    down = 1.0 if p1.y() > p0.y() else -1.0
    return QPointF(p0.x(), p0.y() + down * bend), QPointF(p1.x(), p1.y() - down * bend)


def _cubic(p0: QPointF, c1: QPointF, c2: QPointF, p1: QPointF, t: float) -> QPointF:
    u = 1.0 - t
    return p0 * (u * u * u) + c1 * (3 * u * u * t) + c2 * (3 * u * t * t) + p1 * (t * t * t)


def _arrow(painter: QPainter, tip: QPointF, back: QPointF, color: QColor) -> None:
    direction = tip - back
    length = (direction.x() ** 2 + direction.y() ** 2) ** 0.5 or 1.0
    unit = QPointF(direction.x() / length, direction.y() / length)
    normal = QPointF(-unit.y(), unit.x())
    base = tip - unit * 8.0
    head = QPainterPath(tip)
    head.lineTo(base + normal * 4.0)
    head.lineTo(base - normal * 4.0)
    head.closeSubpath()
    painter.fillPath(head, color)


class RelationPainter:
    """Draws a RelationScene over an ArticleView (hooked into its overlay painters)."""

    def __init__(self, view: ArticleView, scene: RelationScene) -> None:
        self.view = view
        self.scene = scene
        self._font = QFont()
        self._names: dict[str, QStaticText] = {}  # each type's name, laid out
        view.overlay_painters.append(self.paint)

    def update(self) -> None:
        """Repaint the text (and so the arcs)."""
        self.view.viewport().update()

    def paint(self, painter: QPainter) -> None:
        """Draw the arcs, the flash, the hint letters and the Alt-drag line."""
        scene = self.scene
        scene.label_boxes = []
        scene.selected_span = self.view.selected_span() or ""
        if not (scene.relations or scene.hints or scene.drag):
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rects = _RectCache(self.view)
        font = QFont(self.view.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.72))
        if font != self._font:
            self._font, self._names = font, {}
        painter.setFont(font)
        for relation in scene.shown():
            self._arc(painter, relation, rects)
        self._flash(painter, rects)
        if scene.hints is not None:
            self._hints(painter, scene.hints, rects)
        if scene.drag is not None:
            self._drag(painter, rects)

    def _color(self, kind: str) -> QColor:
        found = self.scene.types.get(kind)
        color = QColor(found.color if found else _UNKNOWN)
        return color if color.isValid() else QColor(_UNKNOWN)

    def _ends(self, relation: Relation, rects: _RectCache) -> tuple[QPointF, QPointF] | None:
        """Where the arc starts and ends; an end off screen is on the edge it lies beyond.
        None when neither end is on screen (an arc across the page would only clutter)."""
        spans = self.scene.spans
        a, b = spans.get(relation.from_span), spans.get(relation.to_span)
        if a is None or b is None:
            return None
        ra, rb = rects(a), rects(b)
        if not ra and not rb:
            return None
        height = float(self.view.viewport().height())
        if ra and rb:
            pa = _anchor(ra, rb[0].topLeft())
            pb = _anchor(rb, pa)
            if abs(pa.y() - pb.y()) > 2.0:  # on different lines: leave the upper one below
                if pa.y() < pb.y():
                    pa = _under(ra, pb)
                else:
                    pb = _under(rb, pa)
            return pa, pb
        if ra:
            pa = _anchor(ra, None)
            return pa, QPointF(pa.x() + 40.0, -8.0 if b.start < a.start else height + 8.0)
        pb = _anchor(rb, None)
        return QPointF(pb.x() - 40.0, -8.0 if a.start < b.start else height + 8.0), pb

    def _arc(self, painter: QPainter, relation: Relation, rects: _RectCache) -> None:
        ends = self._ends(relation, rects)
        if ends is None:
            return
        p0, p1 = ends
        color = self._color(relation.type)
        selected = relation.uuid == self.scene.selected_relation
        lift = min(_LIFT_MAX, max(_LIFT_MIN, abs(p1.x() - p0.x()) / 5 + 10.0))
        # On one line, a hump above it; between lines, a curve from the bottom of the upper
        # end through the gap between lines to the top of the lower end.
        c1, c2 = _controls(p0, p1, lift)
        path = QPainterPath(p0)
        path.cubicTo(c1, c2, p1)
        pen = QPen(color, 2.6 if selected else 1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        kind = self.scene.types.get(relation.type)
        if kind is None or kind.directed:
            _arrow(painter, p1, _cubic(p0, c1, c2, p1, 0.9), color)
        self._name(painter, relation, _cubic(p0, c1, c2, p1, 0.5), color, selected)

    def _name(
        self, painter: QPainter, relation: Relation, at: QPointF, color: QColor, bold: bool
    ) -> None:
        static = self._names.get(relation.type)
        if static is None:  # laid out once per type and font, drawn many times
            static = self._names[relation.type] = QStaticText(relation.type)
            static.prepare(QTransform(), painter.font())
        size = static.size()
        width, height = size.width() + 8.0, size.height() + 2.0
        box = QRectF(at.x() - width / 2, at.y() - height / 2, width, height)
        page = QColor(self.view.palette().color(QPalette.ColorRole.Base))
        page.setAlpha(235)
        painter.setPen(QPen(color, 2.0 if bold else 1.0))
        painter.setBrush(page)
        painter.drawRoundedRect(box, 4.0, 4.0)
        painter.setPen(color.darker(140) if page.lightness() >= 128 else color.lighter(150))
        painter.drawStaticText(QPointF(box.left() + 4.0, box.top() + 1.0), static)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        self.scene.label_boxes.append((box, relation.uuid))

    def _outline(
        self, painter: QPainter, rects: Iterable[QRectF], color: QColor, width: float
    ) -> None:
        painter.setPen(QPen(color, width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for rect in rects:
            painter.drawRoundedRect(rect.adjusted(-2.0, -1.0, 2.0, 1.0), 3.0, 3.0)

    def _flash(self, painter: QPainter, rects: _RectCache) -> None:
        """Both ends of the selected relation: a thin outline, a thick one while flashing."""
        scene = self.scene
        relation = next((r for r in scene.relations if r.uuid == scene.selected_relation), None)
        if relation is None:
            return
        color = self._color(relation.type)
        for uuid in (relation.from_span, relation.to_span):
            span = scene.spans.get(uuid)
            if span is not None:
                self._outline(painter, rects(span), color, 4.0 if scene.flash_on else 1.5)

    def _hints(self, painter: QPainter, session: HintSession, rects: _RectCache) -> None:
        color = self._color(session.kind.name)
        self._outline(painter, rects(session.source), color, 2.0)
        metrics = QFontMetricsF(painter.font())
        chosen = session.chosen()
        for option in session.shown():
            found = rects(option.span)
            if not found:
                continue
            current = chosen is not None and option.span.uuid == chosen.span.uuid
            if current:
                self._outline(painter, found, color, 3.0)
                src = _anchor(rects(session.source) or found, None)
                painter.setPen(QPen(color, 1.5, Qt.PenStyle.DashLine))
                painter.drawLine(src, _anchor(found, src))
            text = option.hint.upper()
            width, height = metrics.horizontalAdvance(text) + 6.0, metrics.height()
            corner = found[0].topLeft()
            box = QRectF(corner.x() - 2.0, corner.y() - height + 3.0, width, height)
            painter.setPen(QPen(QColor("#8a6d00"), 2.0 if current else 1.0))
            painter.setBrush(color.lighter(160) if current else _HINT_BACK)
            painter.drawRoundedRect(box, 3.0, 3.0)
            painter.setPen(QColor("#000000"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        self._banner(painter, session)

    def _banner(self, painter: QPainter, session: HintSession) -> None:
        """A strip at the bottom: the type being made, the digits for others, the keys."""
        count = len(session.shown())
        text = (
            f"Link as {session.kind.name} — {count} candidate{'s' if count != 1 else ''} · "
            f"{self.scene.type_keys} · letters or Tab, Enter links, Esc cancels"
        )
        viewport = self.view.viewport()
        metrics = QFontMetricsF(painter.font())
        height = metrics.height() + 8.0
        box = QRectF(0.0, viewport.height() - height, float(viewport.width()), height)
        back = QColor(self.view.palette().color(QPalette.ColorRole.ToolTipBase))
        back.setAlpha(240)
        painter.fillRect(box, back)
        painter.setPen(self.view.palette().color(QPalette.ColorRole.ToolTipText))
        painter.drawText(box.adjusted(8.0, 0.0, -8.0, 0.0), Qt.AlignmentFlag.AlignVCenter, text)

    def _drag(self, painter: QPainter, rects: _RectCache) -> None:
        assert self.scene.drag is not None
        uuid, point = self.scene.drag
        span = self.scene.spans.get(uuid)
        found = rects(span) if span is not None else []
        if not found:
            return
        painter.setPen(QPen(self.view.palette().color(QPalette.ColorRole.Highlight), 2.0,
                            Qt.PenStyle.DashLine))  # fmt: skip
        painter.drawLine(_anchor(found, point), point)


def type_keys(types: Sequence[RelationType], current: str) -> str:
    """The digits that pick each type while hints are shown, the current one in brackets."""
    return " ".join(
        f"[{i} {kind.name}]" if kind.name == current else f"{i} {kind.name}"
        for i, kind in enumerate(types[:9], start=1)
    )


def relation_tips(
    spans: Sequence[Span], scene: RelationScene, quotes: Mapping[str, str]
) -> list[str]:
    """Tooltip rows: each relation of the spans under the mouse, with the other end."""
    rows = []
    for span in spans:
        for r in scene.relations:
            if span.uuid not in (r.from_span, r.to_span):
                continue
            outgoing = r.from_span == span.uuid
            other = scene.spans.get(r.to_span if outgoing else r.from_span)
            kind = scene.types.get(r.type)
            arrow = ("→" if outgoing else "←") if kind is None or kind.directed else "—"
            row = f"{arrow} <b>{html.escape(r.type)}</b>"
            if other is not None:
                quote = html.escape(quotes.get(other.uuid, ""))
                row += f" “{quote}” ({html.escape(other.label)})"
            rows.append(row + f" &mdash; {html.escape(r.annotator)}")
    return ["Relations:<br>" + "<br>".join(rows)] if rows else []
