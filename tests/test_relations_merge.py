"""Merging relations (issue 16, team work): by uuid, three-way, never onto another span."""

import json
import shutil
import sqlite3
import time
from types import SimpleNamespace

import pytest

from desktop_app import cli
from desktop_app.core.merging import _JsonlRelations, merge_path
from desktop_app.core.model import (
    ArticleDraft,
    Label,
    LabelSchema,
    RelationType,
    SpanDraft,
)
from desktop_app.core.store import Store

TEXT = "Mayor Ana said “we will build” in Paris."
SCHEMA = LabelSchema(
    "t",
    (
        Label("Person", "span", "#ffadad"),
        Label("Quote", "span", "#a0c4ff"),
        Label("Location", "span", "#caffbf"),
    ),
    relation_types=(
        RelationType("said_by", "#ff0000", "Shift+B", True, ("Quote",), ("Person",)),
        RelationType("same_as", "#0000ff", "", False),
    ),
)


@pytest.fixture
def pair(tmp_path):
    """Our project (three spans by ana) and bob's copy of it, both open."""
    ours_path, theirs_path = tmp_path / "ana.sqlite", tmp_path / "bob.sqlite"
    store = Store.open(ours_path)
    store.apply_schema(SCHEMA)
    store.add_articles([ArticleDraft(TEXT, "a")])
    a = store.article_id("a")
    person = store.add_span(a, 6, 9, "Person", "ana").uuid
    quote = store.add_span(a, 15, 29, "Quote", "ana").uuid
    place = store.add_span(a, 34, 39, "Location", "ana").uuid
    store.close()
    shutil.copy(ours_path, theirs_path)
    ours, theirs = Store.open(ours_path), Store.open(theirs_path)
    yield SimpleNamespace(
        ours=ours, theirs=theirs, path=theirs_path, a=a, person=person, quote=quote, place=place
    )
    ours.close()
    theirs.close()


def _merge(pair):
    pair.theirs.close()
    report = merge_path(pair.ours, pair.path)
    pair.theirs = Store.open(pair.path)
    return report


def _history(store):
    return store.db.conn.execute(
        "SELECT kind, label, note, deleted, from_span, to_span, reason FROM annotation_history "
        "ORDER BY id"
    ).fetchall()


def test_their_new_relation_comes_in_once_and_a_second_merge_changes_nothing(pair):
    made = pair.theirs.add_relation("said_by", pair.quote, pair.person, "bob", note="direct")
    report = _merge(pair)
    assert (report.relations_added, report.relations_updated, report.relations_refused) == (
        1,
        0,
        0,
    )
    assert "relations: 1 added, 0 updated, 0 conflicts, 0 refused" in report.summary()
    got = pair.ours.relation(made.uuid)
    assert (got.type, got.from_span, got.to_span, got.annotator, got.note) == (
        "said_by",
        pair.quote,
        pair.person,
        "bob",
        "direct",
    )
    assert got.updated_at == made.updated_at  # their edit time, so later merges compare it
    again = _merge(pair)
    assert (again.relations_added, again.relations_updated, again.changed) == (0, 0, False)


def test_their_edit_wins_when_only_they_changed_it_and_ours_goes_to_the_history(pair):
    made = pair.theirs.add_relation("same_as", pair.person, pair.place, "bob")
    _merge(pair)
    time.sleep(0.01)
    pair.theirs.update_relation(made.uuid, from_span=pair.place, to_span=pair.person, note="x")
    report = _merge(pair)
    assert (report.relations_updated, report.conflicts) == (1, [])
    got = pair.ours.relation(made.uuid)
    assert (got.from_span, got.to_span, got.note) == (pair.place, pair.person, "x")
    assert _history(pair.ours) == [
        ("relation", "same_as", "", 0, pair.person, pair.place, "replaced by merge")
    ]


def test_both_edited_the_newer_wins_and_the_conflict_is_reported(pair):
    made = pair.theirs.add_relation("same_as", pair.person, pair.place, "bob")
    _merge(pair)
    pair.ours.update_relation(made.uuid, note="ours")
    time.sleep(0.01)
    pair.theirs.update_relation(made.uuid, note="theirs, later")
    report = _merge(pair)
    assert pair.ours.relation(made.uuid).note == "theirs, later"
    assert [(c.kind, c.winner) for c in report.conflicts] == [("relation", "theirs")]
    assert report.relation_conflicts == 1 and report.relations_updated == 1
    assert _history(pair.ours)[-1][2] == "ours"
    # Now ours is the newer edit: theirs loses and is kept in the history.
    pair.theirs.update_relation(made.uuid, note="theirs again")
    time.sleep(0.01)
    pair.ours.update_relation(made.uuid, note="ours, later")
    report = _merge(pair)
    assert pair.ours.relation(made.uuid).note == "ours, later"
    assert [(c.kind, c.winner) for c in report.conflicts] == [("relation", "ours")]
    assert _history(pair.ours)[-1][2:] == (
        "theirs again",
        0,
        pair.person,
        pair.place,
        "lost a merge conflict",
    )


