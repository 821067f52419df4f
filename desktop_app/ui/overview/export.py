"""A chart as PNG (the widget's pixels) or SVG (the widget painted into QSvgGenerator: the
vector text and shapes, at the widget's own DPI and size)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget


def save_png(widget: QWidget, path: Path) -> None:
    """Write what the widget shows as a PNG, at the screen's pixel ratio."""
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"{path}: the image could not be written")


def save_svg(widget: QWidget, path: Path, title: str) -> None:
    """Write the widget as an SVG drawing (pyqtgraph's own SVG exporter is broken on
    current Qt; Qt's generator paints the same scene as the screen does)."""
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(widget.size())
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    # Without the widget's DPI, text is sized for 90 dpi and no longer fits its axes.
    generator.setResolution(widget.logicalDpiX())
    generator.setTitle(title)
    generator.setDescription("Marginalia overview chart")
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"{path}: the drawing could not be written")
    try:
        widget.render(painter, QPoint(0, 0))
    finally:
        painter.end()
    if not path.is_file() or path.stat().st_size == 0:
        raise OSError(f"{path}: the drawing could not be written")
