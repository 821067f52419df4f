"""Merging a colleague's project or export: matching, idempotence, conflicts, failures."""

import json
import sqlite3

import pytest

from desktop_app.core.exporters.jsonl import export_jsonl
from desktop_app.core.merging import merge_path
from desktop_app.core.model import ArticleDraft, Label, LabelSchema
from desktop_app.core.store import Store, StoreError

SCHEMA = LabelSchema(
    "team",
    (
        Label("Person", "span", "#ffadad", "p"),
        Label("Place", "span", "#a0c4ff", "l"),
        Label("Energy", "document", "#caffbf", "Ctrl+1"),
    ),
)
TEXTS = {
    "a1": "Nino met Amélie in Tbilisi 🇬🇪 on Monday.",
    "a2": "李明 flew from Cairo to Lagos.",
    "a3": "Only in the first project.",
}


def _project(path, uids):
    store = Store.open(path)
    store.apply_schema(SCHEMA)
    store.add_articles([ArticleDraft(TEXTS[uid], uid) for uid in uids])
    return store


@pytest.fixture
def ours(tmp_path):
    store = _project(tmp_path / "alice.sqlite", ["a1", "a2", "a3"])
    yield store
    store.close()


@pytest.fixture
def theirs_path(tmp_path):
    return tmp_path / "bob.sqlite"


def _annotations(store):
    """Every span and tag row, as plain tuples, for before/after comparisons."""
    conn = store.db.conn
    spans = conn.execute(
        'SELECT uuid, article, annotator, label, start, "end", quote, note, deleted, updated_at '
        "FROM spans ORDER BY uuid"
    ).fetchall()
    tags = conn.execute(
        "SELECT uuid, article, annotator, label, note, deleted, updated_at "
        "FROM document_tags ORDER BY uuid"
    ).fetchall()
    statuses = conn.execute("SELECT * FROM article_status ORDER BY 1, 2").fetchall()
    return spans, tags, statuses


def _bob_annotates(path):
    bob = _project(path, ["a1", "a2"])
    a1 = bob.article_id("a1")
    nino = bob.add_span(a1, 0, 4, "Person", "bob")
    tbilisi = bob.add_span(a1, 19, 26, "Place", "bob")
    bob.set_tag(a1, "Energy", "bob", True)
    bob.set_status(a1, "bob", "done")
    bob.close()
    return nino.uuid, tbilisi.uuid


def test_merge_brings_colleagues_annotations_and_twice_changes_nothing(ours, theirs_path):
    ours.add_span(ours.article_id("a1"), 9, 15, "Person", "alice")
    _bob_annotates(theirs_path)
    report = merge_path(ours, theirs_path)
    assert (report.articles_added, report.articles_matched) == (0, 2)
    assert (report.spans_added, report.tags_added, report.statuses_changed) == (2, 1, 1)
    assert not report.conflicts and not report.problems
    spans = ours.spans(ours.article_id("a1"))
    assert sorted((s.annotator, s.quote) for s in spans) == [
        ("alice", "Amélie"),
        ("bob", "Nino"),
        ("bob", "Tbilisi"),
    ]
    assert ours.status(ours.article_id("a1"), "bob") == "done"
    assert report.backup and sqlite3.connect(report.backup).execute(
        "SELECT count(*) FROM spans"
    ).fetchone() == (1,)  # the backup is the project before the merge
    before = _annotations(ours)
    again = merge_path(ours, theirs_path)
    assert not again.changed
    assert again.unchanged == 3
    assert _annotations(ours) == before


def test_article_only_they_have_is_added_with_its_annotations(ours, tmp_path):
    carol = Store.open(tmp_path / "carol.sqlite")
    carol.apply_schema(SCHEMA)
    carol.add_articles([ArticleDraft("A new story about Oslo.", "n1")])
    carol.add_span(carol.article_id("n1"), 18, 22, "Place", "carol")
    carol.close()
    report = merge_path(ours, tmp_path / "carol.sqlite")
    assert report.articles_added == 1 and report.spans_added == 1
    [span] = ours.spans(ours.article_id("n1"))
    assert (span.quote, span.annotator) == ("Oslo", "carol")
    assert not merge_path(ours, tmp_path / "carol.sqlite").changed


