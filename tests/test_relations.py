"""Relations between spans: the store's rules and every edit with undo and redo (issue 16)."""

import pytest

from desktop_app.core.editing import Editor
from desktop_app.core.model import ArticleDraft, Label, LabelSchema, RelationType
from desktop_app.core.store import Store, StoreError

TEXT = "Mayor Ana said “we will build” in Paris."


@pytest.fixture
def setup():
    store = Store.memory()
    store.apply_schema(
        LabelSchema(
            "t",
            (
                Label("Person", "span", "#ffadad"),
                Label("Quote", "span", "#a0c4ff"),
                Label("Location", "span", "#caffbf"),
            ),
            relation_types=(
                RelationType("said_by", "#ff0000", "Shift+B", True, ("Quote",), ("Person",)),
                RelationType("located_in", "#00ff00", "", True, (), ("Location",)),
                RelationType("same_as", "#0000ff", "", False),
            ),
        )
    )
    store.add_articles([ArticleDraft(TEXT, "a"), ArticleDraft("Bob in Rome", "b")])
    a, b = store.article_id("a"), store.article_id("b")
    editor = Editor(store, "ana")
    person = editor.add_span(a, 6, 9, "Person")
    quote = editor.add_span(a, 15, 29, "Quote")
    place = editor.add_span(a, 34, 39, "Location")
    yield store, editor, a, b, person.uuid, quote.uuid, place.uuid
    store.close()


def test_add_relation_links_two_spans_and_undo_redo_keep_its_uuid(setup):
    store, editor, a, _, person, quote, _ = setup
    made = editor.add_relation("said_by", quote, person, note="direct")
    assert (made.type, made.from_span, made.to_span, made.note) == (
        "said_by",
        quote,
        person,
        "direct",
    )
    assert made.annotator == "ana" and made.article_id == a and not made.deleted
    assert store.relations(a) == [made] and store.span_relations(person) == [made]
    assert editor.undo_text() == "add relation said_by"
    assert editor.undo() == a and store.relations(a) == []
    assert store.relations(a, include_deleted=True)[0].deleted
    assert editor.redo() == a and store.relations(a)[0].uuid == made.uuid


def test_store_refuses_relations_its_rules_forbid(setup):
    store, editor, _a, b, person, quote, place = setup
    other = editor.add_span(b, 0, 3, "Person")
    with pytest.raises(StoreError, match="same article"):
        store.add_relation("same_as", person, other.uuid, "ana")
    with pytest.raises(StoreError, match="two different spans"):
        store.add_relation("same_as", person, person, "ana")
    with pytest.raises(StoreError, match="does not link Person to Quote"):
        store.add_relation("said_by", person, quote, "ana")  # the wrong way round
    with pytest.raises(StoreError, match="not a relation type"):
        store.add_relation("founded_by", person, quote, "ana")
    editor.delete_span(place)
    with pytest.raises(StoreError, match="deleted"):
        store.add_relation("located_in", person, place, "ana")
    with pytest.raises(StoreError, match="no span"):
        store.add_relation("same_as", person, "nope", "ana")
    # An undirected type allows its labels at either end.
    assert store.add_relation("same_as", quote, person, "ana").type == "same_as"


def test_reverse_retype_and_note_are_each_one_undo_step(setup):
    store, editor, _a, _, person, quote, place = setup
    rel = editor.add_relation("located_in", person, place)
    with pytest.raises(StoreError, match="does not link"):
        editor.reverse_relation(rel.uuid)  # Location -> Person is not allowed
    assert store.relation(rel.uuid).from_span == person
    retyped = editor.set_relation_type(rel.uuid, "same_as")
    assert retyped.type == "same_as"
    with pytest.raises(StoreError, match="undirected"):
        editor.reverse_relation(rel.uuid)
    editor.set_relation_type(rel.uuid, "located_in")
    editor.set_relation_note(rel.uuid, "HQ")
    assert store.relation(rel.uuid).note == "HQ"
    said = editor.add_relation("same_as", quote, person)
    editor.set_relation_type(said.uuid, "said_by")
    assert editor.undo_text() == "retype as said_by: same_as"
    editor.undo()
    editor.undo()  # the relation itself
    assert editor.undo_text() == "note on relation located_in"
    editor.undo()
    assert store.relation(rel.uuid).note == ""
    editor.undo()
    assert store.relation(rel.uuid).type == "same_as"
    editor.undo()
    assert store.relation(rel.uuid).type == "located_in"
    for _ in range(5):
        editor.redo()
    assert store.relation(rel.uuid).note == "HQ" and store.relation(said.uuid).type == "said_by"


