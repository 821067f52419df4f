"""Labels > Gazetteers…: load term lists, switch them on and off, re-apply them in the
background (progress and cancel), export and remove them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from desktop_app.core.model import ArticleFilter
from desktop_app.core.store import StoreError
from desktop_app.core.suggest.gazetteer import GazetteerError
from desktop_app.core.suggest.gazetteer_apply import (
    ApplyReport,
    apply_gazetteers,
    export_gazetteer,
    load_gazetteer,
)
from desktop_app.ui.background import BackgroundJob
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.gazetteers_dialog import GazetteersDialog
from desktop_app.ui.plain import literal
from desktop_app.ui.shell import Shell

FILES = "Gazetteers (*.txt *.tsv *.csv *.jsonl *.ndjson *.json);;All (*)"
SHOWN_PROBLEMS = 20  # lines of a file's problems shown in the dialog (the count says the rest)


class GazetteerController(Controller):
    """The gazetteers dialog and the work its buttons ask for."""

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        super().__init__(context, shell)
        self._action("&Labels", "&Gazetteers…", self.open_dialog)
        self.dialog: GazetteersDialog | None = None
        self.job: BackgroundJob | None = None
        self._cancelled = False
        context.project_closing.connect(self._finish)
        context.project_closed.connect(self._close_dialog)

    def busy(self) -> str:
        """What this feature is writing now ("" when nothing)."""
        return "gazetteers are being applied" if self.job and self.job.isRunning() else ""

    def _finish(self) -> None:
        if self.job is not None:
            self._cancelled = True  # each batch is committed: stopping early loses nothing
            self.job.wait()

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None

    def open_dialog(self) -> GazetteersDialog:
        """Show the gazetteers dialog (not modal: the article stays readable)."""
        if self.dialog is None:
            dialog = GazetteersDialog(self.shell.window)
            dialog.load_requested.connect(self.load_dialog)
            dialog.apply_requested.connect(self.start_apply)
            dialog.export_requested.connect(self.export_dialog)
            dialog.remove_requested.connect(lambda name: self.remove(name))
            dialog.enabled_changed.connect(self.set_enabled)
            dialog.cancel_requested.connect(self.cancel)
            self.dialog = dialog
        self.refresh()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def refresh(self) -> None:
        """List the project's gazetteers again."""
        if self.dialog is not None and self.context.is_open:
            self.dialog.show_gazetteers(self.store.gazetteers())

    def _say(self, text: str) -> None:
        if self.dialog is not None:
            self.dialog.say(text)
        self.shell.say(text.splitlines()[0] if text else "", 8000)

    def _writable(self) -> bool:
        if self.store.read_only:
            self._say(f"Not changed: {self.store.read_only}")
            return False
        return True

    # ------------------------------------------------------------------ the buttons

    def load_dialog(self) -> None:
        """Choose a gazetteer file and load it."""
        path = self.shell.dialogs.open_file(self.shell.window, "Load a gazetteer", FILES)
        if path:
            self.load(Path(path))

    def load(self, path: Path) -> None:
        """Load a gazetteer file into the project; report what it held and left out."""
        if not self._writable():
            return
        try:
            loaded = load_gazetteer(self.store, path)
        except (GazetteerError, StoreError) as error:
            self._say(f"Not loaded: {error}")
            return
        read = loaded.read
        first = "was loaded already" if loaded.reused else "loaded"
        lines = [f"{loaded.gazetteer.name} {first}: {read.summary()}."]
        if not loaded.reused:
            lines[0] += " Re-apply to suggest on the articles already here."
        lines += read.problems[:SHOWN_PROBLEMS]
        if len(read.problems) > SHOWN_PROBLEMS:
            lines.append(f"… and {len(read.problems) - SHOWN_PROBLEMS:,} more lines skipped")
        self.refresh()
        if self.dialog is not None:
            self.dialog.select(loaded.gazetteer.name)
        self._say("\n".join(lines))

    def set_enabled(self, name: str, enabled: bool) -> None:
        """Switch a gazetteer on or off (off takes its pending suggestions away)."""
        if not self._writable():
            return self.refresh()
        with self._edit():
            gone = self.store.set_gazetteer_enabled(name, enabled)
            said = f"{name} switched {'on: new imports get its suggestions' if enabled else 'off'}"
            self._say(said + (f"; {gone:,} pending suggestions taken away" if gone else ""))
            self.context.annotations_changed.emit()  # its suggestions may have gone
        self.refresh()

    def export_dialog(self, name: str) -> None:
        """Choose where to write the gazetteer's terms, and write them."""
        stem = Path(name).stem or "gazetteer"
        path, _ = self.shell.dialogs.save_file(
            self.shell.window, "Export gazetteer", f"{stem}.tsv", "Tab-separated (*.tsv *.txt)"
        )
        if path:
            self.export(name, Path(path))

    def export(self, name: str, path: Path) -> None:
        """Write the gazetteer's terms as `term<TAB>label` lines."""
        try:
            said = export_gazetteer(self.store, name, path)
        except (GazetteerError, StoreError) as error:
            self._say(f"Not exported: {error}")
            return
        self._say(said)

    def remove(self, name: str, confirmed: bool = False) -> None:
        """Remove a gazetteer, its terms and its pending suggestions, after asking."""
        if not self._writable():
            return
        if not confirmed:
            answer = QMessageBox.question(
                self.dialog or self.shell.window,
                "Remove gazetteer",
                literal(
                    f"Remove {name} and its pending suggestions? Accepted suggestions stay "
                    "as spans; rejections stay remembered."
                ),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        with self._edit():
            gone = self.store.remove_gazetteer(name)
            self._say(f"{name} removed, with {gone:,} pending suggestions")
            self.context.annotations_changed.emit()
        self.refresh()

    # ------------------------------------------------------------------ re-apply

    def start_apply(self, scope: str) -> None:
        """Apply the switched-on gazetteers to all articles or the list's, in the background."""
        if not self._writable():
            return
        if self.busy():
            return self._say("The gazetteers are being applied already.")
        store = self.store
        gazetteers = store.gazetteers(enabled_only=True)
        if not gazetteers:
            return self._say("No gazetteer is switched on: tick one first.")
        if scope == "filter":
            flt = self.shell.table_model.article_filter
            total = store.count_articles(flt)
            ids = (i for batch in store.iter_article_ids(flt) for i in batch)
            work = lambda report: apply_gazetteers(  # noqa: E731
                store, gazetteers, ids, progress=report, cancelled=self._is_cancelled
            )
        else:
            total = store.count_articles(ArticleFilter())
            work = lambda report: apply_gazetteers(  # noqa: E731
                store, gazetteers, None, progress=report, cancelled=self._is_cancelled
            )
        self._cancelled = False
        job = BackgroundJob("gazetteers", counted=work)
        job.progress.connect(lambda done: self._progress(done, total))
        job.done.connect(self._applied)
        self.job = job
        if self.dialog is not None:
            self.dialog.set_running(True, total)
        names = ", ".join(g.name for g in gazetteers)
        self._say(f"Applying {names} to {total:,} articles…")
        job.start()

    def _is_cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        """Stop the running re-apply after its current batch (what it stored stays)."""
        self._cancelled = True

    def _progress(self, done: int, total: int) -> None:
        if self.dialog is not None:
            self.dialog.set_progress(done)
        self.shell.say(f"Applying gazetteers: {done:,} of {total:,} articles")

    def _applied(self, result: object) -> None:
        if self.job is not None:
            self.job.wait()
        if self.dialog is not None:
            self.dialog.set_running(False)
        if not isinstance(result, ApplyReport):
            self._say(f"The gazetteers were not applied: {result}")
            return
        self._say(f"Gazetteers applied: {result.summary()}")
        if self.context.is_open:
            self.context.annotations_changed.emit()  # the open article's suggestions
