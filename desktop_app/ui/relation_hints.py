"""Picking a relation's far end from the keyboard: the candidate spans, nearest first, each
marked with hint letters (as Vimium marks links), narrowed as the letters are typed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from desktop_app.core.model import RelationType, Span

# Vimium's home-row letters: the nearest candidates get the keys under the fingers.
HINT_LETTERS = "sadfjklewcmpgh"


def hint_labels(count: int, letters: str = HINT_LETTERS) -> list[str]:
    """`count` hints, none a prefix of another, shortest first (so nearest gets shortest)."""
    if count <= 0:
        return []
    hints, taken = [""], 0
    # Breadth first: a hint split into longer ones is no longer offered, so the ones left
    # are the leaves of a tree, and no leaf is a prefix of another.
    while len(hints) - taken < count or taken == 0:
        parent = hints[taken]
        taken += 1
        hints.extend(parent + letter for letter in letters)
    rank = {letter: i for i, letter in enumerate(letters)}  # home row first, as given
    return sorted(hints[taken:], key=lambda h: (len(h), [rank[c] for c in h]))[:count]


@dataclass(frozen=True)
class Candidate:
    """A span the relation may reach; `forward`: the selected span is the from end."""

    span: Span
    forward: bool
    hint: str = ""


def gap(a: Span, b: Span) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, b.start - a.end, a.start - b.end)


def candidates(
    source: Span,
    spans: Iterable[Span],
    kind: RelationType,
    existing: set[tuple[str, str, str]],
) -> list[Candidate]:
    """The spans `kind` may link `source` with, nearest first, each with its hint letters.

    The selected span is the from end where the type allows it, else the to end (select a
    Person and link it to a Quote: the quote is said by the person). Links the same
    annotator-independent triple already has (type, from, to) are left out.
    """
    found: list[tuple[int, int, Span, bool]] = []
    for span in spans:
        if span.uuid == source.uuid or span.deleted:
            continue
        if kind.allows(source.label, span.label):
            forward = True
        elif kind.allows(span.label, source.label):
            forward = False
        else:
            continue
        ends = (source.uuid, span.uuid) if forward else (span.uuid, source.uuid)
        if (kind.name, *ends) in existing or (
            not kind.directed and (kind.name, ends[1], ends[0]) in existing
        ):
            continue
        found.append((gap(source, span), span.start, span, forward))
    found.sort(key=lambda item: (item[0], item[1]))
    hints = hint_labels(len(found))
    return [
        Candidate(span, forward, hint)
        for (_, _, span, forward), hint in zip(found, hints, strict=True)
    ]


@dataclass
class HintSession:
    """One pick in progress: the source span, the type, the candidates and what was typed."""

    source: Span
    kind: RelationType
    options: list[Candidate] = field(default_factory=list)
    typed: str = ""
    current: int = 0  # index into options; the nearest is current until another is chosen

    def shown(self) -> list[Candidate]:
        """The candidates whose hint starts with what was typed."""
        return [c for c in self.options if c.hint.startswith(self.typed)]

    def chosen(self) -> Candidate | None:
        """The candidate Enter would link to."""
        return self.options[self.current] if 0 <= self.current < len(self.options) else None

    def type_letter(self, letter: str) -> bool:
        """Narrow by one more typed letter; False (nothing changes) if no hint goes on so."""
        typed = self.typed + letter.lower()
        if not any(c.hint.startswith(typed) for c in self.options):
            return False
        self.typed = typed
        exact = [i for i, c in enumerate(self.options) if c.hint == typed]
        matching = [i for i, c in enumerate(self.options) if c.hint.startswith(typed)]
        self.current = (exact or matching)[0]
        return True

    def backspace(self) -> None:
        """Take back the last typed letter."""
        self.typed = self.typed[:-1]

    def step(self, by: int) -> None:
        """Tab (1) or Shift+Tab (-1): the next or previous candidate among those shown."""
        shown = [i for i, c in enumerate(self.options) if c.hint.startswith(self.typed)]
        if not shown:
            return
        at = shown.index(self.current) if self.current in shown else -1
        self.current = shown[(at + by) % len(shown)] if at >= 0 else shown[0]

    def choose(self, span_uuid: str) -> bool:
        """Make the candidate on span `span_uuid` current (a click); False if it is none."""
        for i, option in enumerate(self.options):
            if option.span.uuid == span_uuid:
                self.current, self.typed = i, ""
                return True
        return False

    def ends(self) -> tuple[str, str] | None:
        """(from span, to span) of the relation Enter would make."""
        option = self.chosen()
        if option is None:
            return None
        if option.forward:
            return self.source.uuid, option.span.uuid
        return option.span.uuid, self.source.uuid


def fitting_type(
    types: Sequence[RelationType], source: Span, preferred: str = ""
) -> RelationType | None:
    """The type a pick starts with: `preferred` (the last used) if it can link a span with
    `source`'s label at either end, else the first that can."""

    def fits(kind: RelationType) -> bool:
        return (
            not kind.from_labels
            or source.label in kind.from_labels
            or not kind.to_labels
            or source.label in kind.to_labels
        )

    ordered = sorted(types, key=lambda kind: kind.name != preferred)
    return next((kind for kind in ordered if fits(kind)), None)


def pair_type(
    types: Sequence[RelationType], a: Span, b: Span, preferred: str = ""
) -> tuple[RelationType, bool] | None:
    """The type a drag from `a` to `b` makes: the last used if it links them, else the first
    that does; with True when `a` is the from end."""
    ordered = sorted(types, key=lambda kind: kind.name != preferred)
    for kind in ordered:
        if kind.allows(a.label, b.label):
            return kind, True
        if kind.allows(b.label, a.label):
            return kind, False
    return None
