"""Small colour helpers shared by the widgets that draw labels."""

from __future__ import annotations

from PySide6.QtGui import QColor


def text_color_for(background: str) -> QColor:
    """Black or white, whichever reads better on `background`."""
    color = QColor(background)
    luminance = 0.299 * color.red() + 0.587 * color.green() + 0.114 * color.blue()
    return QColor("#000000") if luminance > 140 else QColor("#ffffff")
