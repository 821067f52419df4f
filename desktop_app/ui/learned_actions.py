"""Learned suggestions in the window: what people annotated by hand, proposed in the open
article as it is opened and after every edit (View > Learn from annotations, remembered)."""

from __future__ import annotations

import time

from PySide6.QtCore import QSettings

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
        self._mark: tuple[object, ...] | None = None  # the spans' state the model last saw
        self._outside: tuple[int, tuple[object, ...]] | None = None  # (article, mark outside it)
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
        context.article_shown.connect(self.update)
        context.annotations_changed.connect(self._edited)

    def _forget(self) -> None:
        self.model, self._mark, self._outside = None, None, None
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
        """After an edit in the open article: only its evidence is read again, unless spans
        changed in other articles too (annotate-all over a scope, an undo there)."""
        if self.model is None or self.article is None or not self.on or not self._writable():
            return self.update()
        article_id = self.article.id
        if self._outside != (article_id, self.store.spans_mark(outside=article_id)):
            return self.update(everything=True)
        rows = self.store.human_spans(article_id=article_id)
        self.model.sync_article(article_id, {u: (q, lab) for u, _, q, lab in rows})
        return self.update(everything=False)

    def update(self, everything: bool | None = None) -> None:
        """Store the open article's learned suggestions as the model proposes them now;
        the model first reads all the evidence again if spans changed since it last did
        (`everything` forces that or, False, skips the check)."""
        if not self.on or not self.context.is_open or self.article is None:
            return
        if self.store.read_only == CHECKING and not self._waiting:
            # Suggestions are written to the project: they wait for the opening check.
            self._waiting = self.gate.when_checked(self._after_check, "Learning from annotations")
        if not self._writable():
            return
        started = time.perf_counter()
        article = self.article
        if everything is None:
            everything = self.model is None or self.store.spans_mark() != self._mark
        if everything or self.model is None:
            # Unchanged spans cost nothing here: the model is updated by difference.
            self.model = self.model or LearnedModel()
            self.model.sync_all(self.store.human_spans())
        spans = [(s.start, s.end, s.label) for s in self.store.spans(article.id)]
        proposals = self.model.propose(article.id, article.text, spans)
        try:
            self.store.replace_suggestions(SOURCE, article.id, proposals)
        except StoreError as error:
            self._warn(f"Learned suggestions not saved: {error}")
        # What the model has seen: everything now, and everything outside this article.
        self._mark = self.store.spans_mark()
        self._outside = (article.id, self.store.spans_mark(outside=article.id))
        self.last_ms = (time.perf_counter() - started) * 1000
