"""The team server in the window: File > Team server…, the status-bar indicator, automatic
sync after edits and every minute, and live updates from colleagues (LISTEN/NOTIFY).

Threads: a sync runs on a BackgroundJob with the window's own Store. The store is one SQLite
connection whose every method runs under the store's lock, each write one transaction; the
sync client calls the store between network round trips and never holds the lock across one.
So the network never blocks the window, an edit waits at most for one local transaction of
the sync, and an edit made while a push is on the wire stays dirty (mark_pushed compares
dirty counts) and goes with the next sync. A second writer connection would only bring
SQLITE_BUSY between two connections of one process, for nothing. The listener is a thread
with an autocommit PostgreSQL connection of its own and never touches the store.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QPushButton

from desktop_app.core.store import Store
from desktop_app.core.sync.report import SyncReport
from desktop_app.ui.background import BackgroundJob
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.ports import Navigator
from desktop_app.ui.shell import Shell
from desktop_app.ui.team_indicator import indicator_text

if TYPE_CHECKING:  # psycopg (under these) costs the launch ~100 ms: imported on first use
    from desktop_app.core.sync.connection import Cancel
    from desktop_app.core.sync.live import Identity
    from desktop_app.ui.team_dialog import TeamServerDialog
    from desktop_app.ui.team_live import LiveUpdates

# Automatic sync this long after the last edit: a burst of edits goes in one sync, and the
# edit still reaches a colleague's open window within 2 s (bench/sync.py: ~0.1 s after the push).
AFTER_EDIT_MS = 1000
PERIODIC_MS = 60_000  # and every minute anyway
AFTER_HINT_MS = 50  # a colleague's commit was announced: pull this soon after


class TeamController(Controller):
    """Sync with the team server from the window, in the background."""

    def __init__(
        self, context: ProjectContext, shell: Shell, navigator: Navigator, settings: QSettings
    ) -> None:
        super().__init__(context, shell)
        self.navigator = navigator
        self.settings = settings
        self.password: str | None = None  # typed in the dialog: this session only
        self.job: BackgroundJob | None = None
        self.test_job: BackgroundJob | None = None
        self._cancels: dict[BackgroundJob, Cancel] = {}  # how to stop each running job
        self.live: LiveUpdates | None = None
        self.dialog: TeamServerDialog | None = None
        self.error = ""  # the last sync's error ("" when it worked)
        self.last_report: SyncReport | None = None
        self.last_identity: Identity | None = None
        self._again = False  # a sync was asked for while one ran
        self._again_url = ""  # ...with this server (the dialog's), "" the project's
        self._hint = 0  # the newest version a notification announced
        self._pull = False  # a pull is due whatever the versions say (periodic, reconnected)
        self._articles_before = 0
        self._settled = True  # no project, or it is closing: queued signals are dropped
        self.indicator = QPushButton("")
        self.indicator.setObjectName("team_indicator")
        self.indicator.setAccessibleName("Team server sync status")
        self.indicator.setFlat(True)
        self.indicator.clicked.connect(self.open_dialog)
        self.indicator.hide()
        shell.window.statusBar().addPermanentWidget(self.indicator)
        self.after_edit = QTimer(self, singleShot=True, interval=AFTER_EDIT_MS)
        self.after_edit.timeout.connect(self._automatic_sync)
        self.after_hint = QTimer(self, singleShot=True, interval=AFTER_HINT_MS)
        self.after_hint.timeout.connect(self._automatic_sync)
        self.periodic = QTimer(self, interval=PERIODIC_MS)
        self.periodic.timeout.connect(self._periodic)
        self._separator("&File")
        self._action("&File", "&Team server…", self.open_dialog)
        context.project_opened.connect(self._opened)
        context.project_closing.connect(self._closing)
        context.project_closed.connect(self.indicator.hide)
        context.annotations_changed.connect(self._edited)
        context.history_changed.connect(self._edited)

    # ------------------------------------------------------------------ state

    def busy(self) -> str:
        """What this feature is writing now ("" when nothing)."""
        job = self.job
        return "a team sync is running" if job is not None and job.isRunning() else ""

    @property
    def active(self) -> bool:
        """Whether a project is open and not closing (else nothing may start)."""
        return self.context.is_open and not self._settled

    def adjudicator(self) -> bool | None:
        """Whether the team server said this user is an adjudicator (None: not known yet)."""
        who = self.last_report or self.last_identity
        return None if who is None else who.adjudicator

    def url(self) -> str:
        """The server this project syncs with ("" when none)."""
        if not self.active:
            return ""
        return self.store.sync_settings().url

    def _key(self) -> str:
        return f"team/automatic/{self.context.path or 'memory'}"

    @property
    def automatic(self) -> bool:
        """Whether this project syncs by itself (remembered per project file, on by default)."""
        return bool(self.settings.value(self._key(), True, type=bool))

    def set_automatic(self, on: bool) -> None:
        """Turn automatic sync and live updates on or off for this project."""
        self.settings.setValue(self._key(), on)
        self._follow()
        if on:
            self.sync_now()

    def _follow(self) -> None:
        """Run the timers and the listener when automatic sync is on and there is a server."""
        url = self.url()
        on = bool(url) and self.automatic and not self.store.read_only
        if not on:
            for timer in (self.periodic, self.after_edit, self.after_hint):
                timer.stop()
            self._again = False
            self._stop_live()
            return
        self.periodic.start()
        if self.live is None:
            from desktop_app.ui.team_live import LiveUpdates

            live = LiveUpdates(url, self.password)
            live.changed.connect(self._hinted)
            live.lost.connect(self._listener_lost)
            self.live = live
            live.start()

    def _stop_live(self) -> None:
        live, self.live = self.live, None
        if live is not None:
            live.stop()
            live.wait()

    def _opened(self) -> None:
        self._settled = False
        self.error, self.last_report, self._again = "", None, False
        self.password = None  # typed for another project: never sent to another server
        self.show_state()
        self._follow()

    def _closing(self) -> None:
        self._settled = True
        for timer in (self.after_edit, self.after_hint, self.periodic):
            timer.stop()
        self._stop_live()
        self._again = False
        # A server that does not answer would hold the close for the connect timeout: the
        # jobs give up now. Each local step is one transaction, so what a sync committed
        # stays and the rest waits for the next one (the server's side is matched by key
        # and version then); the wait is for the job to leave the store, not the network.
        jobs = [job for job in (self.job, self.test_job) if job is not None]
        for job in jobs:
            cancel = self._cancels.get(job)
            if cancel is not None:
                cancel.cancel()
        for job in jobs:
            job.wait()
        self._cancels.clear()
        self.job = self.test_job = None  # their results, still queued, are dropped
        if self.dialog is not None:
            self.dialog.close()

    def _edited(self) -> None:
        """An edit (or a repaint): show the count; sync 2 s after the last edit."""
        if not self.active:
            return
        self.show_state()
        if self.live is not None and self.store.sync_settings().pending:
            self.after_edit.start()  # restarted by every edit: debounced

    def _hinted(self, version: int) -> None:
        if not self.active:
            return
        if version:
            self._hint = max(self._hint, version)
        else:
            self._pull = True  # (re)connected: what came meanwhile is unknown
        self.after_hint.start()

    def _periodic(self) -> None:
        self._pull = True
        self._automatic_sync()

    def _wanted(self) -> bool:
        """Whether an automatic sync has anything to do: edits to push, news to pull."""
        state = self.store.sync_settings()
        return bool(state.pending) or self._pull or self._hint > state.cursor

    def _automatic_sync(self) -> None:
        """A timer's sync: only while automatic sync is on, and only when it has work (a
        notification of our own push, seen when the sync's last pull is done, has none)."""
        if not self.active or not self.automatic or self.store.read_only:
            return
        if self.job is not None:
            self._again = True
        elif self._wanted():
            self._pull = False
            self.sync_now()

    def _listener_lost(self, error: str) -> None:
        if self.active and self.job is None:  # a sync says more, and sooner
            self.error = error
            self.show_state()

    # ------------------------------------------------------------------ the indicator

    def show_state(self) -> None:
        """Synced 12:04 / N edits to push / Offline (12:04) / Sync error, with a tooltip."""
        if not self.active or not self.url():
            self.indicator.hide()
            return
        who = self.last_report or self.last_identity
        text, tip = indicator_text(
            self.store.sync_settings(), self.error, who.user if who else "", self.automatic
        )
        self.indicator.setText(text)
        self.indicator.setToolTip(tip)
        self.indicator.show()

    # ------------------------------------------------------------------ syncing

    def sync_now(self, url: str = "") -> None:
        """Sync in the background (with `url`, else the project's server); one at a time."""
        if not self.active or self.store.read_only:
            return
        chosen = url or self.url()
        if not chosen:
            return
        if self.job is not None:
            self._again = True  # after this one: edits or hints came in meanwhile
            self._again_url = url or self._again_url or self.url()  # asked for: it runs
            return
        from desktop_app.core.sync.client import sync
        from desktop_app.core.sync.connection import Cancel

        store = self.store
        self._articles_before = store.article_total()
        cancel = Cancel()
        job = BackgroundJob(
            "team sync", partial(sync, store, chosen, password=self.password, cancel=cancel)
        )
        job.done.connect(partial(self._synced, job, store))
        self._cancels[job] = cancel
        self.job = job
        job.start()

    def _synced(self, job: BackgroundJob, store: Store, result: object) -> None:
        job.wait()
        self._cancels.pop(job, None)
        if self.job is not job:
            return  # the project was closed (or settled) meanwhile
        self.job = None
        if not self.active or self.context.store is not store:
            return
        if isinstance(result, SyncReport):
            self.error, self.last_report = "", result
            if result.pulled:
                self._refresh(result)
            said = (
                f"Synced as {result.user}: {result.pulled} pulled, {result.pushed} pushed, "
                f"{len(result.conflicts)} conflicts, {len(result.refused)} refused"
            )
            if result.conflicts:  # the losing versions are kept, and this says where
                said += " (each conflict's other version is in Article > Sync and merge history…)"
            if result.user and result.user != self.context.annotator:
                said += (  # the server takes only rows of its login's name
                    f". You annotate as {self.context.annotator}: the server takes only "
                    f"{result.user}'s annotations from you"
                )
        else:
            self.error = str(result)
            said = f"Not synced: {result}"
        if self.dialog is not None:
            self.dialog.show_result(said)
        self.show_state()
        self._follow()  # the server may be new, or known now
        if self._again:
            url, self._again, self._again_url = self._again_url, False, ""
            if url:
                self.sync_now(url)
            else:
                self._automatic_sync()

    def _refresh(self, report: SyncReport) -> None:
        """Show what the pull brought, keeping the open article and the selected span."""
        if report.conflicts or report.full_sync:
            self.context.clear_history()  # my own annotations changed under the undo steps
        self.context.reload_labels()
        if self.store.article_total() != self._articles_before:
            self.navigator.reload_list()  # articles came: recount, keep the selection
        else:
            self.navigator.list_after_edit()  # counts and statuses in place
        self.context.annotations_changed.emit()  # the text, the list of spans, the overview

    # ------------------------------------------------------------------ the dialog

    def open_dialog(self) -> None:
        """File > Team server… (also a click on the indicator)."""
        if not self.active:
            return
        if self.dialog is None:
            from desktop_app.ui.team_dialog import TeamServerDialog

            dialog = TeamServerDialog(self.url(), self.automatic, self.shell.window)
            dialog.test_asked.connect(self.test_connection)
            dialog.sync_asked.connect(self._dialog_sync)
            dialog.automatic_changed.connect(self.set_automatic)
            dialog.finished.connect(self._dialog_closed)
            self.dialog = dialog
        self.dialog.show()
        self.dialog.raise_()

    def _dialog_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None

    def _take_password(self) -> None:
        assert self.dialog is not None
        typed = self.dialog.typed_password()
        if typed is not None and typed != self.password:
            self.password = typed
            self._stop_live()  # reconnect with it
            self._follow()

    def test_connection(self) -> None:
        """Connect in the background and say who we are there (or why not)."""
        dialog = self.dialog
        if dialog is None or (self.test_job is not None and self.test_job.isRunning()):
            return
        url = dialog.url()
        if not url:
            dialog.show_result("Give the server's address first.")
            return
        self._take_password()
        dialog.show_result("Connecting…")
        from desktop_app.core.sync.connection import Cancel
        from desktop_app.core.sync.live import whoami

        cancel = Cancel()
        job = BackgroundJob("team test", partial(whoami, url, self.password, cancel))
        job.done.connect(partial(self._tested, job))
        self._cancels[job] = cancel
        self.test_job = job
        job.start()

    def _tested(self, job: BackgroundJob, result: object) -> None:
        job.wait()
        self._cancels.pop(job, None)
        if self.test_job is not job:
            return
        self.test_job = None
        from desktop_app.core.sync.live import Identity

        if isinstance(result, Identity):
            self.last_identity = result
            role = "an adjudicator" if result.adjudicator else "an analyst (not an adjudicator)"
            text = f"Connected to {result.server} as {result.user}: {role}."
        else:
            text = f"Not connected: {result}"
        if self.dialog is not None:
            self.dialog.show_result(text)

    def _dialog_sync(self) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        url = dialog.url()
        if not url:
            dialog.show_result("Give the server's address first.")
            return
        if self.store.read_only:
            dialog.show_result(f"Not synced: {self.store.read_only}")
            return
        self._take_password()
        if url != self.url():
            self._stop_live()  # another server: listen there after the sync
        dialog.show_result("Syncing…")
        self.sync_now(url)
