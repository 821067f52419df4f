"""The article reader: one article's text, with its spans painted by a syntax highlighter.

Spans are painted through a QSyntaxHighlighter (character formats in each block's layout), not
ExtraSelections, which cost hundreds of milliseconds per repaint with thousands of spans
(DESIGN.md section 11). Offsets cross the Qt boundary only through `OffsetMap`.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import pairwise

from PySide6.QtCore import QEvent, QKeyCombination, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QSyntaxHighlighter,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextLayout,
    QTextLine,
    QTextOption,
)
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QToolTip, QWidget

from desktop_app.core.fragments import covers
from desktop_app.core.fragments import pieces as span_pieces
from desktop_app.core.model import Label, Span
from desktop_app.core.words import snap_edge, snap_to_words, word_at
from desktop_app.ui.colors import readable_text, span_background
from desktop_app.ui.line_spacing import SpacedLayout
from desktop_app.ui.offsets import OffsetMap

UNKNOWN_LABEL_COLOR = "#c0c0c0"
READING_POINT_SIZE = 13.0
READABLE_CHARACTERS = 45  # the narrowest line of text the layout lets the article have
_NOTE_PREVIEW = 300  # characters of a note shown in a tooltip
SuggestionTip = str | Callable[[], str]  # a suggestion's tooltip, or what makes it on hover


def _extent(item: tuple[int, int, str, SuggestionTip]) -> tuple[int, int]:
    return item[0], item[1]


_FIND_KEY = QKeyCombination(Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_F)
_EDGE_GRIP = 4  # pixels either side of a selected span's edge that grab it for dragging
# Qt's QTextCursor.insertText (used by setPlainText) starts a new block at each of these
# characters, each taking one position (checked on Qt 6.11); block indexing must agree with it.
_BLOCK_BREAK = re.compile("[\n\r\u2029\ufdd0\ufdd1]")

# One span's painted piece inside one block: Qt offsets relative to the block's start.
Piece = tuple[int, int, Span]
# Blocks (paragraphs) painted when an article opens; later ones are painted as they scroll
# into view, so opening a 300,000-character article does not format 20,000 spans up front.
EAGER_BLOCKS = 60


_SUGGESTION_KEYS = {
    Qt.Key.Key_Return: "accept",
    Qt.Key.Key_Enter: "accept",
    Qt.Key.Key_A: "accept",
    Qt.Key.Key_X: "reject",
    Qt.Key.Key_N: "next",
    Qt.Key.Key_P: "previous",
}
# Alt+Down / Alt+Up walk the suggestions whatever is selected (N and P are label keys too).
_SUGGESTION_ALT_KEYS = {Qt.Key.Key_Down: "next", Qt.Key.Key_Up: "previous"}
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _innermost_first(span: Span) -> tuple[int, int, str]:
    """Sort key: shortest span first; ties broken stably by start, then uuid."""
    return (span.end - span.start, span.start, span.uuid)


def _segments(pieces: list[Piece]) -> Iterator[tuple[int, int, list[Span]]]:
    """Split a block at every span edge; yield (start, end, active spans innermost first)."""
    if len(pieces) == 1:  # the common case: one span alone in its paragraph
        yield pieces[0][0], pieces[0][1], [pieces[0][2]]
        return
    edges = sorted({p[0] for p in pieces} | {p[1] for p in pieces})
    by_start = sorted(pieces, key=lambda p: p[0])
    active: list[Piece] = []
    i = 0
    # A sweep keeps the cost at O(edges x overlap depth), even for one huge paragraph.
    for a, b in pairwise(edges):
        while i < len(by_start) and by_start[i][0] <= a:
            active.append(by_start[i])
            i += 1
        active = [p for p in active if p[1] > a]
        if len(active) == 1:
            yield a, b, [active[0][2]]
        elif active:
            yield a, b, sorted((p[2] for p in active), key=_innermost_first)


def _x_of(line: QTextLine, position: int) -> float:
    # PySide returns (x, position) from cursorToX, typed only as "object".
    result: tuple[float, int] = line.cursorToX(position)  # type: ignore[assignment]
    return float(result[0])


def _piece_rects(block: QTextBlock, qs: int, qe: int, origin: QPointF) -> list[QRectF]:
    """The rectangles of Qt positions [qs, qe) inside `block`, one per line, at `origin`."""
    layout, rects = block.layout(), []
    a, b = max(qs - block.position(), 0), min(qe - block.position(), block.length() - 1)
    for i in range(layout.lineCount() if b > a else 0):
        line = layout.lineAt(i)
        lo, hi = max(a, line.textStart()), min(b, line.textStart() + line.textLength())
        if hi <= lo:
            continue
        # min/max: in right-to-left text the end is left of the start.
        x1, x2 = _x_of(line, lo), _x_of(line, hi)
        left, width = min(x1, x2), abs(x2 - x1)
        rects.append(QRectF(origin.x() + left, origin.y() + line.y(), width, line.height()))
    return rects


def _line_at(layout: QTextLayout, y: float) -> QTextLine | None:
    """The line of `layout` at height `y`; with line spacing a line also owns half of the
    space between it and each neighbour, so a click between two lines finds the nearer."""
    count = layout.lineCount()
    for i in range(count):
        line = layout.lineAt(i)
        top, bottom = line.y(), line.y() + line.height()
        if i == 0:
            band_top = 0.0  # the space above the first line is its own
        else:
            previous = layout.lineAt(i - 1)
            band_top = (previous.y() + previous.height() + top) / 2
        if i + 1 < count:
            band_bottom = (bottom + layout.lineAt(i + 1).y()) / 2
        else:
            band_bottom = bottom + (top - band_top)  # as much space below as above
        if band_top <= y < band_bottom:
            return line
    return None


def _make_format(
    inner: QColor, outer: QColor | None, depth: int, selected: bool
) -> QTextCharFormat:
    """The character format of a segment covered by `depth` spans."""
    fmt = QTextCharFormat()
    background = QColor(inner)
    if outer is not None:
        # Overlaps get a darker blend plus an underline in the next-outer span's colour, so a
        # nested span never looks like a single one, even when both share a label.
        background = QColor(
            (inner.red() + outer.red()) // 2,
            (inner.green() + outer.green()) // 2,
            (inner.blue() + outer.blue()) // 2,
        ).darker(100 + 15 * (min(depth, 4) - 1))
        style = QTextCharFormat.UnderlineStyle
        fmt.setUnderlineStyle(style.WaveUnderline if depth >= 3 else style.SingleUnderline)
        fmt.setUnderlineColor(outer.darker(220))
    if selected:
        # Only colours change: a bolder font would widen the span and re-wrap the paragraph
        # under the mouse. The outline is painted by ArticleView.paintEvent, taking no width.
        background = background.darker(125)
    fmt.setBackground(background)
    # Chosen by WCAG contrast on the final background (blends and selection included).
    fmt.setForeground(QColor(readable_text(background.name())))
    return fmt


class _SpanHighlighter(QSyntaxHighlighter):
    """Paints precomputed per-block span pieces; never scans the whole span list."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.pieces: dict[int, list[Piece]] = {}
        self.colors: dict[str, QColor] = {}
        self.color_by = "label"  # or "annotator": review shows each annotator in a colour
        self.dark = False  # a dark page: span backgrounds are shaded for white text
        self._source: dict[str, str] = {}  # the colours as given, before shading
        self.selected: str | None = None
        self._formats: dict[tuple[str, str | None, int, bool], QTextCharFormat] = {}
        self.lazy_from = 1 << 30  # blocks numbered from here wait until they are shown
        self.pending: set[int] = set()  # waiting blocks that have spans
        self._forcing = False

    def paint_now(self, blocks: Iterable[QTextBlock]) -> None:
        """Format these blocks now, waiting or not (they are about to be seen)."""
        self._forcing = True
        try:
            for block in blocks:
                self.rehighlightBlock(block)
        finally:
            self._forcing = False

    def set_colors(self, labels: Mapping[str, Label], color_by: str = "label") -> bool:
        """Take the colours (of labels, or of annotators by name); True if they changed."""
        given = {name: QColor(label.color) for name, label in labels.items()}
        source = {
            name: c.name() if c.isValid() else UNKNOWN_LABEL_COLOR for name, c in given.items()
        }
        if source == self._source and color_by == self.color_by:
            return False
        self._source, self.color_by = source, color_by
        self._shade()
        return True

    def set_dark(self, dark: bool) -> bool:
        """Shade span backgrounds for a dark page (or not); True if that changed."""
        if dark == self.dark:
            return False
        self.dark = dark
        self._shade()
        return True

    def _shade(self) -> None:
        self.colors = {
            name: QColor(span_background(color, self.dark)) for name, color in self._source.items()
        }
        self._formats = {}

    def highlightBlock(self, text: str) -> None:
        """Qt callback: apply the formats of the current block's span segments."""
        number = self.currentBlock().blockNumber()
        pieces = self.pieces.get(number)
        if not pieces:
            return
        if number >= self.lazy_from and not self._forcing:
            self.pending.add(number)  # painted by ArticleView.paintEvent when it shows
            return
        self.pending.discard(number)
        if pieces:
            for start, end, active in _segments(pieces):
                self.setFormat(start, end - start, self._format(active))

    def _format(self, active: list[Span]) -> QTextCharFormat:
        by_annotator = self.color_by == "annotator"
        inner_key = active[0].annotator if by_annotator else active[0].label
        outer_label = None
        if len(active) > 1:
            outer_label = active[1].annotator if by_annotator else active[1].label
        selected = self.selected is not None and any(s.uuid == self.selected for s in active)
        # Formats are shared per look, so painting 20,000 spans builds only a handful.
        key = (inner_key, outer_label, min(len(active), 4), selected)
        fmt = self._formats.get(key)
        if fmt is None:
            unknown = QColor(span_background(UNKNOWN_LABEL_COLOR, self.dark))
            inner = self.colors.get(inner_key, unknown)
            outer = None if outer_label is None else self.colors.get(outer_label, unknown)
            fmt = self._formats[key] = _make_format(inner, outer, len(active), selected)
        return fmt


