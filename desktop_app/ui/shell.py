"""The window's shared widgets, the one part of the window its feature controllers are given."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QTableView,
)

from desktop_app.ui.annotation_list import AnnotationList
from desktop_app.ui.article_table import ArticleTableModel
from desktop_app.ui.article_view import ArticleView
from desktop_app.ui.file_dialogs import FileDialogs
from desktop_app.ui.filter_bar import FilterBar
from desktop_app.ui.label_palette import LabelPalette, TagPanel


@dataclass(eq=False)
class Shell:
    """What every feature may use of the window: its shared widgets and the status bar.

    `window` is there to parent dialogs and docks and to set the title; features never
    reach other features through it.
    """

    window: QMainWindow
    table: QTableView
    table_model: ArticleTableModel
    filter_bar: FilterBar
    view: ArticleView
    heading: QLabel
    label_palette: LabelPalette
    tag_panel: TagPanel
    annotation_list: AnnotationList
    progress: QProgressBar
    cancel_button: QPushButton
    list_dock: QDockWidget
    labels_dock: QDockWidget
    annotations_dock: QDockWidget
    dialogs: FileDialogs = field(default_factory=FileDialogs)  # open in the last folder used

    def say(self, message: str, ms: int = 0) -> None:
        """Show `message` in the status bar (for `ms` milliseconds; 0: until the next one)."""
        self.window.statusBar().showMessage(message, ms)
