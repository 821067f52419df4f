"""File > Export: every format, on a background thread, saying what was not carried."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop_app.core.exporters.brat import export_brat
from desktop_app.core.exporters.conll import export_conll
from desktop_app.core.exporters.csv_rows import export_csv
from desktop_app.core.exporters.doccano import export_doccano
from desktop_app.core.exporters.jsonl import export_jsonl
from desktop_app.core.exporters.labelstudio import export_labelstudio
from desktop_app.core.exporters.output import (
    ExportError,
    ExportReport,
    output_paths,
    refuse_project_paths,
)
from desktop_app.core.exporters.refi import export_refi
from desktop_app.core.model import ArticleFilter
from desktop_app.core.store import Store
from desktop_app.ui import export_scope
from desktop_app.ui.background import BackgroundJob
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.notices import show_notice
from desktop_app.ui.shell import Shell

# File > Export's choices (the file dialog's filters) and the format each one writes.
EXPORT_FILTERS = {
    "Marginalia JSONL, everything (*.jsonl)": "jsonl",
    "doccano JSONL, entities and document labels (*.jsonl)": "doccano",
    "doccano JSONL, label triples (*.jsonl)": "doccano-label",
    "Label Studio JSON, with its labeling config (*.json)": "labelstudio",
    "CoNLL BIO2, your spans, one tag per token (*.conll)": "conll",
    "brat standoff, a folder named like this file (*)": "brat",
    "REFI-QDA project for QualCoder, MAXQDA, ATLAS.ti, NVivo (*.qdpx)": "refi",
    "CSV, one row per span or tag, for spreadsheets (*.csv)": "csv",
    "CSV, cells as they are, formulas not guarded (*.csv)": "csv-raw",
}


def write_export(
    store: Store,
    path: Path,
    fmt: str,
    flt: ArticleFilter,
    annotator: str,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Run one exporter (any thread); the native JSONL count becomes a report too.

    `progress` is called with the number of articles written so far, now and then. An output
    that would overwrite the project, its own files or its backups is refused (ExportError).
    """
    for target, folder in output_paths(fmt, path):
        refuse_project_paths(store.path, target, folder)
    if fmt == "jsonl":
        return export_jsonl(store, path, flt, progress=progress)
    if fmt in ("csv", "csv-raw"):
        return export_csv(store, path, flt, bom=True, progress=progress, formula_guard=fmt == "csv")
    if fmt == "labelstudio":
        return export_labelstudio(store, path, flt, progress=progress)
    if fmt == "refi":
        return export_refi(store, path, flt, progress=progress)
    if fmt == "brat":
        return export_brat(store, path, flt, progress=progress)
    if fmt == "conll":
        return export_conll(store, path, flt, annotator=annotator, progress=progress)
    shape = "label" if fmt == "doccano-label" else "entities"
    return export_doccano(store, path, flt, shape, progress=progress)


