"""Agreement figures checked against sklearn, the krippendorff package, hand sums and literature."""

import math
import random
import warnings
from fractions import Fraction

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from desktop_app.core.agreement import (
    NONE,
    AgreementInput,
    SpanUnit,
    TagUnit,
    agreement,
    cohen_kappa,
    krippendorff_alpha_nominal,
    match_spans,
    span_confusion,
    span_scores,
    unitized_alpha,
    unitized_disagreement,
)
from desktop_app.core.agreement_output import format_report, report_to_json

TOL = 1e-9


# ---------------------------------------------------------------- kappa and alpha on plain data


@pytest.mark.parametrize("seed", range(8))
def test_cohen_kappa_equals_sklearn(seed):
    rng = random.Random(seed)
    n = rng.randint(5, 80)
    values = ["a", "b", "c", "d"][: rng.randint(2, 4)]
    a = [rng.choice(values) for _ in range(n)]
    # B copies A most of the time, so kappa spreads over its range rather than sitting near 0.
    b = [x if rng.random() < 0.6 else rng.choice(values) for x in a]
    expected = cohen_kappa_score(a, b)
    assert not math.isnan(expected)
    got = cohen_kappa(a, b)
    assert got.value == pytest.approx(expected, abs=TOL)
    assert got.items == n and got.undefined == ""


def random_reliability_matrix(rng, annotators, units, values, p_missing):
    matrix = np.full((annotators, units), np.nan)
    for u in range(units):
        truth = rng.choice(values)
        for a in range(annotators):
            if rng.random() >= p_missing:
                matrix[a, u] = truth if rng.random() < 0.7 else rng.choice(values)
    return matrix


@pytest.mark.parametrize(
    ("seed", "annotators", "units", "n_values", "p_missing"),
    [(0, 2, 20, 2, 0.0), (1, 3, 30, 3, 0.2), (2, 4, 50, 5, 0.4), (3, 6, 15, 4, 0.5)],
)
def test_alpha_equals_krippendorff_package(seed, annotators, units, n_values, p_missing):
    rng = random.Random(seed)
    matrix = random_reliability_matrix(rng, annotators, units, list(range(n_values)), p_missing)
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    columns = [[None if math.isnan(v) else int(v) for v in matrix[:, u]] for u in range(units)]
    got = krippendorff_alpha_nominal(columns)
    assert got.value == pytest.approx(expected, abs=TOL)
    assert got.items == sum(1 for c in columns if sum(v is not None for v in c) >= 2)


def test_kappa_undefined_cases_say_why():
    none = cohen_kappa([], [])
    assert none.value is None and none.items == 0 and "no items" in none.undefined
    same = cohen_kappa([0, 0, 0], [0, 0, 0])
    assert same.value is None and same.items == 3 and "no variation" in same.undefined
    # One side constant but different from the other: expected agreement 0, kappa 0, defined.
    assert cohen_kappa([1, 1], [0, 0]).value == 0.0


def test_alpha_undefined_cases_say_why():
    lonely = krippendorff_alpha_nominal([[1, None], [None, 0]])  # no unit has two values
    assert lonely.value is None and lonely.items == 0 and "no items" in lonely.undefined
    flat = krippendorff_alpha_nominal([[1, 1], [1, 1, None]])
    assert flat.value is None and flat.items == 2 and "no variation" in flat.undefined


# ---------------------------------------------------------------- tags through agreement()


def random_input(seed, n_annotators, n_articles, n_labels, p_coded):
    rng = random.Random(seed)
    annotators = tuple(f"ann{i}" for i in range(n_annotators))
    articles = [f"art{k:03d}" for k in range(n_articles)]
    labels = [f"L{j}" for j in range(n_labels)]
    coded = {a: frozenset(x for x in articles if rng.random() < p_coded) for a in annotators}
    truth = {(x, lab): rng.random() < 0.35 for x in articles for lab in labels}
    tags = tuple(
        TagUnit(x, a, lab)
        for a in annotators
        for x in sorted(coded[a])
        for lab in labels
        if truth[x, lab] == (rng.random() < 0.8)  # each annotator agrees with "truth" 80%
    )
    data = AgreementInput(annotators, coded, {x: 100 for x in articles}, (), tags)
    return data, articles, labels


