"""Suggestions in the open article: drawn dotted in the label's colour, with a tooltip saying
where each came from; Enter or A accepts the current one, X rejects it, N and P move on."""

from __future__ import annotations

import html
from bisect import bisect_right
from functools import partial

from desktop_app.core.plural import counted
from desktop_app.core.store.suggestions import Suggestion
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.shell import Shell


class SuggestionController(Controller):
    """Shows the open article's suggestions and turns the suggestion keys into decisions."""

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        super().__init__(context, shell)
        self._found: list[Suggestion] = []
        self._current = -1
        a = self._action
        self._separator("&Edit")
        a("&Edit", "Accept all suggestions in this article", self.accept_all)
        shell.view.suggestionKey.connect(self._key)
        context.article_shown.connect(self._article_shown)
        context.annotations_changed.connect(self.refresh)
        context.project_closed.connect(self._forget)

    def _forget(self) -> None:
        self._found, self._current = [], -1

    def _article_shown(self) -> None:
        self._current = -1
        self.refresh()

    def refresh(self) -> None:
        """Read the open article's suggestions again and draw them."""
        if not self.context.is_open or self.article is None:
            self._forget()
            return
        self._found = self.store.suggestions([self.article.id])
        self._current = min(self._current, len(self._found) - 1)
        self._draw()

    def _draw(self) -> None:
        labels = self.context.labels
        items = [
            (
                s.start,
                s.end,
                labels[s.label].color if s.label in labels else "#808080",
                partial(_tip, s),  # made when hovered, not for every suggestion
            )
            for s in self._found
        ]
        self.shell.view.set_suggestions(items, self._current)

    def suggestions(self) -> list[Suggestion]:
        """The open article's suggestions, in text order."""
        return list(self._found)

    def current(self) -> Suggestion | None:
        """The current suggestion (N and P move it), None before the first N."""
        return self._found[self._current] if 0 <= self._current < len(self._found) else None

    def _key(self, what: str) -> None:
        if what == "accept":
            self.accept_current()
        elif what == "reject":
            self.reject_current()
        else:
            self.step(1 if what == "next" else -1)

    def step(self, by: int) -> None:
        """Make the next (1) or previous (-1) suggestion current, from the caret at first."""
        if not self._found:
            return
        if self._current < 0:
            caret = self.shell.view.textCursor().position()
            starts = [s.start for s in self._found]
            after = bisect_right(starts, caret - 1)
            self._current = after % len(self._found) if by > 0 else (after - 1) % len(starts)
        else:
            self._current = (self._current + by) % len(self._found)
        self._draw()
        chosen = self._found[self._current]
        self.shell.say(f"Suggestion {self._current + 1} of {len(self._found)}: {chosen.label}")

    def accept_current(self) -> None:
        """Make the current suggestion the annotator's span (one undoable step)."""
        chosen = self.current()
        if chosen is None:
            return self._warn("Press N (or Alt+Down) to go to a suggestion first.")
        with self._edit():
            self.editor.accept_suggestions([chosen])
            self.context.annotations_changed.emit()
            self.context.history_changed.emit()
            self.shell.say(f"Accepted {chosen.label}")

    def reject_current(self) -> None:
        """Reject the current suggestion (remembered for this article, offsets and label)."""
        chosen = self.current()
        if chosen is None:
            return self._warn("Press N (or Alt+Down) to go to a suggestion first.")
        with self._edit():
            self.editor.reject_suggestions([chosen])
            self.refresh()
            self.context.history_changed.emit()
            self.shell.say(f"Rejected {chosen.label}")

    def accept_all(self) -> None:
        """Accept every suggestion in the open article, as one undoable step."""
        if self.article is None or not self._found:
            return self._warn("This article has no suggestions.")
        with self._edit():
            spans = self.editor.accept_all(self.article.id)
            self.context.annotations_changed.emit()
            self.context.history_changed.emit()
            self.shell.say(f"Accepted {counted(len(spans), 'suggestion')}")


def _tip(suggestion: Suggestion) -> str:
    row = (
        f"<b>Suggested {html.escape(suggestion.label)}</b> ({suggestion.score:.2f}) &mdash; "
        f"{html.escape(suggestion.source)}"
    )
    if suggestion.explanation:
        row += f"<br><i>{html.escape(suggestion.explanation[:300])}</i>"
    return row + "<br>Enter/A accept, X reject, Alt+↓/↑ next/previous"
