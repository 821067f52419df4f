"""The main window: it builds the shared widgets, the project context and one controller per
feature, and wires them together. It holds no feature logic of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFrame,
    QHeaderView,
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

from desktop_app.core.store import Store
from desktop_app.ui.annotate_all_actions import AnnotateAllController
from desktop_app.ui.annotation_list import AnnotationList
from desktop_app.ui.annotator_actions import AnnotatorController
from desktop_app.ui.article_table import ArticleTableModel
from desktop_app.ui.article_view import ArticleView
from desktop_app.ui.bulk_actions import BulkController
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.edit_actions import EditController
from desktop_app.ui.export_actions import ExportController
from desktop_app.ui.file_dialogs import FileDialogs
from desktop_app.ui.filter_bar import FilterBar
from desktop_app.ui.find_actions import FindController
from desktop_app.ui.focus_actions import FocusController
from desktop_app.ui.gazetteer_actions import GazetteerController
from desktop_app.ui.help_actions import HelpController
from desktop_app.ui.history_actions import HistoryController
from desktop_app.ui.import_export_actions import ImportController
from desktop_app.ui.label_actions import LabelController
from desktop_app.ui.label_palette import LabelPalette, TagPanel
from desktop_app.ui.layout_actions import LayoutController
from desktop_app.ui.learned_actions import LearnedController
from desktop_app.ui.list_count import ArticleCountController
from desktop_app.ui.merge_actions import MergeController
from desktop_app.ui.opening_check import OpeningGate
from desktop_app.ui.overview_actions import OverviewController
from desktop_app.ui.preferences_actions import PreferencesController
from desktop_app.ui.project_actions import ProjectController
from desktop_app.ui.project_memory import ProjectMemoryController
from desktop_app.ui.reading_actions import ReadingController
from desktop_app.ui.relation_actions import RelationController
from desktop_app.ui.review_actions import ReviewController
from desktop_app.ui.safety_actions import SafetyController
from desktop_app.ui.shell import Shell
from desktop_app.ui.suggestion_actions import SuggestionController
from desktop_app.ui.team_actions import TeamController
from desktop_app.ui.welcome import WelcomeController

MENUS = ("&File", "&Edit", "&View", "&Article", "&Labels", "&Review", "&Tools", "&Help")


class _Forward:
    """A window attribute that lives on one of the window's parts (the context or a
    controller): scripts and tests that reach `window.store` or `window.undo` still find it.
    Read-only unless `writable`."""

    def __init__(self, part: str, name: str = "", writable: bool = False) -> None:
        self._part, self._name, self._writable = part, name, writable

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = self._name or name

    def __get__(self, window: object, owner: type | None = None) -> Any:
        if window is None:
            return self
        return getattr(getattr(window, self._part), self._name)

    def __set__(self, window: object, value: object) -> None:
        if not self._writable:
            raise AttributeError(f"{self._name} belongs to window.{self._part}: set it there")
        setattr(getattr(window, self._part), self._name, value)


class MainWindow(QMainWindow):
    """Marginalia's window over one project at a time; every edit goes through the core.

    Closing a project (close_project, or open_project of another) closes its store and so
    releases its lock; closing the window only settles it and leaves the store to its opener.
    """

    def __init__(
        self,
        store: Store,
        settings: QSettings,
        annotator: str,
        schema_path: Path | None = None,
        samples: Path | None = None,
    ) -> None:
        """`schema_path` (a new project's labels) and `samples` (the sample articles) come
        from the composition root; without them those choices are not offered."""
        super().__init__()
        self.settings = settings
        self._resources = (schema_path, samples)
        self.opening_notice: QMessageBox | None = None  # read-only, risky location
        self.context = ProjectContext(annotator, self)
        self.setWindowTitle(self.context.title())
        self.setAcceptDrops(True)
        self._build_widgets(annotator)
        self._build_controllers()
        self._build_menus()
        self._open(store)
        self.restore_layout()

    # ------------------------------------------------------------------ building

    def _build_widgets(self, annotator: str) -> None:
        self.filter_bar = FilterBar()
        self.table_model = ArticleTableModel(None, annotator, self)  # no project yet
        self.table = QTableView()
        self.table.setObjectName("articles")
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows: Article > Delete article… takes them all (the current row is read).
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
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
        center = QWidget()
        self._center_layout = QVBoxLayout(center)
        self._center_layout.addWidget(self.heading)
        self._center_layout.addWidget(self.view, 1)
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

        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.cancel_button = QPushButton("Cancel import")
        for widget in (self.progress, self.cancel_button):
            widget.hide()
            self.statusBar().addPermanentWidget(widget)

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

    def _build_controllers(self) -> None:
        """One controller per feature, each given what it uses. The order is the order in
        which they hear the context's signals: labels before the list that shows them,
        background writers before the safety that backs up after them."""
        context = self.context
        shell = Shell(
            self,
            self.table,
            self.table_model,
            self.filter_bar,
            self.view,
            self.heading,
            self.label_palette,
            self.tag_panel,
            self.annotation_list,
            self.progress,
            self.cancel_button,
            self.list_dock,
            self.labels_dock,
            self.annotations_dock,
            dialogs=FileDialogs(self.settings),
        )
        schema_path, samples = self._resources
        self.projects = ProjectController(context, shell, self.settings, self, schema_path)
        gate = OpeningGate(context, shell)
        self.labelling = LabelController(context, shell)
        self.reading = ReadingController(context, shell, self.settings)
        self.editing = EditController(context, shell, self.reading)
        self.finding = FindController(context, shell)
        self.learning = LearnedController(context, shell, self.settings, gate)  # stores, then…
        self.suggesting = SuggestionController(context, shell)  # …this draws
        self.relating = RelationController(context, shell, self.reading)
        below_text = self._center_layout.indexOf(self.view) + 1
        self._center_layout.insertWidget(below_text, self.finding.bar)
        self.annotator_switch = AnnotatorController(context, shell, self.settings)
        self.review = ReviewController(context, shell, self.reading)
        self.imports = ImportController(context, shell, self.reading, gate)
        self.exports = ExportController(context, shell)
        self.merges = MergeController(context, shell, self.reading, gate, self.imports)
        self.team = TeamController(context, shell, self.reading, self.settings)
        writers = (self.imports, self.merges, self.team)  # a restore waits for them
        self.safety = SafetyController(context, shell, self.reading, gate, writers)
        self.bulk = BulkController(context, shell, self.reading, self.team.adjudicator)
        self.annotate_all = AnnotateAllController(context, shell)
        self.history = HistoryController(context, shell)
        self.gazetteers = GazetteerController(context, shell)
        self.memory = ProjectMemoryController(context, shell, self.settings, self.reading)
        self.count = ArticleCountController(context, shell)
        starting = (self.projects.new_action, self.projects.open_action)
        self.welcome = WelcomeController(context, shell, self.imports, samples, starting)
        self._center_layout.addWidget(self.welcome.panel, 1)
        self.preferences = PreferencesController(context, shell, self.settings)
        self.focus = FocusController(context, shell)
        self.help = HelpController(context, shell)
        self.overview = OverviewController(context, shell)
        self.window_layout = LayoutController(context, shell, self.settings)  # after the docks
        self.labelling.labelUsed.connect(self.editing.use_label)
        self.reading.add_span_source(self.review)
        self._center_layout.insertWidget(0, self.annotator_switch.banner)
        self.statusBar().addPermanentWidget(self.annotator_switch.annotator_button)

    def _build_menus(self) -> None:
        """The menus, filled by the features in this order (each adds its own group)."""
        bar = self.menuBar()
        menus = {name: bar.addMenu(name) for name in MENUS}
        placed: tuple[Controller, ...] = (
            self.projects,
            self.imports,
            self.exports,
            self.merges,
            self.team,
            self.safety,
            self.editing,
            self.reading,
            self.finding,
            self.suggesting,
            self.learning,
            self.relating,
            self.overview,
            self.annotator_switch,
            self.labelling,
            self.bulk,
            self.annotate_all,
            self.history,
            self.gazetteers,
            self.review,
            self.preferences,
            self.focus,
            self.help,
        )
        for controller in placed:
            controller.place_actions(menus)
        menus["&File"].addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        menus["&File"].addAction(quit_action)

    # ------------------------------------------------------------------ projects

    def _open(self, store: Store) -> None:
        # Read before the opening check makes the project read-only for a moment.
        read_only = " (read-only)" if store.read_only else ""
        self.context.open(store)
        self.setWindowTitle(f"{self.context.title()}{read_only}")

    def open_project(self, store: Store) -> None:
        """Close the open project (its work finishes, its lock goes) and open `store` here."""
        self.close_project()
        if not store.read_only:
            store.ensure_annotator(self.context.annotator)
        self._open(store)

    def close_project(self) -> None:
        """Close the open project: background work finishes, the closing backup is taken,
        the store is closed (its lock released) and the window shows no project."""
        self.context.close()
        self.setWindowTitle(self.context.title())

    # ------------------------------------------------------------------ layout and events

    def restore_layout(self) -> None:
        """Put the window and panels where they were last time."""
        self.window_layout.restore()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Let the project settle (background work, the closing backup); remember the layout.
        The store stays open for whoever opened it."""
        self.context.settle()
        self.window_layout.save()
        super().closeEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Files dragged onto the window are the import's."""
        self.imports.drag_enter(event)

    def dropEvent(self, event: QDropEvent) -> None:
        """Files dropped on the window are imported."""
        self.imports.drop(event)

    # ------------------------------------------------------------------ forwards
    # Where scripts and tests reach the window for something a part of it now owns.

    store = _Forward("context")
    editor = _Forward("context")
    article = _Forward("context")
    labels = _Forward("context")
    reload_labels = _Forward("context")
    show_article = _Forward("reading")
    show_annotations = _Forward("reading")
    reload_list = _Forward("reading")
    refresh_filter_choices = _Forward("reading")
    toggle_everyone = _Forward("reading")
    everyone_action = _Forward("reading")
    _select_row = _Forward("reading", "select_row")
    _whose_spans = _Forward("reading", "whose_spans")
    undo = _Forward("editing")
    undo_action = _Forward("editing")
    select_span = _Forward("editing")
    toggle_tag = _Forward("editing")
    label_actions = _Forward("labelling")
    load_schema = _Forward("labelling")
    _labels_replaced = _Forward("labelling")
    _check_label = _Forward("labelling")
    delete_label_dialog = _Forward("bulk")
    delete_own_annotations = _Forward("bulk")
    switch_annotator = _Forward("annotator_switch")
    set_annotator = _Forward("annotator_switch")
    annotator_button = _Forward("annotator_switch")
    start_import = _Forward("imports")
    cancel_import = _Forward("imports")
    import_options_dialog = _Forward("imports")
    import_job = _Forward("imports")
    import_report_box = _Forward("imports")
    last_import = _Forward("imports", writable=True)
    export_dialog = _Forward("exports")
    export_to = _Forward("exports")
    start_export = _Forward("exports")
    export_job = _Forward("exports")
    export_report_box = _Forward("exports")
    _export_progress = _Forward("exports")
    start_merge = _Forward("merges")
    sample_dialog = _Forward("merges")
    merge_job = _Forward("merges")
    merge_report_box = _Forward("merges")
    merge_failure_box = _Forward("merges")
    start_review = _Forward("review")
    open_agreement = _Forward("review")
    agreement_window = _Forward("review")
    review_panel = _Forward("review")
    review_dock = _Forward("review")
    review_items = _Forward("review")
    backups_dialog = _Forward("safety")
    periodic_backup = _Forward("safety")
    watch_file = _Forward("safety")
    _checked = _Forward("safety")
    check_job = _Forward("safety")
    backup_job = _Forward("safety")
    backup_timer = _Forward("safety")
    file_timer = _Forward("safety")
    backups_window = _Forward("safety")
    damage_notice = _Forward("safety")
