"""The import's report window, Undo last import and Article > Delete article… in the window."""

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication, QMessageBox
from window_helpers import trigger

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path


@pytest.fixture
def project(tmp_path):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles(
        [ArticleDraft("Alice went to Paris.", "a", title="Alice"),
         ArticleDraft("Bob stayed in Rome.", "b", title="Bob")]
    )  # fmt: skip
    yield store
    store.close()


def answer(monkeypatch, reply, asked):
    def question(parent, title, text, *args):
        asked.append(text)
        return reply

    monkeypatch.setattr(QMessageBox, "question", question)


def imported(qtbot, window, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "same.txt").write_text("Alice went to Paris.")  # the text of article "a"
    (folder / "new.txt").write_text("Carol flew to Oslo.")
    (folder / "README.md").write_text("not an article")
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02binary")
    window.imports.start_import([folder])
    qtbot.waitUntil(lambda: window.imports.last_import is not None, timeout=20000)
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 4, timeout=5000)
    if window.imports.import_report_box is not None:
        window.imports.import_report_box.close()
    return window.imports.last_import


def test_last_import_report_lists_added_duplicates_and_rejections(
    qtbot, project, show_window, tmp_path, monkeypatch
):
    window = show_window(project)
    report = imported(qtbot, window, tmp_path)
    assert report.added == 2 and report.duplicates == 1
    trigger(window, "&File", "Last import &report")
    dialog = window.imports.report_window
    assert dialog.isVisible()
    added = dialog.tables["Added"]
    assert added.rowCount() == 2
    assert {added.item(r, 2).text() for r in range(2)} == {
        "Alice went to Paris.",
        "Carol flew to Oslo.",
    }
    duplicates = dialog.tables["Duplicates"]
    assert duplicates.rowCount() == 1
    assert duplicates.item(0, 2).text() == "a" and duplicates.item(0, 3).text() == "Alice"
    rejected = dialog.tables["Rejected"]
    assert rejected.rowCount() == 1 and "bad.txt" in rejected.item(0, 0).text()
    assert dialog.tables["Skipped"].rowCount() == 1
    dialog.copy_button.click()
    copied = QApplication.clipboard().text()
    assert "Duplicates (1)" in copied and "\ta\tAlice" in copied and "bad.txt" in copied
    out = tmp_path / "report.txt"
    monkeypatch.setattr(window.imports.shell.dialogs, "save_file", lambda *a, **k: (str(out), ""))
    dialog.save_button.click()
    assert out.read_text(encoding="utf-8") == copied
    dialog.close()


def test_undo_last_import_removes_only_what_it_added(
    qtbot, project, show_window, tmp_path, monkeypatch
):
    window = show_window(project)
    imported(qtbot, window, tmp_path)
    before = sorted(project.db.conn.execute("SELECT * FROM articles"))
    asked = []
    answer(monkeypatch, QMessageBox.StandardButton.Cancel, asked)
    trigger(window, "&File", "&Undo last import…")
    assert "Delete the 2 articles the last import added, with their 0 annotations" in asked[-1]
    assert window.table_model.rowCount() == 4
    answer(monkeypatch, QMessageBox.StandardButton.Yes, asked)
    trigger(window, "&File", "&Undo last import…")
    assert {r.title for r in map(window.table_model.row_at, range(2))} == {"Alice", "Bob"}
    assert window.table_model.rowCount() == 2
    assert list((tmp_path).glob("**/*delete-articles*"))  # backed up first
    assert project.check(full=True) == []
    window.undo()  # Edit > Undo brings the import back
    assert window.table_model.rowCount() == 4
    assert sorted(project.db.conn.execute("SELECT * FROM articles")) == before
    window.close()


def test_delete_selected_articles_asks_with_counts_and_undoes(
    qtbot, project, show_window, monkeypatch
):
    a, b = project.article_id("a"), project.article_id("b")
    project.add_span(a, 0, 5, "Person", "ana")
    project.add_span(b, 0, 3, "Person", "bea")
    window = show_window(project)
    table = window.table
    table.selectionModel().select(
        window.table_model.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    table.selectionModel().select(
        window.table_model.index(1, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    asked = []
    answer(monkeypatch, QMessageBox.StandardButton.Yes, asked)
    trigger(window, "&Article", "De&lete article…")
    assert "these 2 articles and their 2 annotations" in asked[-1]
    assert window.table_model.rowCount() == 0
    assert project.article_id("a") is None and window.article is None
    window.undo()
    assert window.table_model.rowCount() == 2
    assert len(project.spans(a)) == 1 and len(project.spans(b)) == 1
    window.editing.redo()
    assert window.table_model.rowCount() == 0
    assert project.check(full=True) == []
    window.close()