def test_reverse_swaps_the_ends_of_a_directed_relation(setup):
    store, editor, a, _, person, _, _ = setup
    second = editor.add_span(a, 0, 5, "Person")
    rel = editor.add_relation("same_as", person, second.uuid)
    store.set_relation_types([*store.relation_types(), RelationType("knows", "#123456")])
    editor.set_relation_type(rel.uuid, "knows")
    back = editor.reverse_relation(rel.uuid)
    assert (back.from_span, back.to_span) == (second.uuid, person)
    assert editor.undo_text() == "reverse knows"
    editor.undo()
    assert (store.relation(rel.uuid).from_span, store.relation(rel.uuid).to_span) == (
        person,
        second.uuid,
    )
    editor.redo()
    assert store.relation(rel.uuid).from_span == second.uuid


def test_delete_relation_undo_redo(setup):
    store, editor, a, _, person, quote, _ = setup
    rel = editor.add_relation("said_by", quote, person)
    editor.delete_relation(rel.uuid)
    assert store.relations(a) == []
    editor.undo()
    assert store.relations(a)[0].uuid == rel.uuid
    editor.redo()
    assert store.relations(a) == []


def test_deleting_a_span_deletes_everyones_relations_on_it_in_one_step(setup):
    store, editor, a, _, person, quote, place = setup
    mine = editor.add_relation("said_by", quote, person)
    editor.switch_annotator("bob")  # a colleague links to ana's span
    theirs = editor.add_relation("located_in", person, place)
    unrelated = editor.add_relation("same_as", quote, place)
    editor.switch_annotator("ana")
    editor.delete_span(person)
    assert editor.undo_text() == "delete “Ana” and 2 relations"
    assert [r.uuid for r in store.relations(a)] == [unrelated.uuid]
    gone = {r.uuid: r for r in store.relations(a, include_deleted=True) if r.deleted}
    assert set(gone) == {mine.uuid, theirs.uuid}  # bob's deletion is visible, and merges
    assert gone[theirs.uuid].annotator == "bob"
    assert editor.undo() == a
    assert {r.uuid for r in store.relations(a)} == {mine.uuid, theirs.uuid, unrelated.uuid}
    assert not store.span(person).deleted
    editor.redo()
    assert [r.uuid for r in store.relations(a)] == [unrelated.uuid] and store.span(person).deleted
    editor.undo()
    # Undoing the span's creation afterwards is a plain span edit (no relation was on it).
    assert len(store.relations(a)) == 3


def test_adjusting_a_span_moves_its_relations_and_undo_moves_them_back(setup):
    store, editor, _a, _, person, quote, _ = setup
    rel = editor.add_relation("said_by", quote, person)
    wider = editor.adjust_span(person, 0, 9)
    assert store.relation(rel.uuid).to_span == wider.uuid
    editor.undo()
    assert store.relation(rel.uuid).to_span == person
    editor.redo()
    assert store.relation(rel.uuid).to_span == wider.uuid


def test_relation_types_come_and_go_with_the_schema_but_never_while_used(setup):
    store, editor, _, _, person, quote, _ = setup
    editor.add_relation("said_by", quote, person)
    schema = store.schema()
    assert [t.name for t in schema.relation_types] == ["said_by", "located_in", "same_as"]
    assert schema.relation_types[0].from_labels == ("Quote",)
    kept = store.apply_schema(LabelSchema("t", schema.labels))
    assert kept == ["said_by"]
    assert [t.name for t in store.relation_types()] == ["said_by"]
    assert store.relation_type("said_by").key == ""  # a kept type gives up its key


def test_a_span_deleted_by_any_path_takes_the_relations_on_it(setup):
    """Ana undoes making a span that Bob has linked since: Bob's relation goes with it."""
    store, editor, a, _, person, _, _ = setup
    mine = editor.add_span(a, 0, 5, "Person")
    editor.switch_annotator("bob")
    rel = editor.add_relation("same_as", mine.uuid, person)
    editor.switch_annotator("ana")
    editor.undo()  # ana's span creation
    assert store.span(mine.uuid).deleted and store.relation(rel.uuid).deleted
    assert store.check(full=True) == []


def test_undo_never_brings_back_a_relation_whose_other_end_a_colleague_deleted(setup):
    store, editor, _, _, person, quote, _ = setup
    rel = editor.add_relation("said_by", quote, person)
    editor.delete_span(quote)  # ana: the relation goes with it
    editor.switch_annotator("bob")
    editor.delete_span(person)
    editor.switch_annotator("ana")
    editor.undo()
    assert not store.span(quote).deleted and store.relation(rel.uuid).deleted
    assert store.check(full=True) == []
