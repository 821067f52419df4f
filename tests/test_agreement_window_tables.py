"""Tools > Agreement as tables, only real annotators, disagreements beside the article; the
Review dock's decisions and boundary differences in plain words."""

import pytest
from PySide6.QtCore import QPoint, QRect, Qt

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path

TEXT = "Nino met Amélie in Tbilisi 🇬🇪 on Monday with Giorgi from Batumi."


@pytest.fixture
def window(tmp_path, show_window):
    store, _ = open_project(tmp_path / "team.sqlite", default_schema_path())
    store.add_articles([ArticleDraft(TEXT, "r1", title="Review me")])
    article = store.article_id("r1")
    for who, text, label in (
        ("alice", "Nino", "Person"),
        ("bob", "Nino", "Person"),
        ("alice", "Amélie", "Person"),
        ("bob", "Amélie", "Location"),
        ("alice", "Tbilisi", "Location"),
        ("bob", "Tbilisi 🇬🇪", "Location"),
        ("alice", "Giorgi", "Person"),
        ("bob", "Batumi", "Location"),
        ("carl", "Batumi", "Location"),
    ):
        start = TEXT.index(text)
        store.add_span(article, start, start + len(text), label, who)
    store.ensure_annotator("mallory")  # a login name that never annotated anything
    win = show_window(store, "rita")
    yield win
    win.close()
    store.close()


def computed(qtbot, window):
    window.open_agreement()
    dialog = window.agreement_window
    dialog.compute.click()
    qtbot.waitUntil(lambda: dialog.outcome is not None)
    dialog.wait()
    return dialog


def column(table, name):
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    return headers.index(name)


def test_agreement_lists_only_annotators_and_defaults_to_the_two_most_active(qtbot, window):
    window.open_agreement()
    dialog = window.agreement_window
    names = [dialog.annotators.item(r).data(Qt.ItemDataRole.UserRole) for r in
             range(dialog.annotators.count())]  # fmt: skip
    assert names == ["alice", "bob", "carl"]  # most active first; rita, mallory never annotated
    assert dialog.chosen() == ["alice", "bob"]
    assert (dialog.a_box.currentText(), dialog.b_box.currentText()) == ("alice", "bob")


def test_agreement_figures_are_tables_per_label(qtbot, window):
    dialog = computed(qtbot, window)
    spans = dialog.span_table
    rows = {spans.item(r, column(spans, "Label")).text(): r for r in range(spans.rowCount())}
    person = rows["Person"]  # alice: Nino, Amélie, Giorgi; bob: Nino
    assert spans.item(person, column(spans, "Matched")).text() == "1"
    assert spans.item(person, column(spans, "Precision")).text() == "1.00"
    assert spans.item(person, column(spans, "Recall")).text() == "0.33"
    assert spans.item(person, column(spans, "F1")).text() == "0.50"
    alphas = dialog.alpha_table
    labels = {alphas.item(r, 1).text() for r in range(alphas.rowCount())}
    assert {"Person", "Location"} <= labels


def test_disagreements_show_title_and_quote_and_open_beside_the_window(qtbot, window):
    window.resize(520, 420)
    window.move(0, 0)
    dialog = computed(qtbot, window)
    table = dialog.table
    assert table.item(0, 0).text() == "Review me"
    quotes = [table.item(r, column(table, "Text")).text() for r in range(table.rowCount())]
    assert quotes == ["Amélie", "Tbilisi 🇬🇪", "Giorgi", "Batumi"]
    table.setCurrentCell(3, 0)
    dialog._activated(3)
    start = TEXT.index("Batumi")
    assert window.view.selected_range() == (start, start + len("Batumi"))
    assert window.table.currentIndex().row() == 0  # the list selects it
    view = window.view.viewport()
    shown = QRect(view.mapToGlobal(QPoint(0, 0)), view.size())
    assert not dialog.frameGeometry().intersects(shown)


def test_review_dock_says_whose_version_was_decided_and_shows_both_boundaries(qtbot, window):
    window.start_review()
    panel = window.review_panel
    offered = [panel.a_box.itemText(i) for i in range(panel.a_box.count())]
    assert offered == ["alice", "bob", "carl"]  # not rita (logged in) nor mallory
    panel.a_box.setCurrentText("alice")
    panel.b_box.setCurrentText("bob")
    table = panel.table
    boundary = table.item(1, 1).text()
    a_start, b_end = TEXT.index("Tbilisi"), TEXT.index(" on Monday")
    assert f"“Tbilisi” {a_start}–{a_start + 7}" in boundary
    assert f"“Tbilisi 🇬🇪” {a_start}–{b_end}" in boundary
    table.setCurrentCell(1, 0)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_A)
    assert table.item(1, 4).text() == "accepted alice's version (rita)"
    table.setCurrentCell(1, 0)
    assert "Decided: accepted alice's version" in panel.details.text()
    assert "“Tbilisi 🇬🇪”" in panel.details.text()
