"""What the main window's mixins may use of it: its widgets, state and shared helpers.

At run time this is an empty base class; for the type checker it describes MainWindow, so
each mixin module is checked against the window it is part of.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import (
        QMainWindow,
        QMenu,
        QMessageBox,
        QProgressBar,
        QPushButton,
        QTableView,
    )

    from desktop_app.core.editing import Editor
    from desktop_app.core.model import Article, ImportReport, Label, Span
    from desktop_app.core.store import Store
    from desktop_app.ui.annotation_list import AnnotationList
    from desktop_app.ui.article_table import ArticleTableModel
    from desktop_app.ui.article_view import ArticleView
    from desktop_app.ui.filter_bar import FilterBar
    from desktop_app.ui.import_worker import ImportJob
    from desktop_app.ui.label_palette import LabelPalette, TagPanel

    class WindowParts(QMainWindow):
        """The main window as its mixins see it."""

        store: Store
        editor: Editor
        article: Article | None
        labels: dict[str, Label]
        view: ArticleView
        table: QTableView
        table_model: ArticleTableModel
        filter_bar: FilterBar
        label_palette: LabelPalette
        tag_panel: TagPanel
        annotation_list: AnnotationList
        undo_action: QAction
        redo_action: QAction
        label_actions: list[QAction]
        progress: QProgressBar
        cancel_button: QPushButton
        import_job: ImportJob | None
        last_import: ImportReport | None
        import_report_box: QMessageBox
        _menus: dict[str, QMenu]

        # Defined by one part of the window, used by the others.
        def show_article(self, article_id: int | None) -> None: ...
        def show_annotations(self) -> None: ...
        def reload_list(self) -> None: ...
        def reload_labels(self) -> None: ...
        def refresh_filter_choices(self) -> None: ...
        def _select_row(self, row: int) -> None: ...
        def _warn(self, message: str) -> None: ...
        def _edit(self) -> AbstractContextManager[None]: ...
        def when_checked(self, action: Callable[[], None], what: str) -> bool: ...
        def _update_undo_actions(self) -> None: ...
        def apply_label(self, name: str) -> None: ...
        def toggle_tag(self, name: str, present: bool) -> None: ...
        def review_spans(
            self, article_id: int
        ) -> tuple[list[Span], dict[str, Label], str] | None: ...
        def article_shown(self) -> None: ...

else:

    class WindowParts:
        """The main window as its mixins see it (nothing at run time)."""
