"""The article list in the window: searching keeps the article being read, every sortable
column sorts, "next" follows the list, best matches first."""

import pytest
from PySide6.QtCore import QPoint, Qt

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path
from desktop_app.ui.article_table import COLUMNS, LAST_ARTICLE, SORTABLE


@pytest.fixture
def window(tmp_path, show_window):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    drafts = [
        ArticleDraft(
            f"Article {i} about {'budget' if i % 2 else 'sport'}.",
            f"u{i}",
            title=f"Title {i}",
            source=["tech", "Business", "sport"][i % 3],
            published=f"2024-05-{10 + i:02d}",
        )
        for i in range(8)
    ]
    store.add_articles(drafts)
    window = show_window(store, "ana")
    yield window
    store.close()


def listed(window, column=0):
    model = window.table_model
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def search(qtbot, window, text):
    window.filter_bar.search.setFocus()
    window.filter_bar.search.setText(text)
    qtbot.waitUntil(lambda: window.table_model.article_filter.search == text)


def test_typing_a_search_keeps_the_article_being_read(qtbot, window):
    window._select_row(2)
    reading = window.article.uid
    assert reading == "u2"  # a "sport" article
    search(qtbot, window, "budget")
    assert window.table_model.rowCount() == 4
    assert window.article.uid == reading  # typing did not open a match
    qtbot.keyClick(window.filter_bar.search, Qt.Key.Key_Down)
    assert window.article.uid == window.table_model.row_at(0).uid != reading
    assert window.table.hasFocus()


def test_enter_opens_the_first_match_at_once(qtbot, window):
    window._select_row(2)
    window.filter_bar.search.setFocus()
    window.filter_bar.search.setText("sport")
    qtbot.keyClick(window.filter_bar.search, Qt.Key.Key_Return)  # before the typing pause
    assert window.table_model.article_filter.search == "sport"
    assert window.article.uid == window.table_model.row_at(0).uid


def test_the_article_being_read_stays_selected_when_it_matches(qtbot, window):
    window._select_row(3)
    search(qtbot, window, "budget")
    row = window.table.currentIndex().row()
    assert window.table_model.row_at(row).uid == window.article.uid == "u3"


@pytest.mark.parametrize(("column", "key"), [(2, "source"), (3, "spans"), (4, "tags")])
def test_every_column_with_an_arrow_sorts(qtbot, window, column, key):
    store = window.store
    for i, n in ((5, 3), (1, 2), (6, 1)):
        article = store.article_id(f"u{i}")
        for _ in range(n):
            store.add_span(article, 0, 7, "Person", "ana")
            store.set_tag(article, ["Diplomacy", "Energy", "Society"][_ % 3], "bob", True)
    window.reload_list()
    window.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    values = listed(window, column)
    folded = [v.casefold() if isinstance(v, str) else v for v in values]
    assert folded == sorted(folded) and len(set(values)) > 1
    window.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    folded = [v.casefold() if isinstance(v, str) else v for v in listed(window, column)]
    assert folded == sorted(folded, reverse=True)
    assert window.table_model.article_filter.sort == key
    header = window.table.horizontalHeader()
    assert header.sortIndicatorSection() == column and header.isSortIndicatorShown()


def test_a_column_that_cannot_sort_shows_no_arrow(qtbot, window):
    status = COLUMNS.index("Status")
    assert status not in SORTABLE
    header = window.table.horizontalHeader()
    before = listed(window, 0)
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(status) + 5, 5),
    )
    assert header.sortIndicatorSection() != status
    assert listed(window, 0) == before
    assert window.table_model.headerData(
        status, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )


def test_next_after_a_search_is_cleared_follows_the_article_being_read(qtbot, window):
    window._select_row(2)  # u2, a "sport" article, in date order
    search(qtbot, window, "budget")  # u2 is not a match
    search(qtbot, window, "")
    qtbot.keyClick(window.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert window.article.uid == "u3"
    qtbot.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.store.status(window.store.article_id("u3"), "ana") == "done"
    assert window.article.uid == "u4"


def test_mark_done_at_the_end_of_the_list_says_so(qtbot, window):
    last = window.table_model.rowCount() - 1
    window._select_row(last)
    reading = window.article.id
    qtbot.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.store.status(reading, "ana") == "done"
    assert window.article.id == reading
    assert LAST_ARTICLE in window.statusBar().currentMessage()
    qtbot.keyClick(window.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert LAST_ARTICLE in window.statusBar().currentMessage()


def test_a_first_span_shows_the_article_in_progress(qtbot, window):
    window._select_row(0)
    cursor = window.view.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(7, cursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)
    window.editing.apply_label("Person")
    assert window.table_model.row_at(0).status == "in progress"
    assert "in progress" in window.heading.text()
    spans = len(window.store.spans(window.article.id))
    assert f" {spans} span{'' if spans == 1 else 's'}<" in window.heading.text()


def test_best_matches_first(qtbot, window):
    window.store.add_articles([ArticleDraft("Nothing here.", "t", title="Budget budget")])
    window.reload_list()
    window.filter_bar.ranked.setChecked(True)  # no search yet: the list keeps its order
    assert window.table.horizontalHeader().isSortIndicatorShown()
    search(qtbot, window, "budget")
    assert window.table_model.row_at(0).uid == "t"  # the title match first
    assert not window.table.horizontalHeader().isSortIndicatorShown()
    window.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # a column ends it
    assert not window.filter_bar.ranked.isChecked()
    assert window.table.horizontalHeader().isSortIndicatorShown()
    assert listed(window, 0)[0] == "Budget budget"  # "B" before "T"
    assert window.filter_bar.search.toolTip().count("<code>") >= 6
