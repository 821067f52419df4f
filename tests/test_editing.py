"""Undo and redo of every edit, across articles."""

import pytest

from desktop_app.core.editing import Editor
from desktop_app.core.model import ArticleDraft, Label, LabelSchema
from desktop_app.core.store import Store, StoreError


@pytest.fixture
def setup():
    store = Store.memory()
    store.apply_schema(
        LabelSchema(
            "t",
            (
                Label("Person", "span", "#ffadad"),
                Label("Place", "span", "#a0c4ff"),
                Label("Energy", "document", "#caffbf"),
            ),
        )
    )
    store.add_articles([ArticleDraft("Alice in Paris", "a"), ArticleDraft("Bob in Rome", "b")])
    yield store, Editor(store, "ana"), store.article_id("a"), store.article_id("b")
    store.close()


def test_undo_redo_span_creation_keeps_uuid(setup):
    store, editor, a, _ = setup
    span = editor.add_span(a, 0, 5, "Person")
    assert editor.undo() == a
    assert store.spans(a) == []
    assert editor.redo() == a
    assert store.spans(a)[0].uuid == span.uuid


def test_undo_across_articles_in_reverse_order(setup):
    store, editor, a, b = setup
    s1 = editor.add_span(a, 0, 5, "Person")
    editor.relabel_span(s1.uuid, "Place")
    editor.set_tag(b, "Energy", True)
    editor.set_status(b, "done")
    editor.set_span_note(s1.uuid, "check spelling")
    editor.delete_span(s1.uuid)
    assert [editor.undo() for _ in range(6)] == [a, a, b, b, a, a]
    assert store.spans(a, include_deleted=True)[0].deleted is True  # creation undone
    # The first tag put b "in progress" (issue 14): undoing the tag leaves that.
    assert store.tags(b) == [] and store.status(b, "ana") == "in progress"
    assert editor.undo() is None
    for _ in range(6):
        editor.redo()
    final = store.spans(a, include_deleted=True)[0]
    assert (final.label, final.note, final.deleted) == ("Place", "check spelling", True)
    assert [t.label for t in store.tags(b)] == ["Energy"] and store.status(b, "ana") == "done"


def test_new_edit_clears_redo(setup):
    _, editor, a, _ = setup
    editor.add_span(a, 0, 5, "Person")
    editor.undo()
    assert editor.can_redo()
    editor.add_span(a, 9, 14, "Place")
    assert not editor.can_redo()
    assert "Place" in editor.undo_text()


def test_no_op_edits_do_not_enter_history(setup):
    _, editor, a, _ = setup
    span = editor.add_span(a, 0, 5, "Person")
    editor.relabel_span(span.uuid, "Person")
    editor.set_tag(a, "Energy", False)
    editor.set_status(a, "in progress")  # the span already made it so (issue 14)
    assert editor.undo() == a and not editor.can_undo()


def test_each_annotator_has_their_own_history(setup):
    store, editor, a, _ = setup
    mine = editor.add_span(a, 0, 5, "Person")
    editor.switch_annotator("bob")
    assert not editor.can_undo()
    theirs = editor.add_span(a, 9, 14, "Place")
    editor.switch_annotator("ana")
    assert editor.undo() == a
    assert store.span(mine.uuid).deleted and not store.span(theirs.uuid).deleted
    editor.switch_annotator("bob")
    assert "Place" in editor.undo_text()


def test_failed_undo_keeps_the_step(setup, monkeypatch):
    store, editor, a, _ = setup
    editor.add_span(a, 0, 5, "Person")

    def refuse(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "update_span", refuse)
    with pytest.raises(RuntimeError):
        editor.undo()
    assert editor.can_undo() and not editor.can_redo()
    monkeypatch.undo()
    assert editor.undo() == a


def test_clear_history(setup):
    _, editor, a, _ = setup
    editor.add_span(a, 0, 5, "Person")
    editor.clear_history()
    assert not editor.can_undo() and editor.undo() is None


def test_a_first_annotation_puts_the_article_in_progress(setup):
    store, editor, a, b = setup
    assert store.status(a, "ana") == "todo"
    editor.add_span(a, 0, 5, "Person")
    assert store.status(a, "ana") == "in progress"
    assert store.status(a, "bob") == "todo"  # only for whoever annotated
    editor.undo()  # decided: undoing the annotation keeps "in progress"
    assert store.status(a, "ana") == "in progress"
    editor.set_tag(b, "Energy", True)
    assert store.status(b, "ana") == "in progress"
    editor.set_status(b, "done")
    editor.add_span(b, 0, 3, "Person")
    assert store.status(b, "ana") == "done"  # a later annotation never takes "done" back
    assert editor.undo_text() == "add Person “Bob”"  # the status is no step of its own


def test_adjust_span_is_one_undo_step_keeping_label_note_and_annotator(setup):
    store, editor, a, _ = setup
    span = editor.add_span(a, 0, 3, "Person", note="who?")  # "Ali"
    moved = editor.adjust_span(span.uuid, 0, 5)
    assert (moved.quote, moved.label, moved.note, moved.annotator) == (
        "Alice",
        "Person",
        "who?",
        "ana",
    )
    assert [s.uuid for s in store.spans(a)] == [moved.uuid]
    assert editor.undo_text().startswith("adjust")
    assert editor.undo() == a
    assert [(s.uuid, s.quote) for s in store.spans(a)] == [(span.uuid, "Ali")]
    assert editor.redo() == a
    assert [(s.uuid, s.quote) for s in store.spans(a)] == [(moved.uuid, "Alice")]
    editor.undo()
    editor.undo()  # the creation: nothing left
    assert store.spans(a) == []


def test_adjust_span_refuses_edges_outside_the_text(setup):
    store, editor, a, _ = setup
    span = editor.add_span(a, 0, 5, "Person")
    with pytest.raises(StoreError, match="outside the text"):
        editor.adjust_span(span.uuid, 0, 99)
    assert [s.uuid for s in store.spans(a)] == [span.uuid]
    assert editor.undo_text().startswith("add")
