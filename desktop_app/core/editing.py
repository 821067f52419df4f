"""Every user edit, as an undoable command applied through the store (one write path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from desktop_app.core.model import DOCUMENT, Relation, Span, Status
from desktop_app.core.store import Store, StoreError, new_uuid
from desktop_app.core.store.article_deletes import ArticleDeletion
from desktop_app.core.store.bulk import Deletion
from desktop_app.core.store.suggestions import Suggestion


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


@dataclass
class _ArticlesDeletion:
    """Whole articles deleted as one step; undo puts back the very rows it removed."""

    article_id: int
    description: str
    deletion: ArticleDeletion

    changes_articles = True  # the window recounts its list after it, both ways

    def apply(self, store: Store) -> None:
        self.deletion = store.delete_articles(self.deletion.article_ids)
        self.article_id = store.article_near(self.deletion.article_ids[0]) or 0  # 0: none left

    def revert(self, store: Store) -> None:
        store.restore_articles(self.deletion)
        self.article_id = self.deletion.article_ids[0]


@dataclass
class _SpanSwap:
    """An adjusted span: the copy with new edges shown, the original hidden (and back)."""

    article_id: int
    description: str
    old: str
    new: str

    def apply(self, store: Store) -> None:
        store.swap_spans(hide=self.old, show=self.new)

    def revert(self, store: Store) -> None:
        store.swap_spans(hide=self.new, show=self.old)


@dataclass
class _SpanBatch:
    """Many spans created together (annotate all matches): one step hides or shows them all."""

    article_id: int
    description: str
    uuids: list[str]

    def apply(self, store: Store) -> None:
        for uuid in self.uuids:
            store.update_span(uuid, deleted=False)

    def revert(self, store: Store) -> None:
        for uuid in self.uuids:
            store.update_span(uuid, deleted=True)


@dataclass
class _SuggestionsAccepted:
    """Suggestions made the annotator's spans as one step; undo brings the suggestions back."""

    article_id: int
    description: str
    annotator: str
    suggestions: list[Suggestion]
    span_uuids: list[str]

    def apply(self, store: Store) -> None:
        store.accept_suggestions(self.suggestions, self.annotator, self.span_uuids)

    def revert(self, store: Store) -> None:
        store.unaccept_suggestions(self.suggestions, self.span_uuids)


@dataclass
class _SuggestionsRejected:
    """Suggestions rejected (and remembered) as one step; undo forgets the rejections."""

    article_id: int
    description: str
    annotator: str
    suggestions: list[Suggestion]

    def apply(self, store: Store) -> None:
        store.reject_suggestions(self.suggestions, self.annotator)

    def revert(self, store: Store) -> None:
        store.unreject_suggestions(self.suggestions)


@dataclass
class _SpanDeletion:
    """A span deleted with every relation on it (anyone's): undo brings them all back."""

    article_id: int
    description: str
    uuid: str
    relations: list[str]

    def apply(self, store: Store) -> None:
        self.relations = store.delete_span_with_relations(self.uuid)

    def revert(self, store: Store) -> None:
        store.restore_span_with_relations(self.uuid, self.relations)


RelationState = tuple[str, str, str, str, bool]  # type, from span, to span, note, deleted


@dataclass
class _RelationChange:
    """Set a relation's type, ends, note and deleted to `after`, and back to `before`."""

    article_id: int
    description: str
    uuid: str
    before: RelationState
    after: RelationState

    def apply(self, store: Store) -> None:
        _set_relation(store, self.uuid, self.after)

    def revert(self, store: Store) -> None:
        _set_relation(store, self.uuid, self.before)


def _set_relation(store: Store, uuid: str, state: RelationState) -> None:
    kind, from_span, to_span, note, deleted = state
    store.update_relation(
        uuid, kind=kind, from_span=from_span, to_span=to_span, note=note, deleted=deleted
    )