class KeepShortcut(QObject):
    """Refuses the focused widget's claim on these actions' keys inside `window`, so each
    action's shortcut fires wherever the focus is."""

    def __init__(self, window: QWidget, actions: list[QAction]) -> None:
        super().__init__(window)
        self._window, self._actions = window, actions
        # On the focused widget only (it alone is asked), not on every event of the app.
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focused)

    def _focused(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and new.window() is self._window:
            new.installEventFilter(self)  # again moves it first, before the widget's others

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Swallow a ShortcutOverride for a kept key (unaccepted, so the shortcut runs)."""
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self._window:
            return False
        pressed = QKeySequence(event.keyCombination())
        return any(
            action.isEnabled() and not action.shortcut().isEmpty() and action.shortcut() == pressed
            for action in self._actions
        )


class ExportController(Controller):
    """Exports write the scope the analyst chose (the list as filtered, all, done, one
    annotator's), and say it."""

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        super().__init__(context, shell)
        self.export_job: BackgroundJob | None = None
        self.export_report_box: QMessageBox | None = None
        # A lambda, so the action always calls the current method (tests replace it).
        self.export_action = self._action(
            "&File", "&Export…", lambda: self.export_dialog(), "Ctrl+E"
        )
        # Window-wide, and taken before a focused editor's own Ctrl+E (on X11 a line edit
        # claims it as "end of line", so Export did nothing from the search box).
        self.export_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self._guard = KeepShortcut(shell.window, [self.export_action])
        context.project_closing.connect(self._finish)

    def _finish(self) -> None:
        if self.export_job is not None:
            self.export_job.wait()  # the file is renamed into place when it is whole

    def ask_scope(self) -> export_scope.Scope | None:
        """Ask which articles to export, each choice with its count; None when cancelled."""
        flt = self.shell.table_model.article_filter
        scopes = export_scope.export_scopes(self.store, flt, self.context.annotator)
        return export_scope.ask_scope(self.shell.window, scopes)

    def export_dialog(self) -> None:
        """Export the chosen articles (the list as filtered, all, done...) in a chosen format."""
        scope = self.ask_scope()
        if scope is None:
            return
        path, chosen = self.shell.dialogs.save_file(
            self.shell.window, "Export", "export.jsonl", ";;".join(EXPORT_FILTERS)
        )
        if path:
            self.start_export(Path(path), EXPORT_FILTERS.get(chosen, "jsonl"), scope)

    def _filter(self, scope: export_scope.Scope | None) -> tuple[ArticleFilter, str]:
        if scope is not None:
            return replace(scope.flt), scope.label.split(":")[0].lower()
        return replace(self.shell.table_model.article_filter), "the list as shown"

    def start_export(
        self, path: Path, fmt: str = "jsonl", scope: export_scope.Scope | None = None
    ) -> None:
        """Export on a background thread; the window keeps painting, the bar counts articles.
        Without a scope, the list as it is filtered now is exported."""
        if self.export_job is not None and self.export_job.isRunning():
            return self._warn("An export is already running.")
        flt, what = self._filter(scope)
        total = self.store.count_articles(flt)
        work = partial(write_export, self.store, path, fmt, flt, self.context.annotator)
        job = BackgroundJob("export", counted=lambda report: work(progress=report))
        job.progress.connect(lambda done: self._export_progress(path, done, total))
        job.done.connect(lambda result: self._export_finished(path, result))
        self.export_job = job
        self.shell.progress.setRange(0, max(total, 1))
        self.shell.progress.setValue(0)
        self.shell.progress.show()
        self.shell.say(f"Exporting {total:,} articles ({what}) to {path.name}…")
        job.start()

    def _export_progress(self, path: Path, done: int, total: int) -> None:
        # Per-annotator doccano files count each annotator's pass from 0 again.
        self.shell.progress.setValue(min(done, total))
        self.shell.say(f"Exporting to {path.name}: {done:,} of {total:,} articles")

    def export_to(
        self, path: Path, fmt: str = "jsonl", scope: export_scope.Scope | None = None
    ) -> int:
        """Export now, on this thread (scripts and tests); returns the articles written."""
        flt, _ = self._filter(scope)
        try:
            result: object = write_export(self.store, path, fmt, flt, self.context.annotator)
        except ExportError as error:
            result = error
        return self._report_export(path, result)

    def _export_finished(self, path: Path, result: object) -> None:
        if self.export_job is not None:
            self.export_job.wait()
        self.shell.progress.hide()
        self._report_export(path, result)

    def _report_export(self, path: Path, result: object) -> int:
        """Say what was written and what the format could not carry; 0 on failure."""
        if not isinstance(result, ExportReport):
            self.shell.say(f"Export failed: {result}", 15000)
            self._show_box(QMessageBox.Icon.Warning, f"The export was not written.\n\n{result}")
            return 0
        self.shell.say(f"Exported to {path}: {result.summary()}", 15000)
        if result.not_carried:
            self._show_box(QMessageBox.Icon.Information, f"{result.summary()}.")
        return result.articles

    def _show_box(self, icon: QMessageBox.Icon, text: str) -> None:
        self.export_report_box = show_notice(self.shell.window, "Export", text, icon)
