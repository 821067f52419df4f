"""Text from articles, files and colleagues shown as plain text: never read as Qt markup.

Qt guesses that a string is rich text when it looks like HTML (Qt::mightBeRichText), in
labels, tooltips and message boxes alike; a title such as "<b>Breaking</b>" or a note with an
<img> would then be rendered. Every such string goes through here.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def literal(text: str) -> str:
    """`text` as rich text that shows it exactly (escaped, in an explicit wrapper): for tooltips
    and message boxes, which guess the format and offer no plain-text setting."""
    if not text:
        return ""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


def plain_label(text: str = "", parent: QWidget | None = None, bold: bool = False) -> QLabel:
    """A QLabel that shows `text` exactly, whatever it contains."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label