def test_their_deletion_is_carried(pair):
    made = pair.theirs.add_relation("same_as", pair.person, pair.place, "bob")
    _merge(pair)
    time.sleep(0.01)
    pair.theirs.update_relation(made.uuid, deleted=True)
    report = _merge(pair)
    assert report.relations_updated == 1 and pair.ours.relation(made.uuid).deleted
    assert pair.ours.relations(pair.a) == []


def test_a_relation_on_a_span_we_deleted_is_refused_and_reported(pair):
    made = pair.theirs.add_relation("said_by", pair.quote, pair.person, "bob")
    pair.ours.update_span(pair.person, deleted=True)
    report = _merge(pair)
    assert report.relations_added == 0 and report.relations_refused == 1
    assert [p.reason for p in report.problems] == [
        f"relation {made.uuid} (said_by by bob) its to span {pair.person} is deleted here; "
        "not merged"
    ]
    assert pair.ours.relations(pair.a, include_deleted=True) == []


def test_a_relation_whose_span_is_another_span_here_is_never_attached_to_it(pair):
    # Bob's copy of the Person span has other offsets (a hand-edited file): the span is
    # refused, and so is the relation on it, rather than linking ana's span at 6..9.
    pair.theirs.db.execute("DROP TRIGGER spans_offsets_fixed")
    pair.theirs.db.execute(
        'UPDATE spans SET start = 0, "end" = 5, quote = ? WHERE uuid = ?',
        (TEXT[0:5], pair.person),
    )
    made = pair.theirs.add_relation("said_by", pair.quote, pair.person, "bob")
    report = _merge(pair)
    assert report.relations_refused == 1
    reasons = [p.reason for p in report.problems]
    assert any("other offsets here; ours was kept" in r for r in reasons)
    assert f"relation {made.uuid} (said_by by bob) its to span {pair.person} is another span " \
        "here (other article or offsets); not merged" in reasons  # fmt: skip
    with pytest.raises(Exception, match="no relation"):
        pair.ours.relation(made.uuid)


def test_a_relation_on_their_new_span_comes_in_with_the_span(pair):
    span = pair.theirs.add_span(pair.a, 0, 5, "Person", "bob")
    made = pair.theirs.add_relation("same_as", span.uuid, pair.person, "bob")
    report = _merge(pair)
    assert (report.spans_added, report.relations_added) == (1, 1)
    assert pair.ours.relation(made.uuid).from_span == span.uuid


def test_relation_types_we_lack_are_added_with_their_rules_and_ours_are_kept(pair):
    pair.theirs.set_relation_types(
        [
            RelationType("said_by", "#123456", "", True, ("Quote",), ("Person",)),
            RelationType("same_as", "#0000ff", "", False),
            RelationType("based_in", "#00aa00", "Shift+B", True, ("Person",), ("Location",)),
        ]
    )
    made = pair.theirs.add_relation("based_in", pair.person, pair.place, "bob")
    report = _merge(pair)
    assert report.relation_types_added == ["based_in"] and report.relations_added == 1
    added = pair.ours.relation_type("based_in")
    # Shift+B is our said_by's key: theirs is dropped so the keyboard stays unambiguous.
    assert (added.color, added.key, added.directed, added.to_labels) == (
        "#00aa00",
        "",
        True,
        ("Location",),
    )
    assert pair.ours.relation_type("said_by").color == "#ff0000"
    assert pair.ours.relation(made.uuid).type == "based_in"
    assert "relation types added: based_in" in report.summary()


def test_a_relation_our_type_forbids_is_refused(pair):
    # Bob's said_by allows any ends; ours only Quote -> Person.
    pair.theirs.set_relation_types(
        [RelationType("said_by", "#ff0000"), RelationType("same_as", "#0000ff", "", False)]
    )
    made = pair.theirs.add_relation("said_by", pair.place, pair.person, "bob")
    report = _merge(pair)
    assert report.relations_refused == 1
    assert report.problems[0].reason == (
        f"relation {made.uuid} (said_by by bob) said_by does not link Location to Person "
        "here; not merged"
    )


