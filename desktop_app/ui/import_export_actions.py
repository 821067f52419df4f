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
from desktop_app.core.plural import counted
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.dialogs import ImportOptionsDialog
from desktop_app.ui.import_report import LISTED, ImportReportDialog
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
        self.report_window: ImportReportDialog | None = None
        self._action("&File", "Last import &report", self.show_last_report)
        self._action("&File", "&Undo last import…", self.undo_last_import)
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

    def show_last_report(self) -> None:
        """File > Last import report: every part of the last import's result, in tables."""
        report = self.last_import
        if report is None:
            return self._warn("No import has run since the project was opened.")
        titles = self.store.article_titles(
            report.added_article_ids()[:LISTED],
            [uid for pair in report.duplicate_pairs[:LISTED] for uid in pair],
        )
        if self.report_window is not None:
            self.report_window.close()
        self.report_window = ImportReportDialog(
            report, titles, self._save_report, self.shell.window
        )
        self.report_window.show()

    def _save_report(self, text: str) -> None:
        path, _ = self.shell.dialogs.save_file(
            self.shell.window, "Save the import report", "import-report.txt", "Text (*.txt)"
        )
        if not path:
            return
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as error:
            return self._warn(f"{path}: not saved ({error.strerror or error})")
        self.shell.say(f"Saved the import report to {path}", 8000)

    def undo_last_import(self) -> None:
        """File > Undo last import: delete the articles it added (not those already there),
        with their annotations, after a backup; Edit > Undo brings them back."""
        report = self.last_import
        if report is None or not report.added_ids:
            return self._warn("There is no import to undo: the last one added no articles.")
        if self.busy():
            return self._warn("Wait for the running import to finish.")
        ids = report.added_article_ids()
        articles, annotations = self.store.article_deletion_size(ids)
        if not articles:
            return self._warn("The articles the last import added are already gone.")
        answer = QMessageBox.question(
            self.shell.window,
            "Undo last import",
            f"Delete the {counted(articles, 'article')} the last import added, with their "
            f"{counted(annotations, 'annotation')}? Articles that were already in the project "
            "stay. The project is backed up first, and Edit > Undo brings them back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        with self._edit():
            self.editor.delete_articles(ids, f"delete the {articles:,} articles of the last import")
            self.last_import = None
            self.navigator.show_article(None)
            self.navigator.reload_list()
            self.context.history_changed.emit()
            self.shell.say(
                f"Saved: deleted the {counted(articles, 'article')} of the last import", 8000
            )
        return None

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