def reference_alpha(data, articles, labels):
    """krippendorff.alpha on an annotators x (label, article) matrix; nan when not coded."""
    present = {(t.article, t.annotator, t.label) for t in data.tags}
    blocks = []
    for lab in labels:
        block = np.full((len(data.annotators), len(articles)), np.nan)
        for i, a in enumerate(data.annotators):
            for k, x in enumerate(articles):
                if x in data.coded[a]:
                    block[i, k] = 1.0 if (x, a, lab) in present else 0.0
        blocks.append(block)
    return blocks


def package_alpha_or_none(matrix):
    values = np.unique(matrix[~np.isnan(matrix)])
    pairable = (np.sum(~np.isnan(matrix), axis=0) >= 2).any()
    if len(values) < 2 or not pairable:
        return None
    return krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")


CASES = [
    (10, 2, 30, 1, 1.0),
    (11, 2, 40, 3, 0.8),
    (12, 3, 25, 5, 0.7),
    (13, 4, 50, 8, 0.6),
    (14, 5, 20, 12, 0.5),
    (15, 3, 60, 2, 0.9),
]


@pytest.mark.parametrize(("seed", "annotators", "articles", "labels", "p_coded"), CASES)
def test_report_tag_alpha_equals_package(seed, annotators, articles, labels, p_coded):
    data, article_ids, label_ids = random_input(seed, annotators, articles, labels, p_coded)
    report = agreement(data)
    used = sorted({t.label for t in data.tags})
    assert list(report.tag_labels) == used
    blocks = dict(zip(label_ids, reference_alpha(data, article_ids, label_ids), strict=True))
    for lab in used:
        expected = package_alpha_or_none(blocks[lab])
        got = report.tag_alpha.per_label[lab]
        assert (got.value is None) == (expected is None)
        if expected is not None:
            assert got.value == pytest.approx(expected, abs=TOL)
    pooled = np.hstack([blocks[lab] for lab in used])
    expected = package_alpha_or_none(pooled)
    assert report.tag_alpha.overall.value == pytest.approx(expected, abs=TOL)


@pytest.mark.parametrize(("seed", "annotators", "articles", "labels", "p_coded"), CASES)
def test_report_tag_kappa_equals_sklearn(seed, annotators, articles, labels, p_coded):
    data, _, _ = random_input(seed, annotators, articles, labels, p_coded)
    report = agreement(data)
    present = {(t.article, t.annotator, t.label) for t in data.tags}
    assert len(report.tag_pairs) == annotators * (annotators - 1) // 2
    for pair in report.tag_pairs:
        common = sorted(data.coded[pair.a] & data.coded[pair.b])
        assert pair.common_articles == len(common)
        pooled_a, pooled_b = [], []
        for lab in report.tag_labels:
            va = [int((x, pair.a, lab) in present) for x in common]
            vb = [int((x, pair.b, lab) in present) for x in common]
            pooled_a += va
            pooled_b += vb
            check_kappa(pair.kappa.per_label[lab], va, vb)
        check_kappa(pair.kappa.overall, pooled_a, pooled_b)


def check_kappa(figure, va, vb):
    assert figure.items == len(va)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns before returning nan
        expected = cohen_kappa_score(va, vb) if va else math.nan
    if math.isnan(expected):
        assert figure.value is None and figure.undefined
    else:
        assert figure.value == pytest.approx(expected, abs=TOL)


