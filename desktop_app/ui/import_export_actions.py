"""Importing: dialogs, drag and drop, the background job."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QMessageBox

from desktop_app.core.importers import FieldMapping
from desktop_app.core.model import ImportReport
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.dialogs import ImportOptionsDialog
from desktop_app.ui.import_worker import ImportJob
from desktop_app.ui.notices import show_notice
from desktop_app.ui.ports import Navigator, OpeningCheck
from desktop_app.ui.shell import Shell


class ImportController(Controller):
    """Imports run in the background, from dialogs or dropped files; one at a time."""

    def __init__(
        self,
        context: ProjectContext,
        shell: Shell,
        navigator: Navigator,
        opening_check: OpeningCheck,
    ) -> None:
        super().__init__(context, shell)
        self.navigator = navigator
        self.opening_check = opening_check
        self.import_job: ImportJob | None = None
        self.last_import: ImportReport | None = None
        self.import_report_box: QMessageBox | None = None
        self._action("&File", "&Import files…", self.import_files_dialog, "Ctrl+I")
        self._action("&File", "Import &folder…", self.import_folder_dialog, "Ctrl+Shift+I")
        self._action(
            "&File", "Import &with options (format, JSONL/CSV fields)…", self.import_options_dialog
        )
        shell.cancel_button.clicked.connect(self.cancel_import)
        context.project_closing.connect(self._finish)

    def busy(self) -> str:
        """What this feature is writing now ("" when nothing)."""
        job = self.import_job
        return "an import is running" if job is not None and job.isRunning() else ""

    def _finish(self) -> None:
        # The project is closing: stop after the current batch (each batch commits whole).
        if self.import_job is not None and self.import_job.running:
            self.import_job.cancel()
            self.import_job.wait()

    def import_files_dialog(self) -> None:
        """Choose files to import."""
        files = self.shell.dialogs.open_files(
            self.shell.window,
            "Import articles",
            "Articles and exports (*.txt *.ann *.jsonl *.ndjson *.csv *.tsv *.json *.conll "
            "*.qdpx *.zip)",
        )
        if files:
            self.start_import(files)

    def import_folder_dialog(self) -> None:
        """Choose a folder to import, recursively."""
        folder = self.shell.dialogs.existing_folder(
            self.shell.window, "Import a folder of articles"
        )
        if folder:
            self.start_import([folder])

    def import_options_dialog(self) -> None:
        """Choose files, then their format and JSONL/CSV field mapping, and import them."""
        files = self.shell.dialogs.open_files(self.shell.window, "Import articles", "All files (*)")
        if not files:
            return
        options = ImportOptionsDialog(len(files), self.shell.window)
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
        if not self.context.is_open:
            return self._warn("Open a project first.")
        again = partial(self.start_import, paths, fmt, mapping, annotator)
        if self.opening_check.when_checked(again, "The import"):
            return None
        if self.store.read_only:
            return self._warn(f"Not imported: {self.store.read_only}")
        if self.import_job is not None and self.import_job.running:
            return self._warn("An import is already running.")
        job = ImportJob(
            self.store,
            paths,
            annotator or self.context.annotator,
            fmt=fmt,
            mapping=mapping,
            per_user_files=annotator is None,  # doccano's per-user files name theirs
        )
        store = self.store
        job.progress.connect(self._import_progress)
        job.done.connect(lambda report: self._import_finished(report, store))
        self.import_job = job
        self.shell.progress.setRange(0, 0)
        self.shell.progress.show()
        self.shell.cancel_button.show()
        job.start()

    def _import_progress(self, done: int, total: int, what: str) -> None:
        progress = self.shell.progress
        progress.setRange(0, max(total, 1))
        progress.setValue(done)
        progress.setFormat(f"{done}/{total} files")
        self.shell.say(f"Importing {Path(what).name}…")

    def cancel_import(self) -> None:
        """Stop the running import after its current batch."""
        if self.import_job:
            self.import_job.cancel()

    def _import_finished(self, report: ImportReport, store: object = None) -> None:
        if self.import_job:
            self.import_job.wait()
        self.shell.progress.hide()
        self.shell.cancel_button.hide()
        shown = self.context.is_open and self.context.store is store  # (else: it was closed)
        if shown:
            self.context.reload_labels()
        # The list on the event loop's next turn: recounting a million-row list and
        # repainting the labels in one turn would hold the window for over 100 ms.
        QTimer.singleShot(0, self, lambda: self._show_import_report(report, shown))

    def _show_import_report(self, report: ImportReport, shown: bool = True) -> None:
        """Reload the list, then say what the import did (last_import marks it all done)."""
        if shown and self.context.is_open:
            self.navigator.reload_list()
        self.last_import = report
        self.shell.say(f"Import: {report.summary()}", 15000)
        if report.problems:
            self.import_report_box = show_notice(
                self.shell.window,
                "Import",
                f"{report.summary()}.\n{len(report.problems)} inputs were not imported.",
                QMessageBox.Icon.Warning,
                details="\n".join(str(p) for p in report.problems[:2000]),
            )

    def drag_enter(self, event: QDragEnterEvent) -> None:
        """Accept files and folders dragged onto the window."""
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def drop(self, event: QDropEvent) -> None:
        """Import what was dropped."""
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.start_import(paths)
