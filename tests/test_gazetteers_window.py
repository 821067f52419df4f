"""Labels > Gazetteers… in the window: load with a report, switch on/off, re-apply with
progress, cancel, export and remove."""

import pytest
from PySide6.QtCore import Qt
from window_helpers import menu_action

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path

TEXT = "Nino Beridze spoke in Tbilisi about South Caucasus Rail."


@pytest.fixture
def window(tmp_path, show_window):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles(
        [ArticleDraft(TEXT, "u1", title="A"), ArticleDraft("Tbilisi, again.", "u2", title="B")]
    )
    window = show_window(store, "ana")
    yield window
    store.close()


@pytest.fixture
def gaz(tmp_path):
    path = tmp_path / "names.tsv"
    path.write_text(
        "# people and places\nNino Beridze\tPerson\nTbilisi\tLocation\nno tab\n"
        "South Caucasus Rail\tCompany\n",
        encoding="utf-8",
    )
    return path


def test_load_reports_unknown_labels_and_bad_lines_then_reapply(qtbot, window, gaz, monkeypatch):
    menu_action(window, "&Labels", "&Gazetteers…").trigger()
    dialog = window.gazetteers.dialog
    assert dialog is not None and dialog.isVisible() and dialog.table.rowCount() == 0
    monkeypatch.setattr(window.gazetteers.shell.dialogs, "open_file", lambda *_: str(gaz))
    dialog.load.click()
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "names.tsv"
    assert dialog.table.item(0, 2).text() == "2"
    assert dialog.chosen() == "names.tsv"
    said = dialog.status.text()
    assert "labels not in the project (terms left out): 'Company' (1)" in said
    assert f"{gaz}:4: no tab between the term and its label" in said
    assert window.store.suggestions() == []  # existing articles: on demand only
    dialog.apply_all.click()
    assert dialog.progress.isVisible() and not dialog.apply_all.isEnabled()
    qtbot.waitUntil(lambda: not window.gazetteers.busy() and not dialog.progress.isVisible())
    assert "3 suggestions stored on 2 articles" in dialog.status.text()
    # The open article's suggestions are drawn at once.
    drawn = [TEXT[s:e] for s, e, _, _ in window.view.suggestions()]
    assert drawn == ["Nino Beridze", "Tbilisi"]


def test_switch_off_takes_suggestions_away_and_filter_scope(qtbot, window, gaz):
    dialog = window.gazetteers.open_dialog()
    window.gazetteers.load(gaz)
    on = dialog.table.item(0, 0)
    on.setCheckState(Qt.CheckState.Unchecked)
    assert not window.store.gazetteer("names.tsv").enabled
    dialog.apply_filter.click()
    assert "No gazetteer is switched on" in dialog.status.text()
    dialog.table.item(0, 0).setCheckState(Qt.CheckState.Checked)
    window.filter_bar.search.setText("again")
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 1)
    dialog.apply_filter.click()
    qtbot.waitUntil(lambda: not window.gazetteers.busy() and not dialog.progress.isVisible())
    assert "1 suggestions stored on 1 articles" in dialog.status.text()
    dialog.table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert "1 pending suggestions taken away" in dialog.status.text()
    assert window.store.suggestions() == []


def test_cancel_stops_the_reapply(qtbot, window, gaz, monkeypatch):
    dialog = window.gazetteers.open_dialog()
    window.gazetteers.load(gaz)
    # The run asks before each batch whether to stop: here it is told to at the first.
    monkeypatch.setattr(window.gazetteers, "_is_cancelled", lambda: True)
    window.gazetteers.start_apply("all")
    assert dialog.cancel.isVisible()
    dialog.cancel.click()
    assert window.gazetteers._cancelled
    qtbot.waitUntil(lambda: not window.gazetteers.busy() and not dialog.progress.isVisible())
    assert "0 suggestions stored on 0 articles" in dialog.status.text()
    assert "cancelled before the end" in dialog.status.text()
    assert window.store.suggestions() == []


def test_export_and_remove(qtbot, window, gaz, tmp_path, monkeypatch):
    dialog = window.gazetteers.open_dialog()
    window.gazetteers.load(gaz)
    out = tmp_path / "out.tsv"
    monkeypatch.setattr(window.gazetteers.shell.dialogs, "save_file", lambda *_: (str(out), ""))
    dialog.export.click()
    assert out.read_text(encoding="utf-8").endswith("Nino Beridze\tPerson\nTbilisi\tLocation\n")
    assert f"2 terms written to {out}" in dialog.status.text()
    window.gazetteers.remove("names.tsv", confirmed=True)
    assert dialog.table.rowCount() == 0 and window.store.gazetteers() == []
    window.gazetteers.load(tmp_path / "missing.tsv")
    assert "Not loaded:" in dialog.status.text() and "missing.tsv" in dialog.status.text()
