"""Every column of the list sorts by an index, pages exactly, and keeps its counts exact."""

import pytest

from desktop_app.core.migrations import MIGRATIONS
from desktop_app.core.model import ArticleDraft, ArticleFilter, Label, LabelSchema
from desktop_app.core.store import SORTS, Store

SCHEMA = LabelSchema(
    "test",
    (Label("Person", "span", "#ffadad", "p"), Label("Energy", "document", "#caffbf", "Ctrl+1")),
)


@pytest.fixture
def store():
    store = Store.memory()
    store.apply_schema(SCHEMA)
    drafts = [
        ArticleDraft(
            text=f"article {i} about {'energy' if i % 3 else 'sport'} and more words",
            uid=f"n{i:04d}",
            title=f"Title {(i * 7) % 97:04d}",
            source=["", "business", "Sport", "sport", "tech"][i % 5],
            published=f"2024-01-{1 + i % 28:02d}",
        )
        for i in range(97)
    ]
    store.add_articles(drafts)
    ids = [store.article_id(f"n{i:04d}") for i in range(97)]
    for n, article in enumerate(ids):
        for k in range(n % 4):
            store.add_span(article, 0, 7, "Person", ["ana", "bob"][k % 2])
        if n % 7 == 0:
            store.set_tag(article, "Energy", "ana", True)
        if n % 11 == 0:
            store.set_tag(article, "Energy", "bob", True)
    yield store
    store.close()


PLAIN = {
    "source": "source COLLATE NOCASE",
    "spans": "(SELECT count(*) FROM spans s WHERE s.article = a.id AND s.deleted = 0)",
    "tags": "(SELECT count(*) FROM document_tags t WHERE t.article = a.id AND t.deleted = 0)",
}


def straightforward(store, flt):
    order = "DESC" if flt.descending else "ASC"
    where = "WHERE a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
    params = [flt.search] if flt.search else []
    sql = (
        f"SELECT id FROM articles a {where if flt.search else ''} "
        f"ORDER BY {PLAIN[flt.sort]} {order}, id {order}"
    )
    return [row[0] for row in store.db.conn.execute(sql, params)]


def paged(store, flt, page):
    rows, anchor = [], store.anchor_after(flt, None, 0)
    while anchor is not None:
        rows += [r.id for r in store.article_rows(flt, anchor, page)]
        anchor = store.anchor_after(flt, anchor, page)
    return rows


@pytest.mark.parametrize("sort", ["source", "spans", "tags"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("search", ["", "energy"])
def test_every_column_pages_as_one_plain_query(store, sort, descending, search):
    flt = ArticleFilter(sort=sort, descending=descending, search=search)
    expected = straightforward(store, flt)
    assert len(expected) > 20
    for page in (1, 10, 200):
        assert paged(store, flt, page) == expected
    for position in (0, 5, len(expected) - 1):
        assert store.row_of(flt, expected[position]) == position
    assert [k[1] for k in store.keys_after(flt, None, 1000)] == expected


def test_counts_follow_every_edit(store):
    article = store.article_id("n0000")
    flt = ArticleFilter(sort="spans", descending=True)
    span = store.add_span(article, 0, 7, "Person", "ana")
    for _ in range(5):
        store.add_span(article, 0, 7, "Person", "cem")
    assert store.article_rows(flt, None, 1)[0].id == article
    store.update_span(span.uuid, deleted=True)
    store.update_span(span.uuid, deleted=False)
    store.update_span(span.uuid, deleted=True)
    store.set_tag(article, "Energy", "cem", True)
    store.set_tag(article, "Energy", "cem", False)
    assert store.db.conn.execute(
        "SELECT spans, tags FROM article_counts WHERE id = ?", (article,)
    ).fetchone() == (5, 2)  # ana's and bob's tags from the fixture
    for sort in ("spans", "tags"):
        flt = ArticleFilter(sort=sort)
        assert paged(store, flt, 13) == straightforward(store, flt)


def test_each_sort_walks_an_index(store):
    for name, sort in SORTS.items():
        plan = store.db.conn.execute(
            f"EXPLAIN QUERY PLAN SELECT {sort.key}, a.id FROM {sort.walk} "
            f"ORDER BY {sort.key}, {sort.id} LIMIT 5"
        ).fetchall()
        text = " ".join(str(row[-1]) for row in plan)
        assert "TEMP B-TREE" not in text, (name, text)


def test_older_projects_get_their_counts(tmp_path):
    from sqlite_utils import Database

    path = tmp_path / "old.sqlite"
    db = Database(path)
    migrations = dict(MIGRATIONS)
    for number, (_name, step) in enumerate(MIGRATIONS[:8], start=1):
        step(db)
        db.conn.execute(f"PRAGMA user_version = {number}")
    db.conn.commit()
    db.close()
    assert "list_sort_keys" in migrations
    store = Store.open(path)
    try:
        store.apply_schema(SCHEMA)
        store.add_articles([ArticleDraft(text="one two", uid="a"), ArticleDraft(text="x", uid="b")])
        store.add_span(store.article_id("b"), 0, 1, "Person", "ana")
        rows = store.article_rows(ArticleFilter(sort="spans", descending=True), None, 5)
        assert [r.uid for r in rows] == ["b", "a"]
    finally:
        store.close()


def test_an_export_follows_a_count_order(store):
    flt = ArticleFilter(sort="spans", descending=True)
    uids = [line[0] for lines in store.native_json(flt, batch=7) for line in lines]
    ids = [store.article_id(uid) for uid in uids]
    assert ids == straightforward(store, flt)
    assert [i for batch in store.iter_article_ids(flt, batch=9) for i in batch] == ids
