"""The window's import and export commands: dialogs, drag and drop, the background job."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop_app.core.exporters.brat import export_brat
from desktop_app.core.exporters.conll import export_conll
from desktop_app.core.exporters.csv_rows import export_csv
from desktop_app.core.exporters.doccano import export_doccano
from desktop_app.core.exporters.jsonl import ExportError, export_jsonl
from desktop_app.core.exporters.labelstudio import export_labelstudio
from desktop_app.core.exporters.refi import export_refi
from desktop_app.core.importers import FieldMapping
from desktop_app.core.model import ImportReport
from desktop_app.ui.dialogs import ImportOptionsDialog
from desktop_app.ui.import_worker import ImportJob
from desktop_app.ui.window_parts import WindowParts

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
}


class ImportExportActions(WindowParts):
    """Mixin for MainWindow: imports run in the background; exports follow the list's filter."""

    export_report_box: QMessageBox | None = None

    def import_files_dialog(self) -> None:
        """Choose files to import."""
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import articles",
            "",
            "Articles and exports (*.txt *.ann *.jsonl *.ndjson *.csv *.tsv *.json *.conll "
            "*.qdpx *.zip)",
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
        self.reload_labels()
        # The list on the event loop's next turn: recounting a million-row list and
        # repainting the labels in one turn would hold the window for over 100 ms.
        QTimer.singleShot(0, self, lambda: self._show_import_report(report))

    def _show_import_report(self, report: ImportReport) -> None:
        """Reload the list, then say what the import did (last_import marks it all done)."""
        self.reload_list()
        self.last_import = report
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
        """Export the articles the list shows (search and filters apply), in a chosen format."""
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export", "export.jsonl", ";;".join(EXPORT_FILTERS)
        )
        if path:
            self.export_to(Path(path), EXPORT_FILTERS.get(chosen, "jsonl"))

    def export_to(self, path: Path, fmt: str = "jsonl") -> int:
        """Write the filtered articles to `path` as `fmt`; returns the count (0 on error).

        What the format cannot carry is said in the status bar (and in a message when there
        is any), never dropped silently.
        """
        flt = replace(self.table_model.article_filter)
        try:
            if fmt == "jsonl":
                count = export_jsonl(self.store, path, flt)
                self.statusBar().showMessage(f"Exported {count} articles to {path}", 10000)
                return count
            if fmt == "csv":
                report = export_csv(self.store, path, flt, bom=True)
            elif fmt == "labelstudio":
                report = export_labelstudio(self.store, path, flt)
            elif fmt == "refi":
                report = export_refi(self.store, path, flt)
            elif fmt == "brat":
                report = export_brat(self.store, path, flt)
            elif fmt == "conll":
                report = export_conll(self.store, path, flt, annotator=self.editor.annotator)
            else:
                shape = "label" if fmt == "doccano-label" else "entities"
                report = export_doccano(self.store, path, flt, shape)
        except ExportError as error:
            QMessageBox.warning(self, "Export", str(error))
            return 0
        self.statusBar().showMessage(f"Exported to {path}: {report.summary()}", 15000)
        if report.not_carried:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                "Export",
                f"{report.summary()}.",
                QMessageBox.StandardButton.Close,
                self,
            )
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setModal(False)
            box.show()
            self.export_report_box = box
        return report.articles

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
