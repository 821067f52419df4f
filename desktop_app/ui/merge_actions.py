"""Team exchange: merge a colleague's work, draw a sample for them to code."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from desktop_app.core.merging import merge_path
from desktop_app.core.model import MergeReport
from desktop_app.core.sampling import PackageError, draw_sample, sample_name, write_package
from desktop_app.ui.background import BackgroundJob
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.merge_report import MergeReportDialog
from desktop_app.ui.notices import show_notice
from desktop_app.ui.ports import BackgroundWork, Navigator, OpeningCheck
from desktop_app.ui.sample_dialog import SampleDialog
from desktop_app.ui.shell import Shell

_FILTER = "Marginalia projects and exports (*.sqlite *.sqlite3 *.db *.jsonl *.ndjson);;All (*)"


class MergeController(Controller):
    """Merging colleagues' work into the open project; drawing samples for them to code."""

    def __init__(
        self,
        context: ProjectContext,
        shell: Shell,
        navigator: Navigator,
        opening_check: OpeningCheck,
        imports: BackgroundWork,
    ) -> None:
        super().__init__(context, shell)
        self.navigator = navigator
        self.opening_check = opening_check
        self.imports = imports  # a merge waits for a running import
        self.merge_job: BackgroundJob | None = None
        self.merge_report_box: MergeReportDialog | None = None
        self.merge_failure_box: QMessageBox | None = None
        self._separator("&File")
        self._action("&File", "&Merge colleague's project…", self.merge_dialog)
        self._action("&File", "Draw double-coding &sample…", self.sample_dialog)
        context.project_closing.connect(self._finish)

    def busy(self) -> str:
        """What this feature is writing now ("" when nothing)."""
        job = self.merge_job
        return "a merge is running" if job is not None and job.isRunning() else ""

    def _finish(self) -> None:
        if self.merge_job is not None:
            self.merge_job.wait()  # one transaction: it commits whole, or not at all

    def sample_dialog(self) -> None:
        """Draw a seeded double-coding sample and save it as a package for a colleague."""
        dialog = SampleDialog(self.store.article_total(), self.shell.window)
        if not dialog.exec():
            return
        for_whom = dialog.for_whom.text().strip()
        path, _ = self.shell.dialogs.save_file(
            self.shell.window,
            "Save the sample package",
            f"sample-for-{for_whom}.zip",
            "Packages (*.zip)",
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
                self.context.annotator,
            )
        except (PackageError, ValueError) as error:
            self._warn(str(error))
            return None
        self.shell.say(
            f"{len(drawn.ids)} articles for {for_whom} in {written.name}: they import it with "
            "File > Import, and their work comes back with File > Merge.",
            15000,
        )
        return written

    def merge_dialog(self) -> None:
        """Choose a colleague's project file or JSONL export and merge it."""
        path = self.shell.dialogs.open_file(self.shell.window, "Merge colleague's project", _FILTER)
        if path:
            self.start_merge(Path(path))

    def start_merge(self, path: Path) -> None:
        """Merge on a background thread; edits wait for it, the window keeps painting."""
        if not self.context.is_open:
            return self._warn("Open a project first.")
        if self.opening_check.when_checked(lambda: self.start_merge(path), "The merge"):
            return None
        if self.store.read_only:
            return self._warn(f"Not merged: {self.store.read_only}")
        if self.imports.busy() or self.busy():
            return self._warn("Wait for the running import or merge to finish.")
        store = self.store
        job = BackgroundJob("merge", partial(merge_path, store, path))
        job.done.connect(lambda result: self._merge_finished(result, store))
        self.merge_job = job
        self.shell.progress.setRange(0, 0)
        self.shell.progress.show()
        self.shell.say(f"Merging {path.name}…")
        job.start()

    def _merge_finished(self, result: object, store: object = None) -> None:
        if self.merge_job is not None:
            self.merge_job.wait()
        self.shell.progress.hide()
        if not isinstance(result, MergeReport):
            self.shell.say("The merge was not done.", 15000)
            self.merge_failure_box = show_notice(
                self.shell.window,
                "Merge",
                f"The merge was not done; the project is as it was.\n\n{result}",
                QMessageBox.Icon.Warning,
            )
            return
        # Annotations may have changed under the undo history: old steps might not apply.
        if self.context.is_open and self.context.store is store:  # (else: it was closed)
            self.context.clear_history()
            self.context.reload_labels()
            self.navigator.reload_list()
            self.navigator.reread_article()  # its annotations may have changed
        self.shell.say(f"Merge: {result.summary()}", 15000)
        box = MergeReportDialog(result, self.shell.window)
        box.setModal(False)
        box.show()
        self.merge_report_box = box
