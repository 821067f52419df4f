"""The window's data safety: a check when the project opens, periodic and closing backups,
and File > Backups…."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from desktop_app.core.store.backups import check_file, newest_good
from desktop_app.ui.background import BackgroundJob
from desktop_app.ui.backups_dialog import BackupsDialog
from desktop_app.ui.notices import show_notice
from desktop_app.ui.plain import literal
from desktop_app.ui.window_parts import WindowParts

BACKUP_EVERY_MS = 30 * 60 * 1000  # while the project changes, a backup each 30 minutes of use
CHECKING = "the project is being checked (a few seconds after opening); try again in a moment"
WATCH_FILE_MS = 5000  # how soon a project file deleted or replaced while open is noticed


class SafetyActions(WindowParts):
    """Mixin for MainWindow: integrity check on open, backups while working and on close."""

    check_job: BackgroundJob | None = None
    backup_job: BackgroundJob | None = None
    damage_notice: QMessageBox | None = None
    backups_window: BackupsDialog | None = None
    _after_check: list[Callable[[], None]]  # imports and merges waiting for the opening check

    def start_safety(self) -> None:
        """Check the project in the background and start the backup timer (a file only)."""
        self._after_check = []
        if self.store.path is None:
            return
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(BACKUP_EVERY_MS)
        self.backup_timer.timeout.connect(self.periodic_backup)
        self.backup_timer.start()
        self.file_timer = QTimer(self)
        self.file_timer.setInterval(WATCH_FILE_MS)
        self.file_timer.timeout.connect(self.watch_file)
        self.file_timer.start()
        # A quick check reads the whole file (seconds for a large project): on a thread,
        # from its own read-only connection, while the analyst starts reading. Until it has
        # passed nothing is written: a damaged project is never written to.
        if not self.store.read_only:
            self.store.refuse_writes(CHECKING)
            self.statusBar().showMessage("Checking the project…")
        job = BackgroundJob("integrity check", partial(check_file, self.store.path))
        job.done.connect(self._checked)
        self.check_job = job
        job.start()

    def _checked(self, problems: object) -> None:
        if self.check_job is not None:
            self.check_job.wait()
        if not problems or self.store.path is None:
            if self.store.read_only == CHECKING:
                self.store.allow_writes()
                self.statusBar().showMessage("The project checked out", 3000)
            waiting, self._after_check = self._after_check, []
            for action in waiting:
                action()
            return
        self._after_check = []  # a damaged project takes no import or merge
        first = problems[0] if isinstance(problems, list) else problems
        # Never write to a damaged project: every edit from now on is refused with this.
        self.store.refuse_writes(f"the project is damaged ({first}); restore a backup")
        self.setWindowTitle(f"{self._base_title()} (damaged: read-only)")
        good = newest_good(self.store.path)
        advice = (
            f"The newest good backup is from {good.describe()}.\nFile > Backups… restores it."
            if good
            else "There is no good backup; File > Backups… lists what there is."
        )
        self.damage_notice = show_notice(
            self,
            "Project damaged",
            f"{self.store.path} is damaged: {first}\n\nNothing will be written to it.\n{advice}",
            QMessageBox.Icon.Critical,
        )

    def watch_file(self) -> None:
        """If the project file was deleted or replaced while open, save what the window holds
        where the analyst will find it, and stop writing into the lost file."""
        gone = self.store.file_gone()
        if not gone:
            return
        self.file_timer.stop()
        try:
            saved = self.store.write_back()
        except (OSError, ValueError) as error:
            text = f"The project file was {gone} while open, and could not be written back: {error}"
        else:
            text = (
                f"The project file was {gone} while open. Everything saved so far was written "
                f"to {saved}; edits are now refused here. Open that file to go on."
            )
        self.setWindowTitle(f"{self._base_title()} (file {gone})")
        self.damage_notice = show_notice(self, "Project file", text, QMessageBox.Icon.Critical)

    def when_checked(self, action: Callable[[], None], what: str) -> bool:
        """True when `action` must wait for the opening check (it then runs after it)."""
        if self.store.read_only != CHECKING:
            return False
        self._after_check.append(action)
        self.statusBar().showMessage(f"{what} starts when the opening check has finished…")
        return True

    def _busy(self) -> str:
        """What is writing in the background now ("" when nothing): a restore waits for it."""
        for name in ("import_job", "merge_job"):
            job = getattr(self, name, None)
            if job is not None and job.isRunning():
                return (
                    f"an {name.split('_')[0]} is running"
                    if name[0] == "i"
                    else "a merge is running"
                )
        return ""

    def periodic_backup(self) -> None:
        """Back up on a thread if the project changed since the last backup."""
        if self.store.read_only or (self.backup_job is not None and self.backup_job.isRunning()):
            return
        job = BackgroundJob("backup", partial(self.store.backup_if_changed, "periodic"))
        job.done.connect(self._backed_up)
        self.backup_job = job
        job.start()

    def _backed_up(self, result: object) -> None:
        if self.backup_job is not None:
            self.backup_job.wait()
        if isinstance(result, Path):
            self.statusBar().showMessage(f"Backed up to {result.name}", 5000)
        elif isinstance(result, Exception):
            self.statusBar().showMessage(f"Backup failed: {result}", 15000)

    def backup_on_close(self) -> None:
        """The closing backup (when anything changed), before the project is closed."""
        if self.backup_job is not None:
            self.backup_job.wait()
        if self.check_job is not None:
            self.check_job.wait()
        if self.store.path is None or self.store.read_only:
            return
        self.statusBar().showMessage("Backing up…")
        try:
            self.store.backup_if_changed("close")
        except (ValueError, OSError) as error:  # said where it is seen, then the window closes
            print(f"marginalia: the closing backup failed: {error}", file=sys.stderr)
            QMessageBox.warning(self, "Backup", literal(f"The closing backup failed: {error}"))

    def backups_dialog(self) -> None:
        """File > Backups…: list, back up now, restore."""
        if self.store.path is None:
            return self._warn("An in-memory project has no backups.")
        self.backups_window = BackupsDialog(self.store, self._restored, self, busy=self._busy)
        self.backups_window.show()

    def _base_title(self) -> str:
        return f"Marginalia — {self.store.path.name if self.store.path else 'in memory'}"

    def _restored(self, backup: Path) -> None:
        # Everything may differ now: undo steps, labels, the list and the open article.
        self.setWindowTitle(self._base_title())
        self.editor.clear_history()
        self._update_undo_actions()
        self.reload_labels()
        self.reload_list()
        current = self.article.id if self.article else None
        self.article = None
        self.show_article(current)
        self.statusBar().showMessage(f"Restored {backup.name}", 15000)
