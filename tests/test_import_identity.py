"""Native JSONL uuids that are already taken: every annotation is stored or reported (issue 11)."""

import json

import pytest

from desktop_app.cli import main
from desktop_app.core.model import ArticleDraft, Label, LabelSchema
from desktop_app.core.store import Store

SCHEMA = LabelSchema(
    "ids",
    (
        Label("Person", "span", "#ffadad", "p"),
        Label("Place", "span", "#a0c4ff", "l"),
        Label("Energy", "document", "#caffbf", "Ctrl+1"),
    ),
)
A1 = "Nino met Amélie in Tbilisi 🇬🇪 on Monday."
A2 = "李明 flew from Cairo to Lagos."
U = "11111111-1111-4111-8111-111111111111"
T = "22222222-2222-4222-8222-222222222222"


@pytest.fixture
def db(tmp_path):
    """A project whose a1 has bob's span U (Nino) and bob's tag T (Energy)."""
    path = tmp_path / "project.sqlite"
    store = Store.open(path)
    store.apply_schema(SCHEMA)
    first = tmp_path / "first.jsonl"
    _write(
        first,
        {
            "uid": "a1",
            "text": A1,
            "spans": [_span(U, 0, 4, "Person")],
            "tags": [{"uuid": T, "label": "Energy", "annotator": "bob"}],
        },
    )
    store.close()
    assert main(["import", str(first), "--db", str(path)]) == 0
    return path


def _span(uuid, start, end, label, annotator="bob"):
    return {"uuid": uuid, "start": start, "end": end, "label": label, "annotator": annotator}


