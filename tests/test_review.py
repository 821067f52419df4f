"""Comparing two annotators on an article, and the adjudicated layer a reviewer builds."""

import pytest

from desktop_app.core.exporters.jsonl import export_jsonl
from desktop_app.core.model import ADJUDICATED, ArticleDraft, ArticleFilter, Label, LabelSchema
from desktop_app.core.review import ItemClass, compare_spans, compare_tags
from desktop_app.core.store import Store, StoreError

SCHEMA = LabelSchema(
    "review",
    (
        Label("Person", "span", "#ffadad", "p"),
        Label("Place", "span", "#a0c4ff", "l"),
        Label("Energy", "document", "#caffbf", "Ctrl+1"),
        Label("Sport", "document", "#ffd6a5", "Ctrl+2"),
    ),
)
TEXT = "Nino met Amélie in Tbilisi 🇬🇪 on Monday with Giorgi from Batumi."


@pytest.fixture
def store():
    store = Store.memory()
    store.apply_schema(SCHEMA)
    store.add_articles([ArticleDraft(TEXT, "r1")])
    yield store
    store.close()


def _span(store, who, text, label, occurrence=0):
    start = TEXT.index(text) if occurrence == 0 else TEXT.rindex(text)
    return store.add_span(store.article_id("r1"), start, start + len(text), label, who)


@pytest.fixture
def compared(store):
    article = store.article_id("r1")
    _span(store, "alice", "Nino", "Person")
    _span(store, "bob", "Nino", "Person")  # agreed
    _span(store, "alice", "Amélie", "Person")
    _span(store, "bob", "Amélie", "Place")  # different label
    _span(store, "alice", "Tbilisi", "Place")
    _span(store, "bob", "Tbilisi 🇬🇪", "Place")  # different boundary
    _span(store, "alice", "Giorgi", "Person")  # missing in bob
    _span(store, "bob", "Batumi", "Place")  # extra in bob
    store.set_tag(article, "Energy", "alice", True)
    store.set_tag(article, "Energy", "bob", True)
    store.set_tag(article, "Sport", "bob", True)
    spans = compare_spans(store.spans(article, "alice"), store.spans(article, "bob"))
    tags = compare_tags(store.tags(article, "alice"), store.tags(article, "bob"))
    return article, spans, tags


def test_every_difference_is_classed(compared):
    _, spans, tags = compared
    classes = [
        (item.item_class, (item.a or item.b).quote)
        for item in spans  # in text order
    ]
    assert classes == [
        (ItemClass.AGREED, "Nino"),
        (ItemClass.LABEL, "Amélie"),
        (ItemClass.BOUNDARY, "Tbilisi"),
        (ItemClass.MISSING, "Giorgi"),
        (ItemClass.EXTRA, "Batumi"),
    ]
    assert [(t.item_class, t.label) for t in tags] == [
        (ItemClass.AGREED, "Energy"),
        (ItemClass.EXTRA, "Sport"),
    ]
    boundary = spans[2]
    assert (boundary.a.quote, boundary.b.quote) == ("Tbilisi", "Tbilisi 🇬🇪")
    assert (boundary.start, boundary.end) == (boundary.b.start, boundary.b.end)


def test_overlap_under_another_label_and_boundary_is_a_label_difference(store):
    a = [_span(store, "alice", "Amélie in Tbilisi", "Place")]
    b = [_span(store, "bob", "Amélie", "Person")]
    [item] = compare_spans(a, b)
    assert item.item_class is ItemClass.LABEL


