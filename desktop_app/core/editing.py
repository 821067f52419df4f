"""Every user edit, as an undoable command applied through the store (one write path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from desktop_app.core.model import DOCUMENT, Span, Status
from desktop_app.core.store import Store
from desktop_app.core.store.bulk import Deletion


class Command(Protocol):
    """One committed edit that knows how to take itself back."""

    article_id: int
    description: str

    def apply(self, store: Store) -> None:
        """Do (or redo) the edit."""

    def revert(self, store: Store) -> None:
        """Undo the edit."""


@dataclass
class _SpanState:
    """Set a span's label/note/deleted to `after`, and back to `before` on undo."""

    article_id: int
    description: str
    uuid: str
    before: tuple[str, str, bool]
    after: tuple[str, str, bool]

    def apply(self, store: Store) -> None:
        label, note, deleted = self.after
        store.update_span(self.uuid, label=label, note=note, deleted=deleted)

    def revert(self, store: Store) -> None:
        label, note, deleted = self.before
        store.update_span(self.uuid, label=label, note=note, deleted=deleted)


@dataclass
class _TagToggle:
    article_id: int
    description: str
    label: str
    annotator: str
    present: bool

    def apply(self, store: Store) -> None:
        store.set_tag(self.article_id, self.label, self.annotator, self.present)

    def revert(self, store: Store) -> None:
        store.set_tag(self.article_id, self.label, self.annotator, not self.present)


@dataclass
class _TagChoice:
    """Tags put on and taken off together: a choice in an exclusive group is one step."""

    article_id: int
    description: str
    annotator: str
    changes: list[tuple[str, bool]]  # (label, present) in the order applied

    def apply(self, store: Store) -> None:
        for label, present in self.changes:
            store.set_tag(self.article_id, label, self.annotator, present)

    def revert(self, store: Store) -> None:
        for label, present in reversed(self.changes):
            store.set_tag(self.article_id, label, self.annotator, not present)


@dataclass
class _StatusChange:
    article_id: int
    description: str
    annotator: str
    before: str
    after: str

    def apply(self, store: Store) -> None:
        store.set_status(self.article_id, self.annotator, self.after)

    def revert(self, store: Store) -> None:
        store.set_status(self.article_id, self.annotator, self.before)


@dataclass
class _BulkDeletion:
    """Many annotations deleted as one step (with their label, when the label was deleted)."""

    article_id: int
    description: str
    deletion: Deletion

    def apply(self, store: Store) -> None:
        if self.deletion.label is not None:
            self.deletion = store.delete_label(self.deletion.label.name)
        else:
            self.deletion = store.delete_annotations(self.deletion)

    def revert(self, store: Store) -> None:
        store.undo_deletion(self.deletion)


def _state(span: Span) -> tuple[str, str, bool]:
    return (span.label, span.note, span.deleted)


