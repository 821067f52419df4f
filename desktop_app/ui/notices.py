"""Non-modal message boxes: the window stays usable while a report or warning is read."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def show_notice(
    parent: QWidget, title: str, text: str, icon: QMessageBox.Icon, details: str = ""
) -> QMessageBox:
    """Show `text` (plain: file names and reasons are never markup) without blocking."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Close, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if details:
        box.setDetailedText(details)
    box.setModal(False)
    box.show()  # not exec(): a modal loop would hold the window (and a test) until closed
    return box