def _relation_state(relation: Relation) -> RelationState:
    r = relation
    return (r.type, r.from_span, r.to_span, r.note, r.deleted)


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
    _articles_changed: bool = False

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

    def add_spans(self, wanted: list[tuple[int, int, int, str]], what: str = "") -> list[Span]:
        """Create many spans (article, start, end, label) by the current annotator, one step."""
        made = [self.store.add_span(a, s, e, label, self.annotator) for a, s, e, label in wanted]
        if not made:
            return made
        for article_id in dict.fromkeys(span.article_id for span in made):
            self._started(article_id)
        count = len(made)
        what = what or f"add {count} span{'s' if count != 1 else ''}"
        self._record(_SpanBatch(made[0].article_id, what, [span.uuid for span in made]))
        return made

    def accept_suggestions(self, suggestions: list[Suggestion]) -> list[Span]:
        """Make suggestions the current annotator's spans, as one undoable step."""
        if not suggestions:
            return []
        span_uuids = [new_uuid() for _ in suggestions]
        command = _SuggestionsAccepted(
            suggestions[0].article_id,
            _what("accept", suggestions),
            self.annotator,
            list(suggestions),
            span_uuids,
        )
        spans = self.store.accept_suggestions(suggestions, self.annotator, span_uuids)
        for article_id in dict.fromkeys(s.article_id for s in suggestions):
            self._started(article_id)
        self._record(command)
        return spans

    def accept_all(self, article_id: int, min_score: float = 0.0) -> list[Span]:
        """Accept every suggestion on an article scoring at least `min_score`, as one step."""
        found = self.store.suggestions([article_id], min_score=min_score)
        return self.accept_suggestions(found)

    def reject_suggestions(self, suggestions: list[Suggestion]) -> None:
        """Reject suggestions (remembered per article, offsets and label), as one step."""
        if not suggestions:
            return
        self.store.reject_suggestions(suggestions, self.annotator)
        self._record(
            _SuggestionsRejected(
                suggestions[0].article_id,
                _what("reject", suggestions),
                self.annotator,
                list(suggestions),
            )
        )

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
        """Delete a span (soft: undo brings it back unchanged) with every relation on it,
        a colleague's too (a relation links live spans), as one step."""
        before = self.store.span(span_uuid)
        if before.deleted:
            return before
        relations = self.store.delete_span_with_relations(span_uuid)
        what = f"delete “{_short(before.quote)}”"
        if relations:
            what += f" and {len(relations)} relation{'s' if len(relations) != 1 else ''}"
        self._record(_SpanDeletion(before.article_id, what, span_uuid, relations))
        return self.store.span(span_uuid)

    # ----------------------------------------------------------------- relations

    def add_relation(self, kind: str, from_span: str, to_span: str, note: str = "") -> Relation:
        """Link two live spans of one article (anyone's) as the current annotator."""
        relation = self.store.add_relation(kind, from_span, to_span, self.annotator, note)
        self._started(relation.article_id)
        after = _relation_state(relation)
        self._record(
            _RelationChange(
                relation.article_id, f"add relation {kind}", relation.uuid,
                (*after[:4], True), after,
            )
        )  # fmt: skip
        return relation

    def _change_relation(self, relation_uuid: str, what: str, **changes: object) -> Relation:
        before = self.store.relation(relation_uuid)
        after = self.store.update_relation(relation_uuid, **changes)  # type: ignore[arg-type]
        if _relation_state(before) != _relation_state(after):
            self._record(
                _RelationChange(
                    before.article_id, f"{what} {before.type}", relation_uuid,
                    _relation_state(before), _relation_state(after),
                )
            )  # fmt: skip
        return after

    def delete_relation(self, relation_uuid: str) -> Relation:
        """Delete a relation (soft: undo brings it back)."""
        return self._change_relation(relation_uuid, "delete relation", deleted=True)

    def reverse_relation(self, relation_uuid: str) -> Relation:
        """Swap a directed relation's ends (an undirected one has no direction to swap)."""
        before = self.store.relation(relation_uuid)
        if not self.store.relation_type(before.type).directed:
            raise StoreError(f"{before.type} is undirected: it has no direction to reverse")
        return self._change_relation(
            relation_uuid, "reverse", from_span=before.to_span, to_span=before.from_span
        )

    def set_relation_type(self, relation_uuid: str, kind: str) -> Relation:
        """Give a relation another type (its ends must suit the new type)."""
        return self._change_relation(relation_uuid, f"retype as {kind}:", kind=kind)

    def set_relation_note(self, relation_uuid: str, note: str) -> Relation:
        """Replace a relation's note."""
        return self._change_relation(relation_uuid, "note on relation", note=note)

    def relabel_span(self, span_uuid: str, label: str) -> Span:
        """Give a span another label."""
        return self._change_span(span_uuid, f"relabel as {label}", label=label)

    def set_span_note(self, span_uuid: str, note: str) -> Span:
        """Replace a span's note."""
        return self._change_span(span_uuid, "note on", note=note)

    def adjust_span(self, span_uuid: str, start: int, end: int) -> Span:
        """Move a span's edges, as one undo step: a copy (same label, note, annotator) with the
        new offsets replaces it, since stored offsets never change."""
        before = self.store.span(span_uuid)
        if (start, end) == (before.start, before.end):
            return before
        after = self.store.replace_span(span_uuid, start, end)
        what = f"adjust “{_short(before.quote)}” to “{_short(after.quote)}”"
        self._record(_SpanSwap(before.article_id, what, span_uuid, after.uuid))
        return after

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

    def delete_articles(self, article_ids: list[int], what: str = "") -> ArticleDeletion:
        """Delete whole articles with all their annotations, backed up first, as one step."""
        self.store.backup("delete-articles")
        deletion = self.store.delete_articles(article_ids)
        count = len(deletion.article_ids)
        what = what or f"delete {count} article{'s' if count != 1 else ''}"
        shown = deletion.article_ids[0] if deletion.article_ids else 0
        self._record(_ArticlesDeletion(shown, what, deletion))
        return deletion

    @property
    def articles_changed(self) -> bool:
        """Whether the last undo or redo added or removed whole articles."""
        return self._articles_changed

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
        self._articles_changed = getattr(command, "changes_articles", False)
        self._undone.append(self._done.pop())
        return command.article_id

    def redo(self) -> int | None:
        """Do the last undone edit again; return its article id."""
        if not self._undone:
            return None
        command = self._undone[-1]
        command.apply(self.store)
        self._articles_changed = getattr(command, "changes_articles", False)
        self._done.append(self._undone.pop())
        return command.article_id


def _what(verb: str, suggestions: list[Suggestion]) -> str:
    if len(suggestions) == 1:
        return f"{verb} suggested {suggestions[0].label}"
    return f"{verb} {len(suggestions)} suggestions"


def _short(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
