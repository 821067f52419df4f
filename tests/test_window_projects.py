"""One window, one project after another: closing a project lets it go whole, and every
feature then works on the next one."""

import pytest
from PySide6.QtCore import Qt

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.core.store import Store
from desktop_app.paths import default_schema_path
from desktop_app.ui.safety_actions import CHECKING


def _project(path, uid, text):
    store, _ = open_project(path, default_schema_path())
    store.add_articles([ArticleDraft(text, uid, title=uid.upper())])
    return store


def _label(qtbot, window, needle, key):
    """Select `needle` in the open article and press a label's key, as an analyst does."""
    start = window.article.text.index(needle)
    window.view.select_range(start, start + len(needle))
    window.view.setFocus()
    qtbot.keyClick(window.view, key)


def _live_spans(path, uid):
    store = Store.open(path, read_only=True)
    try:
        return [(s.quote, s.label) for s in store.spans(store.article_id(uid))]
    finally:
        store.close()


@pytest.fixture
def paths(tmp_path):
    return tmp_path / "a.sqlite", tmp_path / "b.sqlite"


def test_switching_projects_lets_the_first_go_and_works_on_the_second(qtbot, show_window, paths):
    path_a, path_b = paths
    window = show_window(_project(path_a, "a1", "Nino met Amélie in Tbilisi 🇬🇪."), "ana")
    heard = []
    for name in ("project_closing", "project_closed", "project_opened"):
        getattr(window.context, name).connect(lambda name=name: heard.append(name))
    _label(qtbot, window, "Nino", Qt.Key.Key_P)
    window.filter_bar.search.setText("Tbilisi")
    window.filter_bar.apply_now()
    assert window.undo_action.isEnabled() and window.table_model.rowCount() == 1

    store_b = _project(path_b, "b1", "Giorgi from Batumi wrote about energy.")
    store_b.add_articles([ArticleDraft("A second article in B.", "b2", title="B2")])
    window.open_project(store_b)

    assert heard == ["project_closing", "project_closed", "project_opened"]
    Store.open(path_a).close()  # A's writer lock was released: a writer may open it now
    assert "b.sqlite" in window.windowTitle()
    qtbot.waitUntil(lambda: window.store.read_only != CHECKING)  # B's own opening check
    assert window.store is store_b
    assert window.filter_bar.search.text() == ""  # A's search does not hide B's articles
    assert window.table_model.rowCount() == 2
    assert {window.table_model.row_at(r).uid for r in range(2)} == {"b1", "b2"}
    assert window.article.uid in {"b1", "b2"}
    assert not window.undo_action.isEnabled()  # A's edits are not B's to undo
    assert window.editor.store is store_b

    window._select_row(window.table_model.row_of(store_b.article_id("b1")))
    _label(qtbot, window, "Batumi", Qt.Key.Key_L)
    assert [(s.quote, s.label) for s in store_b.spans(store_b.article_id("b1"))] == [
        ("Batumi", "Location")
    ]
    assert window.annotation_list.count() == 1
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store_b.spans(store_b.article_id("b1")) == []
    assert not window.undo_action.isEnabled()  # nothing of A's behind B's one step
    window.undo()  # and Undo with nothing to undo touches neither project
    assert _live_spans(path_a, "a1") == [("Nino", "Person")]  # A kept its edit

    window.close_project()
    assert heard[-2:] == ["project_closing", "project_closed"]
    Store.open(path_b).close()  # B's lock was released too
    assert window.windowTitle() == "Marginalia"
    assert window.article is None and window.table_model.rowCount() == 0
    assert window.annotation_list.count() == 0 and window.label_palette.buttons == {}
    assert not window.undo_action.isEnabled()
    window.close()


def test_import_review_and_export_follow_the_new_project(qtbot, show_window, paths, tmp_path):
    path_a, path_b = paths
    store_a = _project(path_a, "a1", "Nino met Amélie in Tbilisi.")
    store_a.add_span(store_a.article_id("a1"), 0, 4, "Person", "alice")
    window = show_window(store_a, "ana")
    window.start_review()
    assert (
        "alice" in window.review_panel.a_box.currentText() + window.review_panel.b_box.currentText()
    )
    store_b = _project(path_b, "b1", "Giorgi from Batumi.")
    store_b.add_span(store_b.article_id("b1"), 0, 6, "Person", "bob")
    window.open_project(store_b)
    qtbot.waitUntil(lambda: window.store.read_only != CHECKING)
    boxes = {
        window.review_panel.a_box.itemText(i) for i in range(window.review_panel.a_box.count())
    }
    assert "bob" in boxes and "alice" not in boxes  # the dock lists B's annotators
    assert {s.annotator for s in window.view._spans.values()} == {"bob"}  # painted from B
    dropped = tmp_path / "new.txt"
    dropped.write_text("Imported headline\n\nImported into B.", encoding="utf-8")
    window.start_import([dropped])
    qtbot.waitUntil(lambda: window.last_import is not None, timeout=20000)
    assert window.last_import.added == 1 and store_b.article_total() == 2
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 2)
    assert window.export_to(tmp_path / "b.jsonl") == 2  # B's two articles, none of A's
    window.close_project()
    store_a = Store.open(path_a, read_only=True)
    assert store_a.article_total() == 1
    store_a.close()
    window.close()


def test_closing_the_window_settles_the_project_and_leaves_it_open(qtbot, show_window, paths):
    path_a, _ = paths
    store = _project(path_a, "a1", "Nino met Amélie in Tbilisi.")
    window = show_window(store, "ana")
    heard = []
    window.context.project_closing.connect(lambda: heard.append("closing"))
    window.context.project_closed.connect(lambda: heard.append("closed"))
    window.close()
    assert heard == ["closing"]  # the closing backup ran; the store is its opener's
    assert store.article_id("a1") is not None
    window.close_project()  # what app.main does after the event loop: now it goes
    assert heard == ["closing", "closed"]  # settled once, not twice
    Store.open(path_a).close()


def test_a_feature_asked_to_work_without_a_project_says_so(qtbot, show_window, paths):
    path_a, _ = paths
    window = show_window(_project(path_a, "a1", "Nino met Amélie in Tbilisi."), "ana")
    window.close_project()
    window.start_import([path_a])
    assert "Open a project first" in window.statusBar().currentMessage()
    window.start_merge(path_a)
    assert "Open a project first" in window.statusBar().currentMessage()
    window.label_palette.labelChosen.emit("Person")
    assert "Open an article first" in window.statusBar().currentMessage()
    window.close()
