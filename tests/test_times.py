"""Edit times are parsed and kept in UTC, so a merge's "newer wins" compares instants (issue 11)."""

import json
import sqlite3

import pytest

from desktop_app.cli import main
from desktop_app.core.model import ArticleDraft, Label, LabelSchema, SpanDraft
from desktop_app.core.store import Store
from desktop_app.core.store.base import now
from desktop_app.core.times import OLDEST, TimeError, comparable_time, normalize_time

SCHEMA = LabelSchema(
    "times",
    (
        Label("Person", "span", "#ffadad", "p"),
        Label("Place", "span", "#a0c4ff", "l"),
        Label("Energy", "document", "#caffbf", "Ctrl+1"),
    ),
)
TEXT = "Nino met Amélie in Tbilisi 🇬🇪 on Monday."
U = "33333333-3333-4333-8333-333333333333"


def test_normalize_time_gives_the_stores_own_format():
    assert normalize_time("2024-05-20T11:00:00+02:00") == "2024-05-20T09:00:00.000+00:00"
    assert normalize_time("2024-05-20T10:00:00.000+00:00") == "2024-05-20T10:00:00.000+00:00"
    assert normalize_time("2024-05-20T10:00:00Z") == "2024-05-20T10:00:00.000+00:00"
    assert (
        normalize_time("2024-05-20 10:00:00.123456") == "2024-05-20T10:00:00.123+00:00"
    )  # naive: UTC
    assert normalize_time(" 2024-05-19T22:30:00-05:00 ") == "2024-05-20T03:30:00.000+00:00"
    stamp = now()
    assert normalize_time(stamp) == stamp
    for bad in (
        "garbage-but-sorts-high",
        "2024-13-01T00:00:00",
        "yesterday",
        "9999-12-31T23:00-05:00",
    ):
        with pytest.raises(TimeError, match="not a time") as caught:
            normalize_time(bad)
        assert isinstance(caught.value, ValueError) and repr(bad) in str(caught.value)


def test_comparable_time_puts_what_does_not_parse_first():
    assert comparable_time("garbage-but-sorts-high") == OLDEST
    assert comparable_time(None) == OLDEST
    assert normalize_time("1970-01-01T00:00:00Z") > OLDEST
    assert comparable_time("2024-05-20T11:00:00+02:00") < comparable_time("2024-05-20T10:00:00Z")


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "alice.sqlite"
    store = Store.open(path)
    store.apply_schema(SCHEMA)
    store.add_articles([ArticleDraft(TEXT, "a1")])
    store.close()
    return path