def _write(path, *records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _rows(path, table):
    store = Store.open(path)
    try:
        return store.db.conn.execute(
            f"SELECT a.uid, t.uuid, t.label FROM {table} t JOIN articles a ON a.id = t.article "
            "ORDER BY a.uid, t.label, t.uuid"
        ).fetchall()
    finally:
        store.close()


def _import(path, db, capsys):
    code = main(["import", str(path), "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out + err


def test_reimport_of_the_same_annotations_is_unchanged_and_silent(db, tmp_path, capsys):
    again = _write(
        tmp_path / "again.jsonl",
        {
            "uid": "a1",
            "text": A1,
            "spans": [_span(U, 0, 4, "Person")],
            "tags": [{"uuid": T, "label": "Energy", "annotator": "bob"}],
        },
    )
    before = _rows(db, "spans"), _rows(db, "document_tags")
    code, said = _import(again, db, capsys)
    assert code == 0 and "uuid" not in said and "1 already present" in said
    assert (_rows(db, "spans"), _rows(db, "document_tags")) == before


def test_a_uuid_used_on_another_article_is_stored_under_a_new_one_and_reported(
    db, tmp_path, capsys
):
    path = _write(
        tmp_path / "clash.jsonl", {"uid": "a2", "text": A2, "spans": [_span(U, 0, 2, "Person")]}
    )
    code, said = _import(path, db, capsys)
    assert code == 0  # stored: reported, not rejected
    assert f"{path}:1" in said and U in said and "another article" in said
    rows = _rows(db, "spans")
    assert len(rows) == 2
    (a1,) = [r for r in rows if r[0] == "a1"]
    (a2,) = [r for r in rows if r[0] == "a2"]
    assert a1[1] == U and a2[1] != U and a2[1] in said
    # Idempotent: the new uuid is derived from what the span is, so importing again adds nothing.
    code, said = _import(path, db, capsys)
    assert _rows(db, "spans") == rows


def test_a_uuid_twice_in_one_record_keeps_both_spans(db, tmp_path, capsys):
    path = _write(
        tmp_path / "twice.jsonl",
        {"uid": "a3", "text": A2, "spans": [_span(U, 0, 2, "Person"), _span(U, 15, 20, "Place")]},
    )
    code, said = _import(path, db, capsys)
    assert code == 0 and f"{path}:1" in said and "twice" in said
    rows = [r for r in _rows(db, "spans") if r[0] == "a3"]
    assert [r[2] for r in rows] == ["Person", "Place"]
    assert len({r[1] for r in _rows(db, "spans")}) == 3
    _import(path, db, capsys)
    assert len(_rows(db, "spans")) == 3


def test_a_span_may_not_take_a_tags_uuid(db, tmp_path, capsys):
    path = _write(
        tmp_path / "tag.jsonl", {"uid": "a1", "text": A1, "spans": [_span(T, 19, 26, "Place")]}
    )
    code, said = _import(path, db, capsys)
    assert code == 0 and T in said and "document tag" in said
    (place,) = [r for r in _rows(db, "spans") if r[2] == "Place"]
    assert place[1] != T


def test_same_uuid_same_article_other_offsets_is_another_span(db, tmp_path, capsys):
    path = _write(
        tmp_path / "moved.jsonl", {"uid": "a1", "text": A1, "spans": [_span(U, 9, 15, "Person")]}
    )
    code, said = _import(path, db, capsys)
    assert code == 0 and U in said
    assert len(_rows(db, "spans")) == 2


def test_tags_are_checked_the_same_way(db, tmp_path, capsys):
    path = _write(
        tmp_path / "tags.jsonl",
        {"uid": "a2", "text": A2, "tags": [{"uuid": T, "label": "Energy", "annotator": "bob"}]},
    )
    code, said = _import(path, db, capsys)
    assert code == 0 and f"{path}:1" in said and T in said and "another article" in said
    rows = _rows(db, "document_tags")
    assert len(rows) == 2 and {r[0] for r in rows} == {"a1", "a2"}
    _import(path, db, capsys)
    assert _rows(db, "document_tags") == rows


def test_an_edit_here_is_not_a_clash(db, tmp_path, capsys):
    """A span relabelled here after an export: the export's copy is the same span, unchanged."""
    store = Store.open(db)
    store.update_span(U, label="Place")
    store.close()
    path = _write(
        tmp_path / "old.jsonl", {"uid": "a1", "text": A1, "spans": [_span(U, 0, 4, "Person")]}
    )
    code, said = _import(path, db, capsys)
    assert code == 0 and "uuid" not in said
    assert [r[2] for r in _rows(db, "spans")] == ["Place"]


def test_merge_reports_a_uuid_used_on_another_article(db, tmp_path, capsys):
    store = Store.open(db)
    store.add_articles([ArticleDraft(A2, "a2")])
    store.close()
    path = _write(
        tmp_path / "theirs.jsonl", {"uid": "a2", "text": A2, "spans": [_span(U, 0, 2, "Person")]}
    )
    assert main(["merge", str(path), "--db", str(db)]) == 1  # refused: exit 1
    said = "".join(capsys.readouterr())
    assert U in said and "another article" in said


def test_a_span_a_merge_refuses_leaves_our_merge_base_alone(db, tmp_path, capsys):
    """Their span U on a new article is refused: U's merge base stays ours, not theirs."""
    path = _write(
        tmp_path / "theirs.jsonl",
        {
            "uid": "a2",
            "text": A2,
            "spans": [{**_span(U, 0, 2, "Person"), "updated_at": "2030-01-01T00:00:00Z"}],
        },
    )
    assert main(["merge", str(path), "--db", str(db)]) == 1  # refused: exit 1
    assert U in "".join(capsys.readouterr())
    store = Store.open(db)
    try:
        assert (
            store.db.conn.execute("SELECT * FROM merge_base WHERE uuid = ?", (U,)).fetchall() == []
        )
        assert store.article_id("a2") is not None and store.spans(store.article_id("a2")) == []
    finally:
        store.close()


def test_a_new_uuid_for_a_span_already_here_is_counted_as_already_there(db, tmp_path, capsys):
    # Same article, annotator, label and offsets as bob's live span U, under another uuid:
    # not stored twice, and the report says so (every input annotation stored or reported).
    other = "33333333-3333-4333-8333-333333333333"
    again = _write(tmp_path / "again.jsonl", {"uid": "a1", "text": A1,
                                              "spans": [_span(other, 0, 4, "Person")]})  # fmt: skip
    before = _rows(db, "spans")
    code, said = _import(again, db, capsys)
    assert code == 0 and "1 annotations already there" in said, said
    assert _rows(db, "spans") == before