def test_edit_on_their_side_only_is_taken_without_conflict(ours, theirs_path):
    nino, _ = _bob_annotates(theirs_path)
    merge_path(ours, theirs_path)
    bob = Store.open(theirs_path)
    bob.update_span(nino, label="Place", note="a town?")
    bob.close()
    report = merge_path(ours, theirs_path)
    assert report.spans_updated == 1 and not report.conflicts
    assert ours.span(nino).label == "Place" and ours.span(nino).note == "a town?"
    history = ours.db.conn.execute(
        "SELECT label, reason FROM annotation_history WHERE uuid = ?", (nino,)
    ).fetchall()
    assert history == [("Person", "replaced by merge")]


def test_edit_on_our_side_only_stands(ours, theirs_path):
    nino, _ = _bob_annotates(theirs_path)
    merge_path(ours, theirs_path)
    ours.update_span(nino, note="checked by alice")
    report = merge_path(ours, theirs_path)
    assert not report.changed and ours.span(nino).note == "checked by alice"


def test_both_sides_edited_is_a_conflict_newer_wins_other_kept(ours, theirs_path):
    nino, tbilisi = _bob_annotates(theirs_path)
    merge_path(ours, theirs_path)
    ours.update_span(nino, label="Place")  # alice first...
    ours.update_span(tbilisi, note="alice's note")
    bob = Store.open(theirs_path)
    bob.update_span(nino, note="bob is sure")  # ...bob later: bob's version is newer
    bob.close()
    ours.update_span(tbilisi, note="alice's later note")  # only alice edits this one
    report = merge_path(ours, theirs_path)
    winners = {c.uuid: c.winner for c in report.conflicts}
    assert winners == {nino: "theirs"}
    conflict = report.conflicts[0]
    assert "Place" in conflict.ours and "bob is sure" in conflict.theirs
    assert (ours.span(nino).label, ours.span(nino).note) == ("Person", "bob is sure")
    kept = ours.db.conn.execute(
        "SELECT label FROM annotation_history WHERE uuid = ? ORDER BY id DESC LIMIT 1", (nino,)
    ).fetchone()
    assert kept == ("Place",)
    assert ours.span(tbilisi).note == "alice's later note"  # only alice edited it
    # The conflict is settled: merging again changes nothing and reports nothing.
    assert not merge_path(ours, theirs_path).changed


def test_conflict_where_ours_is_newer_keeps_ours_and_files_theirs(ours, theirs_path):
    nino, _ = _bob_annotates(theirs_path)
    merge_path(ours, theirs_path)
    bob = Store.open(theirs_path)
    bob.update_span(nino, label="Place")
    bob.close()
    ours.update_span(nino, note="alice, later")
    report = merge_path(ours, theirs_path)
    assert [(c.uuid, c.winner) for c in report.conflicts] == [(nino, "ours")]
    assert (ours.span(nino).label, ours.span(nino).note) == ("Person", "alice, later")
    reason = ours.db.conn.execute(
        "SELECT label, reason FROM annotation_history WHERE uuid = ?", (nino,)
    ).fetchall()
    assert reason == [("Place", "lost a merge conflict")]


def test_deletion_travels_with_a_project_file(ours, theirs_path):
    nino, _ = _bob_annotates(theirs_path)
    merge_path(ours, theirs_path)
    bob = Store.open(theirs_path)
    bob.update_span(nino, deleted=True)
    bob.close()
    report = merge_path(ours, theirs_path)
    assert report.spans_updated == 1
    assert ours.span(nino).deleted
    assert all(s.uuid != nino for s in ours.spans(ours.article_id("a1")))


def test_same_uid_other_text_is_reported_never_attached(ours, tmp_path):
    other = Store.open(tmp_path / "other.sqlite")
    other.apply_schema(SCHEMA)
    other.add_articles([ArticleDraft("A different text under the same uid.", "a1")])
    other.add_span(other.article_id("a1"), 2, 11, "Place", "dan")
    other.close()
    before = _annotations(ours)
    report = merge_path(ours, tmp_path / "other.sqlite")
    assert [p.origin for p in report.problems] == ["a1"]
    assert "text differs" in report.problems[0].reason
    assert _annotations(ours) == before


