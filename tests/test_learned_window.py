"""Learned suggestions in the window: annotate a name here, see it suggested there."""

import pytest
from PySide6.QtCore import Qt

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path

ONE = "Nino Beridze met the ministers. Later Nino Beridze left."
TWO = "Minister Nino Beridze spoke in Tbilisi."


@pytest.fixture
def window(tmp_path, show_window):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles([ArticleDraft(ONE, "u1", title="A"), ArticleDraft(TWO, "u2", title="B")])
    window = show_window(store, "ana")
    window.resize(1000, 700)
    window.reading.open_article(store.article_id("u1"))
    yield window
    store.close()


def _drawn(window):
    text = window.context.article.text
    return [text[s:e] for s, e, _, _ in window.view.suggestions()]


def _annotate(qtbot, window, start, end, key=Qt.Key.Key_P):
    window.view.setFocus()
    window.view.select_range(start, end)
    qtbot.keyClick(window.view, key)


def test_a_name_annotated_here_is_suggested_there_and_further_on_here(qtbot, window):
    store = window.context.store
    assert window.learning.on  # on by default
    _annotate(qtbot, window, 0, 12)
    [span] = store.spans(store.article_id("u1"))
    assert span.quote == "Nino Beridze"
    # At once, in the same article: the second occurrence is proposed.
    assert _drawn(window) == ["Nino Beridze"]
    [here] = window.suggesting.suggestions()
    assert (here.start, here.source, here.label) == (ONE.rindex("Nino"), "learned", "Person")
    window.reading.open_article(store.article_id("u2"))
    assert _drawn(window) == ["Nino Beridze"]
    [there] = window.suggesting.suggestions()
    assert "was annotated Person 1 of 1 times" in there.explanation
    assert "learned" in window.view.tooltip_at(there.start)
    # Accepting it adds a span with provenance: it teaches the model nothing.
    window.view.select_range(0, 0)
    qtbot.keyClick(window.view, Qt.Key.Key_N)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert _drawn(window) == []
    assert window.learning.model.lookup("Nino Beridze").total == 1


def test_an_edit_updates_the_open_articles_suggestions(qtbot, window):
    store = window.context.store
    _annotate(qtbot, window, 0, 12)
    assert _drawn(window) == ["Nino Beridze"]
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo
    assert store.spans(store.article_id("u1")) == []
    assert _drawn(window) == []
    assert window.learning.model.learned() == []
    assert window.learning.last_ms > 0


def test_the_switch_is_remembered_and_off_removes_them(qtbot, window):
    _annotate(qtbot, window, 0, 12)
    assert _drawn(window) == ["Nino Beridze"]
    window.learning.action.trigger()  # off
    assert not window.learning.on
    assert _drawn(window) == []
    assert window.settings.value("suggest/learned", type=bool) is False
    window.reading.open_article(window.context.store.article_id("u2"))
    assert _drawn(window) == []
    window.learning.action.trigger()  # on again
    assert _drawn(window) == ["Nino Beridze"]


def test_spans_made_elsewhere_are_learned_when_an_article_opens(qtbot, window):
    store = window.context.store
    window.reading.open_article(store.article_id("u2"))
    assert _drawn(window) == []
    # Another article changes without this window's edit signal (as a merge or import would).
    store.add_span(store.article_id("u1"), 0, 12, "Person", "ben")
    window.reading.open_article(store.article_id("u1"))
    window.reading.open_article(store.article_id("u2"))
    assert _drawn(window) == ["Nino Beridze"]


def test_an_edit_that_also_changed_other_articles_reads_everything_again(qtbot, window):
    store = window.context.store
    two = store.article_id("u2")
    window.reading.open_article(two)
    # As annotate-all over a scope does: spans in other articles, then the edit signal.
    store.add_span(store.article_id("u1"), 0, 12, "Person", "ana")
    window.context.annotations_changed.emit()
    assert _drawn(window) == ["Nino Beridze"]
    # An edit in this article alone: only its evidence is read (the counts outside agree).
    start = TWO.index("Tbilisi")
    _annotate(qtbot, window, start, start + 7, Qt.Key.Key_L)
    assert window.learning.model.lookup("Tbilisi").label == "Location"
