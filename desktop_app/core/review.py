"""Compare two annotators on one article: every span, tag and relation classed as agreed or a
difference."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.core.agreement import AgreementInput, RelationUnit, SpanUnit, match_spans
from desktop_app.core.model import DocumentTag, Relation, Span


class ItemClass(StrEnum):
    """How the second annotator's work (B) stands to the first's (A) for one item."""

    AGREED = "agreed"
    MISSING = "missing"  # A marked it, B did not
    EXTRA = "extra"  # B marked it, A did not
    LABEL = "different label"  # the same text (or overlapping text) under another label
    BOUNDARY = "different boundary"  # the same label over overlapping but unequal text
    # Relations (their ends compared by boundaries; a label on an end is a span difference):
    TYPE = "different type"  # the same two spans linked under another type
    DIRECTION = "different direction"  # the same two spans and type, the other way round
    ENDPOINT = "different endpoint"  # the same type and one end, the other end elsewhere


@dataclass(frozen=True)
class ReviewItem:
    """One thing a reviewer decides on: a span pair (or lone span) or a document tag."""

    kind: str  # "span", "document" or "relation"
    item_class: ItemClass
    a: Span | DocumentTag | Relation | None
    b: Span | DocumentTag | Relation | None
    start: int = 0  # where it is in the text (spans, relations' ends), for navigation
    end: int = 0
    ends: Mapping[str, Span] | None = None  # a relation item's end spans, by uuid

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
        if isinstance(side, Relation):
            return side.type
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
    items = [
        _item(item_class, None if i is None else a[i], None if j is None else b[j])
        for item_class, i, j in _classify(_units(a), _units(b))
    ]
    return sorted(items, key=lambda item: (item.start, -item.end, item.key))


def _classify(
    a: Sequence[SpanUnit], b: Sequence[SpanUnit]
) -> list[tuple[ItemClass, int | None, int | None]]:
    """(class, index in a or None, index in b or None) for every span of one article."""
    exact = match_spans(a, b, exact=True)
    used_a = {i for i, _ in exact}
    used_b = {j for _, j in exact}
    found: list[tuple[ItemClass, int | None, int | None]] = [
        (ItemClass.AGREED, i, j) for i, j in exact
    ]
    rest_a = [i for i in range(len(a)) if i not in used_a]
    rest_b = [j for j in range(len(b)) if j not in used_b]
    pairs = match_spans(
        [a[i] for i in rest_a], [b[j] for j in rest_b], exact=False, same_label=False
    )
    for i, j in pairs:
        x, y = rest_a[i], rest_b[j]
        used_a.add(x)
        used_b.add(y)
        same_label = a[x].label == b[y].label
        found.append((ItemClass.BOUNDARY if same_label else ItemClass.LABEL, x, y))
    found += [(ItemClass.MISSING, i, None) for i in range(len(a)) if i not in used_a]
    found += [(ItemClass.EXTRA, None, j) for j in range(len(b)) if j not in used_b]
    return found


Place = tuple[int, int]  # a relation end's boundaries


def compare_relations(
    a: Sequence[Relation],
    b: Sequence[Relation],
    spans: Mapping[str, Span],
    directed: Mapping[str, bool],
) -> list[ReviewItem]:
    """Every relation of A and of B in one item each, in text order of their ends.

    Ends are compared by their spans' boundaries (whose span it is, and its label, do not
    matter here: a label difference is already a span item). Pairs are taken one to one in
    this order: agreed (same type, same ends, same direction; either way for an undirected
    type), different direction (a directed type, the ends swapped), different type (the same
    two ends), different endpoint (the same type and one end in its place, the other end
    elsewhere); what is left is missing (only A) or extra (only B). A relation whose end is
    not among `spans` (not live) is left out.
    """
    a = [r for r in a if r.from_span in spans and r.to_span in spans]
    b = [r for r in b if r.from_span in spans and r.to_span in spans]

    def place(r: Relation) -> tuple[Place, Place]:
        one, two = spans[r.from_span], spans[r.to_span]
        return (one.start, one.end), (two.start, two.end)

    found = pair_relations(
        [(r.type, place(r)) for r in a], [(r.type, place(r)) for r in b], directed
    )
    items = []
    for item_class, index_a, index_b in found:
        side_a = None if index_a is None else a[index_a]
        side_b = None if index_b is None else b[index_b]
        sides = [r for r in (side_a, side_b) if r is not None]
        ends = {u: spans[u] for r in sides for u in (r.from_span, r.to_span)}
        start = min(span.start for span in ends.values())
        end = max(span.end for span in ends.values())
        items.append(ReviewItem("relation", item_class, side_a, side_b, start, end, ends))
    return sorted(items, key=lambda item: (item.start, -item.end, item.key))


RelationShape = tuple[str, tuple[Place, Place]]  # a relation's type and its ends' boundaries


def pair_relations(
    a: Sequence[RelationShape], b: Sequence[RelationShape], directed: Mapping[str, bool]
) -> list[tuple[ItemClass, int | None, int | None]]:
    """A's and B's relations (type, (from end, to end)) paired one to one and classed, as
    compare_relations describes: (class, index in a or None, index in b or None)."""

    def agreed(x: RelationShape, y: RelationShape) -> bool:
        return x[0] == y[0] and (
            x[1] == y[1] or (not directed.get(x[0], True) and x[1] == y[1][::-1])
        )

    def reversed_(x: RelationShape, y: RelationShape) -> bool:
        return x[0] == y[0] and x[1] == y[1][::-1]

    def retyped(x: RelationShape, y: RelationShape) -> bool:
        return x[0] != y[0] and set(x[1]) == set(y[1])

    def moved(x: RelationShape, y: RelationShape) -> bool:
        if x[0] != y[0]:
            return False
        if not directed.get(x[0], True):
            return bool(set(x[1]) & set(y[1]))
        return x[1][0] == y[1][0] or x[1][1] == y[1][1]

    used_a: set[int] = set()
    used_b: set[int] = set()
    found: list[tuple[ItemClass, int | None, int | None]] = []
    for item_class, test in (
        (ItemClass.AGREED, agreed),
        (ItemClass.DIRECTION, reversed_),
        (ItemClass.TYPE, retyped),
        (ItemClass.ENDPOINT, moved),
    ):
        for i, x in enumerate(a):
            if i in used_a:
                continue
            hit = next((j for j, y in enumerate(b) if j not in used_b and test(x, y)), None)
            if hit is not None:
                used_a.add(i)
                used_b.add(hit)
                found.append((item_class, i, hit))
    found += [(ItemClass.MISSING, i, None) for i in range(len(a)) if i not in used_a]
    found += [(ItemClass.EXTRA, None, j) for j in range(len(b)) if j not in used_b]
    return found


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


@dataclass(frozen=True)
class Disagreement:
    """One place where two annotators differ, found from agreement data, with where it is."""

    article: str  # uid
    item_class: ItemClass
    kind: str  # "span", "document" or "relation"
    a_label: str  # "" when A has nothing there (a relation's type for a relation)
    b_label: str
    start: int = 0
    end: int = 0


def disagreements(data: AgreementInput, a: str, b: str) -> list[Disagreement]:
    """Every difference between `a` and `b` (tags, spans, relations) on the articles both
    coded, in article order.

    Classed as in the review panel (exact match agreed; overlaps paired one to one; label
    before boundary; the rest missing or extra), so a figure's disagreements and the
    review's differences are the same list.
    """
    common = sorted(data.coded.get(a, frozenset()) & data.coded.get(b, frozenset()))
    spans: dict[tuple[str, str], list[SpanUnit]] = {}
    for unit in data.spans:
        spans.setdefault((unit.article, unit.annotator), []).append(unit)
    tags: dict[tuple[str, str], set[str]] = {}
    for tag in data.tags:
        tags.setdefault((tag.article, tag.annotator), set()).add(tag.label)
    relations: dict[tuple[str, str], list[RelationUnit]] = {}
    for relation in data.relations:
        relations.setdefault((relation.article, relation.annotator), []).append(relation)
    directed = {relation.type: relation.directed for relation in data.relations}
    found: list[Disagreement] = []
    for article in common:
        a_tags, b_tags = tags.get((article, a), set()), tags.get((article, b), set())
        for label in sorted(a_tags ^ b_tags):
            in_a = label in a_tags
            found.append(
                Disagreement(
                    article,
                    ItemClass.MISSING if in_a else ItemClass.EXTRA,
                    "document",
                    label if in_a else "",
                    "" if in_a else label,
                )
            )
        found += _span_disagreements(
            article, spans.get((article, a), []), spans.get((article, b), [])
        )
        found += _relation_disagreements(
            article, relations.get((article, a), []), relations.get((article, b), []), directed
        )
    return found


def _relation_disagreements(
    article: str, a: list[RelationUnit], b: list[RelationUnit], directed: Mapping[str, bool]
) -> list[Disagreement]:
    """The relations A and B differ on, classed as the review panel classes them; each placed
    from the first of its ends to the last."""

    def shape(unit: RelationUnit) -> RelationShape:
        ends = (unit.source.start, unit.source.end), (unit.target.start, unit.target.end)
        return unit.type, ends

    shapes_a, shapes_b = [shape(u) for u in a], [shape(u) for u in b]
    pairs = pair_relations(shapes_a, shapes_b, directed)
    return _differences(article, "relation", pairs, shapes_a, shapes_b)


def _span_disagreements(article: str, a: list[SpanUnit], b: list[SpanUnit]) -> list[Disagreement]:
    shapes_a = [(u.label, ((u.start, u.end),)) for u in a]
    shapes_b = [(u.label, ((u.start, u.end),)) for u in b]
    return _differences(article, "span", _classify(a, b), shapes_a, shapes_b)


def _differences(
    article: str,
    kind: str,
    pairs: Sequence[tuple[ItemClass, int | None, int | None]],
    a: Sequence[tuple[str, Sequence[Place]]],
    b: Sequence[tuple[str, Sequence[Place]]],
) -> list[Disagreement]:
    """The pairs that are not agreed, as disagreements: A's and B's label (or type) and the
    text from the first place either side covers to the last, in text order."""
    found = []
    for item_class, i, j in pairs:
        if item_class is ItemClass.AGREED:
            continue
        places = [*(a[i][1] if i is not None else ()), *(b[j][1] if j is not None else ())]
        found.append(
            Disagreement(
                article,
                item_class,
                kind,
                "" if i is None else a[i][0],
                "" if j is None else b[j][0],
                min(start for start, _ in places),
                max(end for _, end in places),
            )
        )
    return sorted(found, key=lambda d: (d.start, -d.end))