def test_uncoded_article_is_missing_not_untagged():
    # C did not code article y: alpha must treat C's value there as missing, not as "no tag".
    coded = {"A": frozenset("xyz"), "B": frozenset("xyz"), "C": frozenset("xz")}
    tags = (TagUnit("x", "A", "T"), TagUnit("x", "B", "T"), TagUnit("x", "C", "T"))
    tags += (TagUnit("y", "A", "T"),)
    data = AgreementInput(("A", "B", "C"), coded, {}, (), tags)
    matrix = np.array([[1, 1, 0], [1, 0, 0], [1, np.nan, 0]])
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert agreement(data).tag_alpha.per_label["T"].value == pytest.approx(expected, abs=TOL)
    # Whoever tagged an article has coded it, even if the status list forgot it.
    late = AgreementInput(("A", "B"), {"A": frozenset(), "B": frozenset("x")}, {}, (), tags[:2])
    assert agreement(late).tag_pairs[0].common_articles == 1


def test_fewer_than_two_annotators_are_undefined_not_errors():
    data = AgreementInput(("A",), {"A": frozenset("x")}, {"x": 5}, (), (TagUnit("x", "A", "T"),))
    report = agreement(data)
    assert report.tag_alpha.per_label["T"].value is None
    assert report.tag_pairs == () and report.span_pairs == ()


# ---------------------------------------------------------------- span P/R/F1 and confusion


def span(who, label, start, end, article="x"):
    return SpanUnit(article, who, label, start, end)


def test_exact_and_overlap_scores_by_hand():
    a = [span("A", "P", 0, 5), span("A", "P", 10, 20), span("A", "O", 30, 40)]
    b = [span("B", "P", 0, 5), span("B", "P", 12, 18), span("B", "O", 35, 45)]
    b.append(span("B", "P", 50, 55))
    exact = span_scores(a, b, ["O", "P"], exact=True)
    # Only P[0,5) is identical: 1 matched of 3 (A) and 4 (B).
    assert (exact.overall.matched, exact.overall.only_a, exact.overall.only_b) == (1, 2, 3)
    assert exact.overall.precision.value == pytest.approx(1 / 4)
    assert exact.overall.recall.value == pytest.approx(1 / 3)
    assert exact.overall.f1.value == pytest.approx(2 / 7)
    assert exact.per_label["O"].f1.value == 0.0
    assert (exact.per_label["P"].matched, exact.per_label["P"].only_b) == (1, 2)
    overlap = span_scores(a, b, ["O", "P"], exact=False)
    # Nested P[12,18) in P[10,20) and shifted O[35,45) on O[30,40) now count too.
    assert (overlap.overall.matched, overlap.overall.only_a, overlap.overall.only_b) == (3, 0, 1)
    assert overlap.overall.precision.value == pytest.approx(3 / 4)
    assert overlap.overall.recall.value == 1.0
    assert overlap.overall.f1.value == pytest.approx(6 / 7)


def test_duplicates_and_one_to_one_matching():
    twice = [span("A", "P", 0, 5), span("A", "P", 0, 5)]
    once = [span("B", "P", 0, 5)]
    scores = span_scores(twice, once, ["P"], exact=True).overall
    assert (scores.matched, scores.only_a, scores.only_b) == (1, 1, 0)
    # One long A span against two short B spans: only one pair, with the larger overlap.
    a = [span("A", "P", 0, 10)]
    b = [span("B", "P", 0, 4), span("B", "P", 5, 10)]
    assert match_spans(a, b, exact=False) == [(0, 1)]
    # Equal overlaps: the identical span wins over the one that merely contains it.
    a = [span("A", "P", 0, 10), span("A", "P", 0, 4)]
    assert match_spans(a, [span("B", "P", 0, 4)], exact=False) == [(1, 0)]


def test_labels_and_articles_must_agree_for_a_match():
    a = [span("A", "P", 0, 5)]
    assert span_scores(a, [span("B", "O", 0, 5)], ["O", "P"], exact=False).overall.matched == 0
    other_article = [span("B", "P", 0, 5, article="y")]
    assert match_spans(a, other_article, exact=False) == []
    touching = [span("B", "P", 5, 9)]  # end is exclusive: [0,5) and [5,9) share nothing
    assert match_spans(a, touching, exact=False) == []


def test_confusion_counts():
    a = [span("A", "P", 0, 5), span("A", "O", 10, 15), span("A", "P", 20, 25)]
    b = [span("B", "P", 0, 5), span("B", "P", 11, 15), span("B", "L", 40, 45)]
    assert span_confusion(a, b) == {
        NONE: {"L": 1},
        "O": {"P": 1},
        "P": {NONE: 1, "P": 1},
    }


