"""Big annotate-all batches write their spans set-based (span_counts): every count table and
relation ends exactly as the per-row triggers leave it, after apply, undo and redo."""

import pytest

from desktop_app.core.editing import Editor
from desktop_app.core.model import DOCUMENT, ArticleDraft, Label, LabelSchema, RelationType
from desktop_app.core.store import Store, span_counts
from desktop_app.core.store.integrity import DERIVED_COUNTS, count_problems
from desktop_app.core.suggest.annotate_all import Scope, apply_batch, find_all, make_matcher

SCHEMA = LabelSchema(
    "t",
    (
        Label("Person", "span", "#ffadad"),
        Label("Org", "span", "#caffbf"),
        Label("Politics", DOCUMENT, "#a0c4ff"),
        Label("Economy", DOCUMENT, "#bdb2ff"),
    ),
    relation_types=(RelationType("same_as", "#0000ff", "", False),),
)
N = 60  # articles; two hits each: 120 spans, above span_counts.BULK_FROM


def _project() -> tuple[Store, Editor]:
    store = Store.memory()
    store.apply_schema(SCHEMA)
    store.add_articles(
        [
            ArticleDraft(
                f"Nino Beridze met Acme. Later nino beridze left ({i}).",
                f"a{i}",
                title=f"T{i}",
                source=["Civil.ge", "OC Media", ""][i % 3],
            )
            for i in range(N)
        ]
    )
    ids = [store.article_id(f"a{i}") for i in range(N)]
    for n, article in enumerate(ids):
        if n % 2:
            store.set_tag(article, "Politics", "ana", True)
            store.set_tag(article, "Politics", "bob", True)  # the same tag twice: counted once
        if n % 3 == 0:
            store.set_tag(article, "Economy", "bob", True)
        if n % 4 == 0:
            store.add_span(article, 17, 21, "Org", "ana")
        if n % 5 == 0:
            store.set_status(article, "ana", "done")  # done stays done
        if n % 7 == 0:
            store.set_status(article, "ana", "todo")
    return store, Editor(store, "ana")


