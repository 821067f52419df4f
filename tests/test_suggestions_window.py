"""Suggestions in the window: drawn dotted, Enter/A accept, X reject, N/P walk them."""

import pytest
from PySide6.QtCore import Qt

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.core.store.suggestions import Proposal
from desktop_app.paths import default_schema_path

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
    window.resize(1000, 700)
    assert window.suggesting.suggestions()  # the first article is shown with its suggestions
    yield window
    store.close()


def test_suggestions_are_drawn_with_a_tooltip_and_never_as_spans(window):
    view = window.view
    drawn = view.suggestions()
    assert [TEXT[s:e] for s, e, _, _ in drawn] == ["5 March 2024", "$3.5 million"]
    assert drawn[0][2] == window.context.labels["Date/Time"].color
    assert "Suggested Date/Time" in view.tooltip_at(drawn[0][0])
    assert "command:test" in view.tooltip_at(drawn[0][0])
    assert view.spans_at(drawn[0][0]) == []
    assert view.range_rects(drawn[0][0], drawn[0][1])  # painted where the text is


def test_keys_walk_accept_reject_and_undo(qtbot, window):
    view, store = window.view, window.context.store
    view.setFocus()
    view.select_range(0, 0)
    qtbot.keyClick(view, Qt.Key.Key_N)
    assert view.current_suggestion() == 0
    qtbot.keyClick(view, Qt.Key.Key_N)
    qtbot.keyClick(view, Qt.Key.Key_P)
    assert view.current_suggestion() == 0
    qtbot.keyClick(view, Qt.Key.Key_Return)
    [span] = store.spans(window.context.article.id)
    assert (span.quote, span.label, span.annotator) == ("5 March 2024", "Date/Time", "ana")
    assert store.span_provenance(span.uuid)["source"] == "command:test"
    assert [TEXT[s:e] for s, e, _, _ in view.suggestions()] == ["$3.5 million"]
    qtbot.keyClick(view, Qt.Key.Key_N)
    qtbot.keyClick(view, Qt.Key.Key_X)
    assert view.suggestions() == [] and store.suggestions() == []
    window.context.editor.undo()  # the rejection is taken back
    window.context.annotations_changed.emit()
    assert [TEXT[s:e] for s, e, _, _ in view.suggestions()] == ["$3.5 million"]


def test_label_keys_still_label_a_selection(qtbot, window):
    view, store = window.view, window.context.store
    view.setFocus()
    start = TEXT.index("Bob Smith")
    view.select_range(start, start + 9)
    qtbot.keyClick(view, Qt.Key.Key_P)  # Person's key, not "previous suggestion"
    assert [s.label for s in store.spans(window.context.article.id)] == ["Person"]
