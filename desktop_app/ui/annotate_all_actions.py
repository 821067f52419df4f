"""Article > Annotate all matches…: the selected span's (or text's) every match, searched on a
thread of its own, previewed and applied as one undoable step (recorded as a batch)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QDialog, QProgressDialog

from desktop_app.core.model import ArticleFilter, Span
from desktop_app.core.plural import counted
from desktop_app.core.store import Store, StoreError
from desktop_app.core.suggest.annotate_all import (
    Found,
    Scope,
    apply_batch,
    describe_scope,
    find_all,
    make_matcher,
)
from desktop_app.ui.annotate_all_dialog import AnnotateAllDialog, Work
from desktop_app.ui.annotate_all_history import HistoryDialog
from desktop_app.ui.background import BackgroundJob
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.shell import Shell

# From this many ticked matches Apply runs on a thread (a busy box shows meanwhile): at 20,000
# articles 9,000 spans take well over the 200 ms a click may freeze the window.
APPLY_ON_THREAD_FROM = 500


class AnnotateAllController(Controller):
    """Opens the preview on the selection and applies what the analyst ticks."""

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        super().__init__(context, shell)
        self._separator("&Article")
        self.action = self._action(
            "&Article", "Annotate all &matches…", self.open_dialog, "Ctrl+Shift+A"
        )
        self.history_action = self._action("&Article", "Annotate-all &history…", self.open_history)
        self.dialog: AnnotateAllDialog | None = None  # the open preview, for tests
        self.applying: QProgressDialog | None = None  # the busy box of a big apply, for tests
        self.history: HistoryDialog | None = None  # the open history, for tests
        # The last search's text, options and scope: what a batch records beside its spans.
        self._last: tuple[str, dict[str, bool], Scope | None] = ("", {}, None)

    def _start(self) -> tuple[str, str]:
        """The text and label to start from: the selected span's, else the selected text."""
        article, view = self.article, self.shell.view
        if article is None:
            return "", ""
        span_uuid = view.selected_span()
        if span_uuid:
            span = self.store.span(span_uuid)
            return span.quote, span.label
        selection = view.selected_range()
        text = article.text[selection[0] : selection[1]] if selection else ""
        labels = self._labels()  # the label is chosen in the dialog; the first to start with
        return text.strip(), labels[0] if labels else ""

    def _labels(self) -> list[str]:
        return [label.name for label in self.store.labels("span")]

    def _scope(self, key: str) -> Scope | None:
        """The dialog's scope key as a Scope (None: this article, when none is open)."""
        if key == "article":
            return Scope(article_id=self.article.id) if self.article else None
        if key == "filter":
            return Scope(self.shell.table_model.article_filter)
        return Scope(ArticleFilter(), not_done=key == "not_done")

    def _search(
        self, text: str, label: str, case: bool, whole: bool, regex: bool, scope: str
    ) -> Work:
        """The search's work, for the dialog's thread; a bad pattern raises ValueError now."""
        matcher = make_matcher(text, label, case=case, whole_word=whole, regex=regex)
        chosen = self._scope(scope)
        store, annotator = self.store, self.editor.annotator
        self._last = (text, {"case": case, "whole_word": whole, "regex": regex}, chosen)

        def work(
            progress: Callable[[int, int], None], cancelled: Callable[[], bool]
        ) -> list[Found]:
            if chosen is None:
                return []
            # A connection of its own (read-only, a snapshot of what is committed), opened
            # and closed on the search's thread: the window's is never shared with it.
            try:
                reader: Store = store.reader()
            except StoreError:
                reader = store  # no second connection (read-only media): take turns
            try:
                return find_all(reader, matcher, chosen, annotator, cancelled, progress)
            finally:
                if reader is not store:
                    reader.close()

        return work

    def open_dialog(self) -> None:
        """Open the preview on the selection; Apply creates the ticked spans in one step."""
        text, label = self._start()
        if not text:
            self._warn("Annotate all matches: select a span, or some text, first")
            return
        dialog = AnnotateAllDialog(text, label, self._labels(), self._search, self.shell.window)
        self.dialog = dialog
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            chosen = dialog.chosen()
            text, options, scope = self._last
            described = describe_scope(scope) if scope is not None else {}
            with self._edit():
                work = partial(apply_batch, self.editor, chosen, text, options, described)
                _, made = work() if len(chosen) < APPLY_ON_THREAD_FROM else self._applied(work)
                articles = len({span.article_id for span in made})
                found = counted(len(made), "match", "matches")
                self.shell.say(f"Annotated {found} in {counted(articles, 'article')}", 6000)
        finally:
            self.dialog = None
        self.context.annotations_changed.emit()
        self.context.history_changed.emit()

    def _applied(self, work: Callable[[], tuple[str, list[Span]]]) -> tuple[str, list[Span]]:
        """Run a big apply (one transaction, one undo step) on a thread while a modal busy box
        keeps the window painting and takes no other edit; its result, or what it raised."""
        job = BackgroundJob("annotate-all apply", work)
        box = QProgressDialog("Applying the ticked matches…", "", 0, 0, self.shell.window)
        box.setWindowTitle("Annotate all matches")
        box.setCancelButton(None)  # one transaction: it commits whole, or not at all
        box.setWindowModality(Qt.WindowModality.ApplicationModal)
        box.setMinimumDuration(0)
        self.applying = box
        results: list[object] = []
        loop = QEventLoop()

        def finished(result: object) -> None:
            results.append(result)
            loop.quit()

        job.done.connect(finished)
        box.show()
        job.start()
        if not results:
            loop.exec()
        job.wait()
        box.close()
        self.applying = None
        result = results[0]
        if isinstance(result, Exception):
            raise result
        return result  # type: ignore[return-value]

    def open_history(self) -> None:
        """List the project's annotate-all batches, newest first, to undo one."""
        dialog = HistoryDialog(self.store.batches, self.undo_batch, self.shell.window)
        self.history = dialog
        try:
            dialog.exec()
        finally:
            self.history = None

    def undo_batch(self, batch_uuid: str) -> str:
        """Undo a recorded batch as one step (Ctrl+Z brings it back); say what was done."""
        said = "Not undone"
        with self._edit():
            state = self.editor.undo_batch(batch_uuid)
            said = state.summary()[0].upper() + state.summary()[1:]
            self.shell.say(f"Annotate-all batch: {state.summary()}", 6000)
        self.context.annotations_changed.emit()
        self.context.history_changed.emit()
        return said
