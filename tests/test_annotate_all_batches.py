"""Annotate-all batches kept in the project: recorded with their spans, undone after a restart,
partly edited batches, and `marginalia annotate-all --history / --undo`."""

import json
import sqlite3

import pytest

from desktop_app.cli import main
from desktop_app.core.editing import Editor
from desktop_app.core.model import ArticleDraft, Label, LabelSchema
from desktop_app.core.store import Store, StoreError
from desktop_app.core.suggest.annotate_all import (
    Scope,
    apply_batch,
    describe_scope,
    find_all,
    make_matcher,
)

SCHEMA = LabelSchema("t", (Label("Person", "span", "#ffadad"), Label("Org", "span", "#caffbf")))
TEXTS = [
    "Nino Beridze spoke. Later Nino Beridze left.",
    "Nothing here about her.",
    "Nino Beridze again.",
]
OPTIONS = {"case": False, "whole_word": True, "regex": False}


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "p.sqlite"
    store = Store.open(path)
    store.apply_schema(SCHEMA)
    store.add_articles([ArticleDraft(t, f"a{i}", title=f"T{i}") for i, t in enumerate(TEXTS)])
    store.close()
    return path


def annotate(store, annotator="ana", text="Nino Beridze"):
    editor = Editor(store, annotator)
    found = find_all(store, make_matcher(text, "Person"), Scope(), annotator)
    batch, made = apply_batch(editor, found, text, OPTIONS, describe_scope(Scope()))
    return editor, batch, made


def live(store, annotator="ana"):
    return sorted(
        (s.article_id, s.start, s.label)
        for a in range(1, len(TEXTS) + 1)
        for s in store.spans(a, annotator)
    )


def test_batch_is_recorded_with_its_spans_and_undone_after_reopening(project):
    store = Store.open(project)
    _, batch, made = annotate(store)
    assert len(made) == 3
    store.close()  # a restart: the session's undo history is gone

    store = Store.open(project)
    (recorded,) = store.batches()
    assert recorded.uuid == batch and recorded.count == 3 and recorded.live == 3
    assert (recorded.annotator, recorded.label, recorded.search) == (
        "ana",
        "Person",
        "Nino Beridze",
    )
    assert recorded.options == OPTIONS and recorded.scope == {"all": True}
    assert recorded.undone_at is None
    editor = Editor(store, "ana")
    state = editor.undo_batch(batch[:8])  # a prefix naming one batch is enough
    assert len(state.removable) == 3 and not state.changed and state.gone == 0
    assert live(store) == []
    (after,) = store.batches()
    assert after.live == 0 and after.undone_at is not None
    editor.undo()  # Ctrl+Z of the undo brings the batch back
    assert len(live(store)) == 3 and store.batches()[0].undone_at is None
    editor.redo()
    store.close()

    store = Store.open(project)
    assert live(store) == [] and store.batches()[0].live == 0
    store.close()


def test_batch_and_spans_are_all_or_nothing(project):
    store = Store.open(project)
    editor = Editor(store, "ana")
    wanted = [(1, 0, 12, "Person"), (1, 0, 999, "Person")]  # the second is outside the text
    with pytest.raises(StoreError, match="outside the text"):
        editor.annotate_all(wanted, "x", OPTIONS, {})
    assert live(store) == [] and store.batches() == []
    assert not editor.can_undo()
    # A failure inside the transaction (here the link rows' insert) leaves nothing either.
    store.db.conn.execute(
        "CREATE TEMP TRIGGER fail_links BEFORE INSERT ON annotate_all_batch_spans "
        "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
    )
    with pytest.raises(StoreError, match="disk trouble"):
        editor.annotate_all([(1, 0, 12, "Person"), (3, 0, 12, "Person")], "x", OPTIONS, {})
    assert live(store) == [] and store.batches() == [] and store.status(1, "ana") == "todo"
    store.db.conn.execute("DROP TRIGGER fail_links")
    # The link rows are in the file beside the batch row, committed together.
    _, batch, made = annotate(store)
    store.close()
    conn = sqlite3.connect(project)
    linked = {
        row[0]
        for row in conn.execute(
            "SELECT span FROM annotate_all_batch_spans WHERE batch = ?", (batch,)
        )
    }
    conn.close()
    assert linked == {s.uuid for s in made}


def test_partly_edited_batch_keeps_what_was_changed(project):
    store = Store.open(project)
    editor, batch, made = annotate(store)
    first, second, third = sorted(made, key=lambda s: (s.article_id, s.start))
    editor.relabel_span(first.uuid, "Org")  # changed since: kept
    moved = editor.adjust_span(second.uuid, second.start, second.end - 3)  # moved: kept
    other = Editor(store, "bob")
    other.add_span(3, 0, 4, "Person")  # someone else's span is never touched
    store.close()

    store = Store.open(project)
    assert store.batches()[0].live == 2  # the relabelled one and the untouched one
    state = Editor(store, "ana").undo_batch(batch)
    assert state.removable == [third.uuid]
    assert [s.uuid for s in state.changed] == [first.uuid]
    assert [s.uuid for s in state.moved] == [second.uuid]
    assert "kept 1 changed" in state.summary() and "kept 1 moved" in state.summary()
    assert live(store) == [(1, 0, "Org"), (1, 26, "Person")]
    assert store.span(moved.uuid).deleted is False
    assert live(store, "bob") == [(3, 0, "Person")]
    # Undoing again removes nothing more; the batch was already marked undone.
    again = Editor(store, "ana").undo_batch(batch)
    assert again.removable == [] and again.gone == 1 and len(again.moved) == 1
    store.close()


