"""Inter-annotator agreement: kappa and alpha for document tags, F1 and unitized alpha for spans,
relation F1 under three endpoint-matching rules."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Generic, TypeVar

NONE = "(none)"  # row/column of the span confusion table for spans the other side did not match

# Reasons a figure is undefined; the texts are shown to analysts as they are.
NO_COMMON_ARTICLES = "no items: the two annotators coded no common article"
NO_TAG_LABELS = "no items: no document tag is in use"
NO_KAPPA_VARIATION = "no variation: expected agreement is 1 (both gave every item the same value)"
NO_PAIRABLE = "no items: no article was coded by two or more of the compared annotators"
NO_ALPHA_VARIATION = "no variation: every value is the same, so expected disagreement is 0"
FEWER_THAN_TWO = "fewer than two annotators to compare"
NO_SHARED_CONTINUUM = "no items: no article was coded by all of the compared annotators"
NO_UNITS = "no items: nobody marked a span here in the articles all compared annotators coded"
NO_UNITIZED_VARIATION = "no variation: expected disagreement is 0"
NO_B_SPANS = "no spans from the second annotator (precision needs at least one)"
NO_A_SPANS = "no spans from the first annotator (recall needs at least one)"
NO_SPANS = "no spans from either annotator"

T = TypeVar("T")


@dataclass(frozen=True)
class SpanUnit:
    """One live span: article uid, annotator, label and code-point offsets (start < end)."""

    article: str
    annotator: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class TagUnit:
    """One live document tag."""

    article: str
    annotator: str
    label: str


@dataclass(frozen=True)
class RelationUnit:
    """One live relation: its type (and whether it has a direction) and its two end spans."""

    article: str
    annotator: str
    type: str
    directed: bool
    source: SpanUnit  # the from end
    target: SpanUnit  # the to end


@dataclass(frozen=True)
class AgreementInput:
    """What agreement is computed from; an article an annotator did not code is missing data."""

    annotators: tuple[str, ...]
    coded: Mapping[str, frozenset[str]]
    lengths: Mapping[str, int]
    spans: tuple[SpanUnit, ...]
    tags: tuple[TagUnit, ...]
    relations: tuple[RelationUnit, ...] = ()


@dataclass(frozen=True)
class Figure:
    """One agreement figure: value None when undefined, with the reason in `undefined`."""

    value: float | None
    items: int
    undefined: str = ""


@dataclass(frozen=True)
class ByLabel(Generic[T]):
    """A result per label plus the result over all labels together."""

    per_label: Mapping[str, T]
    overall: T


@dataclass(frozen=True)
class SpanScores:
    """Annotator B's spans scored against annotator A's: counts and precision/recall/F1."""

    matched: int
    only_a: int
    only_b: int
    precision: Figure
    recall: Figure
    f1: Figure


@dataclass(frozen=True)
class TagPair:
    """Cohen's kappa on document tags for one pair of annotators."""

    a: str
    b: str
    common_articles: int
    kappa: ByLabel[Figure]


@dataclass(frozen=True)
class SpanPair:
    """Span agreement for one pair of annotators over the articles both coded."""

    a: str
    b: str
    common_articles: int
    exact: ByLabel[SpanScores]
    overlap: ByLabel[SpanScores]
    confusion: Mapping[str, Mapping[str, int]]  # confusion[label_a][label_b], NONE = unmatched


# How two relations' end spans must agree for the relations to match (the type always must;
# an undirected type matches either way round). All three are reported side by side, as
# issue 16 asks: one figure alone hides whether annotators disagree on the link or the ends.
STRICT = "strict"  # both ends: same start, end and label
BOUNDARIES = "boundaries"  # both ends: same start and end, labels ignored
RELAXED = "relaxed"  # both ends: overlapping spans, labels ignored
RELATION_RULES = (STRICT, BOUNDARIES, RELAXED)


@dataclass(frozen=True)
class RelationPair:
    """Relation agreement for one pair of annotators: per type, under each matching rule."""

    a: str
    b: str
    common_articles: int
    rules: Mapping[str, ByLabel[SpanScores]]  # by rule name (RELATION_RULES)


@dataclass(frozen=True)
class UnitizedDisagreement:
    """Observed and expected disagreement of unitized alpha for one label's continuum."""

    observed: Fraction
    expected: Fraction
    units: int
    observers: int
    continuum_length: int