def _derived(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every derived table, rows and all (rows a trigger leaves at 0 included), and the
    relations and statuses."""
    conn = store.db.conn
    tables = [*DERIVED_COUNTS, "relations", "article_status"]
    return {
        table: sorted(tuple(row) for row in conn.execute(f"SELECT * FROM {table}"))
        for table in tables
        if table != "article_status"
    } | {
        "article_status": sorted(
            tuple(row)
            for row in conn.execute("SELECT article, annotator, status FROM article_status")
        )
    }


def _scenario(bulk_from: int, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Apply a batch (a relation on one of its spans), undo it, Ctrl+Z, Ctrl+Y: each state's
    derived tables, with the count check run on each."""
    monkeypatch.setattr(span_counts, "BULK_FROM", bulk_from)
    store, editor = _project()
    try:
        found = find_all(store, make_matcher("Nino Beridze", "Person"), Scope(), "ana")
        batch, made = apply_batch(editor, found, "Nino Beridze", {"case": False}, {"all": True})
        assert len(made) == 2 * N
        first = store.spans(made[0].article_id, "ana")
        org = next(s for s in first if s.label == "Org")
        store.add_relation("same_as", made[0].uuid, org.uuid, "ana")
        states = []

        def snap() -> None:
            assert count_problems(store.db.conn) == []
            states.append(_derived(store))

        snap()
        state = editor.undo_batch(batch)
        assert len(state.removable) == 2 * N
        snap()
        editor.undo()  # the batch's spans back (the relation stays hidden, as per row)
        snap()
        editor.redo()
        snap()
        return states
    finally:
        store.close()


def _without_stamps(states: list[dict[str, object]]) -> list[dict[str, object]]:
    # Relations carry new uuids and stamps in each run: compare article, author, type, deleted.
    out = []
    for state in states:
        state = dict(state)
        rows = state["relations"]
        state["relations"] = [(r[1], r[2], r[3], r[9]) for r in rows]  # type: ignore[attr-defined]
        out.append(state)
    return out


def test_a_big_batch_leaves_every_count_as_the_per_row_triggers_do(monkeypatch):
    bulk = _scenario(span_counts.BULK_FROM, monkeypatch)
    per_row = _scenario(10**9, monkeypatch)
    assert _without_stamps(bulk) == _without_stamps(per_row)
    hidden = bulk[1]["relations"]
    assert [row[9] for row in hidden] == [1]  # type: ignore[index]  # undo hid the relation


def test_counts_equal_plain_counts_after_apply_and_undo(monkeypatch):
    monkeypatch.setattr(span_counts, "BULK_FROM", 100)
    store, editor = _project()
    try:
        conn = store.db.conn
        assert span_counts.bulk_ready(conn, 200)
        before = span_counts._triggers(conn)
        found = find_all(store, make_matcher("Nino Beridze", "Person"), Scope(), "ana")
        batch, _ = apply_batch(editor, found, "Nino Beridze", {}, {"all": True})

        def plain() -> tuple[int, int, int]:
            live = "SELECT count(*) FROM spans WHERE deleted = 0"
            return (
                conn.execute(live).fetchone()[0],
                conn.execute("SELECT sum(spans) FROM article_counts").fetchone()[0],
                conn.execute("SELECT sum(n) FROM article_labels WHERE label = 'Person'").fetchone()[
                    0
                ],
            )

        assert plain() == (2 * N + 15, 2 * N + 15, 2 * N)
        assert count_problems(conn) == []
        # In progress where the annotator had not started (no row, or "todo"); done stays done.
        statuses = dict(
            conn.execute("SELECT article, status FROM article_status WHERE annotator = 'ana'")
        )
        assert sorted(set(statuses.values())) == ["done", "in progress"]
        assert (
            sum(1 for s in statuses.values() if s == "done") == 10
        )  # 0 and 35 were put back to todo
        editor.undo_batch(batch)
        assert plain() == (15, 15, 0)
        assert count_problems(conn) == []
        assert span_counts._triggers(conn) == before  # made again, word for word
    finally:
        store.close()


def test_a_failed_bulk_write_leaves_the_triggers_and_counts_as_they_were():
    store, _ = _project()
    try:
        conn = store.db.conn
        before = span_counts._triggers(conn)
        a = store.article_id("a0")
        rows = [
            (f"u{i}", a, "ana", "Person", 0, 4, "Nino" if i < 150 else "Nope", "", "s", "s")
            for i in range(200)
        ]
        sql = (
            'INSERT INTO spans (uuid, article, annotator, label, start, "end", quote, note, '
            "created_at, updated_at, deleted, fragments) VALUES (?,?,?,?,?,?,?,?,?,?,0,'')"
        )
        with pytest.raises(Exception, match="quote does not match"), store.db.atomic():
            span_counts.insert_spans(conn, sql, rows)
        assert span_counts._triggers(conn) == before
        assert conn.execute("SELECT count(*) FROM spans WHERE article = ?", (a,)).fetchone() == (1,)
        assert count_problems(conn) == []
        with pytest.raises(RuntimeError, match="inside a transaction"):
            span_counts.insert_spans(conn, sql, rows[:1])
    finally:
        store.close()


def test_a_project_with_a_trigger_this_does_not_know_writes_row_by_row():
    store, _ = _project()
    try:
        conn = store.db.conn
        assert span_counts.bulk_ready(conn, span_counts.BULK_FROM)
        assert not span_counts.bulk_ready(conn, span_counts.BULK_FROM - 1)
        conn.execute("CREATE TRIGGER spans_something_new AFTER INSERT ON spans BEGIN SELECT 1; END")
        assert not span_counts.bulk_ready(conn, 10**6)
    finally:
        store.close()


def _deleted_and_back(bulk_from: int, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """A bulk delete of a label's uses (with a relation on one) and its undo: the states."""
    monkeypatch.setattr(span_counts, "BULK_FROM", bulk_from)
    store, editor = _project()
    try:
        found = find_all(store, make_matcher("Nino Beridze", "Person"), Scope(), "ana")
        _, made = apply_batch(editor, found, "Nino Beridze", {}, {"all": True})
        org = next(s for s in store.spans(made[0].article_id, "ana") if s.label == "Org")
        store.add_relation("same_as", org.uuid, made[0].uuid, "ana")
        states = []
        deletion = store.delete_annotations(store.label_uses("Person"))
        assert len(deletion.span_uuids) == 2 * N
        assert count_problems(store.db.conn) == []
        states.append(_derived(store))
        store.undo_deletion(deletion)
        assert count_problems(store.db.conn) == []
        states.append(_derived(store))
        return states
    finally:
        store.close()


def test_a_bulk_delete_and_its_undo_count_as_the_per_row_triggers_do(monkeypatch):
    bulk = _deleted_and_back(span_counts.BULK_FROM, monkeypatch)
    per_row = _deleted_and_back(10**9, monkeypatch)
    assert _without_stamps(bulk) == _without_stamps(per_row)
    assert [r[9] for r in bulk[0]["relations"]] == [1]  # type: ignore[index]
    assert [r[9] for r in bulk[1]["relations"]] == [0]  # type: ignore[index]
