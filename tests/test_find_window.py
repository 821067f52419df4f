"""Hits of the list's search and of Find in article, outlined in the text (issue 14 item 7)."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
THUMB = "\U0001f44d\U0001f3fd"
TEXT = (
    f"{THUMB} Budget talks: the budget office met.\n"
    f"{THUMB}{THUMB} Ministers said budgetary rules and the Budget act would change."
)


@pytest.fixture
def window(tmp_path, show_window):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles([ArticleDraft(TEXT, "u1", title="A"), ArticleDraft("Other", "u2")])
    window = show_window(store, "ana")
    window.resize(1200, 800)
    yield window
    store.close()


def quotes(window):
    return [TEXT[a:b] for a, b in window.view.hits()]


def test_list_search_terms_are_outlined_and_f3_walks_them(qtbot, window):
    window.filter_bar.search.setText("budg*")
    qtbot.waitUntil(lambda: len(window.view.hits()) == 4)
    assert quotes(window) == ["Budget", "budget", "budgetary", "Budget"]
    window.view.setFocus()
    window.view.select_range(0, 0)
    qtbot.keyClick(window.view, Qt.Key.Key_F3)
    assert window.statusBar().currentMessage() == "Hit 1 of 4"
    assert window.view.selected_range() == window.view.hits()[0]
    qtbot.keyClick(window.view, Qt.Key.Key_F3)
    assert window.statusBar().currentMessage() == "Hit 2 of 4"
    qtbot.keyClick(window.view, Qt.Key.Key_F3, SHIFT)
    qtbot.keyClick(window.view, Qt.Key.Key_F3, SHIFT)
    assert window.statusBar().currentMessage() == "Hit 4 of 4"  # round to the last
    assert window.view.range_rects(*window.view.hits()[0])  # painted where the text is


def test_ctrl_f_in_the_text_finds_in_the_article_and_in_the_list_searches(qtbot, window):
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F, CTRL)
    bar = window.finding.bar
    assert bar.isVisible() and QApplication.focusWidget() is bar.field
    qtbot.keyClicks(bar.field, "budget")
    assert quotes(window) == ["Budget", "budget", "budget", "Budget"]
    bar.whole.setChecked(True)
    assert quotes(window) == ["Budget", "budget", "Budget"]
    bar.case.setChecked(True)
    assert quotes(window) == ["budget"]
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    start = TEXT.index("budget office")
    assert window.view.selected_range() == (start, start + 6)  # code points, past the emoji
    bar.field.setText(r"B\w+t\b")
    bar.regex.setChecked(True)
    assert quotes(window) == ["Budget", "Budget"]
    bar.field.setText("(")
    assert window.view.hits() == [] and "regular expression" in window.statusBar().currentMessage()
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert not bar.isVisible() and window.view.hits() == []
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is window.filter_bar.search
