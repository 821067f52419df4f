"""Review > Compare annotators classes relations; decisions go to the adjudicated layer."""

import pytest

from desktop_app.core.model import ADJUDICATED, ArticleDraft, Label, LabelSchema, RelationType
from desktop_app.core.review import ItemClass, compare_relations
from desktop_app.core.store import Store, StoreError

TEXT = "Ana told Bob and Cy: “we build” and “we go” in Paris."
SCHEMA = LabelSchema(
    "t",
    tuple(
        Label(name, "span", color)
        for name, color in (("Person", "#ffadad"), ("Quote", "#a0c4ff"), ("Location", "#caffbf"))
    ),
    relation_types=(
        RelationType("said_by", "#ff0000", "", True, ("Quote",), ("Person",)),
        RelationType("knows", "#00ff00"),
        RelationType("same_as", "#0000ff", "", False),
        RelationType("located_in", "#888888", "", True, (), ("Location",)),
    ),
)
PLACES = {"P1": "Ana", "P2": "Bob", "P3": "Cy", "Q1": "“we build”", "Q2": "“we go”", "L": "Paris"}
LABELS = {"P": "Person", "Q": "Quote", "L": "Location"}
RELATIONS = {
    # the same in both: agreed
    "ana": [("said_by", "Q1", "P1"), ("knows", "P1", "P2"), ("same_as", "P1", "P3"),
            ("said_by", "Q2", "P1"), ("located_in", "P1", "L")],
    "bob": [("said_by", "Q1", "P1"), ("knows", "P2", "P1"), ("knows", "P1", "P3"),
            ("said_by", "Q2", "P2"), ("same_as", "P2", "L")],
}  # fmt: skip
EXPECTED = {  # (type, A's ends, B's ends): class
    ("said_by", ("Q1", "P1"), ("Q1", "P1")): ItemClass.AGREED,
    ("knows", ("P1", "P2"), ("P2", "P1")): ItemClass.DIRECTION,
    ("same_as", ("P1", "P3"), ("P1", "P3")): ItemClass.TYPE,
    ("said_by", ("Q2", "P1"), ("Q2", "P2")): ItemClass.ENDPOINT,
    ("located_in", ("P1", "L"), None): ItemClass.MISSING,
    ("same_as", None, ("P2", "L")): ItemClass.EXTRA,
}


def _span_range(name):
    start = TEXT.index(PLACES[name])
    return start, start + len(PLACES[name])


def build(store):
    """Both annotators' spans at the same places, and their relations; {who: {name: uuid}}."""
    store.apply_schema(SCHEMA)
    store.add_articles([ArticleDraft(TEXT, "r1")])
    article = store.article_id("r1")
    spans = {}
    for who, listed in RELATIONS.items():
        spans[who] = {
            name: store.add_span(article, *_span_range(name), LABELS[name[0]], who).uuid
            for name in PLACES
        }
        for kind, one, two in listed:
            store.add_relation(kind, spans[who][one], spans[who][two], who)
    return article, spans


@pytest.fixture
def project():
    store = Store.memory()
    article, spans = build(store)
    yield store, article, spans
    store.close()


def _compare(store, article):
    everyone = {span.uuid: span for span in store.spans(article)}
    directed = {kind.name: kind.directed for kind in store.relation_types()}
    items = compare_relations(
        store.relations(article, "ana"), store.relations(article, "bob"), everyone, directed
    )
    return items, everyone


def _named(uuid_of):
    return {uuid: name for names in uuid_of.values() for name, uuid in names.items()}


def test_relations_are_classed_agreed_direction_type_endpoint_missing_extra(project):
    store, article, spans = project
    items, _ = _compare(store, article)
    names = _named(spans)
    got = {}
    for item in items:
        ends_a = None if item.a is None else (names[item.a.from_span], names[item.a.to_span])
        ends_b = None if item.b is None else (names[item.b.from_span], names[item.b.to_span])
        got[(item.label, ends_a, ends_b)] = item.item_class
        assert item.kind == "relation"
    assert got == EXPECTED
    # Each item knows where its ends are (navigation) and is in text order.
    assert [item.start for item in items] == sorted(item.start for item in items)
    agreed = next(item for item in items if item.item_class is ItemClass.AGREED)
    assert (agreed.start, agreed.end) == (0, _span_range("Q1")[1])


def test_an_undirected_relation_the_other_way_round_is_agreed():
    store = Store.memory()
    article, spans = build(store)
    store.add_relation("same_as", spans["ana"]["P2"], spans["ana"]["L"], "ana")
    items, _ = _compare(store, article)
    classes = [item.item_class for item in items if item.label == "same_as"]
    assert ItemClass.AGREED in classes and ItemClass.EXTRA not in classes
    store.close()


def _item(store, article, item_class):
    items, _ = _compare(store, article)
    return next(item for item in items if item.item_class is item_class)


