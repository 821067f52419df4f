"""Relation F1 per type for each pair of annotators under three matching rules (issue 16).

The hand-computed case (article x, types said_by directed and same_as undirected):

  A (ana)                                      B (bob)
  a1 said_by  Quote 10-20 -> Person 0-5        b1 said_by  Quote 10-20 -> Person 0-5   same
  a2 said_by  Quote 30-40 -> Person 25-28      b2 said_by  Claim 30-40 -> Person 25-28 label
  a3 same_as  Person 0-5  -> Person 50-55      b3 same_as  Person 50-55 -> Person 0-5  reversed
  a4 said_by  Quote 60-70 -> Person 72-75      b4 said_by  Quote 61-70 -> Person 72-75 boundary
                                               b5 said_by  Person 72-75 -> Quote 60-70 backwards

  strict (ends: same boundaries and labels): said_by matches a1-b1 only; same_as a3-b3
    (undirected: either way round). said_by 1 matched, 2 only A, 3 only B:
    P = 1/4, R = 1/3, F1 = 2*1/(3+4) = 2/7. same_as 1/0/0: F1 = 1.
    all types: 2 matched of A 4, B 5: P = 2/5, R = 2/4, F1 = 4/9.
  boundaries (labels ignored): a2-b2 matches too. said_by 2/1/2: F1 = 4/7; all 3/1/2: F1 = 6/9.
  relaxed (overlapping ends): a4-b4 matches too. said_by 3/0/1: P = 3/4, R = 1, F1 = 6/7;
    all 4/0/1: P = 4/5, F1 = 8/9. b5 never matches: said_by is directed and b5 runs
    Person -> Quote.
"""

import json

import pytest

from desktop_app import cli
from desktop_app.core.agreement import (
    AgreementInput,
    RelationUnit,
    SpanUnit,
    agreement,
    match_relations,
)
from desktop_app.core.agreement_output import format_report, report_to_json
from desktop_app.core.model import ArticleDraft, Label, LabelSchema, RelationType
from desktop_app.core.store import Store

TEXT = "abcdefghij" * 8
DIRECTED = {"said_by": True, "same_as": False}
A_RELATIONS = [
    ("said_by", (10, 20, "Quote"), (0, 5, "Person")),
    ("said_by", (30, 40, "Quote"), (25, 28, "Person")),
    ("same_as", (0, 5, "Person"), (50, 55, "Person")),
    ("said_by", (60, 70, "Quote"), (72, 75, "Person")),
]
B_RELATIONS = [
    ("said_by", (10, 20, "Quote"), (0, 5, "Person")),
    ("said_by", (30, 40, "Claim"), (25, 28, "Person")),
    ("same_as", (50, 55, "Person"), (0, 5, "Person")),
    ("said_by", (61, 70, "Quote"), (72, 75, "Person")),
    ("said_by", (72, 75, "Person"), (60, 70, "Quote")),
]
EXPECTED = {  # rule: {type: (matched, only A, only B, precision, recall, F1)}
    "strict": {
        "said_by": (1, 2, 3, 1 / 4, 1 / 3, 2 / 7),
        "same_as": (1, 0, 0, 1.0, 1.0, 1.0),
        "all": (2, 2, 3, 2 / 5, 2 / 4, 4 / 9),
    },
    "boundaries": {
        "said_by": (2, 1, 2, 2 / 4, 2 / 3, 4 / 7),
        "same_as": (1, 0, 0, 1.0, 1.0, 1.0),
        "all": (3, 1, 2, 3 / 5, 3 / 4, 6 / 9),
    },
    "relaxed": {
        "said_by": (3, 0, 1, 3 / 4, 1.0, 6 / 7),
        "same_as": (1, 0, 0, 1.0, 1.0, 1.0),
        "all": (4, 0, 1, 4 / 5, 1.0, 8 / 9),
    },
}


def _units(who, listed):
    def end(triple):
        return SpanUnit("x", who, triple[2], triple[0], triple[1])

    return [RelationUnit("x", who, t, DIRECTED[t], end(f), end(to)) for t, f, to in listed]


def _data():
    return AgreementInput(
        ("ana", "bob"),
        {"ana": frozenset({"x"}), "bob": frozenset({"x"})},
        {"x": len(TEXT)},
        (),
        (),
        tuple(_units("ana", A_RELATIONS) + _units("bob", B_RELATIONS)),
    )


def _check(relations_json):
    [pair] = relations_json["pairs"]
    assert (pair["a"], pair["b"], pair["common_articles"]) == ("ana", "bob", 1)
    for rule, per_type in EXPECTED.items():
        for kind, (matched, only_a, only_b, precision, recall, f1) in per_type.items():
            got = pair[rule]["overall"] if kind == "all" else pair[rule]["per_label"][kind]
            assert (got["matched"], got["only_a"], got["only_b"]) == (matched, only_a, only_b), (
                rule,
                kind,
            )
            assert got["precision"]["value"] == pytest.approx(precision)
            assert got["recall"]["value"] == pytest.approx(recall)
            assert got["f1"]["value"] == pytest.approx(f1), (rule, kind)


def test_relation_f1_per_type_under_three_rules_matches_the_hand_computed_case():
    report = agreement(_data())
    assert report.relation_types == ("said_by", "same_as")
    _check(report_to_json(report)["relations"])


def test_direction_counts_for_directed_types_only():
    a, b = _units("ana", A_RELATIONS), _units("bob", B_RELATIONS)
    assert (2, 2) in match_relations(a, b, "strict")  # same_as, reversed: undirected
    directed = [RelationUnit(r.article, r.annotator, r.type, True, r.source, r.target) for r in b]
    ours = [RelationUnit(r.article, r.annotator, r.type, True, r.source, r.target) for r in a]
    assert (2, 2) not in match_relations(ours, directed, "relaxed")
    with pytest.raises(ValueError, match="unknown relation matching rule"):
        match_relations(a, b, "loose")