def test_cli_merge_reports_relations_in_text_and_json(pair, capsys):
    pair.theirs.add_relation("said_by", pair.quote, pair.person, "bob")
    pair.theirs.close()
    pair.ours.close()
    db = str(pair.path.with_name("ana.sqlite"))
    assert cli.main(["--db", db, "merge", str(pair.path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["relations_added"], out["relations_updated"], out["relations_refused"]) == (
        1,
        0,
        0,
    )
    assert cli.main(["--db", db, "merge", str(pair.path)]) == 0
    assert "0 annotations" not in capsys.readouterr().out
    pair.ours = Store.open(pair.path.with_name("ana.sqlite"))
    pair.theirs = Store.open(pair.path)


def test_cli_merge_text_counts_relations_and_refusals(pair, capsys):
    pair.theirs.add_relation("said_by", pair.quote, pair.person, "bob")
    pair.ours.update_span(pair.person, deleted=True)
    pair.theirs.close()
    pair.ours.close()
    db = str(pair.path.with_name("ana.sqlite"))
    assert cli.main(["--db", db, "merge", str(pair.path)]) == 1
    captured = capsys.readouterr()
    assert "relations: 0 added, 0 updated, 0 conflicts, 1 refused" in captured.out
    assert "is deleted here; not merged" in captured.err
    pair.ours = Store.open(pair.path.with_name("ana.sqlite"))
    pair.theirs = Store.open(pair.path)


def test_jsonl_relations_become_records_by_span_uuid_before_any_span_is_left_out(tmp_path):
    spans = (
        SpanDraft(0, 5, "Person", uuid="s1"),
        SpanDraft(6, 9, "Person", uuid="s2"),
        SpanDraft(1, 2, "Person"),  # no uuid: a relation on it cannot be merged
    )
    relations = [
        SimpleNamespace(
            type="knows", from_index=1, to_index=0, annotator="bob", note="n", uuid="r1",
            created_at="2024-01-01T00:00:00Z", updated_at=None, directed=False,
        ),
        SimpleNamespace(
            type="knows", from_index=2, to_index=0, annotator=None, note="", uuid=None,
            created_at=None, updated_at=None, directed=True,
        ),
    ]  # fmt: skip
    draft = SimpleNamespace(uid="a", origin="f.jsonl:1", spans=spans, relations=relations)
    problems = []
    reader = _JsonlRelations(tmp_path / "f.jsonl", problems)
    assert list(reader.reading(iter([[draft]]))) == [[draft]]
    got = reader.of(draft)
    assert [(r.uuid, r.from_span, r.to_span, r.annotator, r.note) for r in got] == [
        ("r1", "s2", "s1", "bob", "n")
    ]
    assert reader.types == [RelationType("knows", directed=False)]
    assert len(problems) == 1 and "span without a uuid" in problems[0].reason


@pytest.mark.skipif(
    not hasattr(ArticleDraft(""), "relations"), reason="JSONL relations come with relfmt"
)
def test_relations_merge_from_a_native_jsonl_export(pair, tmp_path):
    from desktop_app.core.exporters.jsonl import export_jsonl

    made = pair.theirs.add_relation("said_by", pair.quote, pair.person, "bob")
    export_jsonl(pair.theirs, tmp_path / "bob.jsonl")
    report = merge_path(pair.ours, tmp_path / "bob.jsonl")
    assert (report.relations_added, report.relations_refused, report.problems) == (1, 0, [])
    assert pair.ours.relation(made.uuid).from_span == pair.quote
    # Into a project without the article: the article, its spans and the relation come in.
    fresh = Store.open(tmp_path / "fresh.sqlite")
    fresh.apply_schema(SCHEMA)
    report = merge_path(fresh, tmp_path / "bob.jsonl")
    assert report.relations_added == 1 and fresh.relation(made.uuid).to_span == pair.person
    fresh.close()
    # Their later edit, exported again, updates ours.
    time.sleep(0.01)
    pair.theirs.update_relation(made.uuid, note="later")
    export_jsonl(pair.theirs, tmp_path / "bob2.jsonl")
    report = merge_path(pair.ours, tmp_path / "bob2.jsonl")
    assert report.relations_updated == 1 and pair.ours.relation(made.uuid).note == "later"


def test_migration_lets_history_and_adjudications_hold_relations(pair):
    conn = pair.ours.db.conn
    for table in ("annotation_history", "adjudications"):
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        assert "'relation'" in sql[0]
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO annotation_history (uuid, kind, article, annotator, label, note, "
            "deleted, updated_at, replaced_at, reason) VALUES ('u', 'other', ?, 'a', 'l', '', "
            "0, '', '', '')",
            (pair.a,),
        )
