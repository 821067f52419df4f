"""Suggestions: a layer of their own, accepted or rejected by a person."""

import pytest

from desktop_app.core.editing import Editor
from desktop_app.core.model import ArticleDraft, ArticleFilter, Label, LabelSchema
from desktop_app.core.store import Store, StoreError
from desktop_app.core.store.suggestions import Proposal


@pytest.fixture
def setup():
    store = Store.memory()
    store.apply_schema(
        LabelSchema(
            "t",
            (Label("Person", "span", "#ffadad"), Label("Place", "span", "#a0c4ff")),
        )
    )
    store.add_articles([ArticleDraft("Alice 🙂 in Paris", "a"), ArticleDraft("Bob in Rome", "b")])
    yield store, Editor(store, "ana"), store.article_id("a"), store.article_id("b")
    store.close()


def test_add_checks_offsets_in_code_points_and_refuses_each_with_reason(setup):
    store, _, a, _ = setup
    text = store.article(a).text
    paris = text.index("Paris")
    report = store.add_suggestions(
        "command:test",
        [
            Proposal(a, paris, paris + 5, "Place", 0.9, "capital"),
            Proposal(a, paris, len(text) + 1, "Place"),
            Proposal(a, 0, 5, "Nope"),
            Proposal(a, 0, 5, "Person", 1.5),
            Proposal(999, 0, 1, "Person"),
        ],
    )
    assert report.added == 1
    assert len(report.refused) == 4
    assert "outside the text" in report.refused[0] and "article a" in report.refused[0]
    assert "not a span label" in report.refused[1]
    assert "score" in report.refused[2]
    assert "no such article" in report.refused[3]
    [found] = store.suggestions([a])
    assert text[found.start : found.end] == "Paris"
    assert (found.source, found.score, found.explanation) == ("command:test", 0.9, "capital")


def test_list_filters_by_source_label_and_score(setup):
    store, _, a, b = setup
    store.add_suggestions("x", [Proposal(a, 0, 5, "Person", 0.2), Proposal(b, 0, 3, "Person")])
    store.add_suggestions("y", [Proposal(b, 7, 11, "Place", 0.7)])
    assert [s.source for s in store.suggestions(source="y")] == ["y"]
    assert [s.label for s in store.suggestions(label="Person")] == ["Person", "Person"]
    assert len(store.suggestions(min_score=0.5)) == 2
    assert len(store.suggestions([a])) == 1


def test_accept_makes_annotators_span_with_provenance_and_undo_restores(setup):
    store, editor, a, _ = setup
    store.add_suggestions("gazetteer:people.txt", [Proposal(a, 0, 5, "Person", 0.8, "list")])
    [span] = editor.accept_suggestions(store.suggestions([a]))
    assert (span.annotator, span.quote, span.note) == ("ana", "Alice", "")
    provenance = store.span_provenance(span.uuid)
    assert provenance is not None and provenance["source"] == "gazetteer:people.txt"
    assert store.suggestions() == []
    editor.undo()
    assert store.spans(a) == [] and len(store.suggestions()) == 1
    editor.redo()
    assert [s.uuid for s in store.spans(a)] == [span.uuid] and store.suggestions() == []


def test_accept_all_above_score_is_one_undo_step(setup):
    store, editor, a, _ = setup
    paris = store.article(a).text.index("Paris")
    store.add_suggestions(
        "x",
        [
            Proposal(a, 0, 5, "Person", 0.9),
            Proposal(a, paris, paris + 5, "Place", 0.6),
            Proposal(a, 0, 5, "Place", 0.1),
        ],
    )
    assert len(editor.accept_all(a, 0.5)) == 2
    assert [s.label for s in store.suggestions()] == ["Place"]
    editor.undo()
    assert store.spans(a) == [] and len(store.suggestions()) == 3


def test_reject_is_remembered_per_offsets_and_label(setup):
    store, editor, a, _ = setup
    store.add_suggestions("x", [Proposal(a, 0, 5, "Person")])
    editor.reject_suggestions(store.suggestions())
    assert store.suggestions() == []
    again = store.add_suggestions("y", [Proposal(a, 0, 5, "Person"), Proposal(a, 0, 5, "Place")])
    assert (again.added, again.rejected_before) == (1, 1)
    editor.undo()  # the rejection is forgotten, the suggestion back
    assert len(store.suggestions(label="Person")) == 1


def test_skips_text_already_annotated_with_same_label(setup):
    store, editor, a, _ = setup
    editor.add_span(a, 0, 5, "Person")
    report = store.add_suggestions("x", [Proposal(a, 0, 5, "Person"), Proposal(a, 0, 5, "Place")])
    assert (report.added, report.annotated) == (1, 1)


def test_suggestions_are_never_exported_nor_counted(setup):
    store, _, a, _ = setup
    store.add_suggestions("x", [Proposal(a, 0, 5, "Person")])
    lines = [line for batch in store.native_json(ArticleFilter()) for line in batch]
    assert "Person" not in repr(lines) and "Alice" in repr(lines)
    figures = store.stats()
    assert figures["spans"] == 0 and figures["spans_by_label"] == {}


def test_source_is_required(setup):
    store, _, a, _ = setup
    with pytest.raises(StoreError, match="source"):
        store.add_suggestions("", [Proposal(a, 0, 5, "Person")])


def test_deleting_an_article_takes_its_suggestions_and_undo_brings_them_back(setup):
    store, editor, a, _ = setup
    store.add_suggestions("x", [Proposal(a, 0, 5, "Person")])
    editor.delete_articles([a])
    assert store.suggestions() == []
    editor.undo()
    assert [s.article_id for s in store.suggestions()] == [a]
