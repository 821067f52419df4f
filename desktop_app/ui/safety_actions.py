"""Data safety: a check when the project opens, periodic and closing backups, File > Backups…."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from desktop_app.core.store.backups import check_file, newest_good
from desktop_app.ui.background import BackgroundJob
from desktop_app.ui.backups_dialog import BackupsDialog
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.notices import show_notice
from desktop_app.ui.opening_check import CHECKING, OpeningGate
from desktop_app.ui.plain import literal
from desktop_app.ui.ports import BackgroundWork, Navigator
from desktop_app.ui.shell import Shell

BACKUP_EVERY_MS = 30 * 60 * 1000  # while the project changes, a backup each 30 minutes of use
WATCH_FILE_MS = 5000  # how soon a project file deleted or replaced while open is noticed


class SafetyController(Controller):
    """Integrity check on open, backups while working and on close; File > Backups….

    Imports and merges wait for the opening check at `gate`, which this opens or shuts.
    """

    def __init__(
        self,
        context: ProjectContext,
        shell: Shell,
        navigator: Navigator,
        gate: OpeningGate,
        writers: Sequence[BackgroundWork],
    ) -> None:
        super().__init__(context, shell)
        self.navigator = navigator
        self.gate = gate
        self.writers = writers  # background writers a restore must wait for
        self.check_job: BackgroundJob | None = None
        self.backup_job: BackgroundJob | None = None
        self.damage_notice: QMessageBox | None = None
        self.backups_window: BackupsDialog | None = None
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(BACKUP_EVERY_MS)
        self.backup_timer.timeout.connect(self.periodic_backup)
        self.file_timer = QTimer(self)
        self.file_timer.setInterval(WATCH_FILE_MS)
        self.file_timer.timeout.connect(self.watch_file)
        self._separator("&File")
        self._action("&File", "&Backups…", self.backups_dialog)
        context.project_opened.connect(self.start_safety)
        context.project_closing.connect(self._finish)

    def start_safety(self) -> None:
        """Check the project in the background and start the backup timer (a file only)."""
        self.gate.drop()
        if self.store.path is None:
            return
        self.backup_timer.start()
        self.file_timer.start()
        # A quick check reads the whole file (seconds for a large project): on a thread,
        # from its own read-only connection, while the analyst starts reading. Until it has
        # passed nothing is written: a damaged project is never written to.
        if not self.store.read_only:
            self.store.refuse_writes(CHECKING)
            self.shell.say("Checking the project…")
        job = BackgroundJob("integrity check", partial(check_file, self.store.path))
        job.done.connect(lambda problems: self._check_done(job, problems))
        self.check_job = job
        job.start()

    def _check_done(self, job: BackgroundJob, problems: object) -> None:
        # A check of a project closed meanwhile says nothing about the one open now.
        job.wait()
        if job is self.check_job and self.context.is_open:
            self._checked(problems)

    def _finish(self) -> None:
        """The project is closing: no more timers, the closing backup, no dialog on it."""
        self.backup_timer.stop()
        self.file_timer.stop()
        self.gate.drop()
        self.backup_on_close()
        if self.backups_window is not None:
            self.backups_window.close()
            self.backups_window = None

    def _checked(self, problems: object) -> None:
        if self.check_job is not None:
            self.check_job.wait()
        if not problems or self.store.path is None:
            if self.store.read_only == CHECKING:
                self.store.allow_writes()
                self.shell.say("Project checked: no problems found", 3000)
            self.gate.release()
            return
        self.gate.drop()  # a damaged project takes no import or merge
        first = problems[0] if isinstance(problems, list) else problems
        # Never write to a damaged project: every edit from now on is refused with this.
        self.store.refuse_writes(f"the project is damaged ({first}); restore a backup")
        self.shell.window.setWindowTitle(f"{self.context.title()} (damaged: read-only)")
        good = newest_good(self.store.path)
        advice = (
            f"The newest good backup is from {good.describe()}.\nFile > Backups… restores it."
            if good
            else "There is no good backup; File > Backups… lists what there is."
        )
        self.damage_notice = show_notice(
            self.shell.window,
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
        self.shell.window.setWindowTitle(f"{self.context.title()} (file {gone})")
        self.damage_notice = show_notice(
            self.shell.window, "Project file", text, QMessageBox.Icon.Critical
        )

    def _busy(self) -> str:
        """What is writing in the background now ("" when nothing): a restore waits for it."""
        return next((busy for busy in (w.busy() for w in self.writers) if busy), "")

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
            self.shell.say(f"Backed up to {result.name}", 5000)
        elif isinstance(result, Exception):
            self.shell.say(f"Backup failed: {result}", 15000)

    def backup_on_close(self) -> None:
        """The closing backup (when anything changed), before the project is closed."""
        if self.backup_job is not None:
            self.backup_job.wait()
        if self.check_job is not None:
            self.check_job.wait()
        if self.store.path is None or self.store.read_only:
            return
        self.shell.say("Backing up…")
        try:
            self.store.backup_if_changed("close")
        except (ValueError, OSError) as error:  # said where it is seen, then the window closes
            print(f"marginalia: the closing backup failed: {error}", file=sys.stderr)
            QMessageBox.warning(
                self.shell.window, "Backup", literal(f"The closing backup failed: {error}")
            )

    def backups_dialog(self) -> None:
        """File > Backups…: list, back up now, restore."""
        if self.store.path is None:
            return self._warn("An in-memory project has no backups.")
        self.backups_window = BackupsDialog(
            self.store, self._restored, self.shell.window, busy=self._busy
        )
        self.backups_window.show()

    def _restored(self, backup: Path) -> None:
        # Everything may differ now: undo steps, labels, the list and the open article.
        self.shell.window.setWindowTitle(self.context.title())
        self.context.clear_history()
        self.context.reload_labels()
        self.navigator.reload_list()
        self.navigator.reread_article()
        self.shell.say(f"Restored {backup.name}", 15000)