def _write(path, *records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _span(uuid, label, updated_at, start=0, end=4, **more):
    return {
        "uuid": uuid, "start": start, "end": end, "label": label, "annotator": "bob",
        "created_at": "2024-05-01T00:00:00+00:00", "updated_at": updated_at, **more,
    }  # fmt: skip


def _stored(db, uuid):
    store = Store.open(db)
    try:
        return store.span(uuid)
    finally:
        store.close()


def test_import_normalises_times_and_refuses_one_that_does_not_parse(db, tmp_path, capsys):
    other = "44444444-4444-4444-8444-444444444444"
    path = _write(
        tmp_path / "times.jsonl",
        {
            "uid": "a1",
            "text": TEXT,
            "spans": [
                _span(U, "Person", "2024-05-20T11:00:00+02:00"),
                _span(other, "Place", "garbage-but-sorts-high", 19, 26),
            ],
            "tags": [{"label": "Energy", "annotator": "bob", "created_at": "2024-05-20T12:00:00"}],
        },
    )
    assert main(["import", str(path), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:1" in err and "'garbage-but-sorts-high'" in err and "updated_at" in err
    span = _stored(db, U)
    assert span.updated_at == "2024-05-20T09:00:00.000+00:00"
    assert span.created_at == "2024-05-01T00:00:00.000+00:00"
    store = Store.open(db)
    try:
        assert [s.uuid for s in store.spans(store.article_id("a1"), include_deleted=True)] == [U]
        (tag,) = store.tags(store.article_id("a1"), "bob")
        assert tag.created_at == tag.updated_at == "2024-05-20T12:00:00.000+00:00"  # naive: UTC
    finally:
        store.close()


def test_csv_annotation_rows_with_a_bad_time_are_refused_by_line(db, tmp_path, capsys):
    path = tmp_path / "annotations.csv"
    path.write_text(
        "kind,article_uid,label,start,end,annotator,created_at,updated_at\n"
        "span,a1,Person,0,4,bob,2024-05-20T11:00:00+02:00,2024-05-20T11:00:00+02:00\n"
        "span,a1,Place,19,26,bob,2024-05-20,nonsense\n",
        "utf-8",
    )
    assert main(["import", str(path), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3" in err and "'nonsense'" in err
    store = Store.open(db)
    try:
        (span,) = store.spans(store.article_id("a1"), "bob")
        assert span.label == "Person" and span.updated_at == "2024-05-20T09:00:00.000+00:00"
    finally:
        store.close()


def _ours_edited_at(db, stamp):
    """Our span U, relabelled Place at `stamp` (written as an older version stored it)."""
    store = Store.open(db)
    a1 = store.article_id("a1")
    store.add_articles(
        [ArticleDraft(TEXT, "a1", spans=(SpanDraft(0, 4, "Person", uuid=U, annotator="bob"),))]
    )
    with store.db.atomic():
        store.db.execute(
            "UPDATE spans SET label = 'Place', updated_at = ? WHERE uuid = ?", (stamp, U)
        )
    store.close()
    return a1


def test_merge_compares_instants_not_text(db, tmp_path, capsys):
    """Theirs at 11:00+02:00 (09:00 UTC) is older than ours at 10:00 UTC: ours wins."""
    _ours_edited_at(db, "2024-05-20T10:00:00.000+00:00")
    theirs = _write(
        tmp_path / "bob.jsonl",
        {
            "uid": "a1",
            "text": TEXT,
            "spans": [_span(U, "Person", "2024-05-20T11:00:00+02:00", note="x")],
        },
    )
    assert main(["merge", str(theirs), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "kept ours" in out
    assert _stored(db, U).label == "Place"


def test_merge_refuses_a_time_that_does_not_parse(db, tmp_path, capsys):
    _ours_edited_at(db, "2024-05-20T10:00:00.000+00:00")
    theirs = _write(
        tmp_path / "bob.jsonl",
        {
            "uid": "a1",
            "text": TEXT,
            "spans": [_span(U, "Person", "garbage-but-sorts-high", note="x")],
        },
    )
    assert main(["merge", str(theirs), "--db", str(db)]) == 1  # refused: exit 1
    err = capsys.readouterr().err
    assert f"{theirs}:1" in err and "'garbage-but-sorts-high'" in err
    assert _stored(db, U).label == "Place"
    # Nothing of theirs was taken, so it does not win a later merge either.
    assert main(["merge", str(theirs), "--db", str(db)]) == 1
    assert _stored(db, U).label == "Place"


def test_our_old_unnormalised_time_is_compared_as_an_instant(db, tmp_path, capsys):
    """Ours stored 11:00+02:00 (09:00 UTC) before times were normalised; theirs 10:00 UTC wins."""
    _ours_edited_at(db, "2024-05-20T11:00:00+02:00")
    theirs = _write(
        tmp_path / "bob.jsonl",
        {
            "uid": "a1",
            "text": TEXT,
            "spans": [_span(U, "Person", "2024-05-20T10:00:00.000+00:00", note="x")],
        },
    )
    assert main(["merge", str(theirs), "--db", str(db)]) == 0
    assert "kept theirs" in capsys.readouterr().out
    assert _stored(db, U).label == "Person"


def test_project_merge_treats_their_bad_time_as_oldest(db, tmp_path, capsys):
    _ours_edited_at(db, "2024-05-20T10:00:00.000+00:00")
    theirs = tmp_path / "bob.sqlite"
    bob = Store.open(theirs)
    bob.apply_schema(SCHEMA)
    bob.add_articles(
        [
            ArticleDraft(
                TEXT, "a1", spans=(SpanDraft(0, 4, "Person", uuid=U, annotator="bob", note="x"),)
            )
        ]
    )
    bob.close()
    with sqlite3.connect(theirs) as conn:  # as an older version let an import store it
        conn.execute("UPDATE spans SET updated_at = 'garbage-but-sorts-high'")
    conn.close()
    assert main(["merge", str(theirs), "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert "'garbage-but-sorts-high'" in out + err and "kept ours" in out
    assert _stored(db, U).label == "Place"
