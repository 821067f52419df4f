"""The main window: article list, article text, label palette, tags and annotation list."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
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
from desktop_app.core.exporters.jsonl import ExportError, export_jsonl
from desktop_app.core.importers import FieldMapping
from desktop_app.core.model import (
    DOCUMENT,
    SPAN,
    Article,
    ArticleFilter,
    ImportReport,
    Label,
    Status,
)
from desktop_app.core.schema import SchemaError, load_schema, next_free_color, validate_labels
from desktop_app.core.store import Store, StoreError
from desktop_app.ui.annotation_list import AnnotationList
from desktop_app.ui.article_table import ArticleTableModel
from desktop_app.ui.article_view import ArticleView
from desktop_app.ui.dialogs import ImportOptionsDialog, LabelDialog, choose_annotator_names
from desktop_app.ui.filter_bar import FilterBar
from desktop_app.ui.import_worker import ImportJob
from desktop_app.ui.label_palette import LabelPalette, TagPanel


class MainWindow(QMainWindow):
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
        self.setWindowTitle(f"Marginalia — {store.path.name if store.path else 'in memory'}")
        self.setAcceptDrops(True)
        self._build_widgets()
        self._build_actions()
        self._connect()
        self.reload_labels()
        self.restore_layout()
        self._select_row(0)
        if not settings.value("annotator_confirmed", False, type=bool):
            self.annotator_banner.show()

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
            name: bar.addMenu(name) for name in ("&File", "&Edit", "&View", "&Article", "&Labels")
        }
        a = self._action
        a("&File", "&Import files…", self.import_files_dialog, "Ctrl+I")
        a("&File", "Import &folder…", self.import_folder_dialog, "Ctrl+Shift+I")
        a("&File", "Import &with options (format, JSONL/CSV fields)…", self.import_options_dialog)
        a("&File", "&Export JSONL…", self.export_dialog, "Ctrl+E")
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
        a("&Labels", "&Add label…", self.add_label_dialog)
        a("&Labels", "&Edit label…", self.edit_label_dialog)
        a("&Labels", "&Load schema…", self.load_schema_dialog)
        self._menus["&Labels"].addSeparator()
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

    # ------------------------------------------------------------------ labels

    def reload_labels(self) -> None:
        """Re-read the project's labels into the palette, tag panel, filters and key actions."""
        labels = self.store.labels()
        self.labels = {label.name: label for label in labels}
        self.label_palette.set_labels([label for label in labels if label.kind == SPAN])
        self.tag_panel.set_labels([label for label in labels if label.kind == DOCUMENT])
        for action in self.label_actions:
            self.removeAction(action)
            self._menus["&Labels"].removeAction(action)
        self.label_actions = []
        for label in labels:
            verb = "Label" if label.kind == SPAN else "Toggle tag"
            action = QAction(f"{verb} {label.name}", self)
            if label.key:
                action.setShortcut(QKeySequence(label.key))
            action.triggered.connect(lambda _=False, lb=label: self.use_label(lb))
            self.addAction(action)  # window-wide, so the key works wherever focus is
            self._menus["&Labels"].addAction(action)
            self.label_actions.append(action)
        self.refresh_filter_choices()
        self.show_annotations()

    def refresh_filter_choices(self) -> None:
        """Offer the current tags, labels and annotators in the filters."""
        self.filter_bar.set_choices(
            [n for n, lb in self.labels.items() if lb.kind == DOCUMENT],
            [n for n, lb in self.labels.items() if lb.kind == SPAN],
            self.store.annotators(),
        )

    def use_label(self, label: Label) -> None:
        """A label's key or menu entry: label the selection, or toggle the tag."""
        if label.kind == SPAN:
            self.apply_label(label.name)
        elif self.article is not None:
            box = self.tag_panel.boxes.get(label.name)
            self.toggle_tag(label.name, not (box.isChecked() if box else False))

    def _check_label(self, label: Label, old_name: str | None) -> None:
        others = [lb for name, lb in self.labels.items() if name != (old_name or label.name)]
        validate_labels([*others, label], "label")

    def add_label_dialog(self) -> None:
        """Add a span label or document tag to the project."""
        dialog = LabelDialog(
            lambda lb: self._check_label(lb, None),
            default_color=next_free_color(lb.color for lb in self.labels.values()),
            parent=self,
        )
        if dialog.exec() and dialog.result_label:
            if dialog.result_label.name in self.labels:
                QMessageBox.warning(self, "Add label", "A label with that name exists.")
                return
            self.store.save_label(dialog.result_label)
            self.reload_labels()
            self.statusBar().showMessage(f"Added label {dialog.result_label.name}", 6000)

    def edit_label_dialog(self) -> None:
        """Edit a label chosen from the list (renaming carries over to its annotations)."""
        names = list(self.labels)
        name, ok = QInputDialog.getItem(self, "Edit label", "Label:", names, 0, False)
        if not ok or name not in self.labels:
            return
        dialog = LabelDialog(lambda lb: self._check_label(lb, name), self.labels[name], parent=self)
        if dialog.exec() and dialog.result_label:
            try:
                self.store.save_label(dialog.result_label, old_name=name)
            except StoreError as error:
                QMessageBox.warning(self, "Edit label", str(error))
                return
            if dialog.result_label.name != name:
                self._labels_replaced()
            self.reload_labels()

    def _labels_replaced(self) -> None:
        # Undo steps name labels; after a rename or a new schema they may name none.
        self.editor.clear_history()
        self._update_undo_actions()

    def load_schema_dialog(self) -> None:
        """Replace the project's labels with a YAML schema file's."""
        path, _ = QFileDialog.getOpenFileName(self, "Load label schema", "", "YAML (*.yaml *.yml)")
        if path:
            self.load_schema(Path(path))

    def load_schema(self, path: Path) -> bool:
        """Load a schema file into the project; errors name the file, line and key."""
        try:
            kept = self.store.apply_schema(load_schema(path))
        except (SchemaError, StoreError) as error:
            QMessageBox.warning(self, "Label schema", str(error))
            return False
        self._labels_replaced()
        self.reload_labels()
        message = f"Loaded label schema {path.name}"
        if kept:
            message += f"; kept {', '.join(kept)} (still used by annotations)"
        self.statusBar().showMessage(message, 8000)
        return True

    # ------------------------------------------------------------------ list and article

    def apply_filter(self) -> None:
        """Show the articles that match the search and filters."""
        current = self.article.id if self.article else None
        try:
            self.table_model.set_filter(self.filter_bar.current_filter())
        except StoreError as error:
            self.statusBar().showMessage(str(error), 8000)
            return
        self._restore_selection(current)

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
            spans = self.store.spans(article_id, self._whose_spans())
            self.view.show_article(self.article.text, spans, self.labels)
        self.show_annotations()

    def show_annotations(self) -> None:
        """Repaint spans, the annotation list, tags and heading from the store."""
        if self.article is None:
            return
        article = self.article
        spans = self.store.spans(article.id, self._whose_spans())
        selected = self.view.selected_span()
        self.view.set_spans(spans, self.labels)
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

    # ------------------------------------------------------------------ edits

    def _saved(self, message: str) -> None:
        # Only called after the store has committed: "saved" is never a promise.
        if _depends_on_annotations(self.table_model.article_filter):
            self.reload_list()  # the edit may have moved the article in or out of the list
        else:
            self.table_model.refresh_rows()
        self._update_undo_actions()
        self.statusBar().showMessage(f"Saved: {message}", 5000)

    def _warn(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    @contextmanager
    def _edit(self) -> Iterator[None]:
        """Run an edit; if the store refuses it, say so and show what is really stored."""
        try:
            yield
        except StoreError as error:
            self._warn(f"Not saved: {error}")
            self.show_annotations()
            self._update_undo_actions()

    def apply_label(self, name: str) -> None:
        """Label the selected text (or relabel the selected span) with `name`."""
        if self.article is None:
            return self._warn("Open an article first.")
        selection = self.view.selected_range()
        if selection is None:
            if self.view.selected_span():
                span_uuid = self._own_selected_span()
                return self.relabel_span(span_uuid, name) if span_uuid else None
            return self._warn("Select some text first, then press the label's key.")
        start, end = _trim(self.article.text, *selection)
        if start >= end:
            return self._warn("The selection is only white space.")
        with self._edit():
            span = self.editor.add_span(self.article.id, start, end, name)
            self.view.set_selected_span(span.uuid)
            self.show_annotations()
            self.view.select_range(end, end)
            self._saved(f"{name} “{_clip(span.quote)}”")

    def _own_selected_span(self) -> str | None:
        span_uuid = self.view.selected_span()
        if not span_uuid:
            self._warn("Click a span first.")
            return None
        span = self.store.span(span_uuid)
        if span.annotator != self.editor.annotator:
            self._warn(f"That span is {span.annotator}'s; switch annotator to change it.")
            return None
        return span_uuid

    def relabel_span(self, span_uuid: str, name: str) -> None:
        """Give a span another label."""
        with self._edit():
            span = self.editor.relabel_span(span_uuid, name)
            self.show_annotations()
            self._saved(f"relabelled “{_clip(span.quote)}” as {name}")

    def delete_selected_span(self) -> None:
        """Delete the selected span (Delete key)."""
        span_uuid = self._own_selected_span()
        if span_uuid:
            with self._edit():
                span = self.editor.delete_span(span_uuid)
                self.view.set_selected_span(None)
                self.show_annotations()
                self._saved(f"deleted {span.label} “{_clip(span.quote)}”")

    def relabel_selected_span(self) -> None:
        """Choose another label for the selected span."""
        span_uuid = self._own_selected_span()
        if not span_uuid:
            return
        names = [n for n, lb in self.labels.items() if lb.kind == SPAN]
        current = self.store.span(span_uuid).label
        at = names.index(current) if current in names else 0
        name, ok = QInputDialog.getItem(self, "Relabel span", "Label:", names, at, False)
        if ok and name:
            self.relabel_span(span_uuid, name)

    def edit_selected_note(self) -> None:
        """Write or change the note on the selected span (F2)."""
        span_uuid = self._own_selected_span()
        if not span_uuid:
            return
        span = self.store.span(span_uuid)
        note, ok = QInputDialog.getMultiLineText(
            self, "Span note", f"Note on “{_clip(span.quote)}”:", span.note
        )
        if ok:
            with self._edit():
                self.editor.set_span_note(span_uuid, note)
                self.show_annotations()
                self._saved(f"note on “{_clip(span.quote)}”")

    def toggle_tag(self, name: str, present: bool) -> None:
        """Put a document tag on the article or take it off."""
        if self.article is None:
            return
        with self._edit():
            changed = self.editor.set_tag(self.article.id, name, present)
            self.show_annotations()
            if changed:
                self._saved(f"{'tagged' if present else 'untagged'} {name}")

    def set_status(self, status: str) -> bool:
        """Set the current annotator's status on the article; False if it was not saved."""
        if self.article is None:
            return False
        with self._edit():
            self.editor.set_status(self.article.id, status)
            self.show_annotations()
            self._saved(f"marked {status}")
            return True
        return False

    def mark_done_and_next(self) -> None:
        """Mark the article done and move to the next one (Ctrl+Return)."""
        following = self.table_model.row_at(self.table.currentIndex().row() + 1)
        if not self.set_status(Status.DONE):
            return
        # By id, not by row: under a "todo" filter the done article has just left the list.
        row = self.table_model.row_of(following.id) if following else None
        if row is not None:
            self._select_row(row)

    def select_span(self, span_uuid: str) -> None:
        """A span was clicked in the text: select it in the list too."""
        self.view.set_selected_span(span_uuid or None)
        self.annotation_list.select_span(span_uuid or None)

    def jump_to_span(self, span_uuid: str) -> None:
        """A span was chosen in the annotation list: show it in the text."""
        self.view.set_selected_span(span_uuid)
        self.view.scroll_to_span(span_uuid)

    def _update_undo_actions(self) -> None:
        self.undo_action.setEnabled(self.editor.can_undo())
        self.redo_action.setEnabled(self.editor.can_redo())
        self.undo_action.setText(f"&Undo {self.editor.undo_text()}".rstrip())
        self.redo_action.setText(f"&Redo {self.editor.redo_text()}".rstrip())

    def _after_history(self, article_id: int | None, verb: str) -> None:
        if article_id is None:
            return
        if self.article is None or self.article.id != article_id:
            row = self.table_model.row_of(article_id)
            if row is not None:
                self._select_row(row)
            else:
                self.show_article(article_id)
        self.show_annotations()
        self._saved(verb)

    def undo(self) -> None:
        """Take back the last edit, on whichever article it was."""
        what = self.editor.undo_text()
        with self._edit():
            self._after_history(self.editor.undo(), f"undid {what}")

    def redo(self) -> None:
        """Do the last undone edit again."""
        what = self.editor.redo_text()
        with self._edit():
            self._after_history(self.editor.redo(), f"redid {what}")

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

    # ------------------------------------------------------------------ import / export

    def import_files_dialog(self) -> None:
        """Choose files to import."""
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import articles", "", "Articles (*.txt *.jsonl *.ndjson *.csv *.tsv)"
        )
        if files:
            self.start_import(files)

    def import_folder_dialog(self) -> None:
        """Choose a folder to import, recursively."""
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of articles")
        if folder:
            self.start_import([folder])

    def import_options_dialog(self) -> None:
        """Choose files, then their format and JSONL/CSV field mapping, and import them."""
        files, _ = QFileDialog.getOpenFileNames(self, "Import articles", "", "All files (*)")
        if not files:
            return
        options = ImportOptionsDialog(len(files), self)
        if options.exec():
            self.start_import(
                files,
                fmt=options.chosen_format(),
                mapping=options.mapping(),
                annotator=options.annotator.text().strip() or None,
            )

    def start_import(
        self,
        paths: Sequence[str | Path],
        fmt: str = "auto",
        mapping: FieldMapping | None = None,
        annotator: str | None = None,
    ) -> None:
        """Import in the background with a progress bar; the window stays usable."""
        if self.import_job is not None and self.import_job.running:
            return self._warn("An import is already running.")
        job = ImportJob(
            self.store, paths, annotator or self.editor.annotator, fmt=fmt, mapping=mapping
        )
        job.progress.connect(self._import_progress)
        job.done.connect(self._import_finished)
        self.import_job = job
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        job.start()

    def _import_progress(self, done: int, total: int, what: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done}/{total} files")
        self.statusBar().showMessage(f"Importing {Path(what).name}…")

    def cancel_import(self) -> None:
        """Stop the running import after its current batch."""
        if self.import_job:
            self.import_job.cancel()

    def _import_finished(self, report: ImportReport) -> None:
        if self.import_job:
            self.import_job.wait()
        self.progress.hide()
        self.cancel_button.hide()
        self.last_import = report
        self.reload_labels()
        self.reload_list()
        self.statusBar().showMessage(f"Import: {report.summary()}", 15000)
        if report.problems:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Import",
                f"{report.summary()}.\n{len(report.problems)} inputs were not imported.",
                QMessageBox.StandardButton.Close,
                self,
            )
            box.setDetailedText("\n".join(str(p) for p in report.problems[:2000]))
            box.setModal(False)
            box.show()  # not exec(): the window stays usable while the report is read
            self.import_report_box = box

    def export_dialog(self) -> None:
        """Export the articles the list shows (search and filters apply) to JSONL."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Export JSONL", "export.jsonl", "JSONL (*.jsonl)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> int:
        """Write the filtered articles to `path`; returns the count (0 on error)."""
        flt = replace(self.table_model.article_filter)
        try:
            count = export_jsonl(self.store, path, flt)
        except ExportError as error:
            QMessageBox.warning(self, "Export", str(error))
            return 0
        self.statusBar().showMessage(f"Exported {count} articles to {path}", 10000)
        return count

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept files and folders dragged onto the window."""
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Import what was dropped."""
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.start_import(paths)

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
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()
        super().closeEvent(event)


def _depends_on_annotations(flt: ArticleFilter) -> bool:
    """Whether an edit can change which articles this filter shows."""
    return bool(flt.tag or flt.label or flt.annotator or flt.status)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop white space at the edges of a selection (double-click often takes a space)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _clip(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