@dataclass(frozen=True)
class AgreementReport:
    """Every agreement figure for a set of annotators (optionally one label only)."""

    annotators: tuple[str, ...]
    label: str | None
    tag_labels: tuple[str, ...]
    span_labels: tuple[str, ...]
    tag_alpha: ByLabel[Figure]
    tag_pairs: tuple[TagPair, ...]
    span_pairs: tuple[SpanPair, ...]
    unitized_articles: int
    unitized_alpha: ByLabel[Figure]
    relation_types: tuple[str, ...] = ()
    relation_pairs: tuple[RelationPair, ...] = ()


# ---------------------------------------------------------------- coefficients on plain data


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> Figure:
    """Cohen's kappa of two equally long value sequences (item i rated a[i] and b[i])."""
    if len(a) != len(b):
        raise ValueError(f"kappa needs equally long sequences, got {len(a)} and {len(b)}")
    n = len(a)
    if n == 0:
        return Figure(None, 0, NO_COMMON_ARTICLES)
    observed = Fraction(sum(x == y for x, y in zip(a, b, strict=True)), n)
    count_a, count_b = Counter(a), Counter(b)
    expected = Fraction(sum(count_a[v] * count_b[v] for v in count_a), n * n)
    if expected == 1:
        return Figure(None, n, NO_KAPPA_VARIATION)
    return Figure(float((observed - expected) / (1 - expected)), n)


def krippendorff_alpha_nominal(units: Iterable[Sequence[Hashable | None]]) -> Figure:
    """Krippendorff's alpha, nominal; each unit lists one value per annotator, None = missing."""
    pairable = 0
    observed_pairs = Fraction(0)  # sum over units of the unit's disagreeing pairs / (m_u - 1)
    totals: Counter[Hashable] = Counter()
    for unit in units:
        values = Counter(v for v in unit if v is not None)
        m_u = sum(values.values())
        if m_u < 2:  # a lone value has nobody to be compared with
            continue
        pairable += 1
        totals.update(values)
        same = sum(c * c for c in values.values())
        observed_pairs += Fraction(m_u * m_u - same, m_u - 1)
    if pairable == 0:
        return Figure(None, 0, NO_PAIRABLE)
    n = sum(totals.values())
    expected_pairs = n * n - sum(c * c for c in totals.values())
    if expected_pairs == 0:
        return Figure(None, pairable, NO_ALPHA_VARIATION)
    return Figure(float(1 - (n - 1) * observed_pairs / expected_pairs), pairable)


# ---------------------------------------------------------------- span matching


def _pair_key(a: SpanUnit, b: SpanUnit, overlap: int) -> tuple[int, ...]:
    # Largest overlap first; among equals prefer the same label, then the closest boundaries,
    # then the earliest spans, so identical spans always pair with each other and the result
    # does not depend on input order.
    distance = abs(a.start - b.start) + abs(a.end - b.end)
    return (-overlap, int(a.label != b.label), distance, a.start, a.end, b.start, b.end)


def match_spans(
    a: Sequence[SpanUnit], b: Sequence[SpanUnit], *, exact: bool, same_label: bool = True
) -> list[tuple[int, int]]:
    """One-to-one pairs (index in a, index in b) of matching spans in the same article.

    Exact: same article, start, end and label. Overlap: same article, ranges share at least one
    code point (and same label when same_label); pairs are taken greedily by largest overlap,
    ties broken by same label, then smallest boundary distance, then position, so the matching
    is maximal (no further pair could be added) and deterministic.
    """
    in_article: defaultdict[str, list[int]] = defaultdict(list)  # only same-article pairs count
    for j, y in enumerate(b):
        in_article[y.article].append(j)
    candidates: list[tuple[tuple[int, ...], int, int]] = []
    for i, x in enumerate(a):
        for j in in_article[x.article]:
            y = b[j]
            if same_label and x.label != y.label:
                continue
            if exact and (x.start, x.end) != (y.start, y.end):
                continue
            shared = min(x.end, y.end) - max(x.start, y.start)
            if shared > 0:
                candidates.append((_pair_key(x, y, shared), i, j))
    candidates.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def score_counts(matched: int, total_a: int, total_b: int) -> SpanScores:
    """Precision (matched/B), recall (matched/A) and F1 (2·matched/(A+B)) of B against A."""
    precision = Figure(matched / total_b, total_b) if total_b else Figure(None, 0, NO_B_SPANS)
    recall = Figure(matched / total_a, total_a) if total_a else Figure(None, 0, NO_A_SPANS)
    both = total_a + total_b
    f1 = Figure(2 * matched / both, both) if both else Figure(None, 0, NO_SPANS)
    return SpanScores(matched, total_a - matched, total_b - matched, precision, recall, f1)


