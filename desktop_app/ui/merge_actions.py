"""Team exchange in the window: merge a colleague's work, draw a sample for them to code."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop_app.core.merging import merge_path
from desktop_app.core.model import MergeReport
from desktop_app.core.sampling import PackageError, draw_sample, sample_name, write_package
from desktop_app.ui.background import BackgroundJob
from desktop_app.ui.merge_report import MergeReportDialog
from desktop_app.ui.notices import show_notice
from desktop_app.ui.sample_dialog import SampleDialog
from desktop_app.ui.window_parts import WindowParts

_FILTER = "Marginalia projects and exports (*.sqlite *.sqlite3 *.db *.jsonl *.ndjson);;All (*)"


class MergeActions(WindowParts):
    """Mixin for MainWindow: merging colleagues' work into the open project."""

    merge_job: BackgroundJob | None = None
    merge_report_box: MergeReportDialog | None = None
    merge_failure_box: QMessageBox | None = None

    def sample_dialog(self) -> None:
        """Draw a seeded double-coding sample and save it as a package for a colleague."""
        dialog = SampleDialog(self.store.article_total(), self)
        if not dialog.exec():
            return
        for_whom = dialog.for_whom.text().strip()
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the sample package", f"sample-for-{for_whom}.zip", "Packages (*.zip)"
        )
        if path:
            self.write_sample(
                Path(path),
                dialog.count.value(),
                dialog.seed.value(),
                dialog.chosen_strata(),
                for_whom,
                dialog.name.text().strip(),
            )

    def write_sample(
        self, path: Path, size: int, seed: int, by: str, for_whom: str, name: str = ""
    ) -> Path | None:
        """Draw and write the package; say where it went and how the colleague uses it."""
        try:
            drawn = draw_sample(self.store, size, seed, by)
            written = write_package(
                self.store,
                drawn,
                path,
                name or sample_name(for_whom, seed),
                for_whom,
                self.editor.annotator,
            )
        except (PackageError, ValueError) as error:
            self._warn(str(error))
            return None
        self.statusBar().showMessage(
            f"{len(drawn.ids)} articles for {for_whom} in {written.name}: they import it with "
            "File > Import, and their work comes back with File > Merge.",
            15000,
        )
        return written

    def merge_dialog(self) -> None:
        """Choose a colleague's project file or JSONL export and merge it."""
        path, _ = QFileDialog.getOpenFileName(self, "Merge colleague's project", "", _FILTER)
        if path:
            self.start_merge(Path(path))

    def start_merge(self, path: Path) -> None:
        """Merge on a background thread; edits wait for it, the window keeps painting."""
        if self.when_checked(lambda: self.start_merge(path), "The merge"):
            return None
        if self.store.read_only:
            return self._warn(f"Not merged: {self.store.read_only}")
        busy = (self.import_job is not None and self.import_job.running) or (
            self.merge_job is not None and self.merge_job.isRunning()
        )
        if busy:
            return self._warn("Wait for the running import or merge to finish.")
        job = BackgroundJob("merge", partial(merge_path, self.store, path))
        job.done.connect(self._merge_finished)
        self.merge_job = job
        self.progress.setRange(0, 0)
        self.progress.show()
        self.statusBar().showMessage(f"Merging {path.name}…")
        job.start()

    def _merge_finished(self, result: object) -> None:
        if self.merge_job is not None:
            self.merge_job.wait()
        self.progress.hide()
        if not isinstance(result, MergeReport):
            self.statusBar().showMessage("The merge was not done.", 15000)
            self.merge_failure_box = show_notice(
                self,
                "Merge",
                f"The merge was not done; the project is as it was.\n\n{result}",
                QMessageBox.Icon.Warning,
            )
            return
        # Annotations may have changed under the undo history: old steps might not apply.
        self.editor.clear_history()
        self._update_undo_actions()
        self.reload_labels()
        self.reload_list()
        current = self.article.id if self.article else None
        self.article = None  # re-read: its annotations may have changed
        self.show_article(current)
        self.statusBar().showMessage(f"Merge: {result.summary()}", 15000)
        box = MergeReportDialog(result, self)
        box.setModal(False)
        box.show()
        self.merge_report_box = box
