"""The main window: article list, article text, label palette, tags and annotation list."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.editing import Editor
from desktop_app.core.model import (
    Article,
    ImportReport,
    Label,
    Span,
    Status,
)
from desktop_app.core.store import Store, StoreError
from desktop_app.ui.annotation_list import AnnotationList
from desktop_app.ui.article_table import ArticleTableModel
from desktop_app.ui.article_view import ArticleView
from desktop_app.ui.bulk_actions import BulkActions
from desktop_app.ui.dialogs import choose_annotator_names
from desktop_app.ui.edit_actions import EditActions
from desktop_app.ui.export_actions import ExportActions
from desktop_app.ui.filter_bar import FilterBar
from desktop_app.ui.import_export_actions import ImportExportActions
from desktop_app.ui.import_worker import ImportJob
from desktop_app.ui.label_actions import LabelActions
from desktop_app.ui.label_palette import LabelPalette, TagPanel
from desktop_app.ui.merge_actions import MergeActions
from desktop_app.ui.review_actions import ReviewActions
from desktop_app.ui.safety_actions import SafetyActions


class MainWindow(
    EditActions,
    LabelActions,
    ImportExportActions,
    ExportActions,
    MergeActions,
    ReviewActions,
    SafetyActions,
    BulkActions,
    QMainWindow,
):
    """Marginalia's window over one project; every edit goes through the core Editor."""

    def __init__(self, store: Store, settings: QSettings, annotator: str) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.editor = Editor(store, annotator)
        self.article: Article | None = None
        self.labels: dict[str, Label] = {}
        self.import_job: ImportJob | None = None
        self.last_import: ImportReport | None = None
        self.opening_notice: QMessageBox | None = None  # read-only, risky location
        name = store.path.name if store.path else "in memory"
        self.setWindowTitle(f"Marginalia — {name}{' (read-only)' if store.read_only else ''}")
        self.setAcceptDrops(True)
        self._build_widgets()
        self._build_actions()
        self._connect()
        self.reload_labels()
        self.restore_layout()
        self._select_row(0)
        if not settings.value("annotator_confirmed", False, type=bool):
            self.annotator_banner.show()
        self.start_safety()

    # ------------------------------------------------------------------ building

    def _build_widgets(self) -> None:
        self.filter_bar = FilterBar()
        self.table_model = ArticleTableModel(self.store, self.editor.annotator, self)
        self.table = QTableView()
        self.table.setObjectName("articles")
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        # Fixed widths: ResizeToContents would read every row, a million of them.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in zip(range(1, 6), (86, 90, 48, 40, 80), strict=True):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.filter_bar)
        left_layout.addWidget(self.table)
        self.list_dock = self._dock("Articles", left, Qt.DockWidgetArea.LeftDockWidgetArea)

        self.view = ArticleView()
        self.view.setObjectName("article_text")
        self.heading = QLabel()
        self.heading.setObjectName("heading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.annotator_banner = self._banner()
        center = QWidget()
        center_layout = QVBoxLayout(center)
        center_layout.addWidget(self.annotator_banner)
        center_layout.addWidget(self.heading)
        center_layout.addWidget(self.view, 1)
        self.setCentralWidget(center)

        self.label_palette = LabelPalette()
        self.tag_panel = TagPanel()
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.label_palette)
        side_layout.addWidget(self.tag_panel)
        side_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.labels_dock = self._dock("Labels", scroll, Qt.DockWidgetArea.RightDockWidgetArea)
        self.annotation_list = AnnotationList()
        self.annotations_dock = self._dock(
            "Annotations", self.annotation_list, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.build_review()
        self.tabifyDockWidget(self.labels_dock, self.review_dock)

        self.annotator_button = QPushButton()
        self.annotator_button.setFlat(True)
        self.annotator_button.setToolTip("Click to switch annotator")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.cancel_button = QPushButton("Cancel import")
        for widget in (self.progress, self.cancel_button):
            widget.hide()
            self.statusBar().addPermanentWidget(widget)
        self.statusBar().addPermanentWidget(self.annotator_button)
        self._show_annotator()

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.lower())  # saveState needs object names
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _banner(self) -> QFrame:
        banner = QFrame()
        banner.setObjectName("annotator_banner")
        banner.setStyleSheet("#annotator_banner { background: #fff3cd; border-radius: 4px; }")
        layout = QHBoxLayout(banner)
        self.banner_text = QLabel()
        change = QPushButton("Choose name…")
        keep = QPushButton("Keep")
        change.clicked.connect(self.switch_annotator)
        keep.clicked.connect(lambda: self.set_annotator(self.editor.annotator))
        layout.addWidget(self.banner_text, 1)
        layout.addWidget(change)
        layout.addWidget(keep)
        banner.hide()
        return banner

    def _action(
        self,
        menu_name: str,
        text: str,
        slot: Callable[[], object],
        shortcut: str | QKeySequence | QKeySequence.StandardKey = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self._menus[menu_name].addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        self._menus = {
            name: bar.addMenu(name)
            for name in ("&File", "&Edit", "&View", "&Article", "&Labels", "&Review", "&Tools")
        }
        a = self._action
        a("&File", "&Import files…", self.import_files_dialog, "Ctrl+I")
        a("&File", "Import &folder…", self.import_folder_dialog, "Ctrl+Shift+I")
        a("&File", "Import &with options (format, JSONL/CSV fields)…", self.import_options_dialog)
        a("&File", "&Export…", self.export_dialog, "Ctrl+E")
        self._menus["&File"].addSeparator()
        a("&File", "&Merge colleague's project…", self.merge_dialog)
        a("&File", "Draw double-coding &sample…", self.sample_dialog)
        self._menus["&File"].addSeparator()
        a("&File", "&Backups…", self.backups_dialog)
        self._menus["&File"].addSeparator()
        a("&File", "&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.undo_action = a("&Edit", "&Undo", self.undo, "Ctrl+Z")
        self.redo_action = a("&Edit", "&Redo", self.redo, "Ctrl+Shift+Z")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self._menus["&Edit"].addSeparator()
        self.delete_action = a("&Edit", "&Delete span", self.delete_selected_span, "Delete")
        a("&Edit", "Re&label span…", self.relabel_selected_span, "Ctrl+L")
        a("&Edit", "Span &note…", self.edit_selected_note, "F2")
        self._menus["&Edit"].addSeparator()
        a("&Edit", "&Find…", self.focus_search, "Ctrl+F")
        a("&Edit", "Switch &annotator…", self.switch_annotator)
        self.everyone_action = a("&View", "Show &everyone's spans", self.toggle_everyone)
        self.everyone_action.setCheckable(True)
        self.everyone_action.setChecked(
            bool(self.settings.value("view/everyone", False, type=bool))
        )
        a("&View", "Show the &article list", self.list_dock.show)
        a("&View", "Show the &labels", self.labels_dock.show)
        a("&View", "Show the a&nnotation list", self.annotations_dock.show)
        a("&Article", "Mark &done and next", self.mark_done_and_next, "Ctrl+Return")
        a("&Article", "Mark &in progress", lambda: self.set_status(Status.IN_PROGRESS))
        a("&Article", "Mark &todo", lambda: self.set_status(Status.TODO))
        a("&Article", "&Next article", lambda: self.step(1), "Ctrl+Down")
        a("&Article", "&Previous article", lambda: self.step(-1), "Ctrl+Up")
        a("&Article", "&Reload list", self.reload_list, "F5")
        a("&Article", "Delete &my annotations on this article…", self.delete_own_annotations)
        a("&Labels", "&Add label…", self.add_label_dialog)
        a("&Labels", "&Edit label…", self.edit_label_dialog)
        a("&Labels", "&Load schema…", self.load_schema_dialog)
        a("&Labels", "&Delete label…", self.delete_label_dialog)
        self._menus["&Labels"].addSeparator()
        a("&Review", "&Compare annotators…", self.start_review, "Ctrl+Shift+R")
        a("&Review", "&Next difference", lambda: self.review_step(1), "F8")
        a("&Review", "&Previous difference", lambda: self.review_step(-1), "Shift+F8")
        a("&Review", "Accept all &agreed items", self.review_accept_agreed)
        a("&Tools", "&Agreement…", self.open_agreement)
        self.label_actions: list[QAction] = []
        self._update_undo_actions()

    def _connect(self) -> None:
        self.filter_bar.filterChanged.connect(self.apply_filter)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table_model.modelReset.connect(self._after_list_reset)
        self.view.spanClicked.connect(self.select_span)
        self.annotation_list.spanActivated.connect(self.jump_to_span)
        self.label_palette.labelChosen.connect(self.apply_label)
        self.tag_panel.tagToggled.connect(self.toggle_tag)
        self.annotator_button.clicked.connect(self.switch_annotator)
        self.cancel_button.clicked.connect(self.cancel_import)

    # ------------------------------------------------------------------ list and article

    def apply_filter(self) -> None:
        """Show the articles that match the search and filters."""
        current = self.article.id if self.article else None
        try:
            self.table_model.set_filter(self.filter_bar.current_filter())
        except StoreError as error:
            self.statusBar().showMessage(str(error), 8000)
            return
        row = self.table_model.row_of(current) if current is not None else None
        # A new search shows its first match unless the open article is among the matches.
        self._select_row(row if row is not None else 0)

    def reload_list(self) -> None:
        """Recount the list (after imports, or to drop articles that no longer match)."""
        current = self.article.id if self.article else None
        self.table_model.reload()
        self._restore_selection(current)

    def _restore_selection(self, article_id: int | None) -> None:
        row = self.table_model.row_of(article_id) if article_id is not None else None
        if row is not None:
            self._select_row(row)
        elif article_id is None or self.table_model.rowCount() == 0:
            self._select_row(0)  # nothing was open (or nothing is left): show the first

    def _after_list_reset(self) -> None:
        self.statusBar().showMessage(f"{self.table_model.rowCount():,} articles", 4000)

    def _select_row(self, row: int) -> None:
        if not 0 <= row < self.table_model.rowCount():
            if self.table_model.rowCount() == 0:
                self.show_article(None)
            return
        index = self.table_model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # An invalid index comes from a list reset: keep showing the article being read.
        row = self.table_model.row_at(current.row()) if current.isValid() else None
        if row is not None:
            self.show_article(row.id)

    def show_article(self, article_id: int | None) -> None:
        """Show an article (or nothing) with the current annotator's spans and tags."""
        if article_id is None:
            self.article = None
            self.view.clear_article()
            self.heading.setText("<i>No article selected</i>")
            self.annotation_list.set_spans([], self.labels)
            self.tag_panel.set_checked([], enabled=False)
            return
        if self.article is None or self.article.id != article_id:
            self.article = self.store.article(article_id)
            spans, colors, color_by = self._view_spans(article_id)
            self.view.show_article(self.article.text, spans, colors, color_by)
            self.show_annotations(spans)  # the spans just read: no second query or repaint
            self.article_shown()
        else:
            self.show_annotations()

    def show_annotations(self, spans: Sequence[Span] | None = None) -> None:
        """Repaint spans, the annotation list, tags and heading from the store.

        `spans`, when given, were just read and painted by show_article.
        """
        if self.article is None:
            return
        article = self.article
        if spans is None:
            spans, colors, color_by = self._view_spans(article.id)
            selected = self.view.selected_span()
            self.view.set_spans(spans, colors, color_by)
        else:
            selected = None
        self.annotation_list.set_spans(spans, self.labels)
        if selected and any(span.uuid == selected for span in spans):
            self.view.set_selected_span(selected)
            self.annotation_list.select_span(selected)
        tags = {tag.label for tag in self.store.tags(article.id, self.editor.annotator)}
        self.tag_panel.set_checked(tags)
        status = self.store.status(article.id, self.editor.annotator)
        details = " · ".join(
            part for part in (article.published or "", article.source, article.uid) if part
        )
        self.heading.setText(
            f"<b style='font-size:14pt'>{_escape(article.title or article.uid)}</b><br>"
            f"<span style='color:#555'>{_escape(details)} · status: <b>{status}</b> · "
            f"{len(spans)} spans</span>"
        )

    def _view_spans(self, article_id: int) -> tuple[list[Span], Mapping[str, Label], str]:
        """The spans the text shows and how they are coloured: by label, or in review by
        annotator (each shown annotator in their own colour)."""
        review = self.review_spans(article_id)
        if review is not None:
            return review
        return self.store.spans(article_id, self._whose_spans()), self.labels, "label"

    def _whose_spans(self) -> str | None:
        """None (everyone) when the team view is on, else the current annotator."""
        return None if self.everyone_action.isChecked() else self.editor.annotator

    def toggle_everyone(self) -> None:
        """Show every annotator's spans, or only the current annotator's (remembered)."""
        self.settings.setValue("view/everyone", self.everyone_action.isChecked())
        self.show_annotations()

    def step(self, delta: int) -> None:
        """Go to the next (1) or previous (-1) article in the list."""
        row = self.table.currentIndex().row()
        self._select_row(max(0, row + delta))

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.list_dock.show()
        self.filter_bar.search.setFocus()
        self.filter_bar.search.selectAll()

    # ------------------------------------------------------------------ annotator

    def _show_annotator(self) -> None:
        name = self.editor.annotator
        self.annotator_button.setText(f"Annotator: {name}")
        self.banner_text.setText(
            f"You are annotating as <b>{_escape(name)}</b>. Every annotation records this name."
        )

    def switch_annotator(self) -> None:
        """Ask for the annotator's name (existing ones offered) and switch to it."""
        names = choose_annotator_names(self.store.annotators(), self.editor.annotator)
        name, ok = QInputDialog.getItem(self, "Annotator", "Your name:", names, 0, True)
        if ok and name.strip():
            self.set_annotator(name.strip())

    def set_annotator(self, name: str) -> None:
        """Annotate as `name` from now on (remembered for the next start)."""
        if not self.store.read_only:  # a read-only window reads as anyone, records nothing
            self.store.ensure_annotator(name)
        self.editor.switch_annotator(name)
        self._update_undo_actions()
        self.settings.setValue("annotator", name)
        self.settings.setValue("annotator_confirmed", True)
        self.annotator_banner.hide()
        self._show_annotator()
        self.table_model.set_annotator(name)
        self.refresh_filter_choices()
        current = self.article.id if self.article else None
        self.article = None
        self._restore_selection(current)

    # ------------------------------------------------------------------ layout

    def restore_layout(self) -> None:
        """Put the window and panels where they were last time."""
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        if state is not None:
            self.restoreState(state)
        else:
            # First start: room for the list's columns, and for the whole label palette.
            self.resizeDocks(
                [self.list_dock, self.labels_dock], [560, 300], Qt.Orientation.Horizontal
            )
            self.resizeDocks(
                [self.labels_dock, self.annotations_dock], [560, 260], Qt.Orientation.Vertical
            )

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the layout; let a running import finish its batch first."""
        if self.import_job is not None and self.import_job.running:
            self.import_job.cancel()
            self.import_job.wait()
        if self.merge_job is not None:
            self.merge_job.wait()  # one transaction: it commits whole, or not at all
        if self.agreement_window is not None:
            self.agreement_window.wait()  # it reads the store on a thread
        if self.export_job is not None:
            self.export_job.wait()  # the file is renamed into place when it is whole
        self.backup_on_close()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()
        super().closeEvent(event)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
