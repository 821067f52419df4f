"""The window driven as an analyst drives it: select, press a key, read the store."""

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QInputDialog, QMessageBox

from desktop_app.core.importing import import_paths
from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path
from desktop_app.ui.dialogs import LabelDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.offsets import OffsetMap

UNICODE = (
    "Tbilisi 🇬🇪: ნინო ბერიძე met 李明 and محمد in القاهرة. "
    "Ame\u0301lie (decomposed) wrote 👍🏽 and 👩‍🔬 on 2024-05-20.\n"
    "Second paragraph with more text for selection."
)


@pytest.fixture
def project(tmp_path):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles(
        [
            ArticleDraft(UNICODE, "u1", title="Unicode", published="2024-05-20"),
            ArticleDraft(
                "Plain article about energy.", "u2", title="Plain", published="2024-05-21"
            ),
            ArticleDraft(
                "Third article on diplomacy.", "u3", title="Third", published="2024-05-22"
            ),
        ]
    )
    yield store, tmp_path
    store.close()


@pytest.fixture
def window(project, show_window):
    store, _ = project
    return show_window(store, "ana")


def select(window, needle, occurrence=0):
    """Select `needle` in the view the way a user would: a text cursor at Qt positions."""
    text = window.article.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    offsets = OffsetMap(text)
    cursor = window.view.textCursor()
    cursor.setPosition(offsets.to_qt(start))
    cursor.setPosition(offsets.to_qt(start + len(needle)), QTextCursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)
    window.view.setFocus()


def show(window, uid):
    window._select_row(window.table_model.row_of(window.store.article_id(uid)))
    assert window.article.uid == uid


@pytest.mark.parametrize(
    "needle", ["🇬🇪", "ნინო ბერიძე", "李明", "محمد", "القاهرة", "Ame\u0301lie", "👍🏽", "👩‍🔬"]
)
def test_select_and_press_key_saves_code_point_span(qtbot, window, needle):
    show(window, "u1")
    select(window, needle)
    qtbot.keyClick(window.view, Qt.Key.Key_P)
    [span] = window.store.spans(window.article.id)
    article = window.store.article(window.article.id)
    assert span.quote == needle == article.text[span.start : span.end]
    assert (span.label, span.annotator) == ("Person", "ana")
    assert "Saved" in window.statusBar().currentMessage()


def test_crlf_file_spans_match_stored_text(qtbot, window, tmp_path):
    source = tmp_path / "crlf" / "note.txt"
    source.parent.mkdir()
    source.write_bytes("Headline\r\n\r\nFirst line\r\nSecond 🇪🇺 line\rThird\r\n".encode())
    import_paths(window.store, [source])
    window.reload_list()
    show(window, "crlf/note")
    assert "\r" not in window.article.text
    select(window, "🇪🇺 line\nThird")
    qtbot.keyClick(window.view, Qt.Key.Key_L)
    [span] = window.store.spans(window.article.id)
    assert span.quote == "🇪🇺 line\nThird" and span.label == "Location"


def test_palette_click_labels_and_trims_white_space(qtbot, window):
    show(window, "u2")
    select(window, " energy")
    qtbot.mouseClick(window.label_palette.buttons["Organization"], Qt.MouseButton.LeftButton)
    [span] = window.store.spans(window.article.id)
    assert (span.quote, span.label) == ("energy", "Organization")