def test_a_label_filter_keeps_that_relation_type_only():
    report = agreement(_data(), "same_as")
    assert report.relation_types == ("same_as",)
    assert report.relation_pairs[0].rules["strict"].overall.matched == 1


def test_no_relations_no_relation_section_in_the_text():
    data = AgreementInput(("ana", "bob"), {"ana": frozenset(), "bob": frozenset()}, {}, (), ())
    report = agreement(data)
    assert report.relation_pairs == () and "Relations:" not in format_report(report)
    assert report_to_json(report)["relations"]["pairs"] == []


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "team.sqlite"
    store = Store.open(path)
    store.apply_schema(
        LabelSchema(
            "t",
            tuple(Label(n, "span", c) for n, c in
                  (("Person", "#ffadad"), ("Quote", "#a0c4ff"), ("Claim", "#caffbf"))),
            relation_types=(
                RelationType("said_by", "#ff0000"), RelationType("same_as", "#0000ff", "", False),
            ),
        )
    )  # fmt: skip
    store.add_articles([ArticleDraft(TEXT, "x")])
    article = store.article_id("x")
    for who, listed in (("ana", A_RELATIONS), ("bob", B_RELATIONS)):
        spans: dict[tuple[int, int, str], str] = {}
        for kind, source, target in listed:
            ends = []
            for start, end, label in (source, target):
                if (start, end, label) not in spans:
                    spans[(start, end, label)] = store.add_span(
                        article, start, end, label, who
                    ).uuid
                ends.append(spans[(start, end, label)])
            store.add_relation(kind, ends[0], ends[1], who)
    # A deleted relation counts for nobody.
    gone = store.add_relation("same_as", spans[(72, 75, "Person")], spans[(0, 5, "Person")], "bob")
    store.update_relation(gone.uuid, deleted=True)
    store.close()
    return path


def test_cli_agreement_json_reports_relation_f1_from_the_project(project, capsys):
    assert cli.main(["--db", str(project), "agreement", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["relations"]["types"] == ["said_by", "same_as"]
    assert set(out["relations"]["rules"]) == {"strict", "boundaries", "relaxed"}
    _check(out["relations"])


def test_cli_agreement_text_has_a_table_per_rule_with_counts(project, capsys):
    assert cli.main(["--db", str(project), "agreement"]) == 0
    out = capsys.readouterr().out
    for rule in ("strict", "boundaries", "relaxed"):
        assert f"Relations: ana (A) vs bob (B), 1 article both coded, {rule} match" in out
    strict = out.split(", strict match")[1].split("Relations:")[0]
    rows = {line.split()[0]: line.split()[1:] for line in strict.splitlines()[2:] if line}
    assert rows["said_by"][:6] == ["1", "2", "3", "0.250", "0.333", "0.286"]
    assert rows["all"][:7] == ["types", "2", "2", "3", "0.400", "0.500", "0.444"]


def test_agreement_window_shows_relation_f1_per_type_and_rule(project, qtbot, show_window):
    store = Store.open(project)
    window = show_window(store, "rita")
    try:
        window.open_agreement()
        dialog = window.agreement_window
        dialog.compute.click()
        qtbot.waitUntil(lambda: dialog.outcome is not None)
        dialog.wait()
        table = dialog.relation_table
        headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
        rows = {
            (table.item(r, 2).text(), table.item(r, 3).text()): [
                table.item(r, c).text() for c in range(4, table.columnCount())
            ]
            for r in range(table.rowCount())
        }
        assert headers[2:5] == ["Type", "Rule", "Matched"]
        assert table.rowCount() == 3 * 3  # (said_by, same_as, all types) x three rules
        # bob is the more active, so he is A here: only A and only B, P and R swap; F1 stays.
        assert (table.item(0, 0).text(), table.item(0, 1).text()) == ("bob", "ana")
        assert rows[("said_by", "strict")] == ["1", "3", "2", "0.33", "0.25", "0.29"]
        assert rows[("said_by", "boundaries")][-1] == "0.57"
        assert rows[("said_by", "relaxed")] == ["3", "1", "0", "1.00", "0.75", "0.86"]
        assert rows[("(all types)", "relaxed")][-1] == "0.89"
        assert "overlapping" in table.item(2, 3).toolTip()
        # The list of disagreements between the chosen pair holds the relations too.
        listed = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
        assert any(text.startswith("relation: ") for text in listed), listed
        assert "disagreements between" in dialog.status.text()
    finally:
        window.close()
        store.close()


def test_the_disagreement_list_holds_the_relation_differences_the_review_shows(project):
    """Tools > Agreement's list of disagreements and the review panel class relations alike:
    the same classes in the same places (a figure's disagreements are the review's)."""
    from desktop_app.core.review import compare_relations, disagreements

    store = Store.open(project, read_only=True)
    try:
        article = store.article_id("x")
        everyone = {span.uuid: span for span in store.spans(article)}
        directed = {kind.name: kind.directed for kind in store.relation_types()}
        review = compare_relations(
            store.relations(article, "ana"), store.relations(article, "bob"), everyone, directed
        )
        found = disagreements(store.agreement_input(["ana", "bob"]), "ana", "bob")
    finally:
        store.close()
    expected = sorted(
        (item.item_class, item.start, item.end, item.label) for item in review if item.is_difference
    )
    got = sorted(
        (d.item_class, d.start, d.end, d.a_label or d.b_label)
        for d in found
        if d.kind == "relation"
    )
    assert got == expected and len(got) >= 2