def test_scores_undefined_when_a_side_has_nothing():
    a = [span("A", "P", 0, 5)]
    only_a = span_scores(a, [], ["P"], exact=True).overall
    assert only_a.precision.value is None and "second annotator" in only_a.precision.undefined
    assert only_a.recall.value == 0.0 and only_a.f1.value == 0.0
    only_b = span_scores([], a, ["P"], exact=False).overall
    assert only_b.recall.value is None and "first annotator" in only_b.recall.undefined
    nothing = span_scores([], [], ["P"], exact=False).overall
    assert nothing.f1.value is None and nothing.f1.undefined
    assert (nothing.matched, nothing.only_a, nothing.only_b) == (0, 0, 0)


def test_span_pairs_use_only_articles_both_coded():
    coded = {"A": frozenset("xy"), "B": frozenset("x")}
    spans = (span("A", "P", 0, 5), span("B", "P", 0, 5), span("A", "P", 0, 5, article="y"))
    report = agreement(AgreementInput(("A", "B"), coded, {"x": 9, "y": 9}, spans, ()))
    pair = report.span_pairs[0]
    assert pair.common_articles == 1
    assert (pair.exact.overall.matched, pair.exact.overall.only_a) == (1, 0)
    assert report.unitized_alpha.per_label["P"].value == 1.0  # y is not coded by B: left out


# ---------------------------------------------------------------- unitized alpha


def shifted(units, by=150):
    return [("c", start - by, end - by) for start, end in units]


def test_unitized_alpha_reproduces_krippendorff_2004_example():
    """Krippendorff, K. (2004). Content Analysis: An Introduction to Its Methodology, 2nd ed.,
    Sage, section 11.6 (unitizing), worked example on p. 254 (page as cited by the DKPro
    Statistics test suite, Krippendorff2004Test.java, which transcribes the example; I could not
    check the book itself). Two observers i, j on a continuum from 150 to 450 (L = 300), two
    categories:
      c: i marks [225,295) and [370,400); j marks [220,300), [355,375) and [400,420)
      k: both mark [180,240) and [300,350)
    Published: cDo = .0144, cDe = .0532, cαU = .7286; kDo = 0, kDe = .0490, kαU = 1;
    αU = .8591. The continuum is shifted by -150 to start at 0 (αU depends only on lengths
    and differences of positions).

    Hand check of cDo: the overlapping pairs are c[225,295)/c[220,300): 5² + 5² = 50;
    c[370,400)/c[355,375): 15² + 25² = 850; j's c[400,420) inside i's gap [400,450): 20² = 400.
    Sum 1300, over ordered pairs 2600; cDo = 2600 / (2·1·300²) = .014444.
    """
    i_c, j_c = [(225, 295), (370, 400)], [(220, 300), (355, 375), (400, 420)]
    k = [(180, 240), (300, 350)]
    lengths = {"c": 300}
    c_part = unitized_disagreement({"i": shifted(i_c), "j": shifted(j_c)}, lengths)
    k_part = unitized_disagreement({"i": shifted(k), "j": shifted(k)}, lengths)
    assert c_part.observed == Fraction(2600, 180000)
    assert round(float(c_part.observed), 4) == 0.0144
    assert round(float(c_part.expected), 4) == 0.0532
    assert round(unitized_alpha([c_part]).value, 4) == 0.7286
    assert k_part.observed == 0
    assert round(float(k_part.expected), 4) == 0.0490
    assert unitized_alpha([k_part]).value == 1.0
    # The book pools as 1 - ΣcDo/ΣcDe but from its rounded parts: 1 - .0144/(.0532+.0490)
    # = .8591. Unrounded, the same formula gives .85867, within rounding of the published value.
    assert round(1 - 0.0144 / (0.0532 + 0.0490), 4) == 0.8591
    overall = unitized_alpha([c_part, k_part]).value
    assert overall == pytest.approx(0.8591, abs=5e-4)
    assert overall == pytest.approx(1 - 0.0144444444 / (0.0532218 + 0.0489786), abs=1e-6)