def test_overlapping_spans_delete_undo_redo(qtbot, window):
    show(window, "u1")
    select(window, "ნინო ბერიძე")
    qtbot.keyClick(window.view, Qt.Key.Key_P)
    select(window, "ბერიძე")
    qtbot.keyClick(window.view, Qt.Key.Key_O)
    spans = window.store.spans(window.article.id)
    assert {s.quote for s in spans} == {"ნინო ბერიძე", "ბერიძე"}
    assert window.annotation_list.count() == 2
    inner = next(s for s in spans if s.quote == "ბერიძე")
    window.select_span(inner.uuid)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert [s.quote for s in window.store.spans(window.article.id)] == ["ნინო ბერიძე"]
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.store.spans(window.article.id)) == 2
    qtbot.keyClick(
        window.view,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert len(window.store.spans(window.article.id)) == 1


def test_undo_goes_back_to_the_other_article(qtbot, window):
    show(window, "u2")
    select(window, "energy")
    qtbot.keyClick(window.view, Qt.Key.Key_E)
    show(window, "u3")
    window.undo()
    assert window.article.uid == "u2"
    assert window.store.spans(window.article.id) == []


def test_key_with_selected_span_relabels_it(qtbot, window):
    show(window, "u2")
    select(window, "energy")
    qtbot.keyClick(window.view, Qt.Key.Key_P)
    [span] = window.store.spans(window.article.id)
    window.view.select_range(0, 0)
    window.select_span(span.uuid)
    qtbot.keyClick(window.view, Qt.Key.Key_O)
    assert window.store.span(span.uuid).label == "Organization"


def test_document_tag_key_and_checkbox(qtbot, window):
    show(window, "u2")
    qtbot.keyClick(window.view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    tags = window.store.tags(window.article.id)
    assert [t.label for t in tags] == ["Politics"]
    assert window.tag_panel.boxes["Politics"].isChecked()
    window.tag_panel.boxes["Energy"].click()
    assert {t.label for t in window.store.tags(window.article.id)} == {"Politics", "Energy"}
    window.tag_panel.boxes["Politics"].click()
    assert [t.label for t in window.store.tags(window.article.id)] == ["Energy"]


def test_mark_done_and_next(qtbot, window):
    window._select_row(0)
    first = window.article.id
    qtbot.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.store.status(first, "ana") == "done"
    assert window.article.id != first
    assert window.table_model.row_at(0).status == "done"


def test_search_and_filters_drive_the_list(qtbot, window):
    assert window.table_model.rowCount() == 3
    window.filter_bar.search.setText('diplomacy "unbalanced')
    window.filter_bar.apply_now()
    assert window.table_model.rowCount() == 0
    window.filter_bar.search.setText("diplomacy")
    window.filter_bar.apply_now()
    assert window.table_model.rowCount() == 1
    window.filter_bar.search.returnPressed.emit()  # Enter opens the first match (issue 14)
    assert window.article.uid == "u3"
    window.filter_bar.search.setText("")
    window.filter_bar.apply_now()
    show(window, "u2")
    window.toggle_tag("Energy", True)
    window.refresh_filter_choices()
    combo = window.filter_bar.tag
    combo.setCurrentIndex(combo.findData("Energy"))
    assert window.table_model.rowCount() == 1
    assert window.table_model.row_at(0).uid == "u2"


def test_sorting_by_title(qtbot, window):
    window.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    titles = [window.table_model.row_at(r).title for r in range(3)]
    assert titles == ["Plain", "Third", "Unicode"]
    window.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert window.table_model.row_at(0).title == "Unicode"


def test_switch_annotator_records_new_name(qtbot, window, monkeypatch):
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("bea", True))
    window.switch_annotator()
    assert "bea" in window.annotator_button.text()
    assert window.settings.value("annotator") == "bea"
    show(window, "u2")
    select(window, "energy")
    qtbot.keyClick(window.view, Qt.Key.Key_P)
    assert [s.annotator for s in window.store.spans(window.article.id)] == ["bea"]


def test_background_import_keeps_window_responsive(qtbot, window, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(600):
        (folder / f"{i:03d}_{i:016x}.txt").write_text(f" date 2024-01-01 Article {i} text.")
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    ticks = []
    window.start_import([folder])
    assert window.progress.isVisible()
    qtbot.waitUntil(lambda: ticks.append(1) or not window.import_job.running, timeout=30000)
    qtbot.waitUntil(lambda: window.last_import is not None, timeout=10000)
    assert window.last_import.added == 600
    assert "broken.txt" in str(window.last_import.problems[0])
    # The list is recounted on the event loop's next turn after the import's report.
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 603, timeout=5000)
    assert not window.progress.isVisible()
    window.import_report_box.close()


def test_layout_is_remembered(qtbot, project, window):
    # The offscreen screen is small, so stay inside it.
    window.resize(611, 433)
    window.labels_dock.hide()
    window.close()
    again = MainWindow(window.store, window.settings, "ana")
    qtbot.addWidget(again)
    assert again.size().height() == 433  # width is clamped by the offscreen screen
    assert again.labels_dock.isHidden()


def test_schema_error_names_file_and_line(qtbot, window, tmp_path, monkeypatch):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nspan_labels:\n  - {name: A, color: '#zzz'}\n")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    assert not window.load_schema(bad)
    assert "bad.yaml:3" in shown[0]
    good = tmp_path / "good.yaml"
    good.write_text("name: y\nspan_labels:\n  - {name: Actor, key: a}\n")
    # Load schema now asks Merge or Replace first (issue 14, item 11).
    monkeypatch.setattr(window.labelling, "ask_merge_or_replace", lambda path, changes: "replace")
    assert window.load_schema(good)
    assert "Actor" in window.label_palette.buttons


def test_label_dialog_validates_and_adds(qtbot, window):
    dialog = LabelDialog(lambda lb: window._check_label(lb, None), parent=window)
    qtbot.addWidget(dialog)
    dialog.name.setText("Weapon")
    dialog.key.setKeySequence("p")  # taken by Person
    dialog._accept()
    assert "p" in dialog.error.text().lower() and dialog.result_label is None
    dialog.key.setKeySequence("w")
    dialog._accept()
    assert dialog.result_label.name == "Weapon"
    window.store.save_label(dialog.result_label)
    window.reload_labels()
    show(window, "u2")
    select(window, "energy")
    qtbot.keyClick(window.view, Qt.Key.Key_W)
    assert window.store.spans(window.article.id)[0].label == "Weapon"


def test_export_writes_the_filtered_list(qtbot, window, tmp_path):
    show(window, "u2")
    select(window, "energy")
    qtbot.keyClick(window.view, Qt.Key.Key_P)
    out = tmp_path / "out.jsonl"
    assert window.export_to(out) == 3
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["spans"][0]["quote"] for r in records if r["spans"]] == ["energy"]