class ArticleView(QPlainTextEdit):
    """Read-only reader of one article with coloured, clickable, hoverable spans."""

    spanClicked = Signal(str)  # uuid of the clicked span, "" when the click hit no span
    # A selected span's edge dragged with the mouse: (uuid, new start, new end), code points.
    spanEdgeDragged = Signal(str, int, int)
    findRequested = Signal()  # Ctrl+F pressed in the text (the list keeps Ctrl+F for search)
    # A suggestion key pressed in the text with nothing selected: accept, reject, next, previous.
    suggestionKey = Signal(str)
    # The suggestion keys, for Help > Keyboard shortcuts (the view handles them itself).
    key_help_group = "Article text (while it has the focus and shows suggestions)"
    key_help = (
        ("Enter / A", "Accept the current suggestion (A: while no span is selected)"),
        ("X", "Reject the current suggestion (while no span is selected)"),
        ("Alt+Down / N", "Next suggestion (N: while no text and no span is selected)"),
        ("Alt+Up / P", "Previous suggestion (P: while no text and no span is selected)"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A document of our own, laid out by SpacedLayout: the line spacing preference.
        document = QTextDocument(self)
        self._layout = SpacedLayout(document)
        document.setDocumentLayout(self._layout)
        document.setDefaultFont(self.font())
        self.setDocument(document)
        self._layout.setPaintDevice(self.viewport())  # font metrics of the screen shown on
        self.setReadOnly(True)
        # Keyboard selection too, so spans can be made without the mouse.
        flags = Qt.TextInteractionFlag
        self.setTextInteractionFlags(flags.TextSelectableByMouse | flags.TextSelectableByKeyboard)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        # Lines break between words, never inside one (unless a word is wider than a line).
        self.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        self.setTabChangesFocus(True)  # Tab leaves the text; it never types into it
        self.setAccessibleName("Article text")
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF(), READING_POINT_SIZE))
        self.setFont(font)
        self.document().setDocumentMargin(12)
        # Preferences > word snapping: mouse selections widen to whole words (Alt keeps exact).
        self.snap_words = True
        self._exact_drag = False
        self._edge_drag: str | None = None  # "start" or "end" while a span's edge is dragged
        self._hits: list[tuple[int, int]] = []  # found text, outlined (code points, sorted)
        self._current_hit = -1
        # Suggestions: (start, end, colour, tooltip), drawn dotted; never spans.
        self._suggested: list[tuple[int, int, str, SuggestionTip]] = []
        self._current_suggestion = -1
        # The right-click menu on a span (None: a separator); set by the edit controller.
        self.span_menu_actions: list[QAction | None] = []
        self._highlighter = _SpanHighlighter(self.document())
        self._text = ""
        self._map = OffsetMap("")
        self._block_starts_cp = [0]
        self._block_starts_qt = [0]
        self._spans: dict[str, Span] = {}
        self._members: dict[int, list[Span]] = {}  # block number -> spans touching it
        self._last_click: list[str] = []
        # Other features draw over the text (relation arcs) and add to a span's tooltip
        # (its relations): each painter gets the viewport's painter after the outlines.
        self.overlay_painters: list[Callable[[QPainter], None]] = []
        self.tip_sources: list[Callable[[list[Span]], list[str]]] = []
        self._origins: dict[int, QRectF] | None = None  # block geometry, while painting

    # --- content -------------------------------------------------------------------------

    def show_article(
        self,
        text: str,
        spans: Sequence[Span],
        labels: Mapping[str, Label],
        color_by: str = "label",
    ) -> None:
        """Show `text` with `spans` painted, scrolled to the top, nothing selected.

        `labels` maps each span's label (or, with color_by="annotator", its annotator) to
        the Label whose colour paints it.
        """
        self._text, self._map, self._last_click = text, OffsetMap(text), []
        self._hits, self._current_hit = [], -1
        self._suggested, self._current_suggestion = [], -1
        breaks = [m.start() for m in _BLOCK_BREAK.finditer(text)]
        self._block_starts_cp = [0] + [cp + 1 for cp in breaks]
        self._block_starts_qt = [0] + [self._map.to_qt(cp) + 1 for cp in breaks]
        self._highlighter.set_colors(labels, color_by)
        self._highlighter.selected = None
        self._highlighter.pieces, self._members = self._index(spans)
        self._highlighter.lazy_from, self._highlighter.pending = EAGER_BLOCKS, set()
        # Qt would merge "\r\n" into one block break and shift every later position; the store
        # never keeps "\r", but a lone "\r" -> "\n" swap keeps lengths if one slips through.
        # The highlighter paints every block once, synchronously, inside setPlainText.
        self.setPlainText(text.replace("\r", "\n") if "\r" in text else text)
        self.setTextCursor(QTextCursor(self.document()))
        self.verticalScrollBar().setValue(0)
        self.horizontalScrollBar().setValue(0)

    def set_spans(
        self, spans: Sequence[Span], labels: Mapping[str, Label], color_by: str = "label"
    ) -> None:
        """Repaint after an edit, keeping the scroll position; only changed blocks are redone."""
        colors_changed = self._highlighter.set_colors(labels, color_by)
        old = self._highlighter.pieces
        self._highlighter.pieces, self._members = self._index(spans)
        if self._highlighter.selected not in self._spans:
            self._highlighter.selected = None
        new = self._highlighter.pieces
        changed = [b for b in old.keys() | new.keys() if old.get(b) != new.get(b)]
        if colors_changed or len(changed) > 500:
            self._highlighter.rehighlight()
        else:
            self._rehighlight_blocks(changed)

    def set_dark(self, dark: bool) -> None:
        """Paint spans for a dark page (shaded backgrounds) or a light one."""
        if self._highlighter.set_dark(dark):
            self._highlighter.rehighlight()

    def set_line_spacing(self, percent: int) -> None:
        """Space every line (wrapped ones too) `percent` of its height apart; 100 is single."""
        if self._layout.set_factor(percent / 100):
            self.viewport().update()

    def line_spacing(self) -> int:
        """The line spacing in percent."""
        return round(self._layout.factor * 100)

    def span_format_at(self, cp: int) -> QTextCharFormat | None:
        """The character format painted at code point `cp` (None where no span is)."""
        qt = self._map.to_qt(cp)
        block = self.document().findBlock(qt)
        for fmt_range in block.layout().formats():
            if fmt_range.start <= qt - block.position() < fmt_range.start + fmt_range.length:
                return QTextCharFormat(fmt_range.format)  # a copy: the range is temporary
        return None

    def readable_width(self) -> int:
        """The width that shows READABLE_CHARACTERS of the article's font on one line."""
        metrics = self.fontMetrics()
        text = metrics.averageCharWidth() * READABLE_CHARACTERS
        margins = 2 * int(self.document().documentMargin()) + 2 * self.frameWidth()
        return text + margins + self.verticalScrollBar().sizeHint().width()

    def clear_article(self) -> None:
        """Show nothing."""
        self.show_article("", [], {})

    def _index(self, spans: Sequence[Span]) -> tuple[dict[int, list[Piece]], dict[int, list[Span]]]:
        """Pre-sort spans into blocks once, so painting a block never looks at other spans."""
        pieces: dict[int, list[Piece]] = {}
        members: dict[int, list[Span]] = {}
        starts_qt, starts_cp, to_qt = self._block_starts_qt, self._block_starts_cp, self._map.to_qt
        last_block, text_length = len(starts_qt) - 1, len(self._text)
        # A span the text cannot hold is skipped rather than crashing the reader.
        valid = [s for s in spans if not s.deleted and 0 <= s.start < s.end <= text_length]
        # One global order makes each block's list deterministic, which set_spans diffs on.
        valid.sort(key=lambda s: (s.start, s.end, s.uuid))
        self._spans = {span.uuid: span for span in valid}
        for span in valid:
            # A discontinuous span is painted piece by piece; its gaps stay unmarked.
            for start, end in span_pieces(span.start, span.end, span.fragments):
                qs, qe = to_qt(start), to_qt(end)
                first = bisect_right(starts_cp, start) - 1
                for b in range(first, bisect_right(starts_cp, end - 1)):
                    block_members = members.setdefault(b, [])
                    if not block_members or block_members[-1] is not span:
                        block_members.append(span)
                    block_start = starts_qt[b]
                    block_end = starts_qt[b + 1] - 1 if b < last_block else self._map.qt_length
                    a, e = max(qs, block_start) - block_start, min(qe, block_end) - block_start
                    if e > a:  # a span over just a line break has nothing to paint here
                        pieces.setdefault(b, []).append((a, e, span))
        return pieces, members

    def _rehighlight_blocks(self, numbers: Iterable[int]) -> None:
        doc = self.document()
        for number in sorted(set(numbers)):
            block = doc.findBlockByNumber(number)
            if block.isValid():
                self._highlighter.rehighlightBlock(block)

    def _blocks_of(self, uuid: str | None) -> range:
        span = self._spans.get(uuid or "")
        if span is None:
            return range(0)
        starts = self._block_starts_cp
        return range(bisect_right(starts, span.start) - 1, bisect_right(starts, span.end - 1))

    # --- selection and spans -------------------------------------------------------------

    def selected_range(self) -> tuple[int, int] | None:
        """The selected text as (start, end) code point offsets, or None if nothing is selected."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start = self._map.from_qt(cursor.selectionStart())
        end = self._map.from_qt(cursor.selectionEnd())
        return (start, end) if end > start else None

    def select_range(self, start: int, end: int) -> None:
        """Select code points [start, end) and scroll them into view."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_qt(start))
        cursor.setPosition(self._map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def set_selected_span(self, uuid: str | None) -> None:
        """Draw span `uuid` as the selected one (None or "" for none)."""
        old = self._highlighter.selected
        new = uuid if uuid in self._spans else None
        if new != old:
            self._highlighter.selected = new
            self._rehighlight_blocks([*self._blocks_of(old), *self._blocks_of(new)])

    def selected_span(self) -> str | None:
        """The uuid of the span drawn as selected, if any."""
        return self._highlighter.selected

    def shown_spans(self) -> list[Span]:
        """The spans painted, in text order."""
        return list(self._spans.values())

    def scroll_to_span(self, uuid: str) -> None:
        """Move the caret to the span's start and scroll so the span is visible."""
        span = self._spans.get(uuid)
        if span is None:
            return
        cursor = QTextCursor(self.document())
        # Visit the end first, then the start: the whole span shows when it fits on screen.
        for cp in (span.end, span.start):
            cursor.setPosition(self._map.to_qt(cp))
            self.setTextCursor(cursor)
            self.ensureCursorVisible()
        self._paint_waiting(self._blocks_of(uuid))

    def _paint_waiting(self, numbers: Iterable[int]) -> None:
        doc, pending = self.document(), self._highlighter.pending
        waiting = [doc.findBlockByNumber(n) for n in numbers if n in pending]
        if waiting:
            self._highlighter.paint_now(waiting)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Qt handler: format the waiting blocks that are about to show, then paint."""
        if self._highlighter.pending:
            numbers = []
            block, offset = self.firstVisibleBlock(), self.contentOffset()
            bottom = self.viewport().height()
            while (
                block.isValid()
                and self.blockBoundingGeometry(block).translated(offset).top() <= bottom
            ):
                numbers.append(block.blockNumber())
                block = block.next()
            self._paint_waiting(numbers)
        super().paintEvent(event)
        # Block geometry is fixed while painting: each block's is asked of Qt once (Qt walks
        # from the first visible block through the layout to answer).
        self._origins = {}
        try:
            self._paint_outlines()
            if self.overlay_painters:
                painter = QPainter(self.viewport())
                for paint in self.overlay_painters:
                    paint(painter)
                painter.end()
        finally:
            self._origins = None

    def span_rects(self, uuid: str) -> list[QRectF]:
        """Viewport rectangles of span `uuid`, one per line piece it covers on screen."""
        span = self._spans.get(uuid)
        if span is None:
            return []
        rects: list[QRectF] = []
        for start, end in span_pieces(span.start, span.end, span.fragments):
            rects += self.range_rects(start, end)
        return rects

    def range_rects(self, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles of code points [start, end), one per line, on screen only."""
        rects: list[QRectF] = []
        doc, offset, height = self.document(), self.contentOffset(), self.viewport().height()
        qs, qe = self._map.to_qt(start), self._map.to_qt(end)
        block = doc.findBlock(qs)
        first_visible = self.firstVisibleBlock()
        if first_visible.position() > block.position():
            block = first_visible  # a long span: skip the paragraphs scrolled past
        while block.isValid() and block.position() <= qe:
            origin = self._origin(block, offset)
            if origin.top() > height:
                break  # below the window: nothing more to draw
            if origin.bottom() >= 0:
                rects += _piece_rects(block, qs, qe, origin.topLeft())
            block = block.next()
        return rects

    def _origin(self, block: QTextBlock, offset: QPointF) -> QRectF:
        cache = self._origins
        if cache is None:
            return self.blockBoundingGeometry(block).translated(offset)
        number = block.blockNumber()
        found = cache.get(number)
        if found is None:
            found = cache[number] = self.blockBoundingGeometry(block).translated(offset)
        return found

    # --- found text ----------------------------------------------------------------------

    def set_hits(self, hits: Sequence[tuple[int, int]], current: int = -1) -> None:
        """Outline found text: code point ranges, `current` (an index) drawn stronger."""
        length = len(self._text)
        self._hits = sorted((a, b) for a, b in hits if 0 <= a < b <= length)
        self._current_hit = current if 0 <= current < len(self._hits) else -1
        if self._current_hit >= 0:
            start, end = self._hits[self._current_hit]
            self.select_range(start, end)  # shown, and a label key labels it at once
        self.viewport().update()

    def hits(self) -> list[tuple[int, int]]:
        """The outlined found text, in text order."""
        return list(self._hits)

    def current_hit(self) -> int:
        """The index of the current hit, -1 for none."""
        return self._current_hit

    def visible_range(self) -> tuple[int, int]:
        """The code points of the blocks on screen."""
        first = self.firstVisibleBlock()
        last = self.cursorForPosition(QPoint(0, self.viewport().height())).block()
        end = min(last.position() + last.length(), self._map.qt_length)
        return self._map.from_qt(first.position()), self._map.from_qt(end)

    def _paint_hits(self, painter: QPainter) -> None:
        if not self._hits:
            return
        low, high = self.visible_range()
        color = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        first = max(bisect_right(self._hits, (low, -1)) - 1, 0)
        for i in range(first, len(self._hits)):
            start, end = self._hits[i]
            if start > high:
                break
            current = i == self._current_hit
            # Dashed boxes for every hit, a solid one for the current: no span looks like it.
            pen = QPen(color, 2.0 if current else 1.5)
            pen.setStyle(Qt.PenStyle.SolidLine if current else Qt.PenStyle.DashLine)
            painter.setPen(pen)
            for rect in self.range_rects(start, end):
                painter.drawRect(rect.adjusted(-1.5, -0.5, 1.5, 0.5))

    # --- suggestions -----------------------------------------------------------------------

    def set_suggestions(
        self, items: Sequence[tuple[int, int, str, SuggestionTip]], current: int = -1
    ) -> None:
        """Draw suggestions (start, end, colour name, tooltip) dotted; `current` stronger.

        A tooltip may be a function giving it, made only when hovered: thousands of them
        would cost more than the drawing (bench/measure_suggest.py).
        """
        length = len(self._text)
        self._suggested = sorted(
            (item for item in items if 0 <= item[0] < item[1] <= length), key=_extent
        )
        self._current_suggestion = current if 0 <= current < len(self._suggested) else -1
        self.viewport().update()

    def suggestions(self) -> list[tuple[int, int, str, SuggestionTip]]:
        """The suggestions drawn, in text order."""
        return list(self._suggested)

    def current_suggestion(self) -> int:
        """The index of the current suggestion, -1 for none."""
        return self._current_suggestion

    def _paint_suggestions(self, painter: QPainter) -> None:
        # A dotted underline in the label's colour: no span, hit or selection looks like it.
        # Label colours are pastel fills; on a light page their hue is shown darker to be seen.
        light = self.palette().color(QPalette.ColorRole.Base).lightness() >= 128
        # Only those on screen: a 300,000-character article may have thousands.
        low, high = self.visible_range() if self._suggested else (0, 0)
        for i, (start, end, color, _) in enumerate(self._suggested):
            if start > high:
                break  # in text order: the rest are below the window
            if end < low:
                continue
            shade = QColor(color).darker(230) if light else QColor(color)
            pen = QPen(shade, 3.0 if i == self._current_suggestion else 2.0)
            pen.setStyle(Qt.PenStyle.DotLine)
            painter.setPen(pen)
            for rect in self.range_rects(start, end):
                y = rect.bottom() - 1.0
                painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))

    def _paint_outlines(self) -> None:
        rects = self.span_rects(self._highlighter.selected or "")
        if not rects and not self._hits and not self._suggested:
            return
        painter = QPainter(self.viewport())
        painter.setBrush(Qt.BrushStyle.NoBrush)
        self._paint_suggestions(painter)
        self._paint_hits(painter)
        pen = QPen(QColor(self.palette().color(QPalette.ColorRole.Text)))
        pen.setWidthF(2.0)
        painter.setPen(pen)
        for rect in rects:
            painter.drawRect(rect.adjusted(-1.0, 0.5, 1.0, -0.5))  # just outside the glyphs
        painter.end()

    def spans_at(self, cp: int) -> list[Span]:
        """The spans covering code point `cp`, innermost (shortest) first."""
        if not 0 <= cp < len(self._text):
            return []
        block = bisect_right(self._block_starts_cp, cp) - 1
        found = [s for s in self._members.get(block, ()) if covers(s.start, s.end, s.fragments, cp)]
        return sorted(found, key=_innermost_first)

    def tooltip_at(self, cp: int) -> str:
        """Rich text listing label, annotator and note of each span at `cp`; "" if none."""
        rows: list[str] = []
        spans = self.spans_at(cp)
        for span in spans:
            row = f"<b>{html.escape(span.label)}</b> &mdash; {html.escape(span.annotator)}"
            if span.note:
                more = "…" if len(span.note) > _NOTE_PREVIEW else ""
                note = span.note[:_NOTE_PREVIEW] + more
                row += f"<br><i>{html.escape(note)}</i>"
            rows.append(row)
        for source in self.tip_sources:
            rows += source(spans)
        rows += [
            tip if isinstance(tip, str) else tip()
            for start, end, _, tip in self._suggested
            if start <= cp < end
        ]
        # The <qt> wrapper forces rich text, so a note containing "<" is never misread.
        return "<qt>" + "<hr>".join(rows) + "</qt>" if rows else ""

    # --- mouse ---------------------------------------------------------------------------

    def cp_at_point(self, point: QPoint) -> int | None:
        """The code point under viewport point `point`, or None over margins and line ends."""
        block = self.cursorForPosition(point).block()
        layout = block.layout()
        if not block.isValid() or layout is None:
            return None
        origin = self.blockBoundingGeometry(block).translated(self.contentOffset()).topLeft()
        x, y = point.x() - origin.x(), point.y() - origin.y()
        line = _line_at(layout, y)
        if line is not None:
            rect = line.naturalTextRect()
            if not rect.left() <= x < rect.right():
                return None
            # CursorOnCharacter names the character under x, also in right-to-left text.
            pos = line.xToCursor(x, QTextLine.CursorPosition.CursorOnCharacter)
            if pos >= block.length() - 1:
                return None
            return self._map.from_qt(block.position() + pos)
        return None

    def edge_at(self, point: QPoint) -> str | None:
        """ "start" or "end" when `point` is on an edge of the selected span, else None."""
        rects = self.span_rects(self._highlighter.selected or "")
        if not rects:
            return None
        x, y = point.x(), point.y()
        for edge, rect, edge_x in (
            ("start", rects[0], rects[0].left()),
            ("end", rects[-1], rects[-1].right()),
        ):
            if rect.top() <= y <= rect.bottom() and abs(x - edge_x) <= _EDGE_GRIP:
                return edge
        return None

    def _suggestion_key(self, event: QKeyEvent) -> str:
        """What a key does to suggestions ("": nothing), only while some are drawn. Alt+Down
        and Alt+Up always walk them. The plain keys act only while no text is selected, and
        the letters only while no span is selected either: letters are label keys, which
        label the selected text or relabel the selected span, and must keep doing so."""
        if not self._suggested:
            return ""
        key = Qt.Key(event.key())
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers == Qt.KeyboardModifier.AltModifier:
            return _SUGGESTION_ALT_KEYS.get(key, "")
        if modifiers or self.textCursor().hasSelection():
            return ""
        if key not in _ENTER_KEYS and self.selected_span():
            return ""
        return _SUGGESTION_KEYS.get(key, "")

    def event(self, event: QEvent) -> bool:
        """Qt handler: Ctrl+F in the text finds in the article, not in the list; suggestion
        keys reach the text before the window's label keys."""
        override = event.type() == QEvent.Type.ShortcutOverride
        if (
            override
            and isinstance(event, QKeyEvent)
            and (event.keyCombination() == _FIND_KEY or self._suggestion_key(event))
        ):
            event.accept()  # delivered here as a key press instead of the window's shortcut
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Qt handler: Ctrl+F asks for the find bar; suggestion keys go to their controller."""
        if event.keyCombination() == _FIND_KEY:
            self.findRequested.emit()
            event.accept()
            return
        what = self._suggestion_key(event)
        if what:
            self.suggestionKey.emit(what)
            event.accept()
            return
        position = self.textCursor().position()
        super().keyPressEvent(event)
        if self.textCursor().position() != position:
            self._caret_past_the_gap()  # Qt has just scrolled to the moved caret

    def ensureCursorVisible(self) -> None:
        """Scroll so the caret shows, its whole line even with line spacing."""
        super().ensureCursorVisible()
        self._caret_past_the_gap()

    def _caret_past_the_gap(self) -> None:
        # Qt scrolls by whole lines and takes each line to start where the one above ends;
        # with line spacing that puts the caret's line up to one gap below the window.
        bar, height = self.verticalScrollBar(), self.viewport().height()
        for _ in range(3):
            if self.cursorRect().bottom() < height or bar.value() >= bar.maximum():
                return
            bar.setValue(bar.value() + 1)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Qt handler: grab a selected span's edge, or start a selection (Alt: exact)."""
        if event.button() == Qt.MouseButton.LeftButton:
            self._exact_drag = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
            self._edge_drag = self.edge_at(event.position().toPoint())
            if self._edge_drag is not None:
                event.accept()
                return  # no text selection while an edge moves
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Qt handler: a resize cursor over a selected span's edges."""
        if self._edge_drag is not None:
            event.accept()
            return
        over_edge = self.edge_at(event.position().toPoint()) is not None
        shape = Qt.CursorShape.SizeHorCursor if over_edge else Qt.CursorShape.IBeamCursor
        self.viewport().setCursor(shape)
        super().mouseMoveEvent(event)

    def _finish_edge_drag(self, event: QMouseEvent) -> None:
        edge, self._edge_drag = self._edge_drag, None
        span = self._spans.get(self._highlighter.selected or "")
        if span is None or edge is None:
            return
        position = self.cursorForPosition(event.position().toPoint()).position()
        cp = self._map.from_qt(position)
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if self.snap_words and not (alt or self._exact_drag):
            cp = snap_edge(self._text, cp, edge)
        start, end = (cp, span.end) if edge == "start" else (span.start, cp)
        if start < end and (start, end) != (span.start, span.end):
            self.spanEdgeDragged.emit(span.uuid, start, end)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Qt handler: a double-click selects the whole word, amounts like "€250,000" too."""
        super().mouseDoubleClickEvent(event)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        cp = self.cp_at_point(event.position().toPoint())
        word = word_at(self._text, cp) if cp is not None else None
        if word is not None:
            self._set_selection(*word)

    def _set_selection(self, start: int, end: int) -> None:
        # Keep the scroll position: the selection is already where the mouse is.
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_qt(start))
        cursor.setPosition(self._map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def _snap_selection(self, exact: bool) -> None:
        selection = self.selected_range()
        if selection is None or exact or not self.snap_words:
            return
        snapped = snap_to_words(self._text, *selection)
        if snapped != selection and snapped[1] > snapped[0]:
            self._set_selection(*snapped)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Qt handler: a drag snaps to whole words; a plain click selects the span under it."""
        if self._edge_drag is not None and event.button() == Qt.MouseButton.LeftButton:
            self._finish_edge_drag(event)
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self.textCursor().hasSelection():
            alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
            self._snap_selection(self._exact_drag or alt)
            return
        cp = self.cp_at_point(event.position().toPoint())
        uuids = [s.uuid for s in self.spans_at(cp)] if cp is not None else []
        current = self.selected_span()
        if uuids and uuids == self._last_click and current in uuids:
            # A second click on the same overlap goes one span outwards, then wraps around.
            chosen = uuids[(uuids.index(current) + 1) % len(uuids)]
        else:
            chosen = uuids[0] if uuids else ""
        self._last_click = uuids
        self.set_selected_span(chosen or None)
        self.spanClicked.emit(chosen)

    def span_menu(self, point: QPoint) -> QMenu | None:
        """Select the span under viewport `point` and build its menu (None: no span there)."""
        cp = self.cp_at_point(point)
        spans = self.spans_at(cp) if cp is not None else []
        if not spans or not self.span_menu_actions:
            return None
        current = self.selected_span()
        chosen = current if current in [s.uuid for s in spans] else spans[0].uuid
        self.set_selected_span(chosen)
        self.spanClicked.emit(chosen)
        menu = QMenu(self)
        for action in self.span_menu_actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """Qt handler: a span's own menu over a span, the usual Copy menu elsewhere."""
        menu = self.span_menu(event.pos())  # delivered through the viewport: its coordinates
        if menu is None:
            super().contextMenuEvent(event)
            return
        menu.exec(event.globalPos())
        menu.deleteLater()

    def viewportEvent(self, event: QEvent) -> bool:
        """Qt handler: show every span under the mouse as a tooltip."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            cp = self.cp_at_point(event.pos())
            tip = self.tooltip_at(cp) if cp is not None else ""
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)