def test_unitized_alpha_hand_computed_single_label():
    """r0 marks [1,9); r1 marks [2,3), [4,5), [6,7); L = 10, m = 2 (also DKPro's
    UnitizingAgreementTest: Do .9100, De .5351, α -.7003).

    cDo: unit pairs 1²+6² = 37, 3²+4² = 25, 5²+2² = 29; sum 91, ordered 182; 182/(2·100).
    cDe: N = 4 units (8, 1, 1, 1); gaps r0: 1, 1; r1: 2, 1, 1, 3 (sum 9).
      l = 8: 3·(2·512 - 3·64 + 8)/3 = 840, no gap ≥ 8;  l = 1: 0 + 1·9 = 9, three times 27.
      Σ = 867; denominator mL(mL-1) - Σl(l-1) = 20·19 - 56 = 324; cDe = 2·867 / (10·324).
    """
    part = unitized_disagreement(
        {"r0": [("x", 1, 9)], "r1": [("x", 2, 3), ("x", 4, 5), ("x", 6, 7)]}, {"x": 10}
    )
    assert part.observed == Fraction(182, 200)
    assert part.expected == Fraction(2 * 867, 10 * 324)
    assert unitized_alpha([part]).value == pytest.approx(1 - (182 / 200) / (1734 / 3240))


def test_unitized_alpha_article_edges_cut_gaps():
    """Articles x and y, 4 code points each (L = 8). P marks x[0,2); Q marks x[0,2) and y[2,4).

    cDo: Q's y[2,4) lies in P's gap y[0,4): 2² = 4, ordered 8; 8 / (2·64) = 1/16.
    cDe: N = 3 units of length 2, each (3-1)(16-12+2)/3 = 4; gaps (cut at the article edge)
      P: x[2,4) = 2, y[0,4) = 4; Q: x[2,4) = 2, y[0,2) = 2; Σ(g-2+1) = 1+3+1+1 = 6, ·2² = 24.
      Σ = 3·28 = 84; denominator 16·15 - 3·2 = 234; cDe = 2·84 / (8·234) = 7/78.
    α = 1 - (1/16)/(7/78) = 17/56. (Gaps merged across the edge would give 6 and 4 instead.)
    """
    part = unitized_disagreement(
        {"P": [("x", 0, 2)], "Q": [("x", 0, 2), ("y", 2, 4)]}, {"x": 4, "y": 4}
    )
    assert part.observed == Fraction(1, 16)
    assert part.expected == Fraction(7, 78)
    assert unitized_alpha([part]).value == pytest.approx(17 / 56, abs=TOL)


def test_unitized_alpha_perfect_and_empty():
    same = [("x", 2, 5), ("x", 7, 9)]
    perfect = unitized_disagreement({"A": same, "B": same, "C": same}, {"x": 12})
    assert unitized_alpha([perfect]).value == 1.0
    empty = unitized_alpha([unitized_disagreement({"A": [], "B": []}, {"x": 12})])
    assert empty.value is None and empty.items == 0 and "no items" in empty.undefined
    nowhere = unitized_alpha([unitized_disagreement({"A": [], "B": []}, {})])
    assert nowhere.value is None and "coded by all" in nowhere.undefined
    assert unitized_alpha([]).value is None


def test_unitized_alpha_joins_overlapping_spans_of_one_annotator():
    # A's two overlapping spans cover exactly B's one span: as code points, they agree.
    merged = unitized_disagreement({"A": [("x", 2, 6), ("x", 4, 9)], "B": [("x", 2, 9)]}, {"x": 12})
    assert unitized_alpha([merged]).value == 1.0


def test_unitized_alpha_rejects_spans_outside_the_text():
    with pytest.raises(ValueError, match="outside"):
        unitized_disagreement({"A": [("x", 3, 20)], "B": []}, {"x": 12})