def span_scores(
    a: Sequence[SpanUnit], b: Sequence[SpanUnit], labels: Sequence[str], *, exact: bool
) -> ByLabel[SpanScores]:
    """Scores of B against A per label, and micro-averaged over the labels (counts summed)."""
    matched: Counter[str] = Counter(a[i].label for i, _ in match_spans(a, b, exact=exact))
    count_a, count_b = Counter(s.label for s in a), Counter(s.label for s in b)
    per_label = {
        label: score_counts(matched[label], count_a[label], count_b[label]) for label in labels
    }
    overall = score_counts(
        sum(matched[x] for x in labels),
        sum(count_a[x] for x in labels),
        sum(count_b[x] for x in labels),
    )
    return ByLabel(per_label, overall)


def span_confusion(a: Sequence[SpanUnit], b: Sequence[SpanUnit]) -> dict[str, dict[str, int]]:
    """counts[label_a][label_b] of spans paired by overlap whatever the label; NONE: unpaired."""
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    pairs = match_spans(a, b, exact=False, same_label=False)
    for i, j in pairs:
        counts[a[i].label][b[j].label] += 1
    matched_a, matched_b = {i for i, _ in pairs}, {j for _, j in pairs}
    for i, span in enumerate(a):
        if i not in matched_a:
            counts[span.label][NONE] += 1
    for j, span in enumerate(b):
        if j not in matched_b:
            counts[NONE][span.label] += 1
    return {row: dict(sorted(cols.items())) for row, cols in sorted(counts.items())}


# ---------------------------------------------------------------- relation matching


def _ends_agree(x: SpanUnit, y: SpanUnit, rule: str) -> int:
    """How much two end spans agree under `rule`: 0 when they do not, else their overlap."""
    shared = min(x.end, y.end) - max(x.start, y.start)
    if rule == RELAXED:
        return max(shared, 0)
    same = (x.start, x.end) == (y.start, y.end) and (rule == BOUNDARIES or x.label == y.label)
    return shared if same else 0


def _relation_fit(x: RelationUnit, y: RelationUnit, rule: str) -> int:
    """How well B's relation y fits A's x (0: no match): the summed overlap of their ends,
    the other way round too when the type is undirected."""
    if x.article != y.article or x.type != y.type:
        return 0
    ways = [(y.source, y.target)]
    if not (x.directed and y.directed):
        ways.append((y.target, y.source))
    best = 0
    for first, second in ways:
        one, two = _ends_agree(x.source, first, rule), _ends_agree(x.target, second, rule)
        if one and two:
            best = max(best, one + two)
    return best


def match_relations(
    a: Sequence[RelationUnit], b: Sequence[RelationUnit], rule: str
) -> list[tuple[int, int]]:
    """One-to-one pairs (index in a, index in b) of relations that match under `rule`.

    Same article and type; both ends agree as the rule says, in the same direction unless the
    type is undirected. Taken greedily by largest summed end overlap, then position, so exact
    matches pair first and the result does not depend on input order.
    """
    if rule not in RELATION_RULES:
        raise ValueError(f"unknown relation matching rule {rule!r}")
    by_key: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
    for j, y in enumerate(b):
        by_key[(y.article, y.type)].append(j)
    candidates = []
    for i, x in enumerate(a):
        for j in by_key[(x.article, x.type)]:
            fit = _relation_fit(x, b[j], rule)
            if fit:
                candidates.append((-fit, i, j))
    candidates.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def relation_scores(
    a: Sequence[RelationUnit], b: Sequence[RelationUnit], types: Sequence[str], rule: str
) -> ByLabel[SpanScores]:
    """Scores of B's relations against A's under `rule`, per type and micro-averaged."""
    matched: Counter[str] = Counter(a[i].type for i, _ in match_relations(a, b, rule))
    count_a, count_b = Counter(r.type for r in a), Counter(r.type for r in b)
    per_type = {t: score_counts(matched[t], count_a[t], count_b[t]) for t in types}
    overall = score_counts(
        sum(matched[t] for t in types), sum(count_a[t] for t in types),
        sum(count_b[t] for t in types),
    )  # fmt: skip
    return ByLabel(per_type, overall)