def test_accepting_a_relation_needs_its_spans_in_the_layer_first(project):
    store, article, _ = project
    agreed = _item(store, article, ItemClass.AGREED)
    why = r"decide the span ““we build”” \(21–31\) first: .* its from end is not in adjudicated"
    with pytest.raises(StoreError, match=why):
        store.decide(article, [(agreed.key, "relation", agreed.a)], "rita")
    assert store.decisions(article) == {}  # nothing recorded
    assert store.relations(article, ADJUDICATED) == []


def test_an_accepted_relation_links_the_layers_copies_of_its_spans(project):
    store, article, _ = project
    agreed = _item(store, article, ItemClass.AGREED)
    ana = store.spans(article, "ana")
    by_uuid = {s.uuid: s for s in ana}
    ends = [by_uuid[agreed.a.from_span], by_uuid[agreed.a.to_span]]
    # The two end spans and the relation in one call: spans first, so the relation finds them.
    decided = store.decide(
        article,
        [*((f"{s.uuid}|x", "span", s) for s in ends), (agreed.key, "relation", agreed.a)],
        "rita",
    )
    [made] = store.relations(article, ADJUDICATED)
    layer_spans = {s.uuid: s for s in store.spans(article, ADJUDICATED)}
    assert (made.type, made.annotator) == ("said_by", ADJUDICATED)
    assert (layer_spans[made.from_span].start, layer_spans[made.to_span].start) == (
        ends[0].start,
        ends[1].start,
    )
    assert decided[-1].result_uuid == made.uuid and decided[-1].source_uuid == agreed.a.uuid
    kinds = store.db.conn.execute(
        "SELECT kind FROM adjudications WHERE item_key = ?", (agreed.key,)
    ).fetchone()
    assert kinds == ("relation",)
    # Accepting it again (B's identical version) links the same relation, makes no second.
    store.decide(article, [(agreed.key, "relation", agreed.b)], "rita")
    assert len(store.relations(article, ADJUDICATED)) == 1
    # Taking the decision back takes back what it made.
    assert store.undecide(article, agreed.key)
    assert store.relations(article, ADJUDICATED) == []


def test_taking_back_an_end_span_reopens_the_relation_decision(project):
    store, article, _ = project
    agreed = _item(store, article, ItemClass.AGREED)
    by_uuid = {s.uuid: s for s in store.spans(article, "ana")}
    ends = [by_uuid[agreed.a.from_span], by_uuid[agreed.a.to_span]]
    store.decide(
        article,
        [*((f"{s.uuid}|x", "span", s) for s in ends), (agreed.key, "relation", agreed.a)],
        "rita",
    )
    store.undecide(article, f"{ends[0].uuid}|x")
    assert store.relations(article, ADJUDICATED) == []
    assert agreed.key not in store.decisions(article)  # open again, not "accepted"


def test_a_rejected_relation_is_recorded_without_a_copy(project):
    store, article, _ = project
    extra = _item(store, article, ItemClass.EXTRA)
    [decision] = store.decide(article, [(extra.key, "relation", None)], "rita")
    assert decision.decision == "rejected" and decision.result_uuid is None
    assert store.decisions(article)[extra.key].decided_by == "rita"


# ---------------------------------------------------------------- the review dock


@pytest.fixture
def window(tmp_path, show_window):
    store = Store.open(tmp_path / "team.sqlite")
    build(store)
    win = show_window(store, "rita")
    yield win
    win.close()
    store.close()


def _rows(table):
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_review_dock_lists_a_relation_difference_and_accepts_agreed_relations(qtbot, window):
    from PySide6.QtCore import Qt

    window.start_review()
    panel = window.review_panel
    panel.a_box.setCurrentText("ana")
    panel.b_box.setCurrentText("bob")
    rows = _rows(panel.table)
    direction = next(row for row in rows if row[0] == "direction")
    assert direction[1] == "A knows: “Ana” 0–3 → “Bob” 9–12 / B knows: “Bob” 9–12 → “Ana” 0–3"
    assert (direction[2], direction[3]) == ("knows", "knows")
    assert {row[0] for row in rows} >= {"type", "endpoint", "missing", "extra", "direction"}
    panel.table.setCurrentCell(rows.index(direction), 0)
    assert "A: knows: “Ana” 0–3 → “Bob” 9–12 by ana" in panel.details.text()
    store = window.store
    panel.accept_agreed.click()  # every agreed span, then the agreed relation
    article = store.article_id("r1")
    [made] = store.relations(article, ADJUDICATED)
    assert made.type == "said_by"
    panel.show_agreed.setChecked(True)
    agreed = [row for row in _rows(panel.table) if row[0] == "agreed" and "said_by" in row[1]]
    assert agreed and agreed[0][4] == "accepted ana's version (rita)"
    # The direction difference: take B's version with the B key; its spans are in the layer.
    rows = _rows(panel.table)
    panel.table.setCurrentCell(next(i for i, r in enumerate(rows) if r[0] == "direction"), 0)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_B)
    assert {r.type for r in store.relations(article, ADJUDICATED)} == {"said_by", "knows"}
