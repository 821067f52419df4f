"""Deleting whole articles: one transaction, everything on them gone, undo restores every row."""

import pytest

from desktop_app.core.editing import Editor
from desktop_app.core.importing import import_paths
from desktop_app.core.model import ArticleDraft, Label, LabelSchema
from desktop_app.core.store import Store

TABLES = ("articles", "spans", "document_tags", "article_status", "article_counts")


def dump(store):
    conn = store.db.conn
    rows = {t: sorted(map(tuple, conn.execute(f"SELECT * FROM {t}"))) for t in TABLES}
    rows["fts"] = sorted(conn.execute("SELECT rowid, title, text FROM articles_fts"))
    return rows


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "p.sqlite")
    store.apply_schema(
        LabelSchema(
            "t", (Label("Person", "span", "#ffadad"), Label("Energy", "document", "#caffbf"))
        )
    )
    store.add_articles(
        [ArticleDraft("Alice in Paris", "a"), ArticleDraft("Bob in Rome", "b"),
         ArticleDraft("Carol at home", "c")]
    )  # fmt: skip
    yield store
    store.close()


def test_delete_articles_and_undo_restores_identical_rows(store):
    editor = Editor(store, "ana")
    a, b = store.article_id("a"), store.article_id("b")
    editor.add_span(a, 0, 5, "Person")
    editor.add_span(b, 0, 3, "Person")
    editor.set_tag(b, "Energy", True)
    gone = editor.add_span(a, 9, 14, "Person")
    editor.delete_span(gone.uuid)
    before = dump(store)
    assert store.article_deletion_size([a, b]) == (2, 3)

    deletion = editor.delete_articles([a, b])

    assert deletion.annotations == 3
    assert store.article_id("a") is None and store.article_id("b") is None
    assert store.db.conn.execute("SELECT count(*) FROM spans").fetchone()[0] == 0
    assert (
        store.db.conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'Alice'"
        ).fetchone()[0]
        == 0
    )
    assert store.check(full=True) == []
    assert editor.undo() == a
    assert dump(store) == before
    assert store.check(full=True) == []
    editor.redo()
    assert store.article_id("b") is None
    assert store.check(full=True) == []


def test_delete_articles_backs_up_first(store, tmp_path):
    editor = Editor(store, "ana")
    editor.delete_articles([store.article_id("c")])
    assert list((tmp_path).glob("**/*delete-articles*"))


def test_import_report_names_added_articles_and_duplicates(store, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text("Alice in Paris")  # the text of article "a"
    (folder / "two.txt").write_text("Something new")
    report = import_paths(store, [folder])
    added = report.added_article_ids()
    assert len(added) == 2 == report.added
    titles = store.article_titles(added)
    duplicate = [uid for uid, twin in report.duplicate_pairs]
    assert report.duplicate_pairs and all(twin == "a" for _, twin in report.duplicate_pairs)
    assert {titles[i][1] for i in added} >= set(duplicate)


def test_a_cancelled_import_names_exactly_the_articles_it_left(store, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(300):
        (folder / f"{i:03d}.txt").write_text(f"Article number {i} of many.")
    (folder / "000.txt").write_text("Alice in Paris")  # a duplicate of "a": added all the same
    before = {row[0] for row in store.db.conn.execute("SELECT id FROM articles")}
    calls = []
    report = import_paths(
        store, [folder], should_cancel=lambda: len(calls.append(1) or calls) > 150
    )
    assert report.cancelled
    now = {row[0] for row in store.db.conn.execute("SELECT id FROM articles")}
    assert set(report.added_article_ids()) == now - before
    assert 0 < report.added < 300
    Editor(store, "ana").delete_articles(report.added_article_ids())
    assert {row[0] for row in store.db.conn.execute("SELECT id FROM articles")} == before
    assert store.check(full=True) == []