def _relation_pair(
    a: str,
    b: str,
    coded: Mapping[str, frozenset[str]],
    relations: list[RelationUnit],
    types: tuple[str, ...],
) -> RelationPair:
    common = coded[a] & coded[b]
    a_rel = [r for r in relations if r.annotator == a and r.article in common]
    b_rel = [r for r in relations if r.annotator == b and r.article in common]
    rules = {rule: relation_scores(a_rel, b_rel, types, rule) for rule in RELATION_RULES}
    return RelationPair(a, b, len(common), rules)


# ---------------------------------------------------------------- unitized alpha


Section = tuple[int, int, bool]  # start, end, is a unit (False: a gap)


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    # αU needs each observer's units of one label to be disjoint: overlapping or duplicate spans
    # are joined into their union (a code point is in a unit or not); touching spans stay apart.
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _sections(units: list[tuple[int, int]], length: int) -> list[Section]:
    sections: list[Section] = []
    cursor = 0
    for start, end in units:
        if start > cursor:
            sections.append((cursor, start, False))
        sections.append((start, end, True))
        cursor = end
    if cursor < length:
        sections.append((cursor, length, False))
    return sections


def _delta2(x: Section, y: Section) -> int:
    # Krippendorff's squared difference of two overlapping sections (2004, Content Analysis,
    # 2nd ed., §11.6): two units differ by their squared boundary shifts; a unit lying wholly in
    # the other's gap counts its squared length; any other pairing counts nothing.
    (xb, xe, x_unit), (yb, ye, y_unit) = x, y
    if x_unit and y_unit:
        return (xb - yb) ** 2 + (xe - ye) ** 2
    if x_unit and yb <= xb and xe <= ye:
        return (xe - xb) ** 2
    if y_unit and xb <= yb and ye <= xe:
        return (ye - yb) ** 2
    return 0


def _pair_difference(x: list[Section], y: list[Section]) -> int:
    # Both lists partition the same article, so one sweep visits every overlapping pair once.
    total, i, j = 0, 0, 0
    while i < len(x) and j < len(y):
        total += _delta2(x[i], y[j])
        x_end, y_end = x[i][1], y[j][1]
        if x_end <= y_end:
            i += 1
        if y_end <= x_end:
            j += 1
    return total


def unitized_disagreement(
    units: Mapping[str, Iterable[tuple[str, int, int]]],
    lengths: Mapping[str, int],
) -> UnitizedDisagreement:
    """cDo and cDe of Krippendorff's αU for one label over articles every observer coded.

    units maps each observer to (article, start, end) units; lengths gives every article of the
    continuum (all observers coded each of them). The articles are laid end to end as one
    continuum of length L = sum of lengths, with a section boundary at every article edge (no
    unit or gap crosses articles). Formulas of Krippendorff (2004, Content Analysis 2nd ed.):
    cDo = Σ_i Σ_g Σ_{j≠i} Σ_h δ²(igjh) / (m(m-1)L²);
    cDe = (2/L) Σ_units [(N-1)(2l³-3l²+l)/3 + l² Σ_{gaps of length ≥ l} (gap-l+1)]
          / (mL(mL-1) - Σ_units l(l-1)), N = number of units of all observers.
    """
    observers = list(units)
    m = len(observers)
    per_observer: dict[str, dict[str, list[tuple[int, int]]]] = {}
    for observer in observers:
        by_article: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
        for article, start, end in units[observer]:
            _check_unit(article, start, end, lengths)
            by_article[article].append((start, end))
        per_observer[observer] = {k: _merged(v) for k, v in by_article.items()}
    observed = 0
    unit_lengths: list[int] = []
    gap_lengths: list[int] = []
    for article, length in lengths.items():
        sections = {o: _sections(per_observer[o].get(article, []), length) for o in observers}
        for o in observers:
            for start, end, is_unit in sections[o]:
                (unit_lengths if is_unit else gap_lengths).append(end - start)
        for x, y in combinations(observers, 2):
            observed += 2 * _pair_difference(sections[x], sections[y])  # ordered pairs i≠j
    big_l = sum(lengths.values())
    if m < 2 or big_l == 0:
        return UnitizedDisagreement(Fraction(0), Fraction(0), len(unit_lengths), m, big_l)
    expected = _expected_numerator(unit_lengths, gap_lengths)
    denominator = m * big_l * (m * big_l - 1) - sum(x * (x - 1) for x in unit_lengths)
    return UnitizedDisagreement(
        Fraction(observed, m * (m - 1) * big_l * big_l),
        Fraction(2 * expected, big_l * denominator),
        len(unit_lengths),
        m,
        big_l,
    )


