"""Review on a synced corpus: compare and agreement give what they give on a merged one, the
adjudicator's decisions reach the analysts, and an analyst's decision goes nowhere."""

import json

from sync_helpers import article, project, server_rows

from desktop_app import cli
from desktop_app.core.model import RelationType
from desktop_app.core.review import compare_relations, compare_spans, compare_tags
from desktop_app.core.store import Store
from desktop_app.core.sync.client import sync

KNOWS = [RelationType("knows", directed=True)]


def ana_codes(store):
    """Ana's work: agreed, differently labelled, other boundaries, a deleted span, relations."""
    a1, a2 = article(store, "a1"), article(store, "a2")
    nino = store.add_span(a1, 0, 4, "Person", "ana")
    amelie = store.add_span(a1, 9, 15, "Person", "ana")
    store.add_span(a1, 19, 26, "Place", "ana")
    monday = store.add_span(a1, 33, 39, "Person", "ana", note="not a person")
    store.update_span(monday.uuid, deleted=True)
    store.add_relation("knows", nino.uuid, amelie.uuid, "ana")
    store.add_span(a2, 0, 2, "Person", "ana")
    store.add_span(a2, 13, 18, "Place", "ana")
    store.set_tag(a2, "Energy", "ana", True)
    store.set_status(a1, "ana", "done")


def bob_codes(store):
    """Bob's: the same first span, a label and a boundary difference, a tag ana lacks, and an
    article he read and left without annotations (coded: it counts as 'nothing there')."""
    a1, a2 = article(store, "a1"), article(store, "a2")
    nino = store.add_span(a1, 0, 4, "Person", "bob")
    amelie = store.add_span(a1, 9, 15, "Place", "bob")
    store.add_span(a1, 19, 25, "Place", "bob")
    store.add_relation("knows", amelie.uuid, nino.uuid, "bob")  # the other way round
    store.set_tag(a1, "Energy", "bob", True)
    store.set_status(a2, "bob", "done")


def compared(store, uid, a="ana", b="bob"):
    """Every review item of A and B on the article, as comparable values (no local ids)."""
    article_id = article(store, uid)
    everyone = {s.uuid: s for s in store.spans(article_id)}
    directed = {t.name: t.directed for t in store.relation_types()}
    items = [
        *compare_tags(store.tags(article_id, a), store.tags(article_id, b)),
        *compare_spans(store.spans(article_id, a), store.spans(article_id, b)),
        *compare_relations(
            store.relations(article_id, a), store.relations(article_id, b), everyone, directed
        ),
    ]
    return [(i.kind, str(i.item_class), i.key, i.label, i.start, i.end) for i in items]


def agreement_json(capsys, path):
    assert cli.main(["agreement", "--db", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_review_on_the_synced_corpus_is_review_on_the_merged_one(pg_team, tmp_path, capsys):
    paths = {name: tmp_path / f"{name}.sqlite" for name in ("adam", "ana", "bob", "merged")}
    adam = project(paths["adam"], ["a1", "a2"])
    adam.set_relation_types(KNOWS)
    assert sync(adam, pg_team.url("adam")).refused == []  # the corpus and the schema
    for name, codes in (("ana", ana_codes), ("bob", bob_codes)):
        store = project(paths[name])
        sync(store, pg_team.url(name))
        codes(store)
        store.close()
    # The old way: the analysts' files merged into a project of the same corpus.
    merged = project(paths["merged"], ["a1", "a2"])
    merged.set_relation_types(KNOWS)
    merged.close()
    for name in ("ana", "bob"):
        assert cli.main(["merge", str(paths[name]), "--db", str(paths["merged"])]) == 0
    capsys.readouterr()
    # The new way: everyone syncs, and the adjudicator pulls the corpus.
    ana, bob = Store.open(paths["ana"]), Store.open(paths["bob"])
    try:
        for store, name in ((ana, "ana"), (bob, "bob")):
            assert sync(store, pg_team.url(name)).refused == []
        sync(adam, pg_team.url("adam"))
        merged = Store.open(paths["merged"], read_only=True)
        try:
            for uid in ("a1", "a2"):
                assert compared(adam, uid) == compared(merged, uid)
            differences = {c[1] for c in compared(adam, "a1")}
            assert {"agreed", "different label", "different boundary"} <= differences
        finally:
            merged.close()
        figures = agreement_json(capsys, paths["adam"])
        assert figures == agreement_json(capsys, paths["merged"])
        assert figures["annotators"] == ["ana", "bob"]

        # The adjudicator decides on the synced project; the decisions reach the analysts.
        a1 = article(adam, "a1")
        items = {(c[1], c[0]): c for c in compared(adam, "a1")}
        article_items = {
            i.key: i
            for i in (
                *compare_spans(adam.spans(a1, "ana"), adam.spans(a1, "bob")),
                *compare_tags(adam.tags(a1, "ana"), adam.tags(a1, "bob")),
            )
        }
        agreed = article_items[items[("agreed", "span")][2]]
        relabelled = article_items[items[("different label", "span")][2]]
        boundary = article_items[items[("different boundary", "span")][2]]
        adam.decide(
            a1,
            [
                (agreed.key, agreed.kind, agreed.a),
                (relabelled.key, relabelled.kind, relabelled.b),  # bob's Place
                (boundary.key, boundary.kind, None),
            ],
            "adam",
        )
        assert sync(adam, pg_team.url("adam")).refused == []
        layer = sorted((s.label, s.start, s.end) for s in adam.spans(a1, "adjudicated"))
        assert layer == [("Person", 0, 4), ("Place", 9, 15)]
        for store, name in ((ana, "ana"), (bob, "bob")):
            sync(store, pg_team.url(name))
            here = article(store, "a1")
            assert {k: d.decision for k, d in store.decisions(here).items()} == {
                agreed.key: "accepted",
                relabelled.key: "accepted",
                boundary.key: "rejected",
            }
            got = sorted((s.label, s.start, s.end) for s in store.spans(here, "adjudicated"))
            assert got == layer
        # Everyone's synced project gives the same figures (the layer is not a coder).
        assert agreement_json(capsys, paths["adam"]) == figures
        ana.close()
        assert agreement_json(capsys, paths["ana"]) == figures
        ana = Store.open(paths["ana"])

        # An analyst's decision is refused: it reaches neither the server nor a colleague.
        a2 = article(ana, "a2")
        ana.decide(a2, [("ana-decides", "span", None)], "ana")
        report = sync(ana, pg_team.url("ana"))
        assert [r.table for r in report.refused] == ["decisions"]
        assert "only adjudicators" in report.refused[0].reason
        assert all(row[1] != "ana-decides" for row in server_rows(pg_team)["decisions"])
        sync(bob, pg_team.url("bob"))
        assert bob.decisions(article(bob, "a2")) == {}
    finally:
        ana.close()
        bob.close()
        adam.close()
