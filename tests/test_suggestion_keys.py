"""Suggestion keys beside label keys: Alt+Down/Alt+Up always walk, N/P give way to a selected
span's relabelling, and the keyboard sheet lists them."""

import pytest
from PySide6.QtCore import Qt

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.core.store.suggestions import Proposal
from desktop_app.paths import default_schema_path
from desktop_app.ui.shortcut_sheet import collect_shortcuts

TEXT = "On 5 March 2024 the ministry paid $3.5 million to Bob Smith."


@pytest.fixture
def window(tmp_path, show_window):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles([ArticleDraft(TEXT, "u1", title="A")])
    a = store.article_id("u1")
    date, money = TEXT.index("5 March 2024"), TEXT.index("$3.5 million")
    store.add_suggestions(
        "command:test",
        [
            Proposal(a, date, date + 12, "Date/Time", 0.8, "a date"),
            Proposal(a, money, money + 12, "Number/Figure", 0.9, "money"),
        ],
    )
    window = show_window(store, "ana")
    assert window.suggesting.suggestions()
    yield window
    store.close()


def test_alt_down_and_alt_up_walk_even_with_text_selected(qtbot, window):
    view = window.view
    view.setFocus()
    start = TEXT.index("Bob Smith")
    view.select_range(start, start + 9)
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(view, Qt.Key.Key_Down, alt)
    first = view.current_suggestion()
    assert first in (0, 1)
    qtbot.keyClick(view, Qt.Key.Key_Down, alt)
    assert view.current_suggestion() == 1 - first
    qtbot.keyClick(view, Qt.Key.Key_Up, alt)
    assert view.current_suggestion() == first
    assert window.context.store.spans(window.context.article.id) == []  # nothing labelled


def test_a_label_key_relabels_the_selected_span_in_an_article_with_suggestions(qtbot, window):
    view, store = window.view, window.context.store
    article = window.context.article.id
    start = TEXT.index("Bob Smith")
    span = window.editor.add_span(article, start, start + 9, "Number/Figure")
    window.context.annotations_changed.emit()
    view.setFocus()
    view.select_range(0, 0)
    view.set_selected_span(span.uuid)
    qtbot.keyClick(view, Qt.Key.Key_P)  # Person's key: relabel, not "previous suggestion"
    assert [s.label for s in store.spans(article)] == ["Person"]
    assert view.current_suggestion() == -1
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # still walks
    assert view.current_suggestion() in (0, 1)
    assert [s.label for s in store.spans(article)] == ["Person"]


def test_the_keyboard_sheet_lists_the_suggestion_keys(window):
    groups = collect_shortcuts(window)
    (group,) = [name for name in groups if name.startswith("Article text")]
    keys = dict((keys, text) for text, keys in groups[group])
    assert "Alt+Down / N" in keys and "Alt+Up / P" in keys
    assert "Enter / A" in keys and "X" in keys
