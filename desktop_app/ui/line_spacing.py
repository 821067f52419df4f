"""Line spacing for the article reader: a plain text layout that spaces every line of a paragraph.

QPlainTextDocumentLayout ignores QTextBlockFormat.setLineHeight and block margins (checked on
Qt 6.11), and QPlainTextEdit only works on that layout. So this subclass lets Qt lay a block
out, then moves its lines apart, each into a line box `factor` times its height with the glyphs
centred (CSS-style half-leading above and below). Qt reads line positions only after asking
blockBoundingRect, which is virtual, so every path (painting, cursorRect, hit tests, scrolling)
sees the spaced lines; text, positions and offsets are untouched.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QTextBlock, QTextDocument, QTextLine
from PySide6.QtWidgets import QPlainTextDocumentLayout

LINE_SPACINGS = (100, 115, 150, 200)  # percent of the font's own line height, as offered
MIN_SPACING, MAX_SPACING = 100, 300  # percent


def _extra(line: QTextLine, factor: float) -> int:
    """Whole pixels added to `line`'s box: at least one when spaced, so glyphs stay sharp."""
    return max(1, round((factor - 1.0) * line.height()))


class SpacedLayout(QPlainTextDocumentLayout):
    """A plain text layout whose lines sit `factor` times their natural height apart."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.factor = 1.0

    def blockBoundingRect(self, block: QTextBlock) -> QRectF:
        """Qt callback: the block laid out by Qt, its lines then spaced (once per layout)."""
        rect = super().blockBoundingRect(block)  # lays the block out if Qt has not yet
        if self.factor <= 1.0 or rect.isNull():
            return rect
        layout = block.layout()
        count = layout.lineCount()
        if count == 0:
            return rect
        # Qt always puts a fresh layout's first line at y=0; a spaced one is at least a pixel
        # lower. So a zero means Qt laid this block out again (an edit, a resize, a font).
        if layout.lineAt(0).y() < 0.5:
            y = 0.0
            for i in range(count):
                line = layout.lineAt(i)
                extra = _extra(line, self.factor)
                line.setPosition(QPointF(line.x(), y + (extra + 1) // 2))
                # As Qt does: a negative leading pulls the next line up.
                y += line.height() + extra + min(0, math.ceil(line.leading()))
        last = layout.lineAt(count - 1)
        bottom = last.y() + last.height() + _extra(last, self.factor) // 2
        if not block.next().isValid():
            bottom += self.document().documentMargin()
        return QRectF(rect.x(), rect.y(), rect.width(), bottom)

    def set_factor(self, factor: float) -> bool:
        """Space lines `factor` times their height; True if that changed (all is laid out anew)."""
        factor = min(max(factor, MIN_SPACING / 100), MAX_SPACING / 100)
        if factor == self.factor:
            return False
        self.factor = factor
        document = self.document()
        # Clears every block's layout (Qt lays out only what is shown, as after a resize);
        # the text's formats, so the painted spans, stay.
        document.markContentsDirty(0, document.characterCount())
        # The view fits its scroll bar to the new heights on this signal.
        self.documentSizeChanged.emit(self.documentSize())
        return True
