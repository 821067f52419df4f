"""Review in the window: both layers in their colours, keys through differences, decisions."""

import pytest
from PySide6.QtCore import Qt

from desktop_app.core.model import ADJUDICATED, ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.core.review import ItemClass
from desktop_app.paths import default_schema_path

TEXT = "Nino met Amélie in Tbilisi 🇬🇪 on Monday with Giorgi from Batumi."


def _add(store, who, text, label):
    start = TEXT.index(text)
    store.add_span(store.article_id("r1"), start, start + len(text), label, who)


@pytest.fixture
def window(tmp_path, show_window):
    store, _ = open_project(tmp_path / "team.sqlite", default_schema_path())
    store.add_articles([ArticleDraft(TEXT, "r1", title="Review me")])
    for who, text, label in (
        ("alice", "Nino", "Person"),
        ("bob", "Nino", "Person"),  # agreed
        ("alice", "Amélie", "Person"),
        ("bob", "Amélie", "Location"),  # different label
        ("alice", "Tbilisi", "Location"),
        ("bob", "Tbilisi 🇬🇪", "Location"),  # different boundary
        ("alice", "Giorgi", "Person"),  # missing in B
        ("bob", "Batumi", "Location"),  # extra in B
    ):
        _add(store, who, text, label)
    win = show_window(store, "rita")
    win.start_review()
    panel = win.review_panel
    panel.a_box.setCurrentText("alice")
    panel.b_box.setCurrentText("bob")
    yield win
    win.close()
    store.close()


def _classes(window):
    return [(i.item_class, (i.a or i.b).quote) for i in window.review_items]


def test_both_layers_are_painted_in_their_annotators_colours(window):
    highlighter = window.view._highlighter
    assert highlighter.color_by == "annotator"
    colors = window.store.annotator_colors()
    assert colors["alice"] != colors["bob"]
    assert highlighter.colors["alice"].name() == colors["alice"]
    painted = {s.annotator for s in window.view._spans.values()}
    assert painted == {"alice", "bob"}
    assert window.review_panel.shown_names() == {"alice", "bob"}  # ticked: always shown
    assert _classes(window) == [
        (ItemClass.LABEL, "Amélie"),
        (ItemClass.BOUNDARY, "Tbilisi"),
        (ItemClass.MISSING, "Giorgi"),
        (ItemClass.EXTRA, "Batumi"),
    ]


def test_keys_step_through_differences_and_decide(qtbot, window):
    table = window.review_panel.table
    table.setFocus()
    assert table.currentRow() == 0
    qtbot.keyClick(table, Qt.Key.Key_N)
    assert table.currentRow() == 1
    assert window.view.selected_range() == (TEXT.index("Tbilisi"), TEXT.index(" on Monday"))
    qtbot.keyClick(table, Qt.Key.Key_P)
    assert table.currentRow() == 0
    qtbot.keyClick(table, Qt.Key.Key_B)  # Amélie is a Location, as bob said
    assert table.currentRow() == 1  # moved on to the next difference
    qtbot.keyClick(table, Qt.Key.Key_A)  # Tbilisi without the flag
    qtbot.keyClick(table, Qt.Key.Key_R)  # Giorgi rejected
    qtbot.keyClick(table, Qt.Key.Key_B)  # Batumi accepted
    article = window.article.id
    layer = window.store.spans(article, ADJUDICATED)
    assert sorted((s.quote, s.label) for s in layer) == [
        ("Amélie", "Location"),
        ("Batumi", "Location"),
        ("Tbilisi", "Location"),
    ]
    decisions = window.store.decisions(article)
    assert len(decisions) == 4 and {d.decided_by for d in decisions.values()} == {"rita"}
    assert table.item(2, 4).text() == "rejected (rita)"
    window.review_panel.accept_agreed.click()
    assert "Nino" in {s.quote for s in window.store.spans(article, ADJUDICATED)}
    assert "0 to go" in window.review_panel.counts.text()


def test_undo_takes_a_decision_back(qtbot, window):
    table = window.review_panel.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_A)
    assert len(window.store.spans(window.article.id, ADJUDICATED)) == 1
    table.setCurrentCell(0, 0)
    qtbot.keyClick(table, Qt.Key.Key_U)
    assert window.store.spans(window.article.id, ADJUDICATED) == []
    assert table.item(0, 4).text() == ""


def test_f8_from_anywhere_goes_to_the_next_difference(qtbot, window):
    window.view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert window.review_panel.table.currentRow() == 1
    qtbot.keyClick(window, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert window.review_panel.table.currentRow() == 0


def test_accepting_a_side_that_has_nothing_is_refused(qtbot, window):
    table = window.review_panel.table
    table.setCurrentCell(2, 0)  # Giorgi: only alice marked it
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_B)
    assert window.store.decisions(window.article.id) == {}
    assert "nothing here" in window.statusBar().currentMessage()


def test_closing_review_shows_the_annotators_own_spans_again(window):
    window.review_dock.close()
    assert window.view._highlighter.color_by == "label"


def test_agreement_window_figures_and_disagreements_lead_to_the_text(qtbot, window):
    window.open_agreement()
    dialog = window.agreement_window
    dialog.compute.click()
    qtbot.waitUntil(lambda: dialog.outcome is not None)
    dialog.wait()
    assert "Person" in dialog.figures.toPlainText()
    table = dialog.table
    classes = [table.item(row, 2).text() for row in range(table.rowCount())]
    assert classes == ["different label", "different boundary", "missing", "extra"]
    window.review_dock.close()
    dialog._activated(3)  # Batumi, only bob marked it
    start = TEXT.index("Batumi")
    assert window.view.selected_range() == (start, start + len("Batumi"))
    assert window.article.uid == "r1"