def test_export_dialog_formats_say_what_they_cannot_carry(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from desktop_app.ui.export_actions import EXPORT_FILTERS

    show(window, "u2")
    select(window, "energy")
    qtbot.keyClick(window.view, Qt.Key.Key_P)
    window.store.update_span(window.store.spans(window.article.id)[0].uuid, note="why")
    label_shape = next(f for f, fmt in EXPORT_FILTERS.items() if fmt == "doccano-label")
    out = tmp_path / "d.jsonl"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), label_shape))
    # Export asks its scope first (issue 14, item 15): the list as filtered.
    from desktop_app.ui import export_scope

    monkeypatch.setattr(export_scope, "ask_scope", lambda parent, scopes: scopes[0])
    window.export_dialog()  # on a background thread, with a busy bar
    qtbot.waitUntil(lambda: window.export_job is not None and window.export_job.isFinished())
    qtbot.waitUntil(lambda: not window.progress.isVisible())
    record = next(
        json.loads(line)
        for line in out.read_text(encoding="utf-8").splitlines()
        if "energy" in line
    )
    assert [text[s:e] for s, e, _ in record["label"] for text in [record["text"]]] == ["energy"]
    assert "span notes: 1" in window.export_report_box.text()
    assert window.export_to(tmp_path / "x.csv", "csv") == 3
    assert (tmp_path / "x.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_everyone_view_shows_colleagues_spans_but_keeps_them_read_only(qtbot, window):
    show(window, "u2")
    article = window.article.id
    colleague = window.store.add_span(article, 0, 5, "Person", "bea")
    window.show_annotations()
    assert window.annotation_list.count() == 0
    window.everyone_action.trigger()
    assert window.annotation_list.count() == 1
    assert window.settings.value("view/everyone", type=bool) is True
    window.view.select_range(0, 0)
    window.select_span(colleague.uuid)
    qtbot.keyClick(window.view, Qt.Key.Key_O)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert window.store.span(colleague.uuid).label == "Person"
    assert not window.store.span(colleague.uuid).deleted
    assert "bea" in window.statusBar().currentMessage()


def test_every_window_shortcut_is_reserved_from_label_keys(window):
    from PySide6.QtGui import QKeySequence

    from desktop_app.core.schema import RESERVED_KEYS

    reserved = {QKeySequence(key).toString() for key in RESERVED_KEYS}
    # Label keys and relation type keys come from the schema, which the reserved list guards.
    label_actions = set(window.label_actions) | set(window.relating.type_actions)
    for action in window.findChildren(type(window.undo_action)):
        if action in label_actions:
            continue
        for sequence in action.shortcuts():
            if sequence.toString() and sequence != QKeySequence(QKeySequence.StandardKey.Quit):
                assert sequence.toString() in reserved, action.text()


def test_done_and_next_under_a_todo_filter_visits_every_article(qtbot, window):
    combo = window.filter_bar.status
    combo.setCurrentIndex(combo.findData("todo"))
    window._select_row(0)
    visited = []
    for _ in range(3):
        visited.append(window.article.uid)
        qtbot.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sorted(visited) == ["u1", "u2", "u3"]
    assert window.table_model.rowCount() == 0


def test_refused_write_is_shown_and_not_claimed_saved(qtbot, window):
    show(window, "u2")
    window.store.db.conn.execute("PRAGMA query_only = 1")
    window.tag_panel.boxes["Energy"].click()
    assert not window.tag_panel.boxes["Energy"].isChecked()  # back to what is stored
    assert "Not saved" in window.statusBar().currentMessage()
    select(window, "energy")
    qtbot.keyClick(window.view, Qt.Key.Key_P)
    assert window.annotation_list.count() == 0
    window.store.db.conn.execute("PRAGMA query_only = 0")


def test_rename_clears_undo_and_filter_follows(qtbot, window, monkeypatch):
    show(window, "u2")
    select(window, "energy")
    qtbot.keyClick(window.view, Qt.Key.Key_P)
    combo = window.filter_bar.label
    window.refresh_filter_choices()
    combo.setCurrentIndex(combo.findData("Person"))
    assert window.table_model.rowCount() == 1
    window.store.save_label(
        window.labels["Person"].__class__("Human", "span", "#ffc09f", "p"), "Person"
    )
    window._labels_replaced()
    window.reload_labels()
    assert not window.editor.can_undo()
    assert window.table_model.article_filter.label is None
    assert window.table_model.rowCount() == 3


def test_import_with_field_mapping(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from desktop_app.ui import import_export_actions as module

    csv_file = tmp_path / "feed.csv"
    csv_file.write_text("ref;body;headline\nz1;Body of the CSV article ✓;CSV headline\n", "utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(csv_file)], ""))

    def fill_and_accept(dialog):
        dialog.fields["text"].setText("body")
        dialog.fields["title"].setText("headline")
        dialog.fields["id"].setText("ref")
        return True

    monkeypatch.setattr(module.ImportOptionsDialog, "exec", fill_and_accept)
    window.import_options_dialog()
    qtbot.waitUntil(lambda: window.last_import is not None, timeout=20000)
    assert window.last_import.added == 1, window.last_import.problems
    article = window.store.article(window.store.article_id("z1"))
    assert (article.title, article.text) == ("CSV headline", "Body of the CSV article ✓")


def test_a_new_search_opens_its_first_match_on_enter(qtbot, window):
    # Issue 14 changed this: typing keeps the article being read; Enter opens the first match.
    show(window, "u1")
    window.filter_bar.search.setText("diplomacy")
    window.filter_bar.apply_now()
    assert window.article.uid == "u1"
    window.filter_bar.search.returnPressed.emit()
    assert window.article.uid == "u3"
    window.filter_bar.search.setText("nothing-matches-this")
    window.filter_bar.apply_now()
    assert window.article.uid == "u3"  # still being read, though the list is empty
    window.filter_bar.search.returnPressed.emit()
    assert window.article.uid == "u3"


def test_export_that_cannot_be_written_says_so_without_blocking(window, tmp_path):
    assert window.export_to(tmp_path / "no such folder" / "out.csv", "csv") == 0
    assert "not written" in window.export_report_box.text()
    assert "no such folder" in window.export_report_box.text()
    assert not window.export_report_box.isModal()


def test_export_counts_articles_as_it_goes(qtbot, project, show_window, tmp_path):
    store, _ = project
    store.add_articles([ArticleDraft(f"Article number {i}.", f"n{i}") for i in range(1200)])
    window = show_window(store, "ana")
    seen = []
    shown = window._export_progress

    def spy(path, done, total):
        shown(path, done, total)
        seen.append((done, total, window.progress.value(), window.statusBar().currentMessage()))

    window.exports._export_progress = spy  # the export feature owns it now
    window.start_export(tmp_path / "all.csv", "csv")
    assert window.progress.maximum() == 1203  # the list's articles, counted first
    qtbot.waitUntil(lambda: window.export_job.isFinished() and not window.progress.isVisible())
    # Every 500 articles, delivered to the window's thread: the bar and the status follow.
    assert seen == [
        (500, 1203, 500, "Exporting to all.csv: 500 of 1,203 articles"),
        (1000, 1203, 1000, "Exporting to all.csv: 1,000 of 1,203 articles"),
    ]
