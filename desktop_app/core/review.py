"""Compare two annotators on one article: every span and tag classed as agreed or a difference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.core.agreement import SpanUnit, match_spans
from desktop_app.core.model import DocumentTag, Span


class ItemClass(StrEnum):
    """How the second annotator's work (B) stands to the first's (A) for one item."""

    AGREED = "agreed"
    MISSING = "missing"  # A marked it, B did not
    EXTRA = "extra"  # B marked it, A did not
    LABEL = "different label"  # the same text (or overlapping text) under another label
    BOUNDARY = "different boundary"  # the same label over overlapping but unequal text


@dataclass(frozen=True)
class ReviewItem:
    """One thing a reviewer decides on: a span pair (or lone span) or a document tag."""

    kind: str  # "span" or "document"
    item_class: ItemClass
    a: Span | DocumentTag | None
    b: Span | DocumentTag | None
    start: int = 0  # where it is in the text (spans), for navigation
    end: int = 0

    @property
    def key(self) -> str:
        """Stable identity of the item across sessions: the uuids of the two sides."""
        a = self.a.uuid if self.a is not None else "-"
        b = self.b.uuid if self.b is not None else "-"
        return f"{a}|{b}"

    @property
    def label(self) -> str:
        """The label shown for the item: A's, else B's."""
        side = self.a if self.a is not None else self.b
        return side.label if side is not None else ""

    @property
    def is_difference(self) -> bool:
        """True for everything but an agreed item."""
        return self.item_class is not ItemClass.AGREED


def compare_spans(a: Sequence[Span], b: Sequence[Span]) -> list[ReviewItem]:
    """Every span of A and of B in one item each, in text order.

    Exact matches (same offsets and label) are agreed. Of the rest, overlapping pairs are
    matched one to one (largest overlap first, as the agreement figures match them) and
    classed by label first: an overlap under another label is a label difference even when
    the boundaries differ too. Unmatched spans are missing (only A) or extra (only B).
    """
    a_units, b_units = _units(a), _units(b)
    items: list[ReviewItem] = []
    exact = match_spans(a_units, b_units, exact=True)
    used_a = {i for i, _ in exact}
    used_b = {j for _, j in exact}
    items += [_item(ItemClass.AGREED, a[i], b[j]) for i, j in exact]
    rest_a = [i for i in range(len(a)) if i not in used_a]
    rest_b = [j for j in range(len(b)) if j not in used_b]
    overlap = match_spans(
        [a_units[i] for i in rest_a], [b_units[j] for j in rest_b], exact=False, same_label=False
    )
    for i, j in overlap:
        x, y = a[rest_a[i]], b[rest_b[j]]
        used_a.add(rest_a[i])
        used_b.add(rest_b[j])
        items.append(_item(ItemClass.LABEL if x.label != y.label else ItemClass.BOUNDARY, x, y))
    items += [_item(ItemClass.MISSING, span, None) for k, span in enumerate(a) if k not in used_a]
    items += [_item(ItemClass.EXTRA, None, span) for k, span in enumerate(b) if k not in used_b]
    return sorted(items, key=lambda item: (item.start, -item.end, item.key))


def compare_tags(a: Sequence[DocumentTag], b: Sequence[DocumentTag]) -> list[ReviewItem]:
    """Document tags: both have it (agreed), only A (missing) or only B (extra)."""
    by_a = {tag.label: tag for tag in a}
    by_b = {tag.label: tag for tag in b}
    items = []
    for label in sorted(by_a.keys() | by_b.keys()):
        x, y = by_a.get(label), by_b.get(label)
        kind = ItemClass.AGREED if x and y else ItemClass.MISSING if x else ItemClass.EXTRA
        items.append(ReviewItem("document", kind, x, y))
    return items


def _units(spans: Sequence[Span]) -> list[SpanUnit]:
    return [SpanUnit("", s.annotator, s.label, s.start, s.end) for s in spans]


def _item(item_class: ItemClass, a: Span | None, b: Span | None) -> ReviewItem:
    sides = [s for s in (a, b) if s is not None]
    start = min(s.start for s in sides)
    end = max(s.end for s in sides)
    return ReviewItem("span", item_class, a, b, start, end)