def test_decisions_build_an_adjudicated_layer_that_exports(store, compared, tmp_path):
    article, spans, tags = compared
    agreed = [item for item in [*spans, *tags] if item.item_class is ItemClass.AGREED]
    store.decide(article, [(i.key, i.kind, i.a) for i in agreed], "rita")
    label_diff, boundary, missing, extra = spans[1:]
    store.decide(
        article,
        [
            (label_diff.key, "span", label_diff.b),  # bob was right: a Place
            (boundary.key, "span", boundary.a),
            (missing.key, "span", None),  # rejected
            (extra.key, "span", extra.b),
            (tags[1].key, "document", None),
        ],
        "rita",
    )
    layer = store.spans(article, ADJUDICATED)
    assert sorted((s.quote, s.label) for s in layer) == [
        ("Amélie", "Place"),
        ("Batumi", "Place"),
        ("Nino", "Person"),
        ("Tbilisi", "Place"),
    ]
    assert [t.label for t in store.tags(article, ADJUDICATED)] == ["Energy"]
    decisions = store.decisions(article)
    assert len(decisions) == 7
    assert decisions[missing.key].decision == "rejected"
    assert decisions[boundary.key].decided_by == "rita" and decisions[boundary.key].decided_at
    assert decisions[label_diff.key].source_uuid == label_diff.b.uuid
    # The layer is an annotator like any other: it filters and exports.
    flt = ArticleFilter(annotator=ADJUDICATED)
    assert store.count_articles(flt) == 1
    assert export_jsonl(store, tmp_path / "adjudicated.jsonl", flt).articles == 1


def test_changing_a_decision_withdraws_the_earlier_one(store, compared):
    article, spans, _ = compared
    label_diff = spans[1]
    store.decide(article, [(label_diff.key, "span", label_diff.a)], "rita")
    assert [s.label for s in store.spans(article, ADJUDICATED)] == ["Person"]
    store.decide(article, [(label_diff.key, "span", label_diff.b)], "rita")
    assert [s.label for s in store.spans(article, ADJUDICATED)] == ["Place"]
    assert store.undecide(article, label_diff.key)
    assert store.spans(article, ADJUDICATED) == []
    assert store.decisions(article) == {}
    assert not store.undecide(article, label_diff.key)


def test_accepting_twice_never_duplicates(store, compared):
    article, spans, _ = compared
    agreed = spans[0]
    for _ in range(2):
        store.decide(article, [(agreed.key, "span", agreed.a)], "rita")
    assert len(store.spans(article, ADJUDICATED)) == 1


def test_layer_needs_its_own_name(store, compared):
    article, spans, _ = compared
    with pytest.raises(StoreError, match="name of its own"):
        store.decide(article, [(spans[0].key, "span", spans[0].a)], "rita", layer="rita")


def test_agreement_disagreements_are_the_review_differences(store, compared):
    from desktop_app.core.review import disagreements

    _, spans, _ = compared
    found = disagreements(store.agreement_input(["alice", "bob"]), "alice", "bob")
    expected = [(i.item_class, i.start, i.end) for i in spans if i.is_difference]
    assert [(d.item_class, d.start, d.end) for d in found if d.kind == "span"] == expected
    assert [(d.item_class, d.b_label) for d in found if d.kind == "document"] == [
        (ItemClass.EXTRA, "Sport")
    ]
    assert {d.article for d in found} == {"r1"}
    label = next(d for d in found if d.item_class is ItemClass.LABEL)
    assert (label.a_label, label.b_label) == ("Person", "Place")


def test_undo_never_deletes_what_the_layer_had_before(store, compared):
    article, spans, _ = compared
    agreed = spans[0]
    existing = store.add_span(article, agreed.a.start, agreed.a.end, agreed.a.label, ADJUDICATED)
    store.decide(article, [(agreed.key, "span", agreed.a)], "rita")
    assert [s.uuid for s in store.spans(article, ADJUDICATED)] == [existing.uuid]  # linked
    store.undecide(article, agreed.key)
    assert [s.uuid for s in store.spans(article, ADJUDICATED)] == [existing.uuid]


def test_a_compared_annotator_cannot_be_the_layer(store, compared):
    article, spans, _ = compared
    label_diff = spans[1]
    with pytest.raises(StoreError, match="compared annotators"):
        store.decide(article, [(label_diff.key, "span", label_diff.b)], "rita", layer="bob")
    assert len(store.spans(article, "bob")) == 4
