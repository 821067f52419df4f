"""The window's import commands: dialogs, drag and drop, the background job."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop_app.core.importers import FieldMapping
from desktop_app.core.model import ImportReport
from desktop_app.ui.dialogs import ImportOptionsDialog
from desktop_app.ui.import_worker import ImportJob
from desktop_app.ui.notices import show_notice
from desktop_app.ui.window_parts import WindowParts


class ImportExportActions(WindowParts):
    """Mixin for MainWindow: imports run in the background, from dialogs or dropped files."""

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
        again = partial(self.start_import, paths, fmt, mapping, annotator)
        if self.when_checked(again, "The import"):
            return None
        if self.store.read_only:
            return self._warn(f"Not imported: {self.store.read_only}")
        if self.import_job is not None and self.import_job.running:
            return self._warn("An import is already running.")
        job = ImportJob(
            self.store,
            paths,
            annotator or self.editor.annotator,
            fmt=fmt,
            mapping=mapping,
            per_user_files=annotator is None,  # doccano's per-user files name theirs
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
            self.import_report_box = show_notice(
                self,
                "Import",
                f"{report.summary()}.\n{len(report.problems)} inputs were not imported.",
                QMessageBox.Icon.Warning,
                details="\n".join(str(p) for p in report.problems[:2000]),
            )

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