def brute_force_observed(units, lengths):
    """Σ δ² over every ordered pair of observers and every pair of their sections (no sweep)."""
    total = 0
    for article, length in lengths.items():
        sections = {}
        for who, found in units.items():
            marks = sorted((s, e) for a, s, e in found if a == article)
            cuts, cursor = [], 0
            for s, e in marks:
                if s > cursor:
                    cuts.append((cursor, s, False))
                cuts.append((s, e, True))
                cursor = e
            if cursor < length:
                cuts.append((cursor, length, False))
            sections[who] = cuts
        for x in units:
            for y in units:
                if x == y:
                    continue
                for b1, e1, u1 in sections[x]:
                    for b2, e2, u2 in sections[y]:
                        if u1 and u2 and b1 < e2 and b2 < e1:
                            total += (b1 - b2) ** 2 + (e1 - e2) ** 2
                        elif u1 and not u2 and b2 <= b1 and e1 <= e2:
                            total += (e1 - b1) ** 2
                        elif u2 and not u1 and b1 <= b2 and e2 <= e1:
                            total += (e2 - b2) ** 2
    return total


@pytest.mark.parametrize("seed", range(5))
def test_unitized_observed_matches_brute_force(seed):
    rng = random.Random(seed)
    lengths = {f"a{k}": rng.randint(20, 60) for k in range(3)}
    units = {}
    for who in ("P", "Q", "R"):
        found = []
        for article, length in lengths.items():
            cursor = rng.randint(0, 5)
            while cursor < length - 2:  # disjoint units, so no merging is involved
                end = min(length, cursor + rng.randint(1, 8))
                found.append((article, cursor, end))
                cursor = end + rng.randint(0, 6)
        units[who] = found
    part = unitized_disagreement(units, lengths)
    big_l = sum(lengths.values())
    assert part.observed == Fraction(brute_force_observed(units, lengths), 3 * 2 * big_l**2)


# ---------------------------------------------------------------- output


def small_report():
    coded = {"A": frozenset("xy"), "B": frozenset("xy")}
    spans = (span("A", "P", 0, 5), span("B", "P", 0, 5), span("B", "O", 6, 8))
    tags = (TagUnit("x", "A", "T"), TagUnit("x", "B", "T"))
    return agreement(AgreementInput(("A", "B"), coded, {"x": 10, "y": 10}, spans, tags))


def test_json_has_stable_keys_and_null_with_why():
    data = report_to_json(small_report())
    assert set(data) == {"annotators", "label", "document_tags", "spans", "relations"}
    kappa = data["document_tags"]["cohen_kappa"][0]
    assert kappa["overall"] == {"value": 1.0, "items": 2, "why": None}
    exact_o = data["spans"]["pairs"][0]["exact"]["per_label"]["O"]
    assert exact_o["recall"]["value"] is None and exact_o["recall"]["why"]
    assert (exact_o["matched"], exact_o["only_a"], exact_o["only_b"]) == (0, 0, 1)
    assert data["spans"]["unitized_alpha"]["articles"] == 2


def test_format_report_prints_reasons_not_numbers_when_undefined():
    text = format_report(small_report())
    assert "Cohen's kappa, A vs B" in text
    assert "1.000" in text
    assert "no spans from the first annotator" in text
    assert "nan" not in text.lower()


def test_label_filter_keeps_only_that_label():
    report = agreement(
        AgreementInput(
            ("A", "B"),
            {"A": frozenset("x"), "B": frozenset("x")},
            {"x": 10},
            (span("A", "P", 0, 5), span("B", "O", 0, 5)),
            (),
        ),
        label="P",
    )
    assert report.span_labels == ("P",)
    assert report.span_pairs[0].confusion == {"P": {NONE: 1}}


def test_confusion_prefers_same_label_when_overlaps_tie():
    # B's O[0,5) overlaps A's P[0,5) and O[0,8) by 5 each: it pairs with the same label even
    # though the other span has identical boundaries.
    a = [span("A", "P", 0, 5), span("A", "O", 0, 8)]
    assert span_confusion(a, [span("B", "O", 0, 5)]) == {"O": {"O": 1}, "P": {NONE: 1}}
