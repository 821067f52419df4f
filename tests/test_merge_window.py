"""File > Merge in the window: the merge runs in the background and its report is shown."""

import pytest
from PySide6.QtWidgets import QLabel

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.core.store import Store
from desktop_app.paths import default_schema_path

TEXT = "Nino met Amélie in Tbilisi 🇬🇪 on Monday."


def _project(path):
    store, _ = open_project(path, default_schema_path())
    store.add_articles([ArticleDraft(TEXT, "m1", title="Merge me")])
    return store


@pytest.fixture
def window(tmp_path, show_window):
    store = _project(tmp_path / "alice.sqlite")
    win = show_window(store, "alice")
    yield win
    win.close()
    store.close()


def _bob(path, label="Person"):
    bob = _project(path)
    span = bob.add_span(bob.article_id("m1"), 0, 4, label, "bob")
    bob.close()
    return span.uuid


def _merge(qtbot, window, path):
    window.start_merge(path)
    qtbot.waitUntil(lambda: window.merge_job is not None and window.merge_job.isFinished())
    qtbot.waitUntil(lambda: not window.progress.isVisible())


def test_merge_shows_colleagues_spans_and_a_report(qtbot, window, tmp_path):
    window.everyone_action.setChecked(True)
    window.toggle_everyone()
    uuid = _bob(tmp_path / "bob.sqlite")
    _merge(qtbot, window, tmp_path / "bob.sqlite")
    box = window.merge_report_box
    assert box is not None and box.isVisible()
    assert "1 spans and 0 tags added" in box.findChild(QLabel, "merge_summary").text()
    assert [s.uuid for s in window.store.spans(window.article.id)] == [uuid]
    assert window.annotation_list.model().rowCount() == 1  # the open article was re-read


def test_conflict_is_listed_in_the_report_table(qtbot, window, tmp_path):
    uuid = _bob(tmp_path / "bob.sqlite")
    _merge(qtbot, window, tmp_path / "bob.sqlite")
    window.store.update_span(uuid, note="alice's reading")
    bob = Store.open(tmp_path / "bob.sqlite")
    bob.update_span(uuid, note="bob's later reading")
    bob.close()
    _merge(qtbot, window, tmp_path / "bob.sqlite")
    table = window.merge_report_box.conflicts
    assert table.rowCount() == 1
    row = [table.item(0, column).text() for column in range(table.columnCount())]
    assert row[:4] == ["span", "m1", "bob", "theirs"]
    assert "alice's reading" in row[4] and "bob's later reading" in row[5]
    assert window.store.span(uuid).note == "bob's later reading"


def test_failed_merge_says_so_and_changes_nothing(qtbot, window, tmp_path):
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    _merge(qtbot, window, broken)
    assert window.merge_failure_box is not None and window.merge_failure_box.isVisible()
    assert "project is as it was" in window.merge_failure_box.text()
    assert window.store.spans(window.article.id) == []


def test_sample_dialog_writes_a_package_the_colleague_imports(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QDialog, QFileDialog

    from desktop_app.ui.sample_dialog import SampleDialog

    def answer(dialog):
        dialog.count.setValue(1)
        dialog.seed.setValue(5)
        assert not dialog.ok.isEnabled()  # nobody to give it to yet
        qtbot.keyClicks(dialog.for_whom, "bob")
        assert dialog.ok.isEnabled()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(SampleDialog, "exec", answer)
    target = tmp_path / "for-bob.zip"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.sample_dialog()
    assert target.is_file()
    assert "for bob" in window.statusBar().currentMessage()
    bob = _project(tmp_path / "bob.sqlite")  # bob already has m1: the package adds nothing new
    from desktop_app.core.importing import import_paths

    report = import_paths(bob, [target])
    assert (report.added, report.unchanged, report.problems) == (0, 1, [])
    bob.close()
