"""Learned suggestions in the window: what people annotated by hand, proposed in the open
article as it is opened and after every edit (View > Learn from annotations, remembered)."""

from __future__ import annotations

import time

from PySide6.QtCore import QSettings, QTimer

from desktop_app.core.store import StoreError
from desktop_app.core.suggest.learned import SOURCE, LearnedModel
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.opening_check import CHECKING, OpeningGate
from desktop_app.ui.shell import Shell

SETTING = "suggest/learned"


class LearnedController(Controller):
    """Keeps the learned model in step with the project and stores the open article's
    learned suggestions; the suggestion controller (built after it) then draws them."""

    def __init__(
        self, context: ProjectContext, shell: Shell, settings: QSettings, gate: OpeningGate
    ) -> None:
        super().__init__(context, shell)
        self.settings = settings
        self.gate = gate
        self._waiting = False  # an update waits for the opening check
        self.model: LearnedModel | None = None
        self._total = -1  # rows in spans when the model last looked
        self._seen: tuple[int, int] | None = None  # (article, rows outside it) then
        self.last_ms = 0.0  # how long the last update took
        self.action = self._action("&View", "&Learn from annotations", self.toggle)
        self.action.setCheckable(True)
        # On by default: suggestions are only drawn, never become spans until accepted.
        self.action.setChecked(bool(settings.value(SETTING, True, type=bool)))
        self.action.setStatusTip(
            "Suggest, in every article, the texts people have annotated by hand, "
            "with the label they gave most often"
        )
        context.project_opened.connect(self._forget)
        context.project_closed.connect(self._forget)
        context.article_shown.connect(self.update)  # edited=False
        context.annotations_changed.connect(self._edited)

    def _forget(self) -> None:
        self.model, self._total, self._seen = None, -1, None
        self._waiting = False

    def _after_check(self) -> None:
        self._waiting = False
        self.update()
        self.context.annotations_changed.emit()  # the suggestions are drawn again

    @property
    def on(self) -> bool:
        """Whether learned suggestions are made."""
        return self.action.isChecked()

    def toggle(self) -> None:
        """Switch learned suggestions on or off (remembered); off removes the open article's."""
        self.settings.setValue(SETTING, self.on)
        if not self.on and self._writable() and self.article is not None:
            try:
                self.store.replace_suggestions(SOURCE, self.article.id, [])
            except StoreError as error:
                self._warn(f"Not saved: {error}")
        self.update()
        self.context.annotations_changed.emit()  # the suggestions are drawn again

    def _writable(self) -> bool:
        return self.context.is_open and not self.store.read_only

    def _edited(self) -> None:
        self.update(edited=True)

    def update(self, edited: bool = False) -> None:
        """Store the open article's learned suggestions as the model proposes them now.

        The open article's evidence is always read again (one article: cheap). Everything is
        read again only when spans came or went elsewhere: after an edit, when the count of
        spans outside this article changed (annotate-all over a scope, undoing it); on
        opening an article, when the count of all spans changed since the model last looked
        (an import, a merge). Both counts are index counts, so the check costs nothing.
        """
        if not self.on or not self.context.is_open or self.article is None:
            return
        if self.store.read_only == CHECKING and not self._waiting:
            # Suggestions are written to the project: they wait for the opening check, quietly
            # (the status bar is for what the analyst asked for).
            self._waiting = self.gate.when_checked(self._after_check)
        if not self._writable():
            return
        started = time.perf_counter()
        article = self.article
        total, inside = self.store.span_counts(article.id)
        if self.model is None:
            everything = True
        elif edited:
            everything = self._seen != (article.id, total - inside)
        else:
            everything = self._total != total
        self.model = self.model or LearnedModel()
        if everything:
            # Unchanged spans cost nothing here: the model is updated by difference.
            self.model.sync_all(self.store.human_spans())
        else:
            rows = self.store.human_spans(article_id=article.id)
            self.model.sync_article(article.id, {u: (q, lab) for u, _, q, lab in rows})
        spans = [(s.start, s.end, s.label) for s in self.store.spans(article.id)]
        proposals = self.model.propose(article.id, article.text, spans)
        try:
            self.store.replace_suggestions(SOURCE, article.id, proposals)
        except StoreError as error:
            self._warn(f"Learned suggestions not saved: {error}")
        self._total, self._seen = total, (article.id, total - inside)
        self.last_ms = (time.perf_counter() - started) * 1000
        # A new text makes the automaton stale; rebuilt when idle, not when the next
        # article opens (the open article's places were updated without it).
        QTimer.singleShot(0, self._warm)

    def _warm(self) -> None:
        if self.model is not None:
            self.model.warm()
