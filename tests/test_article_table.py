"""The article list model: exact count, random access by key, only visible pages read."""

import random

import pytest
from PySide6.QtCore import Qt

from desktop_app.core.model import ArticleDraft, ArticleFilter
from desktop_app.core.store import Store
from desktop_app.ui.article_table import PAGE_SIZE, ArticleTableModel

N = PAGE_SIZE * 5 + 17


@pytest.fixture
def store():
    store = Store.memory()
    store.add_articles(
        ArticleDraft(
            f"text {i} {'match' if i % 4 == 0 else ''}",
            f"u{i}",
            title=f"t{(i * 37) % N}",
            published=f"2024-{1 + i % 12:02d}-01",
        )
        for i in range(N)
    )
    yield store
    store.close()


def expected(store, flt):
    return [i for batch in store.iter_article_ids(flt, batch=97) for i in batch]


def test_random_access_equals_the_plain_order(qtbot, store):
    model = ArticleTableModel(store, "ana")
    assert model.rowCount() == N
    order = expected(store, model.article_filter)
    rows = list(range(N))
    random.Random(7).shuffle(rows)
    for row in [*rows[:300], N - 1, 0, PAGE_SIZE - 1, PAGE_SIZE, N - 2]:
        assert model.row_at(row).id == order[row]
    assert model.row_at(N) is None


def test_only_the_needed_pages_are_read(qtbot, store, monkeypatch):
    model = ArticleTableModel(store, "ana")
    calls = []
    original = store.article_rows
    monkeypatch.setattr(store, "article_rows", lambda *a, **k: calls.append(1) or original(*a, **k))
    model.data(model.index(N - 1, 0))
    model.data(model.index(N - 2, 3))
    assert len(calls) == 1


def test_sort_and_filter(qtbot, store):
    model = ArticleTableModel(store, "ana")
    model.sort(0, Qt.SortOrder.DescendingOrder)
    titles = [model.row_at(r).title for r in range(N)]
    assert titles == sorted(titles, key=str.lower, reverse=True)
    model.set_filter(ArticleFilter(search="match"))
    assert model.rowCount() == len(range(0, N, 4))
    assert model.article_filter.sort == "title"  # the sort survives a new filter
    assert all("match" in store.article(model.row_at(r).id).text for r in range(model.rowCount()))


def test_row_of_finds_the_article(qtbot, store):
    model = ArticleTableModel(store, "ana")
    for row in (0, 250, N - 1):
        assert model.row_of(model.row_at(row).id) == row