def test_same_text_under_another_uid_is_matched_by_text(ours, tmp_path):
    other = Store.open(tmp_path / "other.sqlite")
    other.apply_schema(SCHEMA)
    other.add_articles([ArticleDraft(TEXTS["a2"], "feed/0002")])
    other.add_span(other.article_id("feed/0002"), 0, 2, "Person", "dan")
    other.close()
    report = merge_path(ours, tmp_path / "other.sqlite")
    assert report.articles_matched_by_text == 1 and report.articles_added == 0
    assert [s.quote for s in ours.spans(ours.article_id("a2"))] == ["李明"]


def test_jsonl_export_merges_like_the_project_and_is_idempotent(ours, theirs_path, tmp_path):
    _bob_annotates(theirs_path)
    bob = Store.open(theirs_path)
    export_jsonl(bob, tmp_path / "bob.jsonl")
    bob.close()
    report = merge_path(ours, tmp_path / "bob.jsonl")
    assert (report.spans_added, report.tags_added) == (2, 1)
    assert not merge_path(ours, tmp_path / "bob.jsonl").changed
    assert not merge_path(ours, theirs_path).changed  # the same annotations, by uuid


def test_failed_merge_leaves_the_project_as_it_was(ours, theirs_path, monkeypatch):
    _bob_annotates(theirs_path)
    before = _annotations(ours)
    calls = {"n": 0}
    real = Store._merge_article

    def fail_on_second(self, draft, report):
        calls["n"] += 1
        if calls["n"] == 2:
            raise StoreError("disk vanished halfway")
        return real(self, draft, report)

    monkeypatch.setattr(Store, "_merge_article", fail_on_second)
    with pytest.raises(StoreError, match="halfway"):
        merge_path(ours, theirs_path)
    assert calls["n"] == 2  # the first article had been merged before the failure
    assert _annotations(ours) == before
    assert ours.db.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_merge_refuses_itself_missing_files_and_non_projects(ours, tmp_path):
    with pytest.raises(StoreError, match="open project"):
        merge_path(ours, ours.path)
    with pytest.raises(StoreError, match="no such file"):
        merge_path(ours, tmp_path / "nope.sqlite")
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    before = _annotations(ours)
    with pytest.raises(StoreError, match=r"broken\.sqlite"):
        merge_path(ours, broken)
    garbage = tmp_path / "notes.jsonl"
    garbage.write_text('{"uid": "x1", "text": "fine"}\nnot json\n', encoding="utf-8")
    report = merge_path(ours, garbage)
    assert report.articles_added == 1
    assert [p.origin.rsplit(":", 1)[1] for p in report.problems] == ["2"]
    assert _annotations(ours) == before  # x1 has no annotations


def test_project_open_elsewhere_merges_what_it_has_committed(ours, theirs_path):
    nino, _ = _bob_annotates(theirs_path)
    held = Store.open(theirs_path)  # bob still has it open, and goes on working
    try:
        held.update_span(nino, note="committed before the merge")
        report = merge_path(ours, theirs_path)  # read-only, a consistent snapshot
        assert report.spans_added == 2 and not report.problems
        assert ours.span(nino).note == "committed before the merge"
        held.update_span(nino, note="after")  # the writer was never blocked
    finally:
        held.close()


