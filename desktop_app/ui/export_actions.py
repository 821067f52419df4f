"""File > Export: every format, on a background thread, saying what was not carried."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

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
        count = export_jsonl(store, path, flt, progress=progress)
        return ExportReport(articles=count, files=[str(path)])
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


class ExportController(Controller):
    """Exports follow the list's search and filters."""

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        super().__init__(context, shell)
        self.export_job: BackgroundJob | None = None
        self.export_report_box: QMessageBox | None = None
        self._action("&File", "&Export…", self.export_dialog, "Ctrl+E")
        context.project_closing.connect(self._finish)

    def _finish(self) -> None:
        if self.export_job is not None:
            self.export_job.wait()  # the file is renamed into place when it is whole

    def export_dialog(self) -> None:
        """Export the articles the list shows (search and filters apply), in a chosen format."""
        path, chosen = self.shell.dialogs.save_file(
            self.shell.window, "Export", "export.jsonl", ";;".join(EXPORT_FILTERS)
        )
        if path:
            self.start_export(Path(path), EXPORT_FILTERS.get(chosen, "jsonl"))

    def start_export(self, path: Path, fmt: str = "jsonl") -> None:
        """Export on a background thread; the window keeps painting, the bar counts articles."""
        if self.export_job is not None and self.export_job.isRunning():
            return self._warn("An export is already running.")
        flt = replace(self.shell.table_model.article_filter)
        total = self.store.count_articles(flt)
        work = partial(write_export, self.store, path, fmt, flt, self.context.annotator)
        job = BackgroundJob("export", counted=lambda report: work(progress=report))
        job.progress.connect(lambda done: self._export_progress(path, done, total))
        job.done.connect(lambda result: self._export_finished(path, result))
        self.export_job = job
        self.shell.progress.setRange(0, max(total, 1))
        self.shell.progress.setValue(0)
        self.shell.progress.show()
        self.shell.say(f"Exporting {total:,} articles to {path.name}…")
        job.start()

    def _export_progress(self, path: Path, done: int, total: int) -> None:
        # Per-annotator doccano files count each annotator's pass from 0 again.
        self.shell.progress.setValue(min(done, total))
        self.shell.say(f"Exporting to {path.name}: {done:,} of {total:,} articles")

    def export_to(self, path: Path, fmt: str = "jsonl") -> int:
        """Export now, on this thread (scripts and tests); returns the articles written."""
        flt = replace(self.shell.table_model.article_filter)
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
