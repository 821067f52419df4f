"""The learned recommender: majority label, ties, minimum length, stop list, human spans only."""

import io
import random

import pytest

from desktop_app.core.editing import Editor
from desktop_app.core.model import ArticleDraft, Label, LabelSchema, SpanDraft
from desktop_app.core.store import Store
from desktop_app.core.suggest import learned
from desktop_app.core.suggest.learned import LearnedModel, majority


@pytest.fixture
def setup():
    store = Store.memory()
    store.apply_schema(
        LabelSchema(
            "t",
            (
                Label("Person", "span", "#ffadad"),
                Label("Place", "span", "#a0c4ff"),
                Label("Org", "span", "#caffbf"),
            ),
        )
    )
    store.add_articles(
        [
            ArticleDraft("Nino Beridze met Georgia Lane in Tbilisi. Nino Beridze left.", "a"),
            ArticleDraft("Later Nino Beridze saw Georgia Lane and Tbilisi again.", "b"),
            ArticleDraft("Nothing about Nino Beridzeli or the ninos here.", "c"),
        ]
    )
    ids = [store.article_id(u) for u in "abc"]
    yield store, Editor(store, "ana"), ids
    store.close()


def _mark(editor, store, article_id, quote, label, nth=0):
    text = store.article(article_id).text
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    return editor.add_span(article_id, start, start + len(quote), label)


def _proposed(store, article_id, model=None, annotator=None):
    model = model or learned.learn(store, annotator)
    text = store.article(article_id).text
    return [
        (text[p.start : p.end], p.label, round(p.score, 2))
        for p in learned.article_proposals(store, model, article_id)
    ]


def test_majority_label_with_its_share_elsewhere_and_at_other_occurrences(setup):
    store, editor, (a, b, c) = setup
    _mark(editor, store, a, "Nino Beridze", "Person")
    _mark(editor, store, a, "Georgia Lane", "Person")
    _mark(editor, store, b, "Georgia Lane", "Person")
    other = Editor(store, "ben")
    _mark(other, store, b, "Georgia Lane", "Place", 0)  # two Person to one Place
    assert _proposed(store, b) == [("Nino Beridze", "Person", 1.0)]
    # In the article it was annotated in: the second occurrence only (the first is annotated).
    assert _proposed(store, a) == [("Nino Beridze", "Person", 1.0)]
    assert [p.start for p in learned.article_proposals(store, learned.learn(store), a)] == [
        store.article(a).text.rindex("Nino Beridze")
    ]
    # Whole words only: "Nino Beridzeli" is another name.
    assert _proposed(store, c) == []
    model = learned.learn(store)
    found = model.lookup("Georgia Lane")
    assert (found.label, found.count, found.total) == ("Person", 2, 3)
    assert found.score == pytest.approx(2 / 3)
    assert "2 of 3 times" in found.explanation()


def test_a_tie_proposes_nothing(setup):
    store, editor, (a, b, _) = setup
    _mark(editor, store, a, "Tbilisi", "Place")
    _mark(Editor(store, "ben"), store, a, "Tbilisi", "Org")
    assert learned.learn(store).lookup("Tbilisi") is None
    assert _proposed(store, b) == []
    assert majority(__import__("collections").Counter({"X": 2, "Y": 2, "Z": 1})) is None
    _mark(Editor(store, "cy"), store, a, "Tbilisi", "Place")  # the tie broken
    assert _proposed(store, b) == [("Tbilisi", "Place", 0.67)]


def test_minimum_length_and_stop_list(setup):
    _, _, (a, _, _) = setup
    model = LearnedModel()
    model.put("1", a, "Ni", "Person")  # two code points: too short
    model.put("2", a, "  The ", "Org")  # a stop word, whatever its case and spaces
    model.put("3", a, "Lane", "Place")
    assert [t.text for t in model.learned()] == ["Lane"]
    shorter = LearnedModel(min_length=2, stop_words=["lane"])
    for uuid, quote, label in (("1", "Ni", "Person"), ("3", "Lane", "Place")):
        shorter.put(uuid, a, quote, label)
    assert [t.text for t in shorter.learned()] == ["Ni"]
    assert learned.read_stop_words(io.StringIO("# mine\nLane\n\n  Tbilisi \n")) == {
        "lane",
        "tbilisi",
    }


def test_never_learns_from_accepted_suggestions_of_any_source(setup):
    store, editor, (a, b, _) = setup
    _mark(editor, store, a, "Nino Beridze", "Person")
    learned.suggest_learned(store, learned.learn(store), [b])
    [own] = store.suggestions([b])
    assert own.source == "learned"
    accepted = editor.accept_suggestions([own])  # now a span of ana's, with provenance
    assert store.span_provenance(accepted[0].uuid)["source"] == "learned"
    from desktop_app.core.store.suggestions import Proposal

    text = store.article(b).text
    at = text.index("Georgia Lane")
    store.add_suggestions("gazetteer:x", [Proposal(b, at, at + 12, "Org")])
    editor.accept_suggestions(store.suggestions([b]))
    uuids = {row[0] for row in store.human_spans()}
    assert accepted[0].uuid not in uuids and len(uuids) == 1
    model = learned.learn(store)
    assert model.lookup("Georgia Lane") is None  # only ever accepted: nothing learned
    assert model.lookup("Nino Beridze").total == 1  # the accepted copy did not count
    # Deleted and discontinuous spans are no evidence either.
    editor.delete_span(next(iter(store.spans(a))).uuid)
    assert learned.learn(store).learned() == []
    pieces = SpanDraft(0, 9, "Org", annotator="ana", fragments=((0, 4), (5, 9)))
    store.add_articles([ArticleDraft("Acme Corp", "d", origin="o", spans=(pieces,))])
    assert [s.fragments for s in store.spans(store.article_id("d"))] == [((0, 4), (5, 9))]
    assert learned.learn(store).learned() == []