def test_command_line_merge_reports_conflicts_and_is_idempotent(tmp_path, capsys):
    from desktop_app.cli import main

    alice = _project(tmp_path / "alice.sqlite", ["a1", "a2"])
    alice.close()
    nino, _ = _bob_annotates(tmp_path / "bob.sqlite")
    db = str(tmp_path / "alice.sqlite")
    assert main(["merge", "--db", db, str(tmp_path / "bob.sqlite")]) == 0
    out = capsys.readouterr().out
    assert "2 spans and 1 tags added" in out and "before the merge is in" in out
    for who, note in (("alice", "alice says"), ("bob", "bob says, later")):
        store = Store.open(tmp_path / f"{who}.sqlite")
        store.update_span(nino, note=note)
        store.close()
    assert main(["merge", "--db", db, str(tmp_path / "bob.sqlite"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(c["uuid"], c["winner"]) for c in report["conflicts"]] == [(nino, "theirs")]
    assert main(["merge", "--db", db, str(tmp_path / "bob.sqlite")]) == 0
    out = capsys.readouterr().out
    assert "0 spans and 0 tags added, 0 spans and 0 tags updated" in out
    assert "conflict" not in out
    assert main(["merge", "--db", db, str(tmp_path / "missing.sqlite")]) == 1
    assert "missing.sqlite: no such file" in capsys.readouterr().err


def test_killed_merge_is_all_or_nothing_and_a_rerun_completes(tmp_path):
    """SIGKILL in the middle of `marginalia merge`: the project has none of it or all of it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from desktop_app.core.model import SpanDraft

    texts = [f"Report {i}: Nino met Amélie in Tbilisi 🇬🇪 on day {i}." for i in range(3000)]
    bob = Store.open(tmp_path / "bob.sqlite")
    bob.apply_schema(SCHEMA)
    spans = ((0, 6, "Place"), (11, 15, "Person"), (20, 26, "Person"), (30, 37, "Place"))
    bob.add_articles(
        [
            ArticleDraft(
                text,
                f"k{i}",
                spans=tuple(
                    SpanDraft(s + len(str(i)), e + len(str(i)), label, annotator="bob")
                    for s, e, label in spans[1:]
                ),
            )
            for i, text in enumerate(texts)
        ]
    )
    total = bob.stats()["spans"]
    bob.close()
    ours = Store.open(tmp_path / "alice.sqlite")
    ours.apply_schema(SCHEMA)
    ours.add_articles([ArticleDraft(text, f"k{i}") for i, text in enumerate(texts[:1500])])
    ours.close()
    command = [sys.executable, "-m", "desktop_app.cli", "merge", "--db",
               str(tmp_path / "alice.sqlite"), str(tmp_path / "bob.sqlite")]  # fmt: skip
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    if child.poll() is None:
        os.kill(child.pid, signal.SIGKILL)
    child.wait()
    ours = Store.open(tmp_path / "alice.sqlite")
    try:
        assert ours.db.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        merged = ours.stats()["spans"]
        assert merged in (0, total), f"a killed merge left {merged} of {total} spans"
        report = merge_path(ours, tmp_path / "bob.sqlite")
        assert ours.stats()["spans"] == total
        assert report.spans_added + report.unchanged == total
    finally:
        ours.close()


# ---------------------------------------------------------------- regressions from review


def test_older_copy_from_another_colleague_does_not_revert_a_newer_edit(ours, tmp_path):
    bob_path, carol_path = tmp_path / "bob.sqlite", tmp_path / "carol.sqlite"
    nino, _ = _bob_annotates(bob_path)
    carol = _project(carol_path, ["a1", "a2"])
    merge_path(carol, bob_path)  # carol has bob's span as it was then
    carol.close()
    merge_path(ours, bob_path)
    bob = Store.open(bob_path)
    bob.update_span(nino, label="Place", note="a town")
    bob.close()
    merge_path(ours, bob_path)
    report = merge_path(ours, carol_path)  # carol's copy is older than what we have
    assert not report.conflicts and report.spans_updated == 0
    assert (ours.span(nino).label, ours.span(nino).note) == ("Place", "a town")


def test_same_edit_on_both_sides_then_one_more_edit_is_not_a_conflict(ours, theirs_path):
    nino, _ = _bob_annotates(theirs_path)
    merge_path(ours, theirs_path)
    ours.update_span(nino, note="agreed note")
    bob = Store.open(theirs_path)
    bob.update_span(nino, note="agreed note")
    bob.close()
    assert not merge_path(ours, theirs_path).conflicts
    bob = Store.open(theirs_path)
    bob.update_span(nino, note="bob goes further")
    bob.close()
    report = merge_path(ours, theirs_path)
    assert not report.conflicts and report.spans_updated == 1
    assert ours.span(nino).note == "bob goes further"


def test_live_tag_moving_between_uuids_merges_and_stays_idempotent(ours, theirs_path):
    _bob_annotates(theirs_path)
    merge_path(ours, theirs_path)
    bob = Store.open(theirs_path)
    a1 = bob.article_id("a1")
    first = bob.tags(a1, "bob")[0].uuid
    bob.set_tag(a1, "Energy", "bob", False)
    # A second tag row for the same label (as an undo-and-retag elsewhere would leave).
    bob.db.execute(
        "INSERT INTO document_tags (uuid, article, annotator, label, note, created_at, "
        "updated_at, deleted) VALUES ('second', ?, 'bob', 'Energy', '', '2099-01-01', "
        "'2099-01-01', 0)",
        (a1,),
    )
    bob.close()
    merge_path(ours, theirs_path)
    live = ours.tags(ours.article_id("a1"), "bob")
    assert [t.uuid for t in live] == ["second"] and first != "second"
    assert not merge_path(ours, theirs_path).changed


def test_same_live_tag_under_another_uuid_keeps_their_note_in_history(ours, theirs_path):
    ours.set_tag(ours.article_id("a1"), "Energy", "bob", True)  # the same fact, our uuid
    _bob_annotates(theirs_path)
    bob = Store.open(theirs_path)
    bob.db.execute("UPDATE document_tags SET note = 'source is the ministry'")
    bob.close()
    report = merge_path(ours, theirs_path)
    assert report.tags_added == 0
    assert any("source is the ministry" in p.reason for p in report.problems)
    notes = ours.db.conn.execute("SELECT note FROM annotation_history").fetchall()
    assert notes == [("source is the ministry",)]


def test_colleague_labels_never_clash_with_ours(ours, tmp_path):
    other = Store.open(tmp_path / "other.sqlite")
    other.apply_schema(
        LabelSchema(
            "theirs",
            (Label("Weapon", "span", "#ffadad", "p"), Label("person", "span", "#000000", "x")),
        )
    )
    other.close()
    merge_path(ours, tmp_path / "other.sqlite")
    labels = {label.name: label for label in ours.labels()}
    assert "person" not in labels  # "Person" is ours already
    weapon = labels["Weapon"]
    assert weapon.key == "" and weapon.color != "#ffadad"


def test_jsonl_without_uuids_merged_again_adds_no_copies(ours, tmp_path):
    record = {
        "uid": "a1",
        "text": TEXTS["a1"],
        "spans": [{"start": 0, "end": 4, "label": "Person", "annotator": "bob"}],
        "tags": [{"label": "Energy", "annotator": "bob"}],
    }
    path = tmp_path / "hand.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    for _ in range(3):
        merge_path(ours, path)
    assert len(ours.spans(ours.article_id("a1"), "bob")) == 1
    assert len(ours.tags(ours.article_id("a1"), "bob")) == 1


def test_a_file_merged_before_schema_7_is_still_recognised(ours, tmp_path):
    import uuid as uuidlib

    from desktop_app.core.store.base import IDENTITY_NAMESPACE
    from desktop_app.core.text import text_sha256

    record = {
        "text": TEXTS["a1"],  # no uid: the old identity used the whole text hash
        "spans": [{"start": 0, "end": 4, "label": "Person"}],  # no annotator
    }
    path = tmp_path / "hand.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    old = str(uuidlib.uuid5(IDENTITY_NAMESPACE, f"span|{text_sha256(TEXTS['a1'])}|None|Person|0|4"))
    a1 = ours.article_id("a1")
    ours.add_span(a1, 0, 4, "Person", "imported", span_uuid=old)  # what an old merge made
    report = merge_path(ours, path)
    assert report.spans_added == 0 and report.unchanged == 1
    assert [s.uuid for s in ours.spans(a1)] == [old]


def test_merge_keeps_their_twin_spans_and_reports_label_kinds(ours, tmp_path):
    record = {
        "uid": "new",
        "text": "Nino and Nino.",
        "spans": [
            {"uuid": "d-1", "start": 0, "end": 4, "label": "Person", "note": "n1"},
            {"uuid": "d-2", "start": 0, "end": 4, "label": "Person", "note": "n2"},
            {"uuid": "d-3", "start": 9, "end": 13, "label": "Energy"},  # a tag here
        ],
    }
    path = tmp_path / "twins.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    report = merge_path(ours, path)
    assert report.spans_added == 2
    notes = sorted(s.note for s in ours.spans(ours.article_id("new")))
    assert notes == ["n1", "n2"]
    [problem] = report.problems
    assert "1 spans labelled 'Energy' were not added" in problem.reason


def test_their_relabel_to_a_document_tag_name_is_refused(ours, theirs_path):
    nino, _ = _bob_annotates(theirs_path)
    merge_path(ours, theirs_path)
    bob = Store.open(theirs_path)
    bob.db.execute(
        "UPDATE spans SET label = 'Energy', updated_at = '2999-01-01T00:00:00' WHERE uuid = ?",
        (nino,),
    )  # as a file edited by another tool would have it
    bob.close()
    report = merge_path(ours, theirs_path)
    assert ours.span(nino).label == "Person"
    assert any(
        "has the label 'Energy', which is a document label here" in p.reason
        for p in report.problems
    )