@dataclass
class Editor:
    """The one way the window changes annotations: each call commits, then joins the history.

    Undo and redo work across articles; each returns the article it touched so the window
    can show it. Span creation is undone by a soft delete, so the span keeps its uuid. Each
    annotator has their own history: after a switch, Undo never takes back a colleague's edit.
    """

    store: Store
    annotator: str
    limit: int = 1000
    _done: list[Command] = field(default_factory=list)
    _undone: list[Command] = field(default_factory=list)
    _shelved: dict[str, tuple[list[Command], list[Command]]] = field(default_factory=dict)

    def switch_annotator(self, name: str) -> None:
        """Edit as `name` from now on, with their own undo history."""
        if name == self.annotator:
            return
        self._shelved[self.annotator] = (self._done, self._undone)
        self._done, self._undone = self._shelved.pop(name, ([], []))
        self.annotator = name

    def clear_history(self) -> None:
        """Forget every undo step (labels were renamed or replaced, so old steps may not apply)."""
        self._done, self._undone = [], []
        self._shelved.clear()

    def _record(self, command: Command) -> None:
        self._done.append(command)
        del self._done[: -self.limit]
        self._undone.clear()

    def add_span(self, article_id: int, start: int, end: int, label: str, note: str = "") -> Span:
        """Create a span by the current annotator."""
        span = self.store.add_span(article_id, start, end, label, self.annotator, note)
        self._started(article_id)
        self._record(
            _SpanState(
                article_id,
                f"add {label} “{_short(span.quote)}”",
                span.uuid,
                before=(label, note, True),
                after=_state(span),
            )
        )
        return span

    def _change_span(self, span_uuid: str, what: str, **changes: object) -> Span:
        before = self.store.span(span_uuid)
        after = self.store.update_span(span_uuid, **changes)  # type: ignore[arg-type]
        if _state(before) != _state(after):
            self._record(
                _SpanState(
                    before.article_id,
                    f"{what} “{_short(before.quote)}”",
                    span_uuid,
                    _state(before),
                    _state(after),
                )
            )
        return after

    def delete_span(self, span_uuid: str) -> Span:
        """Delete a span (soft: undo brings it back unchanged)."""
        return self._change_span(span_uuid, "delete", deleted=True)

    def relabel_span(self, span_uuid: str, label: str) -> Span:
        """Give a span another label."""
        return self._change_span(span_uuid, f"relabel as {label}", label=label)

    def set_span_note(self, span_uuid: str, note: str) -> Span:
        """Replace a span's note."""
        return self._change_span(span_uuid, "note on", note=note)

    def set_tag(self, article_id: int, label: str, present: bool) -> bool:
        """Put a document tag on or take it off; return whether anything changed.

        A tag of an exclusive group takes the annotator's other tags of that group off, in
        the same undo step (a radio choice, not two edits).
        """
        rivals = self._rivals(article_id, label) if present else []
        changed = self.store.set_tag(article_id, label, self.annotator, present)
        if changed and present:
            self._started(article_id)
        if changed and rivals:
            for rival in rivals:
                self.store.set_tag(article_id, rival, self.annotator, False)
            changes = [(label, True), *((rival, False) for rival in rivals)]
            what = f"tag {label} (instead of {', '.join(rivals)})"
            self._record(_TagChoice(article_id, what, self.annotator, changes))
        elif changed:
            verb = "tag" if present else "untag"
            self._record(_TagToggle(article_id, f"{verb} {label}", label, self.annotator, present))
        return changed

    def _rivals(self, article_id: int, label: str) -> list[str]:
        """The annotator's tags on the article that share `label`'s exclusive group."""
        groups = self.store.exclusive_groups()
        if not groups:
            return []
        group_of = {lb.name: lb.group for lb in self.store.labels(DOCUMENT)}
        group = group_of.get(label, "")
        if group not in groups:
            return []
        held = (tag.label for tag in self.store.tags(article_id, self.annotator))
        return [name for name in held if name != label and group_of.get(name) == group]

    def _started(self, article_id: int) -> None:
        """A first annotation puts a "todo" article "in progress" for its annotator.

        Not an undo step of its own, and undoing the annotation leaves it: the annotator has
        started on the article either way, and "done" is theirs to say (Ctrl+Return).
        """
        if self.store.status(article_id, self.annotator) == Status.TODO:
            self.store.set_status(article_id, self.annotator, Status.IN_PROGRESS)

    def set_status(self, article_id: int, status: str) -> None:
        """Set the current annotator's status on an article."""
        before = self.store.status(article_id, self.annotator)
        if before == status:
            return
        self.store.set_status(article_id, self.annotator, status)
        self._record(_StatusChange(article_id, f"mark {status}", self.annotator, before, status))

    def delete_label(self, name: str, shown_article: int) -> Deletion:
        """Delete a label and everyone's annotations with it, as one undoable step (the
        project is backed up first when that is more than a handful)."""
        deletion = self.store.delete_label(name)
        what = f"delete label {name} ({deletion.size} annotations)"
        self._record(_BulkDeletion(shown_article, what, deletion))
        return deletion

    def delete_own_annotations(self, article_id: int) -> Deletion:
        """Delete the current annotator's spans and tags on one article, as one step."""
        deletion = self.store.delete_annotations(
            self.store.article_uses(article_id, self.annotator)
        )
        what = f"delete {deletion.size} annotations"
        self._record(_BulkDeletion(article_id, what, deletion))
        return deletion

    def can_undo(self) -> bool:
        """Whether there is an edit to undo."""
        return bool(self._done)

    def can_redo(self) -> bool:
        """Whether there is an undone edit to redo."""
        return bool(self._undone)

    def undo_text(self) -> str:
        """What Undo would take back, for the menu."""
        return self._done[-1].description if self._done else ""

    def redo_text(self) -> str:
        """What Redo would do again, for the menu."""
        return self._undone[-1].description if self._undone else ""

    def undo(self) -> int | None:
        """Take back the last edit; return its article id (None when nothing to undo)."""
        if not self._done:
            return None
        command = self._done[-1]
        command.revert(self.store)  # if this fails, the step stays, to be retried
        self._undone.append(self._done.pop())
        return command.article_id

    def redo(self) -> int | None:
        """Do the last undone edit again; return its article id."""
        if not self._undone:
            return None
        command = self._undone[-1]
        command.apply(self.store)
        self._done.append(self._undone.pop())
        return command.article_id


def _short(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