def _check_unit(article: str, start: int, end: int, lengths: Mapping[str, int]) -> None:
    if article not in lengths:
        raise ValueError(f"span in article {article!r}, which has no known length")
    if not 0 <= start < end <= lengths[article]:
        raise ValueError(
            f"span {start}-{end} in article {article!r} lies outside 0-{lengths[article]}"
        )


def _expected_numerator(unit_lengths: list[int], gap_lengths: list[int]) -> int:
    # Σ_units [(N-1)(2l³-3l²+l)/3 + l² Σ_{gaps g ≥ l} (g-l+1)]; l(l-1)(2l-1) is divisible by 3.
    n = len(unit_lengths)
    gaps = sorted(gap_lengths)
    suffix = [0] * (len(gaps) + 1)  # suffix[k] = sum of gaps[k:]
    for k in range(len(gaps) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + gaps[k]
    total = 0
    for length in unit_lengths:
        first = bisect_left(gaps, length)
        room = suffix[first] - (len(gaps) - first) * (length - 1)
        total += (n - 1) * (length * (length - 1) * (2 * length - 1)) // 3 + length**2 * room
    return total


def unitized_alpha(parts: Iterable[UnitizedDisagreement]) -> Figure:
    """αU = 1 - ΣcDo / ΣcDe over the given labels (one part: that label's cαU)."""
    parts = list(parts)
    units = sum(p.units for p in parts)
    if not parts:
        return Figure(None, 0, NO_UNITS)
    if any(p.observers < 2 for p in parts):
        return Figure(None, units, FEWER_THAN_TWO)
    if all(p.continuum_length == 0 for p in parts):
        return Figure(None, units, NO_SHARED_CONTINUUM)
    if units == 0:
        return Figure(None, 0, NO_UNITS)
    expected = sum((p.expected for p in parts), Fraction(0))
    if expected == 0:
        return Figure(None, units, NO_UNITIZED_VARIATION)
    observed = sum((p.observed for p in parts), Fraction(0))
    return Figure(float(1 - observed / expected), units)


# ---------------------------------------------------------------- from project data


def agreement(data: AgreementInput, label: str | None = None) -> AgreementReport:
    """Every figure for data.annotators; with a label, only that label's tags and spans (or
    that type's relations) count."""
    annotators = tuple(dict.fromkeys(data.annotators))
    spans = [s for s in data.spans if s.annotator in annotators]
    tags = [t for t in data.tags if t.annotator in annotators]
    relations = [r for r in data.relations if r.annotator in annotators]
    coded = _coded(annotators, data.coded, spans, tags)
    if label is not None:
        spans = [s for s in spans if s.label == label]
        tags = [t for t in tags if t.label == label]
        relations = [r for r in relations if r.type == label]
    relation_types = tuple(sorted({r.type for r in relations}))
    spans.sort(key=lambda s: (s.article, s.start, s.end, s.label, s.annotator))
    tag_labels = tuple(sorted({t.label for t in tags}))
    span_labels = tuple(sorted({s.label for s in spans}))
    present = {(t.article, t.annotator, t.label) for t in tags}
    pairs = list(combinations(annotators, 2))
    shared = frozenset.intersection(*coded.values()) if annotators else frozenset()
    return AgreementReport(
        annotators=annotators,
        label=label,
        tag_labels=tag_labels,
        span_labels=span_labels,
        tag_alpha=_tag_alpha(annotators, coded, present, tag_labels),
        tag_pairs=tuple(_tag_pair(a, b, coded, present, tag_labels) for a, b in pairs),
        span_pairs=tuple(_span_pair(a, b, coded, spans, span_labels) for a, b in pairs),
        unitized_articles=len(shared),
        unitized_alpha=_unitized(annotators, shared, data.lengths, spans, span_labels),
        relation_types=relation_types,
        relation_pairs=tuple(
            _relation_pair(a, b, coded, relations, relation_types) for a, b in pairs
        )
        if relation_types
        else (),
    )


def _coded(
    annotators: tuple[str, ...],
    coded: Mapping[str, frozenset[str]],
    spans: list[SpanUnit],
    tags: list[TagUnit],
) -> dict[str, frozenset[str]]:
    # Whoever left a span or a tag on an article has worked on it, whatever its status says.
    touched: defaultdict[str, set[str]] = defaultdict(set)
    units: list[SpanUnit | TagUnit] = [*spans, *tags]
    for unit in units:
        touched[unit.annotator].add(unit.article)
    return {a: coded.get(a, frozenset()) | touched[a] for a in annotators}


def _tag_value(present: set[tuple[str, str, str]], article: str, who: str, label: str) -> int:
    return int((article, who, label) in present)


def _tag_alpha(
    annotators: tuple[str, ...],
    coded: Mapping[str, frozenset[str]],
    present: set[tuple[str, str, str]],
    labels: tuple[str, ...],
) -> ByLabel[Figure]:
    # One unit per (article, label): 1 tagged, 0 coded but not tagged, None not coded (missing).
    articles = sorted(frozenset().union(*coded.values()))

    def units(label: str) -> list[list[int | None]]:
        return [
            [_tag_value(present, art, a, label) if art in coded[a] else None for a in annotators]
            for art in articles
        ]

    per_label = {label: krippendorff_alpha_nominal(units(label)) for label in labels}
    if not labels:
        return ByLabel(per_label, Figure(None, 0, NO_TAG_LABELS))
    overall = krippendorff_alpha_nominal(u for label in labels for u in units(label))
    return ByLabel(per_label, overall)


def _tag_pair(
    a: str,
    b: str,
    coded: Mapping[str, frozenset[str]],
    present: set[tuple[str, str, str]],
    labels: tuple[str, ...],
) -> TagPair:
    # Items are the articles both coded; the overall figure pools every (article, label) item.
    common = sorted(coded[a] & coded[b])
    vectors = {
        label: (
            [_tag_value(present, art, a, label) for art in common],
            [_tag_value(present, art, b, label) for art in common],
        )
        for label in labels
    }
    per_label = {label: cohen_kappa(*vectors[label]) for label in labels}
    if not labels:
        overall = Figure(None, 0, NO_TAG_LABELS)
    else:
        pooled_a = [v for label in labels for v in vectors[label][0]]
        pooled_b = [v for label in labels for v in vectors[label][1]]
        overall = cohen_kappa(pooled_a, pooled_b)
    return TagPair(a, b, len(common), ByLabel(per_label, overall))


def _span_pair(
    a: str,
    b: str,
    coded: Mapping[str, frozenset[str]],
    spans: list[SpanUnit],
    labels: tuple[str, ...],
) -> SpanPair:
    common = coded[a] & coded[b]
    a_spans = [s for s in spans if s.annotator == a and s.article in common]
    b_spans = [s for s in spans if s.annotator == b and s.article in common]
    return SpanPair(
        a,
        b,
        len(common),
        exact=span_scores(a_spans, b_spans, labels, exact=True),
        overlap=span_scores(a_spans, b_spans, labels, exact=False),
        confusion=span_confusion(a_spans, b_spans),
    )


def _unitized(
    annotators: tuple[str, ...],
    shared: frozenset[str],
    lengths: Mapping[str, int],
    spans: list[SpanUnit],
    labels: tuple[str, ...],
) -> ByLabel[Figure]:
    # Only articles every compared annotator coded form the continuum: αU has no missing data.
    if not labels:
        return ByLabel({}, unitized_alpha([]))
    missing = sorted(art for art in shared if art not in lengths)
    if missing:
        raise ValueError(f"no text length for article {missing[0]!r}")
    continuum = {art: lengths[art] for art in sorted(shared)}
    parts = {}
    for label in labels:
        units = {
            a: [
                (s.article, s.start, s.end)
                for s in spans
                if s.annotator == a and s.label == label and s.article in shared
            ]
            for a in annotators
        }
        parts[label] = unitized_disagreement(units, continuum)
    per_label = {label: unitized_alpha([part]) for label, part in parts.items()}
    return ByLabel(per_label, unitized_alpha(parts.values()))