def test_session_undo_of_the_apply_marks_the_batch_undone(project):
    store = Store.open(project)
    editor, _, _ = annotate(store)
    editor.undo()
    (recorded,) = store.batches()
    assert recorded.live == 0 and recorded.undone_at is not None
    editor.redo()
    assert store.batches()[0].live == 3 and store.batches()[0].undone_at is None
    store.close()


def test_unknown_or_ambiguous_batch_is_named(project):
    store = Store.open(project)
    store.add_batch([(1, 0, 12, "Person")], "ana", "Nino", OPTIONS, {}, batch_uuid="abc1-x")
    store.add_batch([(3, 0, 12, "Person")], "bob", "Nino", OPTIONS, {}, batch_uuid="abc2-y")
    with pytest.raises(StoreError, match="no annotate-all batch 'zzz'"):
        store.batch("zzz")
    with pytest.raises(StoreError, match="no annotate-all batch ''"):
        store.batch("")
    with pytest.raises(StoreError, match="'abc' names more than one batch"):
        store.batch("abc")
    assert store.batch("abc2").annotator == "bob"
    assert [b.annotator for b in store.batches()] == ["bob", "ana"]  # newest first
    with pytest.raises(StoreError, match="at least one span"):
        store.add_batch([], "ana", "Nino", OPTIONS, {})
    store.close()


# ---------------------------------------------------------------- the command line


def test_cli_apply_then_history_then_undo_then_history(project, capsys):
    db = ["--db", str(project)]
    assert (
        main(["annotate-all", "Nino Beridze", "--label", "Person", "--annotator", "ana", *db]) == 0
    )
    out = capsys.readouterr().out
    assert "batch " in out and "--undo" in out
    assert main(["annotate-all", "--history", "--json", *db]) == 0
    (batch,) = json.loads(capsys.readouterr().out)
    assert (batch["count"], batch["live"], batch["label"]) == (3, 3, "Person")
    assert batch["search"] == "Nino Beridze" and batch["undone_at"] is None

    assert main(["annotate-all", "--history", *db]) == 0
    line = capsys.readouterr().out
    assert batch["uuid"] in line and "3/3 live" in line and "“Nino Beridze”" in line

    assert main(["annotate-all", "--undo", batch["uuid"][:8], *db]) == 0
    assert "removed 3 of the batch's 3 spans" in capsys.readouterr().out
    assert main(["annotate-all", "--history", "--json", *db]) == 0
    (after,) = json.loads(capsys.readouterr().out)
    assert after["live"] == 0 and after["undone_at"]
    assert main(["annotate-all", "--undo", batch["uuid"], "--json", *db]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["removed"] == [] and report["gone"] == 3


def test_cli_history_of_a_project_without_batches(project, capsys):
    assert main(["annotate-all", "--history", "--db", str(project)]) == 0
    assert "no annotate-all batches" in capsys.readouterr().out


def test_cli_undo_of_an_unknown_batch_names_it(project, capsys):
    assert main(["annotate-all", "--undo", "nope", "--db", str(project)]) == 1
    assert "no annotate-all batch 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["annotate-all"], "needs TEXT and --label"),
        (["annotate-all", "x"], "needs TEXT and --label"),
        (["annotate-all", "--history", "--undo", "x"], "not both"),
        (["annotate-all", "x", "--history"], "takes no TEXT"),
        (["annotate-all", "--undo", "x", "--label", "Person"], "takes no TEXT"),
    ],
)
def test_cli_usage_errors(project, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--db", str(project)])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


# ---------------------------------------------------------------- progress and stopping


def test_progress_counts_every_article_passed_and_cancel_keeps_what_was_found(project):
    store = Store.open(project)
    Editor(store, "ana").set_status(2, "done")
    matcher = make_matcher("Nino Beridze", "Person")
    seen = []
    found = find_all(
        store, matcher, Scope(not_done=True), "ana", progress=lambda *p: seen.append(p)
    )
    assert seen[0] == (1, 3) and seen[-1] == (3, 3)  # the article marked done counts as passed
    assert len(found) == 3
    stop = []
    partial = find_all(
        store,
        matcher,
        Scope(),
        "ana",
        cancelled=lambda: bool(stop),
        progress=lambda *p: stop.append(p),
    )
    assert stop == [(1, 3), (1, 3)]  # stopped after the first article's progress
    assert [f.article_id for f in partial] == [1, 1]
    store.close()


@pytest.mark.parametrize(
    "text",
    ["Nino BERIDZE", "ΟΔΟΣ Σοφίας", "İstanbul and Iğdır", "Straße ẞ", "👍 Ǆemal ǅ", "", "ꭰᏸ"],
)
def test_fold_fast_path_is_the_same_as_folding_each_character(text):
    from desktop_app.core.suggest.matcher import fold

    slow = "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)
    assert fold(text) == slow and len(fold(text)) == len(text)