def test_annotator_option_and_live_spans_left_alone(setup):
    store, editor, (a, b, _) = setup
    _mark(editor, store, a, "Tbilisi", "Place")
    _mark(Editor(store, "ben"), store, a, "Georgia Lane", "Person")
    assert _proposed(store, b, annotator="ben") == [("Georgia Lane", "Person", 1.0)]
    # In b, Georgia Lane already has a span (another label): someone decided, nothing proposed.
    _mark(Editor(store, "cy"), store, b, "Georgia Lane", "Place")
    assert _proposed(store, b, annotator="ben") == []
    # A longer span of the same label covering the hit: nothing proposed inside it either.
    _mark(editor, store, b, "Tbilisi again", "Place")
    assert _proposed(store, b, annotator="ana") == []


def test_replace_removes_outdated_suggestions_and_writes_nothing_when_unchanged(setup):
    store, editor, (a, b, _) = setup
    span = _mark(editor, store, a, "Tbilisi", "Place")
    _, report = learned.suggest_learned(store, learned.learn(store), [b])
    assert (report.stored.added, report.removed) == (1, 0)
    changes = store.db.conn.total_changes
    _, report = learned.suggest_learned(store, learned.learn(store), [b])
    assert (report.stored.added, report.removed) == (0, 0)
    assert store.db.conn.total_changes == changes
    editor.relabel_span(span.uuid, "Org")
    _, report = learned.suggest_learned(store, learned.learn(store), [b])
    assert (report.stored.added, report.removed) == (1, 1)
    assert [s.label for s in store.suggestions([b])] == ["Org"]
    # A rejected learned suggestion does not come back.
    editor.reject_suggestions(store.suggestions([b]))
    _, report = learned.suggest_learned(store, learned.learn(store), [b])
    assert (report.stored.added, report.stored.rejected_before) == (0, 1)


def test_incremental_updates_equal_a_full_rebuild():
    rng = random.Random(7)
    quotes = ["Nino Beridze", "Tbilisi", "Georgia Lane", "South Caucasus Rail", "Batumi", "the"]
    labels = ["Person", "Place", "Org"]
    model = LearnedModel()
    live: dict[str, tuple[int, str, str]] = {}
    text = " ".join(rng.choice(quotes) for _ in range(300))
    for step in range(400):
        if live and rng.random() < 0.35:
            uuid = rng.choice(sorted(live))
            del live[uuid]
            model.drop(uuid)
        else:
            uuid = f"s{step}" if rng.random() < 0.8 or not live else rng.choice(sorted(live))
            live[uuid] = (rng.randrange(3), rng.choice(quotes), rng.choice(labels))
            model.put(uuid, *live[uuid])
        if step % 40 == 0:
            fresh = LearnedModel()
            fresh.sync_all((u, *v) for u, v in live.items())
            assert model.learned() == fresh.learned()
            assert model.propose(9, text) == fresh.propose(9, text)
    model.propose(9, text)
    rebuilds = model.rebuilds
    model.propose(9, text)
    assert model.rebuilds == rebuilds  # nothing changed: the automaton is reused
    winner = model.learned()[0]
    for n in range(3):  # more of the majority label: the score changes, the terms do not
        model.put(f"more{n}", 1, winner.text, winner.label)
    model.propose(9, text)
    assert model.rebuilds == rebuilds
    assert model.lookup(winner.text).count == winner.count + 3


def test_sync_article_puts_and_drops_by_uuid():
    model = LearnedModel()
    model.sync_article(1, {"x": ("Tbilisi", "Place"), "y": ("Batumi", "Place")})
    model.sync_article(2, {"z": ("Tbilisi", "Org")})
    assert model.lookup("Tbilisi") is None  # one each: a tie
    model.sync_article(1, {"y": ("Batumi", "Org")})
    assert [(t.text, t.label) for t in model.learned()] == [("Batumi", "Org"), ("Tbilisi", "Org")]


def test_gazetteer_export_in_inceptions_format():
    model = LearnedModel()
    for uuid, quote, label in (
        ("1", "Nino Beridze", "Person"),
        ("2", "Tbilisi", "Place"),
        ("3", "#MeToo", "Event"),
        ("4", "two\tparts", "Org"),
    ):
        model.put(uuid, 1, quote, label)
    out = io.StringIO()
    assert learned.write_gazetteer(model.learned(), out, "learned from test") == 2
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("#") and lines[1] == "# learned from test"
    assert "2 texts left out" in lines[2]
    assert lines[3:] == ["Nino Beridze\tPerson", "Tbilisi\tPlace"]
